"""Weekly and monthly reports: a closed period summed up, and what the next one asks for.

Pure computation over data the use cases have loaded (:class:`~kpi_core.tracking.digest.TeamState`
per plan, a :class:`~kpi_core.tracking.digest.Ledger`); no I/O, no text.

**When.** A weekly report goes out on the person's first working day of an ISO week (Monday,
or Tuesday after a Monday holiday) and reports on the previous week, Monday to Sunday; a
monthly report goes out on the first working day of a month (2 January is a holiday in
Russia, so is 1 May) and reports on the previous calendar month. Both come at the person's
morning digest time, right after the digest. The day is looked for within the week (the
month) only: someone on leave the whole week gets no weekly report that week.

**Key.** Each report is one row of the deliveries table keyed by (chat, kind, *the first day
of the week or month it goes out in*) — :func:`period_key` — not by the day it is due: a day
off marked later on the day a report went out moves "the first working day" but never makes a
second report for the same period.

**What a KPI says** (:class:`KpiReport`), for a summed KPI (calls, revenue):

* ``total`` — what was logged over the period;
* ``quota`` — the plan's share for those days: the person's daily amounts of the plan in force
  on each day, summed (days not covered by a plan count zero; no plan on any day: ``None``);
* ``completion`` — ``total ÷ quota``; ``shortfall`` — how far behind (higher is better:
  ``quota - total``; lower is better: ``total - quota``), ``None`` when not behind, with
  ``shortfall_ratio`` = ``shortfall ÷ quota``; the lagging KPIs (:attr:`PeriodReport.lagged`)
  are ranked by that ratio, the largest first;
* ``best_day`` / ``best_value`` — the day with the highest value (lowest when lower is better);
* ``next_daily`` / ``next_quota`` — **next period's quota at this pace**: what is still to do
  on the plan in force on the report day (its target minus everything logged in it before
  that day) spread over the working days left in the plan, leftover units first as in the
  digest's catch-up quota; ``next_daily`` is the report day's share and ``next_quota`` the
  share of the working days of the new week (month) that fall in the plan. When no plan is in
  force on the report day (the last one ended with the period), the ended plan is taken as
  repeated over the next calendar month (or the same number of days, for a plan that was not
  a calendar month) with the same targets: ``next_basis`` says which.

A level KPI (a conversion, an average) reports its level over the period (a ratio of sums)
against the target level, with the same ``completion`` and ``shortfall``; it has no quota per
day and no next quota.

Worked example (``tests/unit/test_reports.py``): a person whose April 2025 plan is 440 calls (22
working days, 20 a day) who logged 18, 25, 0, 20 and 15 calls on 7–11 April has a week's total
of 78 against a quota of 100: 78 %, 22 calls (22 %) behind, the best day is Tuesday 8 April
(25). By Monday 14 April they have 40 + 78 = 118 of the 440; the 322 left over the 13 working
days left are 24.77 a day: 25 on each of the first 10 days (leftover units first), 24 after,
so Monday needs 25 and the week of 14–18 April 125.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from fractions import Fraction

from kpi_core.advice.catalog import Aggregation, Direct, Direction, Kpi, Unit, get_kpi
from kpi_core.messages import Message
from kpi_core.model import Plan
from kpi_core.planning.calendar import Period
from kpi_core.planning.quotas import round_to_quantum
from kpi_core.tracking.digest import (
    Ledger,
    TeamState,
    _aggregate,
    _day_value,
    quantum_for,
)

__all__ = [
    "KpiReport",
    "NextBasis",
    "PeriodReport",
    "ReportKind",
    "next_period",
    "period_key",
    "person_report",
    "repeated_plan",
    "report_day",
    "reported_period",
]

_RATIO = Decimal("0.0001")


class ReportKind(StrEnum):
    """How long a report's period is."""

    WEEK = "week"
    MONTH = "month"


class NextBasis(StrEnum):
    """Which plan the next period's quota comes from."""

    PLAN = "plan"
    """The plan in force on the report day, catching up on what is left of it."""
    REPEATED = "repeated"
    """No plan is in force: the ended plan repeated with the same targets."""


# -- when ----------------------------------------------------------------------------------------
def period_key(kind: ReportKind, day: date) -> date:
    """The first day of the week (Monday) or the month that ``day`` is in: the report's key."""
    if kind is ReportKind.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(kind: ReportKind, key: date) -> Period:
    """The week (Monday to Sunday) or calendar month that starts on ``key``."""
    if kind is ReportKind.WEEK:
        return Period(key, key + timedelta(days=6))
    return Period.month(key.year, key.month)


def reported_period(kind: ReportKind, key: date) -> Period:
    """The closed period a report sent in the week (month) starting on ``key`` is about: the
    week or the calendar month before it."""
    if kind is ReportKind.WEEK:
        return Period(key - timedelta(days=7), key - timedelta(days=1))
    last = key - timedelta(days=1)
    return Period.month(last.year, last.month)


def report_day(kind: ReportKind, key: date, working: Callable[[date], bool]) -> date | None:
    """The first working day of the week (month) starting on ``key``; ``None`` when it has
    none."""
    for day in next_period(kind, key).days():
        if working(day):
            return day
    return None


# -- what ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KpiReport:
    """One KPI over a closed period (see the module docs for each figure).

    Attributes:
        kpi_id: The KPI.
        label: Its short label.
        unit: Its unit (``PERCENT`` values are fractions).
        currency: The plan's currency.
        cumulative: True for summed KPIs, False for levels.
        direction: Which way is better.
        total: The period's sum (or level); ``None`` when nothing was logged for a level.
        quota: The plan's share for the period's days (or the target level).
        completion: ``total ÷ quota`` (4 places).
        shortfall: How far behind the quota, ``None`` when not behind.
        shortfall_ratio: ``shortfall ÷ quota`` (4 places).
        best_day: The best day logged, if any.
        best_value: Its value.
        next_daily: What the report day needs to stay on plan.
        next_quota: What the new week (month) needs, in the plan.
        next_days: Working days of the new week (month) that ``next_quota`` is for.
        next_basis: Where the next quota comes from.
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    cumulative: bool
    direction: Direction
    total: Decimal | None
    quota: Decimal | None
    completion: Decimal | None = None
    shortfall: Decimal | None = None
    shortfall_ratio: Decimal | None = None
    best_day: date | None = None
    best_value: Decimal | None = None
    next_daily: Decimal | None = None
    next_quota: Decimal | None = None
    next_days: int = 0
    next_basis: NextBasis | None = None


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """A person's weekly or monthly report.

    Attributes:
        kind: Week or month.
        user_id: Who.
        period: The closed period reported on.
        today: The day it goes out (the first working day after).
        kpis: Each KPI, in the person's order.
        working_days: The person's working days in the period.
        logged_days: Those with anything logged.
        streak: Working days in a row logged up to the report day.
        has_plan: A plan covered some day of the period.
    """

    kind: ReportKind
    user_id: int
    period: Period
    today: date
    kpis: tuple[KpiReport, ...]
    working_days: int
    logged_days: int
    streak: int
    has_plan: bool

    @property
    def lagged(self) -> tuple[KpiReport, ...]:
        """The KPIs behind their quota, the furthest behind (relative) first."""
        behind = [k for k in self.kpis if k.shortfall is not None]
        behind.sort(key=lambda k: (-(k.shortfall_ratio or Decimal(0)), k.kpi_id))
        return tuple(behind)


def repeated_plan(plan: Plan) -> Plan:
    """``plan`` again right after it ends, with the same targets: the next calendar month
    for a calendar-month plan, else the same number of days."""
    start = plan.period_end + timedelta(days=1)
    if plan.period_start.day == 1 and plan.period_end == Period.month(
            plan.period_start.year, plan.period_start.month).end:
        end = date(start.year, start.month, _stdlib_calendar.monthrange(start.year,
                                                                        start.month)[1])
    else:
        end = start + (plan.period_end - plan.period_start)
    return replace(plan, period_start=start, period_end=end, id=None, created_at=None)


def person_report(
    kind: ReportKind,
    key: date,
    today: date,
    user_id: int,
    segments: Sequence[TeamState],
    current: TeamState,
    ledger: Ledger,
    streak: int,
) -> PeriodReport:
    """Build one person's report for the period before the week (month) starting on ``key``.

    Args:
        kind: Week or month.
        key: The first day of the week (month) the report goes out in (:func:`period_key`).
        today: The day it goes out.
        user_id: Who.
        segments: The team with each plan in force on some day of the period, the one in force
            on a day first (newest first, as ``PlanRepository.current`` picks).
        current: The team on ``today``, with the plan in force then (if any).
        ledger: The person's values over the period and, for the next quota, from the start of
            the plan in force on ``today`` up to the day before.
        streak: Working days in a row logged up to ``today`` (the digest's streak).
    """
    period = reported_period(kind, key)
    member = current.member(user_id) or next(
        (m for s in segments if (m := s.member(user_id)) is not None), None)
    if member is None:
        return PeriodReport(kind, user_id, period, today, (), 0, 0, streak, False)
    days = list(period.days())
    plan_on = {d: next((s for s in segments if s.plan is not None
                        and s.plan.period_start <= d <= s.plan.period_end), None) for d in days}
    working = [d for d in days if member.schedule.is_working_day(d)]
    metric_ids = {m.id for k in member.kpi_ids for m in get_kpi(k).inputs}
    logged = sum(1 for d in working if ledger.logged_on(user_id, d, metric_ids))
    nxt = _next_state(current, segments, today)
    reports = tuple(
        _kpi_report(get_kpi(k), user_id, days, plan_on, ledger, nxt, today, next_period(kind, key))
        for k in member.kpi_ids)
    return PeriodReport(kind, user_id, period, today, reports, len(working), logged, streak,
                        any(s is not None for s in plan_on.values()))


def _next_state(
    current: TeamState, segments: Sequence[TeamState], today: date
) -> tuple[TeamState, NextBasis] | None:
    plan = current.plan
    if plan is not None and plan.period_start <= today <= plan.period_end:
        return current, NextBasis.PLAN
    last = max((s for s in segments if s.plan is not None),
               key=lambda s: s.plan.period_end if s.plan else date.min, default=None)
    if last is None or last.plan is None:
        return None
    again = repeated_plan(last.plan)
    if not again.period_start <= today <= again.period_end:
        return None
    return replace(current, plan=again, _quotas={}), NextBasis.REPEATED


def _metric(kpi: Kpi) -> str:
    return kpi.formula.metric.id if isinstance(kpi.formula, Direct) else kpi.id


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return round_to_quantum(Fraction(part) / Fraction(whole), _RATIO) if whole else None


def _behind(kpi: Kpi, total: Decimal, quota: Decimal) -> Decimal | None:
    gap = quota - total if kpi.direction is Direction.HIGHER_IS_BETTER else total - quota
    return gap if gap > 0 else None


def _best(kpi: Kpi, values: dict[date, Decimal]) -> tuple[date | None, Decimal | None]:
    if not values:
        return None, None
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    # The best value; of equal ones, the earliest day.
    day = min(values, key=lambda d: ((-values[d] if higher else values[d]), d))
    return day, values[day]


def _kpi_report(
    kpi: Kpi,
    user_id: int,
    days: Sequence[date],
    plan_on: dict[date, TeamState | None],
    ledger: Ledger,
    nxt: tuple[TeamState, NextBasis] | None,
    today: date,
    coming: Period,
) -> KpiReport:
    plans = [s.plan for s in plan_on.values() if s is not None and s.plan is not None]
    currency = plans[-1].currency if plans else (
        nxt[0].plan.currency if nxt and nxt[0].plan else "RUB")
    values = {d: v for d in days if (v := _day_value(kpi, ledger, user_id, d)) is not None}
    best_day, best_value = _best(kpi, values)
    base = KpiReport(kpi.id, kpi.short_message, kpi.unit, currency,
                     kpi.aggregation is Aggregation.SUM, kpi.direction, None, None,
                     best_day=best_day, best_value=best_value)
    if kpi.aggregation is not Aggregation.SUM:
        return _level_report(kpi, user_id, days, plans, ledger, base)
    metric = _metric(kpi)
    total = ledger.total(user_id, metric, days[0], days[-1])
    quota: Decimal | None = None
    for d in days:
        state = plan_on[d]
        split = state.quota(kpi) if state is not None else None
        person = split.person(user_id) if split else None
        if person is not None:
            quota = (quota or Decimal(0)) + person.amount_on(d)
    base = replace(base, total=total, quota=quota)
    if quota:
        shortfall = _behind(kpi, total, quota)
        base = replace(base, completion=_ratio(total, quota), shortfall=shortfall,
                       shortfall_ratio=_ratio(shortfall, quota) if shortfall else None)
    if nxt is None:
        return base
    state, basis = nxt
    split = state.quota(kpi)
    person = split.person(user_id) if split else None
    if person is None or state.plan is None:
        return base
    q = quantum_for(kpi)
    done = (ledger.total(user_id, metric, state.plan.period_start, today - timedelta(days=1))
            if state.plan.period_start < today else Decimal(0))
    left = [d for d in person.working_days if d >= today]
    ahead = [d for d in left if d in coming]
    daily, week = _catch_up(person.total - done, len(left), len(ahead), q)
    return replace(base, next_daily=daily, next_quota=week, next_days=len(ahead),
                   next_basis=basis)


def _catch_up(
    remaining: Decimal, days_left: int, first: int, quantum: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """``remaining`` spread over ``days_left`` days in whole quanta, leftover quanta first (as
    :func:`kpi_core.tracking.digest.catch_up_today`): the first day's share and the sum of the
    first ``first`` days."""
    if days_left <= 0:
        return None, None
    if remaining <= 0:
        zero = Decimal(0) * quantum
        return zero, zero
    units = int((remaining / quantum).to_integral_value(rounding=ROUND_CEILING))
    share, leftover = divmod(units, days_left)
    head = share + (1 if leftover else 0)
    return head * quantum, (first * share + min(first, leftover)) * quantum


def _level_report(
    kpi: Kpi, user_id: int, days: Sequence[date], plans: Sequence[Plan], ledger: Ledger,
    base: KpiReport,
) -> KpiReport:
    level = _aggregate(kpi, [ledger.day_inputs(user_id, kpi, d) for d in days])
    target = next((t.target for p in reversed(plans) if (t := p.target_for(kpi.id))), None)
    base = replace(base, total=level, quota=target)
    if level is None or not target:
        return base
    shortfall = _behind(kpi, level, target)
    return replace(base, completion=_ratio(level, target), shortfall=shortfall,
                   shortfall_ratio=_ratio(shortfall, target) if shortfall else None)

