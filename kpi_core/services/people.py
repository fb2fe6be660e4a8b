"""Loading a person and their team for the use cases: shared by the daily loop and deliveries.

Each function runs inside the caller's unit of work. :func:`team_state` loads a team with the
plan in force on a day and everyone's working days; :func:`team_states` loads many teams with
a fixed number of set-based queries, and the batch builders pass caches so that many people of
one team, or of one country, share the loaded objects.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kpi_core.model import (
    DayOffShare,
    KpiAssignment,
    Membership,
    Plan,
    Team,
    User,
)
from kpi_core.parsing.quickform import MAX_DAYS_BACK, Loggable, loggables_for
from kpi_core.planning.calendar import WeekdayCalendar, WorkSchedule
from kpi_core.ports import CalendarProvider, UnitOfWork, WorkingCalendar
from kpi_core.services.errors import DayOutOfRange, NotSetUp
from kpi_core.tracking.digest import (
    Ledger,
    TeamMember,
    TeamState,
)
from kpi_core.tracking.reminders import local_date, zone

__all__ = [
    "Person",
    "calendar_for",
    "check_day",
    "display_name",
    "kpi_ids_of",
    "ledger_for",
    "membership_of",
    "person_from",
    "person_of",
    "person_today",
    "schedule_of",
    "team_state",
    "team_states",
    "user_of",
]



def person_today(user: User, now: datetime) -> date:
    """The person's local date at ``now``."""
    return local_date(now, zone(user.timezone))


def calendar_for(
    calendars: CalendarProvider, country: str, cache: dict[str, WorkingCalendar] | None = None
) -> WorkingCalendar:
    if cache is not None and country in cache:
        return cache[country]
    try:
        found: WorkingCalendar = calendars.for_country(country)
    except KeyError:
        found = WeekdayCalendar()
    if cache is not None:
        cache[country] = found  # one object per country: schedules then hash alike
    return found


def user_of(uow: UnitOfWork, telegram_id: int) -> User:
    user = uow.users.by_telegram_id(telegram_id)
    if user is None or user.id is None:
        raise NotSetUp()
    return user


def membership_of(uow: UnitOfWork, user_id: int) -> Membership | None:
    found = [m for m in uow.teams.memberships_of(user_id) if m.left_on is None]
    return found[0] if found else None


def kpi_ids_of(uow: UnitOfWork, user_id: int, team_id: int | None) -> list[str]:
    rows = [a for a in uow.assignments.for_user(user_id) if team_id is None or a.team_id == team_id]
    return [a.kpi_id for a in sorted(rows, key=lambda a: a.position)]


def display_name(user: User) -> str:
    """Their name, else their Telegram id; a stand-in has neither (it is never shown)."""
    if user.anonymous or user.telegram_id is None:
        return ""
    return user.display_name or str(user.telegram_id)


def team_state(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    team_id: int,
    day: date,
    users: dict[int, User] | None = None,
    calendar_cache: dict[str, WorkingCalendar] | None = None,
) -> TeamState:
    """Load a team with the plan in force on ``day`` and everyone's working days."""
    team = uow.teams.get(team_id)
    plan = uow.plans.current(team_id, day)
    memberships = _current_members(uow.teams.members(team_id), plan, day)
    cache = users if users is not None else {}
    for m in memberships:
        if m.user_id not in cache:
            user = uow.users.get(m.user_id)
            if user is not None:
                cache[m.user_id] = user
    start, end = _window(plan, day)
    offs = _days_off(uow, [m.user_id for m in memberships], start, end)
    return _assemble(team_id, team, plan, memberships, uow.assignments.for_team(team_id), cache,
                     offs, calendars, calendar_cache)


def team_states(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    team_ids: Iterable[int],
    day: date,
    users: dict[int, User] | None = None,
    calendar_cache: dict[str, WorkingCalendar] | None = None,
) -> dict[int, TeamState]:
    """:func:`team_state` of many teams, with a fixed handful of set-based queries (the
    morning digests of a batch of people)."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    teams = {team.id: team for team in uow.teams.get_many(ids)}
    plans = uow.plans.current_for_teams(ids, day)
    by_team: dict[int, list[Membership]] = {}
    for m in uow.teams.members_of_teams(ids):
        by_team.setdefault(m.team_id, []).append(m)
    assignments: dict[int, list[KpiAssignment]] = {}
    for a in uow.assignments.for_teams(ids):
        assignments.setdefault(a.team_id, []).append(a)
    current = {team_id: _current_members(by_team.get(team_id, []), plans.get(team_id), day)
               for team_id in ids}
    people = sorted({m.user_id for members in current.values() for m in members})
    cache = users if users is not None else {}
    missing = [uid for uid in people if uid not in cache]
    for user in uow.users.get_many(missing):
        if user.id is not None:
            cache[user.id] = user
    windows = [_window(plans.get(team_id), day) for team_id in ids]
    offs = _days_off(uow, people, min(w[0] for w in windows), max(w[1] for w in windows))
    return {
        team_id: _assemble(team_id, teams.get(team_id), plans.get(team_id), current[team_id],
                           assignments.get(team_id, []), cache, offs, calendars, calendar_cache)
        for team_id in ids
    }


def _window(plan: Plan | None, day: date) -> tuple[date, date]:
    """The days whose days off a team's schedules need: the period and two months back."""
    start, end = (plan.period_start, plan.period_end) if plan else (day, day)
    return min(start, day - timedelta(days=62)), max(end, day)


def _current_members(
    memberships: Iterable[Membership], plan: Plan | None, day: date
) -> list[Membership]:
    """Who counts in the plan's period: joined before it ended, not left before it began."""
    start, end = (plan.period_start, plan.period_end) if plan else (day, day)
    return [m for m in memberships
            if (m.left_on is None or m.left_on >= start)
            and (m.joined_on is None or m.joined_on <= end)]


def _days_off(
    uow: UnitOfWork, user_ids: list[int], start: date, end: date
) -> dict[int, dict[date, DayOffShare]]:
    """Each person's days off, with who carries each day's share."""
    offs: dict[int, dict[date, DayOffShare]] = {}
    for off in uow.days_off.in_range(user_ids, start, end):
        offs.setdefault(off.user_id, {})[off.day] = off.share
    return offs


def _assemble(
    team_id: int,
    team: Team | None,
    plan: Plan | None,
    memberships: Iterable[Membership],
    assignments: Iterable[KpiAssignment],
    users: dict[int, User],
    offs: dict[int, dict[date, DayOffShare]],
    calendars: CalendarProvider,
    calendar_cache: dict[str, WorkingCalendar] | None,
) -> TeamState:
    by_user: dict[int, list[tuple[int, str]]] = {}
    for a in assignments:
        by_user.setdefault(a.user_id, []).append((a.position, a.kpi_id))
    members = []
    for m in memberships:
        user = users.get(m.user_id)
        if user is None:
            continue
        schedule = WorkSchedule(
            calendar_for(calendars, user.country, calendar_cache), frozenset(user.working_weekdays),
            frozenset(offs.get(m.user_id, ())), active_from=m.joined_on, active_until=m.left_on,
        )
        kpis = tuple(k for _, k in sorted(by_user.get(m.user_id, [])))
        reduced = frozenset(day for day, share in offs.get(m.user_id, {}).items()
                            if share is DayOffShare.REDUCE)
        members.append(TeamMember(m.user_id, display_name(user), m.weight, schedule, kpis,
                                  reduced, anonymous=user.anonymous))
    owner = next((m for m in members if team and m.user_id == team.owner_user_id), None)
    owner_schedule = (owner or members[0]).schedule if members else None
    return TeamState(
        team_id, team.name if team else "", plan, tuple(members),
        planned_size=team.planned_size if team else None,
        owner_schedule=owner_schedule,
    )


def schedule_of(team: TeamState, user_id: int) -> WorkSchedule | None:
    member = team.member(user_id)
    return member.schedule if member else None


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    user_id: int
    team_id: int | None
    kpi_ids: tuple[str, ...]
    loggables: tuple[Loggable, ...]


def person_of(uow: UnitOfWork, telegram_id: int, *, need_kpis: bool = True) -> Person:
    """The person with their team and KPIs (``NotSetUp``: unknown, or no KPIs)."""
    return person_from(uow, user_of(uow, telegram_id), need_kpis=need_kpis)


def person_from(uow: UnitOfWork, user: User, *, need_kpis: bool = True) -> Person:
    """:func:`person_of` for a user already loaded."""
    assert user.id is not None
    membership = membership_of(uow, user.id)
    team_id = membership.team_id if membership else None
    kpi_ids = tuple(kpi_ids_of(uow, user.id, team_id))
    if need_kpis and not kpi_ids:
        raise NotSetUp()
    return Person(user, user.id, team_id, kpi_ids, tuple(loggables_for(kpi_ids)))


def check_day(day: date, today: date) -> None:
    if day > today or day < today - timedelta(days=MAX_DAYS_BACK):
        raise DayOutOfRange(day, today)

def ledger_for(
    uow: UnitOfWork,
    user_ids: Iterable[int],
    plans: Iterable[Plan | None],
    today: date,
    earliest: date,
) -> Ledger:
    starts = [p.period_start for p in plans if p is not None]
    start = min([earliest, *starts])
    return Ledger(uow.entries.in_range(list(user_ids), start, today))


