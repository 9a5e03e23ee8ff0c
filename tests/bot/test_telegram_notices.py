"""Notices to people who did not just write (the coordinator's summary, a returned report) wait out
Telegram's flood control instead of being dropped, and hold up nobody's dialog meanwhile."""

from __future__ import annotations

import itertools

import pytest

from storage import repositories as repo
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.seeded_reports import report_status, seed_report
from tests.helpers.telegram_bot import ADMIN, dialog_buttons, running_bot

STAFF = 4343


async def test_the_summary_reaches_the_coordinator_through_flood_control(
    api: StandIn, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as bot/__main__.py sets it
    async with db.session() as session:
        person = await repo.telegram_person(session=session, telegram_id=STAFF, display_name="clerk")
        assert person is not None
    seeded = await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(YEAR), person_id=person.id)
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
        async with db.session() as session:
            person = await repo.telegram_person(
                session=session, telegram_id=telegram_id, display_name="clerk"
            )
            assert person is not None
        await seed_report(db, agency=agency, year=YEAR, answers=clean_answers(YEAR), person_id=person.id)
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
