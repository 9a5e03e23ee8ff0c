"""For every rule a filled report can break: /submit in Telegram shows the message and is blocked
(errors) or waits for the 确认提交 button (warnings); the coordinator is told only on submission."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.catalogue import ALL_RULES
from dialogs.rules import Severity, run_rules
from storage.db import Database, sqlite_url
from tests.helpers.botapi import StandIn
from tests.helpers.rule_cases import RULE_CASES, RuleCase
from tests.helpers.rule_reports import AGENCY, YEAR, make_facts
from tests.helpers.seeded_reports import report_status, seed_report, telegram_clerk
from tests.helpers.telegram_bot import ADMIN, dialog_buttons, next_prompt, running_bot

STAFF = 4242


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule_id) for c in RULE_CASES])
async def test_submit_in_telegram_is_blocked_or_asks_confirmation(case: RuleCase, tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    await db.upgrade()
    try:
        clerk = await telegram_clerk(db, STAFF)
        seeded = await seed_report(
            db,
            agency=AGENCY,
            year=YEAR,
            answers=case.answers(),
            previous=case.previous(),
            person_id=clerk,
        )
        message = next(
            f.message
            for f in run_rules(make_facts(case.answers(), previous=case.previous()), ALL_RULES)
            if f.rule_id == case.rule_id
        )
        async with StandIn() as api, running_bot(api, db):
            api.add_user(ADMIN)
            await api.send_text(STAFF, "/submit")
            prompt, seen = await next_prompt(api, STAFF)
            shown = "\n".join(m["text"] for m in seen)
            assert message in shown
            assert await report_status(db, seeded.report_id) == "draft"
            buttons = dialog_buttons(prompt)
            if case.severity is Severity.ERROR:
                assert "还不能提交" in shown
                assert "confirm_submit" not in buttons
            else:
                assert "回复「确认提交」确认无误并提交" in shown
                await api.press(STAFF, prompt, buttons["confirm_submit"])
                done = await api.next_reply(STAFF)
                assert "报告已提交" in done["text"]
                summary = await api.next_reply(ADMIN, timeout=20)
                assert AGENCY in summary["text"]
                assert message in summary["text"]  # the confirmed warning reaches the coordinator
                assert await report_status(db, seeded.report_id) == "submitted"
    finally:
        await db.dispose()
