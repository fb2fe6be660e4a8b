"""Numbers as people type them, in Russian and English, parsed exactly into ``Decimal``.

Accepted (case-insensitive, surrounding whitespace ignored):

* digits ``0-9`` only, optionally grouped by three with a space, a no-break space (U+00A0),
  a narrow no-break space (U+202F), a thin or figure space, a comma or a dot:
  ``45455``, ``45 455``, ``45,455``, ``1.000.000``;
* one decimal mark, a comma or a dot: ``45455,5``, ``45 455,50``, ``45,455.50``,
  ``45.455,50``, ``0.5``, ``,5``;
* a multiplier after the number: ``k``/``к``/``тыс``/``тыс.``/``тысяч``/``thousand`` (×1,000),
  ``m``/``mln``/``mn``/``млн``/``млн.``/``миллион``/``million``/``кк``/``kk`` (×1,000,000),
  ``bn``/``billion``/``млрд``/``млрд.``/``миллиард`` (×1,000,000,000): ``1.5k``, ``10к``,
  ``2 тыс.``, ``1,5 млн``, ``3m``, ``3 млрд``;
* a currency before or after: ``₽``, ``руб``, ``руб.``, ``рубль``/``рубля``/``рублей``,
  ``р``, ``р.``, ``rub`` → ``RUB``; ``$``, ``usd`` → ``USD``; ``€``, ``eur``, ``евро`` → ``EUR``;
* a percent sign at the end: ``12%``, ``12,5 %`` (``ParsedNumber.percent`` is then True and
  ``value`` is 12.5, as typed);
* a leading ``-`` (or ``−``, ``–``) only when the caller allows negatives; ``+`` is ignored.

How separators are read (``text`` in a column means "any language"):

=============================  ==========================================================
input                          reading
=============================  ==========================================================
``45 455``                     spaces only group thousands: 45455
``1,000,000`` / ``1.000.000``  a mark used twice groups thousands: 1000000
``45,455.50`` / ``45.455,50``  two different marks: the last is the decimal mark
``45 455,50`` / ``45 455.50``  spaces group, the mark is the decimal mark
``1,5`` ``1.25`` ``1,2345``    one mark not followed by exactly three digits: decimal
``0,500`` ``1234,567``         three digits, but the part before cannot be a thousands
                               group (it is 0 or longer than three digits): decimal
``1,000`` ``45,455``           English: 1000 and 45455 (the comma groups thousands);
                               Russian: 1 and 45.455 (the comma is the decimal mark)
``1.000`` ``45.455``           English: 1 and 45.455 (the dot is the decimal mark);
                               Russian: :class:`AmbiguousNumber` - Russians type a decimal
                               dot as often as a dot between thousands
=============================  ==========================================================

Any other language than English or Russian (``ru``, ``be``, ``kk`` and ``uk`` follow the
Russian convention) reports both ``1,000`` and ``1.000`` as :class:`AmbiguousNumber`.

Rejected, each with its own :class:`NumberError` subclass and a message saying what to send:
empty input, more than :data:`MAX_LENGTH` characters, a value beyond :data:`MAX_VALUE` either
way (:class:`ValueTooLarge`: no KPI holds more), exponents (``1e5``), ``NaN`` and
infinities, digits other than ASCII 0-9 (``٣``, ``１``, ``²``), badly grouped digits
(``45 45``), a minus where negatives are not allowed, a percentage where an amount is expected,
and anything else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpi_core.errors import DomainError
from kpi_core.messages import N_, NN_, NP_, Message

__all__ = [
    "MAX_LENGTH",
    "MAX_VALUE",
    "AmbiguousNumber",
    "EmptyNumber",
    "ExponentNotAllowed",
    "MalformedNumber",
    "NegativeNotAllowed",
    "NonAsciiDigits",
    "NonFiniteNumber",
    "NotANumber",
    "NumberError",
    "NumberTooLong",
    "ParsedNumber",
    "PercentNotAllowed",
    "ValueTooLarge",
    "exact_decimal",
    "exact_number",
    "parse_amount",
    "parse_number",
    "parse_rate",
]

MAX_LENGTH = 64
"""Longest input accepted, in characters (before trimming)."""

MAX_VALUE = 10**15
"""The largest magnitude accepted (a quadrillion): more than any KPI holds, within what the
database column stores exactly (see ``bot/storage/types.py``). ``10**15`` itself is accepted."""


# -- errors ------------------------------------------------------------------------------------
class NumberError(DomainError):
    """Base class: the text is not a number we accept; ``message`` says what to send."""


class EmptyNumber(NumberError):
    """Nothing (or only spaces) was sent."""

    def __init__(self) -> None:
        super().__init__(Message(N_("Send a number, like 45,455 or 45,455.50.")))


class NumberTooLong(NumberError):
    """More than :data:`MAX_LENGTH` characters."""

    def __init__(self) -> None:
        singular, plural = NN_(
            "That is too long for a number: send at most {count} character.",
            "That is too long for a number: send at most {count} characters.",
        )
        super().__init__(Message(singular, plural=plural, count=MAX_LENGTH))


class NotANumber(NumberError):
    """Text that is not a number at all."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "That doesn't look like a number. Send a number like 45,455 or 45,455.50;"
                    " 1.5k, 2 million, 12% and ₽, $ or € work too."
                )
            )
        )


class MalformedNumber(NumberError):
    """Digits with separators in places that make no number (``45 45``, ``1,2,3``)."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "The digits are grouped in an unusual way. Group thousands by three digits,"
                    " like 45 455 or 45,455, and use one decimal mark, like 45,455.50."
                )
            )
        )


class AmbiguousNumber(NumberError):
    """One mark followed by three digits whose meaning the language does not settle.

    The message names both readings and how to write each so that it cannot be misread:
    ``1,000`` → "it could be 1 000 or 1. To mean 1 000, write 1000; to mean 1, write 1."

    Attributes:
        text: The digits and separators as typed (trimmed).
        as_grouped: The reading with the mark grouping thousands (``1.000`` → 1000).
        as_decimal: The reading with the mark as a decimal mark (``1.000`` → 1.000).
    """

    def __init__(self, text: str, as_grouped: Decimal, as_decimal: Decimal) -> None:
        super().__init__(
            Message(
                N_(
                    "“{text}” is ambiguous: it could be {grouped} or {decimal}. To mean"
                    " {grouped}, write {plain}; to mean {decimal}, write {unambiguous}."
                ),
                {
                    "text": text,
                    # Grouped by spaces, as no language reads a space as a decimal mark.
                    "grouped": f"{int(as_grouped):,}".replace(",", "\u00a0"),
                    "plain": str(int(as_grouped)),
                    "decimal": exact_number(_trimmed(as_decimal)),
                    "unambiguous": exact_number(_unambiguous(as_decimal)),
                },
            )
        )
        self.text = text
        self.as_grouped = as_grouped
        self.as_decimal = as_decimal


def _trimmed(value: Decimal) -> Decimal:
    """``value`` without trailing fraction zeros (``1.000`` → 1, ``45.450`` → 45.45)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _unambiguous(value: Decimal) -> Decimal:
    """``value`` written so that no reader takes its mark for a thousands separator: three
    fraction digits after a short whole part get a fourth, a zero (``45.455`` → 45.4550)."""
    trimmed = _trimmed(value)
    exponent = trimmed.as_tuple().exponent
    if exponent == -3:
        return trimmed.quantize(Decimal("0.0001"))
    return trimmed


class ExponentNotAllowed(NumberError):
    """Scientific notation (``1e5``)."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "Exponents like 1e5 are not supported. Send the number in full, like"
                    " 100000 or 100k."
                )
            )
        )


class NonFiniteNumber(NumberError):
    """``NaN``, ``Infinity``, ``∞``."""

    def __init__(self) -> None:
        super().__init__(
            Message(N_("NaN and infinity are not amounts. Send a number like 45,455."))
        )


class NonAsciiDigits(NumberError):
    """Digits from other scripts (Arabic-Indic ``٣``, fullwidth ``１``) or ``²``, ``½``."""

    def __init__(self) -> None:
        super().__init__(Message(N_("Type the number with the digits 0-9, like 45,455.")))


class NegativeNotAllowed(NumberError):
    """A minus sign where only zero or more makes sense."""

    def __init__(self) -> None:
        super().__init__(
            Message(N_("A negative number is not allowed here. Send zero or more, like 45,455."))
        )


class ValueTooLarge(NumberError):
    """A magnitude beyond :data:`MAX_VALUE` (a 38-digit "revenue")."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "That number is too large: no KPI holds more than {limit}. Check for"
                    " extra digits."
                ),
                {"limit": MAX_VALUE},
            )
        )


class PercentNotAllowed(NumberError):
    """A percentage where an amount is expected."""

    def __init__(self) -> None:
        super().__init__(Message(N_("Send an amount, not a percentage, like 45,455.")))


# -- result ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A parsed number.

    Attributes:
        value: The number as typed, multiplier applied (``12%`` → 12, ``1,5 млн`` → 1500000).
        percent: True when the text ended with ``%``.
        currency: ISO code of a currency sign or word in the text (``RUB``, ``USD``, ``EUR``).
    """

    value: Decimal
    percent: bool = False
    currency: str | None = None

    @property
    def fraction(self) -> Decimal:
        """The value as a fraction: ``12%`` → 0.12; a plain number is returned unchanged."""
        return exact_decimal(Fraction(self.value) / 100) if self.percent else self.value


# -- grammar -----------------------------------------------------------------------------------
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("рублей", "RUB"),
    ("рубля", "RUB"),
    ("рубль", "RUB"),
    ("руб.", "RUB"),
    ("руб", "RUB"),
    ("р.", "RUB"),
    ("р", "RUB"),
    ("₽", "RUB"),
    ("rub", "RUB"),
    ("$", "USD"),
    ("usd", "USD"),
    ("€", "EUR"),
    ("eur", "EUR"),
    ("евро", "EUR"),
)
_THOUSAND, _MILLION, _BILLION = 10**3, 10**6, 10**9
_MULTIPLIERS: tuple[tuple[str, int], ...] = (
    ("thousand", _THOUSAND),
    ("тысячи", _THOUSAND),
    ("тысяча", _THOUSAND),
    ("тысяч", _THOUSAND),
    ("тыс.", _THOUSAND),
    ("тыс", _THOUSAND),
    ("million", _MILLION),
    ("миллионов", _MILLION),
    ("миллиона", _MILLION),
    ("миллион", _MILLION),
    ("млн.", _MILLION),
    ("млн", _MILLION),
    ("mln", _MILLION),
    ("mn", _MILLION),
    ("kk", _MILLION),
    ("кк", _MILLION),
    ("m", _MILLION),
    ("k", _THOUSAND),
    ("к", _THOUSAND),
    ("billion", _BILLION),
    ("миллиардов", _BILLION),
    ("миллиарда", _BILLION),
    ("миллиард", _BILLION),
    ("млрд.", _BILLION),
    ("млрд", _BILLION),
    ("bn", _BILLION),
)
_CURRENCY_OF = dict(_CURRENCIES)
_MULTIPLIER_OF = dict(_MULTIPLIERS)


def _alternatives(words: tuple[tuple[str, object], ...]) -> str:
    # Longest first, so "руб." wins over "р" and "mln" over "m".
    ordered = sorted((w for w, _ in words), key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered)


_CUR = _alternatives(_CURRENCIES)
_MUL = _alternatives(_MULTIPLIERS)
_GRAMMAR = re.compile(
    rf"""
    (?P<cur1>{_CUR})?\ ?
    (?P<sign>[-+−–])?\ ?
    (?P<cur2>{_CUR})?\ ?
    (?P<body>[0-9][0-9 .,]*[0-9]|[0-9]|[.,][0-9]+)
    (?:\ ?(?P<mul>{_MUL}))?
    (?:\ ?(?P<cur3>{_CUR}))?
    (?:\ ?(?P<pct>%))?
    """,
    re.VERBOSE,
)
_NON_FINITE = re.compile(r"(?<![a-z])(?:s?nan|inf(?:inity)?)(?![a-z])|∞")
# "е" is the Cyrillic letter: on a Russian keyboard layout "1е5" is typed that way.
_EXPONENT = re.compile(r"[0-9][.,]?\ ?[eе]\ ?[-+−–]?\ ?[0-9]")
_SPACES = re.compile(r"\s+")
_SEPARATOR_RUN = re.compile(r"[ .,]+")
_RUSSIAN_CONVENTION = frozenset({"ru", "be", "kk", "uk"})


def _convention(language: str | None) -> str | None:
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].lower()
    if base in _RUSSIAN_CONVENTION:
        return "ru"
    return "en" if base == "en" else None


# -- public API --------------------------------------------------------------------------------
def parse_number(text: str, language: str | None, *, allow_negative: bool = False) -> ParsedNumber:
    """Parse a number as a person typed it.

    Args:
        text: What the person sent.
        language: The person's language (``"ru"``, ``"en"``, ``"ru-RU"`` ...); it settles
            ``1,000`` and ``1.000`` as described in the module docs.
        allow_negative: Accept a leading minus.

    Returns:
        The value (exact), whether it was a percentage, and the currency if one was named.

    Raises:
        EmptyNumber, NumberTooLong, NonAsciiDigits, NonFiniteNumber, ExponentNotAllowed,
        NotANumber, MalformedNumber, AmbiguousNumber, ValueTooLarge (beyond
        :data:`MAX_VALUE`), NegativeNotAllowed: all
        :class:`NumberError` subclasses carrying a message for the person.
    """
    if len(text) > MAX_LENGTH:
        raise NumberTooLong()
    stripped = text.strip()
    if not stripped:
        raise EmptyNumber()
    if any(_is_foreign_digit(ch) for ch in stripped):
        raise NonAsciiDigits()
    normal = _SPACES.sub(" ", stripped.casefold())
    if _NON_FINITE.search(normal):
        raise NonFiniteNumber()
    if _EXPONENT.search(normal):
        raise ExponentNotAllowed()
    match = _GRAMMAR.fullmatch(normal)
    if match is None:
        raise NotANumber()
    currencies = [c for c in (match["cur1"], match["cur2"], match["cur3"]) if c]
    if len(currencies) > 1 or (match["pct"] and (currencies or match["mul"])):
        raise NotANumber()
    value = _body_value(match["body"], _convention(language))
    if match["mul"]:
        value = exact_decimal(Fraction(value) * _MULTIPLIER_OF[match["mul"]])
    if abs(value) > MAX_VALUE:
        raise ValueTooLarge()
    if match["sign"] in ("-", "−", "–") and value != 0:
        if not allow_negative:
            raise NegativeNotAllowed()
        value = -value
    return ParsedNumber(
        value=value,
        percent=bool(match["pct"]),
        currency=_CURRENCY_OF[currencies[0]] if currencies else None,
    )


def parse_amount(text: str, language: str | None, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount (money or a count); a percentage is refused.

    Raises:
        PercentNotAllowed: The text is a percentage.
        NumberError: Any other problem (see :func:`parse_number`).
    """
    parsed = parse_number(text, language, allow_negative=allow_negative)
    if parsed.percent:
        raise PercentNotAllowed()
    return parsed.value


def parse_rate(text: str, language: str | None) -> Decimal:
    """Parse a rate such as a conversion: ``20%`` → 0.2, ``0.2`` → 0.2, ``0,2`` → 0.2.

    A plain number is returned as typed (``20`` stays 20); range checks are the caller's.

    Raises:
        NumberError: See :func:`parse_number` (negatives are refused).
    """
    return parse_number(text, language).fraction


def exact_decimal(value: int | Fraction | Decimal, exponent: int | None = None) -> Decimal:
    """Convert an exact number to ``Decimal`` without any rounding.

    Args:
        value: An int, a ``Fraction`` or a finite ``Decimal``.
        exponent: The exponent of the result (``-2`` gives ``45454.50``); by default the
            shortest exact form.

    Returns:
        The same number as a ``Decimal``.

    Raises:
        ValueError: The number has no finite decimal form (1/3), or not at ``exponent``.
    """
    exact = Fraction(value)
    if exponent is None:
        exponent = -_decimal_places(exact.denominator)
    scaled = exact * Fraction(10) ** -exponent
    if scaled.denominator != 1:
        raise ValueError(f"{value!r} is not a multiple of 10**{exponent}")
    n = scaled.numerator
    digits = tuple(int(c) for c in str(abs(n)))
    return Decimal((1 if n < 0 else 0, digits, exponent))


# Translators: the decimal mark used when a number is shown with all its digits ("," in Russian).
_DECIMAL_MARK = NP_("decimal mark", ".")


def exact_number(value: Decimal | int) -> Message:
    """A number for a message, shown with every digit it has, in the reader's format.

    A plain ``Decimal`` parameter is shown rounded to two places, which would turn
    "100.005 has too many decimal places" into "100.01 has ...". This keeps all the digits and
    still lets the renderer group the thousands and pick the decimal mark for the locale:
    ``Decimal("45455.125")`` renders as ``45,455.125`` in English and ``45 455,125`` in Russian.

    Args:
        value: A finite number.

    Returns:
        A message with the sign, the whole part (an ``int``), the decimal mark and the digits
        after it as parameters. Its template has no words, so it needs no translation.
    """
    d = Decimal(value)
    if not d.is_finite():
        return Message("{value}", {"value": str(d)})
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    if exponent >= 0:
        whole, fraction = int(text + "0" * exponent), ""
    else:
        text = text.rjust(-exponent + 1, "0")
        whole, fraction = int(text[:exponent]), text[exponent:]
    params: dict[str, object] = {"sign": "-" if sign and (whole or fraction.strip("0")) else ""}
    params["whole"] = whole
    if not fraction:
        return Message("{sign}{whole}", params)
    context, mark = _DECIMAL_MARK
    params |= {"mark": Message(mark, context=context), "fraction": fraction}
    return Message("{sign}{whole}{mark}{fraction}", params)


# -- helpers -----------------------------------------------------------------------------------
def _decimal_places(denominator: int) -> int:
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError("the number has no finite decimal form")
    return max(twos, fives)


def _is_foreign_digit(ch: str) -> bool:
    if "0" <= ch <= "9":
        return False
    return ch.isdigit() or ch.isnumeric() or unicodedata.category(ch) == "Nd"


def _body_value(body: str, convention: str | None) -> Decimal:
    if body[0] in ".,":
        if _SEPARATOR_RUN.search(body[1:]):
            raise MalformedNumber()
        return Decimal("0." + body[1:])
    marks = _SEPARATOR_RUN.findall(body)
    if any(len(m) != 1 for m in marks):
        raise MalformedNumber()
    groups = _SEPARATOR_RUN.split(body)
    if not marks:
        return Decimal(body)
    last = marks[-1]
    if last == " " or last in marks[:-1]:
        # Only one kind of mark, used for grouping ("45 455", "1,000,000").
        if any(m != last for m in marks):
            raise MalformedNumber()
        _check_groups(groups)
        return Decimal("".join(groups))
    before = set(marks[:-1])
    if len(before) > 1:
        raise MalformedNumber()
    whole, fraction = groups[:-1], groups[-1]
    if before:
        # One kind of mark groups, a different one is the decimal mark ("45,455.50").
        _check_groups(whole)
        return Decimal("".join(whole) + "." + fraction)
    (integer,) = whole
    as_decimal = Decimal(integer + "." + fraction)
    if len(fraction) != 3 or len(integer) > 3 or integer.startswith("0"):
        return as_decimal
    as_grouped = Decimal(integer + fraction)
    if convention == "en":
        return as_grouped if last == "," else as_decimal
    if convention == "ru" and last == ",":
        return as_decimal
    raise AmbiguousNumber(body, as_grouped, as_decimal)


def _check_groups(groups: list[str]) -> None:
    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= 3 or (first.startswith("0") and rest):
        raise MalformedNumber()
    if any(len(g) != 3 for g in rest):
        raise MalformedNumber()
