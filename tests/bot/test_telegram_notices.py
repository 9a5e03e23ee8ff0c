"""Notices to people who did not just write (the coordinator's summary, a returned report) go
through the outbox: they wait out Telegram's flood control instead of being dropped, hold up
nobody's dialog meanwhile, survive a restart, and a 403 marks the recipient unreachable."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.services.outbox import TRIES_PER_DRAIN
from bot.telegram_handlers import NianbaoApp
from storage.db import Database
from storage.tables import OutboxMessage, Person, as_utc
from tests.helpers.botapi import StandIn
from tests.helpers.reminders import submitted_report
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.seeded_reports import report_status, seed_report, telegram_clerk
from tests.helpers.telegram_bot import ADMIN, NOW, dialog_buttons, running_bot

STAFF = 4343


async def test_the_summary_reaches_the_coordinator_through_flood_control(
    api: StandIn, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as bot/__main__.py sets it
    clerk = await telegram_clerk(db, STAFF)
    seeded = await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(YEAR), person_id=clerk)
    async with running_bot(api, db):
        api.add_user(ADMIN)
        api.fail_with_retry_after(1, count=2, chat_id=ADMIN)  # Telegram: "retry after 1 s", twice
        await api.send_text(STAFF, "/submit")
        while "报告已提交" not in (reply := await api.next_reply(STAFF))["text"]:
            buttons = dialog_buttons(reply)
            if "confirm_submit" in buttons:  # warnings to confirm first, if the report has any
                await api.press(STAFF, reply, buttons["confirm_submit"])
        # While the summary waits out the 429s, the staff member's chat is answered at once.
        since = len(api.sent)
        await api.send_text(STAFF, "/status")
        status = await api.wait_for_call("sendMessage", chat_id=STAFF, since=since)

        summary = await api.next_reply(ADMIN, timeout=20)
        assert AGENCY in summary["text"]
        to_admin = [c for c in api.sent if c.chat_id == ADMIN]
        assert [c.error_code for c in to_admin] == [429, 429, None]  # waited out, sent once
        assert api.sent.index(status) < api.sent.index(to_admin[-1])
        assert await report_status(db, seeded.report_id) == "submitted"


async def test_summaries_to_one_coordinator_keep_telegrams_pace(api: StandIn, db: Database) -> None:
    """Three agencies submitting at once: the coordinator's chat gets their summaries at most one
    a second (Telegram's per-chat limit), from the pacer the reminders use too."""
    staff = {4401: "区财政局", 4402: "区民政局", 4403: "区教育局"}
    for telegram_id, agency in staff.items():
        clerk = await telegram_clerk(db, telegram_id)
        await seed_report(db, agency=agency, year=YEAR, answers=clean_answers(YEAR), person_id=clerk)
    async with running_bot(api, db):
        api.add_user(ADMIN)
        for telegram_id in staff:
            await api.send_text(telegram_id, "/submit")
        for telegram_id in staff:
            while "报告已提交" not in (reply := await api.next_reply(telegram_id, timeout=20))["text"]:
                buttons = dialog_buttons(reply)
                if "confirm_submit" in buttons:
                    await api.press(telegram_id, reply, buttons["confirm_submit"])
        summaries = [await api.next_reply(ADMIN, timeout=20) for _ in staff]
        assert sorted(
            agency for s in summaries for agency in staff.values() if agency in s["text"]
        ) == sorted(staff.values())
        sent = [c.at for c in api.sent if c.chat_id == ADMIN and c.error_code is None]
        assert len(sent) == 3
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(sent))


async def _outbox(db: Database, chat_id: int) -> list[str]:
    async with db.session() as session:
        rows = await session.exec(
            select(OutboxMessage.status)
            .where(OutboxMessage.chat_id == chat_id)
            .order_by(col(OutboxMessage.id))
        )
        return list(rows.all())


async def _settled(app: NianbaoApp) -> None:
    """Until the outbox has recorded what Telegram answered (a moment after the stand-in saw the call)."""
    services = app.bot_data.services
    assert services is not None
    await services.outbox.settled()


async def _submit(api: StandIn, user: int) -> None:
    await api.send_text(user, "/submit")
    while "报告已提交" not in (reply := await api.next_reply(user, timeout=20))["text"]:
        buttons = dialog_buttons(reply)
        if "confirm_submit" in buttons:
            await api.press(user, reply, buttons["confirm_submit"])


async def test_a_summary_a_stopped_bot_could_not_send_is_delivered_once_after_the_restart(
    api: StandIn, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clerk = await telegram_clerk(db, STAFF)
    await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(YEAR), person_id=clerk)
    async with running_bot(api, db) as app:
        api.add_user(ADMIN)
        # Telegram refuses it until this process gives up on it for now (and then it stops).
        api.fail_with_retry_after(1, count=TRIES_PER_DRAIN, chat_id=ADMIN)
        await _submit(api, STAFF)
        await _settled(app)
    assert api.bot_messages(ADMIN) == []
    assert await _outbox(db, ADMIN) == ["pending"]

    later = NOW + timedelta(minutes=20)
    async with running_bot(api, db, clock=lambda: later) as app:
        summary = await api.next_reply(ADMIN, timeout=20)
        await _settled(app)
    assert AGENCY in summary["text"]
    assert "提交人：clerk" in summary["text"]
    assert [c.error_code for c in api.sent if c.chat_id == ADMIN] == [429] * TRIES_PER_DRAIN + [None]
    assert len(api.bot_messages(ADMIN)) == 1
    assert await _outbox(db, ADMIN) == ["sent"]


async def _returnable(db: Database, api: StandIn) -> int:
    """A submitted report of AGENCY in the open round, with STAFF as its only member."""
    report_id = await submitted_report(db, agency=AGENCY, year=YEAR, staff=(STAFF, "张三"))
    api.add_user(ADMIN)
    api.add_user(STAFF)
    return report_id


async def test_the_return_notice_waits_out_two_429s_and_arrives_once_with_its_button(
    api: StandIn, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    report_id = await _returnable(db, api)
    async with running_bot(api, db) as app:
        api.fail_with_retry_after(1, count=2, chat_id=STAFF)
        await api.send_text(ADMIN, f"/return {AGENCY}")
        answer = await api.next_reply(ADMIN)
        notice = await api.next_reply(STAFF, timeout=20)
        await _settled(app)
    assert "已通知 1 名填报人员" in answer["text"]
    assert "已被政务公开办退回修改" in notice["text"]
    [[button]] = api.buttons(notice)
    assert (button.text, button.callback_data) == ("继续填报", f"resume:{report_id}")
    assert [c.error_code for c in api.sent if c.chat_id == STAFF] == [429, 429, None]
    assert await _outbox(db, STAFF) == ["sent"]
    assert await report_status(db, report_id) == "returned"


async def test_a_blocked_staff_member_is_marked_unreachable_once_and_the_dashboard_shows_it(
    api: StandIn, db: Database
) -> None:
    await _returnable(db, api)
    api.block_user(STAFF)
    async with running_bot(api, db) as app:
        await api.send_text(ADMIN, f"/return {AGENCY}")
        await api.next_reply(ADMIN)
        await _settled(app)
        await api.send_text(ADMIN, "/dashboard")
        dashboard = await api.next_reply(ADMIN)
    assert f"{AGENCY}" in dashboard["text"]
    assert "无法联系：张三" in dashboard["text"]
    assert [c.error_code for c in api.sent if c.chat_id == STAFF] == [403]
    assert await _outbox(db, STAFF) == ["blocked"]
    async with db.session() as session:
        [blocked] = (await session.exec(select(Person).where(Person.telegram_id == STAFF))).all()
    assert blocked.unreachable_since is not None
    assert as_utc(blocked.unreachable_since) == NOW
