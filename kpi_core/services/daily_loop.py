"""The daily loop as a conversation: one use case per update, one unit of work each.

Every update of the daily loop is one call here — ``log_command`` (/log), ``today`` (/today and
the "Today" button), ``typed`` (a line typed in the private chat) or ``press`` (a button) — and
each runs in a single transaction: it records the update (so a repeated delivery does nothing),
loads the person once, loads and saves the little state the loop keeps (a number asked for
after a KPI button, a "Did you mean …?" waiting for an answer), does the work and commits once.
It returns a :class:`DailyReply`: a screen as data, which the adapters (Telegram, the console)
turn into words and buttons in the person's language.

What a typed line is, in this order: the answer to a number the bot asked for; a reply to the
evening reminder (numbers in the order it listed, or a quick form for that day); a quick form
(``calls 35, meetings 4``, optionally after a date: ``вчера: звонки 30``). Anything else gets a
hint with an example made of the person's own KPIs: every message gets an answer.

A quick form with any part that cannot be read saves nothing and says which part was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState, DeliveryKind, User
from kpi_core.parsing.numbers import NumberError, parse_amount
from kpi_core.parsing.quickform import (
    Loggable,
    QuickForm,
    parse_day,
    parse_positional,
    parse_quick_form,
    resolve_day,
)
from kpi_core.ports import UnitOfWork
from kpi_core.services import daily, deliveries, membership, onboarding, permissions, team_shares
from kpi_core.services.common import Deps, Who
from kpi_core.services.daily import DayReport, Logged, LogMenu, NeedsConfirmation, Undone
from kpi_core.services.errors import NotSetUp
from kpi_core.services.people import Person, person_from, person_today
from kpi_core.tracking.digest import PersonDigest
from kpi_core.tracking.reminders import zone
from kpi_core.tracking.reports import PeriodReport, ReportKind, period_key

__all__ = [
    "DAILY_FLOW",
    "DAILY_STATE_CHAT_ID",
    "EXPIRED",
    "AskValue",
    "Choice",
    "Confirm",
    "DailyPress",
    "DailyReply",
    "DailyScreen",
    "DayPicker",
    "DigestPreview",
    "GroupOptions",
    "Hint",
    "LogKpi",
    "Notice",
    "PickDay",
    "Refused",
    "ShowToday",
    "Snooze",
    "UndoSave",
    "Verdict",
    "digest_preview",
    "group_added",
    "group_option",
    "link_group",
    "log_command",
    "press",
    "today",
    "typed",
    "unlink_group",
]

DAILY_STATE_CHAT_ID = daily.DAILY_STATE_CHAT_ID
DAILY_FLOW = daily.DAILY_FLOW
STEP_VALUE = "value"
"""A KPI button was pressed: the next number typed is its value."""
STEP_CONFIRM = "confirm"
"""A "Did you mean …?" is waiting for its answer."""
STEP_REENTER = "reenter"
"""The person chose to type a doubtful value again."""

# Flows of the onboarding conversations (kpi_core.services.onboarding) that keep typed text for
# themselves while they are open; the menus (/plan, /kpis, /delete_me) give way to the daily
# loop once the person is set up, the way the onboarding service itself decides.
_QUESTION_FLOWS = frozenset({"onboarding", "join", "edit"})
_MENU_FLOWS = frozenset({"menu", "kpis", "delete", "switch"})

EXPIRED = N_("This menu has expired.")
_BAD_DATE = N_("That date does not exist. Try 12.05 or yesterday.")
_NOTHING = N_("Nothing to log.")
_RETYPE = N_("Send the right number, then.")
_SNOOZED = N_("I will remind you again at {time}.")
_TOO_LATE = N_("Too late to snooze today's reminder.")
_NO_DIGEST = N_("There is no digest for you yet: it needs a plan and KPIs. Send /start.")
_NO_REPORT = N_("There is no report for you yet: it sums up the week (month) before this one, "
                "from your first working day with us.")


# -- presses: what a button means, parsed from its data by the adapter ---------------------------
@dataclass(frozen=True, slots=True)
class LogKpi:
    """A KPI button of /log: ask for its number for ``day``."""

    metric_id: str
    day: date


@dataclass(frozen=True, slots=True)
class PickDay:
    """"Another day": the date picker (``day`` is ``None``), or /log for the picked day."""

    day: date | None = None


@dataclass(frozen=True, slots=True)
class UndoSave:
    """Undo the save made at ``stamp`` (:func:`kpi_core.services.daily.stamp_of`) for ``day``."""

    day: date
    stamp: int


class Choice(Enum):
    """The answers to "Did you mean …?"."""

    KEEP = "ok"
    SUGGESTED = "fix"
    RETYPE = "re"


@dataclass(frozen=True, slots=True)
class Verdict:
    """An answer to "Did you mean …?" about one value of the waiting batch."""

    choice: Choice
    token: str
    metric_id: str


@dataclass(frozen=True, slots=True)
class ShowToday:
    """The "Today" button."""


@dataclass(frozen=True, slots=True)
class Snooze:
    """"Remind me in an hour" under the evening reminder that is message ``message_id``.

    The button's data names the reminder's day; the message it sits under is what is sent
    again (the adapter fills ``message_id`` in from the pressed message).
    """

    day: date | None = None
    message_id: int | None = None


DailyPress = LogKpi | PickDay | UndoSave | Verdict | ShowToday | Snooze


# -- screens: what the adapters draw -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AskValue:
    """Send the number for one KPI (after its button was pressed)."""

    item: Loggable
    day: date
    today: date
    current: Decimal | None


@dataclass(frozen=True, slots=True)
class DayPicker:
    """The last days as buttons."""

    today: date


@dataclass(frozen=True, slots=True)
class Confirm:
    """Nothing saved yet: a value looks like a typo; its buttons carry ``token``."""

    pending: NeedsConfirmation
    token: str


@dataclass(frozen=True, slots=True)
class Refused:
    """A quick form with parts that could not be read: nothing was saved."""

    form: QuickForm
    loggables: tuple[Loggable, ...]


@dataclass(frozen=True, slots=True)
class Hint:
    """Text that is not a log entry: how to log, with an example of the person's own KPIs."""

    loggables: tuple[Loggable, ...]
    reminder: bool = False
    """The text answered the evening reminder: the numbers go in the order it listed."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A message without buttons."""

    message: Message


@dataclass(frozen=True, slots=True)
class GroupOptions:
    """A linked group's team digest options, with buttons to change them.

    Attributes:
        team: The team's name.
        leaderboard: The digest ranks people and shows their streaks.
        missing: Who has not reported yet: ``"named"``, ``"counted"`` or ``"hidden"``.
        notice: What happened first ("Linked: …"), if anything.
    """

    team: str
    leaderboard: bool
    missing: str
    notice: Message | None = None


DailyScreen = (
    LogMenu | AskValue | DayPicker | Logged | Confirm | Undone | DayReport | Refused | Hint
    | Notice | GroupOptions
)
MISSING_CHOICES = ("named", "counted", "hidden")


@dataclass(frozen=True, slots=True)
class DailyReply:
    """What the adapter shows for one update of the daily loop.

    Attributes:
        screen: What to show, or ``None``.
        language: The language to show it in (the person's stored choice).
        handled: False when the update is not the daily loop's (an open onboarding question,
            a person who is not set up): the adapter hands it to onboarding.
        repeated: The update was processed before: show nothing.
        edit: Show the screen in place of the pressed menu.
        toast: The short answer to a button press (``None``: a silent one).
        alert: Show ``toast`` as an alert that needs a tap.
        strip_buttons: Take the buttons off the pressed message (after Undo).
    """

    screen: DailyScreen | None
    language: str
    handled: bool = True
    repeated: bool = False
    edit: bool = False
    toast: Message | None = None
    alert: bool = False
    strip_buttons: bool = False


@dataclass(slots=True)
class _Turn:
    """One update being served: the unit of work, the person, the instant, the language."""

    uow: UnitOfWork
    deps: Deps
    who: Who
    user: User
    now: datetime
    language: str
    _person: Person | None = field(default=None)

    @property
    def person(self) -> Person:
        """The person with their KPIs (``NotSetUp`` when they have none)."""
        if self._person is None:
            self._person = person_from(self.uow, self.user)
        return self._person

    @property
    def today(self) -> date:
        return person_today(self.user, self.now)

    def state(self) -> ConversationState | None:
        assert self.user.id is not None
        return self.uow.conversations.get(DAILY_STATE_CHAT_ID, self.user.id)

    def remember(self, step: str, data: dict[str, Any]) -> str:
        assert self.user.id is not None
        token = self.deps.new_token()
        self.uow.conversations.save(ConversationState(
            chat_id=DAILY_STATE_CHAT_ID, user_id=self.user.id, flow=DAILY_FLOW, step=step,
            data=data, token=token))
        return token

    def forget(self, state: ConversationState | None) -> None:
        if state is not None and self.user.id is not None:
            self.uow.conversations.clear(DAILY_STATE_CHAT_ID, self.user.id)

    def reply(self, screen: DailyScreen | None, **kwargs: Any) -> DailyReply:
        return DailyReply(screen, self.language, **kwargs)


def _open(uow: UnitOfWork, deps: Deps, who: Who, update_id: int | None) -> _Turn | DailyReply:
    """Record the update and load the person, inside the caller's ``with uow``."""
    now = deps.clock.now()
    if update_id is not None and not uow.updates.first_time(update_id, now):
        return DailyReply(None, who.language, repeated=True)
    user = uow.users.by_telegram_id(who.telegram_id)
    if user is None or user.id is None:
        return DailyReply(None, who.language, handled=False)
    return _Turn(uow, deps, who, user, now, user.language or who.language)


def _serve(uow: UnitOfWork, deps: Deps, who: Who, update_id: int | None, step: Any,
           *args: Any, onboarded_only: bool = False, press: bool = False) -> DailyReply:
    """Run ``step(turn, *args)`` in one transaction; domain errors become their message."""
    with uow:
        turn = _open(uow, deps, who, update_id)
        if isinstance(turn, DailyReply):
            uow.commit()
            if turn.handled or turn.repeated or onboarded_only or press:
                return turn
            return DailyReply(Notice(NotSetUp().message), who.language)  # /log from a stranger
        if onboarded_only and not turn.user.onboarded:
            uow.commit()
            return turn.reply(None, handled=False)
        _reactivate(turn)
        try:
            reply: DailyReply = step(turn, *args)
        except DomainError as exc:
            uow.rollback()
            if update_id is not None:
                uow.updates.first_time(update_id, turn.now)
            _reactivate(turn)
            reply = (turn.reply(None, toast=exc.message, alert=True) if press
                     else turn.reply(Notice(exc.message)))
        uow.commit()
        return reply


def _reactivate(turn: _Turn) -> None:
    """A person who had blocked the bot is back: reminders and digests resume."""
    if not turn.user.active:
        turn.user.active = True
        turn.uow.users.save(turn.user)


# -- /log and /today ---------------------------------------------------------------------------
def log_command(
    uow: UnitOfWork, deps: Deps, who: Who, args: str = "", update_id: int | None = None
) -> DailyReply:
    """/log: a button per KPI; ``/log yesterday`` (or a date); ``/log calls 35, meetings 4``."""
    return _serve(uow, deps, who, update_id, _log_command, args.strip())


def _log_command(turn: _Turn, text: str) -> DailyReply:
    day = None
    if text:
        ref = parse_day(text)
        if ref is None:
            reply = _quick_form(turn, text, None, None)
            if reply is not None:
                return reply
        else:
            day = resolve_day(ref, turn.today)
            if day is None:
                return turn.reply(Notice(Message(_BAD_DATE)))
    return turn.reply(daily.menu_for(turn.uow, turn.person, turn.today, day))


def today(
    uow: UnitOfWork, deps: Deps, who: Who, update_id: int | None = None
) -> DailyReply:
    """/today: today's quota per KPI and what is left this period."""
    return _serve(uow, deps, who, update_id, _today)


def _today(turn: _Turn) -> DailyReply:
    return turn.reply(daily.report_for(turn.uow, turn.deps.calendars, turn.person, turn.today))


# -- typed text --------------------------------------------------------------------------------
def typed(
    uow: UnitOfWork,
    deps: Deps,
    who: Who,
    text: str,
    reply_to: int | None = None,
    update_id: int | None = None,
) -> DailyReply:
    """A line typed in the private chat (see the module docs for what it may be).

    Args:
        reply_to: The id of the bot's message this one replies to, if any (an evening
            reminder makes the reply a log entry for the reminder's day).
    """
    return _serve(uow, deps, who, update_id, _typed, text, reply_to, onboarded_only=True)


def _typed(turn: _Turn, text: str, reply_to: int | None) -> DailyReply:
    state = turn.state()
    if _conversation_has_it(turn, state):
        return turn.reply(None, handled=False)
    if state is not None and state.step in (STEP_VALUE, STEP_REENTER):
        if _is_number(text, turn.language) or not any(ch.isalpha() for ch in text):
            return _answer_number(turn, state, text)
        turn.forget(state)  # moved on: words, not the number asked for
        state = None
    if reply_to is not None:
        day = _reminder_day(turn, reply_to)
        if day is not None:
            return _reply_to_reminder(turn, state, text, day)
    reply = _quick_form(turn, text, None, state)
    if reply is not None:
        return reply
    return turn.reply(Hint(turn.person.loggables))


def _conversation_has_it(turn: _Turn, daily_state: ConversationState | None) -> bool:
    """An onboarding question open in this chat takes the text (unless the loop spoke last)."""
    assert turn.user.id is not None
    conv = turn.uow.conversations.get(turn.who.chat_id, turn.user.id)
    if conv is None:
        return False
    newer = (daily_state is not None and daily_state.updated_at is not None
             and conv.updated_at is not None and daily_state.updated_at > conv.updated_at)
    if onboarding.takes_text(conv) or team_shares.takes_text(conv):
        return not newer  # also /kpis → targets, /team → 🎯 or 🏖 waiting for typed text
    if conv.flow in _MENU_FLOWS:
        turn.uow.conversations.clear(turn.who.chat_id, turn.user.id)  # left open: it gives way
        return False
    return conv.flow in _QUESTION_FLOWS and not newer


def _is_number(text: str, language: str) -> bool:
    try:
        parse_amount(text, language)
    except NumberError:
        return False
    return True


def _answer_number(turn: _Turn, state: ConversationState, text: str) -> DailyReply:
    try:
        value = parse_amount(text, turn.language)
    except NumberError as exc:
        return turn.reply(Notice(exc.message))
    data = dict(state.data)
    day = date.fromisoformat(str(data["day"]))
    metric = str(data["metric"])
    if state.step == STEP_VALUE:
        return _save(turn, state, [(metric, value)], day, ())
    values = dict(_values(data))
    values[metric] = value
    confirmed = [m for m in data.get("confirmed", []) if m != metric]
    return _save(turn, state, list(values.items()), day, confirmed)


def _reminder_day(turn: _Turn, message_id: int) -> date | None:
    for d in turn.uow.deliveries.for_chat(turn.who.chat_id):
        if d.kind is DeliveryKind.REMINDER and d.telegram_message_id == message_id:
            return d.local_date
    return None


def _reply_to_reminder(
    turn: _Turn, state: ConversationState | None, text: str, day: date
) -> DailyReply:
    """Numbers in the reminder's order, or a quick form, for the reminder's day."""
    if any(ch.isalpha() for ch in text.replace("k", "").replace("к", "")):
        reply = _quick_form(turn, text, day, state)
        return reply if reply is not None else turn.reply(Hint(turn.person.loggables, True))
    loggables = turn.person.loggables
    numbers = parse_positional(text, turn.language, len(loggables))
    if numbers is None:
        return turn.reply(Hint(loggables, reminder=True))
    values = [(i.metric_id, v) for i, v in zip(loggables, numbers, strict=False)]
    return _save(turn, state, values, day, ())


def _quick_form(
    turn: _Turn, text: str, day: date | None, state: ConversationState | None
) -> DailyReply | None:
    """Log a quick form; ``None`` when the text is not one."""
    loggables = turn.person.loggables
    form = parse_quick_form(text, turn.language, loggables, allow_day=day is None)
    if not form.looks_like_a_form:
        return None
    if form.day is not None:
        day = resolve_day(form.day, turn.today)
        if day is None:
            return turn.reply(Notice(Message(_BAD_DATE)))
    if form.has_problems:
        return turn.reply(Refused(form, loggables))
    if not form.values:
        return turn.reply(Notice(Message(_NOTHING)))
    return _save(turn, state, [(v.metric_id, v.value) for v in form.values], day, ())


def _save(
    turn: _Turn,
    state: ConversationState | None,
    values: Sequence[tuple[str, Decimal]],
    day: date | None,
    confirmed: Sequence[str],
    *,
    edit: bool = False,
) -> DailyReply:
    """Log values, or ask "Did you mean …?" first (keeping the batch in the loop's state)."""
    result = daily.log_for(turn.uow, turn.deps.calendars, turn.person, turn.now, values,
                           day=day, confirmed=set(confirmed))
    if isinstance(result, Logged):
        turn.forget(state)
        return turn.reply(result, edit=edit)
    data = {"day": result.day.isoformat(),
            "values": [[m, str(v)] for m, v in result.values],
            "confirmed": list(confirmed),
            "suggest": {o.metric_id: str(o.suggestion) for o in result.outliers
                        if o.suggestion is not None}}
    token = turn.remember(STEP_CONFIRM, data)
    return turn.reply(Confirm(result, token), edit=edit)


def _values(data: dict[str, Any]) -> list[tuple[str, Decimal]]:
    return [(str(m), Decimal(str(v))) for m, v in data["values"]]


# -- buttons -----------------------------------------------------------------------------------
def press(
    uow: UnitOfWork, deps: Deps, who: Who, pressed: DailyPress | None, update_id: int | None = None
) -> DailyReply:
    """A button of the daily loop; ``None`` (data that could not be parsed) has expired.

    The data only says what was pressed: whether it is still valid (the KPI is the person's,
    the day in range, the "Did you mean …?" still waiting) is decided here, every time.
    """
    return _serve(uow, deps, who, update_id, _press, pressed, press=True)


def _press(turn: _Turn, pressed: DailyPress | None) -> DailyReply:
    expired = turn.reply(None, toast=Message(EXPIRED))
    if isinstance(pressed, LogKpi):
        menu = daily.menu_for(turn.uow, turn.person, turn.today, pressed.day)
        found = next(((i, v) for i, v in menu.items if i.metric_id == pressed.metric_id), None)
        if found is None:
            return expired
        turn.remember(STEP_VALUE, {"metric": pressed.metric_id, "day": menu.day.isoformat()})
        return turn.reply(AskValue(found[0], menu.day, menu.today, found[1]))
    if isinstance(pressed, PickDay):
        if pressed.day is None:
            if not turn.person.loggables:  # person_of already refused a person without KPIs
                return expired
            return turn.reply(DayPicker(turn.today), edit=True)
        return turn.reply(daily.menu_for(turn.uow, turn.person, turn.today, pressed.day),
                          edit=True)
    if isinstance(pressed, UndoSave):
        undone = daily.undo_for(turn.uow, turn.person, turn.now, pressed.day, pressed.stamp)
        return turn.reply(undone, strip_buttons=True)
    if isinstance(pressed, Verdict):
        return _verdict(turn, pressed) or expired
    if isinstance(pressed, ShowToday):
        return _today(turn)
    if isinstance(pressed, Snooze):
        return _snooze(turn, pressed)
    return expired


def _snooze(turn: _Turn, pressed: Snooze) -> DailyReply:
    due = None
    if pressed.message_id is not None:
        due = deliveries.snooze_for(turn.uow, turn.user, turn.now, pressed.message_id)
    if due is None:
        return turn.reply(None, toast=Message(_TOO_LATE), alert=True)
    local = due.astimezone(zone(turn.user.timezone)).time()
    return turn.reply(None, toast=Message(_SNOOZED, {"time": local}))


def _verdict(turn: _Turn, verdict: Verdict) -> DailyReply | None:
    state = turn.state()
    if state is None or state.step != STEP_CONFIRM or state.token != verdict.token:
        return None
    data = dict(state.data)
    values = dict(_values(data))
    if verdict.metric_id not in values:
        return None
    if verdict.choice is Choice.RETYPE:
        turn.remember(STEP_REENTER, {**data, "metric": verdict.metric_id})
        return turn.reply(Notice(Message(_RETYPE)), edit=True)
    suggested = data.get("suggest", {})
    if verdict.choice is Choice.SUGGESTED and verdict.metric_id in suggested:
        values[verdict.metric_id] = Decimal(str(suggested[verdict.metric_id]))
    confirmed = [*data.get("confirmed", []), verdict.metric_id]
    return _save(turn, state, list(values.items()), date.fromisoformat(str(data["day"])),
                 confirmed, edit=True)



# -- the morning digest, now -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DigestPreview:
    """The morning digest the person would get today, built now (the console's /digest)."""

    digest: PersonDigest | None
    language: str
    reason: Message = field(default_factory=lambda: Message(_NO_DIGEST))


def digest_preview(uow: UnitOfWork, deps: Deps, who: Who) -> DigestPreview:
    """Build today's morning digest for the person, whatever the hour (nothing is sent)."""
    with uow:
        user = uow.users.by_telegram_id(who.telegram_id)
        if user is None or user.id is None:
            return DigestPreview(None, who.language)
        now = deps.clock.now()
        day = person_today(user, now)
        # Greeted by the hour it is now, as a digest sent now would be.
        built = deliveries.build_digests(uow, deps.calendars, [user], day, now)
        return DigestPreview(built.get(user.id), user.language or who.language)


@dataclass(frozen=True, slots=True)
class ReportPreview:
    """The weekly (monthly) report the person would get this week (month), built now (the
    console's /report)."""

    report: PeriodReport | None
    language: str
    reason: Message = field(default_factory=lambda: Message(_NO_REPORT))


def report_preview(uow: UnitOfWork, deps: Deps, who: Who, kind: ReportKind) -> ReportPreview:
    """Build the report on the week (month) before this one, as it would be sent today
    (whatever the day; nothing is sent)."""
    with uow:
        user = uow.users.by_telegram_id(who.telegram_id)
        if user is None or user.id is None:
            return ReportPreview(None, who.language)
        now = deps.clock.now()
        key = period_key(kind, person_today(user, now))
        built = deliveries.build_reports(uow, deps.calendars, [user], kind, key, now)
        return ReportPreview(built.get(user.id), user.language or who.language)


# -- group chats: /link and /unlink -------------------------------------------------------------
_LINKED = N_("Linked: the morning digest of the team “{team}” will come to this group on "
             "working days. /unlink stops it.")
_UNLINKED = N_("Unlinked: no more team digests here.")
_NOT_LINKED = N_("This group is not linked to a team.")


def link_group(uow: UnitOfWork, deps: Deps, who: Who, title: str = "") -> DailyReply:
    """/link in a group: its team digest comes here (the team's owner or an admin only)."""
    try:
        chat, team = daily.link_group(uow, who.telegram_id, who.chat_id, title, who.language)
    except DomainError as exc:
        return DailyReply(Notice(exc.message), who.language)
    linked = Message(_LINKED, {"team": team})
    return DailyReply(GroupOptions(team, chat.leaderboard, chat.missing, linked), who.language)


_OPTION_SAVED = N_("Saved: the next team digest follows it.")


def group_option(uow: UnitOfWork, deps: Deps, who: Who, option: str) -> DailyReply:
    """A button under a linked group's options: ``lb`` turns the leaderboard on or off,
    ``ms`` goes through how people who have not reported are shown. The team's owner or an
    admin only (checked here, by the presser's Telegram id)."""
    with uow:
        chat = uow.teams.chat(who.chat_id)
        if chat is None or not chat.active:
            return DailyReply(None, who.language, toast=Message(_NOT_LINKED), alert=True)
        user = uow.users.by_telegram_id(who.telegram_id)
        language = user.language if user is not None else who.language
        current = (membership.current_membership(uow, user.id)
                   if user is not None and user.id is not None else None)
        refusal = permissions.check(current, permissions.TeamAction.LINK_GROUP, chat.team_id)
        if refusal is not None:
            return DailyReply(None, language, toast=refusal, alert=True)
        if option == "lb":
            chat.leaderboard = not chat.leaderboard
        elif option == "ms":
            at = MISSING_CHOICES.index(chat.missing) if chat.missing in MISSING_CHOICES else 0
            chat.missing = MISSING_CHOICES[(at + 1) % len(MISSING_CHOICES)]
        else:
            return DailyReply(None, language, toast=Message(EXPIRED))
        uow.teams.save_chat(chat)
        team = uow.teams.get(chat.team_id)
        uow.commit()
    return DailyReply(GroupOptions(team.name if team else "", chat.leaderboard, chat.missing),
                      language, edit=True, toast=Message(_OPTION_SAVED))


_HELLO_MANAGER = N_("Hello! I am KPI Coach. Send /link here and the morning digest of the team "
                    "“{team}” will come to this group on working days.")
_HELLO = N_("Hello! I am KPI Coach. The owner or an admin of a team can send /link here to get "
            "the team's morning digest in this group. To set up a team, message me in private "
            "and send /start.")


def group_added(uow: UnitOfWork, deps: Deps, who: Who) -> DailyReply:
    """The bot was added to a group (by ``who``): say what it can do there; the person who
    manages a team is offered /link for it."""
    with uow:
        user = uow.users.by_telegram_id(who.telegram_id)
        language = user.language if user is not None else who.language
        managed = None
        if user is not None and user.id is not None:
            found = membership.managed_team(uow, user.id)
            managed = found[0] if found is not None else None
    if managed is not None:
        return DailyReply(Notice(Message(_HELLO_MANAGER, {"team": managed.name})), language)
    return DailyReply(Notice(Message(_HELLO)), language)


def unlink_group(uow: UnitOfWork, deps: Deps, who: Who) -> DailyReply:
    """/unlink in a group: no more team digests here (the linked team's owner or an admin)."""
    try:
        done = daily.unlink_group(uow, who.telegram_id, who.chat_id)
    except DomainError as exc:
        return DailyReply(Notice(exc.message), who.language)
    return DailyReply(Notice(Message(_UNLINKED if done else _NOT_LINKED)), who.language)
