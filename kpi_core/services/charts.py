"""``/progress`` and ``kpi-coach chart``: the data of a person's charts and of their team's.

A read action in one unit of work: load the person, their team with the plan in force on
their local date and the period's entries, and build the charts
(:mod:`kpi_core.tracking.charts`). The team chart — everyone's figures side by side — is for
those who may see everyone's figures
(:attr:`~kpi_core.services.permissions.TeamAction.SEE_PEOPLE`: the owner and admins); a member
asking for it gets the refusal that names who may. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.planning.calendar import Period
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.errors import NotSetUp
from kpi_core.services.people import (
    display_name,
    ledger_for,
    membership_of,
    person_from,
    person_today,
    team_state,
)
from kpi_core.services.permissions import TeamAction, check
from kpi_core.tracking.charts import KpiChart, TeamChart, person_charts, team_chart

__all__ = ["NOTHING_TO_DRAW", "NO_PLAN", "ProgressCharts", "progress_charts"]

NO_PLAN = N_("There is no plan for today yet: set one with /plan.")
NOTHING_TO_DRAW = N_(
    "There is nothing to draw yet: none of your KPIs has a target that adds up over the period."
)


@dataclass(frozen=True, slots=True)
class ProgressCharts:
    """What ``/progress`` draws, or why it draws nothing.

    Attributes:
        language: The person's language.
        today: Their local date.
        period: The plan's period (``None``: no plan).
        name: Their display name.
        kpis: One chart per summed KPI with a target (empty for the team chart alone).
        team: The team chart, for the owner and admins of a team of several people.
        notice: Why nothing (or not everything asked for) is drawn.
    """

    language: str
    today: date
    period: Period | None = None
    name: str = ""
    kpis: tuple[KpiChart, ...] = ()
    team: TeamChart | None = None
    notice: Message | None = None


def progress_charts(
    uow: UnitOfWork, deps: Deps, who: Who, *, team_only: bool = False
) -> ProgressCharts:
    """The person's charts on their local date and, for a manager, their team's.

    Args:
        uow: A unit of work (opened here; nothing is written).
        deps: The clock and the calendars.
        who: Whoever asks (their Telegram id is their authority).
        team_only: Only the team chart (``/progress team``, ``kpi-coach chart --team``).
    """
    with uow:
        user = uow.users.by_telegram_id(who.telegram_id)
        today = deps.clock.now().date()
        if user is None or user.id is None:
            return _refused(who.language, today, NotSetUp().message)
        language = user.language or who.language
        today = person_today(user, deps.clock.now())
        try:
            person = person_from(uow, user)
        except DomainError as exc:
            return _refused(language, today, exc.message)
        if person.team_id is None:
            return _refused(language, today, Message(NO_PLAN))
        membership = membership_of(uow, person.user_id)
        refusal = check(membership, TeamAction.SEE_PEOPLE, person.team_id)
        if team_only and refusal is not None:
            return _refused(language, today, refusal)
        team = team_state(uow, calendars=deps.calendars, team_id=person.team_id, day=today,
                          users={person.user_id: user})
        plan = team.plan
        if plan is None:
            return _refused(language, today, Message(NO_PLAN))
        listed = [m for m in team.members if not m.anonymous]
        with_team = refusal is None and (team_only or len(listed) > 1)
        ids = [m.user_id for m in team.members] if with_team else [person.user_id]
        ledger = ledger_for(uow, ids, [plan], today, plan.period_start)
        kpis = () if team_only else tuple(person_charts(team, person.user_id, ledger, today=today))
        chart = team_chart(team, ledger, today=today) if with_team else None
        if chart is not None and not chart.kpis:
            chart = None
        notice = None if kpis or chart else Message(NOTHING_TO_DRAW)
        return ProgressCharts(language, today, Period(plan.period_start, plan.period_end),
                              display_name(user), kpis, chart, notice)


def _refused(language: str, today: date, why: Message) -> ProgressCharts:
    return ProgressCharts(language, today, notice=why)
