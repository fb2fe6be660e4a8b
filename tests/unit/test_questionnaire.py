"""The questionnaire as data and the pure ``advance(state, answer)``; typed time zones."""

from __future__ import annotations

import json
import zoneinfo
from datetime import date, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.advice import questionnaire as q
from kpi_core.advice.questionnaire import (
    DONE,
    QUESTIONS,
    Back,
    Choose,
    Done,
    Kind,
    Located,
    Outcome,
    Skip,
    State,
    Text,
    Toggle,
    Validators,
    advance,
    answers_on_path,
    parse_time,
    period_for,
    screen,
    start,
)
from kpi_core.parsing.timezones import (
    CITIES,
    COUNTRY_ZONES,
    WORLD_ZONES,
    city_for_zone,
    find_city,
    parse_utc_offset,
    resolve_zone_text,
    zone_for_offset,
)

APRIL = date(2025, 4, 10)


def walk(*answers: q.Answer, language: str = "en", today: date = APRIL) -> Outcome:
    """Start and apply ``answers`` in order; every answer must be accepted."""
    outcome = start(today, language)
    for answer in answers:
        outcome = advance(outcome.state, answer)
        assert outcome.error is None, (answer, outcome.error)
    return outcome


def option_values(outcome: Outcome) -> list[str]:
    assert outcome.screen is not None
    return [o.value for o in outcome.screen.options]


def steps_of(outcome: Outcome) -> list[str]:
    return [*outcome.state.history, outcome.state.step]


OWNER_TEAM = (
    Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
    Toggle("crm"), Done(), Choose("team"), Text("10"), Text("40"), Choose("RU"),
    Choose("this_month"), Text("10 000 000"), Text("9 000 000"), Done(),
    Choose("Europe/Moscow"), Choose("09:00"), Text("18:30"),
)


# -- the data ---------------------------------------------------------------------------------


def test_question_ids_are_unique_short_and_callback_safe() -> None:
    ids = [question.id for question in QUESTIONS]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 16 and ":" not in i for i in ids)


def test_every_condition_refers_to_an_earlier_question() -> None:
    seen: set[str] = set()
    for question in QUESTIONS:
        for condition in question.when:
            assert condition.question in seen, (question.id, condition.question)
        seen.add(question.id)


def test_first_screen_asks_the_role_with_no_back_and_a_progress() -> None:
    outcome = start(APRIL)
    shown = outcome.screen
    assert shown is not None
    assert shown.question.id == "role"
    assert option_values(outcome) == [
        "owner", "head_of_sales", "sales_manager", "head_of_marketing", "marketer",
    ]
    assert (shown.position, shown.can_back, shown.can_skip) == (1, False, False)
    assert shown.progress.params == {"position": 1, "total": shown.total}
    assert 10 <= shown.total <= 16


# -- branching ---------------------------------------------------------------------------------


def test_owner_with_a_team_is_asked_team_size_and_calls() -> None:
    outcome = walk(*OWNER_TEAM)
    assert outcome.finished
    assert outcome.screen is None
    assert steps_of(outcome)[:-1] == [
        "role", "business", "channel", "goals", "data", "team", "team_size", "calls", "country",
        "period", "plan", "actual", "weekdays", "timezone", "digest", "reminder",
    ]
    answers = answers_on_path(outcome.state)
    assert answers["team_size"] == 10
    assert answers["calls"] == 40
    assert answers["plan"] == {"amount": "10000000", "currency": "RUB"}
    assert answers["actual"] == "9000000"
    assert answers["weekdays"] == ["0", "1", "2", "3", "4"]
    assert answers["reminder"] == "18:30"


def test_a_solo_owner_is_not_asked_about_the_team_size() -> None:
    outcome = walk(Choose("owner"), Choose("b2c"), Choose("online"), Toggle("more_sales"), Done(),
                   Done(), Choose("solo"))
    assert outcome.state.step == "country"  # no team size, no calls (not a phone channel)


def test_a_marketer_is_not_asked_about_calls_and_plans_leads() -> None:
    outcome = walk(
        Choose("marketer"), Choose("b2b"), Choose("phone"), Toggle("more_leads"), Done(),
        Toggle("ad_accounts"), Done(),
    )
    assert outcome.state.step == "country"
    outcome = walk(*outcome_answers(outcome), Choose("RU"), Choose("next_month"))
    assert outcome.state.step == "plan_leads"
    assert "team" not in outcome.state.history
    assert "calls" not in outcome.state.history


def outcome_answers(outcome: Outcome) -> tuple[q.Answer, ...]:
    """Re-play helper: the answers that led to ``outcome`` (only single choices and Done here)."""
    answers: list[q.Answer] = []
    for qid in outcome.state.history:
        value = outcome.state.answers[qid]
        if isinstance(value, list):
            answers.extend(Toggle(v) for v in value)
            answers.append(Done())
        else:
            answers.append(Choose(str(value)))
    return tuple(answers)


def test_a_sales_manager_gets_calls_but_no_team_questions() -> None:
    outcome = walk(Choose("sales_manager"), Choose("b2b"), Choose("phone"), Toggle("more_sales"),
                   Done(), Done())
    assert outcome.state.step == "calls"


def test_team_discipline_is_offered_only_to_leaders() -> None:
    leader = walk(Choose("head_of_sales"), Choose("b2b"), Choose("phone"))
    manager = walk(Choose("sales_manager"), Choose("b2b"), Choose("phone"))
    assert "team_discipline" in option_values(leader)
    assert "team_discipline" not in option_values(manager)


def _progress(*answers: q.Answer) -> list[tuple[str, int, int]]:
    outcome = start(APRIL)
    seen: list[tuple[str, int, int]] = []
    for answer in answers:
        assert outcome.screen is not None
        if not seen or seen[-1][0] != outcome.screen.question.id:
            seen.append((outcome.screen.question.id, outcome.screen.position, outcome.screen.total))
        outcome = advance(outcome.state, answer)
    assert outcome.finished
    return seen


SOLO_ONLINE_DATES = (
    Choose("owner"), Choose("b2c"), Choose("online"), Toggle("more_sales"), Done(), Done(),
    Choose("solo"), Choose("RU"), Choose("custom"), Text("01.04.2025 - 30.04.2025"),
    Text("1 000 000"), Skip(), Done(), Choose("Europe/Moscow"), Choose("09:00"), Text("18:30"),
)
MARKETER = (
    Choose("marketer"), Choose("b2b"), Choose("online"), Toggle("more_leads"), Done(), Done(),
    Choose("RU"), Choose("this_month"), Text("300"), Skip(), Done(), Choose("Europe/Moscow"),
    Choose("09:00"), Text("18:30"),
)


def test_progress_counts_every_step_of_the_longest_branch() -> None:
    seen = _progress(*OWNER_TEAM)
    assert [position for _, position, _ in seen] == list(range(1, 17))
    assert seen[-1][1:] == (16, 16)  # on the last step the count is exact


@pytest.mark.parametrize("answers", [OWNER_TEAM, SOLO_ONLINE_DATES, MARKETER])
def test_the_step_total_never_jumps(answers: tuple[q.Answer, ...]) -> None:
    """"Шаг 1 из 16", then "Шаг 2 из 15" was the bug: the total changed with the answers."""
    seen = _progress(*answers)
    assert {total for _, _, total in seen} == {16}
    positions = [position for _, position, _ in seen]
    # Never backwards; a substep (the dates after "Other dates") keeps its step's number.
    assert positions == sorted(positions)
    assert positions[-1] == 16  # every branch ends on "16 of 16"
    steps = {qid: position for qid, position, _ in seen}
    if "period_dates" in steps:
        assert steps["period_dates"] == steps["period"]


# -- Back, Skip, errors -------------------------------------------------------------------------


def test_back_returns_to_the_previous_question_and_keeps_the_answer_marked() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"))
    back = advance(outcome.state, Back())
    assert back.moved
    assert back.state.step == "business"
    assert back.screen is not None
    assert [o.value for o in back.screen.options if o.selected] == ["b2b"]
    again = advance(back.state, Choose("services"))
    assert again.state.answers["business"] == "services"


def test_back_on_the_first_question_is_an_error() -> None:
    outcome = advance(start(APRIL).state, Back())
    assert outcome.error is not None
    assert outcome.state.step == "role"


def test_back_from_the_end_returns_to_the_last_question() -> None:
    outcome = walk(*OWNER_TEAM)
    back = advance(outcome.state, Back())
    assert back.state.step == "reminder"


def test_answers_left_on_an_abandoned_branch_do_not_count() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Done(), Choose("team"), Text("7"))
    state = outcome.state
    for _ in range(7):
        state = advance(state, Back()).state
    assert state.step == "role"
    outcome = advance(state, Choose("sales_manager"))
    assert "team_size" in outcome.state.answers  # remembered ...
    assert "team_size" not in answers_on_path(outcome.state)  # ... but not on the path


def test_skip_only_where_allowed_and_stores_none() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Done(), Choose("solo"))
    assert outcome.state.step == "calls"
    skipped = advance(outcome.state, Skip())
    assert skipped.state.answers["calls"] is None
    refused = advance(skipped.state, Skip())
    assert refused.error is not None
    assert refused.state == skipped.state


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # The head count's own hint, not the number parser's money advice ("1.5k, ₽, $"),
        # "zero or more" for a negative, then "at least 1" for zero: each said something else.
        ("abc", "how many people share the plan: a whole number, at least 1"),
        ("десять", "how many people share the plan: a whole number, at least 1"),
        ("12%", "how many people share the plan: a whole number, at least 1"),
        ("-5", "how many people share the plan: a whole number, at least 1"),
        ("2.5", "whole number"),
        ("0", "how many people share the plan: a whole number, at least 1"),
        ("5000", "too much"),
    ],
)
def test_a_bad_number_explains_and_keeps_everything(text: str, fragment: str) -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Toggle("crm"), Done(), Choose("team"))
    bad = advance(outcome.state, Text(text))
    assert bad.error is not None
    assert fragment in bad.error.msgid
    assert bad.state == outcome.state
    assert bad.screen is not None
    assert bad.screen.question.id == "team_size"
    assert not bad.moved


def test_text_at_a_button_question_asks_for_a_button() -> None:
    outcome = advance(start(APRIL).state, Text("I am the boss"))
    assert outcome.error is not None
    assert "buttons" in outcome.error.msgid


def test_a_forged_option_is_refused() -> None:
    outcome = advance(start(APRIL).state, Choose("admin"))
    assert outcome.error is not None
    assert outcome.state.step == "role"


def test_done_needs_at_least_one_goal_but_data_sources_may_be_none() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"))
    assert advance(outcome.state, Done()).error is not None
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Done())
    assert outcome.state.answers["data"] == []


def test_toggles_mark_options_and_untoggle() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"),
                   Toggle("retention"), Toggle("more_sales"))
    assert outcome.screen is not None
    assert [o.value for o in outcome.screen.options if o.selected] == ["retention"]
    assert not outcome.moved


# -- amounts, dates, zones, times -------------------------------------------------------------


def _at_plan(language: str = "en") -> Outcome:
    return walk(
        Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(), Done(),
        Choose("solo"), Skip(), Choose("KZ"), Choose("this_month"), language=language,
    )


def test_the_currency_defaults_from_the_country_and_can_change() -> None:
    outcome = _at_plan()
    assert outcome.state.step == "plan"
    assert outcome.screen is not None
    assert [(o.value, o.selected) for o in outcome.screen.options][:2] == [
        ("KZT", True), ("RUB", False),
    ]
    outcome = advance(outcome.state, Choose("USD"))
    assert not outcome.moved
    outcome = advance(outcome.state, Text("150k"))
    assert outcome.state.answers["plan"] == {"amount": "150000", "currency": "USD"}


def test_a_currency_sign_in_the_amount_wins() -> None:
    outcome = advance(_at_plan("ru").state, Text("1,5 млн ₽"))
    assert outcome.state.answers["plan"] == {"amount": "1500000", "currency": "RUB"}


def test_custom_period_dates() -> None:
    outcome = walk(
        Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(), Done(),
        Choose("solo"), Skip(), Choose("RU"), Choose("custom"),
    )
    assert outcome.state.step == "period_dates"
    reversed_ = advance(outcome.state, Text("30.04.2025 - 01.04.2025"))
    assert reversed_.error is not None
    garbage = advance(outcome.state, Text("soon"))
    assert garbage.error is not None
    ok = advance(outcome.state, Text("1.4 – 30.4"))
    assert ok.state.answers["period_dates"] == ["2025-04-01", "2025-04-30"]
    period = period_for("custom", ok.state)
    assert period is not None
    assert (period.start, period.end) == (date(2025, 4, 1), date(2025, 4, 30))


def test_this_and_next_month() -> None:
    state = State(step=DONE, today="2025-12-15")
    this, nxt = period_for("this_month", state), period_for("next_month", state)
    assert this is not None
    assert (this.start, this.end) == (date(2025, 12, 1), date(2025, 12, 31))
    assert nxt is not None
    assert (nxt.start, nxt.end) == (date(2026, 1, 1), date(2026, 1, 31))


def _at_zone() -> Outcome:
    outcome = walk(
        Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(), Done(),
        Choose("solo"), Skip(), Choose("RU"), Choose("this_month"), Text("1000000"), Skip(), Done(),
    )
    assert outcome.state.step == "timezone"
    return outcome


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        (Text("Новосибирск"), "Asia/Novosibirsk"),
        (Text("berlin"), "Europe/Berlin"),
        (Text("UTC+3"), "Etc/GMT-3"),
        (Text("+05:30"), "Asia/Kolkata"),
        (Text("Europe/Paris"), "Europe/Paris"),
        (Located("Asia/Tokyo"), "Asia/Tokyo"),
        (Choose("Asia/Yekaterinburg"), "Asia/Yekaterinburg"),
    ],
)
def test_time_zone_answers(answer: q.Answer, zone: str) -> None:
    outcome = advance(_at_zone().state, answer)
    assert outcome.error is None
    assert outcome.state.answers["timezone"] == zone
    assert outcome.moved


def test_an_unknown_place_or_zone_is_explained() -> None:
    outcome = advance(_at_zone().state, Text("Atlantis"))
    assert outcome.error is not None
    assert outcome.error.params == {"text": "Atlantis"}
    strict = Validators(zone_name=lambda name: None)
    assert advance(_at_zone().state, Text("Europe/Nowhere"), strict).error is not None


def test_the_zone_buttons_follow_the_country() -> None:
    assert option_values(_at_zone())[:3] == ["Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9", time(9)), ("09:30", time(9, 30)), ("18.00", time(18)), ("7pm", time(19)),
     ("7:15 am", time(7, 15)), ("7 утра", time(7)), ("7 вечера", time(19)),
     ("в 9 вечера", time(21)), ("12 дня", time(12)),
     ("3 дня", time(15)), ("12 ночи", time(0)), ("at 7 p.m.", time(19)),
     ("24:00", None), ("9:75", None), ("13pm", None), ("13 вечера", None), ("soon", None)],
)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


def _at_digest() -> Outcome:
    return advance(_at_zone().state, Choose("Europe/Moscow"))


@pytest.mark.parametrize(
    ("text", "fragment"), [("25:00", "no such time"), ("9:75", "no such time"), ("+3", "HH:MM")]
)
def test_an_impossible_time_is_named(text: str, fragment: str) -> None:
    outcome = advance(_at_digest().state, Text(text))
    assert outcome.error is not None
    assert fragment in outcome.error.msgid
    assert outcome.state.step == "digest"


def test_a_bare_hour_for_the_evening_reminder_is_in_the_evening() -> None:
    at_digest = _at_digest()
    assert advance(at_digest.state, Text("8")).state.answers["digest"] == "08:00"  # morning stays
    at_reminder = advance(at_digest.state, Text("8"))
    assert advance(at_reminder.state, Text("7")).state.answers["reminder"] == "19:00"
    assert advance(at_reminder.state, Text("в 9")).state.answers["reminder"] == "21:00"
    assert advance(at_reminder.state, Text("18:30")).state.answers["reminder"] == "18:30"
    # as typed
    assert advance(at_reminder.state, Text("07:00")).state.answers["reminder"] == "07:00"


@pytest.mark.parametrize(("language", "text"), [("ru", "1,000"), ("en", "1.000"), ("ru", "45,455")])
def test_thousands_typed_with_the_decimal_mark_are_asked_about_not_taken_as_1(
    language: str, text: str
) -> None:
    at_plan = _at_plan(language)
    outcome = advance(at_plan.state, Text(text))
    assert outcome.error is not None
    assert "ambiguous" in outcome.error.msgid
    assert outcome.state == at_plan.state
    team_size = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                     Done(), Choose("team"), language=language)
    refused = advance(team_size.state, Text(text))
    assert refused.error is not None
    assert "ambiguous" in refused.error.msgid


def test_unambiguous_thousands_and_decimals_still_work() -> None:
    assert advance(_at_plan("en").state, Text("1,000")).state.answers["plan"]["amount"] == "1000"
    assert advance(_at_plan("ru").state, Text("1 000")).state.answers["plan"]["amount"] == "1000"
    assert (
        advance(_at_plan("ru").state, Text("1,5 млн")).state.answers["plan"]["amount"] == "1500000"
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [("20 000 000 ₸", "20000000"), ("5 млн тенге", "5000000"), ("₸ 300000", "300000")],
)
def test_the_currency_of_kazakhstan_can_be_typed(text: str, amount: str) -> None:
    outcome = advance(_at_plan("ru").state, Text(text))
    assert outcome.error is None, outcome.error
    assert outcome.state.answers["plan"] == {"amount": amount, "currency": "KZT"}


def test_the_previous_period_in_another_currency_names_the_plan_currency() -> None:
    at_actual = advance(_at_plan("ru").state, Text("5 000 000"))
    assert at_actual.state.step == "actual"
    outcome = advance(at_actual.state, Text("$5000"))
    assert outcome.error is not None
    assert outcome.error.params == {"currency": "KZT"}
    assert advance(at_actual.state, Text("4 000 000 ₸")).state.answers["actual"] == "4000000"


def test_an_impossible_date_is_named_and_the_example_is_next_month() -> None:
    outcome = walk(
        Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(), Done(),
        Choose("solo"), Skip(), Choose("RU"), Choose("custom"),
    )
    assert outcome.screen is not None
    assert outcome.screen.hint is not None
    assert outcome.screen.hint.params == {"first": "01.05.2025", "last": "15.05.2025"}
    bad = advance(outcome.state, Text("31.02.2025 - 10.03.2025"))
    assert bad.error is not None
    assert "no such date" in bad.error.msgid
    assert bad.error.params == {"text": "31.02.2025"}
    one = advance(outcome.state, Text("10.04.2025"))
    assert one.error is not None
    assert one.error.params == {"first": "01.05.2025", "last": "15.05.2025"}


def test_a_typed_country_code_needs_a_calendar() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Done(), Choose("solo"), Skip())
    assert advance(outcome.state, Text("pl")).state.answers["country"] == "PL"
    assert advance(outcome.state, Text("ZZ")).error is not None
    strict = Validators(country_supported=lambda code: False)
    assert advance(outcome.state, Text("PL"), strict).error is not None


def test_a_typed_country_name_or_something_else() -> None:
    outcome = walk(Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(),
                   Done(), Choose("solo"), Skip())
    names = Validators(country_code=lambda text: {"польша": "PL"}.get(text.strip().lower()))
    assert advance(outcome.state, Text("Польша"), names).state.answers["country"] == "PL"
    not_a_country = advance(outcome.state, Text("-5"))
    assert not_a_country.error is not None
    assert "don't know a country" in not_a_country.error.msgid
    no_calendar = advance(outcome.state, Text("ZZ"))
    assert no_calendar.error is not None
    assert "no holiday calendar" in no_calendar.error.msgid


# -- state --------------------------------------------------------------------------------------


def test_state_round_trips_through_json() -> None:
    outcome = walk(*OWNER_TEAM[:10])
    text = json.dumps(outcome.state.to_json())
    again = State.from_json(json.loads(text))
    assert again == outcome.state
    assert screen(again) == outcome.screen


def test_a_state_with_an_unknown_step_restarts() -> None:
    state = State.from_json({"step": "removed_question", "history": ["role", "nope"]})
    assert state.step == "role"
    assert state.history == ("role",)


_ANSWERS = st.one_of(
    st.builds(Choose, st.sampled_from([
        "owner", "marketer", "b2b", "phone", "team", "solo", "RU", "this_month", "custom", "09:00",
        "off", "Europe/Moscow", "10", "USD", "x",
    ])),
    st.builds(Toggle, st.sampled_from(["more_sales", "crm", "0", "5", "zzz"])),
    st.just(Done()),
    st.just(Back()),
    st.just(Skip()),
    st.builds(Text, st.text(max_size=20)),
    st.builds(Located, st.sampled_from(["Europe/Berlin", "nowhere"])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ANSWERS, max_size=40))
def test_any_sequence_of_answers_never_crashes_and_stays_json(answers: list[Any]) -> None:
    outcome = start(APRIL, "ru")
    for answer in answers:
        outcome = advance(outcome.state, answer)
        json.dumps(outcome.state.to_json())
        if outcome.error is not None:
            assert not outcome.moved
        if not outcome.finished:
            assert outcome.screen is not None
            assert 1 <= outcome.screen.position <= outcome.screen.total


# -- timezones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [("+3", timedelta(hours=3)), ("UTC+03:00", timedelta(hours=3)),
     ("GMT-4:30", timedelta(hours=-4, minutes=-30)), ("+0530", timedelta(hours=5, minutes=30)),
     ("МСК+4", timedelta(hours=7)), ("utc", timedelta(0)), ("−5", timedelta(hours=-5)),
     ("+15", None), ("+3:20", None), ("Moscow", None)],
)
def test_parse_utc_offset(text: str, offset: timedelta | None) -> None:
    assert parse_utc_offset(text) == offset


def test_zone_for_offset_inverts_the_etc_sign() -> None:
    assert zone_for_offset(timedelta(hours=3)) == "Etc/GMT-3"
    assert zone_for_offset(timedelta(hours=-5)) == "Etc/GMT+5"
    assert zone_for_offset(timedelta(0)) == "Etc/UTC"
    assert zone_for_offset(timedelta(hours=9, minutes=30)) == "Australia/Darwin"
    assert zone_for_offset(timedelta(hours=2, minutes=30)) is None


def test_cities_are_found_in_both_languages() -> None:
    assert find_city("Санкт-Петербург") == find_city("st. petersburg") == find_city("Питер")
    assert find_city("ЕКАТЕРИНБУРГ") is not None
    assert find_city("Ростов на Дону") is not None
    assert find_city("Кишинев") == find_city("Кишинёв")
    assert resolve_zone_text("г. Казань") == "Europe/Moscow"


def test_every_zone_in_the_tables_exists() -> None:
    zones = (
        {c.zone for c in CITIES}
        | {z for zs in COUNTRY_ZONES.values() for z in zs}
        | set(WORLD_ZONES)
    )
    for zone in zones:
        zoneinfo.ZoneInfo(zone)
    for hours in range(-12, 15):
        name = zone_for_offset(timedelta(hours=hours))
        assert name is not None
        zoneinfo.ZoneInfo(name)


def test_zone_buttons_are_named_after_their_city() -> None:
    city = city_for_zone("Asia/Vladivostok")
    assert city is not None
    assert city.name == "Vladivostok"
    assert city_for_zone("Nowhere/Atlantis") is None


def test_kinds_cover_every_question() -> None:
    assert {question.kind for question in QUESTIONS} == set(Kind)


def test_money_finer_than_a_kopeck_is_refused() -> None:
    outcome = advance(_at_plan().state, Text("100.0051"))
    assert outcome.error is not None
    assert "decimal places" in outcome.error.msgid


# -- the member questionnaire (joining a team) -------------------------------------------------


def test_the_member_questionnaire_asks_five_questions_and_offers_two_roles() -> None:
    outcome = start(APRIL, "ru", {"country": "RU"}, mode=q.MEMBER)
    shown = outcome.screen
    assert shown is not None
    assert (shown.question.id, shown.position, shown.total) == ("role", 1, 5)
    assert [o.value for o in shown.options] == ["sales_manager", "marketer"]
    refused = advance(outcome.state, Choose("owner"))
    assert refused.error is not None
    assert refused.state == outcome.state
    state = advance(outcome.state, Choose("marketer")).state
    seen = ["role"]
    while not state.finished:
        shown = screen(state)
        assert shown is not None
        seen.append(shown.question.id)
        assert shown.total == 5
        if shown.question.id == "timezone":
            # The team's country (pre-filled, never asked) decides which zones are offered.
            assert "Europe/Moscow" in [o.value for o in shown.options]
            answer: Any = Choose("Europe/Moscow")
        elif shown.can_done:
            answer = Done()
        else:
            answer = Choose(shown.options[0].value)
        state = advance(state, answer).state
    assert seen == ["role", "weekdays", "timezone", "digest", "reminder"]
    assert set(answers_on_path(state)) == set(seen)  # the pre-filled country is not an answer
    assert state.mode == q.MEMBER


def test_the_member_mode_survives_json_and_keeps_its_own_steps() -> None:
    state = advance(start(APRIL, mode=q.MEMBER).state, Choose("sales_manager")).state
    again = State.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    stray = State.from_json({**state.to_json(), "step": "plan", "history": ["role", "plan"]})
    assert (stray.step, stray.history) == ("role", ("role",))  # not a member question
    old = {k: v for k, v in state.to_json().items() if k != "mode"}  # saved before modes
    assert State.from_json(old).mode == q.FULL
    member_ids = ("role", "weekdays", "timezone", "digest", "reminder")
    assert [x.id for x in q.MEMBER_QUESTIONS] == list(member_ids)
    assert all(x is q.question(x.id) for x in q.MEMBER_QUESTIONS)  # the same questions
