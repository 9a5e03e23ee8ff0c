"""The ladder follows China's working calendar: holidays are off, make-up weekend days are worked.

The expected dates are written out here and checked against chinese_calendar itself first, so
a test never rests on a remembered holiday schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from lunardate import LunarDate

from bot.reminder_plan import ReminderPlan, calendar_note, deadline_day, is_sending_time, slots_for
from bot.working_calendar import ChinaCalendar, EstimatedCalendar, Holiday
from tests.helpers.reminders import (
    MAKE_UP_SATURDAYS_2026,
    NEW_YEARS_EVE_2026,
    SHANGHAI,
    SPRING_FESTIVAL_2026,
)

CHINA = ChinaCalendar()
PLAN = ReminderPlan()  # the default ladder, non-working days off

ORDINARY_WORKDAYS_2026 = (
    *(date(2026, 2, d) for d in range(9, 14)),
    *(date(2026, 2, d) for d in range(24, 28)),
    date(2026, 3, 2),
)
# A year no published schedule will cover for a long time: the estimate is used.
UNKNOWN_YEAR = 2040
LUNAR_NEW_YEAR_2040 = date(2040, 2, 12)


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def ladder(deadline: date) -> list[tuple[str, date]]:
    return [(s.id, s.local_day) for s in slots_for(PLAN, deadline, SHANGHAI, calendar=CHINA)]


def test_chinese_calendar_agrees_with_the_2026_spring_festival_written_here() -> None:
    assert chinese_calendar.get_holiday_detail(NEW_YEARS_EVE_2026) == (
        True,
        chinese_calendar.Holiday.spring_festival.value,
    )
    assert NEW_YEARS_EVE_2026 in SPRING_FESTIVAL_2026
    assert LunarDate(2026, 1, 1).to_solar_date() == NEW_YEARS_EVE_2026 + timedelta(days=1)
    assert all(not chinese_calendar.is_workday(d) for d in SPRING_FESTIVAL_2026)
    assert all(chinese_calendar.is_workday(d) and d.weekday() == 5 for d in MAKE_UP_SATURDAYS_2026)
    assert all(chinese_calendar.is_workday(d) for d in ORDINARY_WORKDAYS_2026)
    assert not chinese_calendar.is_workday(date(2026, 3, 1))  # an ordinary Sunday


def test_no_rung_on_new_years_eve_or_in_the_holiday_and_the_make_up_saturday_is_used() -> None:
    # Deadline on 除夕 itself. d-1 (Sun 15th) and d0 (16th) move back to the make-up Saturday
    # the 14th and collapse into d0; the overdue rungs (17th-19th) all move to Tue 24th, the
    # first working day after the holiday, and collapse into d+3.
    assert ladder(NEW_YEARS_EVE_2026) == [
        ("d-7", date(2026, 2, 9)),
        ("d-3", date(2026, 2, 13)),
        ("d0", MAKE_UP_SATURDAYS_2026[0]),
        ("d+3", date(2026, 2, 24)),
    ]
    for deadline in SPRING_FESTIVAL_2026:
        days = [day for _, day in ladder(deadline)]
        assert not set(days) & set(SPRING_FESTIVAL_2026), deadline
        assert all(CHINA.is_workday(day) for day in days)


def test_rungs_before_the_deadline_move_to_the_previous_working_day_and_overdue_ones_forward() -> None:
    # Deadline Fri 27 February: d-7 (Fri 20th, in the holiday) goes back to the make-up Saturday
    # the 14th; d+1 is the make-up Saturday the 28th (a weekend-only rule would skip it), and
    # d+2 (Sun 1 March) moves on to Monday, where d+3 is too.
    assert ladder(date(2026, 2, 27)) == [
        ("d-7", MAKE_UP_SATURDAYS_2026[0]),
        ("d-3", date(2026, 2, 24)),
        ("d-1", date(2026, 2, 26)),
        ("d0", date(2026, 2, 27)),
        ("d+1", MAKE_UP_SATURDAYS_2026[1]),
        ("d+3", date(2026, 3, 2)),
    ]


def test_nothing_goes_out_on_a_holiday_weekday_and_a_make_up_saturday_is_a_sending_day() -> None:
    assert not is_sending_time(PLAN, local(NEW_YEARS_EVE_2026, 10), SHANGHAI, calendar=CHINA)
    assert not is_sending_time(PLAN, local(date(2026, 2, 18), 10), SHANGHAI, calendar=CHINA)  # a Wednesday
    assert is_sending_time(PLAN, local(MAKE_UP_SATURDAYS_2026[0], 10), SHANGHAI, calendar=CHINA)
    # A plan that uses non-working days sends on them.
    assert is_sending_time(
        ReminderPlan(weekends=True), local(NEW_YEARS_EVE_2026, 10), SHANGHAI, calendar=CHINA
    )


def test_a_year_without_a_published_schedule_uses_the_estimate() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNKNOWN_YEAR, 1, 2))
    assert LunarDate(UNKNOWN_YEAR, 1, 1).to_solar_date() == LUNAR_NEW_YEAR_2040  # a Sunday
    eve = LUNAR_NEW_YEAR_2040 - timedelta(days=1)
    assert not CHINA.knows(eve)
    assert CHINA.knows(NEW_YEARS_EVE_2026)
    # The estimated Spring Festival runs from 除夕 (Sat 11th) to 初七 (Sat 18th).
    assert [CHINA.is_workday(eve + timedelta(days=n)) for n in range(-1, 10)] == [
        True,  # Fri 10th
        *[False] * 8,  # 11th-18th
        False,  # Sun 19th
        True,  # Mon 20th
    ]
    assert CHINA.holiday(eve) is Holiday.SPRING_FESTIVAL
    # A deadline on Wed 15th: d-7 (Wed 8th) stays, d-3 to d0 go back to Fri 10th, the overdue
    # rungs forward to Mon 20th.
    assert ladder(date(UNKNOWN_YEAR, 2, 15)) == [
        ("d-7", date(2040, 2, 8)),
        ("d0", date(2040, 2, 10)),
        ("d+3", date(2040, 2, 20)),
    ]
    # The fixed-date holidays are off; a weekday next to them is not.
    for day in (date(2040, 1, 1), date(2040, 5, 1), date(2040, 10, 1), date(2040, 10, 5)):
        assert not CHINA.is_workday(day), day
    assert CHINA.is_workday(date(2040, 1, 2))


def test_the_estimate_knows_no_year_and_stays_off_on_weekends() -> None:
    estimate = EstimatedCalendar()
    assert not estimate.knows(NEW_YEARS_EVE_2026)
    # Without the published schedule a make-up Saturday is taken as off.
    assert not estimate.is_workday(MAKE_UP_SATURDAYS_2026[0])
    assert estimate.holiday(date(2026, 3, 7)) is None  # an ordinary Saturday is no holiday


@dataclass(frozen=True)
class FixedCalendar:
    """A locality's own calendar: weekends off, plus some extra days off and worked."""

    off: frozenset[date] = field(default_factory=frozenset)
    worked: frozenset[date] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        return day in self.worked or (day.weekday() < 5 and day not in self.off)

    def knows(self, day: date) -> bool:
        return True

    def holiday(self, day: date) -> Holiday | None:
        return Holiday.OTHER if day in self.off else None


def test_the_plan_follows_whatever_calendar_it_is_given() -> None:
    deadline = date(2025, 6, 13)  # a Friday
    calendar = FixedCalendar(off=frozenset({date(2025, 6, 12)}), worked=frozenset({date(2025, 6, 8)}))
    plan = ReminderPlan(offsets=(-5, -1, 0))
    days = [(s.id, s.local_day) for s in slots_for(plan, deadline, SHANGHAI, calendar=calendar)]
    # d-5 is the worked Sunday; d-1 (the day off) goes back to Wednesday.
    assert days == [("d-5", date(2025, 6, 8)), ("d-1", date(2025, 6, 11)), ("d0", deadline)]
    day = deadline_day(plan, date(2025, 6, 12), calendar=calendar)
    assert (day.is_workday, day.holiday, day.last_workday) == (False, Holiday.OTHER, date(2025, 6, 11))


def test_the_deadline_never_moves_and_the_note_names_the_holiday_and_the_last_working_day() -> None:
    deadline = date(2026, 2, 18)  # 初二
    day = deadline_day(PLAN, deadline, calendar=CHINA)
    assert day.deadline == deadline
    assert (day.is_workday, day.holiday, day.last_workday) == (
        False,
        Holiday.SPRING_FESTIVAL,
        date(2026, 2, 14),
    )
    note = calendar_note(PLAN, deadline, calendar=CHINA)
    assert "截止日期 2026年2月18日（星期三）在春节假期内" in note
    assert "截止日期不变" in note
    assert "此前最后一个工作日是 2026年2月14日（星期六）" in note
    assert "估算" not in note


def test_a_weekend_deadline_is_named_and_a_working_deadline_needs_no_note() -> None:
    saturday = date(2026, 1, 31)
    note = calendar_note(PLAN, saturday, calendar=CHINA)
    assert "截止日期 2026年1月31日（星期六）是周末" in note
    assert "此前最后一个工作日是 2026年1月30日（星期五）" in note
    assert calendar_note(PLAN, date(2026, 1, 30), calendar=CHINA) == ""


def test_an_estimated_year_is_said_to_be_an_estimate() -> None:
    note = calendar_note(PLAN, date(UNKNOWN_YEAR, 1, 31), calendar=CHINA)  # a Tuesday
    assert "不是工作日" not in note
    assert f"{UNKNOWN_YEAR} 年的节假日安排尚未公布" in note
    assert "估算" in note
