"""The quick form: names in both languages, word forms, typos, unknown names, dates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from kpi_core.parsing.numbers import MAX_VALUE, NumberError, parse_number
from kpi_core.parsing.quickform import (
    DayRef,
    ProblemKind,
    loggables_for,
    match_name,
    parse_day,
    parse_positional,
    parse_positional_form,
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


# -- nothing is half understood ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("выручка 1e309", "1e309"),  # used to store 1 ₽ and complain about "e"
        ("выручка 1е5", "1е5"),  # a Cyrillic "е" from a Russian keyboard
        ("выручка " + "9" * 38, "9" * 38),  # beyond MAX_VALUE
        ("выручка 1000000000000001", "1000000000000001"),
        ("выручка 1.000", "1.000"),  # ambiguous in Russian
        ("выручка 45 45", "45 45"),
        ("выручка 35-40", "35-40"),
        ("выручка 1/2", "1/2"),
        ("выручка -5", "-5"),
        ("выручка 1k5", "1k5"),
    ],
)
def test_an_unreadable_number_is_one_problem_naming_the_kpi_and_the_text(
    text: str, typed: str
) -> None:
    form = parse_quick_form("звонки 30, " + text, "ru", MINE)
    assert form.has_problems
    assert [(v.metric_id, v.value) for v in form.values] == [("cold_calls", Decimal(30))]
    (problem,) = form.problems
    assert (problem.kind, problem.metric_id, problem.typed, problem.name) == (
        ProblemKind.BAD_NUMBER, "revenue", typed, "выручка"
    )
    assert [m for m, _ in form.bad_numbers] == ["revenue"]
    assert form.bad_numbers[0][1] == problem.message
    assert not form.unknown
    assert not form.leftovers


def test_the_exponent_and_the_bound_say_what_is_wrong() -> None:
    ru = translator("ru")
    (exp,) = parse_quick_form("выручка 1e309", "ru", MINE).problems
    assert isinstance(exp.message.msgid, str)
    assert "1e5" in ru.render(exp.message)
    (big,) = parse_quick_form("revenue " + "9" * 38, "en", MINE).problems
    assert translator("en").render(big.message).startswith("That number is too large")
    assert big.message.params == {"limit": MAX_VALUE}


def test_the_largest_value_is_accepted() -> None:
    assert _values("выручка 1 000 000 000 000 000") == {"revenue": Decimal(MAX_VALUE)}


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("звонки 12, сделки 3, конверсия в кл 20%, ерунда 5, 17",
         [ProblemKind.NOT_TRACKED, ProblemKind.NOT_LOGGABLE, ProblemKind.UNKNOWN_NAME,
          ProblemKind.STRAY]),
        ("звонки 30 шт", [ProblemKind.STRAY]),
        ("звонки, встречи 4", [ProblemKind.MISSING_NUMBER]),
        ("звонки 12%", [ProblemKind.BAD_NUMBER]),
        ("выручка 1 e309", [ProblemKind.UNKNOWN_NAME]),  # a space: "e 309" is another part
    ],
)
def test_every_unreadable_part_is_a_problem(text: str, kinds: list[ProblemKind]) -> None:
    form = parse_quick_form(text, "ru", MINE)
    assert [p.kind for p in form.problems] == kinds
    assert form.has_problems
    for problem in form.problems:
        shown = translator("ru").render(problem.message)
        assert shown
        assert problem.typed in shown or problem.kind in (
            ProblemKind.BAD_NUMBER, ProblemKind.MISSING_NUMBER
        )


def test_a_clean_form_has_no_problems() -> None:
    form = parse_quick_form("звонки 35, встречи 4, выручка 120 000", "ru", MINE)
    assert form.problems == ()
    assert not form.has_problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35звонков", {"cold_calls": Decimal(35)}),  # no space between number and name
        ("звонки 35.", {"cold_calls": Decimal(35)}),  # the end of a sentence
        ("выручка 120к.", {"revenue": Decimal(120_000)}),
        ("выручка 120 тыс.", {"revenue": Decimal(120_000)}),
        ("выручка 1,5млн", {"revenue": Decimal(1_500_000)}),
        ("1.5 млн выручки", {"revenue": Decimal(1_500_000)}),
        ("45.50 выручки", {"revenue": Decimal("45.50")}),  # not a date: no 50th month
        ("revenue $120,000", {"revenue": Decimal(120_000)}),
        ("revenue 120,000$", {"revenue": Decimal(120_000)}),
    ],
)
def test_what_is_glued_to_a_number(text: str, expected: dict[str, Decimal]) -> None:
    form = parse_quick_form(text, "ru" if any("а" <= c <= "я" for c in text) else "en", MINE)
    assert not form.has_problems
    assert {v.metric_id: v.value for v in form.values} == expected


# -- a leading date is the day, never a value -------------------------------------------------
@pytest.mark.parametrize(
    ("text", "language", "ref"),
    [
        ("12.05 звонки 30", "ru", DayRef(day=12, month=5)),  # used to log 12.05 calls
        ("12.05.2025 звонки 30", "ru", DayRef(day=12, month=5, year=2025)),
        ("12/05 calls 30", "en", DayRef(day=12, month=5)),
        ("2025-05-12 calls 30", "en", DayRef(day=12, month=5, year=2025)),
        ("за 12.05 звонки 30", "ru", DayRef(day=12, month=5)),
        ("10.05 - звонки 30", "ru", DayRef(day=10, month=5)),
        ("12.05, 30 звонков", "ru", DayRef(day=12, month=5)),
        ("вчера звонки 30", "ru", DayRef(days_back=1)),
        ("yesterday calls 30", "en", DayRef(days_back=1)),
        ("the day before yesterday: calls 30", "en", DayRef(days_back=2)),
    ],
)
def test_a_leading_date_without_a_colon_is_the_day(text: str, language: str, ref: DayRef) -> None:
    form = parse_quick_form(text, language, MINE)
    assert form.day == ref
    assert [(v.metric_id, v.value) for v in form.values] == [("cold_calls", Decimal(30))]
    assert not form.has_problems


@pytest.mark.parametrize("text", ["12.05 звонки", "1.5 встречи"])
def test_a_leading_date_or_number_with_nothing_after_it_is_refused(text: str) -> None:
    form = parse_quick_form(text, "ru", MINE)
    assert form.day is None
    assert not form.values
    assert form.has_problems
    assert form.problems[0].kind is ProblemKind.AMBIGUOUS_DAY
    assert form.problems[0].typed == text.split()[0]
    assert "12.05: звонки 30" in translator("ru").render(form.problems[0].message)


@pytest.mark.parametrize("text", ["12.05 звонки 30", "12.05: звонки 30", "вчера звонки 30"])
def test_a_date_where_the_day_is_already_chosen_is_refused_not_read_as_a_value(text: str) -> None:
    form = parse_quick_form(text, "ru", MINE, allow_day=False)
    assert form.day is None
    assert form.has_problems
    assert form.problems[0].kind is ProblemKind.DAY_NOT_ALLOWED
    assert form.problems[0].typed == text.split()[0].rstrip(":")
    assert all(v.value == 30 for v in form.values)  # never 12.05


@given(
    day=st.integers(min_value=1, max_value=31),
    month=st.integers(min_value=1, max_value=12),
    value=st.integers(min_value=0, max_value=10**6),
    separator=st.sampled_from([".", "/"]),
)
def test_no_leading_date_is_ever_a_value(day: int, month: int, value: int, separator: str) -> None:
    typed = f"{day:02d}{separator}{month:02d}"
    form = parse_quick_form(f"{typed} звонки {value}", "ru", MINE)
    assert form.day == DayRef(day=day, month=month)
    assert [(v.metric_id, v.value) for v in form.values] == [("cold_calls", Decimal(value))]


# -- positional replies -----------------------------------------------------------------------
def test_positional_numbers_beyond_the_bound_are_refused() -> None:
    assert parse_positional("35, 4, " + "9" * 20, "ru", 3) is None


def test_a_positional_form_names_the_kpi_of_a_bad_number() -> None:
    form = parse_positional_form("35, 4, 1e309", "ru", MINE[:3])
    assert form is not None
    assert form.has_problems
    (problem,) = form.problems
    assert (problem.kind, problem.metric_id, problem.typed) == (
        ProblemKind.BAD_NUMBER, "revenue", "1e309"
    )
    big = parse_positional_form("35 4 " + "9" * 20, "ru", MINE[:3])
    assert big is not None
    assert [p.metric_id for p in big.problems] == ["revenue"]
    assert big.problems[0].message.params == {"limit": MAX_VALUE}


def test_a_positional_form_reads_like_parse_positional() -> None:
    form = parse_positional_form("35, 4, 120 000", "ru", MINE[:3])
    assert form is not None
    assert not form.has_problems
    assert [(v.metric_id, v.value) for v in form.values] == [
        ("cold_calls", Decimal(35)), ("meetings", Decimal(4)), ("revenue", Decimal(120_000))
    ]
    assert parse_positional_form("звонки 35", "ru", MINE[:3]) is None
    assert parse_positional_form("1, 2, 3, 4", "ru", MINE[:3]) is None
    assert parse_positional_form("", "ru", MINE[:3]) is None


@settings(max_examples=300, deadline=None)
@given(
    metric=st.sampled_from(sorted(_NAMES)),
    whole=st.integers(min_value=0, max_value=10**20),
    glued=st.text(alphabet="0123456789eеkк.,%-+x ", max_size=6),
    language=st.sampled_from(["ru", "en"]),
)
def test_a_value_is_saved_only_as_the_whole_number_typed(
    metric: str, whole: int, glued: str, language: str
) -> None:
    """Whatever follows the digits, the form either reads the whole text as one number (the
    number parser's reading) or reports a problem: never 1 from "1e309" and a stray "e"."""
    typed = f"{whole}{glued}".strip()
    name = _NAMES[metric][0 if language == "ru" else 1]
    form = parse_quick_form(f"{name} {typed}", language, MINE)
    if form.has_problems:
        assert form.problems
        return
    try:
        expected = parse_number(typed, language).value
    except NumberError:
        # Only the end of a sentence ("35.") and punctuation between parts ("35 /") are not
        # part of the number.
        bare = re.sub(r"(?:\s+[^\w\s%]+)+$", "", typed).rstrip(".,")
        expected = parse_number(bare, language).value
    assert {v.metric_id: v.value for v in form.values} == {metric: expected}
    assert abs(expected) <= MAX_VALUE
