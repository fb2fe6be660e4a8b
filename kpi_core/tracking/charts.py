"""What the ``/progress`` charts show: a period's days, plan, actuals, pace and forecast.

Pure values, no drawing (``bot/charts.py`` draws them). One :class:`KpiChart` per summed KPI
of a person with a target, built from the same numbers as ``/today`` and the digest: the
person's share of the plan and its daily amounts (:class:`~kpi_core.planning.quotas.PersonQuota`
over their :class:`~kpi_core.planning.calendar.WorkSchedule`, so the shaded days off are the
production calendar's, transfers and holidays included) and the logged values of the
:class:`~kpi_core.tracking.digest.Ledger`.

Every per-day series has one item per calendar day of the period (``KpiChart.days``); ``None``
where it does not apply (no actual after today, no required pace before it).

* **Plan line**: the cumulative daily quota; it ends at the person's target.
* **Cumulative actual**: up to the last day that counts (today once logged, else yesterday).
* **Required pace**: from that point, what is left (:attr:`Progress.remaining`) spread evenly
  over the remaining working days (:attr:`Progress.need_per_day_exact`): it ends at the target.
* **Forecast band**: the current pace (the mean of the elapsed working days, an unlogged
  working day counting as zero) carried to the period end — it ends at
  :attr:`Progress.projected`, the digest's forecast — plus and minus the spread of the daily
  values: after ``k`` more working days, ``σ·√k`` (the spread of a sum of ``k`` days like the
  past ones). The lower edge never falls below what is already done.

Example: 440 calls in April 2025 (22 working days, 20 a day) and 150 by the evening of
Wednesday 9 April (7 days): the forecast ends at 150 × 22 ÷ 7 = 471 calls, the required pace
asks for 290 ÷ 15 = 19.33 a day and ends at 440.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from kpi_core.advice.catalog import Aggregation, Direct, Kpi, Unit, get_kpi
from kpi_core.messages import Message
from kpi_core.planning.quotas import round_to_quantum
from kpi_core.tracking.digest import Ledger, TeamState, quantum_for, team_digest
from kpi_core.tracking.progress import Direction, Progress, Status, progress

__all__ = [
    "KpiChart",
    "MemberBar",
    "TeamChart",
    "TeamKpiBars",
    "kpi_chart",
    "person_charts",
    "team_chart",
]


@dataclass(frozen=True, slots=True)
class KpiChart:
    """One KPI of one person over the plan's period (see the module docs).

    Attributes:
        kpi_id: The KPI.
        label: Its short label (``pgettext`` context ``"kpi"``).
        unit: Its unit (money is drawn with the currency).
        currency: The plan's currency.
        days: Every calendar day of the period, in order.
        working: For each day, whether the person works (the quota's calendar).
        actual: What was logged each day (``None``: nothing, or a day that does not count yet).
        quota: The plan's amount for each day (zero on a day off).
        plan: The cumulative quota (the plan line).
        cumulative: The cumulative actual, up to :attr:`as_of`; ``None`` after it.
        required: The required-pace line from :attr:`as_of` to the period end.
        forecast: The forecast at the current pace from :attr:`as_of` to the end.
        forecast_low: The band's lower edge.
        forecast_high: The band's upper edge.
        target: The person's target for the period.
        today: Their local date.
        as_of: The last day whose values count (today once logged, else yesterday); ``None``
            before the period.
        progress: The progress on ``today`` (as ``/today`` shows it).
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    days: tuple[date, ...]
    working: tuple[bool, ...]
    actual: tuple[Decimal | None, ...]
    quota: tuple[Decimal, ...]
    plan: tuple[Decimal, ...]
    cumulative: tuple[Decimal | None, ...]
    required: tuple[Decimal | None, ...]
    forecast: tuple[Decimal | None, ...]
    forecast_low: tuple[Decimal | None, ...]
    forecast_high: tuple[Decimal | None, ...]
    target: Decimal
    today: date
    as_of: date | None
    progress: Progress

    @property
    def non_working(self) -> tuple[date, ...]:
        """The days shaded on the chart."""
        return tuple(d for d, w in zip(self.days, self.working, strict=True) if not w)

    @property
    def status(self) -> Status:
        """The progress status."""
        return self.progress.status


def kpi_chart(
    *,
    kpi_id: str,
    label: Message,
    unit: Unit,
    currency: str,
    start: date,
    end: date,
    working_days: Sequence[date],
    quotas: Mapping[date, Decimal],
    actuals: Mapping[date, Decimal],
    today: date,
    today_logged: bool,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    quantum: Decimal = Decimal("0.01"),
) -> KpiChart:
    """Build one KPI's chart from its plan and logged values.

    Args:
        kpi_id: The KPI.
        label: Its label.
        unit: Its unit.
        currency: The plan's currency.
        start: The period's first day.
        end: The period's last day.
        working_days: The person's working days of the period, in order.
        quotas: The plan's amount per working day (a day absent is zero).
        actuals: What was logged per day (a day absent: nothing).
        today: The local date.
        today_logged: Whether today's values are in (today then counts as done).
        direction: Higher or lower is better.
        quantum: Rounding step of the drawn amounts (kopecks, whole calls).

    Returns:
        The chart's series (see the module docs).
    """
    days = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    workset = frozenset(working_days)
    last = today if today_logged else today - timedelta(days=1)
    as_of = min(last, end) if last >= start else None
    target = sum((quotas.get(d, Decimal(0)) for d in days), Decimal(0))
    counted = {d: v for d, v in actuals.items() if as_of is not None and start <= d <= as_of}
    done = sum(counted.values(), Decimal(0))
    prog = progress(target, done, working_days, today, today_logged=today_logged,
                    direction=direction, quantum=quantum)

    plan: list[Decimal] = []
    cumulative: list[Decimal | None] = []
    running_plan, running = Decimal(0), Decimal(0)
    for d in days:
        running_plan += quotas.get(d, Decimal(0))
        plan.append(running_plan)
        if as_of is not None and d <= as_of:
            running += counted.get(d, Decimal(0))
            cumulative.append(running)
        else:
            cumulative.append(None)

    elapsed = [d for d in working_days if as_of is not None and d <= as_of]
    values = [Fraction(counted.get(d, Decimal(0))) for d in elapsed]
    mean = sum(values, Fraction(0)) / len(values) if values else None
    spread = _deviation(values, mean) if mean is not None else Fraction(0)
    need = prog.need_per_day_exact
    required: list[Decimal | None] = []
    forecast: list[Decimal | None] = []
    low: list[Decimal | None] = []
    high: list[Decimal | None] = []
    ahead = 0  # working days after as_of, up to the day drawn
    for d in days:
        if as_of is None or d < as_of:
            required.append(None)
            forecast.append(None)
            low.append(None)
            high.append(None)
            continue
        if d > as_of and d in workset:
            ahead += 1
        base = Fraction(done)
        required.append(None if need is None else round_to_quantum(base + need * ahead, quantum))
        if mean is None:
            forecast.append(None)
            low.append(None)
            high.append(None)
            continue
        mid = base + mean * ahead
        width = spread * Fraction(Decimal(ahead).sqrt())
        forecast.append(round_to_quantum(mid, quantum))
        low.append(round_to_quantum(max(mid - width, base), quantum))
        high.append(round_to_quantum(mid + width, quantum))
    return KpiChart(
        kpi_id=kpi_id, label=label, unit=unit, currency=currency, days=days,
        working=tuple(d in workset for d in days),
        actual=tuple(counted.get(d) for d in days),
        quota=tuple(quotas.get(d, Decimal(0)) for d in days),
        plan=tuple(plan), cumulative=tuple(cumulative), required=tuple(required),
        forecast=tuple(forecast), forecast_low=tuple(low), forecast_high=tuple(high),
        target=target, today=today, as_of=as_of, progress=prog,
    )


def _deviation(values: Sequence[Fraction], mean: Fraction) -> Fraction:
    """The sample standard deviation (zero for fewer than two values)."""
    if len(values) < 2:
        return Fraction(0)
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)
    return Fraction((Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt())


def _metric(kpi: Kpi) -> str:
    return kpi.formula.metric.id if isinstance(kpi.formula, Direct) else kpi.id


def person_charts(team: TeamState, user_id: int, ledger: Ledger, *, today: date) -> list[KpiChart]:
    """One chart per summed KPI of the person that has a target in the current plan.

    Args:
        team: Their team with the plan in force on ``today``.
        user_id: Who.
        ledger: Their entries from the period's start up to ``today``.
        today: Their local date.
    """
    member = team.member(user_id)
    plan = team.plan
    if member is None or plan is None:
        return []
    charts = []
    for kpi_id in member.kpi_ids:
        kpi = get_kpi(kpi_id)
        split = team.quota(kpi) if kpi.aggregation is Aggregation.SUM else None
        share = split.person(user_id) if split else None
        if share is None:
            continue
        metric = _metric(kpi)
        logged = ledger.logged_on(user_id, today, [m.id for m in kpi.inputs])
        actuals: dict[date, Decimal] = {}
        day = plan.period_start
        while day <= min(today, plan.period_end):
            value = ledger.value(user_id, metric, day)
            if value is not None:
                actuals[day] = value
            day += timedelta(days=1)
        charts.append(kpi_chart(
            kpi_id=kpi.id, label=kpi.short_message, unit=kpi.unit, currency=plan.currency,
            start=plan.period_start, end=plan.period_end, working_days=share.working_days,
            quotas={item.day: item.amount for item in share.schedule}, actuals=actuals,
            today=today, today_logged=logged, direction=Direction(kpi.direction.value),
            quantum=quantum_for(kpi),
        ))
    return charts


# -- the team ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MemberBar:
    """One person on one KPI of the team chart.

    Attributes:
        user_id: Who.
        name: Their display name.
        actual: Their result so far.
        target: Their own target (their share of the plan, or an individual target).
        expected: What their pace expects by now.
        status: Their status on this KPI.
    """

    user_id: int
    name: str
    actual: Decimal
    target: Decimal
    expected: Decimal
    status: Status


@dataclass(frozen=True, slots=True)
class TeamKpiBars:
    """One KPI of the team chart: everyone side by side against their own targets."""

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    members: tuple[MemberBar, ...]


@dataclass(frozen=True, slots=True)
class TeamChart:
    """The team chart (owners and admins): one group of bars per summed KPI of the plan."""

    team_name: str
    start: date
    end: date
    today: date
    kpis: tuple[TeamKpiBars, ...]


def team_chart(team: TeamState, ledger: Ledger, *, today: date) -> TeamChart | None:
    """Each listed member's actual against their target, per summed KPI (``None``: no plan).

    The figures are the team board's (:func:`~kpi_core.tracking.digest.team_digest` with
    today's values counted); stand-ins and people who left are not listed.
    """
    plan = team.plan
    if plan is None:
        return None
    digest = team_digest(team, ledger, today=today, report_day=None, include_today=True)
    people = sorted(digest.people, key=lambda p: (p.name, p.user_id))
    kpi_ids: list[str] = []
    for m in team.members:
        kpi_ids.extend(k for k in m.kpi_ids if k not in kpi_ids)
    groups = []
    for kpi_id in kpi_ids:
        kpi = get_kpi(kpi_id)
        if kpi.aggregation is not Aggregation.SUM:
            continue
        bars = tuple(
            MemberBar(p.user_id, p.name, s.progress.actual, s.progress.target,
                      s.progress.expected, s.progress.status)
            for p in people for s in p.standings
            if s.kpi_id == kpi_id and s.cumulative and s.progress is not None
        )
        if bars:
            groups.append(TeamKpiBars(kpi_id, kpi.short_message, kpi.unit, plan.currency, bars))
    return TeamChart(team.name, plan.period_start, plan.period_end, today, tuple(groups))
