"""Coordinators in Telegram: a published report sent as a file is imported; /export sends every
report of the year with the district totals. Staff can do neither, and a refusal stores nothing."""

from __future__ import annotations

import io
import zipfile

from dialogs import messages_telegram as tmsg
from dialogs.form import Form
from storage import repositories as repo
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.fixtures import REAL_REPORT_TEXTS, answers_from_json
from tests.helpers.rule_reports import AGENCY, YEAR, clean_answers
from tests.helpers.seeded_reports import seed_report
from tests.helpers.telegram_bot import ADMIN, database_state, running_bot

STAFF = 5151


async def test_coordinator_imports_a_published_report_sent_as_a_file(
    api: StandIn, db: Database, form: Form
) -> None:
    hongze = next(p for p in REAL_REPORT_TEXTS if "hongze" in p.name)
    async with running_bot(api, db):
        await api.send_document(ADMIN, hongze.name, hongze.read_bytes())
        reply = await api.next_reply(ADMIN, timeout=20)
    assert "已导入：淮安市洪泽区人民政府 2024 年" in reply["text"]
    assert "2.其他法律行政止公开" in reply["text"]  # the import notes name the typo line
    async with db.session() as s:
        agency = await repo.find_agency(session=s, name="淮安市洪泽区人民政府")
        assert agency is not None
        report = await repo.report_for(session=s, agency_id=agency.id or 0, year=2024, create=False)
        assert report is not None
        stored = await repo.load_answers(session=s, form=form, report_id=report.id or 0)
    expected = answers_from_json(hongze.with_suffix(".json"))
    assert {k: stored[k] for k in expected} == expected


async def test_a_word_file_is_refused_in_chinese_and_nothing_is_stored(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(ADMIN, "年报.docx", b"PK\x03\x04" + b"\x00" * 200)
        reply = await api.next_reply(ADMIN, timeout=20)
        after = await database_state(db)
    assert "Word" in reply["text"]
    assert before == after


async def test_staff_cannot_import_or_export(api: StandIn, db: Database) -> None:
    async with db.session() as s:
        person = await repo.telegram_person(session=s, telegram_id=STAFF, display_name="clerk")
        assert person is not None
    await seed_report(db, agency=AGENCY, year=YEAR, answers=clean_answers(), person_id=person.id)
    async with running_bot(api, db):
        before = await database_state(db)
        await api.send_document(STAFF, REAL_REPORT_TEXTS[0].name, REAL_REPORT_TEXTS[0].read_bytes())
        refused = await api.next_reply(STAFF, timeout=20)
        await api.send_text(STAFF, f"/export {YEAR}")
        refused_export = await api.next_reply(STAFF, timeout=20)
        after = await database_state(db)
    assert refused["text"] == tmsg.STAFF_FILES_REFUSED
    assert refused_export["text"] == tmsg.COORDINATOR_ONLY
    assert before == after
    assert not [c for c in api.sent if c.method == "sendDocument"]


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
