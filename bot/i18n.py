"""Translations and CLDR formatting for the adapters.

Catalogs are the ``.po`` files in ``locales/``. They are compiled in memory the first time a
locale is used, so a plain ``pip install`` (or a source checkout) works without a build step.
English msgids are the source text: English works even with an empty catalog.

Usage::

    t = translator("ru")
    t._("Plan saved.")
    t.ngettext("{n} working day", "{n} working days", n).format(n=t.number(n))
    t.render(Message(...))   # a domain message, parameters formatted for the locale
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_time, parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_currency_symbol

from kpi_core.messages import Message, Money, Percent
from kpi_core.planning.calendar import Period

log = logging.getLogger(__name__)

def _locales_dir() -> Path:
    # Installed wheel: bot/locales; source checkout or editable install: ./locales.
    here = Path(__file__).resolve().parent
    for candidate in (here / "locales", here.parent / "locales"):
        if (candidate / "ru" / "LC_MESSAGES").is_dir():
            return candidate
    return here.parent / "locales"


LOCALES_DIR = _locales_dir()
DOMAIN = "messages"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANGUAGE = "en"
# Telegram reports IETF tags such as "ru", "ru-RU" or "en-GB". People whose Telegram speaks
# Belarusian or Kazakh usually read Russian more comfortably than English.
_LANGUAGE_ALIASES = {"be": "ru", "kk": "ru"}
# CLDR's English data spells some currencies as codes ("RUB 100"); people write the sign.
_NARROW_SYMBOLS = {"RUB": "₽", "KZT": "₸", "UAH": "₴", "BYN": "Br", "GEL": "₾", "AMD": "֏"}


def resolve_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram ``language_code`` (or a stored choice) to a supported language."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    base = _LANGUAGE_ALIASES.get(base, base)
    return base if base in SUPPORTED_LANGUAGES else default


@cache
def _translations(language: str) -> _gettext.NullTranslations:
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


_FULL_MONTH = re.compile(r"(?<![ML])([ML])\1\1(?![ML])")
"""An abbreviated month field (``MMM``/``LLL``) in a CLDR pattern."""


def _quantize(value: Decimal, digits: int) -> Decimal:
    """Round half up to ``digits`` places, however many digits ``value`` has.

    The default context (28 digits) raises ``InvalidOperation`` for a 29-digit number; a
    context as wide as the result never does. Non-finite values are returned unchanged, and
    a negative zero (``-0.001`` rounded) loses its sign.
    """
    if not value.is_finite():
        return value
    width = max(value.adjusted(), 0) + digits + 2
    rounded = value.quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=Context(prec=max(28, width))
    )
    return abs(rounded) if rounded.is_zero() else rounded


@cache
def _currency_symbol(currency: str, language: str) -> str:
    """The locale's symbol for ``currency``, or a narrow one where CLDR only has the code."""
    symbol: str = get_currency_symbol(currency, locale=language)
    return _NARROW_SYMBOLS.get(currency, symbol) if symbol == currency else symbol


_NON_FINITE = {"NaN": "NaN", "sNaN": "NaN", "Infinity": "∞", "-Infinity": "-∞"}
"""How ``number`` shows what is not a number: a formatter must never raise."""


class Translator:
    """Translate and format for one language. Cheap to create; catalogs are cached."""

    def __init__(self, language: str) -> None:
        self.language = resolve_language(language)
        self.locale = Locale.parse(self.language)
        # Date ranges follow the day-first order of single dates ("1 April"): CLDR's "en" is
        # month-first ("Apr 1 – 30"), so English ranges take their patterns from en_GB.
        self._range_locale = Locale.parse("en_GB") if self.language == "en" else self.locale
        self._t = _translations(self.language)
        symbols = self.locale.number_symbols["latn"]
        self._group: str = symbols["group"]
        self._decimal: str = symbols["decimal"]
        self._minus: str = symbols["minusSign"]

    # gettext family -------------------------------------------------------------------
    def _(self, msgid: str) -> str:
        """Translate ``msgid``."""
        return self._t.gettext(msgid)

    def gettext(self, msgid: str) -> str:
        """Translate ``msgid``."""
        return self._t.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the locale's plural rules (Russian: 1 день, 2 дня, 5 дней)."""
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, msgid: str) -> str:
        """Translate a short label that needs a context to be unambiguous."""
        return self._t.pgettext(context, msgid)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """Context plus plural forms."""
        return self._t.npgettext(context, singular, plural, n)

    # formatting -------------------------------------------------------------------------
    def number(self, value: Decimal | int, digits: int | None = None) -> str:
        """Format a number: ``1 234,56`` in Russian, ``1,234.56`` in English.

        Rounds half up to ``digits`` places (default: up to 2, trailing zeros dropped).
        """
        d = Decimal(value)
        if not d.is_finite():
            return _NON_FINITE.get(str(d).lstrip("-") if d.is_nan() else str(d), "NaN")
        places = 2 if digits is None else digits
        q = _quantize(d, places)
        # The locale's decimal pattern (#,##0.###) for en and ru, applied by hand: Babel parses
        # the pattern on every call, and a reply formats some thirty numbers.
        whole, _, fraction = f"{q.copy_abs():f}".partition(".")
        if digits is None:
            fraction = fraction.rstrip("0")
        groups = []
        while len(whole) > 3:
            whole, tail = whole[:-3], whole[-3:]
            groups.append(tail)
        groups.append(whole)
        text = self._group.join(reversed(groups))
        if fraction:
            text += self._decimal + fraction
        return self._minus + text if q < 0 else text

    def money(self, amount: Decimal | int, currency: str = "RUB") -> str:
        """Format money: ``45 454,55 ₽`` / ``₽45,454.55``; whole amounts without kopecks."""
        d = _quantize(Decimal(amount), 2)
        whole = not d.is_finite() or d == d.to_integral_value()
        number = self.number(d, 0 if whole else 2)
        symbol = _currency_symbol(currency, self.language)
        if self.language == "ru":
            return f"{number}\u00a0{symbol}"
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol}\u00a0{number}"

    def percent(self, fraction: Decimal, digits: int = 0) -> str:
        """Format a fraction as a percentage: ``Decimal("0.645")`` → ``65 %`` / ``65%``."""
        d = Decimal(fraction)
        if d.is_finite():  # times 100, exactly: "* 100" rounds to the context's 28 digits
            sign, digits_, exponent = d.as_tuple()
            d = Decimal((sign, digits_, int(exponent) + 2))
        value = _quantize(d, digits)
        number = self.number(value, digits)
        return f"{number}\u00a0%" if self.language == "ru" else f"{number}%"

    def date(self, day: date, fmt: str = "d MMMM") -> str:
        """Format a date: ``23 ноября`` / ``23 November``."""
        return format_date(day, format=fmt, locale=self.locale)

    def datetime(self, moment: datetime, fmt: str = "d MMMM, HH:mm") -> str:
        """Format an aware datetime in its own zone."""
        return format_datetime(moment, format=fmt, locale=self.locale, tzinfo=moment.tzinfo)

    def period(self, start: dt.date, end: dt.date) -> str:
        """Format a date range as CLDR writes it: ``1–30 April 2025`` / ``1–30 апреля 2025 г.``.

        Across months the names are short: ``28 Nov – 5 Dec 2025`` / ``28 нояб. – 5 дек. 2025 г.``
        (CLDR puts thin or narrow no-break spaces around the dash and before ``г.``).
        """
        locale = self._range_locale
        if (start.year, start.month) != (end.year, end.month):
            return str(format_interval(start, end, "yMMMd", locale=locale))
        # Within a month the name is written once, so it can be in full. Babel does not widen
        # an interval pattern's "MMM" to "MMMM" the way ICU does: widen CLDR's pattern here.
        same_month = locale.interval_formats["yMMMd"]["d"]
        parts = [_FULL_MONTH.sub(r"\1\1\1\1", part) for part in same_month]
        if start == end:
            return str(parse_pattern(parts[-1]).apply(end, locale))
        return "".join(
            str(parse_pattern(part).apply(day, locale))
            for part, day in zip(parts, (start, end), strict=True)
        )

    def time(self, moment: dt.datetime | dt.time, fmt: str = "HH:mm") -> str:
        """Format a time of day."""
        return format_time(moment, format=fmt, locale=self.locale)

    def value(self, param: object) -> str:
        """Format any message parameter for this locale."""
        if isinstance(param, Message):
            return self.render(param)
        if isinstance(param, Money):
            return self.money(param.amount, param.currency)
        if isinstance(param, Percent):
            return self.percent(param.value)
        if isinstance(param, bool):
            return str(param)
        if isinstance(param, int | Decimal):
            return self.number(param)
        if isinstance(param, Period):
            return self.period(param.start, param.end)
        if isinstance(param, datetime):
            return self.datetime(param)
        if isinstance(param, date):
            return self.date(param)
        if isinstance(param, dt.time):
            return self.time(param)
        return str(param)

    def render(self, message: Message) -> str:
        """Translate a domain :class:`Message` and substitute its formatted parameters."""
        if message.plural is not None:
            n = int(message.count or 0)
            text = (
                self.npgettext(message.context, message.msgid, message.plural, n)
                if message.context
                else self.ngettext(message.msgid, message.plural, n)
            )
        elif message.context:
            text = self.pgettext(message.context, message.msgid)
        else:
            text = self.gettext(message.msgid)
        params: Mapping[str, object] = message.params
        if not params and message.count is None:
            return text
        formatted = {k: self.value(v) for k, v in params.items()}
        if message.count is not None:
            formatted.setdefault("count", self.number(message.count))
        try:
            return text.format(**formatted)
        except (KeyError, IndexError, ValueError):
            # A broken translation must never break a conversation: fall back to English.
            log.exception("bad translation for %r in %s", message.msgid, self.language)
            source = message.plural if message.plural and message.count != 1 else message.msgid
            return source.format(**formatted)


@cache
def translator(language: str | None) -> Translator:
    """Return the (cached) translator for ``language`` (resolved to a supported one)."""
    return Translator(resolve_language(language))
