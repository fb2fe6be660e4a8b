"""``/kpis`` → targets: see each KPI's target for the period and the daily quota it implies,
change it (type a target, the average deal or a conversion of the funnel), then save.

Steps of the ``kpis`` flow: ``targets`` (the list) and ``target`` (typing one value; the
conversation's ``editing`` says which). What is typed is kept in the conversation until Save,
then in the person's answers (``"targets"``, ``"funnel"``), so that a later change of the plan
works the derived targets out again. The targets of a team belong to its owner: a member sees
them, and any press that would change them is refused here, whatever the buttons offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import get_kpi
from kpi_core.advice.questionnaire import answers_on_path
from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState
from kpi_core.parsing.numbers import parse_amount, parse_rate
from kpi_core.planning.quotas import MONEY_QUANTUM
from kpi_core.services.onboarding.context import (
    FLOW_KPIS,
    FLOW_ONBOARDING,
    STEP_TARGET,
    STEP_TARGETS,
    Ctx,
    qstate,
    reply,
)
from kpi_core.services.onboarding.derive import (
    AVG_DEAL,
    DEFAULT_RATES,
    PARAMS,
    RATE_KPIS,
    Target,
    derive_targets,
    is_summed,
    money,
    settings_of,
)
from kpi_core.services.onboarding.plan import ComputedPlan, split
from kpi_core.services.onboarding.records import last_actuals, others_team, person_plan
from kpi_core.services.onboarding.views import (
    Action,
    ButtonPress,
    FunnelParam,
    Quota,
    Reply,
    TargetLine,
    TargetsView,
)

_TEAM_TARGETS = N_("The targets belong to your team: only its owner can change them.")
_ABOVE_ZERO = N_("Send a number above zero, like {example}.")
_WHOLE = N_("Send a whole number, like {example}.")
_KOPECKS = N_("Send the amount to the kopeck at most, like {example}.")
_BAD_RATE = N_("Send a conversion from 1% to 100%, like 20%.")

_SALES_STAGES = frozenset({"cold_calls", "meetings", "proposals_sent", "closed_deals",
                           "new_customers", "leads", "qualified_leads"})
_LEAD_STAGES = frozenset({"leads", "qualified_leads"})


# -- reading -----------------------------------------------------------------------------------


def edited_answers(ctx: Ctx, conv: ConversationState | None) -> dict[str, Any]:
    """The saved answers with what was typed on the targets screen and not saved yet."""
    answers = ctx.profile_record()
    if conv is None:
        return answers
    if conv.flow == FLOW_ONBOARDING:
        answers = answers_on_path(qstate(conv))
    for key in ("funnel", "targets"):
        if key in conv.data:
            answers[key] = dict(conv.data[key])
    return answers


def targets_for(
    ctx: Ctx, plan: ComputedPlan | None, kpi_ids: Sequence[str], answers: Mapping[str, Any]
) -> dict[str, Target]:
    """Each KPI's target: the team's stored ones for a member, else worked out."""
    team = others_team(ctx)
    if team is not None:
        return {k: Target(k, t, "plan") for k, (t, _) in (plan.targets.items() if plan else ())}
    last = last_actuals(ctx, plan.summary.period, kpi_ids) if plan is not None else {}
    return derive_targets(plan, kpi_ids, answers, last)


def _quota(plan: ComputedPlan, target: Target) -> Quota | None:
    if not is_summed(target.kpi_id) or not plan.days:
        return None
    if target.kpi_id in plan.quotas and target.amount == plan.quotas[target.kpi_id].target:
        return plan.quotas[target.kpi_id]
    currency = plan.summary.quota.currency if money(target.kpi_id) else None
    try:
        return split(target.amount, plan.summary.quota.people, plan.days, currency)
    except DomainError:
        return None


def quotas_for(
    ctx: Ctx, conv: ConversationState | None, plan: ComputedPlan | None, kpi_ids: Sequence[str]
) -> dict[str, Quota] | None:
    """The daily quota of each KPI of the set that has a target."""
    if plan is None:
        return None
    if others_team(ctx) is not None or not plan.days:
        return plan.quotas  # the team's own split of its stored targets
    found = targets_for(ctx, plan, kpi_ids, edited_answers(ctx, conv))
    quotas = {}
    for kpi_id, target in found.items():
        quota = _quota(plan, target)
        if quota is not None:
            quotas[kpi_id] = quota
    return quotas


def _relevant_params(plan: ComputedPlan | None, kpi_ids: Sequence[str]) -> list[str]:
    if plan is None:
        return []
    chosen = set(kpi_ids)
    if plan.summary.kpi.id == "leads":
        return ["lead_to_qualified"] if "qualified_leads" in chosen else []
    names: list[str] = []
    if chosen & _SALES_STAGES or chosen & set(RATE_KPIS):
        names += [AVG_DEAL, "call_to_meeting", "meeting_to_proposal", "proposal_to_deal"]
    if chosen & _LEAD_STAGES:
        names += ["qualified_to_deal", "lead_to_qualified"]
    return names


def targets_view(ctx: Ctx, conv: ConversationState) -> TargetsView:
    """The targets screen of ``conv``."""
    answers = edited_answers(ctx, conv)
    plan = person_plan(ctx, answers)
    kpi_ids = [str(k) for k in conv.data.get("kpis", [])]
    found = targets_for(ctx, plan, kpi_ids, answers)
    lines = []
    for kpi_id in kpi_ids:
        target = found.get(kpi_id)
        currency = plan.summary.quota.currency if plan and money(kpi_id) else None
        lines.append(TargetLine(
            kpi=get_kpi(kpi_id),
            target=target.amount if target else None,
            source=target.source if target else None,
            quota=_quota(plan, target) if plan and target else None,
            currency=currency,
            rate=kpi_id in RATE_KPIS,
        ))
    params, _ = settings_of(answers)
    shown = tuple(
        FunnelParam(
            name, params.get(name, DEFAULT_RATES.get(name)), name in params,
            plan.summary.quota.currency if plan and name == AVG_DEAL else None,
        )
        for name in _relevant_params(plan, kpi_ids)
    )
    editing = str(conv.data.get("editing")) if conv.step == STEP_TARGET else None
    return TargetsView(
        lines=tuple(lines),
        params=shown,
        period=plan.summary.period if plan else None,
        editing=editing,
        can_edit=others_team(ctx) is None,
    )


# -- pressing and typing -----------------------------------------------------------------------


def _save(ctx: Ctx, conv: ConversationState, step: str, **changes: Any) -> ConversationState:
    data = dict(conv.data)
    data.update(changes)
    return ctx.save_state(replace(conv, step=step, data=data), new_token=True)


def _shown(ctx: Ctx, conv: ConversationState, **kw: Any) -> Reply:
    return reply(ctx, targets_view(ctx, conv), conv, **kw)


def press_targets(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """A button that edits a target: type one, a funnel parameter, or reset one (``None``: it
    does not fit; Save and Back are the review's)."""
    action, arg = pressed.action, pressed.arg()
    editing_actions = (Action.EDIT_TARGET, Action.EDIT_PARAM, Action.RESET)
    if conv.flow != FLOW_KPIS or action not in editing_actions:
        return None
    view = targets_view(ctx, conv)
    if not view.can_edit:  # checked here, whatever the buttons on screen offered
        return _shown(ctx, conv, error=Message(_TEAM_TARGETS), moved=False)
    kpis = {line.kpi.id for line in view.lines if line.source != "plan"}  # /plan changes it
    params = {p.name for p in view.params}
    if action == Action.EDIT_TARGET and arg in kpis and is_summed(arg) and arg not in RATE_KPIS:
        return _shown(ctx, _save(ctx, conv, STEP_TARGET, editing=arg))
    if action == Action.EDIT_PARAM and (arg in params or arg in {RATE_KPIS.get(k) for k in kpis}):
        return _shown(ctx, _save(ctx, conv, STEP_TARGET, editing=arg))
    if action == Action.RESET and conv.step == STEP_TARGET:
        editing = str(conv.data.get("editing", ""))
        key = "funnel" if editing in PARAMS else "targets"
        kept = {k: v for k, v in dict(conv.data.get(key) or {}).items() if k != editing}
        return _shown(ctx, _save(ctx, conv, STEP_TARGETS, editing=None, **{key: kept}))
    return None


def typed_target(ctx: Ctx, conv: ConversationState, text: str) -> Reply:
    """A value typed for the target or parameter being edited."""
    editing = str(conv.data.get("editing", ""))
    if others_team(ctx) is not None:
        return _shown(ctx, conv, error=Message(_TEAM_TARGETS), moved=False)
    try:
        value = _parse(editing, text, ctx.language)
    except DomainError as exc:
        return _shown(ctx, conv, error=exc.message, moved=False)
    key = "funnel" if editing in PARAMS else "targets"
    values = dict(conv.data.get(key) or ctx.profile_record().get(key) or {})
    values[editing] = str(value)
    return _shown(ctx, _save(ctx, conv, STEP_TARGETS, editing=None, **{key: values}))


class _Refused(DomainError):
    pass


def _parse(editing: str, text: str, language: str) -> Decimal:
    if editing in DEFAULT_RATES:
        share = parse_rate(text, language)
        if share > 1 and "%" not in text:  # "20" means 20 %; "150%" is 1.5
            share = share / 100
        if not Decimal("0.01") <= share <= 1:
            raise _Refused(Message(_BAD_RATE))
        return share
    value = parse_amount(text, language)
    whole = editing != AVG_DEAL and not money(editing)
    example = "120" if whole else "45000"
    if value <= 0:
        raise _Refused(Message(_ABOVE_ZERO, {"example": example}))
    if whole and value != value.to_integral_value():
        raise _Refused(Message(_WHOLE, {"example": int(value) or 1}))
    if not whole and value != value.quantize(MONEY_QUANTUM):
        raise _Refused(Message(_KOPECKS, {"example": example}))
    return value
