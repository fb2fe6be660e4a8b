"""Progress against a target: pace, forecast, what each remaining day needs, and a status.

Pace is linear on **working days**: after 11 of 22 working days half of the target is expected,
whatever the calendar date. Exact values are ``fractions.Fraction`` (``*_exact`` fields);
the ``Decimal`` fields are rounded once, half up: amounts to the ``quantum`` (0.01 by default),
ratios to four decimal places (0.9545 = 95.45 %). What is *asked* (``remaining`` and
``need_per_day`` of a higher-is-better KPI) is rounded **up** instead, so that doing it reaches
the target: 725 calls over 18 days need 41 a day, not 40, and 1,000 rubles over 22 days need
45.46, not 45.45. An *allowance* (a lower-is-better KPI) is rounded **down**, so that using it
stays within the limit.

**Status** compares the *score* with :class:`Thresholds` (defaults in brackets):

* higher-is-better KPIs (revenue, calls): score = actual ÷ expected;
* lower-is-better KPIs (missed calls, refunds, cost): score = expected ÷ actual;

score ≥ ``ahead`` (1.05) → AHEAD; ≥ ``on_track`` (0.95) → ON_TRACK; ≥ ``behind`` (0.80)
→ BEHIND; below → CRITICAL. So "5 % ahead of pace or more" is AHEAD and "more than 20 % behind
pace" is CRITICAL.

**Edge cases.** Nothing is expected yet (no working day elapsed, or a zero target): a
higher-is-better KPI is ON_TRACK at zero and AHEAD above zero; a lower-is-better KPI is ON_TRACK
while the actual is within the whole target and CRITICAL beyond it. A zero actual on a
lower-is-better KPI with something expected is AHEAD. ``completion`` is ``None`` for a zero
target, ``projected`` is ``None`` before the first working day is over, and ``need_per_day`` is
``None`` when no working day is left.

**Level KPIs** (``cumulative=False``: a conversion rate, an average check, a response time) are
not summed over days: expected is the target itself, the forecast is the current value and
there is no per-day need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from kpi_core.planning.calendar import split_at
from kpi_core.planning.quotas import (
    MONEY_QUANTUM,
    NegativePlan,
    ceil_to_quantum,
    floor_to_quantum,
    round_to_quantum,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Direction",
    "Progress",
    "Status",
    "Thresholds",
    "progress",
    "status_for",
]

RATIO_QUANTUM = Decimal("0.0001")
"""Ratios (pace, completion) are rounded to four decimal places."""


class Status(StrEnum):
    """How a KPI is doing against its pace."""

    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    CRITICAL = "critical"


class Direction(StrEnum):
    """Whether more is better (revenue) or less is better (missed calls, cost)."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score limits for the statuses (see the module docs).

    Attributes:
        ahead: From this score on, AHEAD (default 1.05).
        on_track: From this score on, ON_TRACK (default 0.95).
        behind: From this score on, BEHIND; below it, CRITICAL (default 0.80).

    Raises:
        ValueError: Unless ``ahead >= on_track >= behind >= 0``.
    """

    ahead: Decimal = Decimal("1.05")
    on_track: Decimal = Decimal("0.95")
    behind: Decimal = Decimal("0.80")

    def __post_init__(self) -> None:
        if not self.ahead >= self.on_track >= self.behind >= 0:
            raise ValueError("thresholds must satisfy ahead >= on_track >= behind >= 0")

    def classify(self, score: Fraction | Decimal) -> Status:
        """Return the status for a score (1 = exactly on pace)."""
        value = Fraction(score)
        if value >= Fraction(self.ahead):
            return Status.AHEAD
        if value >= Fraction(self.on_track):
            return Status.ON_TRACK
        if value >= Fraction(self.behind):
            return Status.BEHIND
        return Status.CRITICAL


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a KPI stands on a day.

    Attributes:
        target: The period target.
        actual: The result so far.
        direction: Higher or lower is better.
        cumulative: False for level KPIs (see the module docs).
        total_days: Working days in the period.
        elapsed_days: Working days already over (today only when logged).
        remaining_days: Working days still ahead (today unless logged).
        expected: What the pace asks for by now (rounded to the quantum).
        expected_exact: The same, exact.
        gap: ``actual - expected`` (positive means more than expected).
        pace: ``actual ÷ expected`` (4 places), ``None`` when nothing is expected yet.
        completion: ``actual ÷ target`` as a fraction (0.64 = 64 %), ``None`` for a zero target.
        projected: Forecast for the period end (linear on working days), ``None`` before the
            first working day is over.
        projected_exact: The same, exact.
        remaining: ``target - actual``, never below zero: still to do (higher is better,
            rounded up) or the allowance left (lower is better, rounded down).
        need_per_day: ``remaining`` ÷ remaining working days, rounded up (higher is better) or
            down (an allowance) to the quantum; ``None`` when no day is left or for a level
            KPI. ``need_per_day × remaining_days >= remaining`` for a higher-is-better KPI.
        need_per_day_exact: The same, exact.
        status: AHEAD, ON_TRACK, BEHIND or CRITICAL.
    """

    target: Decimal
    actual: Decimal
    direction: Direction
    cumulative: bool
    total_days: int
    elapsed_days: int
    remaining_days: int
    expected: Decimal
    expected_exact: Fraction
    gap: Decimal
    pace: Decimal | None
    completion: Decimal | None
    projected: Decimal | None
    projected_exact: Fraction | None
    remaining: Decimal
    need_per_day: Decimal | None
    need_per_day_exact: Fraction | None
    status: Status


def status_for(
    actual: Fraction | Decimal,
    expected: Fraction | Decimal,
    *,
    target: Fraction | Decimal | None = None,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Status:
    """Classify ``actual`` against ``expected`` (see the module docs for the rules).

    Args:
        actual: The result so far.
        expected: What the pace asks for by now.
        target: The whole period's target; decides a lower-is-better KPI while nothing is
            expected yet (defaults to ``expected``).
        direction: Higher or lower is better.
        thresholds: Score limits.

    Returns:
        The status.
    """
    got, want = Fraction(actual), Fraction(expected)
    if direction is Direction.HIGHER_IS_BETTER:
        if want <= 0:
            return Status.AHEAD if got > 0 else Status.ON_TRACK
        return thresholds.classify(got / want)
    if got <= 0:
        return Status.AHEAD if want > 0 else Status.ON_TRACK
    if want <= 0:
        limit = Fraction(target) if target is not None else want
        return Status.ON_TRACK if got <= limit else Status.CRITICAL
    return thresholds.classify(want / got)


def progress(
    target: Decimal,
    actual: Decimal,
    working_days: Sequence[date],
    today: date,
    *,
    today_logged: bool,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    cumulative: bool = True,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    quantum: Decimal = MONEY_QUANTUM,
) -> Progress:
    """Measure progress on ``today`` against a target spread over ``working_days``.

    Args:
        target: The period target (zero or more).
        actual: The result so far (for a level KPI: its current value).
        working_days: The period's working days (a person's, or the team's), in order.
        today: The local date.
        today_logged: True when ``actual`` already includes today (today counts as elapsed);
            False when today is still ahead (today counts as remaining).
        direction: Higher or lower is better.
        cumulative: False for level KPIs.
        thresholds: Status limits.
        quantum: Rounding step of the amount fields.

    Returns:
        The progress. Example: target 1,000,000 over April 2025 (22 working days), 450,000
        by 15 April, logged: 11 days elapsed, expected 500,000.00, pace 0.9, BEHIND,
        projected 900,000.00, 50,000.00 needed on each of the 11 remaining days.

    Raises:
        NegativePlan: ``target`` is negative.
    """
    if target < 0:
        raise NegativePlan(target)
    elapsed, ahead = split_at(working_days, today, today_logged=today_logged)
    total = len(working_days)
    goal, got = Fraction(target), Fraction(actual)
    projected: Fraction | None
    if not cumulative:
        expected = goal
        projected = got
    else:
        expected = goal * len(elapsed) / total if total else Fraction(0)
        projected = got * total / len(elapsed) if elapsed else None
    rest = max(goal - got, Fraction(0))
    need = rest / len(ahead) if cumulative and ahead else None
    # What is asked is rounded so that doing it reaches the target; an allowance so that
    # using it stays within the limit.
    asked = ceil_to_quantum if direction is Direction.HIGHER_IS_BETTER else floor_to_quantum
    return Progress(
        target=target,
        actual=actual,
        direction=direction,
        cumulative=cumulative,
        total_days=total,
        elapsed_days=len(elapsed),
        remaining_days=len(ahead),
        expected=round_to_quantum(expected, quantum),
        expected_exact=expected,
        gap=round_to_quantum(got - expected, quantum),
        pace=round_to_quantum(got / expected, RATIO_QUANTUM) if expected else None,
        completion=round_to_quantum(got / goal, RATIO_QUANTUM) if goal else None,
        projected=None if projected is None else round_to_quantum(projected, quantum),
        projected_exact=projected,
        remaining=asked(rest, quantum),
        need_per_day=None if need is None else asked(need, quantum),
        need_per_day_exact=need,
        status=status_for(got, expected, target=goal, direction=direction, thresholds=thresholds),
    )
