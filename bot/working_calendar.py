"""China's working calendar, for the reminder ladder: which days are working days. No I/O.

chinese-calendar carries the published schedule (public holidays, and the make-up working days,
tiaoxiu, on a Saturday or Sunday) for the years it has data for. The schedule of a year is
published each November, so a round planned early, or a package not yet updated, meets a year
it does not know: it raises NotImplementedError. For such a year ``ChinaCalendar`` falls back to
an estimate (``EstimatedCalendar``) and says so through ``knows``, so the coordinator can be told
that the reminder days of that year are estimated.

The estimate is what the published schedules of 2015-2026 have in common, on the safe side (a
day taken as off only moves a reminder a little earlier): weekends, New Year's Day (1 January),
Labour Day (1-5 May), National Day (1-7 October) and the Spring Festival from its eve (chuxi) to
the 7th day of the first lunar month (the lunar new year from lunardate). It knows no make-up
working days, so a make-up Saturday of an unknown year is taken as off.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Protocol

import chinese_calendar
from lunardate import LunarDate

__all__ = ["ChinaCalendar", "EstimatedCalendar", "Holiday", "WorkingCalendar"]

_SATURDAY = 5
# The Spring Festival in the estimate, in days from the lunar new year: its eve to the 7th day.
_SPRING_FESTIVAL_FROM, _SPRING_FESTIVAL_TO = -1, 6


class Holiday(Enum):
    """The public holiday a day off belongs to (the user-facing names are in dialogs/)."""

    NEW_YEAR = "new_year"
    SPRING_FESTIVAL = "spring_festival"
    TOMB_SWEEPING = "tomb_sweeping"
    LABOUR_DAY = "labour_day"
    DRAGON_BOAT = "dragon_boat"
    MID_AUTUMN = "mid_autumn"
    NATIONAL_DAY = "national_day"
    OTHER = "other"


class WorkingCalendar(Protocol):
    """What the reminder plan asks of a calendar; tests inject fixed ones."""

    def is_workday(self, day: date) -> bool:
        """Whether offices work on ``day`` (a make-up Saturday does, a Spring Festival weekday not)."""
        ...

    def knows(self, day: date) -> bool:
        """Whether ``day``'s year follows a published schedule rather than an estimate."""
        ...

    def holiday(self, day: date) -> Holiday | None:
        """The public holiday ``day`` is off for; None for a working day or an ordinary weekend."""
        ...


_FROM_PACKAGE: dict[str, Holiday] = {
    chinese_calendar.Holiday.new_years_day.value: Holiday.NEW_YEAR,
    chinese_calendar.Holiday.spring_festival.value: Holiday.SPRING_FESTIVAL,
    chinese_calendar.Holiday.tomb_sweeping_day.value: Holiday.TOMB_SWEEPING,
    chinese_calendar.Holiday.labour_day.value: Holiday.LABOUR_DAY,
    chinese_calendar.Holiday.dragon_boat_festival.value: Holiday.DRAGON_BOAT,
    chinese_calendar.Holiday.mid_autumn_festival.value: Holiday.MID_AUTUMN,
    chinese_calendar.Holiday.national_day.value: Holiday.NATIONAL_DAY,
}


class EstimatedCalendar:
    """Weekends plus the holidays whose dates can be worked out without the published schedule."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and self.holiday(day) is None

    def knows(self, day: date) -> bool:
        return False

    def holiday(self, day: date) -> Holiday | None:
        if (day.month, day.day) == (1, 1):
            return Holiday.NEW_YEAR
        if day.month == 5 and day.day <= 5:
            return Holiday.LABOUR_DAY
        if day.month == 10 and day.day <= 7:
            return Holiday.NATIONAL_DAY
        new_year = _lunar_new_year(day.year)
        if new_year is not None:
            offset = (day - new_year).days
            if _SPRING_FESTIVAL_FROM <= offset <= _SPRING_FESTIVAL_TO:
                return Holiday.SPRING_FESTIVAL
        return None


def _lunar_new_year(year: int) -> date | None:
    """The first day of the lunar year that starts in ``year``; None outside lunardate's table."""
    try:
        day: date = LunarDate(year, 1, 1).to_solar_date()
    except ValueError:
        return None
    return day


class ChinaCalendar:
    """The published schedule from chinese-calendar; the estimate for the years it lacks."""

    def __init__(self) -> None:
        self._estimate = EstimatedCalendar()

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return self._estimate.is_workday(day)

    def knows(self, day: date) -> bool:
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def holiday(self, day: date) -> Holiday | None:
        try:
            is_off, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return self._estimate.holiday(day)
        # A make-up Saturday comes back as (False, "Spring Festival"): a working day, no holiday.
        if not is_off or name is None:
            return None
        return _FROM_PACKAGE.get(name, Holiday.OTHER)
