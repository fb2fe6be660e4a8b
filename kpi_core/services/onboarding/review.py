"""The KPI set on review: the advised set at the end of onboarding, or the saved one in
``/kpis``; swap one for an alternative, remove one, add one from the catalog, then save.

Steps of the ``onboarding`` and ``kpis`` flows after the questions: ``review`` (the set with
the plan and quotas), ``swap`` (alternatives to one KPI), ``add`` (the catalog, by pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kpi_core.advice.catalog import Kpi, all_kpis, get_kpi
from kpi_core.advice.questionnaire import CUSTOM, Back, State, advance, answers_on_path, period_for
from kpi_core.advice.recommend import MAX_KPIS, Recommendation, alternatives, recommend
from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding import targets as kpi_targets
from kpi_core.services.onboarding.context import (
    FLOW_KPIS,
    FLOW_ONBOARDING,
    ONBOARD_FIRST,
    STEP_ADD,
    STEP_REVIEW,
    STEP_SWAP,
    STEP_TARGET,
    STEP_TARGETS,
    Ctx,
    open_ctx,
    profile_of,
    qstate,
    reply,
    save_question,
)
from kpi_core.services.onboarding.plan import (
    ComputedPlan,
    build_profile,
    cards,
    compute_plan,
    initial_set,
    time_of,
    weekdays_of,
)
from kpi_core.services.onboarding.records import (
    invite_for,
    others_team,
    person_plan,
    store_plan,
)
from kpi_core.services.onboarding.views import (
    Action,
    ButtonPress,
    CatalogView,
    FinishedView,
    NoticeView,
    QuestionView,
    Reply,
    ReviewView,
    SwapView,
    View,
)

PAGE_SIZE = 6
"""KPIs per page of the catalog."""
MAX_ALTERNATIVES = 6
"""Alternatives offered for a swap."""

_KPIS_SAVED = N_("Your KPI set is saved.")
_KEEP_ONE = N_("Keep at least one KPI — otherwise there is nothing to track.")
_SET_FULL = N_("Five KPIs is the most worth tracking. Remove one before adding another.")
_NO_ALTERNATIVES = N_(
    "There is nothing to swap it for with the data you have. You can add one from the catalog "
    "instead."
)
_PLAN_KPI_STAYS = N_("Your plan is set on “{kpi}”, so it stays in the set; /plan changes the plan.")


def answers_of(ctx: Ctx, conv: ConversationState) -> dict[str, Any]:
    """The answers the review is about: those being given, or the saved ones."""
    if conv.flow == FLOW_ONBOARDING:
        return answers_on_path(qstate(conv))
    return ctx.profile_record()


def kpis_of(conv: ConversationState) -> list[str]:
    """The KPI set on review."""
    return [str(k) for k in conv.data.get("kpis", [])]


def plan_checked(
    ctx: Ctx, conv: ConversationState, answers: Mapping[str, Any]
) -> tuple[ComputedPlan | None, Message | None]:
    """The plan of a review and, when it cannot be computed, the reason for the person."""
    if conv.flow != FLOW_ONBOARDING:
        return person_plan(ctx, answers), None
    country = str(answers.get("country") or ctx.user.country)
    try:
        plan = compute_plan(answers, ctx.today, ctx.deps.calendars, country, weekdays_of(answers))
    except KeyError:  # a country without a calendar: validated on input, so only old data
        return None, None
    except DomainError as exc:  # no working days in the period, a plan finer than a kopeck
        return None, exc.message
    return plan, None


def screen_of(ctx: Ctx, conv: ConversationState) -> View:
    """The screen of a review step."""
    if conv.step == STEP_SWAP:
        return _swap_view(ctx, conv)
    if conv.step == STEP_ADD:
        return _catalog_view(conv)
    if conv.step in (STEP_TARGETS, STEP_TARGET):
        return kpi_targets.targets_view(ctx, conv)
    return review_view(ctx, conv)


def review_view(ctx: Ctx, conv: ConversationState) -> ReviewView:
    """The set with the plan, quotas, warnings and notes."""
    answers = answers_of(ctx, conv)
    profile = profile_of(answers)
    plan, problem = plan_checked(ctx, conv, answers)
    kpi_ids = kpis_of(conv)
    notes: list[Message] = []
    if profile is not None and conv.flow == FLOW_ONBOARDING:
        advice = recommend(profile)
        if kpi_ids == list(advice.kpi_ids):
            # "We keep it to 3 KPIs", "none of these is a daily lever": they describe the
            # advice, and say something false once the set is different.
            notes.extend(advice.notes)
        notes.extend(s.message for s in advice.start_collecting)
    quotas = kpi_targets.quotas_for(ctx, conv, plan, kpi_ids)
    return ReviewView(
        cards=cards(kpi_ids, profile, quotas),
        plan=plan.summary if plan else None,
        warnings=plan.warnings if plan else ((problem,) if problem else ()),
        notes=tuple(notes),
        onboarding=conv.flow == FLOW_ONBOARDING,
        can_back=conv.flow == FLOW_ONBOARDING,
        can_add=len(kpi_ids) < MAX_KPIS,
        can_remove=len(kpi_ids) > 1,
        plan_kpi=_locked_kpi(ctx, conv, plan, kpi_ids),
        can_targets=conv.flow == FLOW_KPIS,
    )


def _locked_kpi(
    ctx: Ctx, conv: ConversationState, plan: ComputedPlan | None, kpi_ids: Sequence[str]
) -> str | None:
    """The KPI of the person's own plan, when it is in the set (a team's plan is its owner's)."""
    if plan is None or (conv.flow != FLOW_ONBOARDING and others_team(ctx) is not None):
        return None
    kpi_id = plan.summary.kpi.id
    return kpi_id if kpi_id in kpi_ids else None


def _swap_options(ctx: Ctx, conv: ConversationState) -> tuple[Recommendation, ...]:
    profile = profile_of(answers_of(ctx, conv))
    target = str(conv.data.get("swap", ""))
    if profile is None or not target:
        return ()
    return alternatives(profile, target, kpis_of(conv))[:MAX_ALTERNATIVES]


def _swap_view(ctx: Ctx, conv: ConversationState) -> SwapView:
    answers = answers_of(ctx, conv)
    plan = plan_checked(ctx, conv, answers)[0]
    card = cards([str(conv.data.get("swap"))], profile_of(answers), plan.quotas if plan else None)
    return SwapView(card[0], _swap_options(ctx, conv))


def _addable(conv: ConversationState) -> list[Kpi]:
    chosen = set(conv.data.get("kpis", []))
    return [k for k in all_kpis() if k.id not in chosen]


def _catalog_view(conv: ConversationState) -> CatalogView:
    kpis = _addable(conv)
    pages = max(1, -(-len(kpis) // PAGE_SIZE))
    page = min(max(int(conv.data.get("page", 0)), 0), pages - 1)
    return CatalogView(tuple(kpis[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]), page, pages)


def to_review(ctx: Ctx, conv: ConversationState, qs: State, left_location: bool) -> Reply:
    """The last answer of the onboarding questionnaire: show the advised set."""
    answers = answers_on_path(qs)
    profile = build_profile(answers)
    # Back from the result screen and forward again keeps the person's edits to the set,
    # unless they changed an answer the advice depends on.
    same = conv.data.get("profile") == profile.to_dict() and conv.data.get("kpis")
    kpis = conv.data["kpis"] if same else initial_set(profile, answers)
    new = ConversationState(
        chat_id=ctx.who.chat_id, user_id=ctx.user_id, flow=FLOW_ONBOARDING, step=STEP_REVIEW,
        data={"q": qs.to_json(), "kpis": list(kpis), "profile": profile.to_dict()},
        message_id=conv.message_id,
    )
    new = ctx.save_state(new, new_token=True)
    return reply(ctx, review_view(ctx, new), new, offered_location_done=left_location)


def save_step(ctx: Ctx, conv: ConversationState, step: str, **changes: Any) -> ConversationState:
    """Move the review to ``step`` with ``changes`` to its data (a new menu token)."""
    data = dict(conv.data)
    data.update(changes)
    return ctx.save_state(replace(conv, step=step, data=data), new_token=True)


def _shown(ctx: Ctx, conv: ConversationState, **kw: Any) -> Reply:
    return reply(ctx, screen_of(ctx, conv), conv, **kw)


def press_review(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """A button of the review, swap or catalog screen (``None``: it does not fit)."""
    if conv.step in (STEP_TARGETS, STEP_TARGET):
        if pressed.action == Action.ACCEPT and conv.flow == FLOW_KPIS:
            return _save_kpis(ctx, conv)
        if pressed.action == Action.BACK_TO:
            back = STEP_TARGETS if conv.step == STEP_TARGET else STEP_REVIEW
            return _shown(ctx, save_step(ctx, conv, back, editing=None))
        return kpi_targets.press_targets(ctx, conv, pressed)
    if conv.step == STEP_REVIEW:
        return _press_on_review(ctx, conv, pressed)
    kpis = kpis_of(conv)
    action, arg = pressed.action, pressed.arg()
    if action == Action.BACK_TO:
        return _shown(ctx, save_step(ctx, conv, STEP_REVIEW))
    if conv.step == STEP_SWAP and action == Action.PICK:
        old = str(conv.data.get("swap", ""))
        if arg not in {o.kpi_id for o in _swap_options(ctx, conv)} or old not in kpis:
            return None
        new = save_step(ctx, conv, STEP_REVIEW, kpis=[arg if k == old else k for k in kpis])
        return _shown(ctx, new)
    if conv.step == STEP_ADD and action == Action.PAGE and arg.isdigit():
        return _shown(ctx, save_step(ctx, conv, STEP_ADD, page=int(arg)))
    if conv.step == STEP_ADD and action == Action.PICK:
        if arg not in {k.id for k in _addable(conv)} or len(kpis) >= MAX_KPIS:
            return None
        return _shown(ctx, save_step(ctx, conv, STEP_REVIEW, kpis=[*kpis, arg]))
    return None


def _press_on_review(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    kpis = kpis_of(conv)
    action, arg = pressed.action, pressed.arg()
    if action == Action.ACCEPT:
        return _accept(ctx, conv) if conv.flow == FLOW_ONBOARDING else _save_kpis(ctx, conv)
    if action == Action.BACK_TO and conv.flow == FLOW_ONBOARDING:
        outcome = advance(qstate(conv).refreshed(ctx.today, ctx.language), Back())
        new = save_question(ctx, conv, outcome.state, flow=FLOW_ONBOARDING, new_token=True)
        assert outcome.screen is not None
        return reply(ctx, QuestionView(outcome.screen), new)
    if action == Action.TARGETS and conv.flow == FLOW_KPIS:
        return _shown(ctx, save_step(ctx, conv, STEP_TARGETS))
    editing = action in (Action.SWAP, Action.REMOVE) and arg in kpis
    if editing and arg == review_view(ctx, conv).plan_kpi:
        refusal = Message(_PLAN_KPI_STAYS, {"kpi": get_kpi(arg).name_message})
        return _shown(ctx, conv, error=refusal, moved=False)
    if action == Action.SWAP and arg in kpis:
        new = save_step(ctx, conv, STEP_SWAP, swap=arg)
        notice = None if _swap_options(ctx, new) else Message(_NO_ALTERNATIVES)
        return _shown(ctx, new, notice=notice)
    if action == Action.REMOVE and arg in kpis:
        if len(kpis) <= 1:
            return _shown(ctx, conv, error=Message(_KEEP_ONE), moved=False)
        return _shown(ctx, save_step(ctx, conv, STEP_REVIEW, kpis=[k for k in kpis if k != arg]))
    if action == Action.ADD:
        if len(kpis) >= MAX_KPIS:
            return _shown(ctx, conv, error=Message(_SET_FULL), moved=False)
        return _shown(ctx, save_step(ctx, conv, STEP_ADD, page=0))
    return None


def _accept(ctx: Ctx, conv: ConversationState) -> Reply:
    """Save everything the onboarding produced and close the conversation."""
    qs = qstate(conv).refreshed(ctx.today, ctx.language)
    answers = answers_on_path(qs)
    kpis = kpis_of(conv)
    _, problem = plan_checked(ctx, conv, answers)
    if problem is not None:  # nothing is saved until the plan can be split into days
        return _shown(ctx, conv, error=problem, moved=False)
    user = ctx.user
    user.language = ctx.language
    user.country = str(answers.get("country") or user.country)
    user.working_weekdays = weekdays_of(answers)
    user.timezone = str(answers.get("timezone") or user.timezone)
    user.digest_time = time_of(answers.get("digest"))
    user.reminder_time = time_of(answers.get("reminder"))
    user.display_name = user.display_name or ctx.who.name
    user.onboarded = True
    ctx.uow.users.save(user)
    freeze_period(answers, qs)
    plan = store_plan(ctx, answers, kpis)
    ctx.save_profile_record(answers)
    ctx.clear()
    invite, planned = invite_for(ctx)
    view = FinishedView(
        cards=cards(kpis, profile_of(answers), kpi_targets.quotas_for(ctx, None, plan, kpis)),
        plan=plan.summary if plan else None,
        digest=user.digest_time,
        reminder=user.reminder_time,
        timezone=user.timezone,
        invite_code=invite,
        planned=planned,
    )
    return reply(ctx, view, None, closed=True)


def freeze_period(answers: dict[str, Any], qs: State) -> None:
    """Turn "this month" into dates: the record must mean the same thing next month."""
    period = period_for(answers.get("period"), qs)
    if period is not None:
        answers["period"] = CUSTOM
        answers["period_dates"] = [period.start.isoformat(), period.end.isoformat()]


def _save_kpis(ctx: Ctx, conv: ConversationState) -> Reply:
    kpis = kpis_of(conv)
    answers = kpi_targets.edited_answers(ctx, conv)
    if any(key in conv.data for key in ("funnel", "targets")) and others_team(ctx) is None:
        ctx.save_profile_record(answers)  # what was typed on the targets screen
    store_plan(ctx, answers, kpis)
    ctx.clear()
    return reply(ctx, _kpis_review(ctx, kpis), None, notice=Message(_KPIS_SAVED), closed=True)


def _kpis_review(ctx: Ctx, kpis: Sequence[str]) -> ReviewView:
    answers = ctx.profile_record()
    plan = person_plan(ctx, answers)
    return ReviewView(
        cards=cards(kpis, profile_of(answers), kpi_targets.quotas_for(ctx, None, plan, kpis)),
        plan=plan.summary if plan else None, warnings=(), notes=(), onboarding=False,
        can_back=False, can_add=False, can_remove=False,
    )


def open_kpis(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/kpis``: the saved KPI set, with swap/remove/add, the targets, and Save."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        if ctx is None or not ctx.user.onboarded:
            return Reply(NoticeView(Message(ONBOARD_FIRST)), closed=True, language=who.language)
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user_id, FLOW_KPIS, STEP_REVIEW,
                              {"kpis": ctx.my_kpis()}),
            new_token=True,
        )
        uow.commit()
        return reply(ctx, screen_of(ctx, conv), conv)


def takes_text(conv: ConversationState) -> bool:
    """The review is waiting for a typed target (``/kpis`` → targets → a KPI)."""
    return conv.flow == FLOW_KPIS and conv.step == STEP_TARGET


def typed_target(ctx: Ctx, conv: ConversationState, text: str) -> Reply:
    """A target typed for the KPI being edited."""
    return kpi_targets.typed_target(ctx, conv, text)
