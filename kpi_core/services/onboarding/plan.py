"""The plan from the questionnaire's answers: its targets by KPI and their daily quotas.

Pure arithmetic over the answers (no unit of work): the review screen, ``/plan`` and the
saved :class:`~kpi_core.model.Plan` all come from :func:`compute_plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import Kpi, get_kpi
from kpi_core.advice.profile import Controller, Profile, Role, label
from kpi_core.advice.questionnaire import DONE, MARKETING_ROLES, OFF, SOLO, State, period_for
from kpi_core.advice.recommend import MAX_KPIS, ROLE_FITS, recommend
from kpi_core.errors import DomainError
from kpi_core.messages import Message
from kpi_core.planning.achievability import assess_target
from kpi_core.planning.calendar import DEFAULT_WORKING_WEEKDAYS, Period, WorkSchedule, working_days
from kpi_core.planning.quotas import COUNT_QUANTUM, MONEY_QUANTUM, split_evenly
from kpi_core.planning.team import split_over_seats
from kpi_core.ports import CalendarProvider
from kpi_core.services.onboarding.views import KpiCard, PlanSummary, Quota

__all__ = [
    "CALLS_KPI",
    "ComputedPlan",
    "build_profile",
    "cards",
    "compute_plan",
    "initial_set",
    "people_of",
    "plan_kpi_id",
    "time_of",
]

CALLS_KPI = "cold_calls"
"""The KPI the calls-per-day answer is the baseline of."""


def build_profile(answers: Mapping[str, Any]) -> Profile:
    """Turn questionnaire answers into a :class:`Profile`.

    Raises:
        InvalidProfile: a needed answer is missing or unknown.
    """
    return Profile.from_dict(
        {
            "role": answers.get("role"),
            "business": answers.get("business"),
            "channel": answers.get("channel"),
            "goals": answers.get("goals") or [],
            "data_sources": answers.get("data") or [],
            "team_size": people_of(answers),
        }
    )


def people_of(answers: Mapping[str, Any]) -> int:
    """How many people share the plan (1 for someone on their own or a single manager)."""
    if answers.get("team") == SOLO or answers.get("role") in (
        Role.SALES_MANAGER.value,
        Role.MARKETER.value,
    ):
        return 1
    size = answers.get("team_size")
    return int(size) if isinstance(size, int | str) and str(size).isdigit() else 1


def plan_kpi_id(answers: Mapping[str, Any]) -> str:
    """The KPI the plan question asks about: leads for marketing, revenue for the rest."""
    return "leads" if answers.get("role") in MARKETING_ROLES else "revenue"


def weekdays_of(answers: Mapping[str, Any]) -> frozenset[int]:
    """The working weekdays answered, or Monday to Friday."""
    return frozenset(int(d) for d in answers.get("weekdays") or []) or DEFAULT_WORKING_WEEKDAYS


def time_of(value: Any) -> time | None:
    """A digest or reminder answer as a time (``None``: off)."""
    if not value or value == OFF:
        return None
    return time.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class _PlanInput:
    kpi_id: str
    amount: Decimal
    currency: str | None
    baseline: Decimal | None
    period: Period
    people: int
    calls_per_day: int | None


def _plan_input(answers: Mapping[str, Any], today: date) -> _PlanInput | None:
    kpi_id = plan_kpi_id(answers)
    state = State(step=DONE, answers=answers, today=today.isoformat())
    period = period_for(answers.get("period"), state)
    if period is None:
        return None
    if kpi_id == "leads":
        raw_amount, currency = answers.get("plan_leads"), None
        raw_base = answers.get("actual_leads")
    else:
        plan = answers.get("plan")
        if not isinstance(plan, dict):
            return None
        raw_amount, currency = plan.get("amount"), str(plan.get("currency"))
        raw_base = answers.get("actual")
    if raw_amount is None:
        return None
    calls = answers.get("calls")
    return _PlanInput(
        kpi_id=kpi_id,
        amount=Decimal(str(raw_amount)),
        currency=currency,
        baseline=Decimal(str(raw_base)) if raw_base is not None else None,
        period=period,
        people=people_of(answers),
        calls_per_day=int(calls) if isinstance(calls, int) else None,
    )


def schedule_of(
    calendars: CalendarProvider, country: str, weekdays: frozenset[int]
) -> WorkSchedule:
    """The working-day schedule of a country's calendar and the working weekdays."""
    calendar = calendars.for_country(country)
    return WorkSchedule(calendar, weekdays=weekdays or DEFAULT_WORKING_WEEKDAYS)


def split(target: Decimal, people: int, days: Sequence[date], currency: str | None) -> Quota:
    """``target`` split evenly over ``people`` and ``days`` (kopecks for money)."""
    quantum = MONEY_QUANTUM if currency else COUNT_QUANTUM
    quota = split_evenly(target, people, days, quantum)
    return Quota(
        target=target,
        per_person=quota.people[0].daily,
        team_daily=quota.daily,
        people=people,
        working_days=len(days),
        currency=currency,
    )


@dataclass(frozen=True, slots=True)
class ComputedPlan:
    """A plan worked out from answers.

    Attributes:
        summary: The plan's headline KPI, amount, period and quota.
        targets: Target and baseline by KPI id, in the order they are stored.
        quotas: Daily quotas by KPI id.
        warnings: What the achievability check says about the amount.
        days: The period's working days.
    """

    summary: PlanSummary
    targets: dict[str, tuple[Decimal, Decimal | None]]
    quotas: dict[str, Quota]
    warnings: tuple[Message, ...]
    days: tuple[date, ...] = ()


def compute_plan(
    answers: Mapping[str, Any],
    today: date,
    calendars: CalendarProvider,
    country: str,
    weekdays: frozenset[int],
    starts: date | None = None,
) -> ComputedPlan | None:
    """The plan, its targets by KPI and their daily quotas (``None`` without a plan).

    ``starts`` is the day the person's share counts from (the day they joined their team;
    default ``today``): see :func:`prorated`.

    Raises:
        KeyError: no calendar for ``country``.
        DomainError: no working days in the period, an amount finer than its quantum.
    """
    given = _plan_input(answers, today)
    if given is None:
        return None
    schedule = schedule_of(calendars, country, weekdays)
    days = working_days(given.period.start, given.period.end, schedule)
    main = split(given.amount, given.people, days, given.currency)
    quotas = {given.kpi_id: main}
    targets: dict[str, tuple[Decimal, Decimal | None]] = {
        given.kpi_id: (given.amount, given.baseline)
    }
    if given.calls_per_day is not None and days:
        calls = Decimal(given.calls_per_day * len(days) * given.people)
        quotas[CALLS_KPI] = split(calls, given.people, days, None)
        targets[CALLS_KPI] = (calls, calls)
    assessment = assess_target(given.amount, baseline=given.baseline, currency=given.currency)
    summary = PlanSummary(get_kpi(given.kpi_id), main, given.period, given.baseline)
    summary = prorated(summary, schedule, days, starts or today)
    return ComputedPlan(summary, targets, quotas, assessment.messages, tuple(days))


@dataclass(frozen=True, slots=True)
class _Starter:
    """The person as a seat of the split, from the day they start (``planning.team.Joined``)."""

    user_id: int
    weight: Decimal
    schedule: WorkSchedule


def prorated(
    summary: PlanSummary, schedule: WorkSchedule, days: Sequence[date], starts: date
) -> PlanSummary:
    """``summary`` with what is asked of one person from ``starts`` when the period began
    earlier: the working days before it are a vacant part of their seat (as the saved plan
    splits it for someone who joins mid-period), so their share is less than the period's.
    """
    if not days or starts <= days[0] or starts > days[-1]:
        return summary
    quota = summary.quota
    quantum = MONEY_QUANTUM if quota.currency else COUNT_QUANTUM
    me = _Starter(0, Decimal(1), replace(schedule, active_from=starts))
    try:
        mine = split_over_seats(quota.target, summary.period, [me], quota.people, schedule, quantum)
        full = split_evenly(quota.target, quota.people, days, quantum).people[0]
    except DomainError:
        return summary
    first = next(d for d in days if d >= starts)
    return replace(summary, starts=first, share=mine.person(0).total, full_share=full.total)


def _controllers(kpi: Kpi) -> tuple[Message, ...]:
    return tuple(label(c) for c in Controller if c in kpi.controlled_by)


def _reason(profile: Profile | None, kpi: Kpi) -> Message:
    if profile is not None:
        for fit in ROLE_FITS[profile.role]:
            if fit.kpi_id == kpi.id:
                return Message(fit.reason)
    return kpi.description_message


def cards(
    kpi_ids: Sequence[str], profile: Profile | None, quotas: Mapping[str, Quota] | None
) -> tuple[KpiCard, ...]:
    """The KPI cards of a set: why each fits, who controls it, its daily quota."""
    found = []
    for kpi_id in kpi_ids:
        kpi = get_kpi(kpi_id)
        quota = quotas.get(kpi_id) if quotas else None
        found.append(KpiCard(kpi, _reason(profile, kpi), _controllers(kpi), quota))
    return tuple(found)


def initial_set(profile: Profile, answers: Mapping[str, Any]) -> list[str]:
    """The advised set, with the KPIs the person gave numbers for.

    The plan's KPI is always in it (first, when the advice left it out); so is the calls KPI
    when the person gave a calls baseline: the question says it is "the starting point for
    the calls KPI".
    """
    ids = list(recommend(profile).kpi_ids)
    plan_kpi = plan_kpi_id(answers)
    if plan_kpi not in ids:
        ids = [plan_kpi, *ids]
    wanted = {plan_kpi}
    if isinstance(answers.get("calls"), int):
        wanted.add(CALLS_KPI)
        if CALLS_KPI not in ids:
            ids.append(CALLS_KPI)
    while len(ids) > MAX_KPIS:  # drop the least advised one nobody gave a number for
        ids.remove(next(k for k in reversed(ids) if k not in wanted))
    return ids
