"""End to end: a coordinator invites, a staff member fills a real report in the chat, submits.

The real PTB Application polls the Bot API stand-in over HTTP on 127.0.0.1; the report is
淮安市人民政府's published 2024 report (../shared/real_reports/01_huaian_city_2024).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from dialogs.form import Value
from dialogs.report_2021 import form_2021
from storage.db import Database
from storage.tables import Report, ReportStatus
from tests.helpers.botapi import Json, StandIn
from tests.helpers.fixtures import SHARED, answers_from_json, load_json
from tests.helpers.report_text import assert_tables_in_text
from tests.helpers.telegram_bot import (
    ADMIN,
    dialog_buttons,
    join,
    next_prompt,
    open_round_with_agency,
    running_bot,
    token_of,
)

STAFF = 2001
HUAIAN = SHARED / "real_reports" / "01_huaian_city_2024.json"
CELL_BY_CELL = ("t3.new", "t3.granted", "t4.review")


def _narratives() -> dict[str, list[str]]:
    narrative = load_json(HUAIAN)["narrative"]
    overall: list[str] = narrative["s1_overall"]
    return {
        "text.preamble": [narrative["preamble"]],
        "text.overview": [overall[0]],
        "text.s1.active": [overall[1]],
        "text.s1.requests": [overall[2]],
        "text.s1.management": [overall[3]],
        "text.s1.platform": [overall[4]],
        "text.s1.oversight": [overall[5]],
        "text.s5": list(narrative["s5_problems_and_improvements"]),
        "text.s6": list(narrative["s6_other_matters"]),
    }


def _plain(value: Value) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


async def _press(api: StandIn, chat: int, message: Json, value: str) -> Json:
    buttons = dialog_buttons(message)
    assert value in buttons, (value, message["text"], buttons)
    await api.press(chat, message, buttons[value])
    prompt, _ = await next_prompt(api, chat)
    return prompt


async def _say(api: StandIn, chat: int, text: str) -> Json:
    await api.send_text(chat, text)
    prompt, _ = await next_prompt(api, chat)
    return prompt


async def test_staff_fills_a_real_report_through_the_chat_and_submits(api: StandIn, db: Database) -> None:
    form = form_2021()
    tables = answers_from_json(HUAIAN)
    texts = _narratives()
    async with running_bot(api, db):
        token = await open_round_with_agency(api, "淮安市人民政府", "人民政府")
        prompt = await join(api, STAFF, token)
        joined = len(api.sent)  # the coordinator hears nothing more until the summary
        assert "淮安市人民政府" in api.bot_messages(STAFF)[0]["text"]
        visits: dict[str, int] = {}
        proposals_accepted = 0
        while True:
            item_id = token_of(prompt)
            assert item_id is not None, prompt["text"]
            visits[item_id] = visits.get(item_id, 0) + 1
            assert visits[item_id] <= 3, f"stuck at {item_id}: {prompt['text']}"
            if item_id in ("review", "confirm"):
                # 提交 on the review screen; 确认提交 when warnings are listed.
                value = "submit" if item_id == "review" else "confirm_submit"
                await api.press(STAFF, prompt, dialog_buttons(prompt)[value])
                answer = await api.next_reply(STAFF)
                if "报告已提交" in answer["text"]:
                    break
                prompt = answer if StandIn.buttons(answer) else (await next_prompt(api, STAFF))[0]
                continue
            item = form.item(item_id)
            if item.is_narrative:
                for paragraph in texts.get(item_id, ["本年度无相关情况。"]):
                    prompt = await _say(api, STAFF, paragraph)
                    assert token_of(prompt) == item_id
                prompt = await _press(api, STAFF, prompt, "done")
                continue
            values = [_plain(tables[f.key]) for f in item.fields]
            if item_id == "t3.carried_out" and "accept" in dialog_buttons(prompt):
                # The balance proposal (一 + 二 − 七) is what the published table says.
                prompt = await _press(api, STAFF, prompt, "accept")
                proposals_accepted += 1
            elif item_id in CELL_BY_CELL:
                for value in values:
                    prompt = await _say(api, STAFF, value)
            else:
                prompt = await _say(api, STAFF, " ".join(values))
        assert proposals_accepted == 1

        documents = [await api.wait_for_call("sendDocument", chat_id=STAFF)]
        while len(documents) < 4:
            since = api.sent.index(documents[-1]) + 1
            documents.append(await api.wait_for_call("sendDocument", chat_id=STAFF, since=since))
        names = [d.document_name or "" for d in documents]
        stem = "淮安市人民政府2024年政府信息公开工作年度报告"
        assert sorted(names) == [f"{stem}.{ext}" for ext in ("docx", "html", "md", "txt")]
        text = next(d.document_bytes for d in documents if (d.document_name or "").endswith(".txt"))
        assert text is not None
        published = text.decode("utf-8")
        assert "淮安市人民政府" in published
        assert_tables_in_text(published, tables)  # every number in its row, in its column

        # The summary comes from the outbox, which may send it while the documents are rendered.
        summary_call = await api.wait_for_call("sendMessage", chat_id=ADMIN, since=joined)
        summary = summary_call.text or ""
        assert "淮安市人民政府" in summary
        assert "2024" in summary
        assert f"本年新收 {tables['t3.new.total']} 件" in summary
        assert f"结转下年度 {tables['t3.carried_out.total']} 件" in summary
        assert f"行政复议 {tables['t4.review.total']} 件" in summary
        litigation = int(tables["t4.litigation_direct.total"]) + int(
            tables["t4.litigation_after_review.total"]
        )
        assert f"行政诉讼 {litigation} 件" in summary

    async with db.session() as session:
        reports = (await session.exec(select(Report))).all()
    assert [r.status for r in reports] == [ReportStatus.SUBMITTED.value]
