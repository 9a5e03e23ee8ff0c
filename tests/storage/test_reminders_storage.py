"""Reminder queries on SQLite and a real PostgreSQL: who is due, the atomic claim, the digest lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox
from storage import reminders as store
from storage.db import Database
from storage.outbox import Claimed, Outgoing
from storage.tables import OutboxKind, Report, ReportingRound, ReportStatus
from tests.helpers.databases import on_separate_engines
from tests.helpers.reminders import (
    Member,
    add_agency_with_staff,
    add_person,
    default_district_id,
    open_round,
    person,
    set_report_status,
)

YEAR = 2025
NOW = datetime(2026, 1, 24, 1, 0, tzinfo=UTC)


async def _round(db: Database) -> ReportingRound:
    await open_round(db, year=YEAR, deadline=date(2026, 1, 31))
    async with db.session() as session:
        rounds = await store.rounds_from(session=session, earliest_deadline=date(2026, 1, 1))
    assert len(rounds) == 1
    return rounds[0]


async def _due(db: Database, slot: str = "d-7") -> list[tuple[int, int]]:
    async with db.session() as session:
        due = await store.reminders_due(
            session=session, year=YEAR, district_id=await default_district_id(db), slot=slot
        )
    return [(d.agency_id, d.telegram_id) for d in due]


async def _remind(
    db: Database,
    member: Member,
    finish: Callable[[AsyncSession, Claimed], Awaitable[None]],
    slot: str = "d-7",
) -> None:
    """Claim a reminder with its outbox row (as bot/reminders.py does), claim the row to send, finish it."""
    async with db.session() as session:
        claim = await store.claim_reminder(
            session=session, report_id=member.report_id or 0, slot=slot, person_id=member.person_id, at=NOW
        )
        assert claim is not None
        key = store.reminder_key(report_id=member.report_id or 0, slot=slot, person_id=member.person_id)
        message = Outgoing(member.telegram_id, OutboxKind.REMINDER, "reminder", key)
        await outbox.enqueue_now(session=session, messages=[message], at=NOW)
    async with db.session() as session:
        [row] = await outbox.claim_due(session=session, now=NOW, limit=10)
        await finish(session, row)


async def test_staff_of_open_reports_are_due_and_returned_counts_as_open(db: Database) -> None:
    await _round(db)
    [draft] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])
    [done] = await add_agency_with_staff(db, name="区财政局", year=YEAR, staff=[(12, "乙")])
    [back] = await add_agency_with_staff(db, name="区民政局", year=YEAR, staff=[(13, "丙")])
    [ok] = await add_agency_with_staff(db, name="区水务局", year=YEAR, staff=[(14, "丁")])
    await set_report_status(db, agency_id=done.agency_id, year=YEAR, status=ReportStatus.SUBMITTED)
    await set_report_status(db, agency_id=back.agency_id, year=YEAR, status=ReportStatus.RETURNED)
    await set_report_status(db, agency_id=ok.agency_id, year=YEAR, status=ReportStatus.ACCEPTED)

    assert await _due(db) == [(draft.agency_id, 11), (back.agency_id, 13)]


async def test_people_without_telegram_or_marked_unreachable_are_not_due(db: Database) -> None:
    rnd = await _round(db)
    [blocked, fine] = await add_agency_with_staff(
        db, name="区教育局", year=YEAR, staff=[(11, "甲"), (12, "乙")]
    )

    async def refused(session: AsyncSession, row: Claimed) -> None:
        await outbox.mark_blocked(session=session, row_id=row.id, chat_id=row.chat_id, at=NOW, error="403")

    await _remind(db, blocked, refused)
    assert (await person(db, blocked.person_id)).unreachable_since is not None
    assert await _due(db, "d-3") == [(fine.agency_id, 12)]
    async with db.session() as session:
        people = await store.unreachable_people(session=session, year=rnd.year, district_id=rnd.district_id)
    assert [(p.person_id, p.agency_name, p.display_name) for p in people] == [
        (blocked.person_id, "区教育局", "甲")
    ]


async def test_a_claim_is_taken_once_and_removes_the_reminder_from_the_scan(db: Database) -> None:
    await _round(db)
    [member] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])
    args = {"report_id": member.report_id or 0, "slot": "d-7", "person_id": member.person_id, "at": NOW}
    async with db.session() as session:
        first = await store.claim_reminder(session=session, **args)  # type: ignore[arg-type]
    async with db.session() as session:
        second = await store.claim_reminder(session=session, **args)  # type: ignore[arg-type]
    assert first is not None
    assert second is None
    assert await _due(db, "d-7") == []
    assert await _due(db, "d-3") == [(member.agency_id, 11)]


async def test_a_reminder_refused_with_429_stays_claimed_and_its_message_is_due_again(db: Database) -> None:
    await _round(db)
    [member] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])

    async def too_many(session: AsyncSession, row: Claimed) -> None:
        await outbox.mark_retry(
            session=session, row_id=row.id, not_before=NOW + timedelta(seconds=5), error="429"
        )

    await _remind(db, member, too_many)
    assert await _due(db) == []  # never claimed twice: the outbox sends it again
    async with db.session() as session:
        assert await outbox.claim_due(session=session, now=NOW, limit=10) == []
        [again] = await outbox.claim_due(session=session, now=NOW + timedelta(seconds=5), limit=10)
    assert again.chat_id == 11
    async with db.session() as session:
        outcome = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW,
        )
    assert (outcome.in_flight, outcome.unknown) == (1, 0)  # being sent again, not lost


async def test_no_claim_for_a_report_submitted_after_the_scan(db: Database) -> None:
    await _round(db)
    [member] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])
    assert await _due(db) == [(member.agency_id, 11)]
    await set_report_status(db, agency_id=member.agency_id, year=YEAR, status=ReportStatus.SUBMITTED)
    async with db.session() as session:
        claim = await store.claim_reminder(
            session=session, report_id=member.report_id or 0, slot="d-7", person_id=member.person_id, at=NOW
        )
    assert claim is None


async def test_concurrent_claims_of_one_reminder_give_exactly_one_winner(database_url: str) -> None:
    # Separate engines, like separate processes: the unique constraint decides, not Python.
    setup = Database(database_url)
    await setup.upgrade()
    await _round(setup)
    [member] = await add_agency_with_staff(setup, name="区教育局", year=YEAR, staff=[(11, "甲")])

    async def claim(db: Database) -> int | None:
        async with db.session() as session:
            return await store.claim_reminder(
                session=session,
                report_id=member.report_id or 0,
                slot="d0",
                person_id=member.person_id,
                at=NOW,
            )

    try:
        results = await on_separate_engines(database_url, 6, claim)
    finally:
        await setup.dispose()
    assert sum(r is not None for r in results) == 1


async def test_reports_are_created_in_the_form_version_the_caller_fills(db: Database) -> None:
    rnd = await _round(db)
    await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")], create_report=False)
    async with db.session() as session:
        assert await store.ensure_reports(session=session, rnd=rnd, at=NOW, form_version="2099") == 1
        reports = (await session.exec(select(Report))).all()
    assert [r.form_version for r in reports] == ["2099"]


async def test_reports_are_created_for_staffed_agencies_only_and_once(db: Database) -> None:
    rnd = await _round(db)
    [member] = await add_agency_with_staff(
        db, name="区教育局", year=YEAR, staff=[(11, "甲")], create_report=False
    )
    await add_agency_with_staff(db, name="区档案馆", year=YEAR, staff=[], create_report=False)
    async with db.session() as session:
        assert await store.ensure_reports(session=session, rnd=rnd, at=NOW, form_version="2021") == 1
    async with db.session() as session:
        assert await store.ensure_reports(session=session, rnd=rnd, at=NOW, form_version="2021") == 0
        reports = (await session.exec(select(Report))).all()
    assert [(r.agency_id, r.year, r.round_id, r.status) for r in reports] == [
        (member.agency_id, YEAR, rnd.id, ReportStatus.DRAFT.value)
    ]


async def test_digest_lists_missing_unstaffed_and_slot_outcome(db: Database) -> None:
    await _round(db)
    [a] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])
    [b] = await add_agency_with_staff(db, name="区财政局", year=YEAR, staff=[(12, "乙")])
    await add_agency_with_staff(db, name="区档案馆", year=YEAR, staff=[], create_report=False)
    await set_report_status(db, agency_id=b.agency_id, year=YEAR, status=ReportStatus.SUBMITTED)
    coordinator = await add_person(db, telegram_id=99, name="王主任", is_coordinator=True)

    async def sent(session: AsyncSession, row: Claimed) -> None:
        await outbox.mark_sent(session=session, row_id=row.id, at=NOW)

    await _remind(db, a, sent)
    async with db.session() as session:
        missing, total = await store.missing_agencies(
            session=session, year=YEAR, district_id=await default_district_id(db)
        )
        unstaffed = await store.unstaffed_agencies(
            session=session, year=YEAR, district_id=await default_district_id(db)
        )
        outcome = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW,
        )
        coordinators = await store.reachable_coordinators(
            session=session, district_id=await default_district_id(db)
        )
    assert sorted(missing) == ["区教育局", "区档案馆"]
    assert total == 3
    assert unstaffed == ["区档案馆"]
    assert [(r.agency_name, r.person_name, r.status) for r in outcome.recipients] == [
        ("区教育局", "甲", store.ClaimStatus.SENT)
    ]
    assert (outcome.in_flight, outcome.unknown) == (0, 0)
    assert [c.id for c in coordinators] == [coordinator]


async def test_an_unmarked_claim_is_in_flight_then_unknown_and_never_due_again(db: Database) -> None:
    await _round(db)
    [a] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])
    async with db.session() as session:
        await store.claim_reminder(
            session=session, report_id=a.report_id or 0, slot="d-7", person_id=a.person_id, at=NOW
        )
    async with db.session() as session:
        fresh = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW - timedelta(minutes=10),
        )
        stale = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW + timedelta(seconds=1),
        )
    assert (fresh.in_flight, fresh.unknown) == (1, 0)
    assert (stale.in_flight, stale.unknown) == (0, 1)
    assert await _due(db, "d-7") == []


async def test_a_digest_is_claimed_once_per_coordinator_and_point(db: Database) -> None:
    rnd = await _round(db)
    coordinator = await add_person(db, telegram_id=99, name="王主任", is_coordinator=True)
    assert rnd.id is not None
    async with db.session() as session:
        first = await store.claim_digest(
            session=session, round_id=rnd.id, key="d-7", person_id=coordinator, at=NOW
        )
    async with db.session() as session:
        second = await store.claim_digest(
            session=session, round_id=rnd.id, key="d-7", person_id=coordinator, at=NOW
        )
        other = await store.claim_digest(
            session=session, round_id=rnd.id, key="d-3", person_id=coordinator, at=NOW
        )
    assert first is not None
    assert second is None
    assert other is not None


async def test_a_reminder_whose_send_was_interrupted_is_in_flight_then_unknown_and_never_resent(
    db: Database,
) -> None:
    await _round(db)
    [a] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(11, "甲")])

    async def crashed(session: AsyncSession, row: Claimed) -> None:
        """The process died during the HTTP call: nothing is recorded."""

    await _remind(db, a, crashed)
    async with db.session() as session:
        fresh = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW - timedelta(minutes=10),
        )
        stale = await store.slot_outcome(
            session=session,
            year=YEAR,
            district_id=await default_district_id(db),
            slot="d-7",
            stale_before=NOW + timedelta(seconds=1),
        )
        later = await outbox.claim_due(session=session, now=NOW + timedelta(days=1), limit=10)
    assert (fresh.in_flight, fresh.unknown) == (1, 0)
    assert (stale.in_flight, stale.unknown) == (0, 1)
    assert later == []
    assert await _due(db, "d-7") == []
