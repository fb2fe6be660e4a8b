"""The open conversation: start or resume it, redraw it, route what the person sends to the
flow it belongs to, cancel it.

Flows (``ConversationState.flow``) and the module that runs each:

* ``onboarding`` — the questionnaire (:mod:`.questionnaire`), then the KPI review
  (:mod:`.review`);
* ``join`` — the short questionnaire of someone joining a team (:mod:`.join`);
* ``kpis`` — ``/kpis``: the review over the saved set, and the targets (:mod:`.targets`);
* ``menu`` and ``edit`` — ``/plan`` and ``/settings`` and the questions they ask again
  (:mod:`.menus`);
* ``delete`` — ``/delete_me`` (:mod:`.delete`);
* ``onboarding_paused`` — an unfinished setup left with /cancel, kept (not open) so that
  ``/start`` carries on from the same step.
"""

from __future__ import annotations

from dataclasses import replace

from kpi_core.advice.questionnaire import Located, Text
from kpi_core.advice.questionnaire import start as start_questionnaire
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.erase import stays_in_a_team
from kpi_core.services.onboarding import delete, join, menus, questionnaire, review
from kpi_core.services.onboarding.context import (
    EXPIRED,
    FLOW_DELETE,
    FLOW_JOIN,
    FLOW_KPIS,
    FLOW_MENU,
    FLOW_ONBOARDING,
    FLOW_PAUSED,
    FLOW_SWITCH,
    FLOW_TEAM,
    MY_FLOWS,
    ONBOARD_FIRST,
    USE_BUTTONS,
    Ctx,
    is_question,
    open_ctx,
    qstate,
    reply,
    save_question,
)
from kpi_core.services.onboarding.records import others_team
from kpi_core.services.onboarding.views import (
    ButtonPress,
    DeleteView,
    NoticeView,
    QuestionView,
    Reply,
    View,
)

OTHER_STATE_CHAT_IDS: tuple[int, ...] = (2**62 + 1,)
"""Conversation rows other features keep per person (the daily loop's, see
``kpi_core.services.daily.DAILY_STATE_CHAT_ID``): when one is newer than the open menu here,
typed text is theirs."""

_NO_CONVERSATION = N_("Nothing to cancel — there is no open menu.")
_CANCELLED = N_("Cancelled. Everything saved before is kept; send /start to continue setting up.")
_JOIN_CANCELLED = N_("Cancelled. To join the team later, open the invite link again.")
_WELCOME_BACK = N_("Welcome back! Let's continue where we stopped.")
_ALREADY = N_(
    "You are all set up. /today shows today's quota, /plan and /kpis change the plan and the "
    "KPIs, /settings the time zone and reminders. To go through the setup again, send /restart."
)
_TYPE_ANSWER = N_("Please type the answer, or use the buttons above. To stop, send /cancel.")


def view_of(ctx: Ctx, conv: ConversationState) -> View:
    """Rebuild the screen of a stored conversation."""
    if is_question(conv):
        shown = questionnaire.question_view(ctx, conv)
        if shown is not None:
            return shown
    if conv.flow in (FLOW_ONBOARDING, FLOW_KPIS):
        return review.screen_of(ctx, conv)
    if conv.flow == FLOW_MENU:
        return menus.screen_of(ctx, conv)
    if conv.flow == FLOW_DELETE:
        return DeleteView(stays_in_a_team(ctx.uow, ctx.user_id))
    return NoticeView(Message(USE_BUTTONS))


def _shown(ctx: Ctx, conv: ConversationState, **kw: object) -> Reply:
    return reply(ctx, view_of(ctx, conv), conv, **kw)


def _unknown(who: Who) -> Reply:
    return Reply(None, handled=False, language=who.language)


def begin(uow: UnitOfWork, deps: Deps, who: Who, *, restart: bool = False) -> Reply:
    """``/start`` (resume or begin) and ``/restart`` (begin again; nothing is deleted).

    A person in the middle of a conversation sees their current step again; an onboarded
    person gets a short reminder of the commands; anyone else starts the questionnaire.
    """
    with uow:
        ctx = open_ctx(uow, deps, who, create=True)
        assert ctx is not None
        conv = ctx.conversation() or (_resume_paused(ctx) if not restart else None)
        if conv is not None and not restart:
            answer = _shown(ctx, conv, notice=Message(_WELCOME_BACK))
            uow.commit()
            return answer
        if ctx.user.onboarded and not restart:
            uow.commit()
            return reply(ctx, NoticeView(Message(_ALREADY)), None, closed=True)
        team = others_team(ctx) if restart else None
        if team is not None:  # in someone else's team: their short questionnaire again
            answer = join.start_join(ctx, team, None)
            uow.commit()
            return answer
        previous = ctx.profile_record() if restart else {}
        paused = ctx.paused()
        if restart and not previous and paused is not None:
            previous = dict(qstate(paused).answers)  # /cancel, then /restart: pre-select them
        outcome = start_questionnaire(ctx.today, ctx.language, questionnaire.prefill(previous))
        conv = save_question(ctx, None, outcome.state, flow=FLOW_ONBOARDING, new_token=True)
        uow.commit()
        assert outcome.screen is not None
        return reply(ctx, QuestionView(outcome.screen), conv)


def _resume_paused(ctx: Ctx) -> ConversationState | None:
    """The setup left with /cancel, open again (with a new menu token)."""
    paused = ctx.paused()
    if paused is None:
        return None
    conv = ctx.save_state(replace(paused, flow=FLOW_ONBOARDING), new_token=True)
    ctx.screen_ref = None
    return conv


def current(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """The current screen of the open conversation (after a language change, for instance)."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return _unknown(who)
        return _shown(ctx, conv)


def remember_screen(uow: UnitOfWork, deps: Deps, who: Who, token: str, screen_ref: int) -> None:
    """Record the adapter's reference to the message that shows the current menu (if it is
    still the current one); it comes back as :attr:`Reply.screen_ref`."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None or conv.token != token:
            return
        conv.message_id = screen_ref
        ctx.save_state(conv, new_token=False)
        uow.commit()


def cancel(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/cancel``: close the open conversation; saved data stays."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is not None and conv is None:
            # /team → 🎯 or 🏖 left open: nothing pending is saved.
            other = uow.conversations.get(who.chat_id, ctx.user_id)
            if other is not None and other.flow == FLOW_TEAM:
                ctx.clear()
                uow.commit()
                return reply(ctx, NoticeView(Message(menus.CLOSED_UNCHANGED)), None, closed=True)
        if ctx is None or conv is None:
            return Reply(NoticeView(Message(_NO_CONVERSATION)), closed=True, language=who.language)
        if conv.flow == FLOW_ONBOARDING and not ctx.user.onboarded:
            # Kept, not deleted: "/start to continue" must find the answers given so far.
            ctx.save_state(replace(conv, flow=FLOW_PAUSED, message_id=None), new_token=True)
        else:
            ctx.clear()
        uow.commit()
        message = {FLOW_ONBOARDING: _CANCELLED, FLOW_JOIN: _JOIN_CANCELLED}.get(
            conv.flow, menus.CLOSED_UNCHANGED
        )
        return reply(ctx, NoticeView(Message(message)), None, closed=True,
                     offered_location_done=True)


def _yields(ctx: Ctx, conv: ConversationState) -> bool:
    """True when typed input is not for this conversation.

    That is the case for a newer conversation of another feature (the daily loop asked for a
    number after this menu was opened), and for an open menu that takes no text (/plan,
    /kpis, /settings, /delete_me): typing something else closes it, and the text goes to
    whoever wants it.
    """
    for chat_id in OTHER_STATE_CHAT_IDS:
        other = ctx.uow.conversations.get(chat_id, ctx.user_id)
        if other and other.updated_at and conv.updated_at and other.updated_at > conv.updated_at:
            return True
    if review.takes_text(conv):
        return False
    if ctx.user.onboarded and conv.flow in (FLOW_MENU, FLOW_KPIS, FLOW_DELETE, FLOW_SWITCH):
        ctx.clear()
        ctx.uow.commit()
        return True
    return False


def takes_text(conv: ConversationState) -> bool:
    """The open conversation ``conv`` waits for typed text (a question, a target being
    typed): other features leave typed text to it (see ``daily_loop``)."""
    return conv.flow in MY_FLOWS and (is_question(conv) or review.takes_text(conv))


def _not_open(ctx: Ctx | None, who: Who) -> Reply:
    if ctx is not None and ctx.user.onboarded:
        return _unknown(who)
    return Reply(NoticeView(Message(ONBOARD_FIRST)), closed=True, language=who.language)


def typed(uow: UnitOfWork, deps: Deps, who: Who, text: str) -> Reply:
    """Something typed in the chat: an answer, or a hint about what is expected now.

    Returns ``handled=False`` when the text is not for a conversation of this package (an
    onboarded person with no open question: the daily loop may want it).
    """
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is not None and conv is None:
            answer = _team_text(uow, deps, who, ctx.user_id, text)
            if answer is not None:
                return answer
        if ctx is None or conv is None:
            return _not_open(ctx, who)
        if _yields(ctx, conv):
            return _unknown(who)
        if is_question(conv):
            answer = questionnaire.answer(ctx, conv, Text(text))
            uow.commit()
            return answer
        if review.takes_text(conv):
            answer = review.typed_target(ctx, conv, text)
            uow.commit()
            return answer
        return _shown(ctx, conv, error=Message(USE_BUTTONS), moved=False)


def _team_text(uow: UnitOfWork, deps: Deps, who: Who, user_id: int, text: str) -> Reply | None:
    """``/team`` → 🎯 or 🏖 waiting for a typed target or days off (``None``: it is not)."""
    # Imported here: the team's use cases build on this package's views and replies.
    from kpi_core.services import team_shares

    conv = uow.conversations.get(who.chat_id, user_id)
    if conv is None or not team_shares.takes_text(conv):
        return None
    answer = team_shares.typed(uow, deps, who, conv, text)
    uow.commit()
    return answer


def nudge(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """A message the conversation cannot use (a sticker, a photo): say what is expected now."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return _not_open(ctx, who)
        view = view_of(ctx, conv)
        wants_text = isinstance(view, QuestionView) and view.screen.accepts_text
        error = Message(_TYPE_ANSWER if wants_text else USE_BUTTONS)
        return reply(ctx, view, conv, error=error, moved=False)


def located(uow: UnitOfWork, deps: Deps, who: Who, zone_name: str | None) -> Reply:
    """A location was shared; ``zone_name`` is the time zone the adapter found for it."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None or _yields(ctx, conv):
            return _unknown(who)
        if is_question(conv) and zone_name:
            answer = questionnaire.answer(ctx, conv, Located(zone_name))
            uow.commit()
            return answer
        return _shown(ctx, conv, error=Message(USE_BUTTONS), moved=False)


def press(uow: UnitOfWork, deps: Deps, who: Who, pressed: ButtonPress) -> Reply:
    """A button of a conversation menu: check its token, then apply it.

    A press whose token is not the current menu's (an old message, a forged button), or
    whose action does not fit the current step, gets ``stale=True`` and the current screen.
    """
    with uow:
        ctx = open_ctx(uow, deps, who)
        conv = ctx.conversation() if ctx else None
        if ctx is None or conv is None:
            return Reply(None, stale=True, closed=True, language=who.language)
        answer = _dispatch(ctx, conv, pressed) if pressed.token == conv.token else None
        if answer is None:
            return _shown(ctx, conv, stale=True, notice=Message(EXPIRED))
        uow.commit()
        return answer


def _dispatch(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    if is_question(conv):
        return questionnaire.press_question(ctx, conv, pressed)
    if conv.flow in (FLOW_ONBOARDING, FLOW_KPIS):
        return review.press_review(ctx, conv, pressed)
    if conv.flow == FLOW_MENU:
        return menus.press_menu(ctx, conv, pressed)
    if conv.flow == FLOW_DELETE:
        return delete.press_delete(ctx, conv, pressed)
    if conv.flow == FLOW_SWITCH:
        return join.press_switch(ctx, conv, pressed)
    return None
