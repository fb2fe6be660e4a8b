"""The series behind /progress: plan line, cumulative actual, required pace, forecast band and
the shaded days, from the same quotas and production calendar as /today."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.calendars import HolidaysCalendar
from kpi_core.advice.catalog import Unit
from kpi_core.messages import Message
from kpi_core.planning.calendar import WorkSchedule, working_days
from kpi_core.planning.quotas import COUNT_QUANTUM, Member, split_plan
from kpi_core.tracking.charts import KpiChart, kpi_chart
from kpi_core.tracking.progress import Status

RUSSIA = WorkSchedule(HolidaysCalendar("RU"))


def chart(
    start: date, end: date, target: int, actuals: dict[date, Decimal], today: date,
    *, logged: bool = True,
) -> KpiChart:
    days = working_days(start, end, RUSSIA)
    share = split_plan(Decimal(target), [Member(1, tuple(days))], COUNT_QUANTUM).person(1)
    return kpi_chart(
        kpi_id="calls", label=Message("Calls"), unit=Unit.COUNT, currency="RUB",
        start=start, end=end, working_days=share.working_days,
        quotas={item.day: item.amount for item in share.schedule}, actuals=actuals,
        today=today, today_logged=logged, quantum=COUNT_QUANTUM,
    )


def april(day: int) -> date:
    return date(2025, 4, day)


# 150 calls by the evening of Wednesday 9 April: 20, 25, 15, 30, 20, 20, 20 on the 7 working days.
LOGGED = dict(zip([april(d) for d in (1, 2, 3, 4, 7, 8, 9)],
                  [Decimal(v) for v in (20, 25, 15, 30, 20, 20, 20)], strict=True))


def test_april_in_russia_shades_the_weekends_and_plans_twenty_a_day() -> None:
    c = chart(april(1), april(30), 440, LOGGED, april(9))
    assert len(c.days) == 30
    assert c.non_working == tuple(april(d) for d in (5, 6, 12, 13, 19, 20, 26, 27))
    assert sum(c.working) == 22
    assert c.quota[0] == 20
    assert c.quota[4] == 0  # Saturday 5 April
    assert c.plan[-1] == c.target == 440
    assert c.plan[8] == 140  # 7 working days by 9 April


def test_cumulative_actual_stops_at_the_last_day_that_counts() -> None:
    c = chart(april(1), april(30), 440, LOGGED, april(9))
    assert c.as_of == april(9)
    assert c.cumulative[8] == 150
    assert c.cumulative[9] is None
    assert c.actual[0] == 20
    assert c.actual[4] is None  # nothing on Saturday
    # Not logged yet today: today's value (if any) does not count, the line stops yesterday.
    c = chart(april(1), april(30), 440, LOGGED, april(10), logged=False)
    assert c.as_of == april(9)
    assert c.cumulative[9] is None


def test_the_required_pace_starts_at_the_actual_and_ends_at_the_target() -> None:
    c = chart(april(1), april(30), 440, LOGGED, april(9))
    assert c.required[:8] == (None,) * 8
    assert c.required[8] == 150
    # 290 left over 15 working days: 19.33 a day; whole calls on the chart.
    assert c.required[9] == 169  # 150 + 19.33
    assert c.required[-1] == 440
    assert c.progress.need_per_day == 20  # asked: rounded up
    assert c.progress.status is Status.AHEAD  # 150 of 140 expected


def test_the_forecast_ends_at_the_digests_projection_within_a_band() -> None:
    c = chart(april(1), april(30), 440, LOGGED, april(9))
    assert c.forecast[8] == 150
    assert c.forecast[-1] == c.progress.projected == 471  # 150 × 22 ÷ 7
    # Daily values 20, 25, 15, 30, 20, 20, 20: sample σ = 4.76; after 15 more days ±18.4.
    assert c.forecast_high[-1] == 490
    assert c.forecast_low[-1] == 453
    assert all(lo <= mid <= hi for lo, mid, hi in zip(c.forecast_low[8:], c.forecast[8:],
                                                      c.forecast_high[8:], strict=True)
               if lo is not None and mid is not None and hi is not None)
    # The band never dips below what is already done.
    assert min(v for v in c.forecast_low if v is not None) == 150


def test_no_forecast_before_the_first_working_day_is_over() -> None:
    c = chart(april(1), april(30), 440, {}, april(1), logged=False)
    assert c.as_of is None
    assert set(c.cumulative) == {None}
    assert set(c.forecast) == {None}
    assert c.progress.projected is None


def test_an_unlogged_working_day_counts_as_zero_in_the_pace() -> None:
    c = chart(april(1), april(30), 440, {april(1): Decimal(40)}, april(2))
    assert c.forecast[-1] == 440  # 40 over 2 working days = 20 a day × 22
    assert c.forecast_low[1] == 40


def test_may_in_russia_shades_the_holidays_and_the_transferred_days_off() -> None:
    start, end = date(2025, 5, 1), date(2025, 5, 31)
    c = chart(start, end, 180, {}, date(2025, 5, 15), logged=False)
    calendar = HolidaysCalendar("RU")
    every_day = [start + timedelta(days=i) for i in range(31)]
    assert c.non_working == tuple(d for d in every_day if not calendar.is_working_day(d))
    # 1 and 9 May (holidays), 2 and 8 May (transferred days off) and the weekends.
    assert {1, 2, 8, 9} <= {d.day for d in c.non_working}
    assert sum(c.working) == 18
    assert c.quota[1] == 0  # Friday 2 May: no quota on a transferred day off
    assert c.plan[-1] == 180
