"""The quick form: several results in one message, in Russian or English.

Examples of what people send, all understood::

    calls 35, meetings 4, revenue 120 000
    звонки 35, встречи 4, выручка 120 000
    35 звонков; 4 встречи; выручка 1,5 млн
    вчера: звонки 30
    12.05: calls 30
    12.05 звонки 30            (a leading date is the day to log for, never a value)

Names are matched against the person's own loggable metrics (:func:`loggables_for`): their
catalog aliases in both languages, their English names, and any extra names the adapter adds
(the translated KPI labels). Matching tolerates Russian word forms (``звонков`` ~ ``звонки``,
``встречу`` ~ ``встречи``) and small typos: one edit in words of five to seven letters, two in
longer words (Damerau-Levenshtein). Ambiguous matches are refused, never guessed.

A reply to the evening reminder may also be bare numbers in the order the reminder listed the
KPIs (:func:`parse_positional`, or :func:`parse_positional_form` for a result with problems).

**Nothing is half understood.** Every part that cannot be read is a :class:`Problem` of the
form (``QuickForm.problems``, and ``QuickForm.has_problems`` is then True) naming the part as
typed and saying what is wrong with it: an unknown name, a number that does not parse
(``1e309`` is one unreadable number, never 1 and a stray "e"), a number beyond
:data:`~kpi_core.parsing.numbers.MAX_VALUE`, a name without a number, a number without a name.
The use case saves nothing while there is a problem.

**Dates.** A date at the start is the day to log for (``QuickForm.day``): ``вчера``,
``yesterday``, ``позавчера``, ``12.05``, ``12/05`` (day first, in English too),
``12.05.2025``, ``2025-05-12``, with or without a colon, optionally after ``за``/``for``/``on``.
Without a colon a ``12.05`` is a date only when a number follows for a KPI; ``1.5 встречи``
(a date or one and a half?) is refused as ambiguous, so a date is never read as a value.

Everything here is pure: the result says what was understood and what was not; the use case
in :mod:`kpi_core.services.daily` saves it and the adapter words the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from kpi_core.advice.catalog import (
    Direct,
    Kpi,
    Metric,
    Unit,
    UnknownKpi,
    all_kpis,
    get_kpi,
    get_metric,
    metric_by_alias,
    normalize_alias,
)
from kpi_core.messages import N_, Message
from kpi_core.parsing.numbers import NumberError, parse_number

__all__ = [
    "MAX_DAYS_BACK",
    "DayRef",
    "Loggable",
    "Problem",
    "ProblemKind",
    "QuickForm",
    "QuickValue",
    "describe_metric",
    "loggables_for",
    "match_name",
    "parse_day",
    "parse_positional",
    "parse_positional_form",
    "parse_quick_form",
    "resolve_day",
]

MAX_DAYS_BACK = 31
"""How far back a result may be logged (a typed date); the date picker offers a week."""


# -- what can be logged ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Loggable:
    """A number a person logs daily: an input metric of one of their KPIs.

    Attributes:
        metric_id: The metric id (entries are stored under it; for a single-metric KPI it is
            also the KPI id).
        unit: Money, count, minutes ...
        label: English msgid to show (the KPI's short label for single-metric KPIs, else the
            metric's name).
        label_context: ``pgettext`` context of ``label`` (``"kpi"`` for KPI short labels).
        names: Normalised names that identify it when typed.
    """

    metric_id: str
    unit: Unit
    label: str
    label_context: str | None
    names: tuple[str, ...]

    @property
    def label_message(self) -> Message:
        """The label as a message."""
        return Message(self.label, context=self.label_context)


def _kpi_names(kpi: Kpi) -> list[str]:
    return [*kpi.aliases, kpi.name, kpi.short]


def loggables_for(
    kpi_ids: Iterable[str], extra_names: Mapping[str, Sequence[str]] | None = None
) -> list[Loggable]:
    """The metrics a person logs for their KPIs, in the order of their KPIs, each once.

    A single-metric KPI (calls, revenue) is logged as itself; a ratio (a conversion) is logged
    through its inputs (leads and qualified leads), never as a percentage.

    Args:
        kpi_ids: The person's KPI ids in display order.
        extra_names: More names per metric id, e.g. translated labels from the adapter.
    """
    if not extra_names:  # the catalog's names only: the same for everyone with these KPIs
        return list(_catalog_loggables(tuple(kpi_ids)))
    return _loggables(kpi_ids, extra_names)


@lru_cache(maxsize=1024)
def _catalog_loggables(kpi_ids: tuple[str, ...]) -> tuple[Loggable, ...]:
    return tuple(_loggables(kpi_ids, None))


def _loggables(
    kpi_ids: Iterable[str], extra_names: Mapping[str, Sequence[str]] | None
) -> list[Loggable]:
    order: list[str] = []
    names: dict[str, list[str]] = {}
    labels: dict[str, tuple[str, str | None]] = {}
    units: dict[str, Unit] = {}
    for kpi_id in kpi_ids:
        kpi = get_kpi(kpi_id)
        for metric in kpi.inputs:
            if metric.id not in names:
                order.append(metric.id)
                names[metric.id] = [*metric.aliases, metric.name]
                labels[metric.id] = (metric.name, None)
                units[metric.id] = metric.unit
            if isinstance(kpi.formula, Direct):
                names[metric.id].extend(_kpi_names(kpi))
                labels[metric.id] = (kpi.short, "kpi")
    # A KPI whose id is a metric (cold calls) lends its names even when only a ratio uses it.
    for metric_id in order:
        try:
            same = get_kpi(metric_id)
        except UnknownKpi:  # not every metric is a KPI of its own
            continue
        if isinstance(same.formula, Direct):
            names[metric_id].extend(_kpi_names(same))
            labels[metric_id] = (same.short, "kpi")
    for metric_id, more in (extra_names or {}).items():
        if metric_id in names:
            names[metric_id].extend(more)
    result = []
    for metric_id in order:
        normal = tuple(dict.fromkeys(_normal(n) for n in names[metric_id] if _normal(n)))
        label, context = labels[metric_id]
        result.append(Loggable(metric_id, units[metric_id], label, context, normal))
    return result


# -- name matching -----------------------------------------------------------------------------
_PUNCT = re.compile(r"[^\w\s%₽$€+\-−–]")
_RU_ENDINGS = tuple(sorted(
    ("ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "иях", "ях", "ах", "ов", "ев",
     "ей", "ой", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ам", "ям", "ом",
     "ем", "ых", "их", "ы", "и", "а", "я", "у", "ю", "е", "о", "ь", "й"),
    key=len, reverse=True,
))
_CYRILLIC = re.compile(r"[а-я]")


def _normal(text: str) -> str:
    return normalize_alias(_PUNCT.sub(" ", text.replace("ё", "е").replace("Ё", "Е")))


def _stem(word: str) -> str:
    """A crude stem: Russian case/number endings, English plural ``s``."""
    if _CYRILLIC.search(word):
        for ending in _RU_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)]
        return word
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed_typos(word: str) -> int:
    if len(word) >= 8:
        return 2
    if len(word) >= 5:
        return 1
    return 0


def _word_cost(typed: str, known: str) -> float | None:
    """How far a typed word is from a known one: 0 equal, 0.5 another form, 1-2 typos."""
    if typed == known:
        return 0.0
    st, sk = _stem(typed), _stem(known)
    if st == sk:
        return 0.5
    limit = _allowed_typos(typed)
    if limit == 0:
        return None
    best = min(_distance(typed, known, limit), _distance(st, sk, limit))
    return float(best) if best <= limit else None


def _name_cost(typed: str, known: str) -> float | None:
    typed_words, known_words = typed.split(), known.split()
    if len(typed_words) != len(known_words):
        return None
    total = 0.0
    for a, b in zip(typed_words, known_words, strict=True):
        cost = _word_cost(a, b)
        if cost is None:
            return None
        total += cost
    return total


def match_name(typed: str, loggables: Sequence[Loggable]) -> Loggable | None:
    """The loggable a typed name refers to, or ``None`` (unknown or ambiguous).

    Exact names win; then the closest by word forms and typos. Two different metrics at the
    same best distance are ambiguous: ``None``.
    """
    text = _normal(typed)
    if not text:
        return None
    exact = [item for item in loggables if text in item.names]
    if exact:  # nothing can be closer than an exact name (two with it: ambiguous)
        return exact[0] if len(exact) == 1 else None
    best: float | None = None
    found: list[Loggable] = []
    for item in loggables:
        costs = [c for c in (_name_cost(text, n) for n in item.names) if c is not None]
        if not costs:
            continue
        cost = min(costs)
        if best is None or cost < best:
            best, found = cost, [item]
        elif cost == best and item not in found:
            found.append(item)
    return found[0] if len(found) == 1 else None


def _catalog_match(typed: str) -> Kpi | Metric | None:
    """What a typed name means in the whole catalog (exact names and word forms only)."""
    text = _normal(typed)
    metric = metric_by_alias(text)
    if metric is not None:
        return metric
    for kpi in all_kpis():
        for name in _kpi_names(kpi):
            cost = _name_cost(text, _normal(name))
            if cost is not None and cost <= 0.5 * len(text.split()):
                return kpi
    return None


# -- dates -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DayRef:
    """A day as typed: ``days_back`` from today, or a day and month (and maybe a year)."""

    days_back: int | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None


_WORD_DAYS: dict[str, int] = {
    "today": 0, "сегодня": 0, "за сегодня": 0, "for today": 0,
    "yesterday": 1, "вчера": 1, "за вчера": 1, "for yesterday": 1,
    "day before yesterday": 2, "the day before yesterday": 2, "позавчера": 2,
    "за позавчера": 2,
}
_NUMERIC_DAY = re.compile(
    r"^(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})(?:[./](?P<y2>\d{2}|\d{4}))?)$"
)
_PREFIX = re.compile(r"^\s*(?P<head>[^:\n]{1,30}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)


def parse_day(text: str) -> DayRef | None:
    """Parse a day as typed: ``yesterday``, ``вчера``, ``позавчера``, ``12.05``, ``2025-05-12``."""
    normal = " ".join(text.lower().replace("ё", "е").split()).rstrip(".")
    if normal in _WORD_DAYS:
        return DayRef(days_back=_WORD_DAYS[normal])
    m = _NUMERIC_DAY.match(normal)
    if m is None:
        return None
    if m["y1"]:
        return DayRef(day=int(m["d1"]), month=int(m["m1"]), year=int(m["y1"]))
    year = m["y2"]
    return DayRef(
        day=int(m["d2"]), month=int(m["m2"]),
        year=None if year is None else (int(year) + 2000 if len(year) == 2 else int(year)),
    )


def resolve_day(ref: DayRef, today: date) -> date | None:
    """The date ``ref`` means on local ``today`` (a day-month without a year: the latest one
    not after today); ``None`` if there is no such date."""
    if ref.days_back is not None:
        return today - timedelta(days=ref.days_back)
    if ref.day is None or ref.month is None:
        return None
    try:
        if ref.year is not None:
            return date(ref.year, ref.month, ref.day)
        candidate = date(today.year, ref.month, ref.day)
        if candidate > today:
            candidate = date(today.year - 1, ref.month, ref.day)
        return candidate
    except ValueError:
        return None


# A date at the very start without a colon: "12.05 звонки 30", "за 12.05 звонки 30".
_LEADING_DATE = re.compile(
    r"^\s*(?:(?:за|for|on)\s+)?"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}(?:[./](?:\d{4}|\d{2}))?)\.?"
    r"(?=[\s,;—–-]|$)[\s,;—–-]*(?P<rest>.*)$",
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Day:
    """What the start of a message said about the day."""

    ref: DayRef | None = None
    typed: str = ""  # the date as typed, when there was one
    ambiguous: bool = False  # "1.5 встречи": a date, or a number?


def _plausible(ref: DayRef) -> bool:
    return (ref.day is not None and ref.month is not None
            and 1 <= ref.day <= 31 and 1 <= ref.month <= 12)


def _split_day(text: str) -> tuple[_Day, str]:
    """Split a leading ``вчера:`` / ``12.05:`` / ``yesterday`` / ``12.05`` off the text."""
    m = _PREFIX.match(text)
    if m is not None:
        ref = parse_day(m["head"])
        if ref is not None:
            return _Day(ref, m["head"].strip()), m["rest"]
    normal = text.lstrip()
    lowered = normal.lower().replace("ё", "е")
    for word in sorted(_WORD_DAYS, key=len, reverse=True):
        if not lowered.startswith(word):
            continue
        if len(lowered) == len(word) or not lowered[len(word)].isalnum():
            rest = normal[len(word):].lstrip(" ,;-—–")
            return _Day(DayRef(days_back=_WORD_DAYS[word]), normal[:len(word)]), rest
    m = _LEADING_DATE.match(text)
    if m is not None:
        ref = parse_day(m["date"])
        rest = m["rest"]
        first = rest.split(maxsplit=1)[0].lower() if rest.strip() else ""
        if ref is not None and _plausible(ref) and first.rstrip(".,") not in _UNIT_WORDS:
            if any(ch.isdigit() for ch in rest):
                return _Day(ref, m["date"]), rest
            if rest.strip():
                # "1.5 встречи": one and a half meetings, or the first of May without a number?
                return _Day(None, m["date"], ambiguous=True), rest
    return _Day(), text


# -- the quick form ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QuickValue:
    """One understood value."""

    metric_id: str
    value: Decimal
    typed: str


class ProblemKind(StrEnum):
    """What is wrong with one part of a quick form."""

    UNKNOWN_NAME = "unknown_name"
    """A name with a number that matches nothing in the catalog (``ерунда 5``)."""
    NOT_TRACKED = "not_tracked"
    """A catalog KPI or metric the person does not track (``сделки 3``)."""
    NOT_LOGGABLE = "not_loggable"
    """A ratio KPI of the person's: it is computed from its inputs (``конверсия 20%``)."""
    BAD_NUMBER = "bad_number"
    """A known name with a number that cannot be read: ``1e309``, ``45 45``, a 38-digit
    number, ``-5``, ``1.000`` in Russian, ``12%`` for a count."""
    MISSING_NUMBER = "missing_number"
    """A known name without a number (``звонки``)."""
    STRAY = "stray"
    """A part with no name: a number on its own (``17``) or a word that is not a name."""
    DAY_NOT_ALLOWED = "day_not_allowed"
    """A leading date where the day is already set (a reply for a given day)."""
    AMBIGUOUS_DAY = "ambiguous_day"
    """A leading ``1.5`` with no number after it: a date, or the value?"""


@dataclass(frozen=True, slots=True)
class Problem:
    """One part of a quick form that could not be read, and why.

    Attributes:
        kind: What is wrong.
        typed: The part as typed: the number for :attr:`ProblemKind.BAD_NUMBER` (``"1e309"``),
            the name for unknown, not tracked, not loggable and missing numbers, the date for
            the day problems, the text for a stray part.
        message: What to tell the person about this part (a sentence, or for
            ``BAD_NUMBER``/``MISSING_NUMBER`` what is wrong with the number; show it after the
            KPI's label: "Revenue: exponents like 1e5 are not supported...").
        name: The name as typed, when the part had one.
        metric_id: The person's metric the part was for (bad or missing numbers), or the
            catalog KPI/metric id it named (not tracked, not loggable); ``None`` otherwise.
    """

    kind: ProblemKind
    typed: str
    message: Message
    name: str | None = None
    metric_id: str | None = None


@dataclass(frozen=True, slots=True)
class QuickForm:
    """What a quick-form message said.

    ``problems`` lists every part that was not understood, in the order typed; the other
    problem fields are views of it kept for existing renderers. Save nothing while
    :attr:`has_problems` is true.

    Attributes:
        day: The day named at the start (``вчера:``, ``12.05``), if any; a date is never a
            value. Resolve it with :func:`resolve_day` (``None`` there: no such date).
        values: Understood values, in the order typed (a repeated name: the last one wins).
        problems: Every part that was not understood (see :class:`Problem`).
        unknown: Names that match none of the person's KPIs (as typed).
        not_tracked: Names of catalog KPIs/metrics the person does not track: (typed, id).
        not_loggable: Names of the person's ratio KPIs (a conversion is computed from its
            inputs, not logged): (typed, KPI id).
        bad_numbers: A known name with a number that does not parse, or none: (metric id,
            problem); the typed number is in the matching :class:`Problem`.
        leftovers: Parts with no name at all (a stray number), and a date that could not be
            taken as the day, as typed.
    """

    day: DayRef | None = None
    values: tuple[QuickValue, ...] = ()
    unknown: tuple[str, ...] = ()
    not_tracked: tuple[tuple[str, str], ...] = ()
    not_loggable: tuple[tuple[str, str], ...] = ()
    bad_numbers: tuple[tuple[str, Message], ...] = ()
    leftovers: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def has_problems(self) -> bool:
        """True when any part of the message was not understood (then save nothing)."""
        return bool(self.problems or self.unknown or self.not_tracked or self.not_loggable
                    or self.bad_numbers or self.leftovers)

    @property
    def looks_like_a_form(self) -> bool:
        """True when the text had at least one name-number pair (understood or not)."""
        return bool(self.values or self.unknown or self.not_tracked or self.not_loggable
                    or self.bad_numbers)


# Items are separated by newlines, semicolons, a comma followed by a space or a word (a comma
# between digits is part of a number: "1,5 млн"), or "и"/"and" after a number.
_ITEM_SPLIT = re.compile(
    r"[\n;]+|,(?=\s)|,(?=[^\W\d_])|(?<=[\d%₽$€.])\s+(?:и|and)\s+(?=[^\W\d_])"
)
# A number: digits with marks between them or spaces before groups of three ("120 000,50"),
# then whatever is glued to it up to a space or a separator ("1e309", "120к", "35%"), which
# :func:`_number_and_word` sorts out.
_TOKEN = re.compile(
    r"(?P<num>[-+−–]?(?:[₽$€]\s?)?"
    r"\d+(?:(?:[.,]|[ \u00a0\u202f\u2009\u2007](?=\d{3}(?!\d)))\d+)*)"
    r"(?P<tail>[^\s;:=()\[\]{}«»\"“”„]*)"
    r"|(?P<word>[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?|[₽$€%])"
)
_UNIT_WORDS = frozenset({
    "k", "к", "kk", "кк", "m", "mln", "mn", "млн", "млн.", "тыс", "тыс.", "тысяч", "тысячи",
    "тысяча", "thousand", "million", "миллион", "миллиона", "миллионов", "bn", "billion",
    "млрд", "млрд.", "миллиард", "миллиарда", "миллиардов", "₽", "$", "€", "%", "руб",
    "руб.", "р", "р.", "рубль", "рубля", "рублей", "rub", "usd", "eur", "евро",
})
_UNIT_TAIL = re.compile(
    "(?:" + "|".join(re.escape(w) for w in sorted(_UNIT_WORDS, key=len, reverse=True)) + ")+"
)
_SENTENCE_END = ".,!?…"


def _number_and_word(number: str, tail: str) -> tuple[str, str | None]:
    """Split what is glued to a number: a multiplier or currency belongs to it (``120к``), a
    word is a name typed without a space (``35звонков``), anything else makes the number
    unreadable as a whole (``1e309``, ``35-40``, ``1/2``) and goes to the number parser."""
    if not tail or _UNIT_TAIL.fullmatch(tail.lower()):
        return number + tail, None
    if tail.isalpha():
        return number, tail
    return number + tail, None


def _tokens(item: str) -> list[tuple[str, str]]:
    """(kind, text) tokens; a word right after a number that is a multiplier or a currency
    belongs to the number, unless the number ended a sentence ("35." then "k" is not 35k)."""
    tokens: list[tuple[str, str]] = []
    number_end = -1  # where the last number token ended, if it may take a unit word
    unclosed = ""  # the last number as typed, when a sentence mark was taken off it
    for m in _TOKEN.finditer(item):
        if m["num"]:
            tail = m["tail"].rstrip(_SENTENCE_END)
            number, word = _number_and_word(m["num"], tail)
            if unclosed and tokens and tokens[-1][0] == "num":
                # "1. 000" is not 1 000: the mark stays, and the number parser refuses it.
                tokens[-1] = ("num", unclosed)
            unclosed = m["num"] + m["tail"] if tail != m["tail"] and word is None else ""
            tokens.append(("num", number))
            number_end = m.end() if tail == m["tail"] and word is None else -1
            if word is not None:
                tokens.append(("word", word))
        else:
            word = m["word"]
            # Only "120 тыс." takes the unit: not "120. тыс", "120 .k", "120 к-".
            after = item[m.end():m.end() + 1]
            attach = (number_end >= 0 and not item[number_end:m.start()].strip()
                      and (not after.strip() or after in _SENTENCE_END))
            number_end = -1
            unclosed = ""
            if attach and word.lower() in _UNIT_WORDS:
                tokens[-1] = ("num", tokens[-1][1] + " " + word)
            else:
                tokens.append(("word", word))
    return tokens


def _pairs(tokens: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Group tokens into (name, number) pairs, names before or after their numbers."""
    groups: list[tuple[str, str]] = []
    for kind, text in tokens:
        if groups and groups[-1][0] == kind:
            groups[-1] = (kind, groups[-1][1] + " " + text)
        else:
            groups.append((kind, text))
    pairs: list[tuple[str, str]] = []
    leftovers: list[str] = []
    name_first = bool(groups) and groups[0][0] == "word"
    i = 0
    while i < len(groups):
        if i + 1 < len(groups):
            a, b = groups[i], groups[i + 1]
            if name_first and a[0] == "word" and b[0] == "num":
                pairs.append((a[1], b[1]))
                i += 2
                continue
            if not name_first and a[0] == "num" and b[0] == "word":
                pairs.append((b[1], a[1]))
                i += 2
                continue
        kind, text = groups[i]
        if kind == "word":
            pairs.append((text, ""))
        else:
            leftovers.append(text)
        i += 1
    return pairs, leftovers


def parse_quick_form(
    text: str, language: str | None, loggables: Sequence[Loggable], *, allow_day: bool = True
) -> QuickForm:
    """Parse a quick-form message (see the module docs).

    Args:
        text: What the person sent.
        language: Their language (``"ru"``/``"en"``), for reading ``1,000`` and ``1.000``.
        loggables: What they log (:func:`loggables_for` of their KPIs).
        allow_day: Accept a leading day (``вчера:``, ``12.05``). When False (the day is
            already chosen), a leading date is a :attr:`ProblemKind.DAY_NOT_ALLOWED` problem,
            never a value.

    Returns:
        What was understood and every part that was not (:attr:`QuickForm.problems`).
    """
    start, body = _split_day(text)
    values: dict[str, QuickValue] = {}
    unknown: list[str] = []
    not_tracked: list[tuple[str, str]] = []
    not_loggable: list[tuple[str, str]] = []
    bad: list[tuple[str, Message]] = []
    leftovers: list[str] = []
    problems: list[Problem] = []
    day = start.ref if allow_day else None
    if start.ambiguous:
        leftovers.append(start.typed)
        problems.append(Problem(ProblemKind.AMBIGUOUS_DAY, start.typed, Message(
            N_("“{typed}” could be a date or a number. For a date, put a colon after it, like"
               " “12.05: calls 30”; for a number, write it after the name, like"
               " “meetings 1.5”."), {"typed": start.typed})))
    elif start.ref is not None and not allow_day:
        leftovers.append(start.typed)
        problems.append(Problem(ProblemKind.DAY_NOT_ALLOWED, start.typed, Message(
            N_("“{typed}” looks like a date, but the day is already chosen here: send the"
               " results without it."), {"typed": start.typed})))
    tracked_kpis = _tracked_ratio_kpis(loggables)
    for item in _ITEM_SPLIT.split(body):
        if not item.strip():
            continue
        pairs, stray = _pairs(_tokens(item))
        for name, number in pairs:
            target = match_name(name, loggables)
            if target is None:
                known = _catalog_match(name)
                if isinstance(known, Kpi) and known.id in tracked_kpis:
                    not_loggable.append((name, known.id))
                    problems.append(_not_loggable(name, known))
                elif known is not None:
                    not_tracked.append((name, known.id))
                    problems.append(Problem(
                        ProblemKind.NOT_TRACKED, name,
                        Message(N_("“{typed}” ({kpi}) is not among your KPIs."),
                                {"typed": name, "kpi": describe_metric(known.id)}),
                        name=name, metric_id=known.id))
                elif number:
                    unknown.append(name)
                    problems.append(Problem(
                        ProblemKind.UNKNOWN_NAME, name,
                        Message(N_("“{typed}” is not one of your KPIs."), {"typed": name}),
                        name=name))
                else:
                    stray.append(name)
                continue
            problem = _number_problem(number, language, target)
            if isinstance(problem, Problem):
                bad.append((target.metric_id, problem.message))
                problems.append(Problem(problem.kind, problem.typed, problem.message,
                                        name=name, metric_id=target.metric_id))
                continue
            values.pop(target.metric_id, None)
            values[target.metric_id] = QuickValue(target.metric_id, problem, name)
        for part in stray:
            leftovers.append(part)
            problems.append(_stray(part))
    return QuickForm(
        day=day,
        values=tuple(values.values()),
        unknown=tuple(unknown),
        not_tracked=tuple(not_tracked),
        not_loggable=tuple(not_loggable),
        bad_numbers=tuple(bad),
        leftovers=tuple(leftovers),
        problems=tuple(problems),
    )


def _number_problem(number: str, language: str | None, target: Loggable) -> Decimal | Problem:
    """The value of ``number`` for ``target``, or what is wrong with it."""
    if not number:
        return Problem(ProblemKind.MISSING_NUMBER, "", Message(N_("a number is missing")))
    try:
        parsed = parse_number(number, language)
    except NumberError as exc:
        return Problem(ProblemKind.BAD_NUMBER, number, exc.message)
    if parsed.percent and target.unit is not Unit.PERCENT:
        return Problem(ProblemKind.BAD_NUMBER, number, Message(N_("a percentage, not an amount")))
    return parsed.value


def _stray(part: str) -> Problem:
    return Problem(ProblemKind.STRAY, part, Message(
        N_("“{typed}” was not understood: put a KPI name next to each number, like"
           " “calls 35”."), {"typed": part}))


def _not_loggable(name: str, kpi: Kpi) -> Problem:
    inputs = [describe_metric(m.id) for m in kpi.inputs]
    if len(inputs) == 2:
        message = Message(
            N_("“{typed}” is computed from “{first}” and “{second}”: log those instead."),
            {"typed": name, "first": inputs[0], "second": inputs[1]},
        )
    else:
        message = Message(N_("“{typed}” is computed from other numbers: log those instead."),
                          {"typed": name})
    return Problem(ProblemKind.NOT_LOGGABLE, name, message, name=name, metric_id=kpi.id)


def _tracked_ratio_kpis(loggables: Sequence[Loggable]) -> frozenset[str]:
    """KPIs that are computed from the metrics in ``loggables`` (conversions and the like)."""
    return _ratio_kpis_of(frozenset(item.metric_id for item in loggables))


@lru_cache(maxsize=1024)
def _ratio_kpis_of(metric_ids: frozenset[str]) -> frozenset[str]:
    return frozenset(
        kpi.id for kpi in all_kpis()
        if not isinstance(kpi.formula, Direct) and {m.id for m in kpi.inputs} <= metric_ids
    )


# -- a reply to the reminder: numbers in order --------------------------------------------------
_SOFT_SPLIT = re.compile(r"\s*[\n;]\s*|,\s+|\s+-\s+")
_HARD_SPLIT = re.compile(r"[\s,;]+")


def parse_positional(
    text: str, language: str | None, count: int
) -> list[Decimal] | None:
    """Bare numbers in the order the reminder listed the KPIs.

    ``35, 4, 120 000`` (separators: comma and space, semicolon, new line) may give fewer
    numbers than ``count``: the first KPIs get them. Numbers separated by spaces only
    (``35 4 120000``) must be exactly ``count``. Returns ``None`` when the text is not that.
    """
    stripped = text.strip()
    if not stripped or count <= 0:
        return None
    for splitter, exact in ((_SOFT_SPLIT, False), (_HARD_SPLIT, True)):
        parts = [p for p in splitter.split(stripped) if p]
        if not parts or len(parts) > count or (exact and len(parts) != count):
            continue
        values: list[Decimal] = []
        for part in parts:
            if part in ("-", "—", "–"):
                return None
            try:
                parsed = parse_number(part, language)
            except NumberError:
                break
            if parsed.percent:
                break
            values.append(parsed.value)
        else:
            return values
    return None


_NUMBERISH = re.compile(r"[-+−–]?(?:[₽$€]\s?)?\d")


def parse_positional_form(
    text: str, language: str | None, loggables: Sequence[Loggable]
) -> QuickForm | None:
    """Bare numbers in the order of ``loggables``, as a :class:`QuickForm` with problems.

    The same reading as :func:`parse_positional`, but a number that cannot be read (``1e309``,
    a value beyond :data:`~kpi_core.parsing.numbers.MAX_VALUE`, ``-5``, ``12%``) is a
    :attr:`ProblemKind.BAD_NUMBER` problem for the KPI in its place, with the reason, instead
    of no answer at all. Returns ``None`` when the text is not bare numbers (a word in it, an
    empty text, more numbers than KPIs): try :func:`parse_quick_form` then.
    """
    stripped = text.strip()
    count = len(loggables)
    if not stripped or count == 0:
        return None
    first_problems: list[Problem] | None = None
    for splitter, exact in ((_SOFT_SPLIT, False), (_HARD_SPLIT, True)):
        parts = [p for p in splitter.split(stripped) if p]
        if not parts or len(parts) > count or (exact and len(parts) != count):
            continue
        if not all(_NUMBERISH.match(p) for p in parts):
            return None
        values: list[QuickValue] = []
        problems: list[Problem] = []
        for part, target in zip(parts, loggables, strict=False):
            outcome = _number_problem(part, language, target)
            if isinstance(outcome, Problem):
                problems.append(Problem(outcome.kind, outcome.typed, outcome.message,
                                        metric_id=target.metric_id))
            else:
                values.append(QuickValue(target.metric_id, outcome, part))
        if not problems:
            return QuickForm(values=tuple(values))
        # Report the reading that gives each KPI its own number ("35 4 1e309"), else the first.
        if first_problems is None or len(parts) == count:
            first_problems = problems
    if first_problems is None:
        return None
    return QuickForm(
        bad_numbers=tuple((p.metric_id or "", p.message) for p in first_problems),
        problems=tuple(first_problems),
    )


def describe_metric(metric_id: str) -> Message:
    """The display label of a metric: the KPI's short label when it is a KPI of its own."""
    try:
        kpi = get_kpi(metric_id)
    except UnknownKpi:  # a pure input metric has no KPI of its own
        return get_metric(metric_id).name_message
    if isinstance(kpi.formula, Direct):
        return kpi.short_message
    return kpi.name_message

