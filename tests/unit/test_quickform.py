"""The quick form: names in both languages, word forms, typos, unknown names, dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.parsing.quickform import (
    DayRef,
    loggables_for,
    match_name,
    parse_day,
    parse_positional,
    parse_quick_form,
    resolve_day,
)

MINE = loggables_for(["cold_calls", "meetings", "revenue", "lead_to_qualified"])


def _values(text: str, language: str = "ru") -> dict[str, Decimal]:
    form = parse_quick_form(text, language, MINE)
    return {v.metric_id: v.value for v in form.values}


def test_loggables_follow_the_kpis_and_expand_ratios_into_inputs() -> None:
    assert [x.metric_id for x in MINE] == [
        "cold_calls",
        "meetings",
        "revenue",
        "qualified_leads",
        "leads",
    ]
    assert MINE[0].label == "Calls"
    assert MINE[0].label_context == "kpi"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("calls 35, meetings 4, revenue 120 000", "en"),
        ("звонки 35, встречи 4, выручка 120 000", "ru"),
        ("Звонки: 35; Встречи: 4; Выручка: 120 000", "ru"),
        ("35 звонков, 4 встречи, выручка 120к", "ru"),
        ("calls 35\nmeetings 4\nrevenue 120k", "en"),
        ("calls 35 meetings 4 revenue 120 000", "en"),
        ("звонки 35 и встречи 4 и выручка 120 тыс.", "ru"),
        ("calls=35, meetings=4, revenue=$120,000", "en"),
    ],
)
def test_the_same_day_in_many_spellings(text: str, language: str) -> None:
    assert _values(text, language) == {
        "cold_calls": Decimal(35),
        "meetings": Decimal(4),
        "revenue": Decimal(120000),
    }


@pytest.mark.parametrize(
    ("typed", "metric"),
    [
        ("звонков", "cold_calls"),  # genitive plural
        ("звонок", "cold_calls"),
        ("холодных звонков", "cold_calls"),
        ("встречу", "meetings"),  # accusative
        ("встречами", "meetings"),
        ("выручкой", "revenue"),
        ("званки", "cold_calls"),  # one typo in a six-letter word
        ("встричи", "meetings"),
        ("meetngs", "meetings"),
        ("revnue", "revenue"),
        ("Cold Calls", "cold_calls"),
        ("квалифицированых лидов", "qualified_leads"),  # a typo in a long word
        ("заявок", "leads"),
    ],
)
def test_word_forms_and_typos(typed: str, metric: str) -> None:
    found = match_name(typed, MINE)
    assert found is not None
    assert found.metric_id == metric


@pytest.mark.parametrize("typed", ["колы", "mtgs", "ерунда", "reverse", "лиса", "xyz"])
def test_short_words_get_no_typo_tolerance_and_nonsense_is_unknown(typed: str) -> None:
    assert match_name(typed, MINE) is None


def test_unknown_not_tracked_and_ratio_names_are_reported_separately() -> None:
    form = parse_quick_form("звонки 12, сделки 3, конверсия в кл 20%, ерунда 5", "ru", MINE)
    assert [(v.metric_id, v.value) for v in form.values] == [("cold_calls", Decimal(12))]
    assert form.unknown == ("ерунда",)
    assert form.not_tracked == (("сделки", "closed_deals"),)
    assert form.not_loggable == (("конверсия в кл", "lead_to_qualified"),)
    assert form.has_problems


def test_bad_number_and_stray_number() -> None:
    form = parse_quick_form("calls 35%, meetings 4, 17", "en", MINE)
    assert [v.metric_id for v in form.values] == ["meetings"]
    assert [m for m, _ in form.bad_numbers] == ["cold_calls"]
    assert form.leftovers == ("17",)


def test_plain_text_is_not_a_form() -> None:
    form = parse_quick_form("привет, как дела", "ru", MINE)
    assert not form.values
    assert not form.looks_like_a_form


def test_russian_and_english_decimal_marks() -> None:
    assert _values("выручка 45 455,50", "ru") == {"revenue": Decimal("45455.50")}
    assert _values("revenue 45,455.50", "en") == {"revenue": Decimal("45455.50")}
    assert _values("выручка 1,5 млн", "ru") == {"revenue": Decimal(1500000)}


def test_the_last_value_for_a_name_wins() -> None:
    assert _values("звонки 3, звонки 5") == {"cold_calls": Decimal(5)}


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("вчера: звонки 30", DayRef(days_back=1)),
        ("Вчера звонки 30", DayRef(days_back=1)),
        ("yesterday: calls 30", DayRef(days_back=1)),
        ("позавчера: звонки 30", DayRef(days_back=2)),
        ("12.05: звонки 30", DayRef(day=12, month=5)),
        ("2025-05-12: calls 30", DayRef(day=12, month=5, year=2025)),
    ],
)
def test_a_leading_day(text: str, ref: DayRef) -> None:
    form = parse_quick_form(text, "ru", MINE)
    assert form.day == ref
    assert [(v.metric_id, v.value) for v in form.values] == [("cold_calls", Decimal(30))]


def test_resolve_day() -> None:
    today = date(2025, 1, 3)
    assert resolve_day(DayRef(days_back=1), today) == date(2025, 1, 2)
    assert resolve_day(DayRef(day=30, month=12), today) == date(2024, 12, 30)
    assert resolve_day(DayRef(day=31, month=2), today) is None
    assert parse_day("вчера") == DayRef(days_back=1)
    assert parse_day("12/05/25") == DayRef(day=12, month=5, year=2025)
    assert parse_day("звонки") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35, 4, 120 000", [35, 4, 120000]),
        ("35 4 120000", [35, 4, 120000]),
        ("35\n4\n120 000", [35, 4, 120000]),
        ("35; 4", [35, 4]),
        ("35, 4,5, 12", [35, Decimal("4.5"), 12]),
    ],
)
def test_positional_reply(text: str, expected: list[int]) -> None:
    assert parse_positional(text, "ru", 3) == [Decimal(x) for x in expected]


@pytest.mark.parametrize("text", ["35 4", "35 4 120 000", "a, b, c", "1, 2, 3, 4", "", "50%"])
def test_positional_reply_refuses_what_it_cannot_read_for_sure(text: str) -> None:
    assert parse_positional(text, "ru", 3) is None


_NAMES = {
    "cold_calls": ["звонки", "calls"],
    "meetings": ["встречи", "meetings"],
    "revenue": ["выручка", "revenue"],
}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(_NAMES)),
            st.integers(min_value=0, max_value=10**9),
            st.booleans(),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda x: x[0],
    ),
    st.sampled_from(["ru", "en"]),
)
def test_any_form_built_from_known_names_round_trips(
    items: list[tuple[str, int, bool]], language: str
) -> None:
    parts = []
    for metric, value, number_first in items:
        name = _NAMES[metric][0 if language == "ru" else 1]
        parts.append(f"{value} {name}" if number_first else f"{name} {value}")
    text = ", ".join(parts)
    assert _values(text, language) == {m: Decimal(v) for m, v, _ in items}
