"""Pace, forecast and status against a target over working days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from kpi_core.planning.calendar import Period, WeekdayCalendar, WorkSchedule, working_days
from kpi_core.planning.quotas import NegativePlan
from kpi_core.tracking.progress import (
    DEFAULT_THRESHOLDS,
    Direction,
    Status,
    Thresholds,
    progress,
    status_for,
)

APRIL = Period.month(2025, 4)
DAYS = tuple(working_days(APRIL.start, APRIL.end, WorkSchedule(WeekdayCalendar())))
D = Decimal
MID_APRIL = date(2025, 4, 15)  # the 11th working day of 22


def test_worked_example_behind_pace() -> None:
    result = progress(D(1_000_000), D(450_000), DAYS, MID_APRIL, today_logged=True)
    assert (result.total_days, result.elapsed_days, result.remaining_days) == (22, 11, 11)
    assert result.expected == D("500000.00")
    assert result.expected_exact == Fraction(500_000)
    assert result.gap == D("-50000.00")
    assert result.pace == D("0.9000")
    assert result.completion == D("0.4500")
    assert result.projected == D("900000.00")
    assert result.remaining == D("550000.00")
    assert result.need_per_day == D("50000.00")
    assert result.status is Status.BEHIND


def test_worked_example_today_not_logged_yet() -> None:
    # The morning of 15 April: ten days are over, 350,000 done.
    result = progress(D(1_000_000), D(350_000), DAYS, MID_APRIL, today_logged=False)
    assert (result.elapsed_days, result.remaining_days) == (10, 12)
    assert result.expected == D("454545.45")
    assert result.pace == D("0.7700")  # 350,000 / 454,545.45
    assert result.status is Status.CRITICAL
    assert result.projected == D("770000.00")
    assert result.need_per_day == D("54166.67")  # 650,000 / 12


def test_ahead_and_on_track() -> None:
    ahead = progress(D(1_000_000), D(600_000), DAYS, MID_APRIL, today_logged=True)
    assert ahead.status is Status.AHEAD
    assert ahead.projected == D("1200000.00")
    on_track = progress(D(1_000_000), D(480_000), DAYS, MID_APRIL, today_logged=True)
    assert on_track.status is Status.ON_TRACK


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (D("1.05"), Status.AHEAD),
        (D("1.0499"), Status.ON_TRACK),
        (D("0.95"), Status.ON_TRACK),
        (D("0.9499"), Status.BEHIND),
        (D("0.80"), Status.BEHIND),
        (D("0.7999"), Status.CRITICAL),
        (D(0), Status.CRITICAL),
    ],
)
def test_default_threshold_boundaries(score: Decimal, status: Status) -> None:
    assert DEFAULT_THRESHOLDS.classify(score) is status
    assert status_for(score * 100, D(100)) is status


def test_custom_thresholds() -> None:
    strict = Thresholds(ahead=D("1.2"), on_track=D("1.0"), behind=D("0.9"))
    assert strict.classify(D("1.1")) is Status.ON_TRACK
    assert strict.classify(D("0.95")) is Status.BEHIND
    result = progress(D(1000), D(440), DAYS, MID_APRIL, today_logged=True, thresholds=strict)
    assert result.status is Status.CRITICAL
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(ahead=D("0.9"), on_track=D("1.0"))


def test_nothing_elapsed_yet() -> None:
    result = progress(D(1000), D(0), DAYS, date(2025, 4, 1), today_logged=False)
    assert result.elapsed_days == 0
    assert result.expected == 0
    assert result.pace is None
    assert result.projected is None
    assert result.status is Status.ON_TRACK
    assert result.need_per_day == D("45.46")  # 1,000 / 22 rounded up: 22 × 45.45 falls short
    early = progress(D(1000), D(10), DAYS, date(2025, 4, 1), today_logged=False)
    assert early.status is Status.AHEAD


def test_zero_target() -> None:
    result = progress(D(0), D(0), DAYS, MID_APRIL, today_logged=True)
    assert result.completion is None
    assert result.pace is None
    assert result.status is Status.ON_TRACK
    assert result.need_per_day == 0


def test_no_working_days_at_all() -> None:
    result = progress(D(100), D(0), (), MID_APRIL, today_logged=True)
    assert result.total_days == 0
    assert result.expected == 0
    assert result.need_per_day is None
    assert result.projected is None


def test_after_the_period() -> None:
    result = progress(D(1000), D(1000), DAYS, date(2025, 5, 2), today_logged=False)
    assert result.remaining_days == 0
    assert result.need_per_day is None
    assert result.projected == D(1000)
    assert result.status is Status.ON_TRACK


def test_lower_is_better_budget() -> None:
    # At most 22 missed calls in April; by mid-month 11 are "allowed".
    good = progress(
        D(22),
        D(5),
        DAYS,
        MID_APRIL,
        today_logged=True,
        direction=Direction.LOWER_IS_BETTER,
        quantum=D(1),
    )
    assert good.status is Status.AHEAD
    assert good.remaining == D(17)  # allowance left
    bad = progress(
        D(22), D(13), DAYS, MID_APRIL, today_logged=True, direction=Direction.LOWER_IS_BETTER
    )
    assert bad.status is Status.BEHIND  # 11 / 13 = 0.846
    worse = progress(
        D(22), D(20), DAYS, MID_APRIL, today_logged=True, direction=Direction.LOWER_IS_BETTER
    )
    assert worse.status is Status.CRITICAL
    none_yet = progress(
        D(22), D(0), DAYS, MID_APRIL, today_logged=True, direction=Direction.LOWER_IS_BETTER
    )
    assert none_yet.status is Status.AHEAD


def test_lower_is_better_with_nothing_expected() -> None:
    lower = Direction.LOWER_IS_BETTER
    assert status_for(D(0), D(0), direction=lower) is Status.ON_TRACK
    assert status_for(D(2), D(0), target=D(5), direction=lower) is Status.ON_TRACK
    assert status_for(D(6), D(0), target=D(5), direction=lower) is Status.CRITICAL
    assert status_for(D(1), D(0), target=D(0), direction=lower) is Status.CRITICAL


def test_level_kpi_compares_with_the_target_itself() -> None:
    # Lead-to-QL conversion: the norm is 80 %, currently 76 %.
    result = progress(D("0.80"), D("0.76"), DAYS, MID_APRIL, today_logged=True, cumulative=False)
    assert result.expected == D("0.80")
    assert result.pace == D("0.9500")
    assert result.status is Status.ON_TRACK
    assert result.projected == D("0.76")
    assert result.need_per_day is None
    response = progress(
        D(15),
        D(30),
        DAYS,
        MID_APRIL,
        today_logged=True,
        cumulative=False,
        direction=Direction.LOWER_IS_BETTER,
    )
    assert response.status is Status.CRITICAL  # 15 s norm, 30 s actual: score 0.5


def test_negative_target_is_refused() -> None:
    with pytest.raises(NegativePlan):
        progress(D(-1), D(0), DAYS, MID_APRIL, today_logged=True)
