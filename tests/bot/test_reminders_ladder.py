"""A whole round driven by a controlled clock: who got which reminder, and when.

The job's run function is called every 30 minutes of virtual time from a week before the
deadline until days after the last rung, against the real PTB Bot over HTTP to the stand-in.
The expected log is written out in full, in Shanghai time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.reminder_plan import ReminderPlan
from bot.reminders import Reminders
from dialogs.form import Form, UnitKind
from storage import repositories as repo
from storage.db import Database
from storage.tables import ReportStatus
from tests.helpers.botapi import StandIn
from tests.helpers.reminders import (
    SHANGHAI,
    FakeTime,
    add_agency_with_staff,
    add_person,
    bot_process,
    open_round,
    set_report_status,
)

YEAR = 2024
DEADLINE = date(2025, 1, 31)  # a Friday
COORDINATOR = 900
STAFF = {101: "甲", 102: "乙", 201: "丙", 301: "丁"}


def _stamp(time: FakeTime) -> str:
    return time.now.astimezone(SHANGHAI).strftime("%m-%d %H:%M")


async def test_a_round_walks_its_whole_ladder(db: Database, api: StandIn, form: Form) -> None:
    plan = ReminderPlan(weekends=True)  # every rung on its own day; weekends are tested in the plan tests
    await open_round(db, year=YEAR, deadline=DEADLINE, plan_json=plan.to_json())
    [a1, a2] = await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(101, "甲"), (102, "乙")])
    [b] = await add_agency_with_staff(db, name="区财政局", year=YEAR, staff=[(201, "丙")])
    # The third agency never opened its report: the run creates it (and the button needs its id).
    [c] = await add_agency_with_staff(
        db, name="区民政局", year=YEAR, staff=[(301, "丁")], create_report=False
    )
    await add_agency_with_staff(db, name="区档案馆", year=YEAR, staff=[])
    await add_person(db, telegram_id=COORDINATOR, name="王主任", is_coordinator=True)
    first_item = form.items_for(UnitKind.DEPARTMENT)[0]
    async with db.session() as session:
        await repo.write_answers(
            session=session,
            report_id=a1.report_id or 0,
            writes=[(f.key, 1, "1") for f in first_item.fields],
            by=a1.person_id,
            at=datetime(2025, 1, 20, tzinfo=SHANGHAI),
        )
    for telegram_id in (*STAFF, COORDINATOR):
        api.add_user(telegram_id)

    time = FakeTime(datetime(2025, 1, 23, 0, 0, tzinfo=SHANGHAI))
    log: list[tuple[str, int, str]] = []
    events = {
        # An outage the whole day the d-3 rung is due; back at 22:00, inside the quiet hours.
        "outage": (
            datetime(2025, 1, 28, 8, 0, tzinfo=SHANGHAI),
            datetime(2025, 1, 28, 22, 0, tzinfo=SHANGHAI),
        ),
    }
    changes = {
        datetime(2025, 1, 29, 12, 0, tzinfo=SHANGHAI): (b.agency_id, ReportStatus.SUBMITTED),
        datetime(2025, 1, 30, 10, 0, tzinfo=SHANGHAI): (c.agency_id, ReportStatus.SUBMITTED),
        datetime(2025, 2, 1, 10, 0, tzinfo=SHANGHAI): (c.agency_id, ReportStatus.RETURNED),
    }
    seen = dict.fromkeys((*STAFF, COORDINATOR), 0)
    async with bot_process(api, db.url, time, form) as reminders:
        end = datetime(2025, 2, 6, 0, 0, tzinfo=SHANGHAI)
        while time.now < end:
            step_start = time.now
            for when, (agency_id, status) in changes.items():
                if when == time.now:
                    await set_report_status(db, agency_id=agency_id, year=YEAR, status=status)
            down_from, down_until = events["outage"]
            if not down_from <= time.now < down_until:
                await _run(reminders)
                for chat in seen:
                    messages = api.bot_messages(chat)
                    for message in messages[seen[chat] :]:
                        log.append((_stamp(time), chat, _kind(message["text"])))
                    seen[chat] = len(messages)
            time.now = step_start + timedelta(minutes=30)

    def at(stamp: str, *chats: int, kind: str) -> list[tuple[str, int, str]]:
        return [(stamp, chat, kind) for chat in chats]

    expected = [
        *at("01-24 09:00", 101, 102, 201, 301, kind="还有 7 天"),
        *at("01-24 09:00", COORDINATOR, kind="digest 截止前 7 天"),
        # d-3 was due on the 28th at 09:00 while the bot was down; after the quiet hours it is
        # sent once, the next morning, because d-1 is still more than 12 hours away.
        *at("01-29 08:30", 101, 102, 201, 301, kind="还有 2 天"),
        *at("01-29 08:30", COORDINATOR, kind="digest 截止前 3 天"),
        # 201 submitted at 12:00 on the 29th: nothing more for them.
        *at("01-30 09:00", 101, 102, 301, kind="明天截止"),
        *at("01-30 09:00", COORDINATOR, kind="digest 截止前 1 天"),
        *at("01-31 09:00", 101, 102, kind="今天截止"),
        *at("01-31 09:00", COORDINATOR, kind="digest 截止日"),
        *at("02-01 09:00", 101, 102, kind="已逾期 1 天"),
        *at("02-01 09:00", COORDINATOR, kind="digest 逾期第 1 天"),
        # 301's report was returned at 10:00: the current rung (d+1) reaches them in the next run.
        *at("02-01 10:00", 301, kind="已逾期 1 天 退回"),
        *at("02-02 09:00", 101, 102, kind="已逾期 2 天"),
        *at("02-02 09:00", 301, kind="已逾期 2 天 退回"),
        *at("02-02 09:00", COORDINATOR, kind="digest 逾期第 2 天"),
        *at("02-03 09:00", 101, 102, kind="已逾期 3 天"),
        *at("02-03 09:00", 301, kind="已逾期 3 天 退回"),
        *at("02-03 09:00", COORDINATOR, kind="digest 逾期第 3 天"),
    ]
    assert sorted(log) == sorted(expected)

    first = api.bot_messages(101)[0]
    assert "2024年度政府信息公开工作年度报告" in first["text"]
    assert "2025年1月31日" in first["text"]
    assert f"已完成 1/{len(form.items_for(UnitKind.DEPARTMENT))} 项" in first["text"]
    assert first_item.title not in first["text"].split("尚未填写：")[1]
    [[button]] = api.buttons(first)
    assert (button.text, button.callback_data) == ("继续填报", f"resume:{a1.report_id}")
    assert api.buttons(api.bot_messages(102)[0]) == api.buttons(first)
    assert "已完成 0/" in api.bot_messages(201)[0]["text"]
    c_report = api.buttons(api.bot_messages(301)[0])[0][0].callback_data
    assert c_report is not None
    assert c_report.startswith("resume:")
    assert c_report != f"resume:{a1.report_id}"
    assert a2.report_id == a1.report_id

    digest = api.bot_messages(COORDINATOR)[0]["text"]
    assert "本次已提醒 4 人" in digest
    assert "区教育局（甲）" in digest
    assert "尚未提交 4/4 家" in digest
    assert "未绑定填报人员的单位 1 家（请发送邀请）：区档案馆" in digest
    assert "无法送达 0 人" in digest
    last = api.bot_messages(COORDINATOR)[-1]["text"]
    assert "尚未提交 3/4 家" in last
    assert "区财政局" not in last.split("尚未提交")[1].split("\n")[0]


async def _run(reminders: Reminders) -> None:
    report = await reminders.run_once()
    assert report.failed == 0
    assert report.blocked == 0


def _kind(text: str) -> str:
    first = text.split("\n")[0]
    if first.startswith("【催报情况】"):
        return "digest " + first.split("（")[1].rstrip("）")
    phrase = text.split("\n")[2].split("（")[1].rstrip("）")
    return phrase + (" 退回" if "已被退回" in text else "")
