"""Weekly and monthly reports (kpi_core/tracking/reports.py) on worked numbers in Russia, 2025.

April 2025 has 22 working days in Russia (no holidays); May 2025 has 18: 1–4 May and 8–11 May
are holidays (1 May, 2 May moved from 4 January, 8 May moved from 3 January, 9 May).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.calendars import HolidaysCalendarProvider
from kpi_core.model import Entry, Plan, PlanTarget
from kpi_core.planning.calendar import Period, WorkSchedule
from kpi_core.tracking.digest import Ledger, TeamMember, TeamState, streak_from
from kpi_core.tracking.reports import (
    NextBasis,
    ReportKind,
    next_period,
    period_key,
    person_report,
    repeated_plan,
    report_day,
    reported_period,
)

RU = HolidaysCalendarProvider().for_country("RU")
ANNA = 1
APRIL = Plan(1, date(2025, 4, 1), date(2025, 4, 30), targets=[
    PlanTarget("cold_calls", Decimal(440)), PlanTarget("revenue", Decimal(220000)),
    PlanTarget("lead_response_time", Decimal(15))])
MONDAY = date(2025, 4, 14)
WEEK = ReportKind.WEEK


def state(plan: Plan | None, *kpis: str, days_off: frozenset[date] = frozenset()) -> TeamState:
    member = TeamMember(ANNA, "Anna", Decimal(1), WorkSchedule(RU, days_off=days_off),
                        kpis or ("cold_calls",))
    return TeamState(1, "Sales", plan, (member,))


def entries(metric: str, start: date, *values: str) -> list[Entry]:
    return [Entry(ANNA, metric, start + timedelta(days=i), Decimal(v))
            for i, v in enumerate(values) if v]


def april_ledger() -> Ledger:
    return Ledger(
        entries("cold_calls", date(2025, 4, 1), "10", "10", "10", "10")  # 1–4 April: 40
        # 7–11 April: 78 (a 0 logged on Thursday is a day logged)
        + entries("cold_calls", date(2025, 4, 7), "18", "25", "0", "20", "15")
        + entries("revenue", date(2025, 4, 7), "30000", "", "50000.50", "", "10000")
    )


def test_the_week_before_a_monday_against_its_quota_best_day_lag_and_next_weeks_quota() -> None:
    team = state(APRIL, "cold_calls", "revenue")
    report = person_report(WEEK, MONDAY, MONDAY, ANNA, [team], team, april_ledger(), streak=4)
    assert report.period == Period(date(2025, 4, 7), date(2025, 4, 13))
    assert (report.working_days, report.logged_days, report.streak) == (5, 5, 4)
    calls, revenue = report.kpis
    assert (calls.total, calls.quota, calls.completion) == (
        Decimal(78), Decimal(100), Decimal("0.78"))
    assert (calls.shortfall, calls.shortfall_ratio) == (Decimal(22), Decimal("0.22"))
    assert (calls.best_day, calls.best_value) == (date(2025, 4, 8), Decimal(25))
    # 440 − 118 = 322 over 13 working days (14–30 April): 25 on each of the first 10, 24 after.
    assert (calls.next_daily, calls.next_quota, calls.next_days) == (
        Decimal(25), Decimal(125), 5)
    assert calls.next_basis is NextBasis.PLAN
    # 220,000 ÷ 22 = 10,000 a day: 50,000 for the week; 90,000.50 logged is ahead.
    assert (revenue.total, revenue.quota, revenue.shortfall) == (
        Decimal("90000.50"), Decimal("50000.00"), None)
    assert (revenue.best_day, revenue.best_value) == (date(2025, 4, 9), Decimal("50000.50"))
    assert report.lagged == (calls,)


def test_lagging_kpis_are_ranked_by_how_far_behind_they_are_relative_to_the_quota() -> None:
    team = state(APRIL, "revenue", "cold_calls")
    ledger = Ledger(entries("cold_calls", date(2025, 4, 7), "10", "10", "10", "10", "10")
                    + entries("revenue", date(2025, 4, 7), "40000"))
    report = person_report(WEEK, MONDAY, MONDAY, ANNA, [team], team, ledger, streak=0)
    # Calls 50 of 100 (50 % behind), revenue 40,000 of 50,000 (20 % behind): calls first.
    assert [(k.kpi_id, k.shortfall, k.shortfall_ratio) for k in report.lagged] == [
        ("cold_calls", Decimal(50), Decimal("0.5")),
        ("revenue", Decimal("10000.00"), Decimal("0.2")),
    ]


def test_a_level_kpi_reports_its_level_against_the_target_level() -> None:
    team = state(APRIL, "lead_response_time")
    ledger = Ledger(entries("lead_response_time", date(2025, 4, 7), "10", "30", "20"))
    report = person_report(WEEK, MONDAY, MONDAY, ANNA, [team], team, ledger, streak=3)
    (level,) = report.kpis
    # Lower is better: an average of 20 minutes against 15 is 5 minutes (33 %) over.
    assert (level.cumulative, level.total, level.quota) == (False, Decimal(20), Decimal(15))
    assert (level.shortfall, level.shortfall_ratio) == (Decimal(5), Decimal("0.3333"))
    assert (level.best_day, level.best_value) == (date(2025, 4, 7), Decimal(10))
    assert level.next_quota is None


def test_a_day_off_lowers_the_weeks_quota_and_is_not_counted_as_a_missed_day() -> None:
    team = state(APRIL, days_off=frozenset({date(2025, 4, 9)}))
    ledger = Ledger(entries("cold_calls", date(2025, 4, 7), "20", "20", "", "20", "20"))
    report = person_report(WEEK, MONDAY, MONDAY, ANNA, [team], team, ledger, streak=4)
    (calls,) = report.kpis
    # 440 over 21 working days: 20.95 → 21 on each of the first 20 days, 20 on the last.
    assert (report.working_days, report.logged_days) == (4, 4)
    assert (calls.total, calls.quota, calls.shortfall) == (Decimal(80), Decimal(84), Decimal(4))


def test_the_logging_streak_is_broken_by_a_missed_working_day_only() -> None:
    schedule = WorkSchedule(RU, days_off=frozenset({date(2025, 4, 10)}))
    # Logged 7, 8, 9 and 11 April: 10 April is a day off, 12–13 April a weekend.
    logged = [date(2025, 4, d) for d in (7, 8, 9, 11)]
    assert streak_from(logged, schedule, MONDAY) == 4
    # Without the day off, the unlogged Thursday ends the streak at Friday.
    assert streak_from(logged, WorkSchedule(RU), MONDAY) == 1
    # Logged on Monday morning already: today counts too.
    assert streak_from([*logged, MONDAY], schedule, MONDAY) == 5


def test_the_weekly_report_day_is_the_first_working_day_of_the_week() -> None:
    working = WorkSchedule(RU).is_working_day
    assert period_key(WEEK, date(2025, 4, 16)) == MONDAY
    assert report_day(WEEK, MONDAY, working) == MONDAY
    # 5 May 2025 is the Monday after the May holidays and works; the week of 30 December 2024
    # has no working day at all (30–31 December are days off, then the new year holidays), and
    # in the next one the holidays run to Wednesday 8 January.
    assert report_day(WEEK, date(2025, 5, 5), working) == date(2025, 5, 5)
    assert report_day(WEEK, date(2024, 12, 30), working) is None
    assert report_day(WEEK, date(2025, 1, 6), working) == date(2025, 1, 9)
    on_leave = WorkSchedule(RU, days_off=frozenset(MONDAY + timedelta(days=i) for i in range(5)))
    assert report_day(WEEK, MONDAY, on_leave.is_working_day) is None


def test_the_monthly_report_day_is_the_first_working_day_of_the_month_in_russia() -> None:
    working = WorkSchedule(RU).is_working_day
    # 1–4 May 2025 are holidays (2 May was moved from 4 January): Monday 5 May.
    assert report_day(ReportKind.MONTH, date(2025, 5, 1), working) == date(2025, 5, 5)
    # The new year holidays run to 8 January: Thursday 9 January.
    assert report_day(ReportKind.MONTH, date(2025, 1, 1), working) == date(2025, 1, 9)
    assert report_day(ReportKind.MONTH, date(2025, 4, 1), working) == date(2025, 4, 1)
    assert reported_period(ReportKind.MONTH, date(2025, 5, 1)) == Period.month(2025, 4)
    assert next_period(ReportKind.MONTH, date(2025, 5, 1)) == Period.month(2025, 5)


def test_a_month_after_its_plan_ended_quotes_the_same_target_repeated_over_the_next_month() -> None:
    april = state(APRIL)
    may = state(None)
    ledger = Ledger(entries("cold_calls", date(2025, 4, 1), *["15"] * 30))
    today = date(2025, 5, 5)
    report = person_report(ReportKind.MONTH, date(2025, 5, 1), today, ANNA, [april], may,
                           ledger, streak=0)
    (calls,) = report.kpis
    # Logged every day; only the 22 working days' 15s are April's quota's days, but every day
    # counts in the total: 30 × 15 = 450 against 440.
    assert (calls.total, calls.quota, calls.shortfall) == (Decimal(450), Decimal(440), None)
    assert calls.completion == Decimal("1.0227")
    # 440 again over May's 18 working days, from 5 May (the 18 working days are 5–7, 12–30
    # May): 24.44 → 25 on the first 8 days, 24 after; the month's quota is all of it.
    assert calls.next_basis is NextBasis.REPEATED
    assert (calls.next_daily, calls.next_quota, calls.next_days) == (
        Decimal(25), Decimal(440), 18)


def test_a_week_spanning_two_plans_takes_each_days_quota_from_the_plan_in_force() -> None:
    may = Plan(1, date(2025, 5, 1), date(2025, 5, 31), targets=[
        PlanTarget("cold_calls", Decimal(360))])  # 20 a day over 18 days
    april = state(APRIL)
    current = state(may)
    # The week of 28 April – 4 May: 28–30 April work (20 each), 1–4 May are holidays.
    ledger = Ledger(entries("cold_calls", date(2025, 4, 28), "20", "20", "20"))
    report = person_report(WEEK, date(2025, 5, 5), date(2025, 5, 5), ANNA, [current, april],
                           current, ledger, streak=3)
    (calls,) = report.kpis
    assert (calls.total, calls.quota, calls.shortfall) == (Decimal(60), Decimal(60), None)
    # May from the 5th: nothing logged in May yet, 360 over 18 days; 5–7 May work this week.
    assert (calls.next_daily, calls.next_quota, calls.next_days) == (
        Decimal(20), Decimal(60), 3)


def test_without_any_plan_a_report_still_sums_the_period() -> None:
    team = state(None)
    report = person_report(WEEK, MONDAY, MONDAY, ANNA, [], team, april_ledger(), streak=5)
    (calls,) = report.kpis
    assert not report.has_plan
    assert (calls.total, calls.quota, calls.next_quota) == (Decimal(78), None, None)


@pytest.mark.parametrize(("start", "end", "again"), [
    (date(2025, 4, 1), date(2025, 4, 30), (date(2025, 5, 1), date(2025, 5, 31))),
    (date(2025, 1, 1), date(2025, 1, 31), (date(2025, 2, 1), date(2025, 2, 28))),
    (date(2025, 4, 7), date(2025, 4, 20), (date(2025, 4, 21), date(2025, 5, 4))),
])
def test_a_plan_repeats_as_the_next_calendar_month_or_the_same_number_of_days(
    start: date, end: date, again: tuple[date, date]
) -> None:
    plan = repeated_plan(Plan(1, start, end, id=5))
    assert (plan.period_start, plan.period_end, plan.id) == (*again, None)
