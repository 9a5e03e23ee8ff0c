"""`turn_store`: the caller and the turn's head read in one query, answers kept between turns by
revision, and turns on one report serialized, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial

import pytest
from sqlalchemy.engine import Connection

from dialogs.form import Form, UnitKind, Value
from storage import access as store
from storage import repositories as repo
from storage.db import Database
from storage.tables import Person, Report
from storage.turn_store import (
    AnswerCache,
    Cached,
    Head,
    TurnData,
    load_answers,
    load_caller,
    load_turn,
    save_turn,
)

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
        blocked = await session.get(Person, ids[str(BLOCKED)])
        assert blocked is not None
        blocked.unreachable_since = AT  # as a 403 leaves them (storage/outbox.py mark_blocked)
        session.add(blocked)
    return ids


async def test_the_caller_is_read_with_what_the_permission_check_needs(db: Database) -> None:
    ids = await _seed(db)
    finance = ids["区财政局"]

    def caller(telegram_id: int, active: int | None, *, member: bool) -> store.Caller:
        return store.Caller(ids[str(telegram_id)], telegram_id, False, active, member, is_unreachable=False)

    expected = {
        MEMBER: caller(MEMBER, finance, member=True),
        OUTSIDER: caller(OUTSIDER, finance, member=False),  # active report of another agency
        IDLE: caller(IDLE, None, member=False),  # a member, but no report chosen yet
        STRANGER: None,
    }
    for telegram_id, who in expected.items():
        read, _head = await db.run_transaction(partial(load_caller, telegram_id=telegram_id))
        assert read == who, telegram_id


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


# --- answers kept between turns, and the revision that keeps them honest ---------------------------
async def _revision(db: Database, report_id: int) -> int:
    async with db.session() as session:
        report = await session.get(Report, report_id)
        assert report is not None
        await session.refresh(report)
        return report.revision


async def _write(db: Database, report_id: int, *writes: tuple[str, Value | None]) -> None:
    async with db.session() as session:
        await repo.write_answers(
            session=session, report_id=report_id, writes=[(k, v, "") for k, v in writes], by=None, at=AT
        )


def _load(form: Form, cache: AnswerCache, report_id: int) -> Callable[[Connection], TurnData]:
    def work(conn: Connection) -> TurnData:
        data = load_turn(conn, form, cache, person_id=0, report_id=report_id)
        assert data is not None
        return data

    return work


async def test_every_change_to_a_reports_answers_moves_its_revision(db: Database) -> None:
    ids = await _seed(db)
    report = ids["区财政局"]
    assert await _revision(db, report) == 0
    await _write(db, report, ("t2.regulations.issued", 1), ("t2.regulations.abolished", 0))  # two inserts
    assert await _revision(db, report) == 2
    await _write(db, report, ("t2.regulations.issued", 3))  # an update
    assert await _revision(db, report) == 3
    await _write(db, report, ("t2.regulations.issued", None))  # a delete
    assert await _revision(db, report) == 4
    assert await _revision(db, ids["区民政局"]) == 0  # another report's answers are another matter


async def test_answers_are_reused_until_anyone_changes_them(db: Database, form: Form) -> None:
    ids = await _seed(db)
    report = ids["区财政局"]
    await _write(db, report, ("t2.regulations.issued", 1))
    cache = AnswerCache()

    first = await db.run_transaction(_load(form, cache, report))
    assert first.answers == {"t2.regulations.issued": 1}
    cache.put(first.read)
    again = await db.run_transaction(_load(form, cache, report))
    assert again.read == ()  # nothing read from the database
    assert again.answers == {"t2.regulations.issued": 1}

    await _write(db, report, ("t2.regulations.issued", 7))  # e.g. a coordinator's import, elsewhere
    changed = await db.run_transaction(_load(form, cache, report))
    assert changed.answers == {"t2.regulations.issued": 7}
    assert [entry.report_id for entry in changed.read] == [report]


async def test_last_years_report_changed_meanwhile_is_read_again(db: Database, form: Form) -> None:
    ids = await _seed(db)
    async with db.session() as session:
        last = await repo.report_for(session=session, agency_id=ids["区财政局/agency"], year=2023)
        assert last is not None
        assert last.id is not None
    await _write(db, last.id, ("t3.carried_out.total", 4))
    cache = AnswerCache()
    first = await db.run_transaction(_load(form, cache, ids["区财政局"]))
    cache.put(first.read)
    assert first.previous == {"t3.carried_out.total": 4}

    await _write(db, last.id, ("t3.carried_out.total", 9))  # last year's report imported again
    second = await db.run_transaction(_load(form, cache, ids["区财政局"]))
    assert second.previous == {"t3.carried_out.total": 9}


async def test_a_saved_turn_knows_the_revision_its_commit_leaves(db: Database, form: Form) -> None:
    ids = await _seed(db)
    report = ids["区财政局"]
    await _write(db, report, ("t2.regulations.issued", 1), ("t2.regulations.abolished", 2))
    cache = AnswerCache()

    def turn(conn: Connection) -> Cached | None:
        data = _load(form, cache, report)(conn)
        return save_turn(
            conn,
            form,
            data,
            person_id=ids[str(MEMBER)],
            # An update, a delete, an insert, an unchanged value, and a key written twice.
            writes=[
                ("t2.regulations.issued", 5, "5"),
                ("t2.regulations.abolished", None, ""),
                ("t2.regulations.in_force", 3, "3"),
                ("t2.normative_documents.issued", 0, "0"),
                ("t2.normative_documents.issued", 2, "2"),
                ("t2.regulations.issued", 5, "5"),
            ],
            state={"index": 1},
            at=AT,
        )

    saved = await db.run_transaction(turn)
    assert saved is not None
    assert saved.revision == await _revision(db, report)
    fresh = await db.run_transaction(_load(form, AnswerCache(), report))
    assert dict(saved.answers) == dict(fresh.answers)
    assert dict(saved.stored) == dict(fresh.current.stored)
    assert fresh.answers == {
        "t2.regulations.issued": 5,
        "t2.regulations.in_force": 3,
        "t2.normative_documents.issued": 2,
    }


@pytest.mark.parametrize("path", ["report", "caller"])
async def test_concurrent_turns_on_one_report_do_not_lose_each_others_answers(
    db: Database, form: Form, path: str
) -> None:
    """Two people of one agency answering at once: each turn reads, computes and writes as one step
    (the engine's totals are computed from what it read), so no total misses a part."""
    ids = await _seed(db)
    report = ids["区财政局"]
    cache = AnswerCache()
    parts = [f"t3.new.p{n}" for n in range(24)]

    def add_part(key: str) -> Callable[[Connection], Cached | None]:
        def work(conn: Connection) -> Cached | None:
            if path == "report":  # as the terminal reads a turn
                data = _load(form, cache, report)(conn)
            else:  # as the bot does, by the Telegram id of whoever wrote
                head = load_caller(conn, MEMBER)[1]
                assert head is not None
                data = load_answers(conn, form, cache, head)
            # Keys unknown to the form stay text.
            present = sum(1 for k in data.answers if k.startswith("t3.new.p"))
            return save_turn(
                conn,
                form,
                data,
                person_id=ids[str(MEMBER)],
                writes=[(key, 1, "1"), ("t3.new.count_of_parts", present + 1, "")],
                state={},
                at=AT,
            )

        return work

    async def one(key: str) -> None:
        cache.put([saved] if (saved := await db.run_transaction(add_part(key))) else [])

    await asyncio.gather(*(one(key) for key in parts))
    final = await db.run_transaction(_load(form, AnswerCache(), report))
    assert sum(1 for k in final.answers if k.startswith("t3.new.p")) == len(parts)
    assert final.answers["t3.new.count_of_parts"] == str(len(parts))
