"""Working days over a period: a country's production calendar plus a person's own rules.

A day counts as a working day for a person when all of these hold:

* it is inside their active span (``active_from``/``active_until``: joined or left mid-period);
* it is not one of their personal days off (vacation, sick leave);
* the calendar says so, by the person's working week:

  - the **standard Mon-Fri week** (``weekdays == DEFAULT_WORKING_WEEKDAYS``): the production
    calendar decides alone, so transferred working Saturdays count (Russia, 1 November 2025)
    and transferred days off do not (Russia, 3 November 2025);
  - a **custom week** (a Mon-Sat shop, a Tue-Sat salon): the day's weekday must be in the set
    and the day must not be a public holiday or a transferred day off
    (:meth:`~kpi_core.ports.WorkingCalendar.is_holiday`). Transferred working Saturdays are a
    rule for Mon-Fri offices and do not add days to a custom week.

Example::

    schedule = WorkSchedule(WeekdayCalendar())
    count_working_days(date(2025, 4, 1), date(2025, 4, 30), schedule)   # 22
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import DEFAULT_WORKING_WEEKDAYS
from kpi_core.ports import WorkingCalendar

__all__ = [
    "DEFAULT_WORKING_WEEKDAYS",
    "WEEKEND",
    "CalendarError",
    "FixedCalendar",
    "InvalidPeriod",
    "InvalidWeekdays",
    "Period",
    "WeekdayCalendar",
    "WorkSchedule",
    "count_working_days",
    "elapsed_working_days",
    "remaining_working_days",
    "split_at",
    "working_days",
]

WEEKEND: frozenset[int] = frozenset({5, 6})
"""Saturday and Sunday, ``date.weekday()`` numbering."""


class CalendarError(DomainError):
    """Base class for calendar input the user can fix."""


class InvalidPeriod(CalendarError):
    """A period whose end comes before its start."""

    def __init__(self, start: date, end: date) -> None:
        super().__init__(
            Message(
                N_("A period must start on or before its last day: {start} is after {end}."),
                {"start": start, "end": end},
            )
        )
        self.start = start
        self.end = end


class InvalidWeekdays(CalendarError):
    """Working weekdays outside Monday..Sunday, or none at all."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "Working weekdays must be between Monday (1) and Sunday (7), at least one"
                    " of them, like 1-5 for Monday to Friday."
                )
            )
        )


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of dates, such as a month of a plan.

    Attributes:
        start: The first day.
        end: The last day (inclusive).

    Raises:
        InvalidPeriod: When ``end`` is before ``start``.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod(self.start, self.end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """Return the calendar month ``year``-``month`` (``ValueError`` for month 13)."""
        last = _stdlib_calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __len__(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> Iterator[date]:
        """Yield every calendar day of the period, in order."""
        return _days(self.start, self.end)


class WeekdayCalendar:
    """A calendar with weekends only: no public holidays at all.

    Args:
        weekend: Days off by ``date.weekday()`` (default Saturday and Sunday).
    """

    __slots__ = ("weekend",)

    def __init__(self, weekend: Iterable[int] = WEEKEND) -> None:
        self.weekend = _checked_weekdays(weekend, allow_empty=True)

    def is_working_day(self, day: date) -> bool:
        """Return True on every day that is not a weekend day."""
        return day.weekday() not in self.weekend

    def is_holiday(self, day: date) -> bool:
        """Return False: this calendar has no holidays."""
        return False

    def __repr__(self) -> str:
        return f"WeekdayCalendar(weekend={sorted(self.weekend)})"


class FixedCalendar:
    """A calendar with explicit holidays and transferred working days; handy in tests.

    Args:
        holidays: Public holidays and transferred days off.
        extra_workdays: Weekend days that are working days (transferred working Saturdays).
        weekend: Days off by ``date.weekday()`` (default Saturday and Sunday).
    """

    __slots__ = ("extra_workdays", "holidays", "weekend")

    def __init__(
        self,
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        weekend: Iterable[int] = WEEKEND,
    ) -> None:
        self.holidays = frozenset(holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.weekend = _checked_weekdays(weekend, allow_empty=True)

    def is_working_day(self, day: date) -> bool:
        """Return True unless ``day`` is a holiday or a weekend day that was not transferred."""
        if day in self.holidays:
            return False
        return day in self.extra_workdays or day.weekday() not in self.weekend

    def is_holiday(self, day: date) -> bool:
        """Return True for the listed holidays."""
        return day in self.holidays

    def __repr__(self) -> str:
        return (
            f"FixedCalendar(holidays={sorted(self.holidays)}, "
            f"extra_workdays={sorted(self.extra_workdays)}, weekend={sorted(self.weekend)})"
        )


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    """When one person works: a production calendar plus their own rules.

    Attributes:
        calendar: The country's production calendar.
        weekdays: Working weekdays by ``date.weekday()`` (Monday is 0); default Mon-Fri.
            With exactly Mon-Fri the production calendar decides (see the module docs).
        days_off: Personal days off (vacation, sick leave).
        active_from: First day the person works in the team (joined mid-period), if any.
        active_until: Last day the person works in the team (left mid-period), if any.

    Raises:
        InvalidWeekdays: When ``weekdays`` is empty or has numbers outside 0..6.
    """

    calendar: WorkingCalendar
    weekdays: frozenset[int] = DEFAULT_WORKING_WEEKDAYS
    days_off: frozenset[date] = field(default_factory=frozenset)
    active_from: date | None = None
    active_until: date | None = None

    def __post_init__(self) -> None:
        _checked_weekdays(self.weekdays, allow_empty=False)

    @property
    def standard_week(self) -> bool:
        """True when the person works the standard Mon-Fri week."""
        return self.weekdays == DEFAULT_WORKING_WEEKDAYS

    def is_working_day(self, day: date) -> bool:
        """Return True when the person works on ``day``."""
        if self.active_from is not None and day < self.active_from:
            return False
        if self.active_until is not None and day > self.active_until:
            return False
        if day in self.days_off:
            return False
        if self.standard_week:
            return self.calendar.is_working_day(day)
        return day.weekday() in self.weekdays and not self.calendar.is_holiday(day)


def working_days(start: date, end: date, schedule: WorkSchedule) -> list[date]:
    """List the person's working days from ``start`` to ``end``, both inclusive.

    Args:
        start: First day of the range.
        end: Last day of the range.
        schedule: Whose working days.

    Returns:
        The working days in order (empty when there are none).

    Raises:
        InvalidPeriod: When ``end`` is before ``start``.
    """
    if end < start:
        raise InvalidPeriod(start, end)
    return [day for day in _days(start, end) if schedule.is_working_day(day)]


def count_working_days(start: date, end: date, schedule: WorkSchedule) -> int:
    """Count the person's working days from ``start`` to ``end``, both inclusive."""
    return len(working_days(start, end, schedule))


def split_at(
    days: Sequence[date], today: date, *, today_logged: bool
) -> tuple[list[date], list[date]]:
    """Split working days into those already worked and those still ahead.

    Args:
        days: Working days of a period, in order.
        today: The person's local date.
        today_logged: True when today's result is already in (today then counts as worked);
            False when today is still ahead (it then counts as remaining).

    Returns:
        ``(elapsed, remaining)``: days before today (plus today when logged), and the rest.
    """
    elapsed = [d for d in days if d < today or (d == today and today_logged)]
    remaining = [d for d in days if d > today or (d == today and not today_logged)]
    return elapsed, remaining


def elapsed_working_days(
    start: date, today: date, schedule: WorkSchedule, *, today_logged: bool
) -> list[date]:
    """List the working days from ``start`` up to ``today`` that are already worked.

    Today is included only when ``today_logged`` is True. An empty list when ``today`` is
    before ``start``.
    """
    if today < start:
        return []
    return split_at(working_days(start, today, schedule), today, today_logged=today_logged)[0]


def remaining_working_days(
    today: date, end: date, schedule: WorkSchedule, *, today_logged: bool
) -> list[date]:
    """List the working days still ahead, from ``today`` to ``end``.

    Today is included only when it is a working day and ``today_logged`` is False. An empty
    list when ``today`` is after ``end``.
    """
    if today > end:
        return []
    return split_at(working_days(today, end, schedule), today, today_logged=today_logged)[1]


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    one = timedelta(days=1)
    while day <= end:
        yield day
        day += one


def _checked_weekdays(weekdays: Iterable[int], *, allow_empty: bool) -> frozenset[int]:
    result = frozenset(weekdays)
    if (not result and not allow_empty) or any(
        isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in result
    ):
        raise InvalidWeekdays()
    return result
