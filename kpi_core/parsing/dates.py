"""Days off as typed: one day (``21.04``) or a range (``21.04–25.04``, ``с 21.04 по 25.04``,
``21-25.04``, ``2025-04-21 to 2025-04-25``).

A day without a year is the one nearest to today (days off are planned a little ahead or
noted a little after), so ``28.12–05.01`` typed in December runs into January.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.parsing.quickform import DayRef, parse_day

__all__ = ["MAX_RANGE_DAYS", "DayRangeError", "parse_day_range"]

MAX_RANGE_DAYS = 92
"""The longest run of days off one message may mark (a quarter)."""

_EXPECTED = N_("Send one day or a range of days, for example 21.04 or 21.04–25.04.")
_TOO_LONG = N_("That is more than {days} days at once: mark a shorter stretch.")
_ORDER = N_("The last day comes before the first: send the earlier day first, e.g. 21.04–25.04.")
_NO_DATE = N_("There is no such date: {text}.")

_SEPARATOR = re.compile(r"\s*(?:—|–|-|\.\.|…|\bпо\b|\bдо\b|\bto\b|\buntil\b|\btill\b)\s*")
_LEADING = re.compile(r"^(?:с|со|from)\s+", re.IGNORECASE)
_SHORT_START = re.compile(r"^(?P<day>\d{1,2})$")


class DayRangeError(DomainError):
    """The text is not a day or a range of days; ``message`` says what to send."""


def parse_day_range(text: str, today: date) -> tuple[date, date]:
    """The first and last day of the days off typed, both inclusive.

    Raises:
        DayRangeError: Not a day or a range, a date that does not exist, the last day before
            the first, or more than :data:`MAX_RANGE_DAYS` days.
    """
    normal = _LEADING.sub("", " ".join(text.lower().replace("ё", "е").split())).strip(" .")
    parts = _split(normal)
    if parts is None:
        raise DayRangeError(Message(_EXPECTED))
    head, tail = parts
    last_ref = parse_day(tail)
    if last_ref is None or (last_ref.days_back is not None and head != tail):
        raise DayRangeError(Message(_EXPECTED))
    short = _SHORT_START.match(head)
    if short is not None and last_ref.day is not None:  # "21-25.04": the month of the end
        first_ref = DayRef(day=int(short["day"]), month=last_ref.month, year=last_ref.year)
    else:
        found = parse_day(head)
        if found is None:
            raise DayRangeError(Message(_EXPECTED))
        first_ref = found
    first = _resolve(first_ref, today, head)
    last = _resolve(last_ref, today, tail)
    if last < first and last_ref.year is None:  # "28.12–05.01": into the next year
        rolled = _resolve(DayRef(day=last_ref.day, month=last_ref.month, year=first.year + 1),
                          today, tail)
        last = rolled if (rolled - first).days < MAX_RANGE_DAYS else last
    if last < first:
        raise DayRangeError(Message(_ORDER))
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise DayRangeError(Message(_TOO_LONG, {"days": MAX_RANGE_DAYS}))
    return first, last


def _split(text: str) -> tuple[str, str] | None:
    """The two ends of a range, or the same day twice."""
    if not text:
        return None
    pieces = [p for p in _SEPARATOR.split(text) if p]
    if len(pieces) == 1:
        return pieces[0], pieces[0]
    if len(pieces) == 2:
        return pieces[0], pieces[1]
    # "2025-04-21 - 2025-04-25": the ISO dashes split too; put the dates back together.
    iso = re.findall(r"\d{4}-\d{1,2}-\d{1,2}", text)
    if len(iso) == 2:
        return iso[0], iso[1]
    if len(iso) == 1 and text.strip() == iso[0]:
        return iso[0], iso[0]
    return None


def _resolve(ref: DayRef, today: date, typed: str) -> date:
    if ref.days_back is not None:
        return today - timedelta(days=ref.days_back)
    assert ref.day is not None
    assert ref.month is not None
    years = [ref.year] if ref.year is not None else [today.year - 1, today.year, today.year + 1]
    found = []
    for year in years:
        try:
            found.append(date(year, ref.month, ref.day))
        except ValueError:
            continue
    if not found:
        raise DayRangeError(Message(_NO_DATE, {"text": typed}))
    return min(found, key=lambda d: abs((d - today).days))
