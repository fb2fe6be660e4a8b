"""What the scheduler sends, built in batches: morning digests, team digests, evening reminders.

The builders run inside a unit of work the caller has opened, so one transaction serves a whole
dispatch batch. They load many people at once: one entries query for the whole batch, one team
state per team, one ``logged_users_on`` query per day of the longest streak.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_core.model import (
    Plan,
    User,
)
from kpi_core.parsing.quickform import Loggable, loggables_for
from kpi_core.planning.calendar import WorkSchedule
from kpi_core.ports import CalendarProvider, UnitOfWork, WorkingCalendar
from kpi_core.services.people import (
    calendar_for,
    kpi_ids_of,
    ledger_for,
    membership_of,
    schedule_of,
    team_state,
)
from kpi_core.tracking.digest import (
    Ledger,
    PersonDigest,
    TeamDigest,
    TeamState,
    digest_for,
    team_digest,
)
from kpi_core.tracking.reminders import previous_working_day

__all__ = [
    "ReminderView",
    "build_digests",
    "build_team_digest",
    "reminder_views",
    "team_owner",
    "working_checker",
]



# -- morning digests (batch) -------------------------------------------------------------------
def build_digests(
    uow: UnitOfWork, calendars: CalendarProvider, users: Sequence[User], day: date
) -> dict[int, PersonDigest]:
    """Morning digests for many people whose local date is ``day``, with batched loading.

    People without a team or KPIs are left out of the result.
    """
    cache = {u.id: u for u in users if u.id is not None}
    team_of: dict[int, int] = {}
    for user in users:
        if user.id is None:
            continue
        membership = membership_of(uow, user.id)
        if membership is not None:
            team_of[user.id] = membership.team_id
    teams: dict[int, TeamState] = {}
    calendar_cache: dict[str, WorkingCalendar] = {}
    for team_id in sorted(set(team_of.values())):
        teams[team_id] = team_state(uow, calendars, team_id, day, cache, calendar_cache)
    report_days: dict[int, date | None] = {}
    report_plans: dict[int, Plan | None] = {}
    plan_cache: dict[tuple[int, date], Plan | None] = {}
    for uid, team_id in team_of.items():
        schedule = schedule_of(teams[team_id], uid)
        if schedule is None:
            continue
        report = previous_working_day(day, schedule.is_working_day)
        report_days[uid] = report
        plan = teams[team_id].plan
        if report is not None and (plan is None or report < plan.period_start):
            key = (team_id, report)
            if key not in plan_cache:
                plan_cache[key] = uow.plans.current(team_id, report)
            report_plans[uid] = plan_cache[key]
    ids = list(report_days)
    if not ids:
        return {}
    starts = [d for d in report_days.values() if d is not None]
    starts += [t.plan.period_start for t in teams.values() if t.plan is not None]
    starts += [p.period_start for p in report_plans.values() if p is not None]
    ledger = Ledger(uow.entries.in_range(ids, min([day, *starts]), day))
    streaks = _streaks(uow, {uid: schedule_of(teams[team_of[uid]], uid) for uid in ids}, day)
    result = {}
    for uid in ids:
        team = teams[team_of[uid]]
        member = team.member(uid)
        if member is None or not member.kpi_ids:
            continue
        result[uid] = digest_for(team, uid, ledger, today=day, report_day=report_days[uid],
                                 streak=streaks.get(uid, 0), report_plan=report_plans.get(uid))
    return result


def _streaks(
    uow: UnitOfWork, schedules: Mapping[int, WorkSchedule | None], day: date, limit: int = 366
) -> dict[int, int]:
    """Consecutive working days logged per person, back from yesterday (today if logged).

    One ``logged_users_on`` query per day for everyone still on a streak, so the cost follows
    the longest streak in the batch, not the number of people.
    """
    counts = dict.fromkeys(schedules, 0)
    alive = {uid: s for uid, s in schedules.items() if s is not None}
    logged_today = uow.entries.logged_users_on(list(alive), day) if alive else set()
    counts.update(dict.fromkeys(logged_today, 1))
    current = day - timedelta(days=1)
    for _ in range(limit):
        if not alive:
            break
        working = [uid for uid, s in alive.items() if s.is_working_day(current)]
        if working:
            logged = uow.entries.logged_users_on(working, current)
            for uid in working:
                if uid in logged:
                    counts[uid] += 1
                else:
                    del alive[uid]
        current -= timedelta(days=1)
    return counts


def build_team_digest(
    uow: UnitOfWork, calendars: CalendarProvider, team_id: int, day: date
) -> TeamDigest | None:
    """The team digest for a linked group on the team owner's local ``day``."""
    team = team_state(uow, calendars, team_id, day)
    if not team.members:
        return None
    owner_schedule = team.members[0].schedule
    report = previous_working_day(day, owner_schedule.is_working_day)
    ids = [m.user_id for m in team.members]
    ledger = ledger_for(uow, ids, [team.plan], day, report or day)
    return team_digest(team, ledger, today=day, report_day=report)


def team_owner(uow: UnitOfWork, team_id: int) -> User | None:
    """The team's owner (whose clock the group digest follows)."""
    team = uow.teams.get(team_id)
    return uow.users.get(team.owner_user_id) if team else None


# -- reminders ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReminderView:
    """An evening reminder: the metrics to log, in the order the reply may follow."""

    user_id: int
    day: date
    loggables: tuple[Loggable, ...]


def reminder_views(
    uow: UnitOfWork, users: Sequence[User], day: date
) -> dict[int, ReminderView | None]:
    """Reminders for people whose local date is ``day``; ``None`` for those who logged already
    (or have nothing to log)."""
    ids = [u.id for u in users if u.id is not None]
    logged = uow.entries.logged_users_on(ids, day) if ids else set()
    result: dict[int, ReminderView | None] = {}
    for user in users:
        if user.id is None:
            continue
        if user.id in logged:
            result[user.id] = None
            continue
        membership = membership_of(uow, user.id)
        kpis = kpi_ids_of(uow, user.id, membership.team_id if membership else None)
        loggables = tuple(loggables_for(kpis))
        result[user.id] = ReminderView(user.id, day, loggables) if loggables else None
    return result


def working_checker(
    uow: UnitOfWork, calendars: CalendarProvider, user: User, around: date
) -> Callable[[date], bool]:
    """``is_working_day`` for the person (calendar, weekdays, days off near ``around``)."""
    assert user.id is not None
    offs = {o.day for o in uow.days_off.in_range([user.id], around - timedelta(days=7),
                                                  around + timedelta(days=7))}
    schedule = WorkSchedule(calendar_for(calendars, user.country), frozenset(user.working_weekdays),
                            frozenset(offs))
    return schedule.is_working_day


