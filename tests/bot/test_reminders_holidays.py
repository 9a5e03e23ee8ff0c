"""China's working calendar end to end: the real PTB Application on the Bot API stand-in.

A controlled clock walks a round whose deadline is 除夕 2026 through the Spring Festival, and the
coordinator opens rounds whose deadline is not a working day: the deadline stays, and they are told.
The holiday dates are checked against chinese_calendar in tests/bot/test_reminders_calendar.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.reminders import Reminders
from dialogs import messages as msg
from dialogs import messages_telegram as tmsg
from dialogs.form import Form
from storage import repositories as repo
from storage.db import Database
from tests.helpers.botapi import StandIn
from tests.helpers.reminders import (
    MAKE_UP_SATURDAYS_2026,
    NEW_YEARS_EVE_2026,
    SHANGHAI,
    SPRING_FESTIVAL_2026,
    FakeTime,
    add_agency_with_staff,
    add_person,
    bot_process,
    open_round,
)
from tests.helpers.telegram_bot import ADMIN, running_bot

YEAR = 2025
COORDINATOR = 900
STAFF = 101


async def _walk(
    reminders: Reminders, api: StandIn, time: FakeTime, end: datetime
) -> list[tuple[date, str, int]]:
    """Runs the job every 30 virtual minutes until ``end``: (local day, HH:MM, chat) per message."""
    log: list[tuple[date, str, int]] = []
    seen = {STAFF: 0, COORDINATOR: 0}
    while time.now < end:
        report = await reminders.run_once()
        assert report.failed == 0
        local = time.now.astimezone(SHANGHAI)
        for chat in seen:
            messages = api.bot_messages(chat)
            log += [(local.date(), local.strftime("%H:%M"), chat)] * (len(messages) - seen[chat])
            seen[chat] = len(messages)
        time.now += timedelta(minutes=30)
    return log


async def test_nothing_is_sent_during_the_spring_festival_and_the_make_up_saturday_is_used(
    db: Database, api: StandIn, form: Form
) -> None:
    await open_round(db, year=YEAR, deadline=NEW_YEARS_EVE_2026)  # the default plan
    await add_agency_with_staff(db, name="区教育局", year=YEAR, staff=[(STAFF, "甲")])
    await add_person(db, telegram_id=COORDINATOR, name="王主任", is_coordinator=True)
    api.add_user(STAFF)
    api.add_user(COORDINATOR)

    time = FakeTime(datetime(2026, 2, 8, 0, 0, tzinfo=SHANGHAI))
    async with bot_process(api, db.url, time, form) as reminders:
        log = await _walk(reminders, api, time, datetime(2026, 2, 26, 0, 0, tzinfo=SHANGHAI))

    assert not [entry for entry in log if entry[0] in SPRING_FESTIVAL_2026]
    sent_on = [(day, at) for day, at, chat in log if chat == STAFF]
    # d-7, d-3, then d-1 and d0 together on the make-up Saturday, then the overdue rungs
    # together on the first working day after the holiday.
    assert sent_on == [
        (date(2026, 2, 9), "09:00"),
        (date(2026, 2, 13), "09:00"),
        (MAKE_UP_SATURDAYS_2026[0], "09:00"),
        (date(2026, 2, 24), "09:00"),
    ]
    texts = [m["text"] for m in api.bot_messages(STAFF)]
    assert "截止日期：2026年2月16日（还有 2 天）" in texts[2]  # the deadline itself is not moved
    digests = [m["text"] for m in api.bot_messages(COORDINATOR)]
    assert len(digests) == 4
    for digest in digests:
        assert "截止日期 2026年2月16日（星期一）在春节假期内，不是工作日。截止日期不变" in digest
        assert "此前最后一个工作日是 2026年2月14日（星期六）" in digest


def _opened(year: int, deadline: str) -> str:
    government = f"{year + 1}-03-31"  # the government's own report: 31 March
    return tmsg.ROUND_OPENED.format(
        district=msg.DEFAULT_DISTRICT, year=year, deadline=deadline, government=government
    )


async def _round_reply(api: StandIn, command: str) -> str:
    await api.send_text(ADMIN, command)
    return str((await api.next_reply(ADMIN))["text"])


async def test_round_with_a_deadline_on_a_holiday_tells_the_coordinator_and_keeps_the_deadline(
    api: StandIn, db: Database
) -> None:
    async with running_bot(api, db):
        holiday = await _round_reply(api, "/round 2025 2026-02-18")
        weekend = await _round_reply(api, "/round 2026")  # the default deadline, Sun 31 Jan 2027
        estimated = await _round_reply(api, "/round 2039")  # Tue 31 Jan 2040, no published schedule
        working = await _round_reply(api, "/round 2024 2025-01-24")
    assert holiday.startswith(_opened(2025, "2026-02-18"))
    assert "截止日期 2026年2月18日（星期三）在春节假期内，不是工作日。截止日期不变" in holiday
    assert "此前最后一个工作日是 2026年2月14日（星期六）" in holiday
    assert "截止日期 2027年1月31日（星期日）是周末，不是工作日。截止日期不变" in weekend
    assert "此前最后一个工作日是 2027年1月29日（星期五）" in weekend
    assert "2040 年的节假日安排尚未公布" in estimated
    assert "不是工作日" not in estimated
    assert working == _opened(2024, "2025-01-24")
    async with db.session() as session:
        stored = {
            year: rnd.deadline
            for year in (2024, 2025, 2026, 2039)
            if (rnd := await repo.round_for_year(session=session, year=year)) is not None
        }
    assert stored == {
        2024: date(2025, 1, 24),
        2025: date(2026, 2, 18),
        2026: date(2027, 1, 31),
        2039: date(2040, 1, 31),
    }
