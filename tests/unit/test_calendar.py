"""Working days: production calendar, custom working weeks, days off, joining mid-period."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.planning.calendar import (
    FixedCalendar,
    InvalidPeriod,
    InvalidWeekdays,
    Period,
    WeekdayCalendar,
    WorkSchedule,
    count_working_days,
    elapsed_working_days,
    remaining_working_days,
    split_at,
    working_days,
)
from kpi_core.ports import WorkingCalendar

APRIL = Period.month(2025, 4)
# Russia, November 2025: Saturday 1 Nov is a working day, Mon 3 Nov a transferred day off,
# Tue 4 Nov Unity Day.
RU_NOVEMBER = FixedCalendar(
    holidays={date(2025, 11, 3), date(2025, 11, 4)}, extra_workdays={date(2025, 11, 1)}
)
MON_SAT = frozenset(range(6))


def _count(period: Period, schedule: WorkSchedule) -> int:
    return count_working_days(period.start, period.end, schedule)


def test_the_test_calendars_satisfy_the_port() -> None:
    calendars: list[WorkingCalendar] = [WeekdayCalendar(), RU_NOVEMBER]
    assert [c.is_working_day(date(2025, 11, 1)) for c in calendars] == [False, True]


def test_april_2025_has_22_weekdays() -> None:
    days = working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar()))
    assert len(days) == 22
    assert days[0] == date(2025, 4, 1)
    assert days[-1] == date(2025, 4, 30)
    assert all(d.weekday() < 5 for d in days)


def test_standard_week_follows_the_production_calendar_transfers() -> None:
    schedule = WorkSchedule(RU_NOVEMBER)
    days = working_days(date(2025, 11, 1), date(2025, 11, 30), schedule)
    assert date(2025, 11, 1) in days  # transferred working Saturday
    assert date(2025, 11, 3) not in days
    assert date(2025, 11, 4) not in days
    assert len(days) == 19


def test_custom_week_works_its_weekdays_except_holidays() -> None:
    shop = WorkSchedule(RU_NOVEMBER, weekdays=MON_SAT)
    # 30 days - 5 Sundays - 2 holidays = 23; Saturday 1 Nov is a shop day anyway.
    assert count_working_days(date(2025, 11, 1), date(2025, 11, 30), shop) == 23
    assert not shop.is_working_day(date(2025, 11, 3))


def test_custom_week_ignores_transferred_saturdays() -> None:
    four_day_week = WorkSchedule(RU_NOVEMBER, weekdays=frozenset({0, 1, 2, 3}))
    assert not four_day_week.is_working_day(date(2025, 11, 1))
    assert four_day_week.is_working_day(date(2025, 11, 6))  # a Thursday
    assert not four_day_week.is_working_day(date(2025, 11, 7))  # a Friday


def test_holiday_on_a_saturday_is_off_for_a_six_day_shop() -> None:
    calendar = FixedCalendar(holidays={date(2025, 3, 8)})  # a Saturday
    shop = WorkSchedule(calendar, weekdays=MON_SAT)
    assert not shop.is_working_day(date(2025, 3, 8))
    assert shop.is_working_day(date(2025, 3, 15))


def test_days_off_and_active_span_remove_days() -> None:
    schedule = WorkSchedule(
        WeekdayCalendar(),
        days_off=frozenset({date(2025, 4, 21), date(2025, 4, 22), date(2025, 4, 26)}),
        active_from=date(2025, 4, 7),
        active_until=date(2025, 4, 25),
    )
    # 7..25 April has 15 weekdays; two vacation days fall on weekdays, 26 April is a Saturday.
    assert _count(APRIL, schedule) == 13


def test_weekday_calendar_with_a_friday_saturday_weekend() -> None:
    calendar = WeekdayCalendar(weekend={4, 5})
    assert calendar.is_working_day(date(2025, 4, 6))  # Sunday
    assert not calendar.is_working_day(date(2025, 4, 4))  # Friday
    assert not calendar.is_holiday(date(2025, 1, 1))


def test_split_at_counts_today_as_elapsed_only_when_logged() -> None:
    days = working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar()))
    today = date(2025, 4, 15)
    elapsed, remaining = split_at(days, today, today_logged=True)
    assert (len(elapsed), len(remaining)) == (11, 11)
    elapsed, remaining = split_at(days, today, today_logged=False)
    assert (len(elapsed), len(remaining)) == (10, 12)
    assert remaining[0] == today


def test_split_at_on_a_weekend_is_the_same_either_way() -> None:
    days = working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar()))
    saturday = date(2025, 4, 12)
    assert split_at(days, saturday, today_logged=True) == split_at(
        days, saturday, today_logged=False
    )


def test_elapsed_and_remaining_helpers() -> None:
    schedule = WorkSchedule(WeekdayCalendar())
    today = date(2025, 4, 15)
    assert len(elapsed_working_days(APRIL.start, today, schedule, today_logged=False)) == 10
    assert len(remaining_working_days(today, APRIL.end, schedule, today_logged=False)) == 12
    assert elapsed_working_days(APRIL.start, date(2025, 3, 31), schedule, today_logged=True) == []
    assert remaining_working_days(date(2025, 5, 1), APRIL.end, schedule, today_logged=True) == []


def test_period_month_and_membership() -> None:
    february = Period.month(2024, 2)
    assert (february.start, february.end, len(february)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
        29,
    )
    assert date(2024, 2, 10) in february
    assert date(2024, 3, 1) not in february
    assert list(Period(date(2025, 1, 30), date(2025, 2, 1)).days()) == [
        date(2025, 1, 30),
        date(2025, 1, 31),
        date(2025, 2, 1),
    ]


def test_a_backwards_period_is_a_domain_error() -> None:
    with pytest.raises(InvalidPeriod) as caught:
        Period(date(2025, 4, 30), date(2025, 4, 1))
    assert "{start}" in caught.value.message.msgid
    with pytest.raises(InvalidPeriod):
        working_days(date(2025, 4, 30), date(2025, 4, 1), WorkSchedule(WeekdayCalendar()))


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 2})])
def test_bad_weekdays_are_a_domain_error(weekdays: frozenset[int]) -> None:
    with pytest.raises(InvalidWeekdays) as caught:
        WorkSchedule(WeekdayCalendar(), weekdays=weekdays)
    assert "Monday (1)" in caught.value.message.msgid


def test_single_day_period() -> None:
    schedule = WorkSchedule(WeekdayCalendar())
    assert working_days(date(2025, 4, 5), date(2025, 4, 5), schedule) == []
    assert working_days(date(2025, 4, 7), date(2025, 4, 7), schedule) == [date(2025, 4, 7)]
