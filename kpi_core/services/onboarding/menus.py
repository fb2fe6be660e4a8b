"""``/plan`` and ``/settings``: the menus (the ``menu`` flow) and the edits they open.

Each button of a menu asks one or two questions of the questionnaire again (the ``edit``
flow, step = question id); the answer is saved and the menu comes back with "Saved.".
Whether the person may change the plan is checked on every press, whatever the menu on
screen offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpi_core.advice.profile import Role
from kpi_core.advice.questionnaire import CUSTOM, SOLO, TEAM, Outcome, State, period_for, screen
from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState
from kpi_core.planning.calendar import DEFAULT_WORKING_WEEKDAYS
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding.context import (
    FLOW_EDIT,
    FLOW_MENU,
    ONBOARD_FIRST,
    Ctx,
    asked_in,
    open_ctx,
    qstate,
    reply,
    save_question,
    settings_answers,
)
from kpi_core.services.onboarding.plan import compute_plan, plan_kpi_id, time_of
from kpi_core.services.onboarding.records import others_team, owned_team, saved_plan, store_plan
from kpi_core.services.onboarding.views import (
    Action,
    ButtonPress,
    NoticeView,
    PlanView,
    QuestionView,
    Reply,
    SettingsView,
    View,
)

STEP_PLAN = "plan"
STEP_SETTINGS = "settings"

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
"""What each menu button of /plan and /settings edits: the questions asked again."""
PLAN_EDITS = frozenset({"amount", "period", "people"})
LEADER_ROLES = frozenset({Role.OWNER.value, Role.HEAD_OF_SALES.value, Role.HEAD_OF_MARKETING.value})
"""Roles that answer how many people share the plan."""

CLOSED_UNCHANGED = N_("Closed. Nothing was changed.")
_CLOSED_SAVED = N_("Closed. Your changes are saved.")
_SAVED = N_("Saved.")
_PLAN_SAVED = N_("Plan saved, daily quotas recalculated.")
_NO_PLAN = N_("There is no plan yet. Finish the setup with /start first.")
_TEAM_PLAN_ONLY = N_("The plan belongs to your team: only its owner can change it.")
_NO_TEAM_SIZE = N_("The team size is for owners and heads of a team.")


def _open_menu(uow: UnitOfWork, deps: Deps, who: Who, step: str) -> Reply:
    with uow:
        ctx = open_ctx(uow, deps, who)
        if ctx is None or not ctx.user.onboarded:
            return Reply(NoticeView(Message(ONBOARD_FIRST)), closed=True, language=who.language)
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user_id, FLOW_MENU, step, {}), new_token=True
        )
        uow.commit()
        return reply(ctx, screen_of(ctx, conv), conv)


def open_plan(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/plan``: the plan with its quotas, and buttons to change the amount or the period."""
    return _open_menu(uow, deps, who, STEP_PLAN)


def open_settings(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/settings``: language, time zone, country, working days, digest (and its chart) and
    reminder."""
    return _open_menu(uow, deps, who, STEP_SETTINGS)


def screen_of(ctx: Ctx, conv: ConversationState) -> View:
    """The menu on screen."""
    if conv.step == STEP_SETTINGS:
        user = ctx.user
        return SettingsView(
            language=user.language,
            timezone=user.timezone,
            country=user.country,
            weekdays=user.working_weekdays,
            digest=user.digest_time,
            reminder=user.reminder_time,
            digest_chart=user.digest_chart,
        )
    can_edit = others_team(ctx) is None
    leader = ctx.profile_record().get("role") in LEADER_ROLES
    return PlanView(saved_plan(ctx), can_edit=can_edit, can_resize=can_edit and leader)


def press_menu(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """A button of /plan or /settings: close, or open the edit it names."""
    if pressed.action == Action.CLOSE:
        ctx.clear()
        closed = _CLOSED_SAVED if conv.data.get("changed") else CLOSED_UNCHANGED
        return reply(ctx, NoticeView(Message(closed)), None, closed=True)
    if pressed.action == Action.CHART and conv.step == STEP_SETTINGS:
        ctx.user.digest_chart = not ctx.user.digest_chart
        ctx.uow.users.save(ctx.user)
        return back_to_menu(ctx, conv, notice=Message(_SAVED), changed=True)
    questions = EDITS.get(pressed.action)
    if questions is None:
        return None
    answers = ctx.profile_record()
    if pressed.action in PLAN_EDITS:  # checked here, whatever the buttons on screen offered
        problem = None
        if others_team(ctx) is not None:
            problem = _TEAM_PLAN_ONLY
        elif not answers:
            problem = _NO_PLAN
        elif pressed.action == "people" and answers.get("role") not in LEADER_ROLES:
            problem = _NO_TEAM_SIZE
        if problem is not None:
            return reply(ctx, screen_of(ctx, conv), conv, error=Message(problem), moved=False)
    answers.update(settings_answers(ctx.user))
    first = next((q for q in questions if asked_in(q, answers)), questions[0])
    qs = State(step=first, answers=answers, today=ctx.today.isoformat(), language=ctx.language)
    extra = {"edit": pressed.action, "menu": conv.step, "changed": bool(conv.data.get("changed"))}
    new = save_question(ctx, conv, qs, flow=FLOW_EDIT, new_token=True, extra=extra)
    shown = screen(qs)
    assert shown is not None
    return reply(ctx, QuestionView(shown, editing=True), new)


def after_edit_answer(
    ctx: Ctx, conv: ConversationState, outcome: Outcome, left_location: bool
) -> Reply:
    """An answer in an edit: the next question of the edit, or save it and show the menu."""
    edit = str(conv.data.get("edit", ""))
    qs = outcome.state
    if qs.step in EDITS.get(edit, ()):  # the edit asks one more question (period → dates)
        new = save_question(ctx, conv, qs, flow=FLOW_EDIT, new_token=True)
        assert outcome.screen is not None
        return reply(ctx, QuestionView(outcome.screen, editing=True), new,
                     offered_location_done=left_location)
    answered = qs.history[-1]
    try:
        notice = _apply_edit(ctx, edit, answered, qs.answers.get(answered), qs)
    except DomainError as exc:  # checked before anything is written
        shown = screen(qstate(conv).refreshed(ctx.today, ctx.language))
        view = QuestionView(shown, editing=True) if shown else None
        return reply(ctx, view, conv, error=exc.message, moved=False)
    return back_to_menu(ctx, conv, notice=notice, left_location=left_location, changed=True)


def _apply_edit(ctx: Ctx, edit: str, answered: str, value: Any, qs: State) -> Message:
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
        compute_plan(answers, ctx.today, ctx.deps.calendars, user.country, user.working_weekdays)
        kpis = ctx.my_kpis() if owned_team(ctx) else []
        ctx.save_profile_record(answers)
        store_plan(ctx, answers, kpis or [plan_kpi_id(answers)])
        return Message(_PLAN_SAVED)
    if answered == "timezone":
        user.timezone = str(value)
    elif answered == "country":
        user.country = str(value)
    elif answered == "weekdays":
        user.working_weekdays = frozenset(int(d) for d in value) or DEFAULT_WORKING_WEEKDAYS
    elif answered == "digest":
        user.digest_time = time_of(value)
    elif answered == "reminder":
        user.reminder_time = time_of(value)
    ctx.uow.users.save(user)
    return Message(_SAVED)


def back_to_menu(
    ctx: Ctx, conv: ConversationState, *, notice: Message | None = None,
    left_location: bool = False, changed: bool = False,
) -> Reply:
    """Close the edit and show its menu again."""
    menu = str(conv.data.get("menu", STEP_SETTINGS))
    data = {"changed": True} if changed or conv.data.get("changed") else {}
    new = ctx.save_state(
        ConversationState(ctx.who.chat_id, ctx.user_id, FLOW_MENU, menu, data,
                          message_id=conv.message_id),
        new_token=True,
    )
    return reply(ctx, screen_of(ctx, new), new, notice=notice,
                 offered_location_done=left_location)
