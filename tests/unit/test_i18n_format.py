"""Numbers, money and dates follow the user's language (CLDR via Babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import translator
from kpi_core.messages import Message, Money, Percent
from kpi_core.planning.calendar import Period

NBSP = "\u00a0"
THIN = "\u2009"  # CLDR's spaces around an interval's dash in English
NNBSP = "\u202f"  # and before "г." in Russian


def test_russian_money_uses_space_groups_comma_decimals_and_ruble_sign() -> None:
    t = translator("ru")
    assert t.money(Decimal("45454.545")) == f"45{NBSP}454,55{NBSP}₽"  # half up, once
    assert t.money(Decimal("10000000")) == f"10{NBSP}000{NBSP}000{NBSP}₽"
    assert t.money(Decimal("1234.5"), "USD") == f"1{NBSP}234,50{NBSP}$"


def test_english_money_and_numbers() -> None:
    t = translator("en")
    assert t.money(Decimal("45454.55")) == "₽45,454.55"
    assert t.money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert t.number(Decimal("1234.567")) == "1,234.57"
    assert t.percent(Decimal("0.645")) == "65%"


def test_dates_and_percent_in_russian() -> None:
    t = translator("ru")
    assert t.date(date(2026, 11, 23)) == "23 ноября"
    assert t.percent(Decimal("0.64")) == f"64{NBSP}%"


def test_render_formats_parameters_for_the_locale() -> None:
    msg = Message(
        "Plan: {plan}, done {share}",
        {"plan": Money(Decimal(1500), "RUB"), "share": Percent(Decimal("0.5"))},
    )
    assert translator("en").render(msg) == "Plan: ₽1,500, done 50%"


@pytest.mark.parametrize(
    ("start", "end", "english", "russian"),
    [
        (date(2025, 11, 1), date(2025, 11, 30), "1–30 November 2025", f"1–30 ноября 2025{NNBSP}г."),
        (
            date(2025, 11, 28),
            date(2025, 12, 5),
            f"28 Nov{THIN}–{THIN}5 Dec 2025",
            f"28 нояб. – 5 дек. 2025{NNBSP}г.",
        ),
        (
            date(2025, 12, 29),
            date(2026, 1, 9),
            f"29 Dec 2025{THIN}–{THIN}9 Jan 2026",
            f"29 дек. 2025{NNBSP}г. – 9 янв. 2026{NNBSP}г.",
        ),
        (date(2025, 4, 3), date(2025, 4, 3), "3 April 2025", f"3 апреля 2025{NNBSP}г."),
    ],
)
def test_date_ranges_read_naturally(start: date, end: date, english: str, russian: str) -> None:
    assert translator("en").period(start, end) == english
    assert translator("ru").period(start, end) == russian
    # A Period parameter of a domain message is written the same way.
    message = Message("Plan for {period}", {"period": Period(start, end)})
    assert translator("ru").render(message) == f"Plan for {russian}"


# -- huge and odd decimals never raise -------------------------------------------------------
_ODD = [
    Decimal("9" * 29),  # one digit beyond the default context: used to raise InvalidOperation
    Decimal("1E+40"),
    Decimal("123456789012345678901234567890.555"),
    Decimal("1E-40"),
    Decimal("-0.001"),
    Decimal("NaN"),
    Decimal("-Infinity"),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("value", _ODD, ids=str)
def test_formatting_never_raises_on_huge_or_odd_decimals(language: str, value: Decimal) -> None:
    t = translator(language)
    for text in (t.number(value), t.number(value, 1), t.money(value), t.percent(value)):
        assert text
        assert "E" not in text


def test_huge_numbers_keep_every_digit_and_round_half_up() -> None:
    en, ru = translator("en"), translator("ru")
    assert en.number(Decimal("9" * 29)) == ",".join(["99"] + ["999"] * 9)
    assert en.money(Decimal("123456789012345678901234567890.555")) == (
        "₽123,456,789,012,345,678,901,234,567,890.56"
    )
    assert ru.number(Decimal("1E+30")) == NBSP.join(["1"] + ["000"] * 10)
    assert en.percent(Decimal("123456789012345678901234567890.5")) == (
        "12,345,678,901,234,567,890,123,456,789,050%"
    )


def test_rounding_to_zero_shows_no_minus_and_non_numbers_have_a_sign() -> None:
    en = translator("en")
    assert en.number(Decimal("-0.001")) == "0"
    assert en.money(Decimal("-0.004")) == "₽0"
    assert en.number(Decimal("NaN")) == "NaN"
    assert en.number(Decimal("-Infinity")) == "-∞"


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4,
                min_value=Decimal("-1e20"), max_value=Decimal("1e20")),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from(["en", "ru"]),
)
def test_numbers_are_formatted_as_babel_formats_the_locale_pattern(
    value: Decimal, digits: int | None, language: str
) -> None:
    """The hand-applied pattern (Babel parses it on every call) agrees with Babel's own."""
    from decimal import Context, localcontext

    from babel.numbers import format_decimal

    t = translator(language)
    places = 2 if digits is None else digits
    q = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP",
                       context=Context(prec=60))
    q = abs(q) if q.is_zero() else q
    with localcontext(Context(prec=60)):
        if digits is None:
            expected = format_decimal(q, format="#,##0.##", locale=t.locale,
                                      decimal_quantization=False)
        else:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            expected = format_decimal(q, format=pattern, locale=t.locale)
    assert t.number(value, digits) == expected
