"""Numbers as people type them: Russian and English conventions, never a silent guess."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from kpi_core.parsing.numbers import (
    MAX_LENGTH,
    MAX_VALUE,
    AmbiguousNumber,
    EmptyNumber,
    ExponentNotAllowed,
    MalformedNumber,
    NegativeNotAllowed,
    NonAsciiDigits,
    NonFiniteNumber,
    NotANumber,
    NumberError,
    NumberTooLong,
    ParsedNumber,
    PercentNotAllowed,
    ValueTooLarge,
    exact_decimal,
    exact_number,
    parse_amount,
    parse_number,
    parse_rate,
)

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45455", D(45455)),
        ("45 455", D(45455)),
        (f"45{NBSP}455", D(45455)),
        (f"45{NNBSP}455", D(45455)),
        ("45 455,50", D("45455.50")),
        (f"45{NBSP}455,50", D("45455.50")),
        (f"45{NNBSP}455,50", D("45455.50")),
        ("45 455.50", D("45455.50")),
        ("45,455.50", D("45455.50")),
        ("45.455,50", D("45455.50")),
        ("45455.5", D("45455.5")),
        ("45455,5", D("45455.5")),
        ("1,000,000", D(1_000_000)),
        ("1.000.000", D(1_000_000)),
        ("10 000 000", D(10_000_000)),
        ("0,500", D("0.5")),
        ("1234,567", D("1234.567")),
        ("1,5", D("1.5")),
        ("1.25", D("1.25")),
        (".5", D("0.5")),
        (",5", D("0.5")),
        ("  007 ", D(7)),
        ("1.5k", D(1500)),
        ("1.5K", D(1500)),
        ("10к", D(10_000)),
        ("10К", D(10_000)),
        ("2 тыс", D(2000)),
        ("2 тыс.", D(2000)),
        ("2 тысячи", D(2000)),
        ("1,5 млн", D(1_500_000)),
        ("1,5 млн.", D(1_500_000)),
        ("3m", D(3_000_000)),
        ("3 mln", D(3_000_000)),
        ("10кк", D(10_000_000)),
        ("3 млрд", D(3_000_000_000)),
        ("3bn", D(3_000_000_000)),
        ("2 million", D(2_000_000)),
        ("1,2345k", D("1234.5")),
        ("+5", D(5)),
    ],
)
def test_accepted_in_both_languages(text: str, value: Decimal) -> None:
    for language in ("ru", "en"):
        parsed = parse_number(text, language)
        assert parsed == ParsedNumber(value)
        assert parsed.value == value


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("45 455 ₽", D(45455), "RUB"),
        ("45455₽", D(45455), "RUB"),
        ("₽45,455.50", D("45455.50"), "RUB"),
        ("500 руб", D(500), "RUB"),
        ("500 руб.", D(500), "RUB"),
        ("500 р.", D(500), "RUB"),
        ("500р", D(500), "RUB"),
        ("500 рублей", D(500), "RUB"),
        ("RUB 500", D(500), "RUB"),
        ("500 rub", D(500), "RUB"),
        ("$3m", D(3_000_000), "USD"),
        ("3m $", D(3_000_000), "USD"),
        ("100 USD", D(100), "USD"),
        ("usd100", D(100), "USD"),
        ("€5", D(5), "EUR"),
        ("5 eur", D(5), "EUR"),
        ("5 EUR", D(5), "EUR"),
        ("10 млн руб.", D(10_000_000), "RUB"),
        ("10 млн ₽", D(10_000_000), "RUB"),
    ],
)
def test_currency_before_or_after(text: str, value: Decimal, currency: str) -> None:
    assert parse_number(text, "ru") == ParsedNumber(value, currency=currency)


def test_percent() -> None:
    assert parse_number("12%", "en") == ParsedNumber(D(12), percent=True)
    assert parse_number("12,5 %", "ru") == ParsedNumber(D("12.5"), percent=True)
    assert parse_number("12,5 %", "ru").fraction == D("0.125")
    assert parse_rate("20%", "en") == D("0.2")
    assert parse_rate("0,2", "ru") == D("0.2")
    assert parse_rate("0.2", "ru") == D("0.2")
    with pytest.raises(PercentNotAllowed):
        parse_amount("12%", "en")


def test_negative_only_when_allowed() -> None:
    with pytest.raises(NegativeNotAllowed) as caught:
        parse_number("-5", "en")
    assert "negative" in caught.value.message.msgid
    assert parse_number("-5", "en", allow_negative=True).value == D(-5)
    assert parse_number("−1 500,5", "ru", allow_negative=True).value == D("-1500.5")
    assert parse_number("-$5", "en", allow_negative=True) == ParsedNumber(D(-5), currency="USD")
    assert parse_number("$-5", "en", allow_negative=True).value == D(-5)
    assert parse_number("-0", "en").value == 0
    assert parse_amount("-1,5k", "ru", allow_negative=True) == D(-1500)


# -- the ambiguous cases ----------------------------------------------------------------------
def test_comma_and_three_digits_follow_the_language() -> None:
    assert parse_number("1,000", "en").value == D(1000)
    assert parse_number("45,455", "en-GB").value == D(45455)
    assert parse_number("1,000", "ru").value == D("1.000")
    assert parse_number("45,455", "ru-RU").value == D("45.455")
    with pytest.raises(AmbiguousNumber):
        parse_number("1,000", "de")
    with pytest.raises(AmbiguousNumber):
        parse_number("1,000", None)


def test_dot_and_three_digits_follow_english_but_are_ambiguous_in_russian() -> None:
    assert parse_number("1.000", "en").value == D("1.000")
    assert parse_number("45.455", "en").value == D("45.455")
    with pytest.raises(AmbiguousNumber) as caught:
        parse_number("1.000", "ru")
    error = caught.value
    assert (error.as_grouped, error.as_decimal) == (D(1000), D("1.000"))
    assert error.message.params["text"] == "1.000"
    assert error.message.params["plain"] == "1000"
    with pytest.raises(AmbiguousNumber):
        parse_number("45.455 ₽", "ru")
    with pytest.raises(AmbiguousNumber):
        parse_number("1.500 млн", "ru")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1,000", None, "“1,000” is ambiguous: it could be 1\u00a0000 or 1. To mean 1\u00a0000,"
         " write 1000; to mean 1, write 1."),
        ("45.455", "ru", "«45.455» можно понять двояко: 45\u00a0455 или 45,455. Если имелось в"
         " виду 45\u00a0455, напишите 45455; если 45,455 — напишите 45,4550."),
        ("45,450", None, "“45,450” is ambiguous: it could be 45\u00a0450 or 45.45. To mean"
         " 45\u00a0450, write 45450; to mean 45.45, write 45.45."),
    ],
)
def test_the_ambiguity_message_gives_both_readings_and_how_to_write_each(
    text: str, language: str | None, expected: str
) -> None:
    with pytest.raises(AmbiguousNumber) as caught:
        parse_number(text, language)
    shown = translator(language or "en").render(caught.value.message)
    assert shown == expected
    # What the message says to write is read as meant, in either language.
    for writing in (caught.value.message.params["plain"],):
        assert parse_number(str(writing), None).value == caught.value.as_grouped
    unambiguous = translator("en").render(caught.value.message.params["unambiguous"])
    assert parse_number(unambiguous, None).value == caught.value.as_decimal


# -- rejected ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", EmptyNumber),
        ("   ", EmptyNumber),
        (NBSP, EmptyNumber),
        ("1" * (MAX_LENGTH + 1), NumberTooLong),
        ("1e5", ExponentNotAllowed),
        ("1E5", ExponentNotAllowed),
        ("1.5e-3", ExponentNotAllowed),
        ("2 e 6", ExponentNotAllowed),
        ("NaN", NonFiniteNumber),
        ("nan", NonFiniteNumber),
        ("Infinity", NonFiniteNumber),
        ("-inf", NonFiniteNumber),
        ("∞", NonFiniteNumber),
        ("٣", NonAsciiDigits),
        ("١٢٣", NonAsciiDigits),
        ("１２", NonAsciiDigits),
        ("5²", NonAsciiDigits),
        ("½", NonAsciiDigits),
        ("४५", NonAsciiDigits),
        ("abc", NotANumber),
        ("45455.", NotANumber),
        ("5 5 5 руб руб", NotANumber),
        ("$5 €", NotANumber),
        ("12% ₽", NotANumber),
        ("12k%", NotANumber),
        ("1 2", MalformedNumber),
        ("45 45", MalformedNumber),
        ("1,2,3", MalformedNumber),
        ("1..5", MalformedNumber),
        ("1 ,5", MalformedNumber),
        ("1 000,000,000", MalformedNumber),
        ("1,000.000,5", MalformedNumber),
        ("0 500", MalformedNumber),
        ("1234 567", MalformedNumber),
        (".5.5", NotANumber),
        ("five", NotANumber),
        ("--5", NotANumber),
    ],
)
def test_rejected_with_their_own_error(text: str, error: type[NumberError]) -> None:
    for language in ("ru", "en"):
        with pytest.raises(error) as caught:
            parse_number(text, language, allow_negative=True)
        assert type(caught.value) is error
        assert caught.value.message.msgid


def test_messages_say_what_to_send() -> None:
    with pytest.raises(EmptyNumber) as empty:
        parse_number("", "en")
    assert "45,455" in empty.value.message.msgid
    with pytest.raises(NumberTooLong) as long:
        parse_number("9" * 65, "en")
    assert long.value.message.count == MAX_LENGTH
    assert long.value.message.plural is not None


def test_exactly_max_length_is_accepted() -> None:
    text = " " * (MAX_LENGTH - 3) + "123"
    assert parse_number(text, "en").value == 123


def test_large_numbers_stay_exact_up_to_max_value() -> None:
    assert parse_number("999 999 999 999 999,99", "ru").value == D("999999999999999.99")
    assert parse_number("1,000,000,000,000,000", "en").value == MAX_VALUE
    assert parse_number("1000000 млрд", "ru").value == MAX_VALUE
    assert parse_number("-1000000000000000", "en", allow_negative=True).value == -MAX_VALUE
    assert parse_amount("999999999999999.999999", "en") == D("999999999999999.999999")


@pytest.mark.parametrize(
    "text",
    [
        "9" * 60,
        "9" * 38,  # the 38-digit "revenue" of the issue
        "1000000000000000.01",
        "1 000 000 000 000 001",
        "123456789012345678901234567890.5 bn",
        "1000001 млрд",
        "1000000000001k",
        "-1000000000000001",
        "10000000000000000%",
    ],
)
def test_values_beyond_max_value_are_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueTooLarge) as caught:
        parse_number(text, "en", allow_negative=True)
    assert caught.value.message.params == {"limit": MAX_VALUE}
    assert translator("en").render(caught.value.message) == (
        "That number is too large: no KPI holds more than 1,000,000,000,000,000."
        " Check for extra digits."
    )
    assert translator("ru").render(caught.value.message) == (
        "Слишком большое число: ни один KPI не бывает больше 1\u00a0000\u00a0000\u00a0000"
        "\u00a0000\u00a0000. Проверьте, нет ли лишних цифр."
    )
    with pytest.raises(ValueTooLarge):
        parse_amount(text.rstrip("%"), "ru", allow_negative=True)


def test_exact_decimal() -> None:
    assert exact_decimal(Fraction(1, 8)) == D("0.125")
    assert str(exact_decimal(Fraction(909091, 20), -2)) == "45454.55"
    assert str(exact_decimal(0, -2)) == "0.00"
    assert str(exact_decimal(-5)) == "-5"
    with pytest.raises(ValueError, match="finite"):
        exact_decimal(Fraction(1, 3))
    with pytest.raises(ValueError, match="multiple"):
        exact_decimal(Fraction(1, 8), -2)


# -- properties -------------------------------------------------------------------------------
_INT_PARTS = st.integers(min_value=0, max_value=MAX_VALUE - 1)
_FRACTIONS = st.text(alphabet="0123456789", max_size=6)


def _value(int_part: int, fraction: str) -> Decimal:
    return D(f"{int_part}.{fraction}") if fraction else D(int_part)


def _group(int_part: int, separator: str) -> str:
    return f"{int_part:,}".replace(",", separator)


@settings(max_examples=300, deadline=None)
@given(int_part=_INT_PARTS, fraction=_FRACTIONS, grouped=st.booleans())
@example(int_part=1, fraction="000", grouped=False)
@example(int_part=1000, fraction="", grouped=True)
def test_english_format_round_trips(int_part: int, fraction: str, grouped: bool) -> None:
    text = _group(int_part, ",") if grouped else str(int_part)
    if fraction:
        text += "." + fraction
    assert parse_number(text, "en").value == _value(int_part, fraction)


@settings(max_examples=300, deadline=None)
@given(
    int_part=_INT_PARTS,
    fraction=_FRACTIONS,
    separator=st.sampled_from(["", " ", NBSP, NNBSP, "\u2009"]),
)
@example(int_part=1, fraction="000", separator="")
@example(int_part=45455, fraction="50", separator=NBSP)
def test_russian_format_round_trips(int_part: int, fraction: str, separator: str) -> None:
    text = _group(int_part, separator) if separator else str(int_part)
    if fraction:
        text += "," + fraction
    assert parse_number(text, "ru").value == _value(int_part, fraction)


@settings(max_examples=200, deadline=None)
@given(int_part=_INT_PARTS, fraction=_FRACTIONS.filter(bool))
def test_russian_decimal_dot_round_trips_unless_ambiguous(int_part: int, fraction: str) -> None:
    text = f"{int_part}.{fraction}"
    ambiguous = len(fraction) == 3 and 1 <= int_part <= 999
    if ambiguous:
        with pytest.raises(AmbiguousNumber):
            parse_number(text, "ru")
    else:
        assert parse_number(text, "ru").value == _value(int_part, fraction)


_DECORATIONS = st.sampled_from(
    [
        ("", "", None),
        ("", " ₽", "RUB"),
        ("", "₽", "RUB"),
        ("", " руб.", "RUB"),
        ("", " р.", "RUB"),
        ("$", "", "USD"),
        ("€ ", "", "EUR"),
        ("", " usd", "USD"),
    ]
)
_MULTIPLIERS = st.sampled_from(
    [("", 1), ("k", 1000), (" тыс.", 1000), (" млн", 10**6), ("m", 10**6), (" млрд", 10**9)]
)


@settings(max_examples=300, deadline=None)
@given(
    int_part=_INT_PARTS,
    fraction=_FRACTIONS,
    language=st.sampled_from(["ru", "en"]),
    decoration=_DECORATIONS,
    multiplier=_MULTIPLIERS,
    negative=st.booleans(),
)
def test_decorated_numbers_round_trip(
    int_part: int,
    fraction: str,
    language: str,
    decoration: tuple[str, str, str | None],
    multiplier: tuple[str, int],
    negative: bool,
) -> None:
    prefix, suffix, currency = decoration
    word, factor = multiplier
    separator, mark = (",", ".") if language == "en" else (NBSP, ",")
    number = _group(int_part, separator) + (mark + fraction if fraction else "")
    text = ("-" if negative else "") + prefix + number + word + suffix
    expected = _value(int_part, fraction) * factor * (-1 if negative else 1)
    if abs(expected) > MAX_VALUE:
        with pytest.raises(ValueTooLarge):
            parse_number(text, language, allow_negative=True)
        return
    assert parse_number(text, language, allow_negative=True) == ParsedNumber(
        expected, currency=currency
    )
    if negative and expected:
        with pytest.raises(NegativeNotAllowed):
            parse_number(text, language)


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(min_value=-(10**14), max_value=10**14),
    language=st.sampled_from(["ru", "en"]),
    currency=st.sampled_from(["RUB", "USD", "EUR"]),
)
@example(cents=100_000, language="en", currency="RUB")  # "₽1,000": a comma that groups
@example(cents=100_000, language="ru", currency="RUB")  # "1 000 ₽"
@example(cents=4_545_455, language="ru", currency="RUB")  # "45 454,55 ₽"
def test_what_the_bot_shows_parses_back_to_the_same_value(
    cents: int, language: str, currency: str
) -> None:
    # The formatter the bot and the CLI use (Babel through bot.i18n), not a hand-made string:
    # a user who copies a number from a message and sends it back gets the same number.
    t = translator(language)
    value = D(cents) / 100
    money = t.money(value, currency)
    assert parse_number(money, language, allow_negative=True) == ParsedNumber(
        value, currency=currency
    )
    assert parse_number(t.number(value), language, allow_negative=True).value == value
    share = D(cents) / 10**6
    percent = parse_number(t.percent(share, 4), language, allow_negative=True)
    assert percent.percent
    assert percent.fraction == share


def test_cyrillic_e_is_an_exponent_too() -> None:
    # On a Russian keyboard layout "1е5" is typed with the Cyrillic "е".
    for text in ("1е5", "2,5е3", "1е−3"):
        with pytest.raises(ExponentNotAllowed):
            parse_number(text, "ru")
    assert parse_number("5 евро", "ru") == ParsedNumber(D(5), currency="EUR")


@pytest.mark.parametrize(
    ("value", "english", "russian"),
    [
        (D("100.005"), "100.005", "100,005"),
        (D("45455.125"), "45,455.125", f"45{NBSP}455,125"),
        (D("0.01"), "0.01", "0,01"),
        (D("-1.50"), "-1.50", "-1,50"),
        (D("1E+3"), "1,000", f"1{NBSP}000"),
        (D("-0.00"), "0.00", "0,00"),
        (7, "7", "7"),
    ],
)
def test_exact_number_keeps_every_digit_in_the_readers_format(
    value: Decimal | int, english: str, russian: str
) -> None:
    # A Decimal parameter is shown rounded to 2 places: "100.005 has too many decimal places"
    # would read "100.01 has ...".
    assert translator("en").render(exact_number(value)) == english
    assert translator("ru").render(exact_number(value)) == russian


def _outcome(text: str, language: str | None) -> ParsedNumber | NumberError:
    """Parse, or return the error: anything else propagates and fails the test."""
    try:
        return parse_number(text, language, allow_negative=True)
    except NumberError as error:
        return error


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=80), language=st.sampled_from(["ru", "en", "de", None]))
def test_random_text_only_raises_number_errors(text: str, language: str | None) -> None:
    outcome = _outcome(text, language)
    if isinstance(outcome, NumberError):
        assert outcome.message.msgid
    else:
        assert outcome.value.is_finite()


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet="0123456789 ,.-+−%$€₽kкmмлнтысрубeE\u00a0\u202f٣", max_size=30),
    language=st.sampled_from(["ru", "en", None]),
)
def test_number_like_text_only_raises_number_errors(text: str, language: str | None) -> None:
    outcome = _outcome(text, language)
    if isinstance(outcome, NumberError):
        assert outcome.message.msgid
    else:
        assert outcome.value.is_finite()
