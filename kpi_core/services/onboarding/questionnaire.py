"""Answering the questionnaire: a typed answer, a button or a shared location applied to the
question on screen, in any of the flows that ask questions (onboarding, joining a team, an
edit from ``/plan`` or ``/settings``).

The questions themselves and the pure ``advance(state, answer)`` live in
:mod:`kpi_core.advice.questionnaire`; this module keeps the state in the conversation and
hands the finished questionnaire to its flow (the review, the team, the edited setting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kpi_core.advice.questionnaire import (
    Answer,
    Back,
    Choose,
    Done,
    Outcome,
    Screen,
    Skip,
    Toggle,
    advance,
    screen,
)
from kpi_core.model import ConversationState
from kpi_core.services.onboarding import join, menus, review
from kpi_core.services.onboarding.context import (
    FLOW_EDIT,
    FLOW_JOIN,
    Ctx,
    qstate,
    reply,
    save_question,
)
from kpi_core.services.onboarding.views import Action, ButtonPress, QuestionView, Reply


def question_view(ctx: Ctx, conv: ConversationState) -> QuestionView | None:
    """The question on screen in ``conv`` (``None``: the questionnaire is finished)."""
    shown = screen(qstate(conv).refreshed(ctx.today, ctx.language))
    return QuestionView(shown, editing=conv.flow == FLOW_EDIT) if shown is not None else None


def answer(ctx: Ctx, conv: ConversationState, given: Answer) -> Reply:
    """Apply an answer to the questionnaire of ``conv`` (onboarding, joining or an edit)."""
    qs = qstate(conv).refreshed(ctx.today, ctx.language)
    before = screen(qs)
    if conv.flow == FLOW_EDIT and isinstance(given, Back) and not qs.history:
        return menus.back_to_menu(ctx, conv)
    outcome = advance(qs, given, ctx.deps.validators)
    left_location = bool(before and before.wants_location and outcome.moved)
    if outcome.error is not None:
        view = QuestionView(before, conv.flow == FLOW_EDIT) if before else None
        return reply(ctx, view, conv, error=outcome.error, moved=False)
    answered = _after_answer(ctx, conv, outcome, left_location)
    chosen = _zone_chosen(before, given, outcome)
    return replace(answered, zone=chosen) if chosen and answered.error is None else answered


def _after_answer(
    ctx: Ctx, conv: ConversationState, outcome: Outcome, left_location: bool
) -> Reply:
    if conv.flow == FLOW_EDIT:
        return menus.after_edit_answer(ctx, conv, outcome, left_location)
    if outcome.finished and conv.flow == FLOW_JOIN:
        return join.accept_join(ctx, conv, outcome.state, left_location)
    if outcome.finished:
        return review.to_review(ctx, conv, outcome.state, left_location)
    new = save_question(ctx, conv, outcome.state, flow=conv.flow, new_token=outcome.moved)
    assert outcome.screen is not None
    return reply(ctx, QuestionView(outcome.screen), new, moved=outcome.moved,
                 offered_location_done=left_location)


def _zone_chosen(before: Screen | None, given: Answer, outcome: Outcome) -> str | None:
    """The zone an answer to the time zone question set (not Back)."""
    if before is None or not before.wants_location or not outcome.moved or isinstance(given, Back):
        return None
    zone_answer = outcome.state.answers.get(before.question.id)
    return str(zone_answer) if zone_answer else None


_SIMPLE: Mapping[str, Answer] = {Action.DONE: Done(), Action.BACK: Back(), Action.SKIP: Skip()}


def button_answer(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Answer | None:
    """The answer a question button stands for; options travel as their index on screen."""
    if pressed.action in (Action.CHOOSE, Action.TOGGLE):
        shown = screen(qstate(conv).refreshed(ctx.today, ctx.language))
        arg = pressed.arg()
        if shown is None or not arg.isdigit() or int(arg) >= len(shown.options):
            return None
        value = shown.options[int(arg)].value
        return Choose(value) if pressed.action == Action.CHOOSE else Toggle(value)
    return _SIMPLE.get(pressed.action)


def press_question(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """A button of a question (``None``: it does not fit the question on screen)."""
    given = button_answer(ctx, conv, pressed)
    return answer(ctx, conv, given) if given is not None else None


def prefill(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Earlier answers to pre-select the buttons on /restart; the period is asked afresh."""
    return {k: v for k, v in answers.items() if k not in ("period", "period_dates")}
