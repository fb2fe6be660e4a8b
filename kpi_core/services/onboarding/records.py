"""What onboarding stores and reads back: the person's team, its plan and their KPI set.

A person who finishes the setup owns a team (named after them) whose plan is split over
:attr:`~kpi_core.model.Team.planned_size` people, those who have not joined yet being vacant
seats (:mod:`kpi_core.planning.team`). In someone else's team the plan is the owner's: only the
person's KPI set is theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import Unit, get_kpi
from kpi_core.errors import DomainError
from kpi_core.model import Membership, Plan, PlanTarget, Team, TeamRole
from kpi_core.planning.calendar import Period
from kpi_core.planning.team import team_daily
from kpi_core.services import membership as team_ops
from kpi_core.services.onboarding.context import Ctx
from kpi_core.services.onboarding.derive import derive_targets, is_summed
from kpi_core.services.onboarding.plan import ComputedPlan, compute_plan, people_of
from kpi_core.services.onboarding.views import PlanSummary, Quota
from kpi_core.services.permissions import TeamAction, allows


def owned_team(ctx: Ctx) -> Team | None:
    """The team the person owns, if any."""
    for membership in ctx.uow.teams.memberships_of(ctx.user_id):
        if membership.role is TeamRole.OWNER and membership.left_on is None:
            return ctx.uow.teams.get(membership.team_id)
    return None


def others_team(ctx: Ctx) -> Team | None:
    """The team the person is in but may not plan for (see ``permissions``: the owner's):
    its plan is not theirs to change."""
    membership = ctx.membership()
    if membership is None or allows(membership, TeamAction.EDIT_PLAN, membership.team_id):
        return None
    return ctx.uow.teams.get(membership.team_id)


def person_plan(ctx: Ctx, answers: Mapping[str, Any]) -> ComputedPlan | None:
    """The saved plan as the person sees it: their own, or their team's with their quotas."""
    team = others_team(ctx)
    if team is not None:
        return team_plan(ctx, team)
    current = ctx.membership()
    try:
        return compute_plan(
            answers, ctx.today, ctx.deps.calendars, ctx.user.country, ctx.user.working_weekdays,
            starts=current.joined_on if current else None,
        )
    except (KeyError, DomainError):  # a country without a calendar (old data), no working days
        return None


def saved_plan(ctx: Ctx) -> PlanSummary | None:
    """The headline of the person's saved plan, if any."""
    answers = ctx.profile_record()
    if not answers:
        return None
    plan = person_plan(ctx, answers)
    return plan.summary if plan else None


def team_plan(ctx: Ctx, team: Team) -> ComputedPlan | None:
    """The team's plan in force today with the person's own daily quotas, the team split over
    its planned head count (people not joined yet are vacant seats)."""
    assert team.id is not None
    plan = ctx.uow.plans.current(team.id, ctx.today)
    if plan is None or not plan.targets:
        return None
    quotas: dict[str, Quota] = {}
    for target in plan.targets:
        split = team_ops.team_split(ctx.uow, ctx.deps.calendars, team, plan, target.kpi_id)
        if split is None:
            continue
        quota, people = split
        try:
            mine = quota.person(ctx.user_id)
        except KeyError:  # they do not track this KPI
            continue
        money = get_kpi(target.kpi_id).unit is Unit.MONEY
        quotas[target.kpi_id] = Quota(
            target=target.target,
            per_person=mine.daily,
            team_daily=team_daily(quota),
            people=people,
            working_days=len(mine.schedule),
            currency=plan.currency if money else None,
        )
    main = plan.targets[0]
    if main.kpi_id not in quotas:
        return None
    period = Period(plan.period_start, plan.period_end)
    summary = PlanSummary(get_kpi(main.kpi_id), quotas[main.kpi_id], period, main.baseline)
    targets = {t.kpi_id: (t.target, t.baseline) for t in plan.targets}
    return ComputedPlan(summary, targets, quotas, ())


def last_actuals(ctx: Ctx, period: Period, kpi_ids: Sequence[str]) -> dict[str, Decimal]:
    """What the person's team logged for each summed KPI of ``kpi_ids`` in the period of the
    same length just before ``period`` (KPIs without entries then are left out)."""
    length = (period.end - period.start).days + 1
    start, end = period.start - timedelta(days=length), period.start - timedelta(days=1)
    team = owned_team(ctx)
    ids = [m.user_id for m in ctx.uow.teams.members(team.id)] if team and team.id else []
    wanted = {k for k in kpi_ids if is_summed(k)}
    sums: dict[str, Decimal] = {}
    for entry in ctx.uow.entries.in_range(ids or [ctx.user_id], start, end):
        if entry.kpi_id in wanted and entry.value is not None:
            sums[entry.kpi_id] = sums.get(entry.kpi_id, Decimal(0)) + entry.value
    return sums


def targets_of(
    ctx: Ctx, plan: ComputedPlan, answers: Mapping[str, Any], kpis: Sequence[str]
) -> list[PlanTarget]:
    """The plan's targets to store: the plan's KPI first, then every KPI of the set that has
    a target (:func:`~.derive.derive_targets`), with the baselines the answers gave."""
    found = derive_targets(plan, kpis, answers, last_actuals(ctx, plan.summary.period, kpis))
    stored = []
    for kpi_id, (target, baseline) in plan.targets.items():
        derived = found.get(kpi_id)
        amount = derived.amount if derived is not None and is_summed(kpi_id) else target
        stored.append(PlanTarget(kpi_id, amount, baseline))
    stored.extend(
        PlanTarget(t.kpi_id, t.amount) for t in found.values()
        if t.kpi_id not in plan.targets and is_summed(t.kpi_id)
    )
    return stored


def store_plan(ctx: Ctx, answers: Mapping[str, Any], kpis: Sequence[str]) -> ComputedPlan | None:
    """Create or update the person's team, its plan (targets, planned head count) and the
    person's KPI assignments.

    In someone else's team only the person's KPI set changes: the plan is the owner's.
    """
    user = ctx.user
    team = owned_team(ctx)
    if team is None:
        current = ctx.membership()
        if current is not None:
            ctx.uow.assignments.replace(ctx.user_id, current.team_id, list(kpis))
            return None
        team = ctx.uow.teams.add(
            Team(name=user.display_name or str(user.telegram_id), owner_user_id=ctx.user_id)
        )
        assert team.id is not None
        ctx.uow.teams.add_member(
            Membership(team_id=team.id, user_id=ctx.user_id, role=TeamRole.OWNER,
                       joined_on=ctx.today)
        )
    assert team.id is not None
    if answers and team.planned_size != people_of(answers):
        team.planned_size = people_of(answers)
        ctx.uow.teams.save(team)
    plan = compute_plan(
        answers, ctx.today, ctx.deps.calendars, user.country, user.working_weekdays
    )
    if plan is not None:
        targets = targets_of(ctx, plan, answers, kpis)
        period = plan.summary.period
        existing = next(
            (p for p in ctx.uow.plans.of_team(team.id)
             if p.period_start == period.start and p.period_end == period.end),
            None,
        )
        if existing is not None:
            existing.targets = targets
            existing.currency = plan.summary.quota.currency or existing.currency
            ctx.uow.plans.save(existing)
        else:
            ctx.uow.plans.add(
                Plan(
                    team_id=team.id,
                    period_start=period.start,
                    period_end=period.end,
                    currency=plan.summary.quota.currency or "RUB",
                    targets=targets,
                    created_by=ctx.user_id,
                )
            )
    ctx.uow.assignments.replace(ctx.user_id, team.id, list(kpis))
    return plan


def invite_for(ctx: Ctx) -> tuple[str | None, int | None]:
    """The invite code of the team the person leads, when more people share its plan."""
    managed = team_ops.managed_team(ctx.uow, ctx.user_id)
    if managed is None or (managed[0].planned_size or 1) <= 1:
        return None, None
    team = managed[0]
    code = team_ops.ensure_invite_code(ctx.uow, team, ctx.deps.new_invite_code,
                                       ctx.deps.clock.now())
    return code, team.planned_size
