"""Telegram end to end (the real Application on the Bot API stand-in): shortcuts over typed
numbers across a restart, the government items, a blocked submission and the warning step."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from dialogs.form import UnitKind, Value
from dialogs.report_2021 import GOV_EXTRAS, form_2021
from storage import repositories as repo
from storage.db import Database, sqlite_url
from tests.helpers.botapi import StandIn
from tests.helpers.rule_reports import YEAR, clean_answers
from tests.helpers.seeded_reports import SeededReport, report_status, seed_report, telegram_clerk
from tests.helpers.telegram_bot import ADMIN, dialog_buttons, next_prompt, running_bot, token_of

STAFF = 4343
TOWN = "某某镇人民政府"
BUREAU = "某某区教育局"


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(sqlite_url(tmp_path / "db.sqlite3"))
    await db.upgrade()
    yield db
    await db.dispose()


async def _seed(
    db: Database,
    agency: str,
    unit: UnitKind,
    answers: Mapping[str, Value],
    position: dict[str, Any] | None = None,
) -> SeededReport:
    clerk = await telegram_clerk(db, STAFF)
    return await seed_report(
        db, agency=agency, year=YEAR, answers=answers, unit=unit, person_id=clerk, position=position
    )


def _town_without_extras() -> dict[str, Value]:
    """TOWN's clean report with 工作考核、社会评议、责任追究 not answered yet."""
    answers = clean_answers(YEAR, agency=TOWN, unit=UnitKind.GOVERNMENT)
    for key, _ in GOV_EXTRAS:
        del answers[key]
    return answers


async def _stored(db: Database, report_id: int) -> dict[str, Value]:
    async with db.session() as s:
        return await repo.load_answers(session=s, form=form_2021(), report_id=report_id)


async def test_no_applications_over_typed_numbers_is_confirmed_by_button_after_a_restart(
    api: StandIn, sqlite_db: Database
) -> None:
    answers: dict[str, Value] = {
        k: v for k, v in clean_answers(YEAR).items() if k.startswith("t2.") or k.startswith("t3.new.")
    }
    answers.update({f"t3.carried_in.{c}": 0 for c in ("natural_person", "commercial_enterprise")})
    seeded = await _seed(
        sqlite_db, BUREAU, UnitKind.DEPARTMENT, answers, {"item": "t3.granted", "mode": "ask"}
    )
    async with running_bot(api, sqlite_db):
        api.add_user(ADMIN)
        await api.send_text(STAFF, "本年未收到政府信息公开申请")
        asked, _ = await next_prompt(api, STAFF)
    assert "一、本年新收政府信息公开申请数量：自然人 10、商业企业 2" in asked["text"]
    assert "回复「确认清零」" in asked["text"]
    assert (await _stored(sqlite_db, seeded.report_id))["t3.new.natural_person"] == 10

    async with running_bot(api, sqlite_db):  # a restart: the question waited in the stored position
        await api.press(STAFF, asked, dialog_buttons(asked)["confirm_change"])
        done, seen = await next_prompt(api, STAFF)
    assert "已将本年新收申请和全部办理结果填为 0" in "\n".join(m["text"] for m in seen)
    assert token_of(done) == "t3.carried_in"
    stored = await _stored(sqlite_db, seeded.report_id)
    assert stored["t3.new.natural_person"] == 0
    assert stored["t3.new.total"] == 0


async def test_none_and_a_bare_number_at_the_government_items(api: StandIn, sqlite_db: Database) -> None:
    answers = _town_without_extras()
    seeded = await _seed(sqlite_db, TOWN, UnitKind.GOVERNMENT, answers, {"item": "text.gov.assessment"})
    async with running_bot(api, sqlite_db):
        api.add_user(ADMIN)
        await api.send_text(STAFF, "无")
        prompt, seen = await next_prompt(api, STAFF)
        assert "已记录：本年度无工作考核结果。" in "\n".join(m["text"] for m in seen)
        assert token_of(prompt) == "text.gov.social_review"
        await api.send_text(STAFF, "12")
        warned, _ = await next_prompt(api, STAFF)
        assert "「12」只有数字或标点" in warned["text"]
        assert "text.gov.social_review" not in await _stored(sqlite_db, seeded.report_id)
        await api.send_text(STAFF, "本年度开展社会评议1次。")
        await next_prompt(api, STAFF)
    stored = await _stored(sqlite_db, seeded.report_id)
    assert stored["text.gov.assessment"] == "本年度无工作考核结果。"
    assert stored["text.gov.social_review"] == "本年度开展社会评议1次。"


async def test_a_government_report_without_the_extra_statements_is_a_warning_confirmed_only_by_confirm_submit(
    api: StandIn, sqlite_db: Database
) -> None:
    answers = _town_without_extras()
    answers["text.s1.oversight"] = "定期开展政务公开监督检查。"
    seeded = await _seed(sqlite_db, TOWN, UnitKind.GOVERNMENT, answers)
    async with running_bot(api, sqlite_db):
        api.add_user(ADMIN)
        await api.send_text(STAFF, "/submit")
        prompt, _ = await next_prompt(api, STAFF)
        assert "以下提示需要您确认" in prompt["text"]
        assert "未找到：工作考核、社会评议、责任追究" in prompt["text"]
        await api.send_text(STAFF, "２ ０ ０ ０ ０ ０ ２")
        again, _ = await next_prompt(api, STAFF)
        assert "尚未提交。请回复「确认提交」" in again["text"]
        assert await report_status(sqlite_db, seeded.report_id) == "draft"
        await api.press(STAFF, again, dialog_buttons(again)["confirm_submit"])
        done = await api.next_reply(STAFF)
        assert "报告已提交" in done["text"]
    assert await report_status(sqlite_db, seeded.report_id) == "submitted"


async def test_a_blocked_submission_names_the_edit_commands_and_offers_no_submit(
    api: StandIn, sqlite_db: Database
) -> None:
    answers = clean_answers(YEAR)
    for key in ("text.s5", "s6.processing_fee", "text.s6"):
        del answers[key]
    seeded = await _seed(sqlite_db, BUREAU, UnitKind.DEPARTMENT, answers)
    items = [i.id for i in form_2021().items_for(UnitKind.DEPARTMENT)]
    s5, fee, s6 = (items.index(k) + 1 for k in ("text.s5", "s6.processing_fee", "text.s6"))
    async with running_bot(api, sqlite_db):
        api.add_user(ADMIN)
        await api.send_text(STAFF, "/review")
        review, _ = await next_prompt(api, STAFF)
        assert f"○ 五写明问题和改进措施（待第 {s5} 项填写后检查）" in review["text"]
        assert f"○ 数字齐全且为非负数（待第 {fee}、{s6} 项填写后检查）" in review["text"]
        await api.send_text(STAFF, "/submit")
        blocked, _ = await next_prompt(api, STAFF)
    text = blocked["text"]
    assert "还不能提交" in text
    for number in (s5, fee, s6):
        assert f"回复「修改 {number}」补填" in text
    assert "回复「提交」" not in text
    assert "submit" not in dialog_buttons(blocked)
    assert await report_status(sqlite_db, seeded.report_id) == "draft"
