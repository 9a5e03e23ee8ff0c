"""A coordinator runs a whole district round through the Bot API stand-in: agencies imported from
a spreadsheet (a bad one refused with every bad row named and nothing stored), three submissions,
one returned with a comment and handed in again, one accepted and locked, the dashboard, the
history and the export workbook; and a coordinator of another district sees none of it."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
from sqlmodel import col, func, select

from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.aggregate import UnitTables, district_draft
from dialogs.form import UnitKind, Value
from dialogs.report_2021 import form_2021
from dialogs.rules import CORE_RULES, ReportFacts, Severity, run_rules
from dialogs.rules_tables import TABLE_RULES
from dialogs.summary import key_figures
from storage import repositories as repo
from storage.db import Database
from storage.tables import Agency, Answer, ReportStatus
from templates.workbook import LABEL_COLUMNS, TOTAL_LABEL
from templates.workbook_columns import workbook_layouts
from tests.helpers.botapi import Json, StandIn
from tests.helpers.rule_reports import YEAR, clean_answers
from tests.helpers.seeded_reports import joined_person, report_status, seed_report
from tests.helpers.telegram_bot import (
    ADMIN,
    dialog_buttons,
    invite_token,
    invite_tokens,
    next_prompt,
    running_bot,
)

NAMES = [f"某某区第{n:02d}局" for n in range(1, 31)]
STAFF = {NAMES[0]: 7001, NAMES[1]: 7002, NAMES[2]: 7003}
OTHER_COORDINATOR = 7100


def _sheet(rows: list[tuple[str, str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2024年度信息公开年报单位名单"])
    sheet.append(["单位名称", "类型", "联系人"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _agency_count(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(Agency))).one())


async def _submit(api: StandIn, user: int) -> None:
    await api.send_text(user, "/submit")
    while "报告已提交" not in (reply := await api.next_reply(user, timeout=20)).get("text", ""):
        buttons = dialog_buttons(reply)
        if "confirm_submit" in buttons:
            await api.press(user, reply, buttons["confirm_submit"])


async def _summary(api: StandIn, agency: str) -> Json:
    while True:
        message = await api.next_reply(ADMIN, timeout=20)
        if agency in message.get("text", "") and StandIn.buttons(message):
            return message


async def _text_with(api: StandIn, user: int, needle: str) -> str:
    """The next message to `user` that contains `needle` (documents and others are skipped)."""
    while True:
        text = str((await api.next_reply(user, timeout=20)).get("text", ""))
        if needle in text:
            return text


def _button(message: Json, label: str) -> str:
    found = [b.callback_data for row in StandIn.buttons(message) for b in row if b.text == label]
    assert found, message
    assert found[0] is not None
    return found[0]


def _errors(answers: dict[str, Value]) -> list[str]:
    facts = ReportFacts(form_2021(), UnitKind.GOVERNMENT, YEAR, answers)
    return [f.rule_id for f in run_rules(facts, [*CORE_RULES, *TABLE_RULES]) if f.severity is Severity.ERROR]


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _by_name(sheet: object) -> dict[str, list[object]]:
    rows: dict[str, list[object]] = {}
    for values in sheet.iter_rows(values_only=True):  # type: ignore[attr-defined]
        if values and isinstance(values[0], str):
            rows[values[0]] = list(values[LABEL_COLUMNS:])
    return rows


async def test_a_coordinator_runs_the_district_round(api: StandIn, db: Database) -> None:
    form = form_2021()
    async with running_bot(api, db):
        api.add_user(ADMIN)
        await api.send_text(ADMIN, f"/round {YEAR}")
        assert "已开启" in (await api.next_reply(ADMIN))["text"]

        # A list with bad rows: every one named, nothing imported.
        bad = [(n, "部门", "") for n in NAMES]
        bad[4] = (NAMES[4], "科室", "")
        bad[9] = ("", "部门", "")
        bad[20] = (NAMES[3], "部门", "")
        await api.send_document(ADMIN, "单位名单.xlsx", _sheet(bad))
        refused = (await api.next_reply(ADMIN, timeout=20))["text"]
        assert refused.startswith(tmsg.BULK_REFUSED.split("{")[0])
        assert "第 7 行「类型」" in refused  # the sixth agency sits on spreadsheet row 7
        assert "第 12 行「单位名称」" in refused
        assert "第 6、23 行" in refused  # the duplicate names both rows
        assert await _agency_count(db) == 0

        # The good list: 30 agencies, each with its invite link, also as a file.
        good = [(n, "部门" if i % 5 else "人民政府", f"联系人{i}") for i, n in enumerate(NAMES)]
        await api.send_document(ADMIN, "单位名单.xlsx", _sheet(good))
        done = (await api.next_reply(ADMIN, timeout=20))["text"]
        links = dict(zip(NAMES, invite_tokens(done), strict=True))
        assert len(set(links.values())) == 30
        sheet_call = await api.wait_for_call("sendDocument", chat_id=ADMIN, timeout=20)
        assert sheet_call.document_bytes is not None
        invite_sheet = openpyxl.load_workbook(io.BytesIO(sheet_call.document_bytes)).active
        assert invite_sheet is not None
        invited = {row[0]: row[2] for row in invite_sheet.iter_rows(min_row=2, values_only=True) if row[0]}
        assert all(links[name] in str(invited[name]) for name in NAMES)
        assert await _agency_count(db) == 30

        # Staff of three agencies open their links; their reports are complete; they submit.
        reports: dict[str, int] = {}
        for name, user in STAFF.items():
            await api.send_text(user, f"/start {links[name]}")
            await next_prompt(api, user)
            clerk = await joined_person(db, user)
            seeded = await seed_report(
                db, agency=name, year=YEAR, answers=clean_answers(YEAR, agency=name), person_id=clerk
            )
            reports[name] = seeded.report_id
        accepted, returned = NAMES[0], NAMES[1]
        summaries: dict[str, Json] = {}
        for name, user in STAFF.items():
            await _submit(api, user)
            summaries[name] = await _summary(api, name)

        # 退回 with a comment: staff see it; they hand the report in again and the summary comes again.
        await api.press(ADMIN, summaries[returned], _button(summaries[returned], tmsg.BTN_RETURN))
        prompt = await api.next_reply(ADMIN)
        assert prompt["text"].startswith(tmsg.RETURN_COMMENT_PROMPT_HEAD)
        await api.send_text(ADMIN, "请补充第五部分的改进措施", reply_to=prompt["message_id"])
        assert "已退回" in (await api.next_reply(ADMIN, timeout=20))["text"]
        notice = await _text_with(api, STAFF[returned], "退回")
        assert "请补充第五部分的改进措施" in notice
        assert await report_status(db, reports[returned]) == ReportStatus.RETURNED.value
        await _submit(api, STAFF[returned])
        again = await _summary(api, returned)
        assert await report_status(db, reports[returned]) == ReportStatus.SUBMITTED.value

        # 通过 locks the report: staff can no longer change it.
        await api.press(ADMIN, summaries[accepted], _button(summaries[accepted], tmsg.BTN_ACCEPT))
        assert "已通过" in (await api.next_reply(ADMIN, timeout=20))["text"]
        assert await report_status(db, reports[accepted]) == ReportStatus.ACCEPTED.value
        async with db.session() as session:
            before = (
                await session.exec(
                    select(Answer.key, Answer.value).where(Answer.report_id == reports[accepted])
                )
            ).all()
        await api.send_text(STAFF[accepted], "修改 1")
        locked = await _text_with(api, STAFF[accepted], "不能")
        async with db.session() as session:
            after = (
                await session.exec(
                    select(Answer.key, Answer.value).where(Answer.report_id == reports[accepted])
                )
            ).all()
        assert sorted(after) == sorted(before)
        assert locked
        assert StandIn.buttons(again)

        # The dashboard counts every state; the history shows the return and its comment.
        await api.send_text(ADMIN, "/dashboard")
        board = (await api.next_reply(ADMIN, timeout=20))["text"]
        assert "已提交 3/30" in board.splitlines()[0]  # two submitted, one accepted
        assert (
            tmsg.DASHBOARD_COUNTS.format(
                draft=27, submitted=2, returned=0, accepted=1, unopened=27, blocked=0
            )
            in board
        )
        await api.send_text(ADMIN, f"/history {returned}")
        history = (await api.next_reply(ADMIN, timeout=20))["text"]
        assert "退回（已提交 → 已退回）：请补充第五部分的改进措施" in history
        assert history.count("提交（") == 2  # submitted, returned, submitted again

        # The export: documents of each handed-in report, a workbook equal to their tables.
        await api.send_text(ADMIN, f"/export {YEAR}")
        call = await api.wait_for_call("sendDocument", chat_id=ADMIN, timeout=60, since=len(api.sent) - 1)
        assert call.document_bytes is not None
        archive = zipfile.ZipFile(io.BytesIO(call.document_bytes))
        names = archive.namelist()
        for name in STAFF:
            assert any(n.startswith(f"{name}/") and n.endswith(".docx") for n in names)
        workbook_name = msg.EXPORT_WORKBOOK_FILE.format(district=msg.DEFAULT_DISTRICT, year=YEAR)
        book = openpyxl.load_workbook(io.BytesIO(archive.read(workbook_name)))
        async with db.session() as session:
            stored = {
                name: await repo.load_answers(session=session, form=form, report_id=reports[name])
                for name in STAFF
            }
        for layout in workbook_layouts(form):
            rows = _by_name(book[layout.name])
            for name in STAFF:
                expected = [stored[name].get(c.key) for c in layout.columns]
                assert list(map(_number, rows[name])) == list(map(_number, expected)), (layout.name, name)
            totals = [sum(Decimal(str(stored[n].get(c.key) or 0)) for n in STAFF) for c in layout.columns]
            assert [Decimal(str(v or 0)) for v in rows[TOTAL_LABEL]] == totals, layout.name
        units = [UnitTables(n, UnitKind.DEPARTMENT, stored[n]) for n in STAFF]
        draft = district_draft(form, NAMES, units)
        assert _errors(dict(draft.answers)) == []
        assert len(draft.missing) == 27

        # The totals in the chat: the same sums, checked, and who is missing.
        await api.send_text(ADMIN, f"/totals {YEAR}")
        reply = ""
        while "年度汇总" not in reply:  # past the rest of the long history and the export's messages
            reply = (await api.next_reply(ADMIN, timeout=20)).get("text", "")
        figures = key_figures(form, draft.answers)
        assert reply.startswith(f"{msg.DEFAULT_DISTRICT} {YEAR} 年度汇总：已提交 3/30 个单位的报告之和")
        assert f"新收 {figures.new} 件，上年结转 {figures.carried_in} 件" in reply
        assert f"办结 {figures.processed} 件，结转下年 {figures.carried_out} 件" in reply
        assert tmsg.TOTALS_BALANCED in reply
        assert "尚未提交（27 个）" in reply
        assert draft.missing[0] in reply
        listed = archive.read(f"{msg.EXPORT_AGGREGATE_DIR}/{msg.EXPORT_UNITS_FILE}").decode("utf-8")
        assert all(name in listed for name in NAMES)


async def test_a_coordinator_of_another_district_sees_none_of_it(api: StandIn, db: Database) -> None:
    async with running_bot(api, db):
        api.add_user(ADMIN)
        await api.send_text(ADMIN, f"/round {YEAR}")
        await api.next_reply(ADMIN)
        await api.send_text(ADMIN, f"/agency {NAMES[0]} 部门")
        staff_token = invite_token((await api.next_reply(ADMIN))["text"])
        await api.send_text(STAFF[NAMES[0]], f"/start {staff_token}")
        await next_prompt(api, STAFF[NAMES[0]])
        clerk = await joined_person(db, STAFF[NAMES[0]])
        seeded = await seed_report(
            db, agency=NAMES[0], year=YEAR, answers=clean_answers(YEAR), person_id=clerk
        )
        await _submit(api, STAFF[NAMES[0]])
        summary = await _summary(api, NAMES[0])

        # The admin creates district 乙区 and invites its coordinator.
        await api.send_text(ADMIN, "/district 乙区")
        assert "乙区" in (await api.next_reply(ADMIN))["text"]
        await api.send_text(ADMIN, "/coordinator")
        token = invite_token((await api.next_reply(ADMIN))["text"])
        await api.send_text(OTHER_COORDINATOR, f"/start {token}")
        await api.next_reply(OTHER_COORDINATOR)
        await api.send_text(OTHER_COORDINATOR, f"/round {YEAR}")
        assert "乙区" in (await api.next_reply(OTHER_COORDINATOR))["text"]

        answers = {}
        for command in (
            f"/return {NAMES[0]} 不行",
            f"/accept {NAMES[0]}",
            f"/history {NAMES[0]}",
            f"/dashboard {NAMES[0]}",
        ):
            await api.send_text(OTHER_COORDINATOR, command)
            answers[command] = (await api.next_reply(OTHER_COORDINATOR, timeout=20))["text"]
        assert all(text == tmsg.AGENCY_UNKNOWN.format(query=NAMES[0]) for text in answers.values()), answers
        await api.send_text(OTHER_COORDINATOR, "/dashboard")
        assert tmsg.DASHBOARD_NONE.format(year=YEAR) == (await api.next_reply(OTHER_COORDINATOR))["text"]
        await api.send_text(OTHER_COORDINATOR, f"/export {YEAR}")
        assert (
            tmsg.EXPORT_NONE.format(year=YEAR)
            == (await api.next_reply(OTHER_COORDINATOR, timeout=20))["text"]
        )
        assert await report_status(db, seeded.report_id) == ReportStatus.SUBMITTED.value
        assert _button(summary, tmsg.BTN_ACCEPT)  # only district A's coordinators got the buttons
        assert not [
            m for m in api.bot_messages(OTHER_COORDINATOR) if NAMES[0] in m["text"] and StandIn.buttons(m)
        ]

        # Staff can use none of it.
        for command in (
            "/dashboard",
            f"/history {NAMES[0]}",
            f"/accept {NAMES[0]}",
            "/export",
            "/district 乙区",
        ):
            await api.send_text(STAFF[NAMES[0]], command)
            assert await _text_with(api, STAFF[NAMES[0]], tmsg.COORDINATOR_ONLY) == tmsg.COORDINATOR_ONLY
        assert await report_status(db, seeded.report_id) == ReportStatus.SUBMITTED.value
        async with db.session() as session:
            agencies = (await session.exec(select(Agency.name).order_by(col(Agency.id)))).all()
        assert list(agencies) == [NAMES[0]]
