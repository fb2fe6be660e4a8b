"""The scheduled messages as use cases: plan them, compose them, record what became of them.

The scheduler (``bot/scheduler``) only claims due rows, renders what :func:`compose` returns
(``bot/ui/digests.py``), sends, and hands the outcomes to :func:`record`. Everything that
decides *what* is due and *what* it says lives here, over the ports, so it runs on the fakes:

* :class:`Planner` — one row per (chat, kind, local date): today's and tomorrow's digest and
  reminder of every person and linked group, and a person's weekly and monthly report on the
  first working day of a week or month (keyed by that week's or month's first day); pending
  rows move when settings change;
* :func:`compose` — re-checks claimed rows against the current settings (moves, skips,
  expires) and builds the digests and reminders in batches with the latest numbers;
* :func:`record` — outcomes of sends: sent, retried, failed; a blocked chat is deactivated;
* :func:`snooze_reminder` (:func:`snooze_for`), :func:`reminder_day` — the reminder's Snooze
  button and replies.

The builders (:func:`build_digests`, :func:`build_team_digest`, :func:`reminder_views`) run
inside a unit of work the caller has opened, so one transaction serves a whole batch. They load
many people at once: their memberships, teams, plans, members, KPIs and days off in one query
each (:func:`~kpi_core.services.people.team_states`), the period's sums and the report days'
values set-wise, and a logged-days mask for the streaks.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from kpi_core.advice.catalog import Aggregation, get_kpi
from kpi_core.model import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    GroupChat,
    Plan,
    User,
)
from kpi_core.parsing.quickform import Loggable, loggables_for
from kpi_core.planning.calendar import Period, WorkSchedule
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork, WorkingCalendar
from kpi_core.services.daily import mark_chat_inactive, move_group_chat
from kpi_core.services.people import (
    calendar_for,
    kpi_ids_of,
    ledger_for,
    membership_of,
    person_today,
    schedule_of,
    team_state,
    team_states,
)
from kpi_core.tracking.digest import (
    DayPart,
    Ledger,
    PersonDigest,
    TeamDigest,
    TeamState,
    day_part,
    digest_for,
    team_digest,
)
from kpi_core.tracking.reminders import (
    REPORT_KINDS,
    Verdict,
    Window,
    check_due,
    dates_to_plan,
    plan_group_day,
    plan_user_day,
    previous_working_day,
    report_key_floor,
    start_of_day,
    user_window,
    zone,
)
from kpi_core.tracking.reports import PeriodReport, ReportKind, person_report, reported_period

log = logging.getLogger(__name__)

__all__ = [
    "SNOOZE",
    "SNOOZED",
    "Composed",
    "Content",
    "Outcome",
    "Outgoing",
    "PlanStats",
    "Planner",
    "ReminderView",
    "build_digests",
    "build_reports",
    "build_team_digest",
    "compose",
    "keep_snooze",
    "record",
    "reminder_day",
    "reminder_views",
    "snooze_for",
    "snooze_reminder",
    "team_owner",
    "working_checker",
]

SNOOZED = "snoozed"
"""``error`` marker of a reminder the person snoozed: its own window applies, not the plan's."""
SNOOZE = timedelta(hours=1)
"""How long the Snooze button puts the evening reminder off."""


# -- morning digests (batch) -------------------------------------------------------------------
def build_digests(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    users: Sequence[User],
    day: date,
    now: datetime | None = None,
) -> dict[int, PersonDigest]:
    """Morning digests for many people whose local date is ``day``, with batched loading.

    People without a team or KPIs are left out of the result. ``now`` (the instant the digest
    goes out) sets the greeting by each person's local hour; without it, "good morning".
    """
    cache = {u.id: u for u in users if u.id is not None}
    team_of: dict[int, int] = {}
    for membership in uow.teams.memberships_of_users(cache):
        if membership.left_on is None:  # the first current one, as membership_of picks
            team_of.setdefault(membership.user_id, membership.team_id)
    calendar_cache: dict[str, WorkingCalendar] = {}
    teams = team_states(uow, calendars, set(team_of.values()), day, cache, calendar_cache)
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
    ledger = _digest_ledger(uow, ids, teams, team_of, report_days, day)
    streaks = _streaks(uow, {uid: schedule_of(teams[team_of[uid]], uid) for uid in ids}, day)
    result = {}
    for uid in ids:
        team = teams[team_of[uid]]
        member = team.member(uid)
        if member is None or not member.kpi_ids:
            continue
        greeting = (day_part(now.astimezone(zone(cache[uid].timezone)).time())
                    if now is not None else DayPart.MORNING)
        result[uid] = digest_for(team, uid, ledger, today=day, report_day=report_days[uid],
                                 streak=streaks.get(uid, 0), report_plan=report_plans.get(uid),
                                 greeting=greeting)
    return result


def _digest_ledger(
    uow: UnitOfWork,
    ids: Sequence[int],
    teams: Mapping[int, TeamState],
    team_of: Mapping[int, int],
    report_days: Mapping[int, date | None],
    day: date,
) -> Ledger:
    """What the digests of ``day`` read, loaded set-wise: the plan period's sums up to
    yesterday (summed by the database), the values of the report days, and day by day only
    the inputs of level KPIs (a conversion is a ratio of sums over days with every input)."""
    reports = [d for d in report_days.values() if d is not None]
    ledger = Ledger(uow.entries.in_range(ids, min([day, *reports]), day))
    by_start: dict[date, list[int]] = {}
    level_inputs: set[str] = set()
    level_people: list[int] = []
    first = day
    for uid in ids:
        team = teams[team_of[uid]]
        member = team.member(uid)
        if team.plan is None or member is None:
            continue
        by_start.setdefault(team.plan.period_start, []).append(uid)
        inputs = {m.id for k in member.kpi_ids if get_kpi(k).aggregation is not Aggregation.SUM
                  for m in get_kpi(k).inputs}
        if inputs:
            level_inputs |= inputs
            level_people.append(uid)
            first = min(first, team.plan.period_start)
    for start, people in by_start.items():
        if start <= day - timedelta(days=1):
            ledger.add_totals(start, day - timedelta(days=1),
                              uow.entries.totals(people, start, day - timedelta(days=1)))
    if level_people:
        for entry in uow.entries.in_range_of(level_people, level_inputs, first, day):
            if entry.value is not None:
                ledger.add(entry.user_id, entry.kpi_id, entry.day, entry.value)
    return ledger


_MASK_DAYS = 63
"""Days of logging history one ``logged_days`` mask covers."""


def _working_bits(schedule: WorkSchedule, day: date, cache: dict[object, int]) -> int:
    """Bit ``i`` set when ``day - i`` is a working day (1 ≤ i < 63), cached per schedule."""
    key: object
    try:
        key = (hash(schedule), schedule)
    except TypeError:  # a calendar that cannot be hashed: compute it each time
        key = object()
    if key not in cache:
        cache[key] = sum(1 << i for i in range(1, _MASK_DAYS)
                         if schedule.is_working_day(day - timedelta(days=i)))
    return cache[key]


def _streaks(
    uow: UnitOfWork, schedules: Mapping[int, WorkSchedule | None], day: date, limit: int = 366
) -> dict[int, int]:
    """Consecutive working days logged per person, back from yesterday (today if logged).

    One query for everyone (``logged_days``: the last 63 days as a bit mask per person); only
    the streaks longer than that go on day by day, one ``logged_users_on`` query per day for
    everyone still on a streak.
    """
    counts = dict.fromkeys(schedules, 0)
    alive = {uid: s for uid, s in schedules.items() if s is not None}
    masks = uow.entries.logged_days(list(alive), day, _MASK_DAYS) if alive else {}
    bits_cache: dict[object, int] = {}
    window = (1 << _MASK_DAYS) - 2  # bits 1..62: the days before today
    longer: dict[int, WorkSchedule] = {}
    for uid, schedule in alive.items():
        mask = masks.get(uid, 0)
        work = _working_bits(schedule, day, bits_cache)
        missed = work & ~mask & window
        if missed:
            below = (missed & -missed) - 1  # the days after the first missed working day
            counts[uid] = (mask & 1) + (work & mask & below).bit_count()
        else:
            counts[uid] = (mask & 1) + (work & window).bit_count()
            longer[uid] = schedule
    alive = longer
    current = day - timedelta(days=_MASK_DAYS)
    for _ in range(limit - _MASK_DAYS + 1):
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
    uow: UnitOfWork, calendars: CalendarProvider, team_id: int, day: date, *,
    include_today: bool = False, chat: GroupChat | None = None,
) -> TeamDigest | None:
    """The team digest for a linked group on the team owner's local ``day`` (with
    ``include_today``: as of now, today's results counted: the ``/team`` board), with the
    ``chat``'s options (a leaderboard with streaks; who has not reported)."""
    team = team_state(uow, calendars, team_id, day)
    if not team.members:
        return None
    owner_schedule = team.members[0].schedule
    report = previous_working_day(day, owner_schedule.is_working_day)
    ids = [m.user_id for m in team.members]
    ledger = ledger_for(uow, ids, [team.plan], day, report or day)
    digest = team_digest(team, ledger, today=day, report_day=report,
                         include_today=include_today)
    if chat is None:
        return digest
    streaks = (_streaks(uow, {m.user_id: m.schedule for m in team.members}, day)
               if chat.leaderboard else {})
    return replace(digest, leaderboard=chat.leaderboard, missing=chat.missing, streaks=streaks)


# -- weekly and monthly reports (batch) ---------------------------------------------------------
def build_reports(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    users: Sequence[User],
    kind: ReportKind,
    key: date,
    now: datetime,
) -> dict[int, PeriodReport]:
    """Weekly (monthly) reports for many people, the period before the week (month) starting
    on ``key``, as of ``now`` (each person's local date is the report day).

    Each person's team is loaded with every plan in force on some day of the period (one
    :func:`~kpi_core.services.people.team_state` per plan, as the digests of those days saw
    it) and with the plan in force on the report day. People without a team or KPIs, and
    those who had no working day in the period and logged nothing, are left out.
    """
    cache = {u.id: u for u in users if u.id is not None}
    team_of: dict[int, int] = {}
    for membership in uow.teams.memberships_of_users(cache):
        if membership.left_on is None:
            team_of.setdefault(membership.user_id, membership.team_id)
    period = reported_period(kind, key)
    by_today: dict[date, list[int]] = {}
    for uid in team_of:
        by_today.setdefault(person_today(cache[uid], now), []).append(uid)
    calendar_cache: dict[str, WorkingCalendar] = {}
    segments: dict[int, list[TeamState]] = {}
    result: dict[int, PeriodReport] = {}
    for today, ids in by_today.items():
        current = team_states(uow, calendars, {team_of[u] for u in ids}, today, cache,
                              calendar_cache)
        starts = [period.start]
        for team_id in current:
            if team_id not in segments:
                segments[team_id] = _segments(uow, calendars, team_id, period, cache,
                                              calendar_cache)
            plan = current[team_id].plan
            if plan is not None:
                starts.append(plan.period_start)
        ledger = Ledger(uow.entries.in_range(ids, min(starts), today))
        streaks = _streaks(uow, {u: schedule_of(current[team_of[u]], u) for u in ids}, today)
        for uid in ids:
            team = current[team_of[uid]]
            member = team.member(uid)
            if member is None or not member.kpi_ids:
                continue
            report = person_report(kind, key, today, uid, segments[team_of[uid]], team, ledger,
                                   streaks.get(uid, 0))
            if report.working_days or any(k.best_day for k in report.kpis):
                result[uid] = report
    return result


def _segments(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    team_id: int,
    period: Period,
    users: dict[int, User],
    calendar_cache: dict[str, WorkingCalendar],
) -> list[TeamState]:
    """The team with each plan in force on some day of ``period``, newest plan first."""
    plans = [p for p in uow.plans.of_team(team_id)
             if p.period_start <= period.end and p.period_end >= period.start]
    found: list[TeamState] = []
    day = period.start
    while day <= period.end:
        covering = [p for p in plans if p.period_start <= day <= p.period_end]
        if not covering:
            day += timedelta(days=1)
            continue
        state = team_state(uow, calendars, team_id, day, users, calendar_cache)
        if state.plan is None:  # pragma: no cover - of_team and current disagree
            day += timedelta(days=1)
            continue
        if all(s.plan is None or s.plan.id != state.plan.id for s in found):
            found.append(state)
        day = min(state.plan.period_end, period.end) + timedelta(days=1)
    found.sort(key=_newest, reverse=True)
    return found


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _newest(state: TeamState) -> tuple[datetime, int]:
    """A plan's place among the newest (``PlanRepository.current``: creation time, then id)."""
    plan = state.plan
    return (plan.created_at or _EPOCH, plan.id or 0) if plan is not None else (_EPOCH, 0)


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
    uow: UnitOfWork, calendars: CalendarProvider, user: User, around: date, after: int = 7
) -> Callable[[date], bool]:
    """``is_working_day`` for the person (calendar, weekdays, days off from a week before
    ``around`` to ``after`` days after it)."""
    assert user.id is not None
    offs = {o.day for o in uow.days_off.in_range([user.id], around - timedelta(days=7),
                                                  around + timedelta(days=after))}
    schedule = WorkSchedule(calendar_for(calendars, user.country), frozenset(user.working_weekdays),
                            frozenset(offs))
    return schedule.is_working_day




# -- composing claimed rows --------------------------------------------------------------------
Content = PersonDigest | TeamDigest | ReminderView | PeriodReport
"""What a scheduled message says, as data: ``bot/ui/digests.py`` and ``bot/ui/reports.py``
word it."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed row, the language to word it in, and what it says.

    ``chart``: the person's own digest, and they asked for their progress chart with it
    (``User.digest_chart``): the adapter draws it and sends it after the words.
    """

    delivery: Delivery
    language: str
    content: Content
    chart: bool = False
    telegram_id: int | None = None


@dataclass
class Composed:
    """What :func:`compose` made of a batch of claimed rows.

    Attributes:
        outgoing: The messages to send now, in the order of the rows.
        skipped: Rows finished as SKIPPED (nothing due any more, or nothing to say).
        expired: Rows finished as EXPIRED (stale with the current settings).
        moved: Rows moved to a later window (the settings changed) and back to PENDING.
    """

    outgoing: list[Outgoing] = field(default_factory=list)
    skipped: int = 0
    expired: int = 0
    moved: int = 0


def compose(
    uow: UnitOfWork, calendars: CalendarProvider, clock: Clock, rows: Sequence[Delivery]
) -> Composed:
    """Check claimed ``rows`` against the current settings and build their messages.

    One transaction (opened here, committed once): a row whose window moved goes back to
    PENDING at the new time, one that is no longer due is SKIPPED, a stale one EXPIRED, a
    reminder of someone who has logged already (or a digest with nothing in it) SKIPPED.
    Digests are built with the numbers as they are now, in batches per kind and local date.
    """
    now = clock.now()
    composed = Composed()
    with uow:
        ready: list[tuple[Delivery, User]] = []
        for row in rows:
            assert row.id is not None
            person, verdict, window = _check(uow, calendars, row, now)
            if verdict == Verdict.SEND and person is not None:
                ready.append((row, person))
            elif verdict == Verdict.LATER and window is not None:
                uow.deliveries.reschedule(row.id, window.due_at, window.expires_at)
                composed.moved += 1
            elif verdict == Verdict.EXPIRED:
                uow.deliveries.finish(row.id, DeliveryStatus.EXPIRED, now,
                                      error="stale with the current settings")
                composed.expired += 1
            else:
                uow.deliveries.finish(row.id, DeliveryStatus.SKIPPED, now,
                                      error="not due with the current settings")
                composed.skipped += 1
        built = _build(uow, calendars, ready, now)
        for row, person in ready:
            item = built.get(row.id or 0)
            if item is None:
                uow.deliveries.finish(row.id or 0, DeliveryStatus.SKIPPED, now,
                                      error="nothing to send")
                composed.skipped += 1
            else:
                chart = (row.kind is DeliveryKind.DIGEST and row.user_id is not None
                         and person.digest_chart)
                composed.outgoing.append(Outgoing(row, *item, chart, person.telegram_id))
        uow.commit()
    return composed


def _check(
    uow: UnitOfWork, calendars: CalendarProvider, row: Delivery, now: datetime
) -> tuple[User | None, str, Window | None]:
    group = row.user_id is None
    if not group:
        person = uow.users.get(row.user_id) if row.user_id is not None else None
        if person is None or not person.active:
            return person, Verdict.SKIP, None
    else:
        chat = uow.teams.chat(row.chat_id)
        if chat is None or not chat.active or row.team_id is None:
            return None, Verdict.SKIP, None
        person = team_owner(uow, row.team_id)
        if person is None:
            return None, Verdict.SKIP, None
    if row.error == SNOOZED:
        window: Window | None = Window(row.due_at, row.expires_at)
    else:
        # A report's row is keyed by the first day of its week or month: the day it is due
        # may be weeks later (the first working day of the month after a long leave).
        working = working_checker(uow, calendars, person, row.local_date,
                                  38 if row.kind in REPORT_KINDS else 7)
        window = user_window(person, row.kind, row.local_date, working,
                             require_active=not group)
    verdict, _ = check_due(now, window)
    return person, verdict, window


def _build(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    ready: Sequence[tuple[Delivery, User]],
    now: datetime,
) -> dict[int, tuple[str, Content]]:
    """Each row's language and content (rows with nothing to say are left out)."""
    result: dict[int, tuple[str, Content]] = {}
    batches: dict[tuple[DeliveryKind, bool, date], list[tuple[Delivery, User]]] = {}
    for row, person in ready:
        batches.setdefault((row.kind, row.user_id is None, row.local_date), []).append(
            (row, person))
    for (kind, is_group, local), items in batches.items():
        if is_group:
            for row, _owner in items:
                chat = uow.teams.chat(row.chat_id)
                if chat is None or row.team_id is None:
                    continue
                team = build_team_digest(uow, calendars, row.team_id, local, chat=chat)
                if team is not None:
                    result[row.id or 0] = (chat.language, team)
        elif kind in REPORT_KINDS:
            reports = build_reports(uow, calendars, [p for _, p in items], REPORT_KINDS[kind],
                                    local, now)
            for row, person in items:
                report = reports.get(person.id or 0)
                if report is not None:
                    result[row.id or 0] = (person.language, report)
        elif kind is DeliveryKind.DIGEST:
            built = build_digests(uow, calendars, [p for _, p in items], local, now)
            for row, person in items:
                found = built.get(person.id or 0)
                if found is not None:
                    result[row.id or 0] = (person.language, found)
        else:
            views = reminder_views(uow, [p for _, p in items], local)
            for row, person in items:
                view = views.get(person.id or 0)
                if view is not None:
                    result[row.id or 0] = (person.language, view)
    return result


# -- recording outcomes ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one send (see :meth:`~kpi_core.ports.DeliveryRepository.finish`).

    Attributes:
        delivery_id: The row.
        chat_id: Its chat.
        status: SENT, FAILED, or PENDING / FAILED with ``next_attempt_at`` to retry.
        error: What went wrong (stored as given).
        message_id: The Telegram message id of a sent message.
        next_attempt_at: When to try again.
        deactivate: The chat blocked the bot or is gone: stop sending there.
        migrate_to: The group became a supergroup with this chat id.
    """

    delivery_id: int
    chat_id: int
    status: DeliveryStatus
    error: str | None = None
    message_id: int | None = None
    next_attempt_at: datetime | None = None
    deactivate: bool = False
    migrate_to: int | None = None


def record(uow: UnitOfWork, at: datetime, outcomes: Iterable[Outcome]) -> None:
    """Write outcomes in one transaction (opened and committed here)."""
    with uow:
        for o in outcomes:
            uow.deliveries.finish(o.delivery_id, o.status, at, error=o.error,
                                  telegram_message_id=o.message_id,
                                  next_attempt_at=o.next_attempt_at)
            if o.deactivate:
                mark_chat_inactive(uow, o.chat_id)
            if o.migrate_to is not None:  # the retry goes to the supergroup
                move_group_chat(uow, o.chat_id, o.migrate_to)
        uow.commit()


def keep_snooze(row: Delivery, error: str) -> str:
    """The ``error`` to store when ``row`` goes back to wait: a snoozed reminder keeps its
    marker (and so its own window)."""
    return SNOOZED if row.error == SNOOZED else error


# -- the reminder's buttons --------------------------------------------------------------------
def _sent_reminder(uow: UnitOfWork, chat_id: int, message_id: int) -> Delivery | None:
    row = uow.deliveries.sent_as(chat_id, message_id)
    return row if row is not None and row.kind is DeliveryKind.REMINDER else None


def reminder_day(uow: UnitOfWork, chat_id: int, message_id: int) -> date | None:
    """The day of the evening reminder that is Telegram message ``message_id`` in the chat
    (``None`` when that message is not a reminder)."""
    with uow:
        row = _sent_reminder(uow, chat_id, message_id)
        return row.local_date if row is not None else None


def snooze_reminder(
    uow: UnitOfWork, clock: Clock, chat_id: int, message_id: int
) -> datetime | None:
    """The Snooze button, in its own transaction: see :func:`snooze_for`."""
    with uow:
        user = uow.users.by_telegram_id(chat_id)
        due = None if user is None else snooze_for(uow, user, clock.now(), message_id)
        uow.commit()
        return due


def snooze_for(uow: UnitOfWork, user: User, now: datetime, message_id: int) -> datetime | None:
    """Send the evening reminder that is message ``message_id`` of ``user``'s private chat again
    in :data:`SNOOZE` (inside the caller's transaction).

    Returns:
        When it will come (UTC), or ``None`` when that would be at or past the person's local
        midnight or the message is not a sent reminder.
    """
    if user.telegram_id is None:  # a stand-in has no chat
        return None
    row = _sent_reminder(uow, user.telegram_id, message_id)
    if row is None or row.id is None:
        return None
    due = now + SNOOZE
    end = start_of_day(row.local_date + timedelta(days=1), zone(user.timezone))
    if due >= end or not uow.deliveries.requeue(row.id, due, min(due + SNOOZE, end), SNOOZED):
        return None
    return due


# -- planning ----------------------------------------------------------------------------------
_CHUNK = 2000


@dataclass
class PlanStats:
    """What one planner pass did."""

    people: int = 0
    groups: int = 0
    considered: int = 0
    inserted: int = 0
    moved: int = 0
    skipped: int = 0


def _fingerprint(user: User) -> tuple[object, ...]:
    return (user.timezone, user.digest_time, user.reminder_time,
            tuple(sorted(user.working_weekdays)), user.country, user.active)


class Planner:
    """Plans deliveries: one row per (chat, kind, local date), in the database.

    Each pass looks at every onboarded, active person and linked group, works out their local
    "today" and "tomorrow" and plans the digest and the reminder of each of those days that is
    a working day (:mod:`kpi_core.tracking.reminders`) with ``DeliveryRepository.plan``
    (insert-or-ignore on the unique (chat, kind, local date)): any number of processes can
    plan at once.

    To stay cheap at scale a planner remembers per person what it planned (their settings and
    the dates) and plans again only when the local date rolls over or the settings change.
    When the settings change — a new time zone, another reminder or digest time, working
    days — the person's pending rows are moved to the new window
    (``DeliveryRepository.reschedule``) or skipped when nothing is due any more. The first
    pass reconciles every pending row the same way, so a change made while no planner ran is
    picked up too. After downtime nothing is planned for days that are over.

    Args:
        uow_factory: Opens a unit of work.
        calendars: Production calendars.
        clock: The current instant.
        ahead: Local days to plan after today.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        calendars: CalendarProvider,
        clock: Clock,
        *,
        ahead: int = 1,
    ) -> None:
        self._uow_factory = uow_factory
        self._calendars = calendars
        self._clock = clock
        self._ahead = ahead
        self._memo: dict[tuple[str, int], tuple[tuple[object, ...], tuple[date, ...]]] = {}
        self._reconciled = False
        self._calendar_cache: dict[str, WorkingCalendar] = {}
        self._schedules: dict[tuple[object, ...], Callable[[date], bool]] = {}

    def forget(self) -> None:
        """Drop what this planner remembers (the next pass plans and reconciles everything)."""
        self._memo.clear()
        self._reconciled = False

    def plan_once(self) -> PlanStats:
        """One pass over everyone; returns what it did."""
        now = self._clock.now()
        stats = PlanStats()
        self._schedules.clear()  # days off may have changed since the last pass
        with self._uow_factory() as uow:
            # People still in the questionnaire have nothing to be reminded of yet.
            users = [u for u in uow.users.list_active() if u.id is not None and u.onboarded]
            chats = list(uow.teams.list_active_chats())
            owners = self._owners(uow, chats)
        stats.people, stats.groups = len(users), len(chats)
        by_id: dict[int | None, User] = {u.id: u for u in users}

        todo_users: list[tuple[User, tuple[date, ...]]] = []
        changed: list[User] = []
        for user in users:
            assert user.id is not None
            dates = tuple(dates_to_plan(now, zone(user.timezone), self._ahead))
            key, value = ("u", user.id), (_fingerprint(user), dates)
            before = self._memo.get(key)
            if before == value:
                continue
            if before is not None and before[0] != value[0]:
                changed.append(user)
            todo_users.append((user, dates))
        todo_groups: list[tuple[GroupChat, User, tuple[date, ...]]] = []
        for chat in chats:
            owner = owners.get(chat.team_id)
            if owner is None:
                continue
            dates = tuple(dates_to_plan(now, zone(owner.timezone), self._ahead))
            key, value = ("g", chat.chat_id), ((chat.team_id, *_fingerprint(owner)), dates)
            if self._memo.get(key) == value:
                continue
            todo_groups.append((chat, owner, dates))

        people = [u for u, _ in todo_users] + [o for _, o, _ in todo_groups]
        days_off = self._days_off(people, now)
        planned: list[Delivery] = []
        for user, dates in todo_users:
            working = self._working(user, days_off)
            for day in dates:
                planned.extend(plan_user_day(user, day, working))
        for chat, owner, dates in todo_groups:
            working = self._working(owner, days_off)
            for day in dates:
                row = plan_group_day(chat, owner, day, working)
                if row is not None:
                    planned.append(row)
        stats.considered = len(planned)

        # First move pending rows whose window changed (all of them on the first pass), then
        # add the missing ones: the rows this pass adds are right by construction.
        reconcile = None if not self._reconciled else [u.telegram_id for u in changed
                                                     if u.telegram_id is not None]
        if reconcile is None or reconcile:
            fresh = {(d.chat_id, d.kind, d.local_date): (d.due_at, d.expires_at)
                     for d in planned}
            stats.moved, stats.skipped = self._reconcile(now, by_id, owners, days_off,
                                                         reconcile, fresh)
        for start in range(0, len(planned), _CHUNK * 5):
            with self._uow_factory() as uow:
                stats.inserted += uow.deliveries.plan(planned[start:start + _CHUNK * 5])
                uow.commit()
        self._reconciled = True
        for user, dates in todo_users:
            assert user.id is not None
            self._memo[("u", user.id)] = (_fingerprint(user), dates)
        for chat, owner, dates in todo_groups:
            self._memo[("g", chat.chat_id)] = ((chat.team_id, *_fingerprint(owner)), dates)
        if stats.inserted or stats.moved or stats.skipped:
            log.info("Planner: %d new deliveries, %d moved, %d skipped", stats.inserted,
                     stats.moved, stats.skipped)
        return stats

    def _owners(self, uow: UnitOfWork, chats: Sequence[GroupChat]) -> dict[int, User]:
        owners: dict[int, User] = {}
        for team_id in {c.team_id for c in chats}:
            owner = team_owner(uow, team_id)
            if owner is not None:
                owners[team_id] = owner
        return owners

    def _days_off(
        self, people: Iterable[User], now: datetime, uow: UnitOfWork | None = None
    ) -> dict[int, set[date]]:
        ids = sorted({u.id for u in people if u.id is not None})
        found: dict[int, set[date]] = {}
        if not ids:
            return found
        if uow is None:
            with self._uow_factory() as own:
                return self._days_off(people, now, own)
        today = now.date()
        # From the start of the week or month: whether a day is the first working day of
        # either (a report is due) depends on the days off before it.
        since = min(today, report_key_floor(today)) - timedelta(days=2)
        for start in range(0, len(ids), _CHUNK):
            for off in uow.days_off.in_range(ids[start:start + _CHUNK], since,
                                             today + timedelta(days=self._ahead + 2)):
                found.setdefault(off.user_id, set()).add(off.day)
        return found

    def _working(self, user: User, days_off: Mapping[int, set[date]]) -> Callable[[date], bool]:
        offs = frozenset(days_off.get(user.id or 0, ()))
        key = (user.country, frozenset(user.working_weekdays), offs)
        found = self._schedules.get(key)
        if found is None:
            calendar = calendar_for(self._calendars, user.country, self._calendar_cache)
            schedule = WorkSchedule(calendar, key[1], offs)
            answers: dict[date, bool] = {}

            def working(day: date) -> bool:
                # People with the same country, week and days off share one answer per day.
                if day not in answers:
                    answers[day] = schedule.is_working_day(day)
                return answers[day]

            found = self._schedules[key] = working
        return found

    def _reconcile(
        self,
        now: datetime,
        users: dict[int | None, User],
        owners: Mapping[int, User],
        days_off: dict[int, set[date]],
        chat_ids: list[int] | None,
        fresh: Mapping[tuple[int, DeliveryKind, date], tuple[datetime, datetime]],
    ) -> tuple[int, int]:
        """Move (or skip) pending rows whose window no longer matches the settings."""
        moved = skipped = 0
        since = now.date() - timedelta(days=1)
        with self._uow_factory() as uow:
            # Reports are keyed by the first day of their week or month.
            rows = [r for r in uow.deliveries.pending(report_key_floor(since) - timedelta(days=1),
                                                      chat_ids)
                    if r.local_date >= since or r.kind in REPORT_KINDS]
            for user_id in {r.user_id for r in rows
                            if r.user_id is not None and r.user_id not in users}:
                found = uow.users.get(user_id)
                if found is not None:
                    users[user_id] = found
            extra = self._days_off([users[r.user_id] for r in rows
                                    if r.user_id in users and r.user_id not in days_off],
                                   now, uow)
            days_off = {**days_off, **extra}
            for row in rows:
                assert row.id is not None
                if fresh.get((row.chat_id, row.kind, row.local_date)) == (row.due_at,
                                                                          row.expires_at):
                    continue  # planned in this pass with the current settings
                person = (users.get(row.user_id) if row.user_id is not None
                          else owners.get(row.team_id) if row.team_id is not None else None)
                if person is None or row.error == SNOOZED:
                    continue
                window = user_window(person, row.kind, row.local_date,
                                     self._working(person, days_off))
                if window is None:
                    uow.deliveries.finish(row.id, DeliveryStatus.SKIPPED, now,
                                          error="not due with the current settings")
                    skipped += 1
                elif (window.due_at, window.expires_at) != (row.due_at, row.expires_at):
                    uow.deliveries.reschedule(row.id, window.due_at, window.expires_at)
                    moved += 1
            uow.commit()
        return moved, skipped
