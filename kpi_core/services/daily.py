"""The daily loop's use cases: log results, undo, correct, check outliers, report, digest.

Plain functions over a :class:`~kpi_core.ports.UnitOfWork` (and the clock and calendars where
"today" or working days matter). They return values — :class:`Logged`, :class:`DayReport`,
:class:`~kpi_core.tracking.digest.PersonDigest` ... — and raise :class:`DailyError` subclasses
carrying a :class:`~kpi_core.messages.Message`; the adapters turn both into words.

"Today" is always the person's local date in their IANA zone, from the injected clock. Entries
are stored per metric (:func:`kpi_core.parsing.quickform.loggables_for`): a conversion is computed
from its inputs, never logged as a percentage.

Interactive use cases (logging, undo, /today, /link ...) open the unit of work themselves
(``with uow:``) and commit what they change. The batch builders for the scheduler
(:func:`build_digests`, :func:`build_team_digest`, :func:`reminder_views`,
:func:`working_checker`) run inside a unit of work the caller has opened, so one transaction
serves a whole dispatch batch. They load many people at once: one entries query for the whole
batch, one team state per team, one ``logged_users_on`` query per day of the longest streak.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from kpi_core.advice.catalog import Unit
from kpi_core.messages import Message
from kpi_core.model import (
    ConversationState,
    DeliveryKind,
    Entry,
    GroupChat,
)
from kpi_core.parsing.quickform import Loggable
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork
from kpi_core.services.errors import (
    DailyError,
    DayOutOfRange,
    NotAllowed,
    NotAllowedToUnlink,
    NothingToUndo,
    NotSetUp,
    UnknownMetric,
    WholeNumberNeeded,
)
from kpi_core.services.people import (
    Person,
    check_day,
    ledger_for,
    person_of,
    person_today,
    schedule_of,
    team_state,
    user_of,
)
from kpi_core.services.permissions import TeamAction, allows
from kpi_core.tracking.digest import (
    KpiStanding,
    Ledger,
    person_standings,
)

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
    "NotAllowedToUnlink",
    "NotSetUp",
    "NothingToUndo",
    "Outlier",
    "Undone",
    "UnknownMetric",
    "WholeNumberNeeded",
    "deactivate_chat",
    "entry_history",
    "forget",
    "group_migrated",
    "link_group",
    "log_menu",
    "log_values",
    "mark_chat_inactive",
    "move_group_chat",
    "person_today",
    "reactivate",
    "recall",
    "remember",
    "reminder_day",
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


# -- context -----------------------------------------------------------------------------------
def today_of(uow: UnitOfWork, clock: Clock, telegram_id: int) -> date:
    """The person's local date now.

    Raises:
        NotSetUp: an unknown person.
    """
    with uow:
        return person_today(user_of(uow, telegram_id), clock.now())


def zone_of(uow: UnitOfWork, telegram_id: int) -> str:
    """The person's IANA time zone name (``NotSetUp`` for an unknown person)."""
    with uow:
        return user_of(uow, telegram_id).timezone



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
        person = person_of(uow, telegram_id)
        return menu_for(uow, person, person_today(person.user, clock.now()), day)


def menu_for(uow: UnitOfWork, person: Person, today: date, day: date | None = None) -> LogMenu:
    """:func:`log_menu` inside an open unit of work, for a person already loaded."""
    day = day or today
    check_day(day, today)
    logged = {e.kpi_id: e.value for e in uow.entries.in_range([person.user_id], day, day)}
    items = tuple((item, logged.get(item.metric_id)) for item in person.loggables)
    return LogMenu(day, today, items, person.user.language)


def loggables_of(uow: UnitOfWork, telegram_id: int) -> tuple[Loggable, ...]:
    """The person's loggable metrics in order (for parsing a quick form)."""
    with uow:
        return person_of(uow, telegram_id).loggables


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
        person = person_of(uow, telegram_id)
        result = log_for(uow, calendars, person, clock.now(), values, day=day,
                         confirmed=confirmed)
        if isinstance(result, Logged):
            uow.commit()
        return result


def log_for(
    uow: UnitOfWork,
    calendars: CalendarProvider,
    person: Person,
    now: datetime,
    values: Sequence[tuple[str, Decimal]],
    *,
    day: date | None = None,
    confirmed: Collection[str] = (),
) -> Logged | NeedsConfirmation:
    """:func:`log_values` inside an open unit of work; the caller commits.

    Every value is checked before anything is written, so an error leaves nothing half-saved.
    """
    today = person_today(person.user, now)
    day = day or today
    check_day(day, today)
    known = {item.metric_id: item for item in person.loggables}
    for metric_id, value in values:
        item = known.get(metric_id)
        if item is None:
            raise UnknownMetric()
        if item.unit is Unit.COUNT and value != value.to_integral_value():
            raise WholeNumberNeeded(item.label_message, value)
    team = (
        team_state(uow, calendars, person.team_id, today, {person.user_id: person.user})
        if person.team_id is not None else None
    )
    report_plan = None
    if team is not None and (team.plan is None
                             or not team.plan.period_start <= day <= team.plan.period_end):
        assert person.team_id is not None
        report_plan = uow.plans.current(person.team_id, day)
    # One read of the person's entries serves the outlier check, the values replaced and the
    # standings after the save.
    ledger_start = min([day, *(p.period_start for p in (team.plan if team else None,
                                                         report_plan) if p is not None)])
    window = uow.entries.in_range(
        [person.user_id], min(ledger_start, day - timedelta(days=OUTLIER_WINDOW_DAYS)),
        max(today, day + timedelta(days=OUTLIER_WINDOW_DAYS)))
    outliers = [o for o in find_outliers(window, known, values, day)
                if o.metric_id not in confirmed]
    currency = team.plan.currency if team and team.plan else "RUB"
    if outliers:
        return NeedsConfirmation(day, tuple(values), tuple(outliers), currency)
    before = {e.kpi_id: e.value for e in window if e.day == day}
    items = []
    for metric_id, value in values:
        uow.entries.record(person.user_id, metric_id, day, value, person.user_id, now)
        item = known[metric_id]
        items.append(LoggedItem(metric_id, item.label_message, item.unit, value,
                                before.get(metric_id)))
    standings: list[KpiStanding] = []
    if team is not None:
        ledger = Ledger(e for e in window if ledger_start <= e.day <= today)
        for metric_id, value in values:
            ledger.add(person.user_id, metric_id, day, value)
        standings = person_standings(team, person.user_id, ledger, today=today, report_day=day,
                                     include_today=True, report_plan=report_plan)
    return Logged(day, today, tuple(items), now, tuple(standings), currency)


def find_outliers(
    entries: Iterable[Entry],
    known: Mapping[str, Loggable],
    values: Sequence[tuple[str, Decimal]],
    day: date,
) -> list[Outlier]:
    """Values ten times the person's recent median or a tenth of it (see :func:`log_values`).

    Args:
        entries: The person's entries around ``day`` (:data:`OUTLIER_WINDOW_DAYS` each way).
    """
    recent: dict[str, list[Decimal]] = {}
    start = day - timedelta(days=OUTLIER_WINDOW_DAYS)
    end = day + timedelta(days=OUTLIER_WINDOW_DAYS)
    for entry in entries:
        if (entry.day != day and start <= entry.day <= end and entry.value is not None
                and entry.value > 0):
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
        person = person_of(uow, telegram_id)
        result = undo_for(uow, person, clock.now(), day, stamp)
        uow.commit()
        return result


def undo_for(uow: UnitOfWork, person: Person, now: datetime, day: date, stamp: int) -> Undone:
    """:func:`undo_log` inside an open unit of work; the caller commits."""
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
    plan = uow.plans.current(person.team_id, day) if person.team_id is not None else None
    return Undone(day, tuple(restored), plan.currency if plan else "RUB")


def entry_history(
    uow: UnitOfWork, telegram_id: int, metric_id: str, day: date
) -> list[tuple[int, Decimal | None, datetime]]:
    """Every version of one value: (version, value, when), oldest first."""
    with uow:
        person = person_of(uow, telegram_id)
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
        person = person_of(uow, telegram_id)
        return report_for(uow, calendars, person, person_today(person.user, clock.now()))


def report_for(
    uow: UnitOfWork, calendars: CalendarProvider, person: Person, today: date
) -> DayReport:
    """:func:`today_report` inside an open unit of work."""
    if person.team_id is None:
        return DayReport(today, True, (), False, None, None)
    team = team_state(uow, calendars, person.team_id, today, {person.user_id: person.user})
    ledger = ledger_for(uow, [person.user_id], [team.plan], today, today)
    standings = person_standings(team, person.user_id, ledger, today=today, report_day=today,
                                 include_today=True)
    schedule = schedule_of(team, person.user_id)
    remaining = next((s.progress.remaining_days for s in standings if s.progress), None)
    return DayReport(
        today=today,
        working_today=bool(schedule and schedule.is_working_day(today)),
        standings=tuple(standings),
        has_plan=team.plan is not None,
        period_end=team.plan.period_end if team.plan else None,
        remaining_days=remaining,
    )


# -- conversation state of the daily loop -------------------------------------------------------
DAILY_STATE_CHAT_ID = 2**62 + 1
"""The daily loop keeps its little state (a number asked for, a "Did you mean …?" waiting) in a
conversation row of its own, keyed by this chat id (no Telegram chat has it), so it never
clobbers an onboarding or menu conversation of the same person."""
DAILY_FLOW = "daily"


def remember(uow: UnitOfWork, telegram_id: int, step: str, data: dict[str, Any]) -> str:
    """Store the daily-loop state of a person; return its new token."""
    with uow:
        user = user_of(uow, telegram_id)
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


def move_group_chat(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup (a new chat id): its team link and its messages not sent
    yet follow it, inside the caller's transaction. False when there was nothing to move."""
    if not uow.teams.move_chat(old_chat_id, new_chat_id):
        return False
    uow.deliveries.move_chat(old_chat_id, new_chat_id)
    return True


def group_migrated(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> bool:
    """Telegram said the group ``old_chat_id`` is now the supergroup ``new_chat_id`` (either
    side's service message; the second finds nothing left to move)."""
    with uow:
        moved = move_group_chat(uow, old_chat_id, new_chat_id)
        uow.commit()
        return moved


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
        if allows(m, TeamAction.LINK_GROUP, m.team_id):
            return m.team_id
    return None


def _may_manage(uow: UnitOfWork, user_id: int, team_id: int) -> bool:
    return any(allows(m, TeamAction.LINK_GROUP, team_id)
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
        if existing is None:
            chat = uow.teams.link_chat(GroupChat(chat_id=chat_id, team_id=team_id, title=title,
                                                 language=language, active=True))
        else:  # linked before: its digest options stay
            chat = _save_chat(uow, replace(existing, team_id=team_id, title=title,
                                           language=language, active=True))
        uow.commit()
        team = uow.teams.get(team_id)
        return chat, team.name if team else ""


def _save_chat(uow: UnitOfWork, chat: GroupChat) -> GroupChat:
    uow.teams.save_chat(chat)
    return chat


def unlink_group(uow: UnitOfWork, telegram_id: int, chat_id: int) -> bool:
    """Unlink a group; return False when it was not linked.

    Raises:
        NotAllowedToUnlink: the person does not manage the linked team.
    """
    with uow:
        chat = uow.teams.chat(chat_id)
        if chat is None or not chat.active:
            return False
        user = uow.users.by_telegram_id(telegram_id)
        if user is None or user.id is None or not _may_manage(uow, user.id, chat.team_id):
            raise NotAllowedToUnlink()
        chat.active = False
        uow.teams.save_chat(chat)
        uow.commit()
        return True
