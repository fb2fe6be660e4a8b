"""Numbers, money and dates follow the user's language (CLDR via Babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.i18n import translator
from kpi_core.messages import Message, Money, Percent

NBSP = "\u00a0"


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
