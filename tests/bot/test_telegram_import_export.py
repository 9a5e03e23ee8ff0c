"""Importing a published report sent to the bot as a file (.txt, .html, .docx, .pdf), and /export.

Coordinators import any agency's report; staff import an earlier report of their own agency, so
this year's dialog proposes its carry-over. The reply says what was read. /export sends every
report of the year with the district totals, to coordinators only; a refusal stores nothing.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dialogs import messages_telegram as tmsg
from dialogs.form import Form, UnitKind, Value
from importer import import_text
from importer import messages as imsg
from storage import repositories as repo
from storage.db import Database
from templates import build_context, render_html
from tests.helpers.botapi import StandIn
from tests.helpers.fixtures import REAL_REPORT_TEXTS, answers_from_json, load_json
from tests.helpers.printing import print_to_pdf
from tests.helpers.published import word_docx
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.seeded_reports import seed_report, telegram_clerk
from tests.helpers.telegram_bot import ADMIN, database_state, running_bot

STAFF = 5151
HUAIAN, HONGZE, PINGTAN = REAL_REPORT_TEXTS
READ_ALL = "读到的部分：一、二、三、四、五、六；表二读到 10/10 个数字；表三读到 175/175 个数字；表四读到 15/15 个数字"


def _title(path: Path) -> str:
    title: str = load_json(path.with_suffix(".json"))["report"]["title"]
    return title


async def _stored(db: Database, form: Form, agency: str, year: int) -> dict[str, Value] | None:
    async with db.session() as s:
        found = await repo.find_agency(session=s, name=agency)
        if found is None:
            return None
        report = await repo.report_for(session=s, agency_id=found.id or 0, year=year, create=False)
        if report is None:
            return None
        return dict(await repo.load_answers(session=s, form=form, report_id=report.id or 0))


def _expected(path: Path) -> dict[str, Value]:
    return answers_from_json(path.with_suffix(".json"))


async def _staff_of(db: Database, agency: str, year: int) -> None:
    clerk = await telegram_clerk(db, STAFF)
    await seed_report(db, agency=agency, year=year, answers=clean_answers(), person_id=clerk)


async def test_coordinator_imports_a_published_report_sent_as_a_file(
    api: StandIn, db: Database, form: Form
) -> None:
    async with running_bot(api, db):
        await api.send_document(ADMIN, HONGZE.name, HONGZE.read_bytes())
        reply = await api.next_reply(ADMIN, timeout=20)
    assert "已导入：淮安市洪泽区人民政府 2024 年" in reply["text"]
    assert READ_ALL in reply["text"]  # the reply says what was read
    assert "2.其他法律行政止公开" in reply["text"]  # the import notes name the typo line
    stored = await _stored(db, form, "淮安市洪泽区人民政府", 2024)
    assert stored is not None
    assert {k: stored.get(k) for k in _expected(HONGZE)} == _expected(HONGZE)


async def test_coordinator_imports_the_agencys_word_file(api: StandIn, db: Database, form: Form) -> None:
    data = word_docx(PINGTAN.read_text(encoding="utf-8"), _title(PINGTAN))
    async with running_bot(api, db):
        await api.send_document(ADMIN, "平潭2024年报.docx", data)
        reply = await api.next_reply(ADMIN, timeout=30)
    assert "已导入：平潭综合实验区 2024 年" in reply["text"]
    assert READ_ALL in reply["text"]
    stored = await _stored(db, form, "平潭综合实验区", 2024)
    assert stored is not None
    assert {k: stored.get(k) for k in _expected(PINGTAN)} == _expected(PINGTAN)


@pytest.mark.slow
async def test_staff_import_last_years_pdf_of_their_own_agency(
    api: StandIn, db: Database, form: Form, tmp_path: Path
) -> None:
    # The 2024 report as a PDF printed from its page; the clerk fills the agency's 2025 report.
    published = import_text(HUAIAN.read_text(encoding="utf-8"), form)
    assert published.is_usable, published.error
    ctx = build_context(
        form, agency=published.agency, unit=UnitKind.GOVERNMENT, year=2024, answers=published.answers
    )
    page = tmp_path / "report.html"
    page.write_text(render_html(ctx), encoding="utf-8")
    pdf = print_to_pdf(page, tmp_path / "report.pdf", profile=tmp_path / "profile")
    await _staff_of(db, "淮安市人民政府", 2025)
    async with running_bot(api, db):
        await api.send_document(STAFF, "2024年年报.pdf", pdf)
        reply = await api.next_reply(STAFF, timeout=60)
    assert "已导入：淮安市人民政府 2024 年" in reply["text"]
    assert READ_ALL in reply["text"]
    assert tmsg.IMPORT_PROPOSED.format(year=2025) in reply["text"]
    stored = await _stored(db, form, "淮安市人民政府", 2024)
    assert stored is not None
    assert {k: stored.get(k) for k in _expected(HUAIAN)} == _expected(HUAIAN)


async def test_staff_cannot_import_another_agencys_report_or_the_year_they_fill(
    api: StandIn, db: Database
) -> None:
    await _staff_of(db, "淮安市洪泽区人民政府", 2025)
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(STAFF, HUAIAN.name, HUAIAN.read_bytes())  # the city's, not theirs
        other = await api.next_reply(STAFF, timeout=20)
        await api.send_document(STAFF, HONGZE.name, HONGZE.read_bytes(), caption="2025")  # as this year's
        same_year = await api.next_reply(STAFF, timeout=20)
        after = await database_state(db)
    assert other["text"] == imsg.EARLIER_OTHER_AGENCY.format(
        printed="淮安市人民政府", agency="淮安市洪泽区人民政府"
    )
    assert same_year["text"] == imsg.EARLIER_NOT_EARLIER.format(year=2025, before=2025)
    assert before == after


async def test_a_damaged_word_file_is_refused_in_chinese_and_nothing_is_stored(
    api: StandIn, db: Database
) -> None:
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(ADMIN, "年报.docx", b"PK\x03\x04" + b"\x00" * 200)
        reply = await api.next_reply(ADMIN, timeout=20)
        after = await database_state(db)
    assert "Word 文件（.docx）已损坏" in reply["text"]
    assert before == after


async def test_a_report_cut_short_is_refused_saying_what_was_read(api: StandIn, db: Database) -> None:
    text = PINGTAN.read_text(encoding="utf-8")
    cut = text[: text.index("五、存在的主要问题及改进情况")].encode("utf-8")
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(ADMIN, "年报.txt", cut)
        reply = await api.next_reply(ADMIN, timeout=20)
        after = await database_state(db)
    assert "读到的部分：一、二、三、四；缺少的部分：五、六" in reply["text"]
    assert "表三读到 175/175 个数字" in reply["text"]
    assert before == after


async def test_staff_cannot_export(api: StandIn, db: Database) -> None:
    await _staff_of(db, AGENCY, YEAR)
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_text(STAFF, f"/export {YEAR}")
        refused_export = await api.next_reply(STAFF, timeout=20)
        after = await database_state(db)
    assert refused_export["text"] == tmsg.COORDINATOR_ONLY
    assert before == after
    assert not [c for c in api.sent if c.method == "sendDocument"]


async def test_staff_without_a_report_are_told_so_and_nothing_is_imported(api: StandIn, db: Database) -> None:
    await telegram_clerk(db, STAFF)
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(STAFF, HONGZE.name, HONGZE.read_bytes())
        refused = await api.next_reply(STAFF, timeout=20)
        after = await database_state(db)
    assert refused["text"] == tmsg.NO_REPORT
    assert before == after


async def test_someone_not_invited_cannot_import(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(4242, HONGZE.name, HONGZE.read_bytes())
        refused = await api.next_reply(4242, timeout=20)
        after = await database_state(db)
    assert refused["text"] == tmsg.NOT_INVITED
    assert before == after


async def test_export_sends_every_report_and_the_district_totals(api: StandIn, db: Database) -> None:
    first = await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(), local_name="a")
    second = await seed_report(db, agency="某某区民政局", year=YEAR, answers=clean_answers(), local_name="b")
    async with db.session() as s:
        for seeded in (first, second):
            report = await repo.get_report(session=s, report_id=seeded.report_id)
            assert report is not None
            report.status = "submitted"
            s.add(report)
    async with running_bot(api, db):
        await api.send_text(ADMIN, f"/export {YEAR}")
        call = await api.wait_for_call("sendDocument", chat_id=ADMIN, timeout=60)
    assert call.document_bytes is not None
    archive = zipfile.ZipFile(io.BytesIO(call.document_bytes))
    names = archive.namelist()
    assert any(n.startswith(f"{AGENCY}/") and n.endswith(".docx") for n in names)
    assert any(n.startswith("某某区民政局/") and n.endswith(".txt") for n in names)
    totals = next(n for n in names if n.startswith("全区汇总/") and n.endswith("年度报告.txt"))
    assert (
        totals == f"全区汇总/本地区汇总（2个单位）{YEAR}年政府信息公开工作年度报告.txt"
    )  # no "_" for the space
    text = archive.read(totals).decode("utf-8")
    new_total = 2 * int(clean_answers()["t3.new.total"])  # cell-wise sum of the two agencies
    assert f"\t{new_total}" in next(line for line in text.splitlines() if line.startswith("一、本年新收"))
    summary = next(n for n in names if n.endswith(".csv"))
    assert AGENCY in archive.read(summary).decode("utf-8-sig")
