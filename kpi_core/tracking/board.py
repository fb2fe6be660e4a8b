"""The team board (``/team`` → 📊): where each person and the team stand, as of now.

Pure computation over the data the use case has loaded (:class:`~kpi_core.tracking.digest.
TeamState`, :class:`~kpi_core.tracking.digest.Ledger`); no I/O, no text. It builds on the
team digest (:func:`~kpi_core.tracking.digest.team_digest` with today's results counted) and
adds what a manager looks at during the day:

* **each person**: every KPI's actual against their own target, completion, pace status and
  forecast (:class:`MemberRow`);
* **who has not logged yesterday**, among the people for whom yesterday was a working day (a
  day off, a weekend or a day before they joined is not "missing");
* **the team funnel**, its two parts side by side as the seeds separate them: marketing brings
  leads at a cost (:class:`MarketingPart`: leads, marketing spend, cost per lead = spend ÷
  leads) and sales turns them into money (:class:`SalesPart`: lead → qualified lead → deal
  conversions, revenue, average deal = revenue ÷ deals). A part, and each figure in it, is
  there only when the team logs the metrics it needs (a KPI of the catalog whose inputs they
  are: ``leads`` or ``cost_per_lead`` for leads, ``cost_per_lead`` for the spend,
  ``qualified_leads`` or ``lead_to_qualified`` for qualified leads, and so on);
* **the one number the team needs today** (:class:`TodayNeed`): for the plan's main KPI, what
  is left of everyone's target at the start of today spread over their working days left,
  today included — the sum of the catch-up quotas the digest gives each person
  (:func:`~kpi_core.tracking.digest.catch_up_today`).

Example (worked in ``tests/unit/test_board.py``): marketing spent 60,000 ₽ on 120 leads in
April so far: 500 ₽ a lead; sales qualified 96 of them (80 %) and closed 24 deals (25 % of the
qualified leads, 20 % of all leads) for 1,080,000 ₽: 45,000 ₽ an average deal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from kpi_core.advice.catalog import Aggregation, Direct, Kpi, Unit, get_kpi
from kpi_core.messages import Message
from kpi_core.planning.quotas import MONEY_QUANTUM, round_to_quantum
from kpi_core.tracking.digest import (
    KpiStanding,
    Ledger,
    TeamKpiLine,
    TeamPersonLine,
    TeamState,
    team_digest,
)
from kpi_core.tracking.progress import RATIO_QUANTUM, Status

__all__ = [
    "Board",
    "MarketingPart",
    "MemberKpi",
    "MemberRow",
    "SalesPart",
    "TodayNeed",
    "build_board",
    "conversion",
    "for_member",
    "per_unit",
]

# Metric ids of the catalog (kpi_core/advice/catalog.py) the funnel adds up.
LEADS = "leads"
MARKETING_SPEND = "marketing_spend"
QUALIFIED_LEADS = "qualified_leads"
CLOSED_DEALS = "closed_deals"
REVENUE = "revenue"


# -- the figures ---------------------------------------------------------------------------
def conversion(later: Decimal | None, earlier: Decimal | None) -> Decimal | None:
    """The share of ``earlier`` that reached the ``later`` stage, to four places (0.8 = 80 %).

    ``None`` when either stage is not tracked or nothing reached the earlier one yet.

    Example: 96 qualified leads of 120 leads → ``Decimal("0.8000")``.
    """
    if later is None or earlier is None or earlier <= 0:
        return None
    return round_to_quantum(Fraction(later) / Fraction(earlier), RATIO_QUANTUM)


def per_unit(amount: Decimal | None, count: Decimal | None) -> Decimal | None:
    """Money per unit, to the kopeck, half up: spend per lead, revenue per deal.

    ``None`` when either is not tracked or the count is zero.

    Example: 60,000 ₽ over 120 leads → ``Decimal("500.00")``.
    """
    if amount is None or count is None or count <= 0:
        return None
    return round_to_quantum(Fraction(amount) / Fraction(count), MONEY_QUANTUM)


# -- the values ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MemberKpi:
    """One KPI of one person on the board.

    Attributes:
        kpi_id: The KPI.
        label: Its short label (``pgettext`` context ``"kpi"``).
        unit: Its unit (``PERCENT`` values are fractions).
        currency: The plan's currency.
        cumulative: True for summed KPIs, False for levels (conversions, averages).
        actual: The period's value so far (sum, or level); ``None`` without data.
        target: Their own target (their share; the level for levels); ``None`` without one.
        completion: ``actual ÷ target`` (summed KPIs with a target).
        status: Pace status (``None`` without a target).
        forecast: The period's projected end value (summed KPIs, after the first working day).
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    cumulative: bool
    actual: Decimal | None
    target: Decimal | None
    completion: Decimal | None
    status: Status | None
    forecast: Decimal | None


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One person on the board.

    Attributes:
        user_id: Who.
        name: Their display name.
        kpis: Their KPIs, in their display order.
        status: Their most urgent status (``None`` without targets).
        completion: Their mean completion of summed targets (for the ranking).
        logged_yesterday: Whether they logged anything yesterday; ``None`` when yesterday was
            not a working day for them.
    """

    user_id: int
    name: str
    kpis: tuple[MemberKpi, ...]
    status: Status | None
    completion: Decimal | None
    logged_yesterday: bool | None


@dataclass(frozen=True, slots=True)
class MarketingPart:
    """The marketing side of the funnel: leads and what they cost.

    Attributes:
        leads: Leads so far this period.
        spend: Marketing spend so far (``None``: the team does not log it).
        cost_per_lead: ``spend ÷ leads`` (``None`` without spend or without leads yet).
    """

    leads: Decimal
    spend: Decimal | None
    cost_per_lead: Decimal | None


@dataclass(frozen=True, slots=True)
class SalesPart:
    """The sales side of the funnel: leads → qualified leads → deals → money.

    A stage the team does not log is ``None``, and so is every figure that needs it.

    Attributes:
        leads: Leads so far this period.
        qualified: Qualified leads so far.
        deals: Closed deals so far.
        lead_to_qualified: ``qualified ÷ leads``.
        qualified_to_deal: ``deals ÷ qualified``.
        lead_to_deal: ``deals ÷ leads``.
        revenue: Revenue so far.
        average_deal: ``revenue ÷ deals``.
    """

    leads: Decimal | None
    qualified: Decimal | None
    deals: Decimal | None
    lead_to_qualified: Decimal | None
    qualified_to_deal: Decimal | None
    lead_to_deal: Decimal | None
    revenue: Decimal | None
    average_deal: Decimal | None


@dataclass(frozen=True, slots=True)
class TodayNeed:
    """The one number the team needs today to stay on plan.

    Attributes:
        kpi_id: The plan's main KPI (its first summed target).
        label: Its short label.
        unit: Its unit.
        currency: The plan's currency.
        amount: What today needs: each person's rest of target at the start of today over
            their working days left (today included), in whole quanta, added up.
        remaining: What is left of the people's targets at the start of today.
        days_left: Working days left in the period, today included.
        done_today: What has been logged for it today so far.
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    amount: Decimal
    remaining: Decimal
    days_left: int
    done_today: Decimal


@dataclass(frozen=True, slots=True)
class Board:
    """The team board.

    Attributes:
        team_id: The team.
        team_name: Its name.
        today: The viewer's local date.
        has_plan: Whether a plan covers today.
        totals: The team's KPIs, summed over everyone (the team digest's lines).
        members: Everyone still in the team, best completion first (a member's board: only
            themselves).
        yesterday: The day ``missing`` is about.
        missing: Who has not logged ``yesterday`` although it was a working day for them
            (names; empty on a member's board, which keeps only the count).
        missing_count: How many they are.
        worked_yesterday: How many people had ``yesterday`` as a working day.
        marketing: The marketing part of the funnel (``None``: the team logs no leads).
        sales: The sales part (``None``: no conversion or average deal can be tracked).
        need: The one number for today (``None``: no plan, or no working day left).
        everyone: False on a member's board (their own line and the team's aggregates).
    """

    team_id: int
    team_name: str
    today: date
    has_plan: bool
    totals: tuple[TeamKpiLine, ...]
    members: tuple[MemberRow, ...]
    yesterday: date
    missing: tuple[str, ...]
    missing_count: int
    worked_yesterday: int
    marketing: MarketingPart | None
    sales: SalesPart | None
    need: TodayNeed | None
    everyone: bool = True


# -- building it ---------------------------------------------------------------------------
def build_board(team: TeamState, ledger: Ledger, *, today: date) -> Board:
    """The board of ``team`` on local ``today``, today's results counted.

    Args:
        team: The team and the plan in force on ``today``.
        ledger: The team's entries for the plan's period up to ``today``.
        today: The local date (the viewer's).

    Returns:
        The board as the owner and admins see it; :func:`for_member` narrows it.
    """
    yesterday = today - timedelta(days=1)
    digest = team_digest(team, ledger, today=today, report_day=yesterday, include_today=True)
    rows = tuple(_row(team, line, yesterday) for line in digest.people)
    missing = tuple(r.name for r in rows if r.logged_yesterday is False)
    marketing, sales = _funnel(team, ledger, today)
    return Board(
        team_id=team.team_id, team_name=team.name, today=today, has_plan=team.plan is not None,
        totals=digest.lines, members=rows, yesterday=yesterday, missing=missing,
        missing_count=len(missing),
        worked_yesterday=sum(1 for r in rows if r.logged_yesterday is not None),
        marketing=marketing, sales=sales,
        need=_today_need(team, ledger, digest.people, today),
    )


def for_member(board: Board, user_id: int) -> Board:
    """The board a member sees: their own line and the team's aggregates, no one else's
    figures or names."""
    own = tuple(r for r in board.members if r.user_id == user_id)
    return replace(board, members=own, missing=(), everyone=False)


def _row(team: TeamState, line: TeamPersonLine, yesterday: date) -> MemberRow:
    member = team.member(line.user_id)
    working = member is not None and member.schedule.is_working_day(yesterday)
    return MemberRow(
        user_id=line.user_id, name=line.name,
        kpis=tuple(_member_kpi(s) for s in line.standings), status=line.status,
        completion=line.completion, logged_yesterday=line.reported if working else None,
    )


def _member_kpi(s: KpiStanding) -> MemberKpi:
    p = s.progress
    return MemberKpi(
        kpi_id=s.kpi_id, label=s.label, unit=s.unit, currency=s.currency,
        cumulative=s.cumulative,
        actual=p.actual if p is not None else s.period_value,
        target=s.target if p is None else p.target,
        completion=p.completion if p is not None and s.cumulative else None,
        status=p.status if p is not None else None,
        forecast=p.projected if p is not None and s.cumulative else None,
    )


def _tracked_metrics(team: TeamState) -> set[str]:
    """The metrics somebody in the team logs (the inputs of the KPIs they track)."""
    return {m.id for member in team.members for k in member.kpi_ids for m in get_kpi(k).inputs}


def _metric_total(team: TeamState, ledger: Ledger, metric: str, tracked: set[str],
                  start: date, end: date) -> Decimal | None:
    """The team's sum of ``metric`` from ``start`` to ``end`` (``None``: nobody logs it).

    Everyone of the period counts, as in the team's totals: someone removed mid-period
    brought their leads and deals too.
    """
    if metric not in tracked:
        return None
    return sum((ledger.total(m.user_id, metric, start, end) for m in team.members), Decimal(0))


def _funnel(
    team: TeamState, ledger: Ledger, today: date
) -> tuple[MarketingPart | None, SalesPart | None]:
    plan = team.plan
    if plan is None:
        return None, None
    tracked = _tracked_metrics(team)
    end = min(today, plan.period_end)

    def total(metric: str) -> Decimal | None:
        return _metric_total(team, ledger, metric, tracked, plan.period_start, end)

    leads, spend = total(LEADS), total(MARKETING_SPEND)
    qualified, deals, revenue = total(QUALIFIED_LEADS), total(CLOSED_DEALS), total(REVENUE)
    marketing = None
    if leads is not None:
        marketing = MarketingPart(leads, spend, per_unit(spend, leads))
    pairs = ((leads, qualified), (qualified, deals), (leads, deals), (revenue, deals))
    sales = None
    if any(a is not None and b is not None for a, b in pairs):
        sales = SalesPart(
            leads=leads, qualified=qualified, deals=deals,
            lead_to_qualified=conversion(qualified, leads),
            qualified_to_deal=conversion(deals, qualified),
            lead_to_deal=conversion(deals, leads),
            revenue=revenue, average_deal=per_unit(revenue, deals),
        )
    return marketing, sales


def _main_kpi(team: TeamState) -> Kpi | None:
    """The plan's first summed target with a split (the KPI the weights screen shares)."""
    if team.plan is None:
        return None
    for target in team.plan.targets:
        kpi = get_kpi(target.kpi_id)
        if kpi.aggregation is Aggregation.SUM and team.quota(kpi) is not None:
            return kpi
    return None


def _today_need(
    team: TeamState, ledger: Ledger, people: Iterable[TeamPersonLine], today: date
) -> TodayNeed | None:
    kpi = _main_kpi(team)
    plan = team.plan
    split = team.quota(kpi) if kpi is not None else None
    if kpi is None or split is None or plan is None:
        return None
    metric = kpi.formula.metric.id if isinstance(kpi.formula, Direct) else kpi.id
    amount = remaining = done_today = Decimal(0)
    days: set[date] = set()
    counted = False
    for line in people:
        standing = next((s for s in line.standings if s.kpi_id == kpi.id), None)
        person = split.person(line.user_id)
        if standing is None or standing.today_quota is None or person is None:
            continue  # not theirs, or today is not a working day of theirs
        counted = True
        amount += standing.today_quota
        before = ledger.total(line.user_id, metric, plan.period_start, today - timedelta(days=1))
        remaining += max(person.total - before, Decimal(0))
        days.update(d for d in person.working_days if d >= today)
        done_today += ledger.value(line.user_id, metric, today) or Decimal(0)
    if not counted:
        return None  # no working day left for anyone, or today is nobody's working day
    return TodayNeed(
        kpi_id=kpi.id, label=kpi.short_message, unit=kpi.unit, currency=plan.currency,
        amount=amount, remaining=remaining, days_left=len(days), done_today=done_today,
    )
