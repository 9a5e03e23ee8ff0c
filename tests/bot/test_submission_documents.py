"""A submission and its documents go together (issue 16): a report is never left submitted
without files, in the terminal or in Telegram, and one report never breaks the year's export."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from telegram.constants import MessageLimit

from bot import documents as documents_module
from bot.export import export_year
from bot.services.turns import Turns
from bot.terminal import Terminal
from dialogs import messages as msg
from dialogs.catalogue import ALL_RULES
from dialogs.form import Form
from storage.db import Database, sqlite_url
from templates import render_docx
from tests.helpers.botapi import StandIn
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.seeded_reports import SEEDED_AT, report_status, seed_report, telegram_clerk
from tests.helpers.telegram_bot import next_prompt, running_bot

STAFF = 4343
# Agency names stored before names were checked (the check now allows 60 characters).
LONG_NAME = "某某区" + "局" * 241


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(sqlite_url(tmp_path / "db.sqlite3"))
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()


async def _terminal(db: Database, form: Form, lines: list[str], out_dir: Path) -> str:
    out = io.StringIO()
    turns = Turns(db, form, lambda: SEEDED_AT, ALL_RULES)
    terminal = Terminal(
        db, turns, form, lambda: SEEDED_AT, io.StringIO("\n".join(lines) + "\n"), out, out_dir, user="clerk"
    )
    assert await terminal.run() == 0
    return out.getvalue()


def _fail_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError("rendering failed")

    monkeypatch.setattr(documents_module, "render_docx", broken)


async def test_a_long_stored_agency_name_is_submitted_with_all_its_files(
    db: Database, form: Form, tmp_path: Path
) -> None:
    seeded = await seed_report(db, agency=LONG_NAME, year=YEAR, answers=clean_answers())
    shown = await _terminal(db, form, ["提交", "确认提交"], tmp_path / "out")
    assert "报告已提交" in shown
    assert await report_status(db, seeded.report_id) == "submitted"
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [".docx", ".html", ".md", ".txt"]
    word: Any = docx.Document(str(next((tmp_path / "out").glob("*.docx"))))
    assert word.paragraphs[0].text.startswith(LONG_NAME)


async def test_a_report_whose_files_cannot_be_made_stays_a_draft_in_the_terminal(
    db: Database, form: Form, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers())
    _fail_rendering(monkeypatch)
    shown = await _terminal(db, form, ["提交", "确认提交"], tmp_path / "out")
    assert msg.SUBMIT_RENDER_FAILED in shown
    assert "报告已提交" not in shown
    assert await report_status(db, seeded.report_id) == "draft"
    assert not (tmp_path / "out").exists()
    monkeypatch.undo()
    shown = await _terminal(db, form, ["提交", "确认提交"], tmp_path / "out")  # and can be submitted later
    assert "报告已提交" in shown
    assert await report_status(db, seeded.report_id) == "submitted"


async def _telegram_submit(api: StandIn, db: Database) -> list[str]:
    async with running_bot(api, db):
        await api.send_text(STAFF, "/submit")
        texts = [(await api.next_reply(STAFF, timeout=20))["text"]]
        if "确认提交" in texts[-1]:
            await api.send_text(STAFF, "确认提交")
            texts.append((await api.next_reply(STAFF, timeout=20))["text"])
        return texts


async def _staff_report(db: Database, agency: str) -> int:
    clerk = await telegram_clerk(db, STAFF)
    seeded = await seed_report(db, agency=agency, year=YEAR, answers=clean_answers(), person_id=clerk)
    return seeded.report_id


async def test_a_report_whose_files_cannot_be_made_stays_a_draft_in_telegram(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = await _staff_report(db, AGENCY)
    _fail_rendering(monkeypatch)
    async with StandIn() as api:
        texts = await _telegram_submit(api, db)
    assert texts[-1] == msg.SUBMIT_RENDER_FAILED
    assert await report_status(db, report_id) == "draft"
    assert not [c for c in api.sent if c.method == "sendDocument"]


async def test_a_long_stored_agency_name_is_submitted_with_its_files_in_telegram(db: Database) -> None:
    report_id = await _staff_report(db, LONG_NAME)
    async with StandIn() as api:
        texts = await _telegram_submit(api, db)
        documents = [c for c in api.sent if c.method == "sendDocument"]
    assert "报告已提交" in texts[-1]
    assert "完整的报告文件随后发送给您" in texts[-1]
    assert await report_status(db, report_id) == "submitted"
    assert sorted(Path(c.document_name or "").suffix for c in documents) == [".docx", ".html", ".md", ".txt"]


async def test_export_names_the_report_it_cannot_render_and_exports_the_others(
    db: Database,
    form: Form,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(), local_name="a")
    await seed_report(db, agency="某某区民政局", year=YEAR, answers=clean_answers(), local_name="b")
    real = render_docx

    def fails_for_one(ctx: Any) -> bytes:
        if ctx.agency == "某某区民政局":
            raise ValueError("rendering failed")
        return real(ctx)

    monkeypatch.setattr(documents_module, "render_docx", fails_for_one)
    now = datetime(2025, 2, 1, tzinfo=UTC)
    code = await export_year(db, form, YEAR, tmp_path, zone=UTC, now=now)
    printed = capsys.readouterr().out
    assert code == 1
    assert msg.EXPORT_FAILED.format(agency="某某区民政局") in printed
    names = zipfile.ZipFile(tmp_path / f"nianbao-{YEAR}.zip").namelist()
    assert any(n.startswith(f"{AGENCY}/") and n.endswith(".docx") for n in names)
    assert not any(n.startswith("某某区民政局/") for n in names)


async def test_review_in_telegram_shows_the_report_as_published_in_messages_within_the_limit(
    db: Database,
) -> None:
    await _staff_report(db, AGENCY)
    async with StandIn() as api, running_bot(api, db):
        await api.send_text(STAFF, "/review")
        _prompt, seen = await next_prompt(api, STAFF)
    shown = "\n".join(m["text"] for m in seen)
    assert f"{AGENCY}{YEAR}年政府信息公开工作年度报告" in shown
    assert "三、收到和处理政府信息公开申请情况" in shown
    assert "一、本年新收政府信息公开申请数量\t" in shown
    assert "年1月10日" in shown  # the draft's sign-off carries today's date (the bot's clock)
    assert all(len(m["text"]) <= MessageLimit.MAX_TEXT_LENGTH for m in seen)
