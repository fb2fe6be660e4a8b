"""Questionnaire buttons fit on a phone screen in every language."""

from __future__ import annotations

import pytest

from bot.i18n import SUPPORTED_LANGUAGES, translator
from kpi_core.advice.profile import Role
from kpi_core.advice.questionnaire import COUNTRY_CURRENCY, FULL, MEMBER, QUESTIONS, State
from kpi_core.messages import Message

MAX_LABEL = 30
"""Longer button labels are cut with "…" on a phone (two buttons a row even sooner)."""


def _states() -> list[State]:
    """States that reach every option getter's branches: each mode, role and country."""
    countries: list[str | None] = [*COUNTRY_CURRENCY, None]
    return [
        State(step=QUESTIONS[0].id, answers={"role": role.value, "country": country}, mode=mode)
        for mode in (FULL, MEMBER)
        for role in Role
        for country in countries
    ]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_option_label_fits_on_a_button(language: str) -> None:
    t = translator(language)
    labels: dict[str, set[str]] = {}
    for state in _states():
        for q in QUESTIONS:
            for option in q.options_for(state):
                text = t.render(option.label) if isinstance(option.label, Message) else option.label
                labels.setdefault(q.id, set()).add(text)
    assert {"role", "data", "goals", "country", "timezone"} <= labels.keys()
    too_long = sorted(
        (len(text), qid, text)
        for qid, texts in labels.items()
        for text in texts
        if len(text) > MAX_LABEL
    )
    assert not too_long, too_long
