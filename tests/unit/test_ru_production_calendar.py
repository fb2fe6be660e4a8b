"""The ``holidays``-backed calendar matches Russia's official 2025 production calendar."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendars import (
    SUPPORTED_COUNTRIES,
    HolidaysCalendarProvider,
    country_name,
    supported_countries,
)
from kpi_core.planning.calendar import Period, WorkSchedule, count_working_days, working_days
from kpi_core.ports import CalendarProvider, WorkingCalendar

# Production calendar of the Russian Federation for 2025 (five-day week).
RU_2025 = {1: 17, 2: 20, 3: 21, 4: 22, 5: 18, 6: 19, 7: 23, 8: 21, 9: 22, 10: 23, 11: 19, 12: 22}

PROVIDER: CalendarProvider = HolidaysCalendarProvider()


@pytest.fixture(scope="module")
def russia() -> WorkSchedule:
    return WorkSchedule(PROVIDER.for_country("RU"))


@pytest.mark.parametrize(("month", "expected"), sorted(RU_2025.items()))
def test_russia_2025_month(russia: WorkSchedule, month: int, expected: int) -> None:
    period = Period.month(2025, month)
    assert count_working_days(period.start, period.end, russia) == expected


def test_russia_2025_has_247_working_days(russia: WorkSchedule) -> None:
    assert count_working_days(date(2025, 1, 1), date(2025, 12, 31), russia) == 247
    assert sum(RU_2025.values()) == 247


def test_april_2025_is_the_seeds_22_days(russia: WorkSchedule) -> None:
    days = working_days(date(2025, 4, 1), date(2025, 4, 30), russia)
    assert len(days) == 22


def test_transfers_of_november_2025() -> None:
    calendar: WorkingCalendar = PROVIDER.for_country("RU")
    assert calendar.is_working_day(date(2025, 11, 1))  # working Saturday
    assert not calendar.is_holiday(date(2025, 11, 1))
    assert not calendar.is_working_day(date(2025, 11, 3))  # transferred day off
    assert calendar.is_holiday(date(2025, 11, 3))
    assert calendar.is_holiday(date(2025, 11, 4))  # Unity Day
    assert not calendar.is_working_day(date(2025, 11, 2))  # an ordinary Sunday
    assert not calendar.is_holiday(date(2025, 11, 2))


def test_new_year_holidays_and_may_transfers() -> None:
    calendar = PROVIDER.for_country("RU")
    assert not any(calendar.is_working_day(date(2025, 1, d)) for d in range(1, 9))
    assert calendar.is_working_day(date(2025, 1, 9))
    assert not calendar.is_working_day(date(2025, 5, 2))  # Friday, moved from 4 January
    assert not calendar.is_working_day(date(2025, 5, 8))  # Thursday, moved from 23 February
    assert not calendar.is_working_day(date(2025, 12, 31))  # moved from 5 January


def test_six_day_shop_in_november_2025() -> None:
    shop = WorkSchedule(PROVIDER.for_country("RU"), weekdays=frozenset(range(6)))
    # 30 days - 5 Sundays - 3 and 4 November = 23.
    assert count_working_days(date(2025, 11, 1), date(2025, 11, 30), shop) == 23


def test_other_years_work_too() -> None:
    calendar = PROVIDER.for_country("ru")
    russia = WorkSchedule(calendar)
    assert count_working_days(date(2024, 1, 1), date(2024, 12, 31), russia) == 248
    assert calendar.is_working_day(date(2024, 12, 28))  # a working Saturday in 2024


def test_unknown_country_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        PROVIDER.for_country("XX")
    with pytest.raises(KeyError):
        PROVIDER.for_country("")


def test_supported_countries_all_have_calendars() -> None:
    codes = supported_countries()
    assert codes == SUPPORTED_COUNTRIES
    for code in ("RU", "KZ", "BY", "UA", "US", "GB", "DE"):
        assert code in codes
    for code in codes:
        calendar = PROVIDER.for_country(code)
        # New Year's Day is off everywhere listed, except Ukraine: under martial law public
        # holidays are working days there (and ``holidays`` knows it).
        assert calendar.is_working_day(date(2025, 1, 1)) is (code == "UA")
    assert HolidaysCalendarProvider().supports("kz")
    assert not HolidaysCalendarProvider().supports("XX")


def test_country_names_are_localised() -> None:
    assert country_name("RU", "ru") == "Россия"
    assert country_name("RU", "en") == "Russia"
    assert country_name("kz", "en") == "Kazakhstan"


def test_holiday_names() -> None:
    calendar = HolidaysCalendarProvider().for_country("RU")
    assert calendar.holiday_name(date(2025, 11, 4), "ru") == "День народного единства"
    assert calendar.holiday_name(date(2025, 11, 5), "ru") is None
