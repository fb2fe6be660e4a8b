"""What every flow of the onboarding package shares: the flows, the per-update context and
the conversation state helpers.

Every conversation the bot has with buttons lives in one :class:`~kpi_core.model.ConversationState`
row per (chat, person), saved after every step, so a restarted bot carries on where the person
was. Its ``token`` changes whenever the menu on screen changes meaning; a button carries the
token it was drawn with, and a press whose token is not the current one is *stale*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kpi_core.advice.profile import InvalidProfile, Profile
from kpi_core.advice.questionnaire import OFF, State, question
from kpi_core.messages import N_
from kpi_core.model import ConversationState, Membership, User, UserProfile
from kpi_core.ports import UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding.plan import build_profile
from kpi_core.services.onboarding.views import Reply, View
from kpi_core.tracking.reminders import local_date, zone

FLOW_ONBOARDING = "onboarding"
FLOW_JOIN = "join"
FLOW_KPIS = "kpis"
FLOW_MENU = "menu"
FLOW_EDIT = "edit"
FLOW_DELETE = "delete"
FLOW_SWITCH = "switch"
"""An invite from another team is waiting for "leave my team for it?"."""
FLOW_PAUSED = "onboarding_paused"
"""An unfinished setup left with /cancel: kept so that /start carries on from the same step
(it is not an open conversation: typed text and buttons do not reach it)."""

FLOW_TEAM = "team"
"""``/team`` → 🎯 and 🏖 (:mod:`kpi_core.services.team_shares`): not one of this package's
flows, but one it gives typed text and /cancel to."""
MY_FLOWS = frozenset({FLOW_ONBOARDING, FLOW_JOIN, FLOW_KPIS, FLOW_MENU, FLOW_EDIT, FLOW_DELETE,
                      FLOW_SWITCH})
QUESTION_FLOWS = frozenset({FLOW_ONBOARDING, FLOW_JOIN, FLOW_EDIT})

STEP_REVIEW = "review"
STEP_SWAP = "swap"
STEP_ADD = "add"
STEP_TARGETS = "targets"
STEP_TARGET = "target"
REVIEW_STEPS = frozenset({STEP_REVIEW, STEP_SWAP, STEP_ADD, STEP_TARGETS, STEP_TARGET})

EXPIRED = N_("This menu has expired. Here is where we are now:")
"""The notice above the current screen after a stale press."""
USE_BUTTONS = N_("Please use the buttons above, or send /cancel.")
ONBOARD_FIRST = N_("Let's set things up first: send /start.")


@dataclass
class Ctx:
    """One update's view of the person: the unit of work, the dependencies and their row."""

    uow: UnitOfWork
    deps: Deps
    who: Who
    user: User
    screen_ref: int | None = None

    @property
    def today(self) -> date:
        """The person's local date."""
        try:
            tz = zone(self.user.timezone)
        except KeyError:
            tz = zone("UTC")
        return local_date(self.deps.clock.now(), tz)

    @property
    def language(self) -> str:
        """The language of this update."""
        return self.who.language

    @property
    def user_id(self) -> int:
        """The person's id (the row is saved before any flow runs)."""
        assert self.user.id is not None
        return self.user.id

    def save_state(self, state: ConversationState, *, new_token: bool) -> ConversationState:
        """Save the conversation, with a new menu token when the screen changes meaning."""
        if new_token or not state.token:
            state.token = self.deps.new_token()
        state.updated_at = self.deps.clock.now()
        self.uow.conversations.save(state)
        return state

    def conversation(self) -> ConversationState | None:
        """This chat's conversation, if it is one of this package's flows."""
        conv = self.uow.conversations.get(self.who.chat_id, self.user_id)
        if conv is None or conv.flow not in MY_FLOWS:
            return None
        self.screen_ref = conv.message_id
        return conv

    def clear(self) -> None:
        """End the conversation."""
        self.uow.conversations.clear(self.who.chat_id, self.user_id)

    def paused(self) -> ConversationState | None:
        """The setup this person left with /cancel, if any (see :data:`FLOW_PAUSED`)."""
        conv = self.uow.conversations.get(self.who.chat_id, self.user_id)
        return conv if conv is not None and conv.flow == FLOW_PAUSED else None

    def profile_record(self) -> dict[str, Any]:
        """The person's saved answers (empty before onboarding)."""
        profile = self.uow.profiles.get(self.user_id)
        return dict(profile.answers) if profile else {}

    def save_profile_record(self, answers: Mapping[str, Any]) -> None:
        """Keep the answers advice and the plan depend on."""
        self.uow.profiles.save(UserProfile(self.user_id, dict(answers), self.deps.clock.now()))

    def membership(self) -> Membership | None:
        """The person's current team membership."""
        return team_ops.current_membership(self.uow, self.user_id)

    def my_kpis(self) -> list[str]:
        """The person's KPI set in their current team, in order."""
        current = self.membership()
        mine = [
            a for a in self.uow.assignments.for_user(self.user_id)
            if current is None or a.team_id == current.team_id
        ]
        return [a.kpi_id for a in sorted(mine, key=lambda a: a.position)]


def open_ctx(uow: UnitOfWork, deps: Deps, who: Who, *, create: bool = False) -> Ctx | None:
    """The context of an update inside an open ``uow`` (``None``: an unknown person)."""
    user = uow.users.by_telegram_id(who.telegram_id)
    if user is None and create:
        user = uow.users.add(
            User(telegram_id=who.telegram_id, language=who.language, display_name=who.name)
        )
    if user is None:
        return None
    return Ctx(uow, deps, who, user)


def qstate(conv: ConversationState) -> State:
    """The questionnaire state kept in a conversation."""
    return State.from_json(conv.data.get("q", {}))


def reply(ctx: Ctx, view: View | None, conv: ConversationState | None, **kw: Any) -> Reply:
    """A reply showing ``view`` with the buttons of ``conv`` (no conversation: no token)."""
    kw.setdefault("screen_ref", conv.message_id if conv else ctx.screen_ref)
    return Reply(view=view, token=conv.token if conv else "", language=ctx.language, **kw)


def is_question(conv: ConversationState) -> bool:
    """The conversation is at a question of the questionnaire."""
    return conv.flow in QUESTION_FLOWS and conv.step not in REVIEW_STEPS


def save_question(
    ctx: Ctx, conv: ConversationState | None, qs: State, *, flow: str, new_token: bool,
    extra: Mapping[str, Any] | None = None,
) -> ConversationState:
    """Save a questionnaire state as the conversation (keeping what else it held)."""
    data = dict(conv.data) if conv else {}
    data.update(extra or {})
    data["q"] = qs.to_json()
    state = ConversationState(
        chat_id=ctx.who.chat_id,
        user_id=ctx.user_id,
        flow=flow,
        step=qs.step,
        data=data,
        token=conv.token if conv and not new_token else "",
        message_id=conv.message_id if conv else None,
    )
    return ctx.save_state(state, new_token=new_token)


def profile_of(answers: Mapping[str, Any]) -> Profile | None:
    """The profile of the answers, or ``None`` while they are incomplete."""
    try:
        return build_profile(answers)
    except InvalidProfile:
        return None


def settings_answers(user: User) -> dict[str, Any]:
    """The person's settings as the questionnaire's answers (to pre-select them)."""
    return {
        "country": user.country,
        "timezone": user.timezone,
        "weekdays": [str(d) for d in sorted(user.working_weekdays)],
        "digest": user.digest_time.strftime("%H:%M") if user.digest_time else OFF,
        "reminder": user.reminder_time.strftime("%H:%M") if user.reminder_time else OFF,
    }


def asked_in(question_id: str, answers: Mapping[str, Any]) -> bool:
    """Whether a question is asked given ``answers``."""
    return question(question_id).asked(answers) is not False
