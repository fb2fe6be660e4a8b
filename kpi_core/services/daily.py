"""The daily loop's use cases: log results, undo, correct, check outliers, report, digest.

Plain functions over a :class:`~kpi_core.ports.UnitOfWork` (and the clock and calendars where
"today" or working days matter). They return values — :class:`Logged`, :class:`DayReport`,
:class:`~kpi_core.digest.PersonDigest` ... — and raise :class:`DailyError` subclasses carrying
a :class:`~kpi_core.messages.Message`; the adapters turn both into words.

"Today" is always the person's local date in their IANA zone, from the injected clock. Entries
are stored per metric (:func:`kpi_core.quickform.loggables_for`): a conversion is computed from
its inputs, never logged as a percentage.

Interactive use cases (logging, undo, /today, /link ...) open the unit of work themselves
(``with uow:``) and commit what they change. The batch builders for the scheduler
(:func:`build_digests`, :func:`build_team_digest`, :func:`reminder_views`,
:func:`working_checker`) run inside a unit of work the caller has opened, so one transaction
serves a whole dispatch batch. They load many people at once: one entries query for the whole
batch, one team state per team, one ``logged_users_on`` query per day of the longest streak.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from kpi_core.calendar import WeekdayCalendar, WorkSchedule
from kpi_core.catalog import Unit
from kpi_core.digest import (
    KpiStanding,
    Ledger,
    PersonDigest,
    TeamDigest,
    TeamMember,
    TeamState,
    digest_for,
    person_standings,
    team_digest,
)
from kpi_core.errors import DomainError
from kpi_core.messages import N_, NN_, Message
from kpi_core.model import (
    ConversationState,
    DeliveryKind,
    GroupChat,
    Membership,
    Plan,
    TeamRole,
    User,
)
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork, WorkingCalendar
from kpi_core.quickform import MAX_DAYS_BACK, Loggable, loggables_for
from kpi_core.reminders import local_date, previous_working_day, zone

__all__ = [
    "OUTLIER_FACTOR",
    "OUTLIER_MIN_SAMPLES",
    "DailyError",
    "DayOutOfRange",
    "DayReport",
    "LogMenu",
    "Logged",
    "LoggedItem",
    "NeedsConfirmation",
    "NotAllowed",
    "NotSetUp",
    "NothingToUndo",
    "Outlier",
    "ReminderView",
    "Undone",
    "UnknownMetric",
    "WholeNumberNeeded",
    "build_digests",
    "build_team_digest",
    "deactivate_chat",
    "entry_history",
    "forget",
    "link_group",
    "log_menu",
    "log_values",
    "mark_chat_inactive",
    "person_today",
    "reactivate",
    "recall",
    "remember",
    "reminder_day",
    "reminder_views",
    "stamp_of",
    "today_of",
    "today_report",
    "undo_log",
    "unlink_group",
    "zone_of",
]

OUTLIER_FACTOR = Decimal(10)
"""A value ten times the person's recent median (or a tenth of it) asks "Did you mean …?"."""
OUTLIER_MIN_SAMPLES = 5
"""Fewer recent values than this say nothing about what is usual."""
OUTLIER_WINDOW_DAYS = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- errors ------------------------------------------------------------------------------------
class DailyError(DomainError):
    """Base class of the daily loop's errors."""


class NotSetUp(DailyError):
    """The person has no KPIs (or is unknown): they must set up first."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "You have no KPIs to log yet. Send /start to choose them and set a plan."
        )))


class DayOutOfRange(DailyError):
    """A day in the future or too long ago."""

    def __init__(self, day: date, today: date) -> None:
        if day > today:
            message = Message(N_("{day} is still ahead: results can be logged for today or "
                                 "earlier."), {"day": day})
        else:
            one, many = NN_(
                "{day} is too long ago: results can be logged for the last {count} day.",
                "{day} is too long ago: results can be logged for the last {count} days.",
            )
            message = Message(one, {"day": day}, plural=many, count=MAX_DAYS_BACK)
        super().__init__(message)
        self.day = day


class UnknownMetric(DailyError):
    """A metric the person does not log (a stale button, a forged callback)."""

    def __init__(self) -> None:
        super().__init__(Message(N_("That KPI is not among yours any more. Send /log to see "
                                    "your current KPIs.")))


class WholeNumberNeeded(DailyError):
    """A count with a fraction (3.5 calls)."""

    def __init__(self, label: Message, value: Decimal) -> None:
        super().__init__(Message(
            N_("{kpi} is counted in whole numbers: {value} has a fraction."),
            {"kpi": label, "value": value},
        ))


class NothingToUndo(DailyError):
    """The entries of that message were changed since (or were undone already)."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "Nothing to undo: these values have been changed or undone since."
        )))


class NotAllowed(DailyError):
    """Only a team's owner or admin may link or unlink its group chats."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "Only the owner or an admin of a team can link a group to it. Set up your team "
            "with /start in a private chat with me first."
        )))


# -- context -----------------------------------------------------------------------------------
def person_today(user: User, now: datetime) -> date:
    """The person's local date at ``now``."""
    return local_date(now, zone(user.timezone))


def today_of(uow: UnitOfWork, clock: Clock, telegram_id: int) -> date:
    """The person's local date now.

    Raises:
        NotSetUp: an unknown person.
    """
    with uow:
        return person_today(_user(uow, telegram_id), clock.now())


def zone_of(uow: UnitOfWork, telegram_id: int) -> str:
    """The person's IANA time zone name (``NotSetUp`` for an unknown person)."""
    with uow:
        return _user(uow, telegram_id).timezone


def _calendar(
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


def _user(uow: UnitOfWork, telegram_id: int) -> User:
    user = uow.users.by_telegram_id(telegram_id)
    if user is None or user.id is None:
        raise NotSetUp()
    return user


def _membership(uow: UnitOfWork, user_id: int) -> Membership | None:
    found = [m for m in uow.teams.memberships_of(user_id) if m.left_on is None]
    return found[0] if found else None


def _kpi_ids(uow: UnitOfWork, user_id: int, team_id: int | None) -> list[str]:
    rows = [a for a in uow.assignments.for_user(user_id) if team_id is None or a.team_id == team_id]
    return [a.kpi_id for a in sorted(rows, key=lambda a: a.position)]


def _display_name(user: User) -> str:
    return user.display_name or str(user.telegram_id)


def _team_state(
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
    start, end = (plan.period_start, plan.period_end) if plan else (day, day)
    memberships = [
        m for m in uow.teams.members(team_id)
        if (m.left_on is None or m.left_on >= start) and (m.joined_on is None or m.joined_on <= end)
    ]
    by_user: dict[int, list[tuple[int, str]]] = {}
    for a in uow.assignments.for_team(team_id):
        by_user.setdefault(a.user_id, []).append((a.position, a.kpi_id))
    cache = users if users is not None else {}
    ids = [m.user_id for m in memberships]
    window_start = min(start, day - timedelta(days=62))
    offs: dict[int, set[date]] = {}
    for off in uow.days_off.in_range(ids, window_start, max(end, day)):
        offs.setdefault(off.user_id, set()).add(off.day)
    members = []
    for m in memberships:
        user = cache.get(m.user_id) or uow.users.get(m.user_id)
        if user is None:
            continue
        cache[m.user_id] = user
        schedule = WorkSchedule(
            _calendar(calendars, user.country, calendar_cache), frozenset(user.working_weekdays),
            frozenset(offs.get(m.user_id, ())), active_from=m.joined_on, active_until=m.left_on,
        )
        kpis = tuple(k for _, k in sorted(by_user.get(m.user_id, [])))
        members.append(TeamMember(m.user_id, _display_name(user), m.weight, schedule, kpis))
    owner = next((m for m in members if team and m.user_id == team.owner_user_id), None)
    owner_schedule = (owner or members[0]).schedule if members else None
    return TeamState(
        team_id, team.name if team else "", plan, tuple(members),
        planned_size=team.planned_size if team else None,
        owner_schedule=owner_schedule,
    )


def _schedule(team: TeamState, user_id: int) -> WorkSchedule | None:
    member = team.member(user_id)
    return member.schedule if member else None


@dataclass(frozen=True, slots=True)
class _Person:
    user: User
    user_id: int
    team_id: int | None
    kpi_ids: tuple[str, ...]
    loggables: tuple[Loggable, ...]


def _person(uow: UnitOfWork, telegram_id: int, *, need_kpis: bool = True) -> _Person:
    user = _user(uow, telegram_id)
    assert user.id is not None
    membership = _membership(uow, user.id)
    team_id = membership.team_id if membership else None
    kpi_ids = tuple(_kpi_ids(uow, user.id, team_id))
    if need_kpis and not kpi_ids:
        raise NotSetUp()
    return _Person(user, user.id, team_id, kpi_ids, tuple(loggables_for(kpi_ids)))


def _check_day(day: date, today: date) -> None:
    if day > today or day < today - timedelta(days=MAX_DAYS_BACK):
        raise DayOutOfRange(day, today)


# -- /log menu ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LogMenu:
    """What /log shows: the person's loggable metrics with the values already in for ``day``."""

    day: date
    today: date
    items: tuple[tuple[Loggable, Decimal | None], ...]
    language: str


def log_menu(
    uow: UnitOfWork, clock: Clock, telegram_id: int, day: date | None = None
) -> LogMenu:
    """The /log screen for ``day`` (default: the person's today).

    Raises:
        NotSetUp: no KPIs yet.
        DayOutOfRange: a future day or one more than :data:`MAX_DAYS_BACK` days ago.
    """
    with uow:
        person = _person(uow, telegram_id)
        today = person_today(person.user, clock.now())
        day = day or today
        _check_day(day, today)
        items = []
        for item in person.loggables:
            entry = uow.entries.get(person.user_id, item.metric_id, day)
            items.append((item, entry.value if entry else None))
        return LogMenu(day, today, tuple(items), person.user.language)


def loggables_of(uow: UnitOfWork, telegram_id: int) -> tuple[Loggable, ...]:
    """The person's loggable metrics in order (for parsing a quick form)."""
    with uow:
        return _person(uow, telegram_id).loggables


# -- logging -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LoggedItem:
    """One value saved: with the value it replaced (a correction), if any."""

    metric_id: str
    label: Message
    unit: Unit
    value: Decimal
    previous: Decimal | None


@dataclass(frozen=True, slots=True)
class Logged:
    """Values saved for ``day``, with where the person stands now.

    Attributes:
        day: The day the values are for.
        today: The person's local date.
        items: What was saved.
        stamp: The instant of the save; :func:`undo_log` needs it (with ``day``).
        standings: Each KPI after the save (``day`` vs its quota, progress, need per day).
        currency: The plan's currency.
    """

    day: date
    today: date
    items: tuple[LoggedItem, ...]
    stamp: datetime
    standings: tuple[KpiStanding, ...]
    currency: str


@dataclass(frozen=True, slots=True)
class Outlier:
    """A value far from the person's usual ones."""

    metric_id: str
    label: Message
    unit: Unit
    value: Decimal
    usual: Decimal
    suggestion: Decimal | None


@dataclass(frozen=True, slots=True)
class NeedsConfirmation:
    """Nothing was saved: some values look like typos ("Did you mean …?")."""

    day: date
    values: tuple[tuple[str, Decimal], ...]
    outliers: tuple[Outlier, ...]
    currency: str


def log_values(
    uow: UnitOfWork,
    clock: Clock,
    calendars: CalendarProvider,
    telegram_id: int,
    values: Sequence[tuple[str, Decimal]],
    *,
    day: date | None = None,
    confirmed: Collection[str] = (),
) -> Logged | NeedsConfirmation:
    """Save results for ``day`` (default: the person's today), after an outlier check.

    A value that already exists becomes a new version (the history keeps the old one), so
    logging again is how a value is corrected. Values far outside the person's recent range
    (:data:`OUTLIER_FACTOR` × the median, or its inverse) are not saved unless their metric is
    in ``confirmed``: the whole batch comes back as :class:`NeedsConfirmation` instead.

    Raises:
        NotSetUp: no KPIs yet.
        UnknownMetric: a metric the person does not log.
        DayOutOfRange: a future day or too long ago.
        WholeNumberNeeded: a count with a fraction.
    """
    with uow:
        person = _person(uow, telegram_id)
        now = clock.now()
        today = person_today(person.user, now)
        day = day or today
        _check_day(day, today)
        known = {item.metric_id: item for item in person.loggables}
        for metric_id, value in values:
            item = known.get(metric_id)
            if item is None:
                raise UnknownMetric()
            if item.unit is Unit.COUNT and value != value.to_integral_value():
                raise WholeNumberNeeded(item.label_message, value)
        outliers = [
            o for o in find_outliers(uow, person.user_id, known, values, day)
            if o.metric_id not in confirmed
        ]
        team = (
            _team_state(uow, calendars, person.team_id, today, {person.user_id: person.user})
            if person.team_id is not None else None
        )
        currency = team.plan.currency if team and team.plan else "RUB"
        if outliers:
            return NeedsConfirmation(day, tuple(values), tuple(outliers), currency)
        items = []
        for metric_id, value in values:
            before = uow.entries.get(person.user_id, metric_id, day)
            uow.entries.record(person.user_id, metric_id, day, value, person.user_id, now)
            item = known[metric_id]
            items.append(LoggedItem(metric_id, item.label_message, item.unit, value,
                                    before.value if before else None))
        uow.commit()
        standings = _standings_after(uow, calendars, person, team, today, day)
        return Logged(day, today, tuple(items), now, tuple(standings), currency)


def _standings_after(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    person: _Person,
    team: TeamState | None,
    today: date,
    day: date,
) -> list[KpiStanding]:
    if team is None:
        return []
    report_plan = None
    if team.plan is None or not team.plan.period_start <= day <= team.plan.period_end:
        assert person.team_id is not None
        report_plan = uow.plans.current(person.team_id, day)
    ledger = _ledger(uow, [person.user_id], [team.plan, report_plan], today, day)
    return person_standings(team, person.user_id, ledger, today=today, report_day=day,
                            include_today=True, report_plan=report_plan)


def _ledger(
    uow: UnitOfWork,
    user_ids: Iterable[int],
    plans: Iterable[Plan | None],
    today: date,
    earliest: date,
) -> Ledger:
    starts = [p.period_start for p in plans if p is not None]
    start = min([earliest, *starts])
    return Ledger(uow.entries.in_range(list(user_ids), start, today))


def find_outliers(
    uow: UnitOfWork,
    user_id: int,
    known: Mapping[str, Loggable],
    values: Sequence[tuple[str, Decimal]],
    day: date,
) -> list[Outlier]:
    """Values ten times the person's recent median or a tenth of it (see :func:`log_values`)."""
    recent: dict[str, list[Decimal]] = {}
    start = day - timedelta(days=OUTLIER_WINDOW_DAYS)
    for entry in uow.entries.in_range([user_id], start, day + timedelta(days=OUTLIER_WINDOW_DAYS)):
        if entry.day != day and entry.value is not None and entry.value > 0:
            recent.setdefault(entry.kpi_id, []).append(entry.value)
    found = []
    for metric_id, value in values:
        sample = recent.get(metric_id, [])
        if len(sample) < OUTLIER_MIN_SAMPLES or value <= 0:
            continue
        usual = Decimal(median(sample))
        if usual <= 0:
            continue
        if value >= usual * OUTLIER_FACTOR or value * OUTLIER_FACTOR <= usual:
            item = known[metric_id]
            found.append(Outlier(metric_id, item.label_message, item.unit, value, usual,
                                 _suggest(value, usual, item.unit)))
    return found


def _suggest(value: Decimal, usual: Decimal, unit: Unit) -> Decimal | None:
    """The value with zeros added or removed that lands nearest the usual one (a typo fix)."""
    best: Decimal | None = None
    for k in (-4, -3, -2, -1, 1, 2, 3):
        candidate = value.scaleb(k)
        if unit is Unit.COUNT and candidate != candidate.to_integral_value():
            continue
        ratio = candidate / usual
        if Decimal(1) / 3 <= ratio <= 3 and (
            best is None or abs(candidate / usual - 1) < abs(best / usual - 1)
        ):
            best = candidate
    if best is None:
        return None
    return best.quantize(Decimal(1)) if best == best.to_integral_value() else best.normalize()


def stamp_of(moment: datetime) -> int:
    """An instant as whole microseconds since the epoch (for Undo buttons)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


# -- undo and history --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Undone:
    """What an undo restored: (label, the undone value, the value now in force)."""

    day: date
    items: tuple[tuple[Message, Unit, Decimal | None, Decimal | None], ...]
    currency: str


def undo_log(
    uow: UnitOfWork, clock: Clock, telegram_id: int, day: date, stamp: int
) -> Undone:
    """Undo the save made at ``stamp`` (see :func:`stamp_of`) for ``day``.

    Each value saved then and not changed since goes back to what it was before (nothing, for
    a new value). The undo is itself a new version: the history keeps everything.

    Raises:
        NothingToUndo: every value of that save was changed or undone since.
    """
    with uow:
        person = _person(uow, telegram_id)
        now = clock.now()
        restored = []
        for item in person.loggables:
            entry = uow.entries.get(person.user_id, item.metric_id, day)
            if entry is None or entry.entered_at is None or stamp_of(entry.entered_at) != stamp:
                continue
            history = uow.entries.history(person.user_id, item.metric_id, day)
            older = [r for r in history if r.version < entry.version]
            previous = older[-1].value if older else None
            # The undo is a version of its own, stamped after the save it undoes (even when the
            # clock has not moved), so its Undo button can never match it again.
            at = max(now, entry.entered_at + timedelta(microseconds=1))
            uow.entries.record(person.user_id, item.metric_id, day, previous, person.user_id, at)
            restored.append((item.label_message, item.unit, entry.value, previous))
        if not restored:
            raise NothingToUndo()
        uow.commit()
        plan = uow.plans.current(person.team_id, day) if person.team_id is not None else None
        return Undone(day, tuple(restored), plan.currency if plan else "RUB")


def entry_history(
    uow: UnitOfWork, telegram_id: int, metric_id: str, day: date
) -> list[tuple[int, Decimal | None, datetime]]:
    """Every version of one value: (version, value, when), oldest first."""
    with uow:
        person = _person(uow, telegram_id)
        if metric_id not in {x.metric_id for x in person.loggables}:
            raise UnknownMetric()
        return [(r.version, r.value, r.entered_at)
                for r in uow.entries.history(person.user_id, metric_id, day)]


# -- /today ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DayReport:
    """/today: each KPI's quota for today (with catch-up) and what is left in the period."""

    today: date
    working_today: bool
    standings: tuple[KpiStanding, ...]
    has_plan: bool
    period_end: date | None
    remaining_days: int | None


def today_report(
    uow: UnitOfWork, clock: Clock, calendars: CalendarProvider, telegram_id: int
) -> DayReport:
    """Today's quota per KPI and what is left this period.

    Raises:
        NotSetUp: no KPIs yet.
    """
    with uow:
        person = _person(uow, telegram_id)
        today = person_today(person.user, clock.now())
        if person.team_id is None:
            return DayReport(today, True, (), False, None, None)
        team = _team_state(uow, calendars, person.team_id, today, {person.user_id: person.user})
        ledger = _ledger(uow, [person.user_id], [team.plan], today, today)
        standings = person_standings(team, person.user_id, ledger, today=today, report_day=today,
                                     include_today=True)
        schedule = _schedule(team, person.user_id)
        remaining = next((s.progress.remaining_days for s in standings if s.progress), None)
        return DayReport(
            today=today,
            working_today=bool(schedule and schedule.is_working_day(today)),
            standings=tuple(standings),
            has_plan=team.plan is not None,
            period_end=team.plan.period_end if team.plan else None,
            remaining_days=remaining,
        )


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
        membership = _membership(uow, user.id)
        if membership is not None:
            team_of[user.id] = membership.team_id
    teams: dict[int, TeamState] = {}
    calendar_cache: dict[str, WorkingCalendar] = {}
    for team_id in sorted(set(team_of.values())):
        teams[team_id] = _team_state(uow, calendars, team_id, day, cache, calendar_cache)
    report_days: dict[int, date | None] = {}
    report_plans: dict[int, Plan | None] = {}
    plan_cache: dict[tuple[int, date], Plan | None] = {}
    for uid, team_id in team_of.items():
        schedule = _schedule(teams[team_id], uid)
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
    streaks = _streaks(uow, {uid: _schedule(teams[team_of[uid]], uid) for uid in ids}, day)
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
    team = _team_state(uow, calendars, team_id, day)
    if not team.members:
        return None
    owner_schedule = team.members[0].schedule
    report = previous_working_day(day, owner_schedule.is_working_day)
    ids = [m.user_id for m in team.members]
    ledger = _ledger(uow, ids, [team.plan], day, report or day)
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
        membership = _membership(uow, user.id)
        kpis = _kpi_ids(uow, user.id, membership.team_id if membership else None)
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
    schedule = WorkSchedule(_calendar(calendars, user.country), frozenset(user.working_weekdays),
                            frozenset(offs))
    return schedule.is_working_day


# -- conversation state of the daily loop -------------------------------------------------------
DAILY_STATE_CHAT_ID = 2**62 + 1
"""The daily loop keeps its little state (a number asked for, a "Did you mean …?" waiting) in a
conversation row of its own, keyed by this chat id (no Telegram chat has it), so it never
clobbers an onboarding or menu conversation of the same person."""
DAILY_FLOW = "daily"


def remember(uow: UnitOfWork, telegram_id: int, step: str, data: dict[str, Any]) -> str:
    """Store the daily-loop state of a person; return its new token."""
    with uow:
        user = _user(uow, telegram_id)
        assert user.id is not None
        token = secrets.token_hex(3)
        uow.conversations.save(ConversationState(
            chat_id=DAILY_STATE_CHAT_ID, user_id=user.id, flow=DAILY_FLOW, step=step,
            data=data, token=token))
        uow.commit()
        return token


def recall(
    uow: UnitOfWork, telegram_id: int, token: str | None = None
) -> ConversationState | None:
    """The person's daily-loop state (``None`` if none, or if ``token`` does not match)."""
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        if user is None or user.id is None:
            return None
        state = uow.conversations.get(DAILY_STATE_CHAT_ID, user.id)
        if state is None or (token is not None and state.token != token):
            return None
        return state


def forget(uow: UnitOfWork, telegram_id: int) -> None:
    """Drop the person's daily-loop state."""
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        if user is not None and user.id is not None:
            uow.conversations.clear(DAILY_STATE_CHAT_ID, user.id)
            uow.commit()


def reminder_day(uow: UnitOfWork, chat_id: int, message_id: int) -> date | None:
    """The day of the evening reminder that is Telegram message ``message_id`` in the chat."""
    with uow:
        for d in uow.deliveries.for_chat(chat_id):
            if d.kind is DeliveryKind.REMINDER and d.telegram_message_id == message_id:
                return d.local_date
        return None


# -- chats -------------------------------------------------------------------------------------
def mark_chat_inactive(uow: UnitOfWork, chat_id: int) -> bool:
    """Mark a person (positive chat id) or a group inactive, inside the caller's transaction."""
    if chat_id > 0:
        user = uow.users.by_telegram_id(chat_id)
        if user is not None and user.active:
            user.active = False
            uow.users.save(user)
            return True
        return False
    chat = uow.teams.chat(chat_id)
    if chat is not None and chat.active:
        chat.active = False
        uow.teams.save_chat(chat)
        return True
    return False


def deactivate_chat(uow: UnitOfWork, chat_id: int) -> bool:
    """Stop sending to a chat that blocked the bot (a person) or removed it (a group)."""
    with uow:
        changed = mark_chat_inactive(uow, chat_id)
        uow.commit()
        return changed


def reactivate(uow: UnitOfWork, telegram_id: int) -> bool:
    """A person who blocked the bot wrote again: send them reminders and digests again."""
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        if user is None or user.active:
            return False
        user.active = True
        uow.users.save(user)
        uow.commit()
        return True


def _admin_team(uow: UnitOfWork, user_id: int) -> int | None:
    for m in uow.teams.memberships_of(user_id):
        if m.left_on is None and m.role in (TeamRole.OWNER, TeamRole.ADMIN):
            return m.team_id
    return None


def _may_manage(uow: UnitOfWork, user_id: int, team_id: int) -> bool:
    return any(m.team_id == team_id and m.left_on is None and m.role in (TeamRole.OWNER,
                                                                        TeamRole.ADMIN)
               for m in uow.teams.memberships_of(user_id))


def link_group(
    uow: UnitOfWork, telegram_id: int, chat_id: int, title: str, language: str
) -> tuple[GroupChat, str]:
    """Link a group chat to the team the person owns or administers; return it and the
    team's name.

    Raises:
        NotAllowed: the person is not an owner/admin of a team (or the group belongs to a team
            they do not manage).
    """
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        if user is None or user.id is None:
            raise NotAllowed()
        team_id = _admin_team(uow, user.id)
        if team_id is None:
            raise NotAllowed()
        existing = uow.teams.chat(chat_id)
        if existing is not None and existing.active and existing.team_id != team_id \
                and not _may_manage(uow, user.id, existing.team_id):
            raise NotAllowed()
        chat = GroupChat(chat_id=chat_id, team_id=team_id, title=title, language=language,
                         active=True, id=existing.id if existing else None)
        chat = uow.teams.link_chat(chat) if existing is None else _save_chat(uow, chat)
        uow.commit()
        team = uow.teams.get(team_id)
        return chat, team.name if team else ""


def _save_chat(uow: UnitOfWork, chat: GroupChat) -> GroupChat:
    uow.teams.save_chat(chat)
    return chat


def unlink_group(uow: UnitOfWork, telegram_id: int, chat_id: int) -> bool:
    """Unlink a group; return False when it was not linked.

    Raises:
        NotAllowed: the person does not manage the linked team.
    """
    with uow:
        chat = uow.teams.chat(chat_id)
        if chat is None or not chat.active:
            return False
        user = uow.users.by_telegram_id(telegram_id)
        if user is None or user.id is None or not _may_manage(uow, user.id, chat.team_id):
            raise NotAllowed()
        chat.active = False
        uow.teams.save_chat(chat)
        uow.commit()
        return True
