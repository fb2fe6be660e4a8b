"""What both directions share: column titles, KPI labels and number formats per language."""

from __future__ import annotations

from functools import cache

from babel.numbers import get_currency_symbol

from bot.i18n import SUPPORTED_LANGUAGES, translator
from kpi_core.advice.catalog import Unit, all_metrics, normalize_alias
from kpi_core.exchange.table import COLUMNS
from kpi_core.services.exchange import label_of

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest file ``/import`` takes: what a Telegram bot may download at all."""

CSV_DELIMITERS = {"ru": ";", "en": ","}
"""Excel in a Russian locale splits CSV columns at ``;`` (``,`` is its decimal mark)."""


def titles(language: str) -> list[str]:
    """The column headers in ``language``, in file order."""
    t = translator(language)
    return [t._(column.title) for column in COLUMNS]


@cache
def header_keys() -> dict[str, str]:
    """Every header an imported file may use, normalised, to its column key: the keys and the
    titles in each language, so that a file exported in Russian imports for an English user."""
    found: dict[str, str] = {}
    for column in COLUMNS:
        found[normalize_alias(column.key)] = column.key
        for language in SUPPORTED_LANGUAGES:
            found.setdefault(normalize_alias(translator(language)._(column.title)), column.key)
    return found


@cache
def kpi_labels() -> dict[str, str]:
    """Each metric's label in every language → its id (the catalog's names come on top in the
    domain)."""
    found: dict[str, str] = {}
    for metric in all_metrics():
        for language in SUPPORTED_LANGUAGES:
            found.setdefault(translator(language).render(label_of(metric.id)), metric.id)
    return found


def money_format(currency: str, language: str) -> str:
    """An Excel number format with the currency: ``#,##0.00 "₽"``; ``"$"#,##0.00`` in English
    for a symbol that goes first."""
    symbol = get_currency_symbol(currency, locale=language).replace('"', "")
    if language == "en" and symbol in ("$", "£", "€"):
        return f'"{symbol}"#,##0.00'
    return f'#,##0.00 "{symbol}"'


def value_format(unit: Unit, currency: str, language: str) -> str:
    """The number format of a value cell: money with its currency, whole counts, else two
    decimals at most."""
    if unit is Unit.MONEY:
        return money_format(currency, language)
    if unit is Unit.COUNT:
        return "#,##0"
    return "General"


def date_format(language: str) -> str:
    """Day-first in Russian, ISO in English."""
    return "dd.mm.yyyy" if language == "ru" else "yyyy-mm-dd"


DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
