"""Last year's published report as this year's start: carry-over and narratives proposed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.coordination import OPERATOR
from bot.services.importing import store_import
from bot.services.turns import Turns
from dialogs.catalogue import ALL_RULES
from dialogs.engine import Resume, Text
from dialogs.form import Form
from dialogs.report_2021 import T3_COLUMNS, t3_key
from importer import import_text
from storage import repositories as repo
from storage.db import Database
from tests.helpers.fixtures import REAL_REPORT_TEXTS

NOW = datetime(2026, 1, 8, 2, 0, tzinfo=UTC)


async def _this_year_report(db: Database, form: Form) -> tuple[Turns, int, int, dict[str, object]]:
    last = import_text(REAL_REPORT_TEXTS[0].read_text(encoding="utf-8"), form)
    stored = await store_import(db, form, last, who=OPERATOR, agency=None, year=None, unit=None, at=NOW)
    assert stored.ok, stored.message
    async with db.session() as s:
        agency = await repo.find_agency(session=s, name=last.agency)
        assert agency is not None
        person = await repo.local_person(session=s, local_name="clerk")
        report = await repo.report_for(session=s, agency_id=agency.id or 0, year=2025)
        assert report is not None
        await repo.add_member(session=s, person_id=person.id or 0, agency_id=agency.id or 0)
    return Turns(db, form, lambda: NOW, ALL_RULES), person.id or 0, report.id or 0, dict(last.answers)


async def test_carry_over_is_proposed_from_last_years_report_and_adopted(db: Database, form: Form) -> None:
    turns, person, report, last = await _this_year_report(db, form)
    await turns.handle(person, report, Resume())
    shown = await turns.handle(person, report, Text("目录 2"))  # 三、收到和处理申请
    assert "本年新收" in shown.replies[-1].text
    await turns.handle(person, report, Text("0 0 0 0 0 0"))
    prompt = (await turns.handle(person, report, Resume())).replies[-1].text
    assert "去年报告的「结转下年度继续办理」为" in prompt
    assert f"自然人 {last[t3_key('carried_out', 'natural_person')]}" in prompt
    await turns.handle(person, report, Text("确认"))
    snapshot = await turns.snapshot(report)
    for col in T3_COLUMNS:
        assert snapshot.answers[t3_key("carried_in", col.key)] == last[t3_key("carried_out", col.key)]


async def test_last_years_narrative_is_offered_as_a_draft(db: Database, form: Form) -> None:
    turns, person, report, last = await _this_year_report(db, form)
    await turns.handle(person, report, Resume())
    shown = await turns.handle(person, report, Text("修改 五、存在的主要问题及改进情况"))
    text = shown.replies[-1].text
    last_s5 = str(last["text.s5"])
    assert "去年此项内容" in text
    assert last_s5.split("\n")[0][:20] in text
    await turns.handle(person, report, Text("沿用去年"))
    snapshot = await turns.snapshot(report)
    assert snapshot.answers["text.s5"] == last_s5
