"""For every rule a filled report can break: 提交 in the terminal shows the message and is blocked
(errors) or waits for 确认提交 (warnings); nothing is submitted until then."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.services.turns import Turns
from bot.terminal import Terminal
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form
from dialogs.rules import Finding, Severity, run_rules
from storage import status as status_store
from storage.db import Database, sqlite_url
from tests.helpers.rule_cases import RULE_CASES, RuleCase
from tests.helpers.rule_reports import AGENCY, YEAR, make_facts
from tests.helpers.seeded_reports import SEEDED_AT, report_status, seed_report


async def _run_terminal(db: Database, form: Form, lines: list[str], tmp_path: Path) -> str:
    out = io.StringIO()
    turns = Turns(db, form, lambda: SEEDED_AT, ALL_RULES)
    terminal = Terminal(
        db,
        turns,
        form,
        lambda: SEEDED_AT,
        io.StringIO("\n".join(lines) + "\n"),
        out,
        tmp_path / "out",
        user="clerk",
    )
    assert await terminal.run() == 0
    return out.getvalue()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule_id) for c in RULE_CASES])
async def test_submit_in_the_terminal_is_blocked_or_asks_confirmation(
    case: RuleCase, form: Form, tmp_path: Path
) -> None:
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    await db.upgrade()
    try:
        seeded = await seed_report(
            db, agency=AGENCY, year=YEAR, answers=case.answers(), previous=case.previous()
        )
        shown = await _run_terminal(db, form, ["提交"], tmp_path)
        message = next(f.message for f in _findings(case) if f.rule_id == case.rule_id)
        assert message in shown
        for word in case.expect:
            assert word in shown
        assert await report_status(db, seeded.report_id) == "draft"
        if case.severity is Severity.ERROR:
            assert "还不能提交" in shown
            shown = await _run_terminal(db, form, ["确认提交"], tmp_path)
            assert await report_status(db, seeded.report_id) == "draft"
        else:
            assert "回复「确认提交」确认无误并提交" in shown
            shown = await _run_terminal(db, form, ["提交", "确认提交"], tmp_path)
            assert "报告已提交" in shown
            assert await report_status(db, seeded.report_id) == "submitted"
            async with db.session() as s:
                confirmed = await status_store.confirmations_of(session=s, report_id=seeded.report_id)
            assert case.rule_id in [c.rule_id for c in confirmed]
    finally:
        await db.dispose()


def _findings(case: RuleCase) -> list[Finding]:
    return run_rules(make_facts(case.answers(), previous=case.previous()), ALL_RULES)
