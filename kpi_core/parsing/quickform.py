"""The quick form: several results in one message, in Russian or English.

Examples of what people send, all understood::

    calls 35, meetings 4, revenue 120 000
    звонки 35, встречи 4, выручка 120 000
    35 звонков; 4 встречи; выручка 1,5 млн
    вчера: звонки 30
    12.05: calls 30

Names are matched against the person's own loggable metrics (:func:`loggables_for`): their
catalog aliases in both languages, their English names, and any extra names the adapter adds
(the translated KPI labels). Matching tolerates Russian word forms (``звонков`` ~ ``звонки``,
``встречу`` ~ ``встречи``) and small typos: one edit in words of five to seven letters, two in
longer words (Damerau-Levenshtein). Ambiguous matches are refused, never guessed.

A reply to the evening reminder may also be bare numbers in the order the reminder listed the
KPIs (:func:`parse_positional`).

Everything here is pure: the result says what was understood and what was not; the use case
in :mod:`kpi_core.services.daily` saves it and the adapter words the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

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
    "QuickForm",
    "QuickValue",
    "describe_metric",
    "loggables_for",
    "match_name",
    "parse_day",
    "parse_positional",
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


def _split_day(text: str) -> tuple[DayRef | None, str]:
    """Split a leading ``вчера:`` / ``12.05:`` / ``yesterday`` off the text."""
    m = _PREFIX.match(text)
    if m is not None:
        ref = parse_day(m["head"])
        if ref is not None:
            return ref, m["rest"]
    normal = text.lstrip()
    lowered = normal.lower().replace("ё", "е")
    for word in sorted(_WORD_DAYS, key=len, reverse=True):
        if lowered.startswith(word) and (len(lowered) == len(word) or not lowered[len(word)].isalnum()):
            return DayRef(days_back=_WORD_DAYS[word]), normal[len(word):].lstrip(" ,;-—–")
    return None, text


# -- the quick form ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QuickValue:
    """One understood value."""

    metric_id: str
    value: Decimal
    typed: str


@dataclass(frozen=True, slots=True)
class QuickForm:
    """What a quick-form message said.

    Attributes:
        day: The day named at the start (``вчера:``), if any.
        values: Understood values, in the order typed (a repeated name: the last one wins).
        unknown: Names that match none of the person's KPIs (as typed).
        not_tracked: Names of catalog KPIs/metrics the person does not track: (typed, id).
        not_loggable: Names of the person's ratio KPIs (a conversion is computed from its
            inputs, not logged): (typed, KPI id).
        bad_numbers: A known name with a number that does not parse: (metric id, problem).
        leftovers: Parts with no name at all (a stray number).
    """

    day: DayRef | None = None
    values: tuple[QuickValue, ...] = ()
    unknown: tuple[str, ...] = ()
    not_tracked: tuple[tuple[str, str], ...] = ()
    not_loggable: tuple[tuple[str, str], ...] = ()
    bad_numbers: tuple[tuple[str, Message], ...] = ()
    leftovers: tuple[str, ...] = ()

    @property
    def has_problems(self) -> bool:
        """True when something in the message was not understood."""
        return bool(self.unknown or self.not_tracked or self.not_loggable or self.bad_numbers
                    or self.leftovers)

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
_TOKEN = re.compile(
    r"(?P<num>[-+−–]?(?:[₽$€]\s?)?\d(?:(?:[.,]|[ \u00a0\u202f](?=\d{3}(?!\d)))?\d)*%?)"
    r"|(?P<word>[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?|[₽$€%])"
)
_UNIT_WORDS = frozenset({
    "k", "к", "kk", "кк", "m", "mln", "mn", "млн", "млн.", "тыс", "тыс.", "тысяч", "тысячи",
    "тысяча", "thousand", "million", "миллион", "миллиона", "миллионов", "bn", "billion",
    "млрд", "млрд.", "миллиард", "миллиарда", "миллиардов", "₽", "$", "€", "%", "руб",
    "руб.", "р", "р.", "рубль", "рубля", "рублей", "rub", "usd", "eur", "евро",
})


def _tokens(item: str) -> list[tuple[str, str]]:
    """(kind, text) tokens; a word right after a number that is a multiplier or a currency
    belongs to the number."""
    tokens: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(item):
        if m["num"]:
            tokens.append(("num", m["num"]))
        else:
            word = m["word"]
            if tokens and tokens[-1][0] == "num" and word.lower() in _UNIT_WORDS:
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
        allow_day: Accept a leading day (``вчера:``).
    """
    day, body = _split_day(text) if allow_day else (None, text)
    values: dict[str, QuickValue] = {}
    unknown: list[str] = []
    not_tracked: list[tuple[str, str]] = []
    not_loggable: list[tuple[str, str]] = []
    bad: list[tuple[str, Message]] = []
    leftovers: list[str] = []
    tracked_kpis = _tracked_ratio_kpis(loggables)
    for item in _ITEM_SPLIT.split(body):
        if not item.strip():
            continue
        pairs, stray = _pairs(_tokens(item))
        leftovers.extend(stray)
        for name, number in pairs:
            target = match_name(name, loggables)
            if target is None:
                known = _catalog_match(name)
                if isinstance(known, Kpi) and known.id in tracked_kpis:
                    not_loggable.append((name, known.id))
                elif known is not None:
                    not_tracked.append((name, known.id))
                elif number:
                    unknown.append(name)
                else:
                    leftovers.append(name)
                continue
            if not number:
                bad.append((target.metric_id, Message(N_("a number is missing"))))
                continue
            try:
                parsed = parse_number(number, language)
            except NumberError as exc:
                bad.append((target.metric_id, exc.message))
                continue
            if parsed.percent and target.unit is not Unit.PERCENT:
                bad.append((target.metric_id, Message(N_("a percentage, not an amount"))))
                continue
            values.pop(target.metric_id, None)
            values[target.metric_id] = QuickValue(target.metric_id, parsed.value, name)
    return QuickForm(
        day=day,
        values=tuple(values.values()),
        unknown=tuple(unknown),
        not_tracked=tuple(not_tracked),
        not_loggable=tuple(not_loggable),
        bad_numbers=tuple(bad),
        leftovers=tuple(leftovers),
    )


def _tracked_ratio_kpis(loggables: Sequence[Loggable]) -> set[str]:
    """KPIs that are computed from the metrics in ``loggables`` (conversions and the like)."""
    ids = {item.metric_id for item in loggables}
    return {
        kpi.id for kpi in all_kpis()
        if not isinstance(kpi.formula, Direct) and {m.id for m in kpi.inputs} <= ids
    }


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


def describe_metric(metric_id: str) -> Message:
    """The display label of a metric: the KPI's short label when it is a KPI of its own."""
    try:
        kpi = get_kpi(metric_id)
    except UnknownKpi:  # a pure input metric has no KPI of its own
        return get_metric(metric_id).name_message
    if isinstance(kpi.formula, Direct):
        return kpi.short_message
    return kpi.name_message

