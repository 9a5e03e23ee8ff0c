"""`turn_store.load_caller`: the permission check of the Telegram path, read in the same query as the
turn's head, must say exactly what `storage.access.caller` says, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy.engine import Connection

from dialogs.form import UnitKind
from storage import access as store
from storage import repositories as repo
from storage.db import Database
from storage.tables import Person
from storage.turn_store import Head, load_caller

MEMBER, OUTSIDER, IDLE, BLOCKED, STRANGER = 501, 502, 503, 504, 599
AT = datetime(2025, 1, 20, tzinfo=UTC)


async def _seed(db: Database) -> dict[str, int]:
    """Two agencies; people in every state the check tells apart."""
    async with db.session() as session:
        rnd = await repo.open_round(session=session, year=2024, deadline=date(2025, 1, 31), created_by=None)
        ids: dict[str, int] = {}
        for name in ("区财政局", "区民政局"):
            agency = await repo.create_agency(session=session, name=name, unit=UnitKind.DEPARTMENT)
            assert agency.id is not None
            report = await repo.report_for(session=session, agency_id=agency.id, year=2024, round_id=rnd.id)
            assert report is not None
            assert report.id is not None
            ids[name] = report.id
            ids[f"{name}/agency"] = agency.id
        for telegram_id in (MEMBER, OUTSIDER, IDLE, BLOCKED):
            person = await repo.telegram_person(session=session, telegram_id=telegram_id)
            assert person is not None
            assert person.id is not None
            ids[str(telegram_id)] = person.id
        finance, civil = ids["区财政局/agency"], ids["区民政局/agency"]
        await repo.add_member(session=session, person_id=ids[str(MEMBER)], agency_id=finance)
        await repo.add_member(session=session, person_id=ids[str(BLOCKED)], agency_id=civil)
        await repo.add_member(session=session, person_id=ids[str(IDLE)], agency_id=civil)
        # The outsider's active report is one of an agency they do not (or no longer) belong to.
        await repo.set_active_report(session=session, person_id=ids[str(OUTSIDER)], report_id=ids["区财政局"])
        await repo.set_active_report(session=session, person_id=ids[str(MEMBER)], report_id=ids["区财政局"])
        await repo.set_active_report(session=session, person_id=ids[str(BLOCKED)], report_id=ids["区民政局"])
        await repo.save_position(
            session=session, person_id=ids[str(MEMBER)], report_id=ids["区财政局"], state={"index": 7}, at=AT
        )
        await store.set_reachable(session=session, telegram_id=BLOCKED, reachable=False, at=AT)
    return ids


async def test_the_merged_check_agrees_with_the_caller_query(db: Database) -> None:
    await _seed(db)
    for telegram_id in (MEMBER, OUTSIDER, IDLE, STRANGER):
        expected = await db.run_transaction(partial(store.caller, telegram_id=telegram_id))
        who, _head = await db.run_transaction(partial(load_caller, telegram_id=telegram_id))
        assert who == expected, telegram_id


async def test_the_head_is_the_active_report_with_this_persons_position(db: Database) -> None:
    ids = await _seed(db)

    def read(conn: Connection, telegram_id: int) -> Head | None:
        return load_caller(conn, telegram_id)[1]

    head = await db.run_transaction(lambda c: read(c, MEMBER))
    assert head is not None
    assert (head.report_id, head.agency, head.year, head.unit_kind) == (
        ids["区财政局"],
        "区财政局",
        2024,
        "department",
    )
    assert head.position == {"index": 7}
    outsider = await db.run_transaction(lambda c: read(c, OUTSIDER))
    assert outsider is not None
    assert outsider.position is None  # the member's position is theirs alone
    assert await db.run_transaction(lambda c: read(c, IDLE)) is None
    assert await db.run_transaction(lambda c: read(c, STRANGER)) is None


async def test_someone_marked_unreachable_who_writes_is_reachable_again(db: Database) -> None:
    ids = await _seed(db)
    who, _head = await db.run_transaction(lambda c: load_caller(c, BLOCKED))
    assert who is not None
    assert who.is_unreachable  # as it was when they wrote
    async with db.session() as session:
        person = await session.get(Person, ids[str(BLOCKED)])
        assert person is not None
        assert person.unreachable_since is None
