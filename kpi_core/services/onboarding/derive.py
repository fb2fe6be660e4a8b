"""A target for every KPI of the set: from the plan through the reverse funnel, from last
period's actual, or typed by the person (pure; the targets screen is :mod:`.targets`).

The sales funnel, with the seeds' rates as defaults (the person can change each)::

    lead --0.8--> qualified lead --0.25--> deal
    call --0.2--> meeting --0.5--> proposal --0.5--> deal;   revenue = deals × average deal

With a revenue plan and an average deal the stages are worked back from the plan
(:func:`~kpi_core.planning.funnel.revenue_funnel`); without an average deal, a calls baseline
("about 40 calls a day now") is carried forward through the same rates instead. A leads plan
gives the qualified leads it brings. Counts are rounded up: a target nobody can reach by
whole calls is no target. Rates (conversions) are not summed over days: their "target" is the
rate the funnel assumes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil
from typing import Any

from kpi_core.advice.catalog import Aggregation, Unit, get_kpi
from kpi_core.planning.funnel import Conversion, revenue_funnel
from kpi_core.services.onboarding.plan import CALLS_KPI, ComputedPlan

SOURCE_PLAN = "plan"
SOURCE_FUNNEL = "funnel"
SOURCE_LAST = "last"
SOURCE_TYPED = "typed"

AVG_DEAL = "avg_deal"
DEFAULT_RATES: Mapping[str, Decimal] = {
    "call_to_meeting": Decimal("0.2"),
    "meeting_to_proposal": Decimal("0.5"),
    "proposal_to_deal": Decimal("0.5"),
    "qualified_to_deal": Decimal("0.25"),
    "lead_to_qualified": Decimal("0.8"),
}
"""The funnel's conversions when the person has not given theirs (the seeds' examples)."""
PARAMS = (AVG_DEAL, *DEFAULT_RATES)
"""What the person may set on the targets screen besides the targets themselves."""

STAGES: Mapping[str, str] = {
    "cold_calls": "call",
    "meetings": "meeting",
    "proposals_sent": "proposal",
    "closed_deals": "deal",
    "new_customers": "deal",
    "qualified_leads": "qualified_lead",
    "leads": "lead",
}
"""The KPIs that count a stage of the funnel (every deal is taken to be a new customer)."""
RATE_KPIS: Mapping[str, str] = {
    "call_to_meeting": "call_to_meeting",
    "lead_to_qualified": "lead_to_qualified",
    "win_rate": "proposal_to_deal",
}
"""Conversion KPIs and the rate of the funnel each one is."""


@dataclass(frozen=True, slots=True)
class Target:
    """A KPI's target for the period.

    Attributes:
        kpi_id: The KPI.
        amount: The target for the team over the period (a rate for a conversion KPI).
        source: :data:`SOURCE_PLAN`, :data:`SOURCE_FUNNEL`, :data:`SOURCE_LAST` or
            :data:`SOURCE_TYPED`.
    """

    kpi_id: str
    amount: Decimal
    source: str


def settings_of(answers: Mapping[str, Any]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The funnel parameters and the typed targets kept in the answers."""
    return _decimals(answers.get("funnel")), _decimals(answers.get("targets"))


def _decimals(raw: object) -> dict[str, Decimal]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): Decimal(str(v)) for k, v in raw.items() if v is not None}


def rate(params: Mapping[str, Decimal], name: str) -> Decimal:
    """A conversion of the funnel: the person's, or the default."""
    return params.get(name, DEFAULT_RATES[name])


def is_summed(kpi_id: str) -> bool:
    """A KPI whose days add up to the period (it gets a daily quota)."""
    return get_kpi(kpi_id).aggregation is Aggregation.SUM


def _up(value: Fraction) -> Decimal:
    return Decimal(ceil(value))


def _stage_needs(
    plan: ComputedPlan, params: Mapping[str, Decimal]
) -> tuple[dict[str, Decimal], bool]:
    """Each stage's need over the period (empty: no way to tell), and whether it was carried
    forward from the calls baseline rather than worked back from the plan."""
    c2m, m2p = rate(params, "call_to_meeting"), rate(params, "meeting_to_proposal")
    p2d, q2d = rate(params, "proposal_to_deal"), rate(params, "qualified_to_deal")
    l2q = rate(params, "lead_to_qualified")
    kpi = plan.summary.kpi.id
    if kpi == "leads":
        leads = Fraction(plan.summary.quota.target)
        return {"qualified_lead": _up(leads * Fraction(l2q))}, False
    avg = params.get(AVG_DEAL)
    needs: dict[str, Fraction] = {}
    from_calls = False
    if kpi == "revenue" and avg is not None and avg > 0:
        chain = [Conversion("call", "meeting", c2m), Conversion("meeting", "proposal", m2p),
                 Conversion("proposal", "deal", p2d)]
        funnel = revenue_funnel(plan.summary.quota.target, avg, chain)
        needs = {need.stage: need.exact for need in funnel.stages}
    elif CALLS_KPI in plan.targets:  # carried forward from what the calls bring now
        calls = Fraction(plan.targets[CALLS_KPI][0])
        needs = {"call": calls, "meeting": calls * Fraction(c2m)}
        needs["proposal"] = needs["meeting"] * Fraction(m2p)
        needs["deal"] = needs["proposal"] * Fraction(p2d)
        from_calls = True
    if not needs:
        return {}, False
    needs["qualified_lead"] = needs["deal"] / Fraction(q2d)
    needs["lead"] = needs["qualified_lead"] / Fraction(l2q)
    return {stage: _up(value) for stage, value in needs.items()}, from_calls


def derive_targets(
    plan: ComputedPlan | None,
    kpi_ids: Sequence[str],
    answers: Mapping[str, Any],
    last: Mapping[str, Decimal] | None = None,
) -> dict[str, Target]:
    """The target of each KPI of the set that can have one.

    Args:
        plan: The plan worked out from the answers (``None``: none yet; only typed targets).
        kpi_ids: The KPI set.
        answers: The answers, with the funnel parameters (``"funnel"``) and the typed
            targets (``"targets"``) the person set.
        last: Last period's actual of the KPIs that had entries then.

    Returns:
        Targets by KPI id: typed ones first, then the plan's, the funnel's, last period's.
    """
    params, typed = settings_of(answers)
    needs, from_calls = _stage_needs(plan, params) if plan is not None else ({}, False)
    found: dict[str, Target] = {}
    for kpi_id in kpi_ids:
        if kpi_id in RATE_KPIS:
            found[kpi_id] = Target(kpi_id, rate(params, RATE_KPIS[kpi_id]),
                                   SOURCE_TYPED if RATE_KPIS[kpi_id] in params else SOURCE_FUNNEL)
            continue
        if not is_summed(kpi_id):
            continue
        if kpi_id in typed:
            found[kpi_id] = Target(kpi_id, typed[kpi_id], SOURCE_TYPED)
        elif plan is not None and kpi_id == plan.summary.kpi.id:
            found[kpi_id] = Target(kpi_id, plan.summary.quota.target, SOURCE_PLAN)
        elif kpi_id == CALLS_KPI and from_calls and plan is not None:
            found[kpi_id] = Target(kpi_id, plan.targets[CALLS_KPI][0], SOURCE_LAST)
        elif STAGES.get(kpi_id) in needs:
            found[kpi_id] = Target(kpi_id, needs[STAGES[kpi_id]], SOURCE_FUNNEL)
        elif last and kpi_id in last:
            found[kpi_id] = Target(kpi_id, last[kpi_id], SOURCE_LAST)
        elif plan is not None and kpi_id in plan.targets:
            found[kpi_id] = Target(kpi_id, plan.targets[kpi_id][0], SOURCE_LAST)
    return found


def money(kpi_id: str) -> bool:
    """A KPI counted in money."""
    return get_kpi(kpi_id).unit is Unit.MONEY
