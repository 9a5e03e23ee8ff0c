"""Delivery: restarts, two processes on one PostgreSQL, 429 and 403, and the real JobQueue.

Every bot process here is a real PTB Application talking HTTP to the stand-in on 127.0.0.1,
with its own database engine; time is virtual (FakeTime), so pacing and 429 pauses cost nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.reminder_plan import ReminderPlan
from bot.reminders import register_reminders
from bot.services.turns import Turns
from bot.telegram_app import build_application
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form
from storage import reminders as store
from storage.db import Database
from storage.tables import OutboxMessage
from tests.helpers.botapi import StandIn
from tests.helpers.postgres import PostgresCluster
from tests.helpers.reminders import (
    SHANGHAI,
    FakeTime,
    Member,
    add_agency_with_staff,
    add_person,
    assert_sent_through_the_bots_transport,
    bot_process,
    default_district_id,
    open_round,
    person,
)
from tests.helpers.telegram_bot import bot_settings

YEAR = 2024
DEADLINE = date(2025, 1, 31)
COORDINATOR = 900
D_MINUS_7 = datetime(2025, 1, 24, 9, 0, tzinfo=SHANGHAI)
D_MINUS_3 = datetime(2025, 1, 28, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when it builds a RetryAfter unless opted in to timedelta periods (and the
    # suite turns warnings into errors); the bot reads both forms.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def _seed(db: Database, api: StandIn, staff: int) -> list[Member]:
    await open_round(db, year=YEAR, deadline=DEADLINE, plan_json=ReminderPlan(weekends=True).to_json())
    members: list[Member] = []
    for n in range(staff):
        members += await add_agency_with_staff(
            db, name=f"单位{n:03d}", year=YEAR, staff=[(1000 + n, f"员工{n}")]
        )
    await add_person(db, telegram_id=COORDINATOR, name="王主任", is_coordinator=True)
    for telegram_id in (*(m.telegram_id for m in members), COORDINATOR):
        api.add_user(telegram_id)
    return members


@pytest.fixture
def time() -> FakeTime:
    """Virtual time, at the D-7 slot of the round `_seed` opens."""
    return FakeTime(D_MINUS_7)


def _at_d_minus_7() -> datetime:
    return D_MINUS_7


def _received(api: StandIn, members: list[Member]) -> list[int]:
    return [len(api.bot_messages(m.telegram_id)) for m in members]


async def test_reminder_is_not_sent_twice_after_restart_between_slots(
    db: Database, api: StandIn, form: Form, time: FakeTime
) -> None:
    members = await _seed(db, api, 3)
    async with bot_process(api, db.url, time, form) as first:
        assert (await first.run_once()).sent == 3
    time.now = D_MINUS_7 + timedelta(minutes=30)
    async with bot_process(api, db.url, time, form) as second:
        assert (await second.run_once()).sent == 0
        time.now = D_MINUS_3
        assert (await second.run_once()).sent == 3
    assert _received(api, members) == [2, 2, 2]
    assert len(api.bot_messages(COORDINATOR)) == 2  # one digest per slot
    assert_sent_through_the_bots_transport(api)


async def test_restart_during_a_send_neither_duplicates_nor_loses(
    db: Database, api: StandIn, form: Form, time: FakeTime
) -> None:
    members = await _seed(db, api, 3)
    api.hold_responses()
    async with bot_process(api, db.url, time, form) as first:
        run = asyncio.create_task(first.run_once())
        for m in members:  # every message has reached Telegram; no answer has come back
            await api.wait_for_call("sendMessage", chat_id=m.telegram_id)
        run.cancel()  # the process dies here, before it could record anything
        with pytest.raises(asyncio.CancelledError):
            await run
    api.release_responses()

    time.now = D_MINUS_7 + timedelta(minutes=5)
    async with bot_process(api, db.url, time, form) as second:
        report = await second.run_once()
        assert (report.sent, report.digests) == (0, 0)  # claims are in flight: no digest yet
        time.now = D_MINUS_7 + timedelta(minutes=11)
        report = await second.run_once()
        assert (report.sent, report.digests) == (0, 1)
        time.now = D_MINUS_3
        assert (await second.run_once()).sent == 3
    assert _received(api, members) == [2, 2, 2]
    [d7_digest, _] = api.bot_messages(COORDINATOR)
    assert "另有 3 条提醒因发送中断而状态不明" in d7_digest["text"]
    assert_sent_through_the_bots_transport(api)


async def test_a_reminder_refused_with_429_by_a_process_that_stops_is_sent_by_the_next(
    db: Database, api: StandIn, form: Form, time: FakeTime
) -> None:
    members = await _seed(db, api, 2)
    api.fail_with_retry_after(30, count=1000)  # Telegram refuses every send for a long while
    async with bot_process(api, db.url, time, form) as first:
        report = await first.run_once()
        assert (report.sent, report.retried) == (0, 10)  # five tries each, then left to the next run
    assert _received(api, members) == [0, 0]
    api.fail_with_retry_after(0, count=0)
    time.now = D_MINUS_7 + timedelta(hours=1)
    async with bot_process(api, db.url, time, form) as second:
        assert (await second.run_once()).sent == 2
    assert _received(api, members) == [1, 1]
    assert_sent_through_the_bots_transport(api)  # the 429s too: PTB saw them through the bot's transport


async def test_two_processes_on_one_postgresql_send_each_reminder_once(
    pg_cluster: PostgresCluster, api: StandIn, form: Form, time: FakeTime
) -> None:
    url = pg_cluster.create_database()
    setup = Database(url)
    await setup.upgrade()
    members = await _seed(setup, api, 40)
    await setup.dispose()
    async with bot_process(api, url, time, form) as one, bot_process(api, url, time, form) as two:
        reports = await asyncio.gather(one.run_once(), two.run_once())
        assert sum(r.sent for r in reports) == 40
        time.now = D_MINUS_3
        reports = await asyncio.gather(two.run_once(), one.run_once())
        assert sum(r.sent for r in reports) == 40
        time.now = D_MINUS_3 + timedelta(hours=2)
        reports = await asyncio.gather(one.run_once(), two.run_once())
        assert sum(r.sent for r in reports) == 0
    assert _received(api, members) == [2] * 40
    assert len(api.bot_messages(COORDINATOR)) == 2
    assert_sent_through_the_bots_transport(api)


async def test_429s_are_honoured_and_a_blocked_user_is_shown_to_the_coordinator(
    db: Database, form: Form, time: FakeTime
) -> None:
    async with StandIn(clock=time.monotonic) as api:  # the stand-in judges rates in virtual time
        await _check_429_and_403(db, api, form, time)


async def _check_429_and_403(db: Database, api: StandIn, form: Form, time: FakeTime) -> None:
    members = await _seed(db, api, 12)
    blocked = members[5]
    api.block_user(blocked.telegram_id)
    api.fail_with_retry_after(3, count=10)
    api.enforce_limits(per_chat_per_s=1, global_per_s=30)
    async with bot_process(api, db.url, time, form) as process:
        report = await process.run_once()
        assert (report.sent, report.blocked, report.failed, report.retried) == (11, 1, 0, 10)
        assert time.slept >= 3  # the pause asked for by retry_after was kept
        time.now = D_MINUS_3
        report = await process.run_once()
        assert (report.sent, report.blocked) == (11, 0)  # the blocked user is not retried
    expected = [0 if m is blocked else 2 for m in members]
    assert _received(api, members) == expected
    assert api.limit_violations == 0  # the pacer kept within Telegram's flood limits
    to_blocked = [c for c in api.sent if c.chat_id == blocked.telegram_id]
    assert [c.error_code for c in to_blocked] == [403]

    assert (await person(db, blocked.person_id)).unreachable_since is not None
    async with db.session() as session:
        unreachable = await store.unreachable_people(
            session=session, year=YEAR, district_id=await default_district_id(db)
        )
        statuses = (
            await session.exec(
                select(OutboxMessage.status).where(OutboxMessage.chat_id == blocked.telegram_id)
            )
        ).all()
    assert [(u.display_name, u.agency_name) for u in unreachable] == [("员工5", "单位005")]
    assert statuses == ["blocked"]
    digest = api.bot_messages(COORDINATOR)[0]["text"]
    assert "本次已提醒 11 人" in digest
    assert "无法送达 1 人" in digest
    assert "单位005（员工5）" in digest.split("无法送达")[1]
    assert_sent_through_the_bots_transport(api)


async def test_the_registered_job_sends_reminders_from_the_real_job_queue(
    db: Database, api: StandIn, form: Form
) -> None:
    members = await _seed(db, api, 2)
    settings = bot_settings(api, db)
    application = build_application(
        settings, db, Turns(db, form, _at_d_minus_7, ALL_RULES), clock=_at_d_minus_7
    )
    async with application:
        # build_application registered the job to start in 5 s; registering again with the same id
        # replaces it. APScheduler counts ``first`` from registration and skips a first run that is
        # already past when the scheduler starts, so register just before starting, as build does.
        reminders = register_reminders(
            application, settings, db, _at_d_minus_7, form=form, first=timedelta(milliseconds=300)
        )
        await application.start()
        try:
            assert application.job_queue is not None
            # One reminder job (the second registration replaced the first) beside the outbox's job.
            assert sorted(str(job.name) for job in application.job_queue.jobs()) == [
                "nianbao-outbox",
                "nianbao-reminders",
            ]
            for m in members:
                [message] = await api.wait_for_messages(m.telegram_id, 1)
                assert api.buttons(message)[0][0].callback_data == f"resume:{m.report_id}"
            await api.wait_for_messages(COORDINATOR, 1)
        finally:
            await application.stop()
    assert reminders.clock() == D_MINUS_7
    assert_sent_through_the_bots_transport(api)
