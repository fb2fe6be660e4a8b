"""Onboarding and the commands that change its results: use cases over the unit of work.

Every conversation the bot has with buttons lives in one :class:`~kpi_core.model.ConversationState`
row per (chat, person), saved after every step, so a restarted bot carries on where the person
was. Its ``token`` changes whenever the menu on screen changes meaning; a button carries the
token it was drawn with, and a press whose token is not the current one is *stale*: it is
answered with "This menu has expired" and the current step is shown again.

Flows (``ConversationState.flow``) and their steps:

* ``onboarding`` — the questionnaire (step = question id), then ``review`` (the advised KPIs,
  plan and quotas), ``swap`` (alternatives to one KPI), ``add`` (the catalog, by pages).
* ``join`` — the short questionnaire (:data:`~kpi_core.advice.questionnaire.MEMBER` mode) of someone
  who opened a team's invite link (``/start join_<code>``); at the end they are a member of
  the team with its KPIs that fit their role, and the owner is told.
* ``kpis`` — ``/kpis``: the same review/swap/add screens over the saved KPI set.
* ``menu`` — ``/plan`` and ``/settings`` menus (step ``plan`` / ``settings``).
* ``edit`` — one or two questions of the questionnaire asked again to change a setting or the
  plan (step = question id), then back to the menu.
* ``delete`` — the "erase everything" confirmation.
* ``onboarding_paused`` — an unfinished setup left with /cancel, kept (not open) so that
  ``/start`` carries on from the same step.

The adapters (Telegram, console) turn a :class:`Reply` into words and buttons; nothing here
formats text. The answers that KPI advice and the plan depend on are kept after onboarding in
the person's :class:`~kpi_core.model.UserProfile` (``uow.profiles``), erased with them. The
team's plan is split over :attr:`~kpi_core.model.Team.planned_size` people (the team size
answer), people who have not joined yet being vacant seats (:mod:`kpi_core.planning.team`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import Kpi, Unit, all_kpis, get_kpi
from kpi_core.advice.profile import Controller, InvalidProfile, Profile, Role, label
from kpi_core.advice.questionnaire import (
    CUSTOM,
    DONE,
    MARKETING_ROLES,
    MEMBER,
    OFF,
    SOLO,
    TEAM,
    Answer,
    Back,
    Choose,
    Done,
    Located,
    Outcome,
    Screen,
    Skip,
    State,
    Text,
    Toggle,
    advance,
    answers_on_path,
    period_for,
    question,
    screen,
)
from kpi_core.advice.questionnaire import start as start_questionnaire
from kpi_core.advice.recommend import MAX_KPIS, ROLE_FITS, Recommendation, alternatives, recommend
from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import (
    ConversationState,
    Membership,
    Plan,
    PlanTarget,
    Team,
    TeamRole,
    User,
    UserProfile,
)
from kpi_core.planning.achievability import assess_target
from kpi_core.planning.calendar import DEFAULT_WORKING_WEEKDAYS, Period, WorkSchedule, working_days
from kpi_core.planning.quotas import COUNT_QUANTUM, MONEY_QUANTUM, split_evenly
from kpi_core.planning.team import team_daily
from kpi_core.ports import CalendarProvider, UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services.common import Deps, Who
from kpi_core.services.membership import ConfirmRemoveView, Notification, TeamView
from kpi_core.tracking.reminders import local_date, zone

__all__ = [
    "EXPIRED",
    "FLOW_DELETE",
    "FLOW_EDIT",
    "FLOW_JOIN",
    "FLOW_KPIS",
    "FLOW_MENU",
    "FLOW_ONBOARDING",
    "FLOW_PAUSED",
    "PAGE_SIZE",
    "CatalogView",
    "DeleteView",
    "Deps",
    "FinishedView",
    "KpiCard",
    "NoticeView",
    "PlanSummary",
    "PlanView",
    "Press",
    "QuestionView",
    "Quota",
    "Reply",
    "ReviewView",
    "SettingsView",
    "SwapView",
    "View",
    "Who",
    "begin",
    "build_profile",
    "cancel",
    "current",
    "join",
    "located",
    "nudge",
    "open_delete",
    "open_kpis",
    "open_plan",
    "open_settings",
    "press",
    "remember_menu",
    "set_language",
    "typed",
]

FLOW_ONBOARDING = "onboarding"
FLOW_JOIN = "join"
FLOW_KPIS = "kpis"
FLOW_MENU = "menu"
FLOW_EDIT = "edit"
FLOW_DELETE = "delete"
FLOW_PAUSED = "onboarding_paused"
"""An unfinished setup left with /cancel: kept so that /start carries on from the same step
(it is not an open conversation: typed text and buttons do not reach it)."""

MY_FLOWS = frozenset({FLOW_ONBOARDING, FLOW_JOIN, FLOW_KPIS, FLOW_MENU, FLOW_EDIT, FLOW_DELETE})
QUESTION_FLOWS = frozenset({FLOW_ONBOARDING, FLOW_JOIN, FLOW_EDIT})

OTHER_STATE_CHAT_IDS: tuple[int, ...] = (2**62 + 1,)
"""Conversation rows other features keep per person (the daily loop's, see
``kpi_core.services.daily.DAILY_STATE_CHAT_ID``): when one is newer than the open menu here,
typed text is theirs."""

STEP_REVIEW = "review"
STEP_SWAP = "swap"
STEP_ADD = "add"

PAGE_SIZE = 6
"""KPIs per page of the catalog."""
MAX_ALTERNATIVES = 6
"""Alternatives offered for a swap."""

PREFIX_QUESTION = "q"
PREFIX_REVIEW = "r"
PREFIX_MENU = "m"
PREFIX_DELETE = "del"

# What each menu button of /plan and /settings edits: the questions asked again.
EDITS: Mapping[str, tuple[str, ...]] = {
    "amount": ("plan", "plan_leads"),
    "period": ("period", "period_dates"),
    "timezone": ("timezone",),
    "country": ("country",),
    "people": ("team_size",),
    "weekdays": ("weekdays",),
    "digest": ("digest",),
    "reminder": ("reminder",),
}
EDIT_PARENT: Mapping[str, str] = {"amount": "plan", "period": "plan", "people": "plan"}
PLAN_EDITS = frozenset({"amount", "period", "people"})
LEADER_ROLES = frozenset({Role.OWNER.value, Role.HEAD_OF_SALES.value, Role.HEAD_OF_MARKETING.value})
"""Roles that answer how many people share the plan."""

# -- messages ---------------------------------------------------------------------------------
_EXPIRED = N_("This menu has expired. Here is where we are now:")
EXPIRED = _EXPIRED
"""The notice above the current screen after a stale press."""
_NO_CONVERSATION = N_("Nothing to cancel — there is no open menu.")
_CANCELLED = N_("Cancelled. Everything saved before is kept; send /start to continue setting up.")
_CANCELLED_DONE = N_("Closed. Nothing was changed.")
_WELCOME_BACK = N_("Welcome back! Let's continue where we stopped.")
_ALREADY = N_(
    "You are all set up. /today shows today's quota, /plan and /kpis change the plan and the "
    "KPIs, /settings the time zone and reminders. To go through the setup again, send /restart."
)
_USE_BUTTONS = N_("Please use the buttons above, or send /cancel.")
_ONBOARD_FIRST = N_("Let's set things up first: send /start.")
_SAVED = N_("Saved.")
_PLAN_SAVED = N_("Plan saved, daily quotas recalculated.")
_KPIS_SAVED = N_("Your KPI set is saved.")
_KEEP_ONE = N_("Keep at least one KPI — otherwise there is nothing to track.")
_SET_FULL = N_("Five KPIs is the most worth tracking. Remove one before adding another.")
_NO_ALTERNATIVES = N_("There is nothing to swap it for with the data you have. You can add one from the catalog instead.")
_NO_PLAN = N_("There is no plan yet. Finish the setup with /start first.")
_ERASED = N_(
    "Done: everything I knew about you is erased. If you ever want to start again, send /start."
)
_KEPT = N_("Nothing was deleted.")
_TEAM_PLAN_ONLY = N_("The plan belongs to your team: only its owner can change it.")
_NO_TEAM_SIZE = N_("The team size is for owners and heads of a team.")
_BAD_INVITE = N_(
    "This invite link does not work any more. Ask whoever sent it for a new one."
)
_ALREADY_IN_TEAM = N_("You are already in the team “{team}”.")
_LEADS_OTHERS = N_(
    "You lead the team “{team}” with other people in it, so you cannot join another team."
)
_INVITED = N_(
    "{owner} invites you to the team “{team}”. A few quick questions, and you can log your "
    "results."
)
_INVITED_OWN = N_(
    "{owner} invites you to their team. A few quick questions, and you can log your results."
)
_JOIN_CANCELLED = N_("Cancelled. To join the team later, open the invite link again.")
_JOINED_YOUR_TEAM = N_("{name} is now in your team “{team}”.")
_SEND_TEAM = N_("/team shows everyone and the invite link.")
_PLAN_KPI_STAYS = N_("Your plan is set on “{kpi}”, so it stays in the set; /plan changes the plan.")


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed on a conversation menu (parsed callback data)."""

    prefix: str
    token: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int = 0) -> str:
        """Argument ``index`` or ``""``."""
        return self.args[index] if index < len(self.args) else ""


# ---------------------------------------------------------------------------------------------
# Views: what the adapters draw
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quota:
    """A KPI's period target split into daily quotas.

    Attributes:
        target: The team's target for the period.
        per_person: The headline daily quota of one person.
        team_daily: The team's daily quota.
        people: People sharing the target.
        working_days: Working days in the period.
        currency: ISO code for money, ``None`` for counts.
    """

    target: Decimal
    per_person: Decimal
    team_daily: Decimal
    people: int
    working_days: int
    currency: str | None


@dataclass(frozen=True, slots=True)
class KpiCard:
    """One KPI as the result screen shows it."""

    kpi: Kpi
    reason: Message
    controllers: tuple[Message, ...]
    quota: Quota | None


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """The plan: what, how much, when, and how it splits."""

    kpi: Kpi
    quota: Quota
    period: Period
    baseline: Decimal | None


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question of the questionnaire (onboarding or an edit)."""

    screen: Screen
    editing: bool = False


@dataclass(frozen=True, slots=True)
class ReviewView:
    """The advised (or saved) KPI set with the plan, quotas and warnings."""

    cards: tuple[KpiCard, ...]
    plan: PlanSummary | None
    warnings: tuple[Message, ...]
    notes: tuple[Message, ...]
    onboarding: bool
    can_back: bool
    can_add: bool
    can_remove: bool
    plan_kpi: str | None = None
    """The KPI the person's own plan is set on: it can be neither swapped nor removed (the
    plan would be left without anyone tracking it)."""


@dataclass(frozen=True, slots=True)
class SwapView:
    """Alternatives for one KPI of the set."""

    card: KpiCard
    options: tuple[Recommendation, ...]


@dataclass(frozen=True, slots=True)
class CatalogView:
    """One page of the catalog, to add a KPI."""

    kpis: tuple[Kpi, ...]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class FinishedView:
    """Onboarding (or joining a team) finished: what was saved and what happens next.

    Attributes:
        invite_code: For the owner of a team of more than one: the code of the invite link
            to forward to the others.
        planned: The planned head count (with ``invite_code``).
        joined_team: For someone who joined a team: its name.
        owner: For someone who joined a team: the owner's name.
    """

    cards: tuple[KpiCard, ...]
    plan: PlanSummary | None
    digest: time | None
    reminder: time | None
    timezone: str
    invite_code: str | None = None
    planned: int | None = None
    joined_team: str | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class PlanView:
    """``/plan``: the current plan and buttons to change it.

    Attributes:
        plan: The plan, with the person's own daily quota.
        can_edit: The person may change the plan (not a member of someone else's team).
        can_resize: The person may change how many people share it (an owner or a head).
    """

    plan: PlanSummary | None
    can_edit: bool = True
    can_resize: bool = False


@dataclass(frozen=True, slots=True)
class SettingsView:
    """``/settings``: the person's settings and buttons to change each."""

    language: str
    timezone: str
    country: str
    weekdays: frozenset[int]
    digest: time | None
    reminder: time | None


@dataclass(frozen=True, slots=True)
class DeleteView:
    """``/delete_me``: are you sure?"""


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A message without buttons (cancelled, erased, a hint)."""

    message: Message


View = (
    QuestionView | ReviewView | SwapView | CatalogView | FinishedView | PlanView | SettingsView
    | DeleteView | NoticeView | TeamView | ConfirmRemoveView
)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a use case asks the adapter to show.

    Attributes:
        view: The screen to show (with buttons carrying ``token``), or ``None``.
        token: The menu token the view's buttons must carry.
        notice: A line to show before the view ("Saved.", "This menu has expired").
        error: Why the last answer could not be used (shown with the same step again).
        stale: The pressed button was from an old or forged menu.
        moved: The screen changed to another step (not just a tick or an error).
        closed: The conversation ended (no menu stays open).
        left_location_step: The person just left a step that offered location sharing: the
            adapter removes that keyboard.
        language: The language to render in (it changes with /language).
        handled: False when there was no conversation for this input (let others handle it).
        message_id: The message that showed the menu before this reply, if known (the adapter
            removes its buttons when it sends the new screen as a new message).
        notify: Messages for other people's chats (the owner: someone joined the team).
        zone: The time zone just set (from a button, a typed city or a shared location), for
            the adapter to confirm it: a city typed or a location shared does not show which
            zone it gave.
    """

    view: View | None
    token: str = ""
    notice: Message | None = None
    error: Message | None = None
    stale: bool = False
    moved: bool = True
    closed: bool = False
    left_location_step: bool = False
    language: str = "en"
    handled: bool = True
    message_id: int | None = None
    notify: tuple[Notification, ...] = ()
    zone: str | None = None


# ---------------------------------------------------------------------------------------------
# Profile and plan from answers
# ---------------------------------------------------------------------------------------------


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
            "team_size": _people(answers),
        }
    )


def _people(answers: Mapping[str, Any]) -> int:
    if answers.get("team") == SOLO or answers.get("role") in (
        Role.SALES_MANAGER.value,
        Role.MARKETER.value,
    ):
        return 1
    size = answers.get("team_size")
    return int(size) if isinstance(size, int | str) and str(size).isdigit() else 1


def _plan_kpi_id(answers: Mapping[str, Any]) -> str:
    return "leads" if answers.get("role") in MARKETING_ROLES else "revenue"


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
    kpi_id = _plan_kpi_id(answers)
    state = State(step=DONE, answers=answers, today=today.isoformat())
    period = period_for(answers.get("period"), state)
    if period is None:
        return None
    if kpi_id == "leads":
        raw_amount, currency, raw_base = answers.get("plan_leads"), None, answers.get("actual_leads")
    else:
        plan = answers.get("plan")
        if not isinstance(plan, dict):
            return None
        raw_amount, currency, raw_base = plan.get("amount"), str(plan.get("currency")), answers.get("actual")
    if raw_amount is None:
        return None
    calls = answers.get("calls")
    return _PlanInput(
        kpi_id=kpi_id,
        amount=Decimal(str(raw_amount)),
        currency=currency,
        baseline=Decimal(str(raw_base)) if raw_base is not None else None,
        period=period,
        people=_people(answers),
        calls_per_day=int(calls) if isinstance(calls, int) else None,
    )


def _schedule(calendars: CalendarProvider, country: str, weekdays: frozenset[int]) -> WorkSchedule:
    return WorkSchedule(calendars.for_country(country), weekdays=weekdays or DEFAULT_WORKING_WEEKDAYS)


def _split(target: Decimal, people: int, days: Sequence[date], currency: str | None) -> Quota:
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
class _Plan:
    summary: PlanSummary
    targets: dict[str, tuple[Decimal, Decimal | None]]
    quotas: dict[str, Quota]
    warnings: tuple[Message, ...]


def _compute_plan(
    answers: Mapping[str, Any],
    today: date,
    calendars: CalendarProvider,
    country: str,
    weekdays: frozenset[int],
) -> _Plan | None:
    """The plan, its targets by KPI and their daily quotas (``None`` without a plan)."""
    given = _plan_input(answers, today)
    if given is None:
        return None
    days = working_days(given.period.start, given.period.end, _schedule(calendars, country, weekdays))
    main = _split(given.amount, given.people, days, given.currency)
    quotas = {given.kpi_id: main}
    targets: dict[str, tuple[Decimal, Decimal | None]] = {given.kpi_id: (given.amount, given.baseline)}
    if given.calls_per_day is not None and days:
        calls = Decimal(given.calls_per_day * len(days) * given.people)
        quotas["cold_calls"] = _split(calls, given.people, days, None)
        targets["cold_calls"] = (calls, calls)
    assessment = assess_target(given.amount, baseline=given.baseline, currency=given.currency)
    summary = PlanSummary(get_kpi(given.kpi_id), main, given.period, given.baseline)
    return _Plan(summary, targets, quotas, assessment.messages)


def _controllers(kpi: Kpi) -> tuple[Message, ...]:
    return tuple(label(c) for c in Controller if c in kpi.controlled_by)


def _reason(profile: Profile | None, kpi: Kpi) -> Message:
    if profile is not None:
        for fit in ROLE_FITS[profile.role]:
            if fit.kpi_id == kpi.id:
                return Message(fit.reason)
    return kpi.description_message


def _cards(kpi_ids: Sequence[str], profile: Profile | None, plan: _Plan | None) -> tuple[KpiCard, ...]:
    cards = []
    for kpi_id in kpi_ids:
        kpi = get_kpi(kpi_id)
        quota = plan.quotas.get(kpi_id) if plan else None
        cards.append(KpiCard(kpi, _reason(profile, kpi), _controllers(kpi), quota))
    return tuple(cards)


def _initial_set(profile: Profile, plan_kpi: str) -> list[str]:
    ids = list(recommend(profile).kpi_ids)
    if plan_kpi not in ids:
        # The person gave a plan for it: it belongs in the set they will track.
        ids = [plan_kpi, *ids][:MAX_KPIS]
    return ids


# ---------------------------------------------------------------------------------------------
# Conversation state helpers
# ---------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    uow: UnitOfWork
    deps: Deps
    who: Who
    user: User
    menu_message_id: int | None = None

    @property
    def today(self) -> date:
        try:
            tz = zone(self.user.timezone)
        except KeyError:
            tz = zone("UTC")
        return local_date(self.deps.clock.now(), tz)

    @property
    def language(self) -> str:
        return self.who.language

    def save_state(self, state: ConversationState, *, new_token: bool) -> ConversationState:
        if new_token or not state.token:
            state.token = self.deps.new_token()
        state.updated_at = self.deps.clock.now()
        self.uow.conversations.save(state)
        return state

    def conversation(self) -> ConversationState | None:
        """This chat's conversation, if it is one of this module's flows."""
        assert self.user.id is not None
        conv = self.uow.conversations.get(self.who.chat_id, self.user.id)
        if conv is None or conv.flow not in MY_FLOWS:
            return None
        self.menu_message_id = conv.message_id
        return conv

    def clear(self) -> None:
        assert self.user.id is not None
        self.uow.conversations.clear(self.who.chat_id, self.user.id)

    def paused(self) -> ConversationState | None:
        """The setup this person left with /cancel, if any (see :data:`FLOW_PAUSED`)."""
        assert self.user.id is not None
        conv = self.uow.conversations.get(self.who.chat_id, self.user.id)
        return conv if conv is not None and conv.flow == FLOW_PAUSED else None

    def profile_record(self) -> dict[str, Any]:
        """The person's saved answers (empty before onboarding)."""
        assert self.user.id is not None
        profile = self.uow.profiles.get(self.user.id)
        return dict(profile.answers) if profile else {}

    def save_profile_record(self, answers: Mapping[str, Any]) -> None:
        assert self.user.id is not None
        self.uow.profiles.save(UserProfile(self.user.id, dict(answers), self.deps.clock.now()))

    def membership(self) -> Membership | None:
        """The person's current team membership."""
        assert self.user.id is not None
        return team_ops.current_membership(self.uow, self.user.id)

    def my_kpis(self) -> list[str]:
        """The person's KPI set in their current team, in order."""
        assert self.user.id is not None
        current = self.membership()
        mine = [
            a for a in self.uow.assignments.for_user(self.user.id)
            if current is None or a.team_id == current.team_id
        ]
        return [a.kpi_id for a in sorted(mine, key=lambda a: a.position)]


def _user(uow: UnitOfWork, who: Who, *, create: bool) -> User | None:
    user = uow.users.by_telegram_id(who.telegram_id)
    if user is None and create:
        user = uow.users.add(User(telegram_id=who.telegram_id, language=who.language, display_name=who.name))
    return user


def _qstate(conv: ConversationState) -> State:
    return State.from_json(conv.data.get("q", {}))


def _reply(ctx: _Ctx, view: View | None, conv: ConversationState | None, **kw: Any) -> Reply:
    kw.setdefault("message_id", conv.message_id if conv else ctx.menu_message_id)
    return Reply(view=view, token=conv.token if conv else "", language=ctx.language, **kw)


# ---------------------------------------------------------------------------------------------
# Views from state
# ---------------------------------------------------------------------------------------------


def _view(ctx: _Ctx, conv: ConversationState) -> View:
    """Rebuild the screen of a stored conversation."""
    if _is_question(conv):
        qs = _qstate(conv).refreshed(ctx.today, ctx.language)
        shown = screen(qs)
        if shown is not None:
            return QuestionView(shown, editing=conv.flow == FLOW_EDIT)
    if conv.flow in (FLOW_ONBOARDING, FLOW_KPIS):
        if conv.step == STEP_SWAP:
            return _swap_view(ctx, conv)
        if conv.step == STEP_ADD:
            return _catalog_view(conv)
        return _review_view(ctx, conv)
    if conv.flow == FLOW_MENU and conv.step == "settings":
        return _settings_view(ctx.user)
    if conv.flow == FLOW_MENU:
        can_edit = _others_team(ctx) is None
        leader = ctx.profile_record().get("role") in LEADER_ROLES
        return PlanView(_saved_plan(ctx), can_edit=can_edit, can_resize=can_edit and leader)
    if conv.flow == FLOW_DELETE:
        return DeleteView()
    return NoticeView(Message(_USE_BUTTONS))


def _review_answers(ctx: _Ctx, conv: ConversationState) -> dict[str, Any]:
    if conv.flow == FLOW_ONBOARDING:
        return answers_on_path(_qstate(conv))
    return ctx.profile_record()


def _profile_of(answers: Mapping[str, Any]) -> Profile | None:
    try:
        return build_profile(answers)
    except InvalidProfile:
        return None


def _plan_checked(
    ctx: _Ctx, conv: ConversationState, answers: Mapping[str, Any]
) -> tuple[_Plan | None, Message | None]:
    """The plan of a review and, when it cannot be computed, the reason for the person."""
    if conv.flow != FLOW_ONBOARDING:
        return _person_plan(ctx, answers), None
    country = str(answers.get("country") or ctx.user.country)
    weekdays = frozenset(int(d) for d in answers.get("weekdays") or []) or DEFAULT_WORKING_WEEKDAYS
    try:
        return _compute_plan(answers, ctx.today, ctx.deps.calendars, country, weekdays), None
    except KeyError:  # a country without a calendar: validated on input, so only old data
        return None, None
    except DomainError as exc:  # no working days in the period, a plan finer than a kopeck
        return None, exc.message


def _plan_for_review(ctx: _Ctx, conv: ConversationState, answers: Mapping[str, Any]) -> _Plan | None:
    return _plan_checked(ctx, conv, answers)[0]


def _review_view(ctx: _Ctx, conv: ConversationState) -> ReviewView:
    answers = _review_answers(ctx, conv)
    profile = _profile_of(answers)
    plan, problem = _plan_checked(ctx, conv, answers)
    kpi_ids = [str(k) for k in conv.data.get("kpis", [])]
    notes: list[Message] = []
    if profile is not None and conv.flow == FLOW_ONBOARDING:
        advice = recommend(profile)
        if kpi_ids == list(advice.kpi_ids):
            # "We keep it to 3 KPIs", "none of these is a daily lever": they describe the
            # advice, and say something false once the set is different.
            notes.extend(advice.notes)
        notes.extend(s.message for s in advice.start_collecting)
    return ReviewView(
        cards=_cards(kpi_ids, profile, plan),
        plan=plan.summary if plan else None,
        warnings=plan.warnings if plan else ((problem,) if problem else ()),
        notes=tuple(notes),
        onboarding=conv.flow == FLOW_ONBOARDING,
        can_back=conv.flow == FLOW_ONBOARDING,
        can_add=len(kpi_ids) < MAX_KPIS,
        can_remove=len(kpi_ids) > 1,
        plan_kpi=_locked_kpi(ctx, conv, plan, kpi_ids),
    )


def _locked_kpi(ctx: _Ctx, conv: ConversationState, plan: _Plan | None, kpi_ids: Sequence[str]) -> str | None:
    """The KPI of the person's own plan, when it is in the set (a team's plan is its owner's)."""
    if plan is None or (conv.flow != FLOW_ONBOARDING and _others_team(ctx) is not None):
        return None
    kpi_id = plan.summary.kpi.id
    return kpi_id if kpi_id in kpi_ids else None


def _swap_options(ctx: _Ctx, conv: ConversationState) -> tuple[Recommendation, ...]:
    profile = _profile_of(_review_answers(ctx, conv))
    target = str(conv.data.get("swap", ""))
    if profile is None or not target:
        return ()
    kpi_ids = [str(k) for k in conv.data.get("kpis", [])]
    return alternatives(profile, target, kpi_ids)[:MAX_ALTERNATIVES]


def _swap_view(ctx: _Ctx, conv: ConversationState) -> SwapView:
    answers = _review_answers(ctx, conv)
    profile = _profile_of(answers)
    plan = _plan_for_review(ctx, conv, answers)
    card = _cards([str(conv.data.get("swap"))], profile, plan)[0]
    return SwapView(card, _swap_options(ctx, conv))


def _addable(conv: ConversationState) -> list[Kpi]:
    chosen = set(conv.data.get("kpis", []))
    return [k for k in all_kpis() if k.id not in chosen]


def _catalog_view(conv: ConversationState) -> CatalogView:
    kpis = _addable(conv)
    pages = max(1, -(-len(kpis) // PAGE_SIZE))
    page = min(max(int(conv.data.get("page", 0)), 0), pages - 1)
    return CatalogView(tuple(kpis[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]), page, pages)


def _settings_view(user: User) -> SettingsView:
    return SettingsView(
        language=user.language,
        timezone=user.timezone,
        country=user.country,
        weekdays=user.working_weekdays,
        digest=user.digest_time,
        reminder=user.reminder_time,
    )


def _team_of(ctx: _Ctx) -> Team | None:
    assert ctx.user.id is not None
    for membership in ctx.uow.teams.memberships_of(ctx.user.id):
        if membership.role is TeamRole.OWNER and membership.left_on is None:
            return ctx.uow.teams.get(membership.team_id)
    return None


def _saved_plan(ctx: _Ctx) -> PlanSummary | None:
    answers = ctx.profile_record()
    if not answers:
        return None
    plan = _person_plan(ctx, answers)
    return plan.summary if plan else None


def _others_team(ctx: _Ctx) -> Team | None:
    """The team the person is in but does not own: its plan is not theirs to change."""
    membership = ctx.membership()
    if membership is None or membership.role is TeamRole.OWNER:
        return None
    return ctx.uow.teams.get(membership.team_id)


def _person_plan(ctx: _Ctx, answers: Mapping[str, Any]) -> _Plan | None:
    """The saved plan as the person sees it: their own, or their team's with their quotas."""
    team = _others_team(ctx)
    if team is not None:
        return _team_plan(ctx, team)
    try:
        return _compute_plan(answers, ctx.today, ctx.deps.calendars, ctx.user.country, ctx.user.working_weekdays)
    except (KeyError, DomainError):  # a country without a calendar (old data), no working days
        return None


def _team_plan(ctx: _Ctx, team: Team) -> _Plan | None:
    """The team's plan in force today with the person's own daily quotas, the team split over
    its planned head count (people not joined yet are vacant seats)."""
    assert team.id is not None
    assert ctx.user.id is not None
    plan = ctx.uow.plans.current(team.id, ctx.today)
    if plan is None or not plan.targets:
        return None
    quotas: dict[str, Quota] = {}
    for target in plan.targets:
        split = team_ops.team_split(ctx.uow, ctx.deps.calendars, team, plan, target.kpi_id)
        if split is None:
            continue
        quota, people = split
        try:
            mine = quota.person(ctx.user.id)
        except KeyError:  # they do not track this KPI
            continue
        money = get_kpi(target.kpi_id).unit is Unit.MONEY
        quotas[target.kpi_id] = Quota(
            target=target.target,
            per_person=mine.daily,
            team_daily=team_daily(quota),
            people=people,
            working_days=len(mine.schedule),
            currency=plan.currency if money else None,
        )
    main = plan.targets[0]
    if main.kpi_id not in quotas:
        return None
    period = Period(plan.period_start, plan.period_end)
    summary = PlanSummary(get_kpi(main.kpi_id), quotas[main.kpi_id], period, main.baseline)
    targets = {t.kpi_id: (t.target, t.baseline) for t in plan.targets}
    return _Plan(summary, targets, quotas, ())


# ---------------------------------------------------------------------------------------------
# Use cases
# ---------------------------------------------------------------------------------------------


def _open(uow: UnitOfWork, deps: Deps, who: Who, *, create: bool = False) -> _Ctx | None:
    user = _user(uow, who, create=create)
    if user is None:
        return None
    return _Ctx(uow, deps, who, user)


def begin(uow: UnitOfWork, deps: Deps, who: Who, *, restart: bool = False) -> Reply:
    """``/start`` (resume or begin) and ``/restart`` (begin again; nothing is deleted).

    A person in the middle of a conversation sees their current step again; an onboarded
    person gets a short reminder of the commands; anyone else starts the questionnaire.
    """
    with uow:
        ctx = _open(uow, deps, who, create=True)
        assert ctx is not None
        conv = ctx.conversation() or (_resume_paused(ctx) if not restart else None)
        if conv is not None and not restart:
            reply = _reply(ctx, _view(ctx, conv), conv, notice=Message(_WELCOME_BACK))
            uow.commit()
            return reply
        if ctx.user.onboarded and not restart:
            uow.commit()
            return _reply(ctx, NoticeView(Message(_ALREADY)), None, closed=True)
        team = _others_team(ctx) if restart else None
        if team is not None:  # in someone else's team: their short questionnaire again
            reply = _start_join(ctx, team, None)
            uow.commit()
            return reply
        previous = ctx.profile_record() if restart else {}
        paused = ctx.paused()
        if restart and not previous and paused is not None:
            previous = dict(_qstate(paused).answers)  # /cancel, then /restart: pre-select them
        outcome = start_questionnaire(ctx.today, ctx.language, _prefill(previous))
        conv = _save_question(ctx, None, outcome.state, flow=FLOW_ONBOARDING, new_token=True)
        uow.commit()
        assert outcome.screen is not None
        return _reply(ctx, QuestionView(outcome.screen), conv)


def join(uow: UnitOfWork, deps: Deps, who: Who, code: str) -> Reply:
    """``/start join_<code>``: the short questionnaire of someone joining a team.

    An unknown or replaced code, someone already in that team, and the owner of a team with
    other people in it get a notice instead. Nothing changes until the last answer.
    """
    with uow:
        ctx = _open(uow, deps, who, create=True)
        assert ctx is not None
        assert ctx.user.id is not None
        team = uow.teams.by_invite_code(code) if code else None
        if team is None:
            reply = _reply(ctx, NoticeView(Message(_BAD_INVITE)), None, closed=True)
        else:
            refusal = _join_refusal(ctx, team)
            reply = refusal if refusal is not None else _start_join(ctx, team, code)
        uow.commit()  # the person's row, so that their language is remembered
        return reply


def _resume_paused(ctx: _Ctx) -> ConversationState | None:
    """The setup left with /cancel, open again (with a new menu token)."""
    paused = ctx.paused()
    if paused is None:
        return None
    conv = ctx.save_state(replace(paused, flow=FLOW_ONBOARDING), new_token=True)
    ctx.menu_message_id = None
    return conv


def _join_refusal(ctx: _Ctx, team: Team) -> Reply | None:
    assert ctx.user.id is not None
    current = ctx.membership()
    if current is not None and current.team_id == team.id:
        notice = Message(_ALREADY_IN_TEAM, {"team": team.name})
        return _reply(ctx, NoticeView(notice), None, closed=True)
    leads = team_ops.leads_others(ctx.uow, ctx.user.id, except_team=team.id)
    if leads is not None:
        notice = Message(_LEADS_OTHERS, {"team": leads.name})
        return _reply(ctx, NoticeView(notice), None, closed=True)
    return None


def _start_join(ctx: _Ctx, team: Team, code: str | None) -> Reply:
    """Open the member questionnaire for ``team`` (``code`` None: already a member)."""
    owner = ctx.uow.users.get(team.owner_user_id)
    previous = ctx.profile_record()
    answers: dict[str, Any] = _settings_answers(ctx.user) if ctx.user.onboarded else {}
    answers["country"] = owner.country if owner else ctx.user.country  # the team's calendar
    if previous.get("role") in (Role.SALES_MANAGER.value, Role.MARKETER.value):
        answers["role"] = previous["role"]
    outcome = start_questionnaire(ctx.today, ctx.language, answers, mode=MEMBER)
    before = ctx.conversation()  # an open menu is replaced: its buttons go
    conv = _save_question(ctx, None, outcome.state, flow=FLOW_JOIN, new_token=True,
                          extra={"team": team.id, "code": code})
    assert outcome.screen is not None
    owner_name = (owner.display_name or str(owner.telegram_id)) if owner else ""
    # A new team is named after its owner: "Anna invites you to the team “Anna”" says it twice.
    invited = _INVITED_OWN if team.name == owner_name else _INVITED
    notice = Message(invited, {"owner": owner_name, "team": team.name})
    return _reply(ctx, QuestionView(outcome.screen), conv, notice=notice,
                  message_id=before.message_id if before else None)


def _accept_join(ctx: _Ctx, conv: ConversationState, qs: State, left_location: bool) -> Reply:
    """The last answer of the member questionnaire: join the team, take its KPIs, tell the
    owner."""
    user = ctx.user
    assert user.id is not None
    team_id, code = conv.data.get("team"), conv.data.get("code")
    team = ctx.uow.teams.get(team_id) if isinstance(team_id, int) else None
    current = ctx.membership()
    already = team is not None and current is not None and current.team_id == team.id
    if team is None or (not already and (code is None or team.invite_code != code)):
        # The owner made a new link (or the team is gone) while this was being answered.
        ctx.clear()
        return _reply(ctx, NoticeView(Message(_BAD_INVITE)), None, closed=True,
                      left_location_step=left_location)
    refusal = None if already else _join_refusal(ctx, team)
    if refusal is not None:
        ctx.clear()
        return replace(refusal, left_location_step=left_location)
    answers = answers_on_path(qs)
    owner = ctx.uow.users.get(team.owner_user_id)
    user.language = ctx.language
    user.country = owner.country if owner else user.country
    user.working_weekdays = frozenset(int(d) for d in answers.get("weekdays") or []) or DEFAULT_WORKING_WEEKDAYS
    user.timezone = str(answers.get("timezone") or user.timezone)
    user.digest_time = _time(answers.get("digest"))
    user.reminder_time = _time(answers.get("reminder"))
    user.display_name = user.display_name or ctx.who.name
    user.onboarded = True
    ctx.uow.users.save(user)
    if not already:
        team_ops.join_team(ctx.uow, user, team, ctx.today)
    owner_profile = ctx.uow.profiles.get(team.owner_user_id)
    owner_answers = owner_profile.answers if owner_profile else {}
    # What the team does (business, channel, goals, data) comes from the owner's answers:
    # /kpis can then offer the member alternatives that fit.
    record: dict[str, Any] = {
        k: owner_answers[k] for k in ("business", "channel", "goals", "data") if k in owner_answers
    }
    record.update(answers)
    kpis = _member_kpis(ctx, team, record)
    assert team.id is not None
    ctx.uow.assignments.replace(user.id, team.id, kpis)
    ctx.save_profile_record(record)
    ctx.clear()
    plan = _team_plan(ctx, team)
    owner_name = (owner.display_name or str(owner.telegram_id)) if owner else ""
    view = FinishedView(
        cards=_cards(kpis, _profile_of(record), plan),
        plan=plan.summary if plan else None,
        digest=user.digest_time,
        reminder=user.reminder_time,
        timezone=user.timezone,
        joined_team=team.name,
        owner=owner_name,
    )
    notify: tuple[Notification, ...] = ()
    if not already and owner is not None and owner.id != user.id:
        count = team_ops.joined_count(ctx.uow, team.id)
        lines = (
            Message(_JOINED_YOUR_TEAM, {"name": user.display_name or str(user.telegram_id), "team": team.name}),
            team_ops.headcount(count, team.planned_size),
            Message(_SEND_TEAM),
        )
        notify = (Notification(owner.telegram_id, owner.language, lines),)
    return _reply(ctx, view, None, closed=True, left_location_step=left_location, notify=notify)


def _member_kpis(ctx: _Ctx, team: Team, answers: Mapping[str, Any]) -> list[str]:
    """The team's KPIs that fit the person's role; advice from the team's answers when none
    of the owner's set does (a marketer joining a team that tracks only sales)."""
    role = Role(str(answers.get("role")))
    chosen = team_ops.member_kpis(team_ops.owner_kpis(ctx.uow, team), role)
    if chosen:
        return chosen
    profile = _profile_of(answers)
    if profile is not None:
        return list(recommend(profile).kpi_ids)
    return [fit.kpi_id for fit in ROLE_FITS[role][:3]]


def _prefill(answers: Mapping[str, Any]) -> dict[str, Any]:
    # Earlier answers pre-select the buttons on /restart; the period is asked afresh.
    return {k: v for k, v in answers.items() if k not in ("period", "period_dates")}


def current(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """The current screen of the open conversation (after a language change, for instance)."""
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return Reply(None, handled=False, language=who.language)
        return _reply(ctx, _view(ctx, conv), conv)


def remember_menu(uow: UnitOfWork, deps: Deps, who: Who, token: str, message_id: int) -> None:
    """Record which message shows the current menu (if it is still the current one)."""
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None or conv.token != token:
            return
        conv.message_id = message_id
        ctx.save_state(conv, new_token=False)
        uow.commit()


def cancel(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/cancel``: close the open conversation; saved data stays."""
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return Reply(NoticeView(Message(_NO_CONVERSATION)), closed=True, language=who.language)
        if conv.flow == FLOW_ONBOARDING and not ctx.user.onboarded:
            # Kept, not deleted: "/start to continue" must find the answers given so far.
            ctx.save_state(replace(conv, flow=FLOW_PAUSED, message_id=None), new_token=True)
        else:
            ctx.clear()
        uow.commit()
        message = {FLOW_ONBOARDING: _CANCELLED, FLOW_JOIN: _JOIN_CANCELLED}.get(
            conv.flow, _CANCELLED_DONE
        )
        return _reply(ctx, NoticeView(Message(message)), None, closed=True, left_location_step=True)


def _save_question(
    ctx: _Ctx, conv: ConversationState | None, qs: State, *, flow: str, new_token: bool,
    extra: Mapping[str, Any] | None = None,
) -> ConversationState:
    assert ctx.user.id is not None
    data = dict(conv.data) if conv else {}
    data.update(extra or {})
    data["q"] = qs.to_json()
    state = ConversationState(
        chat_id=ctx.who.chat_id,
        user_id=ctx.user.id,
        flow=flow,
        step=qs.step,
        data=data,
        token=conv.token if conv and not new_token else "",
        message_id=conv.message_id if conv else None,
    )
    return ctx.save_state(state, new_token=new_token)


def _answer(ctx: _Ctx, conv: ConversationState, answer: Answer) -> Reply:
    """Apply an answer to the questionnaire of ``conv`` (onboarding or edit)."""
    qs = _qstate(conv).refreshed(ctx.today, ctx.language)
    before = screen(qs)
    if conv.flow == FLOW_EDIT and isinstance(answer, Back) and not qs.history:
        return _back_to_menu(ctx, conv)
    outcome = advance(qs, answer, ctx.deps.validators)
    left_location = bool(before and before.wants_location and outcome.moved)
    if outcome.error is not None:
        return _reply(ctx, QuestionView(before, conv.flow == FLOW_EDIT) if before else None, conv,
                      error=outcome.error, moved=False)
    reply = _after_answer(ctx, conv, outcome, left_location)
    chosen = _zone_chosen(before, answer, outcome)
    return replace(reply, zone=chosen) if chosen and reply.error is None else reply


def _after_answer(ctx: _Ctx, conv: ConversationState, outcome: Outcome, left_location: bool) -> Reply:
    if conv.flow == FLOW_EDIT:
        return _after_edit_answer(ctx, conv, outcome, left_location)
    if outcome.finished and conv.flow == FLOW_JOIN:
        return _accept_join(ctx, conv, outcome.state, left_location)
    if outcome.finished:
        return _to_review(ctx, conv, outcome.state, left_location)
    new = _save_question(ctx, conv, outcome.state, flow=conv.flow, new_token=outcome.moved)
    assert outcome.screen is not None
    return _reply(ctx, QuestionView(outcome.screen), new, moved=outcome.moved,
                  left_location_step=left_location)


def _zone_chosen(before: Screen | None, answer: Answer, outcome: Outcome) -> str | None:
    """The zone an answer to the time zone question set (not Back)."""
    if before is None or not before.wants_location or not outcome.moved or isinstance(answer, Back):
        return None
    zone_answer = outcome.state.answers.get(before.question.id)
    return str(zone_answer) if zone_answer else None


def _to_review(ctx: _Ctx, conv: ConversationState, qs: State, left_location: bool) -> Reply:
    answers = answers_on_path(qs)
    profile = build_profile(answers)
    # Back from the result screen and forward again keeps the person's edits to the set,
    # unless they changed an answer the advice depends on.
    same = conv.data.get("profile") == profile.to_dict() and conv.data.get("kpis")
    kpis = conv.data["kpis"] if same else _initial_set(profile, _plan_kpi_id(answers))
    assert ctx.user.id is not None
    new = ConversationState(
        chat_id=ctx.who.chat_id, user_id=ctx.user.id, flow=FLOW_ONBOARDING, step=STEP_REVIEW,
        data={"q": qs.to_json(), "kpis": list(kpis), "profile": profile.to_dict()},
        message_id=conv.message_id,
    )
    new = ctx.save_state(new, new_token=True)
    return _reply(ctx, _review_view(ctx, new), new, left_location_step=left_location)


def _yields(ctx: _Ctx, conv: ConversationState) -> bool:
    """True when typed input is not for this conversation.

    That is the case for a newer conversation of another feature (the daily loop asked for a number after this menu was opened), and for an open
    menu that takes no text (/plan, /kpis, /settings, /delete_me): typing something else
    closes it, and the text goes to whoever wants it.
    """
    assert ctx.user.id is not None
    for chat_id in OTHER_STATE_CHAT_IDS:
        other = ctx.uow.conversations.get(chat_id, ctx.user.id)
        if other and other.updated_at and conv.updated_at and other.updated_at > conv.updated_at:
            return True
    if ctx.user.onboarded and conv.flow in (FLOW_MENU, FLOW_KPIS, FLOW_DELETE):
        ctx.clear()
        ctx.uow.commit()
        return True
    return False


def typed(uow: UnitOfWork, deps: Deps, who: Who, text: str) -> Reply:
    """Something typed in the chat: an answer, or a hint about what is expected now.

    Returns ``handled=False`` when the text is not for a conversation of this module (an
    onboarded person with no open question: the daily loop may want it).
    """
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            if ctx is not None and ctx.user.onboarded:
                return Reply(None, handled=False, language=who.language)
            return Reply(NoticeView(Message(_ONBOARD_FIRST)), closed=True, language=who.language)
        if _yields(ctx, conv):
            return Reply(None, handled=False, language=who.language)
        if _is_question(conv):
            reply = _answer(ctx, conv, Text(text))
            uow.commit()
            return reply
        return _reply(ctx, _view(ctx, conv), conv, error=Message(_USE_BUTTONS), moved=False)


_TYPE_ANSWER = N_("Please type the answer, or use the buttons above. To stop, send /cancel.")


def nudge(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """A message the conversation cannot use (a sticker, a photo): say what is expected now."""
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            if ctx is not None and ctx.user.onboarded:
                return Reply(None, handled=False, language=who.language)
            return Reply(NoticeView(Message(_ONBOARD_FIRST)), closed=True, language=who.language)
        view = _view(ctx, conv)
        wants_text = isinstance(view, QuestionView) and view.screen.accepts_text
        error = Message(_TYPE_ANSWER if wants_text else _USE_BUTTONS)
        return _reply(ctx, view, conv, error=error, moved=False)


def located(uow: UnitOfWork, deps: Deps, who: Who, zone_name: str | None) -> Reply:
    """A location was shared; ``zone_name`` is the time zone the adapter found for it."""
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None or _yields(ctx, conv):
            return Reply(None, handled=False, language=who.language)
        if _is_question(conv) and zone_name:
            reply = _answer(ctx, conv, Located(zone_name))
            uow.commit()
            return reply
        return _reply(ctx, _view(ctx, conv), conv, error=Message(_USE_BUTTONS), moved=False)


def _is_question(conv: ConversationState) -> bool:
    return conv.flow in QUESTION_FLOWS and conv.step not in (STEP_REVIEW, STEP_SWAP, STEP_ADD)


def _question_answer(ctx: _Ctx, conv: ConversationState, pressed: Press) -> Answer | None:
    """The answer a question button stands for; options travel as their index on screen."""
    if pressed.action in ("c", "t"):
        shown = screen(_qstate(conv).refreshed(ctx.today, ctx.language))
        arg = pressed.arg()
        if shown is None or not arg.isdigit() or int(arg) >= len(shown.options):
            return None
        value = shown.options[int(arg)].value
        return Choose(value) if pressed.action == "c" else Toggle(value)
    simple: dict[str, Answer] = {"d": Done(), "b": Back(), "s": Skip()}
    return simple.get(pressed.action)


def press(uow: UnitOfWork, deps: Deps, who: Who, pressed: Press) -> Reply:
    """A button of a conversation menu: check its token, then apply it.

    A press whose token is not the current menu's (an old message, a forged button), or
    whose action does not fit the current step, gets ``stale=True`` and the current screen.
    """
    with uow:
        ctx = _open(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return Reply(None, stale=True, closed=True, language=who.language)
        if pressed.token != conv.token:
            return _reply(ctx, _view(ctx, conv), conv, stale=True, notice=Message(_EXPIRED))
        reply = _dispatch(ctx, conv, pressed)
        if reply is None:
            return _reply(ctx, _view(ctx, conv), conv, stale=True, notice=Message(_EXPIRED))
        uow.commit()
        return reply


def _dispatch(ctx: _Ctx, conv: ConversationState, pressed: Press) -> Reply | None:
    if pressed.prefix == PREFIX_QUESTION and _is_question(conv):
        answer = _question_answer(ctx, conv, pressed)
        return _answer(ctx, conv, answer) if answer is not None else None
    if pressed.prefix == PREFIX_REVIEW and conv.flow in (FLOW_ONBOARDING, FLOW_KPIS):
        return _review_press(ctx, conv, pressed)
    if pressed.prefix == PREFIX_MENU and conv.flow == FLOW_MENU:
        return _menu_press(ctx, conv, pressed)
    if pressed.prefix == PREFIX_DELETE and conv.flow == FLOW_DELETE:
        return _delete_press(ctx, conv, pressed)
    return None


# -- review, swap, add ------------------------------------------------------------------------


def _save_review(ctx: _Ctx, conv: ConversationState, step: str, **changes: Any) -> ConversationState:
    data = dict(conv.data)
    data.update(changes)
    new = replace(conv, step=step, data=data)
    return ctx.save_state(new, new_token=True)


def _review_press(ctx: _Ctx, conv: ConversationState, pressed: Press) -> Reply | None:
    kpis = [str(k) for k in conv.data.get("kpis", [])]
    action, arg = pressed.action, pressed.arg()
    if conv.step == STEP_REVIEW:
        if action == "ok":
            return _accept(ctx, conv) if conv.flow == FLOW_ONBOARDING else _save_kpis(ctx, conv)
        if action == "back" and conv.flow == FLOW_ONBOARDING:
            outcome = advance(_qstate(conv).refreshed(ctx.today, ctx.language), Back())
            new = _save_question(ctx, conv, outcome.state, flow=FLOW_ONBOARDING, new_token=True)
            assert outcome.screen is not None
            return _reply(ctx, QuestionView(outcome.screen), new)
        if action in ("sw", "rm") and arg in kpis and arg == _review_view(ctx, conv).plan_kpi:
            refusal = Message(_PLAN_KPI_STAYS, {"kpi": get_kpi(arg).name_message})
            return _reply(ctx, _view(ctx, conv), conv, error=refusal, moved=False)
        if action == "sw" and arg in kpis:
            new = _save_review(ctx, conv, STEP_SWAP, swap=arg)
            notice = None if _swap_options(ctx, new) else Message(_NO_ALTERNATIVES)
            return _reply(ctx, _view(ctx, new), new, notice=notice)
        if action == "rm" and arg in kpis:
            if len(kpis) <= 1:
                return _reply(ctx, _view(ctx, conv), conv, error=Message(_KEEP_ONE), moved=False)
            new = _save_review(ctx, conv, STEP_REVIEW, kpis=[k for k in kpis if k != arg])
            return _reply(ctx, _view(ctx, new), new)
        if action == "add":
            if len(kpis) >= MAX_KPIS:
                return _reply(ctx, _view(ctx, conv), conv, error=Message(_SET_FULL), moved=False)
            new = _save_review(ctx, conv, STEP_ADD, page=0)
            return _reply(ctx, _view(ctx, new), new)
        return None
    if action == "back":
        new = _save_review(ctx, conv, STEP_REVIEW)
        return _reply(ctx, _view(ctx, new), new)
    if conv.step == STEP_SWAP and action == "pick":
        old = str(conv.data.get("swap", ""))
        if arg not in {o.kpi_id for o in _swap_options(ctx, conv)} or old not in kpis:
            return None
        new = _save_review(ctx, conv, STEP_REVIEW, kpis=[arg if k == old else k for k in kpis])
        return _reply(ctx, _view(ctx, new), new)
    if conv.step == STEP_ADD and action == "pg" and arg.isdigit():
        new = _save_review(ctx, conv, STEP_ADD, page=int(arg))
        return _reply(ctx, _view(ctx, new), new)
    if conv.step == STEP_ADD and action == "pick":
        if arg not in {k.id for k in _addable(conv)} or len(kpis) >= MAX_KPIS:
            return None
        new = _save_review(ctx, conv, STEP_REVIEW, kpis=[*kpis, arg])
        return _reply(ctx, _view(ctx, new), new)
    return None


def _accept(ctx: _Ctx, conv: ConversationState) -> Reply:
    """Save everything the onboarding produced and close the conversation."""
    qs = _qstate(conv).refreshed(ctx.today, ctx.language)
    answers = answers_on_path(qs)
    kpis = [str(k) for k in conv.data.get("kpis", [])]
    _, problem = _plan_checked(ctx, conv, answers)
    if problem is not None:  # nothing is saved until the plan can be split into days
        return _reply(ctx, _view(ctx, conv), conv, error=problem, moved=False)
    user = ctx.user
    user.language = ctx.language
    user.country = str(answers.get("country") or user.country)
    user.working_weekdays = frozenset(int(d) for d in answers.get("weekdays") or []) or DEFAULT_WORKING_WEEKDAYS
    user.timezone = str(answers.get("timezone") or user.timezone)
    user.digest_time = _time(answers.get("digest"))
    user.reminder_time = _time(answers.get("reminder"))
    user.display_name = user.display_name or ctx.who.name
    user.onboarded = True
    ctx.uow.users.save(user)
    # Freeze "this month" into dates: the record must mean the same thing next month.
    period = period_for(answers.get("period"), qs)
    if period is not None:
        answers["period"] = CUSTOM
        answers["period_dates"] = [period.start.isoformat(), period.end.isoformat()]
    plan = _store_plan(ctx, answers, kpis)
    ctx.save_profile_record(answers)
    ctx.clear()
    invite, planned = _invite_for(ctx)
    view = FinishedView(
        cards=_cards(kpis, _profile_of(answers), plan),
        plan=plan.summary if plan else None,
        digest=user.digest_time,
        reminder=user.reminder_time,
        timezone=user.timezone,
        invite_code=invite,
        planned=planned,
    )
    return _reply(ctx, view, None, closed=True)


def _invite_for(ctx: _Ctx) -> tuple[str | None, int | None]:
    """The invite code of the team the person leads, when more people share its plan."""
    assert ctx.user.id is not None
    managed = team_ops.managed_team(ctx.uow, ctx.user.id)
    if managed is None or (managed[0].planned_size or 1) <= 1:
        return None, None
    team = managed[0]
    return team_ops.ensure_invite_code(ctx.uow, team, ctx.deps.new_invite_code), team.planned_size


def _time(value: Any) -> time | None:
    if not value or value == OFF:
        return None
    return time.fromisoformat(str(value))


def _store_plan(ctx: _Ctx, answers: Mapping[str, Any], kpis: Sequence[str]) -> _Plan | None:
    """Create or update the person's team, its plan (targets, planned head count) and the
    person's KPI assignments.

    In someone else's team only the person's KPI set changes: the plan is the owner's.
    """
    user = ctx.user
    assert user.id is not None
    team = _team_of(ctx)
    if team is None:
        current = ctx.membership()
        if current is not None:
            ctx.uow.assignments.replace(user.id, current.team_id, list(kpis))
            return None
        team = ctx.uow.teams.add(Team(name=user.display_name or str(user.telegram_id), owner_user_id=user.id))
        assert team.id is not None
        ctx.uow.teams.add_member(
            Membership(team_id=team.id, user_id=user.id, role=TeamRole.OWNER, joined_on=ctx.today)
        )
    assert team.id is not None
    if answers and team.planned_size != _people(answers):
        team.planned_size = _people(answers)
        ctx.uow.teams.save(team)
    plan = _compute_plan(answers, ctx.today, ctx.deps.calendars, user.country, user.working_weekdays)
    if plan is not None:
        targets = [PlanTarget(k, t, b) for k, (t, b) in plan.targets.items()]
        period = plan.summary.period
        existing = next(
            (p for p in ctx.uow.plans.of_team(team.id)
             if p.period_start == period.start and p.period_end == period.end),
            None,
        )
        if existing is not None:
            existing.targets = targets
            existing.currency = plan.summary.quota.currency or existing.currency
            ctx.uow.plans.save(existing)
        else:
            ctx.uow.plans.add(
                Plan(
                    team_id=team.id,
                    period_start=period.start,
                    period_end=period.end,
                    currency=plan.summary.quota.currency or "RUB",
                    targets=targets,
                    created_by=user.id,
                )
            )
    ctx.uow.assignments.replace(user.id, team.id, list(kpis))
    return plan


def _save_kpis(ctx: _Ctx, conv: ConversationState) -> Reply:
    kpis = [str(k) for k in conv.data.get("kpis", [])]
    answers = ctx.profile_record()
    _store_plan(ctx, answers, kpis)
    ctx.clear()
    new_view = _kpis_review(ctx, kpis)
    return _reply(ctx, new_view, None, notice=Message(_KPIS_SAVED), closed=True)


def _kpis_review(ctx: _Ctx, kpis: Sequence[str]) -> ReviewView:
    answers = ctx.profile_record()
    profile = _profile_of(answers)
    plan = _person_plan(ctx, answers)
    return ReviewView(
        cards=_cards(kpis, profile, plan), plan=plan.summary if plan else None, warnings=(),
        notes=(), onboarding=False, can_back=False, can_add=False, can_remove=False,
    )


# -- /kpis, /plan, /settings, /delete_me ------------------------------------------------------


def _needs_onboarding(ctx: _Ctx | None) -> bool:
    return ctx is None or not ctx.user.onboarded


def open_kpis(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/kpis``: the saved KPI set, with swap/remove/add and Save."""
    with uow:
        ctx = _open(uow, deps, who)
        if ctx is None or _needs_onboarding(ctx):
            return Reply(NoticeView(Message(_ONBOARD_FIRST)), closed=True, language=who.language)
        assert ctx.user.id is not None
        kpis = ctx.my_kpis()
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user.id, FLOW_KPIS, STEP_REVIEW, {"kpis": kpis}),
            new_token=True,
        )
        uow.commit()
        return _reply(ctx, _view(ctx, conv), conv)


def _open_menu(uow: UnitOfWork, deps: Deps, who: Who, step: str) -> Reply:
    with uow:
        ctx = _open(uow, deps, who)
        if ctx is None or _needs_onboarding(ctx):
            return Reply(NoticeView(Message(_ONBOARD_FIRST)), closed=True, language=who.language)
        assert ctx.user.id is not None
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user.id, FLOW_MENU, step, {}), new_token=True
        )
        uow.commit()
        return _reply(ctx, _view(ctx, conv), conv)


def open_plan(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/plan``: the plan with its quotas, and buttons to change the amount or the period."""
    return _open_menu(uow, deps, who, "plan")


def open_settings(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/settings``: language, time zone, country, working days, digest and reminder."""
    return _open_menu(uow, deps, who, "settings")


def _menu_press(ctx: _Ctx, conv: ConversationState, pressed: Press) -> Reply | None:
    if pressed.action == "close":
        ctx.clear()
        return _reply(ctx, NoticeView(Message(_CANCELLED_DONE)), None, closed=True)
    questions = EDITS.get(pressed.action)
    if questions is None:
        return None
    answers = ctx.profile_record()
    if pressed.action in PLAN_EDITS:  # checked here, whatever the buttons on screen offered
        problem = None
        if _others_team(ctx) is not None:
            problem = _TEAM_PLAN_ONLY
        elif not answers:
            problem = _NO_PLAN
        elif pressed.action == "people" and answers.get("role") not in LEADER_ROLES:
            problem = _NO_TEAM_SIZE
        if problem is not None:
            return _reply(ctx, _view(ctx, conv), conv, error=Message(problem), moved=False)
    answers.update(_settings_answers(ctx.user))
    first = next((q for q in questions if _asked_in(q, answers)), questions[0])
    qs = State(step=first, answers=answers, today=ctx.today.isoformat(), language=ctx.language)
    new = _save_question(ctx, conv, qs, flow=FLOW_EDIT, new_token=True,
                         extra={"edit": pressed.action, "menu": conv.step})
    shown = screen(qs)
    assert shown is not None
    return _reply(ctx, QuestionView(shown, editing=True), new)


def _asked_in(question_id: str, answers: Mapping[str, Any]) -> bool:
    return question(question_id).asked(answers) is not False


def _settings_answers(user: User) -> dict[str, Any]:
    return {
        "country": user.country,
        "timezone": user.timezone,
        "weekdays": [str(d) for d in sorted(user.working_weekdays)],
        "digest": user.digest_time.strftime("%H:%M") if user.digest_time else OFF,
        "reminder": user.reminder_time.strftime("%H:%M") if user.reminder_time else OFF,
    }


def _after_edit_answer(ctx: _Ctx, conv: ConversationState, outcome: Outcome, left_location: bool) -> Reply:
    edit = str(conv.data.get("edit", ""))
    allowed = EDITS.get(edit, ())
    qs = outcome.state
    if qs.step in allowed:  # the edit asks one more question (period → dates)
        new = _save_question(ctx, conv, qs, flow=FLOW_EDIT, new_token=True)
        assert outcome.screen is not None
        return _reply(ctx, QuestionView(outcome.screen, editing=True), new, left_location_step=left_location)
    answered = qs.history[-1]
    value = qs.answers.get(answered)
    try:
        notice = _apply_edit(ctx, edit, answered, value, qs)
    except DomainError as exc:  # checked before anything is written
        before = _qstate(conv).refreshed(ctx.today, ctx.language)
        shown = screen(before)
        view = QuestionView(shown, editing=True) if shown else None
        return _reply(ctx, view, conv, error=exc.message, moved=False)
    return _back_to_menu(ctx, conv, notice=notice, left_location=left_location)


def _apply_edit(ctx: _Ctx, edit: str, answered: str, value: Any, qs: State) -> Message:
    user = ctx.user
    if edit in PLAN_EDITS:
        answers = ctx.profile_record()
        for qid in EDITS[edit]:
            if qid in qs.answers:
                answers[qid] = qs.answers[qid]
        if edit == "people" and answers.get("team") == SOLO:
            answers["team"] = TEAM  # "just me" no more: the size now counts
        period = period_for(answers.get("period"), qs)
        if period is not None:
            answers["period"] = CUSTOM
            answers["period_dates"] = [period.start.isoformat(), period.end.isoformat()]
        # Raises a DomainError (no working days ...) before anything is written.
        _compute_plan(answers, ctx.today, ctx.deps.calendars, user.country, user.working_weekdays)
        kpis = ctx.my_kpis() if _team_of(ctx) else []
        ctx.save_profile_record(answers)
        _store_plan(ctx, answers, kpis or [_plan_kpi_id(answers)])
        return Message(_PLAN_SAVED)
    if answered == "timezone":
        user.timezone = str(value)
    elif answered == "country":
        user.country = str(value)
    elif answered == "weekdays":
        user.working_weekdays = frozenset(int(d) for d in value) or DEFAULT_WORKING_WEEKDAYS
    elif answered == "digest":
        user.digest_time = _time(value)
    elif answered == "reminder":
        user.reminder_time = _time(value)
    ctx.uow.users.save(user)
    return Message(_SAVED)


def _back_to_menu(
    ctx: _Ctx, conv: ConversationState, *, notice: Message | None = None, left_location: bool = False
) -> Reply:
    menu = str(conv.data.get("menu", "settings"))
    assert ctx.user.id is not None
    new = ctx.save_state(
        ConversationState(ctx.who.chat_id, ctx.user.id, FLOW_MENU, menu, {}, message_id=conv.message_id),
        new_token=True,
    )
    return _reply(ctx, _view(ctx, new), new, notice=notice, left_location_step=left_location)


def set_language(uow: UnitOfWork, deps: Deps, who: Who, language: str) -> Reply:
    """Store the person's language; the reply is the current screen in that language."""
    with uow:
        ctx = _open(uow, deps, who, create=True)
        assert ctx is not None
        ctx.user.language = language
        uow.users.save(ctx.user)
        ctx = replace(ctx, who=replace(who, language=language))
        conv = ctx.conversation()
        uow.commit()
        if conv is None:
            return Reply(None, language=language, closed=True)
        return _reply(ctx, _view(ctx, conv), conv)


def open_delete(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/delete_me``: ask for confirmation."""
    with uow:
        ctx = _open(uow, deps, who)
        if ctx is None:
            return Reply(NoticeView(Message(_ERASED)), closed=True, language=who.language)
        assert ctx.user.id is not None
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user.id, FLOW_DELETE, "confirm", {}), new_token=True
        )
        uow.commit()
        return _reply(ctx, DeleteView(), conv)


def _delete_press(ctx: _Ctx, conv: ConversationState, pressed: Press) -> Reply | None:
    if pressed.action == "yes":
        assert ctx.user.id is not None
        ctx.uow.users.erase(ctx.user.id)
        return _reply(ctx, NoticeView(Message(_ERASED)), None, closed=True)
    if pressed.action == "no":
        ctx.clear()
        return _reply(ctx, NoticeView(Message(_KEPT)), None, closed=True)
    return None
