"""The pure reminder plan: slot ids, due instants in the zone, quiet hours, weekends, catching up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from bot.reminder_plan import (
    ReminderPlan,
    current_digest,
    current_slot,
    days_until_deadline,
    digest_points,
    is_sending_time,
    slots_for,
)
from bot.working_calendar import ChinaCalendar
from tests.helpers.reminders import SHANGHAI

FRIDAY_DEADLINE = date(2025, 1, 31)  # a Friday
SATURDAY_DEADLINE = date(2026, 1, 31)  # a Saturday
ALL_DAYS = ReminderPlan(weekends=True)
CHINA = ChinaCalendar()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_default_ladder_is_seven_three_one_days_before_the_deadline_then_three_days_overdue() -> None:
    slots = slots_for(ALL_DAYS, FRIDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    assert [s.id for s in slots] == ["d-7", "d-3", "d-1", "d0", "d+1", "d+2", "d+3"]
    assert [s.local_day.day for s in slots] == [24, 28, 30, 31, 1, 2, 3]
    # 09:00 in Shanghai is 01:00 UTC, stored and compared in UTC.
    assert all(s.due.tzinfo is UTC and (s.due.hour, s.due.minute) == (1, 0) for s in slots)


def test_weekend_slots_move_to_friday_before_the_deadline_and_monday_after() -> None:
    # Late January 2026 has no holiday and no make-up day: China's calendar is weekends here.
    slots = slots_for(ReminderPlan(), SATURDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    # d-7 (Sat 24th) -> Fri 23rd; d-1 (Fri 30th) and d0 (Sat 31st -> Fri 30th) collapse into d0;
    # d+1 (Sun 1st) and d+2 (Mon 2nd) collapse into d+2; d+3 is Tue 3rd.
    assert [(s.id, s.local_day) for s in slots] == [
        ("d-7", date(2026, 1, 23)),
        ("d-3", date(2026, 1, 28)),
        ("d0", date(2026, 1, 30)),
        ("d+2", date(2026, 2, 2)),
        ("d+3", date(2026, 2, 3)),
    ]


def test_a_send_time_in_quiet_hours_moves_to_the_next_morning() -> None:
    plan = ReminderPlan(offsets=(-1, 0), send_at=time(22, 0), weekends=True)
    slots = slots_for(plan, FRIDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    assert [s.due for s in slots] == [local(date(2025, 1, 31), 8, 30), local(date(2025, 2, 1), 8, 30)]
    early = ReminderPlan(offsets=(0,), send_at=time(6, 0), weekends=True)
    assert slots_for(early, FRIDAY_DEADLINE, SHANGHAI, calendar=CHINA)[0].due == local(FRIDAY_DEADLINE, 8, 30)


def test_nothing_is_sent_in_quiet_hours_or_on_weekends_when_they_are_off() -> None:
    plan = ReminderPlan()
    # A working Friday (FRIDAY_DEADLINE itself, 2025-01-31, is in the 2025 Spring Festival).
    friday = date(2025, 1, 24)
    assert is_sending_time(plan, local(friday, 9), SHANGHAI, calendar=CHINA)
    assert not is_sending_time(plan, local(friday, 21), SHANGHAI, calendar=CHINA)
    assert not is_sending_time(plan, local(friday, 8, 29), SHANGHAI, calendar=CHINA)
    assert is_sending_time(plan, local(friday, 8, 30), SHANGHAI, calendar=CHINA)
    saturday = date(2025, 1, 18)
    assert not is_sending_time(plan, local(saturday, 10), SHANGHAI, calendar=CHINA)
    assert is_sending_time(ALL_DAYS, local(saturday, 10), SHANGHAI, calendar=CHINA)


def test_only_the_latest_due_slot_is_current_and_a_late_one_expires_before_the_next() -> None:
    slots = slots_for(ALL_DAYS, FRIDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    assert current_slot(slots, local(date(2025, 1, 24), 8, 59)) is None
    assert current_slot(slots, local(date(2025, 1, 24), 9)) == slots[0]
    # After an outage from the 23rd to the 29th at noon: d-3 (28th) is sent, never d-7 too.
    late = current_slot(slots, local(date(2025, 1, 29), 12))
    assert late is not None
    assert late.id == "d-3"
    # d-1 is due on the 30th at 09:00; 12 hours before, d-3 is no longer worth sending.
    assert current_slot(slots, local(date(2025, 1, 29), 21, 1)) is None
    # Daily overdue rungs: a slot missed by the morning is dropped once the next is close.
    assert current_slot(slots, local(date(2025, 2, 1), 20)) == slots[4]
    assert current_slot(slots, local(date(2025, 2, 1), 21, 1)) is None
    # The last rung lives one day.
    assert current_slot(slots, local(date(2025, 2, 3), 23)) == slots[6]
    assert current_slot(slots, local(date(2025, 2, 4), 9, 1)) is None


def test_the_deadline_digest_is_the_deadline_days_slot_or_a_point_of_its_own() -> None:
    weekday = digest_points(ALL_DAYS, FRIDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    assert [p.key for p in weekday if p.is_deadline] == ["d0"]
    assert len(weekday) == 7
    weekend = digest_points(ReminderPlan(), SATURDAY_DEADLINE, SHANGHAI, calendar=CHINA)
    deadline = [p for p in weekend if p.is_deadline]
    assert [(p.key, p.slot_id, p.due) for p in deadline] == [("deadline", None, local(SATURDAY_DEADLINE, 9))]
    assert current_digest(weekend, local(SATURDAY_DEADLINE, 10)) == deadline[0]


def test_days_left_are_counted_in_the_zone_not_in_utc() -> None:
    # 2025-01-30 23:30 in Shanghai is still the 30th there, but already 15:30 UTC on the 30th.
    assert days_until_deadline(FRIDAY_DEADLINE, local(date(2025, 1, 30), 23, 30), SHANGHAI) == 1
    assert days_until_deadline(FRIDAY_DEADLINE, local(date(2025, 1, 31), 0, 30), SHANGHAI) == 0
    assert days_until_deadline(FRIDAY_DEADLINE, local(date(2025, 2, 2), 9), SHANGHAI) == -2


def test_a_plan_round_trips_through_json_and_bad_plans_are_rejected() -> None:
    plan = ReminderPlan(offsets=(0, -5, -10), send_at=time(10, 30), weekends=True)
    assert ReminderPlan.from_json(plan.to_json()) == plan
    assert plan.offsets == (-10, -5, 0)
    assert ReminderPlan.from_json(None) == ReminderPlan()
    with pytest.raises(ValidationError):
        ReminderPlan(offsets=())
    with pytest.raises(ValidationError):
        ReminderPlan.from_json('{"offsets": [-100]}')
    assert ReminderPlan.from_json_or_default("not json") == (ReminderPlan(), False)


def test_due_instants_follow_the_configured_zone() -> None:
    from zoneinfo import ZoneInfo

    urumqi = ZoneInfo("Asia/Urumqi")  # UTC+6: the same 09:00 is two hours later in UTC
    [slot] = slots_for(ReminderPlan(offsets=(0,), weekends=True), FRIDAY_DEADLINE, urumqi, calendar=CHINA)
    assert slot.due == local(FRIDAY_DEADLINE, 9) + timedelta(hours=2)
