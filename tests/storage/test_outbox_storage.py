"""The outbox on SQLite and a real PostgreSQL: one row per dedupe key, disjoint claims, and the
upgrade of a database of the previous release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from storage import outbox
from storage import reminders as reminder_store
from storage.db import Database
from storage.outbox import Outgoing
from storage.tables import OutboxKind, OutboxMessage
from tests.helpers.databases import on_separate_engines, upgraded_from
from tests.helpers.reminders import default_district_id

NOW = datetime(2026, 1, 24, 1, 0, tzinfo=UTC)


def _message(n: int, *, chat: int | None = None) -> Outgoing:
    return Outgoing(chat or 1000 + n, OutboxKind.SUBMISSION_SUMMARY, f"summary {n}", f"test:{n}")


async def _rows(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(OutboxMessage))).one())


async def test_a_message_enqueued_twice_is_one_row_and_sent_once(db: Database) -> None:
    for _ in range(2):
        async with db.session() as session:
            await outbox.enqueue_now(session=session, messages=[_message(1)], at=NOW)
    assert await _rows(db) == 1
    async with db.session() as session:
        [row] = await outbox.claim_due(session=session, now=NOW, limit=10)
        await outbox.mark_sent(session=session, row_id=row.id, at=NOW)
    async with db.session() as session:
        await outbox.enqueue_now(session=session, messages=[_message(1)], at=NOW)  # a retried event
        assert await outbox.claim_due(session=session, now=NOW + timedelta(days=1), limit=10) == []


async def test_buttons_come_back_as_they_were_enqueued(db: Database) -> None:
    buttons = ((("继续填报", "resume:7"), ("通过", "accept:7")), (("退回", "return:7"),))
    message = Outgoing(5, OutboxKind.RETURNED_NOTICE, "notice", "test:buttons", buttons=buttons)
    async with db.session() as session:
        await outbox.enqueue_now(session=session, messages=[message], at=NOW)
    async with db.session() as session:
        [row] = await outbox.claim_due(session=session, now=NOW, limit=10)
    assert row.buttons == message.buttons
    assert (row.chat_id, row.kind, row.text) == (5, OutboxKind.RETURNED_NOTICE, "notice")


async def test_senders_on_separate_engines_claim_disjoint_rows(database_url: str) -> None:
    """Like separate processes: each row goes to exactly one sender (SKIP LOCKED on PostgreSQL,
    the single writer on SQLite)."""
    setup = Database(database_url)
    await setup.upgrade()
    async with setup.session() as session:
        await outbox.enqueue_now(session=session, messages=[_message(n) for n in range(40)], at=NOW)

    async def claim_all(db: Database) -> list[int]:
        claimed: list[int] = []
        while True:
            async with db.session() as session:
                rows = await outbox.claim_due(session=session, now=NOW, limit=3)
            if not rows:
                return claimed
            claimed += [r.id for r in rows]

    try:
        results = await on_separate_engines(database_url, 4, claim_all)
    finally:
        await setup.dispose()
    every = [row_id for claimed in results for row_id in claimed]
    assert len(every) == 40
    assert len(set(every)) == 40


async def test_released_rows_are_due_again_and_retried_rows_only_when_their_time_comes(db: Database) -> None:
    async with db.session() as session:
        await outbox.enqueue_now(session=session, messages=[_message(1), _message(2)], at=NOW)
    async with db.session() as session:
        first, second = await outbox.claim_due(session=session, now=NOW, limit=10)
        await outbox.release(session=session, row_ids=[first.id])
        await outbox.mark_retry(
            session=session, row_id=second.id, not_before=NOW + timedelta(seconds=30), error="429"
        )
    async with db.session() as session:
        assert [r.id for r in await outbox.claim_due(session=session, now=NOW, limit=10)] == [first.id]
        later = await outbox.claim_due(session=session, now=NOW + timedelta(seconds=30), limit=10)
    assert [r.id for r in later] == [second.id]


async def test_a_database_of_the_previous_release_upgrades_and_keeps_its_reminder_history(
    database_url: str,
) -> None:
    """Claims finished before the outbox existed keep their own status in the digest."""
    rows = (
        "insert into agency (id, name, unit_kind, created_at) "
        "values (1, '区财政局', 'department', '2026-01-01 00:00:00')",
        "insert into person (id, telegram_id, display_name, is_coordinator, created_at) "
        "values (1, 11, '甲', false, '2026-01-01 00:00:00')",
        "insert into report (id, agency_id, year, status, form_version, source, created_at) "
        "values (1, 1, 2025, 'draft', '2021', 'dialog', '2026-01-01 00:00:00')",
        "insert into reminder_sent (report_id, slot, person_id, status, claimed_at, sent_at) "
        "values (1, 'd-7', 1, 'sent', '2026-01-24 01:00:00', '2026-01-24 01:00:01')",
    )
    async with upgraded_from(database_url, "0003", rows) as db:
        async with db.session() as session:
            outcome = await reminder_store.slot_outcome(
                session=session,
                year=2025,
                district_id=await default_district_id(db),
                slot="d-7",
                stale_before=NOW,
            )
            await outbox.enqueue_now(session=session, messages=[_message(1)], at=NOW)
        assert [(r.person_name, r.status) for r in outcome.recipients] == [
            ("甲", reminder_store.ClaimStatus.SENT)
        ]
        assert (outcome.in_flight, outcome.unknown) == (0, 0)
        assert await _rows(db) == 1
