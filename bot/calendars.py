"""Production calendars from the ``holidays`` package (the adapter behind ``CalendarProvider``).

``holidays`` knows each country's public holidays, transferred days off (Russia: Friday
2 May 2025) and transferred working days (Russia: Saturday 1 November 2025, in
``weekend_workdays``). Russia 2025 comes out at 247 working days, as in the official
production calendar.

One ``holidays`` object is built per (country, year) on first use and cached for the process.
Lookups never populate more years (``expand=False``), so a cached object is never mutated and
is safe to share between threads.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
from babel import Locale
from holidays import HolidayBase

__all__ = [
    "SUPPORTED_COUNTRIES",
    "HolidaysCalendar",
    "HolidaysCalendarProvider",
    "country_name",
    "supported_countries",
]

SUPPORTED_COUNTRIES: tuple[str, ...] = (
    "RU", "KZ", "BY", "UZ", "KG", "AM", "GE", "AZ", "MD", "UA",
    "US", "GB", "DE", "FR", "ES", "IT", "PL", "NL", "PT", "CZ",
    "LT", "LV", "EE", "FI", "TR", "AE", "CA", "AU",
)  # fmt: skip
"""Countries offered in the UI, in display order (CIS first). Any code ``holidays`` knows
works with :class:`HolidaysCalendarProvider`; this list is what a picker shows."""


@cache
def _year(country: str, year: int, language: str | None = None) -> HolidayBase:
    return holidays.country_holidays(country, years=year, expand=False, language=language)


def _holidays_language(country: str, language: str) -> str | None:
    """The ``holidays`` translation closest to ``language`` (``en`` → ``en_US``), if any."""
    available = holidays.list_localized_countries().get(country, [])
    base = language.replace("-", "_").split("_")[0].lower()
    for candidate in available:
        if candidate.split("_")[0].lower() == base:
            return str(candidate)
    return None


class HolidaysCalendar:
    """A country's production calendar (implements ``kpi_core.ports.WorkingCalendar``).

    Args:
        country: ISO 3166-1 alpha-2 code, already validated by the provider.
    """

    __slots__ = ("country",)

    def __init__(self, country: str) -> None:
        self.country = country

    def is_working_day(self, day: date) -> bool:
        """Return True for a working day of the standard week, transfers included."""
        return bool(_year(self.country, day.year).is_working_day(day))

    def is_holiday(self, day: date) -> bool:
        """Return True for a public holiday or a transferred day off."""
        return day in _year(self.country, day.year)

    def holiday_name(self, day: date, language: str = "en") -> str | None:
        """Return the holiday's name in ``language`` when ``holidays`` has it, else None.

        Falls back to the package's default language for the country.
        """
        lang = _holidays_language(self.country, language)
        name = _year(self.country, day.year, lang).get(day)
        return None if name is None else str(name)

    def __repr__(self) -> str:
        return f"HolidaysCalendar({self.country!r})"


class HolidaysCalendarProvider:
    """Find a country's calendar (implements ``kpi_core.ports.CalendarProvider``)."""

    def for_country(self, country: str) -> HolidaysCalendar:
        """Return the calendar for ``country`` (case-insensitive ISO code).

        Raises:
            KeyError: ``holidays`` does not know the country.
        """
        code = country.strip().upper()
        if code not in holidays.list_supported_countries():
            raise KeyError(f"unknown country code {country!r}")
        return HolidaysCalendar(code)

    def supports(self, country: str) -> bool:
        """Return True when ``country`` has a calendar."""
        return country.strip().upper() in holidays.list_supported_countries()


def supported_countries() -> tuple[str, ...]:
    """The country codes offered in the UI, in display order."""
    return SUPPORTED_COUNTRIES


def country_name(country: str, language: str) -> str:
    """Return the country's name in ``language`` (CLDR): ``RU`` → ``Россия`` / ``Russia``."""
    territories = Locale.parse(language).territories
    return str(territories.get(country.upper(), country.upper()))
