"""Translatable messages as values.

The domain never formats text for people. It returns :class:`Message` values: an English
msgid (the gettext key), optional plural msgid and count, optional context, and parameters.
The adapters in ``bot/`` translate and format them in the user's language (numbers, money and
dates through CLDR).

``N_`` marks a string literal for extraction by ``pybabel extract -k N_`` without translating it
at import time (the classic ``gettext_noop``). ``NP_`` marks a (context, msgid) pair and
``NN_`` a (singular, plural) pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; return it unchanged."""
    return msgid


def NP_(context: str, msgid: str) -> tuple[str, str]:
    """Mark a msgid with a gettext context (``pgettext``) for extraction."""
    return (context, msgid)


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural msgid pair (``ngettext``) for extraction."""
    return (singular, plural)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money in an ISO 4217 currency (``RUB``, ``USD``, ``EUR`` ...)."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Percent:
    """A share expressed as a fraction: ``Percent(Decimal("0.64"))`` renders as 64 %."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message: msgid (English source text), optional plural and context.

    Parameters are substituted with ``str.format`` after translation. Values may be
    ``Decimal``, ``int``, ``Money``, ``Percent``, ``datetime.date``, ``datetime.time``,
    ``kpi_core.planning.calendar.Period`` (a date range), ``str`` or another ``Message``; the
    renderer formats each one for the user's locale.

    Attributes:
        msgid: English source text, used as the gettext key.
        params: Named parameters for ``str.format``.
        plural: English plural form, when the message depends on ``count``.
        count: The number that selects the plural form.
        context: A gettext context (``pgettext``) for short, ambiguous labels.
    """

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None
    context: str | None = None
