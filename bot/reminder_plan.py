"""The reminder plan of a round, and when each of its slots is due. Pure: no I/O, no clock.

Rules of this module (everything that decides *when* a reminder goes out lives here):

- A plan is a ladder of day offsets from the deadline (default 7, 3 and 1 days before, the
  morning of the deadline, then daily for 3 days overdue), a send time of day, quiet hours
  and whether non-working days are used. It is stored as JSON in ``ReportingRound.reminder_plan``;
  a coordinator may change it, and ``None`` means the default plan.
- Every slot has a stable id derived from its offset ("d-7", "d0", "d+2"): the id is part of
  the ``reminder_sent`` unique key, so it must not depend on the clock or the calendar shift.
- Working days come from an injected ``WorkingCalendar`` (bot/working_calendar.py: China's
  published schedule, so public holidays are off even on a weekday and make-up Saturdays and
  Sundays are working days; an estimate for a year not yet published).
- Due instants are computed in the configured zone (NIANBAO_TIMEZONE) and returned in UTC.
  A send time inside quiet hours moves to the end of the quiet hours (the next morning when
  it falls late in the evening). With non-working days off, a slot on or before the deadline
  day that falls on one moves back to the previous working day (a warning after the deadline
  is useless), and an overdue slot moves forward to the next working day. Slots that land on
  the same local day collapse into the later rung of the ladder, so nobody gets two reminders
  in one day.
- The deadline itself never moves: ``deadline_day`` says what the coordinator must be told
  when it falls on a non-working day, and which years of the ladder are only estimated.
- Catching up: only the latest slot that is due is ever "current", and it stays current
  until ``STALE_BEFORE_NEXT`` before the next slot (or for ``LAST_SLOT_LIFETIME`` when it is
  the last). A slot missed while the bot was down is therefore sent once, late, while it is
  still meaningful; a run after a long outage sends at most one slot per report, never a
  burst of stale ones.
- Nothing is sent during quiet hours or (with non-working days off) on a non-working day,
  whatever is due.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.working_calendar import Holiday, WorkingCalendar
from dialogs.messages_reminders import deadline_notice

__all__ = [
    "DEFAULT_OFFSETS",
    "DeadlineDay",
    "DigestPoint",
    "ReminderPlan",
    "Slot",
    "calendar_note",
    "current_digest",
    "current_slot",
    "days_until_deadline",
    "deadline_day",
    "digest_points",
    "is_sending_time",
    "local_date",
    "slot_id",
    "slots_for",
]

DEFAULT_OFFSETS: tuple[int, ...] = (-7, -3, -1, 0, 1, 2, 3)
# A late slot is dropped once the next one is this close: two reminders within a few hours
# read as spam, and the next one carries the same information.
STALE_BEFORE_NEXT = timedelta(hours=12)
LAST_SLOT_LIFETIME = timedelta(hours=24)
# Longer than any run of days off (the Spring Festival with its weekends is 9 days).
_MAX_SHIFT_DAYS = 31
_P = TypeVar("_P")
_MAX_OFFSET_DAYS = 60


class ReminderPlan(BaseModel):
    """A coordinator-editable reminder plan (the JSON stored on the round)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    """Days relative to the deadline: negative before, 0 the deadline day, positive overdue."""
    send_at: time = time(9, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 30)
    weekends: bool = False
    """Whether reminders may go out on non-working days (weekends and public holidays alike);
    the stored name is kept from when only weekends were known."""

    @field_validator("offsets")
    @classmethod
    def _sane_offsets(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("a plan needs at least one offset")
        if any(abs(v) > _MAX_OFFSET_DAYS for v in value):
            raise ValueError(f"offsets must lie within {_MAX_OFFSET_DAYS} days of the deadline")
        return tuple(sorted(set(value)))

    @classmethod
    def from_json(cls, text: str | None) -> ReminderPlan:
        """The stored plan; None or an empty text is the default plan."""
        if text is None or not text.strip():
            return cls()
        return cls.model_validate_json(text)

    @classmethod
    def from_json_or_default(cls, text: str | None) -> tuple[ReminderPlan, bool]:
        """Like ``from_json`` but never raises: (plan, whether the stored text was valid)."""
        try:
            return cls.from_json(text), True
        except (ValidationError, json.JSONDecodeError, ValueError):
            return cls(), False

    def to_json(self) -> str:
        return self.model_dump_json()

    def is_quiet(self, moment: time) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start > self.quiet_end:  # spans midnight, the usual case (21:00-08:30)
            return moment >= self.quiet_start or moment < self.quiet_end
        return self.quiet_start <= moment < self.quiet_end


@dataclass(frozen=True, slots=True)
class Slot:
    """One rung of the ladder: its stable id and when it is due (aware UTC)."""

    id: str
    offset_days: int
    due: datetime
    local_day: date


@dataclass(frozen=True, slots=True)
class DigestPoint:
    """When the coordinators get a digest: after a slot's reminders, and at the deadline.

    ``slot_id`` is the reminder slot whose outcome the digest reports, None for the separate
    deadline digest (only planned when no reminder slot falls on the deadline day).
    """

    key: str
    due: datetime
    slot_id: str | None
    offset_days: int | None
    is_deadline: bool


def slot_id(offset_days: int) -> str:
    if offset_days == 0:
        return "d0"
    return f"d{offset_days:+d}"


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def days_until_deadline(deadline: date, now: datetime, zone: ZoneInfo) -> int:
    """Whole days from today (in the zone) to the deadline day; negative when overdue."""
    return (deadline - local_date(now, zone)).days


def _move_out_of_quiet(plan: ReminderPlan, when: datetime) -> datetime:
    """The first moment at or after ``when`` (local) that is outside the quiet hours."""
    if not plan.is_quiet(when.timetz().replace(tzinfo=None)):
        return when
    end = datetime.combine(when.date(), plan.quiet_end, tzinfo=when.tzinfo)
    if end <= when:
        end = datetime.combine(when.date() + timedelta(days=1), plan.quiet_end, tzinfo=when.tzinfo)
    return end


def _to_workday(calendar: WorkingCalendar, day: date, offset_days: int) -> date:
    """The working day a rung lands on: back before or on the deadline, forward when overdue."""
    step = timedelta(days=-1 if offset_days <= 0 else 1)
    moved = day
    for _ in range(_MAX_SHIFT_DAYS):
        if calendar.is_workday(moved):
            return moved
        moved += step
    return day  # no working day within a month: a broken calendar, and the rung is never sent


def slots_for(
    plan: ReminderPlan, deadline: date, zone: ZoneInfo, *, calendar: WorkingCalendar
) -> tuple[Slot, ...]:
    """The round's slots in due order, at most one per local day."""
    by_day: dict[date, Slot] = {}
    for offset in plan.offsets:  # ascending, so a later rung replaces an earlier one on a day
        day = deadline + timedelta(days=offset)
        if not plan.weekends:
            day = _to_workday(calendar, day, offset)
        local = _move_out_of_quiet(plan, datetime.combine(day, plan.send_at, tzinfo=zone))
        slot = Slot(slot_id(offset), offset, local.astimezone(UTC), local.date())
        by_day[slot.local_day] = slot
    return tuple(sorted(by_day.values(), key=lambda s: s.due))


def is_sending_time(plan: ReminderPlan, now: datetime, zone: ZoneInfo, *, calendar: WorkingCalendar) -> bool:
    """Whether anything may be sent at ``now``: outside quiet hours, and on a working day unless
    the plan uses non-working days too."""
    local = now.astimezone(zone)
    if plan.is_quiet(local.time()):
        return False
    return plan.weekends or calendar.is_workday(local.date())


def _current(points: tuple[_P, ...], dues: tuple[datetime, ...], now: datetime) -> _P | None:
    latest: int | None = None
    for index, due in enumerate(dues):
        if due <= now:
            latest = index
    if latest is None:
        return None
    if latest + 1 < len(dues):
        expires = dues[latest + 1] - STALE_BEFORE_NEXT
        if expires <= dues[latest]:  # rungs closer than the margin: valid until the next one
            expires = dues[latest + 1]
    else:
        expires = dues[latest] + LAST_SLOT_LIFETIME
    return points[latest] if now < expires else None


def current_slot(slots: tuple[Slot, ...], now: datetime) -> Slot | None:
    """The latest due slot if it is still meaningful at ``now``; earlier ones are never sent late."""
    return _current(slots, tuple(s.due for s in slots), now)


def digest_points(
    plan: ReminderPlan, deadline: date, zone: ZoneInfo, *, calendar: WorkingCalendar
) -> tuple[DigestPoint, ...]:
    """A digest after every slot, and one on the deadline day (its slot's, or a separate one)."""
    slots = slots_for(plan, deadline, zone, calendar=calendar)
    points = [DigestPoint(s.id, s.due, s.id, s.offset_days, s.local_day == deadline) for s in slots]
    if not any(p.is_deadline for p in points):
        local = _move_out_of_quiet(plan, datetime.combine(deadline, plan.send_at, tzinfo=zone))
        points.append(DigestPoint("deadline", local.astimezone(UTC), None, None, True))
    return tuple(sorted(points, key=lambda p: p.due))


def current_digest(points: tuple[DigestPoint, ...], now: datetime) -> DigestPoint | None:
    return _current(points, tuple(p.due for p in points), now)


@dataclass(frozen=True, slots=True)
class DeadlineDay:
    """What the coordinator is told about the deadline's day; the deadline itself never moves."""

    deadline: date
    is_workday: bool
    holiday: Holiday | None
    """The public holiday the deadline falls in; None on a working day or an ordinary weekend."""
    last_workday: date
    """The last working day on or before the deadline (the deadline itself when it is one)."""
    estimated_years: tuple[int, ...]
    """Years of the deadline and its ladder whose calendar is an estimate, not a published one."""

    @property
    def needs_notice(self) -> bool:
        return not self.is_workday or bool(self.estimated_years)


def deadline_day(plan: ReminderPlan, deadline: date, *, calendar: WorkingCalendar) -> DeadlineDay:
    is_workday = calendar.is_workday(deadline)
    last = deadline if is_workday else _to_workday(calendar, deadline, 0)
    days = {deadline, last, *(deadline + timedelta(days=o) for o in plan.offsets)}
    estimated = sorted({d.year for d in days if not calendar.knows(d)})
    holiday = None if is_workday else calendar.holiday(deadline)
    return DeadlineDay(deadline, is_workday, holiday, last, tuple(estimated))


def calendar_note(plan: ReminderPlan, deadline: date, *, calendar: WorkingCalendar) -> str:
    """The coordinator's note on the deadline's day and the calendar's certainty ("" if none)."""
    day = deadline_day(plan, deadline, calendar=calendar)
    if not day.needs_notice:
        return ""
    return deadline_notice(
        deadline=day.deadline,
        is_workday=day.is_workday,
        holiday=None if day.holiday is None else day.holiday.value,
        last_workday=day.last_workday,
        estimated_years=day.estimated_years,
    )
