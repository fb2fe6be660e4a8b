"""Reading an imported table row by row: what each row means, or why it is refused.

The adapters decode a CSV or XLSX file into :class:`RawRow` values (cells by column key, as the
file gave them: text, numbers, dates); :func:`check_rows` turns them into :class:`Accepted`
rows or :class:`Refusal` values that name the row and the reason. Nothing is half-taken: the use
case imports only a table without refusals.

What a row needs:

- a date, ISO (``2025-04-30``) or ``30.04.2025``, not after the person's today and either
  within one of the team's plan periods or within the last :data:`HISTORY_DAYS` days (history
  before the bot was used is welcome, a typo in the year is not);
- a person of the team, by Telegram id or by their name as the bot shows it (a person's own
  import may leave it empty);
- a KPI by catalog id, by name or alias (any language), or by its label in the file's language;
- a value, read with the file's number conventions (``1 234,50`` in a Russian file); counts are
  whole numbers, nothing is negative.

Optional: a version (rows of one entry are then taken in version order, and an empty value of a
versioned row is a removal), the author's Telegram id (kept when they are in the team, else the
importer is the author) and when it was entered (else the moment of the import).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from kpi_core.advice.catalog import Direct, Unit, all_kpis, all_metrics, normalize_alias
from kpi_core.exchange.table import (
    DATE,
    ENTERED_AT,
    ENTERED_BY,
    KPI,
    KPI_ID,
    PERSON,
    TELEGRAM_ID,
    VALUE,
    VERSION,
)
from kpi_core.messages import N_, Message
from kpi_core.parsing.numbers import NumberError, parse_amount

__all__ = [
    "HISTORY_DAYS",
    "Accepted",
    "Cell",
    "Checked",
    "Member",
    "RawRow",
    "Refusal",
    "RowRef",
    "Rules",
    "check_rows",
    "metric_names",
]

HISTORY_DAYS = 366
"""How far back an imported value may go outside the plan periods: a year of history."""

Cell = str | int | float | Decimal | date | datetime | None
"""A cell as the file gave it (``datetime`` is also a ``date``: check it first)."""


@dataclass(frozen=True, slots=True)
class RowRef:
    """Where a row is: its line in the file (the header is line 1) and, in a workbook, the
    sheet."""

    line: int
    sheet: str | None = None

    def message(self, reason: Message) -> Message:
        """``reason`` prefixed with the row's place."""
        if self.sheet is None:
            return Message(N_("Row {row}: {reason}"), {"row": str(self.line), "reason": reason})
        return Message(N_("Sheet “{sheet}”, row {row}: {reason}"),
                       {"sheet": self.sheet, "row": str(self.line), "reason": reason})


@dataclass(frozen=True, slots=True)
class RawRow:
    """One decoded row: cells by column key (see :data:`kpi_core.exchange.table.COLUMNS`)."""

    ref: RowRef
    cells: Mapping[str, Cell]


@dataclass(frozen=True, slots=True)
class Member:
    """Someone whose rows may be imported.

    Attributes:
        user_id: Their id in the bot.
        telegram_id: Their Telegram id.
        name: Their name as the bot shows it.
        today: Their local date now (no row may be later).
    """

    user_id: int
    telegram_id: int
    name: str
    today: date


@dataclass(frozen=True, slots=True)
class Rules:
    """What the rows are checked against.

    Attributes:
        people: Whose rows may be imported (the team's current members, or the person alone).
        own: A person's own import: rows without a person are theirs, others are refused.
        importer: The user id of whoever imports (the author when the file names none).
        authors: Telegram id → user id of the people an author may be (the team's members,
            past ones too); another author in the file becomes the importer.
        periods: The team's plan periods (inclusive), where any past date is accepted.
        language: The file's number conventions (``"ru"``: ``1 234,5``).
        names: Extra KPI names, normalised (:func:`kpi_core.advice.catalog.normalize_alias`),
            to metric ids: the labels in the reader's language.
    """

    people: tuple[Member, ...]
    own: bool
    importer: int
    authors: Mapping[int, int] = field(default_factory=dict)
    periods: tuple[tuple[date, date], ...] = ()
    language: str = "en"
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A row that may be taken.

    Attributes:
        ref: Where it was.
        user_id: Whose entry.
        metric_id: Which metric.
        day: For which day.
        value: The value; ``None``: a removal (a versioned row without a value).
        version: The file's version number, if given (only orders the rows of one entry).
        entered_by: The author's user id.
        entered_at: When it was entered (aware UTC), if the file says.
    """

    ref: RowRef
    user_id: int
    metric_id: str
    day: date
    value: Decimal | None
    version: int | None
    entered_by: int
    entered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row that cannot be taken, and why (the message names the row)."""

    ref: RowRef
    message: Message


@dataclass(frozen=True, slots=True)
class Checked:
    """Every row of a table, taken or refused (in file order)."""

    accepted: tuple[Accepted, ...]
    refused: tuple[Refusal, ...]

    @property
    def ok(self) -> bool:
        """Something to import and nothing refused."""
        return bool(self.accepted) and not self.refused


class _Refused(Exception):
    def __init__(self, reason: Message) -> None:
        super().__init__(reason.msgid)
        self.reason = reason


def metric_names(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every name that identifies a loggable metric, normalised, to its id: the catalog's ids,
    names and aliases (a single-metric KPI's too), then ``extra`` (normalised here)."""
    found: dict[str, str] = {}
    for metric in all_metrics():
        for name in (metric.id, metric.name, *metric.aliases):
            found.setdefault(normalize_alias(name), metric.id)
    for kpi in all_kpis():
        if isinstance(kpi.formula, Direct):
            for name in (kpi.id, kpi.name, kpi.short, *kpi.aliases):
                found.setdefault(normalize_alias(name), kpi.formula.metric.id)
    for name, metric_id in (extra or {}).items():
        found.setdefault(normalize_alias(name), metric_id)
    return found


def _units() -> dict[str, Unit]:
    return {metric.id: metric.unit for metric in all_metrics()}


def check_rows(rows: Iterable[RawRow], rules: Rules) -> Checked:
    """Check every row; see the module's docstring for what a row needs.

    Entirely empty rows are skipped. Two rows for the same person, KPI and day are refused as
    duplicates unless both carry different versions.
    """
    names = metric_names(rules.names)
    units = _units()
    by_telegram = {m.telegram_id: m for m in rules.people}
    by_name: dict[str, list[Member]] = {}
    for member in rules.people:
        by_name.setdefault(normalize_alias(member.name), []).append(member)
    seen: dict[tuple[int, str, date], dict[int | None, RowRef]] = {}
    accepted: list[Accepted] = []
    refused: list[Refusal] = []
    for row in rows:
        if all(_blank(cell) for cell in row.cells.values()):
            continue
        try:
            taken = _check(row, rules, names, units, by_telegram, by_name)
            key = (taken.user_id, taken.metric_id, taken.day)
            versions = seen.setdefault(key, {})
            if taken.version is None:  # without versions, one row per entry
                earlier = next(iter(versions.values()), None)
            else:
                earlier = versions.get(taken.version) or versions.get(None)
            if earlier is not None:
                raise _Refused(Message(N_("the same entry as row {other}"),
                                       {"other": str(earlier.line)}))
            versions[taken.version] = row.ref
        except _Refused as problem:
            refused.append(Refusal(row.ref, row.ref.message(problem.reason)))
            continue
        accepted.append(taken)
    return Checked(tuple(accepted), tuple(refused))


def _check(
    row: RawRow,
    rules: Rules,
    names: Mapping[str, str],
    units: Mapping[str, Unit],
    by_telegram: Mapping[int, Member],
    by_name: Mapping[str, list[Member]],
) -> Accepted:
    cells = row.cells
    member = _person(cells.get(TELEGRAM_ID), cells.get(PERSON), rules, by_telegram, by_name)
    metric_id = _metric(cells.get(KPI_ID), cells.get(KPI), names)
    day = _day(cells.get(DATE), member, rules)
    version = _version(cells.get(VERSION))
    value = _value(cells.get(VALUE), units.get(metric_id, Unit.COUNT), rules.language,
                   versioned=version is not None)
    author = rules.importer
    written_by = _whole(cells.get(ENTERED_BY))
    if not rules.own and written_by is not None:
        author = rules.authors.get(written_by, rules.importer)
    return Accepted(row.ref, member.user_id, metric_id, day, value, version, author,
                    _moment(cells.get(ENTERED_AT)))


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


def _whole(cell: Cell) -> int | None:
    """A whole number (a Telegram id, a version), or ``None`` when the cell is not one."""
    if isinstance(cell, bool) or _blank(cell):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float | Decimal):
        return int(cell) if cell == int(cell) else None
    text = _text(cell)
    return int(text) if re.fullmatch(r"-?\d{1,19}", text) else None


def _person(
    telegram_cell: Cell,
    name_cell: Cell,
    rules: Rules,
    by_telegram: Mapping[int, Member],
    by_name: Mapping[str, list[Member]],
) -> Member:
    telegram_id = _whole(telegram_cell)
    name = _text(name_cell)
    if telegram_id is None and not _blank(telegram_cell):
        raise _Refused(Message(N_("“{text}” is not a Telegram id"),
                               {"text": _text(telegram_cell)}))
    if telegram_id is not None:
        found = by_telegram.get(telegram_id)
        if found is None:
            return _stranger(name or str(telegram_id), rules)
        return found
    if name:
        matches = by_name.get(normalize_alias(name), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise _Refused(Message(N_("there are several people called {person}: give their "
                                      "Telegram id"), {"person": name}))
        return _stranger(name, rules)
    if rules.own and len(rules.people) == 1:
        return rules.people[0]
    raise _Refused(Message(N_("no person: give their Telegram id or name")))


def _stranger(name: str, rules: Rules) -> Member:
    if rules.own:
        raise _Refused(Message(N_("{person} is not you: you can import your own entries only"),
                               {"person": name}))
    raise _Refused(Message(N_("{person} is not in the team"), {"person": name}))


def _metric(id_cell: Cell, name_cell: Cell, names: Mapping[str, str]) -> str:
    for cell in (id_cell, name_cell):
        text = _text(cell)
        if text and normalize_alias(text) in names:
            return names[normalize_alias(text)]
    given = _text(id_cell) or _text(name_cell)
    if not given:
        raise _Refused(Message(N_("no KPI")))
    raise _Refused(Message(N_("unknown KPI “{kpi}”"), {"kpi": given}))


_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _day(cell: Cell, member: Member, rules: Rules) -> date:
    day = _date_of(cell)
    if day > member.today:
        raise _Refused(Message(N_("{day} is still ahead"), {"day": day}))
    earliest = member.today - timedelta(days=HISTORY_DAYS)
    if day < earliest and not any(start <= day <= end for start, end in rules.periods):
        raise _Refused(Message(N_("{day} is too long ago: history can go back to {earliest}, "
                                  "or to the start of a plan"),
                               {"day": day, "earliest": earliest}))
    return day


def _date_of(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not text:
        raise _Refused(Message(N_("no date")))
    try:
        if dotted := _DOTTED.fullmatch(text):
            day, month, year = (int(part) for part in dotted.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).date()  # "2025-04-30 00:00:00" from a sheet
    except ValueError:
        pass
    raise _Refused(Message(N_("unreadable date “{text}”: write it as 2025-04-30 or 30.04.2025"),
                           {"text": text}))


def _version(cell: Cell) -> int | None:
    if _blank(cell):
        return None
    version = _whole(cell)
    if version is None or version < 1:
        raise _Refused(Message(N_("unreadable version “{text}”"), {"text": _text(cell)}))
    return version


def _value(cell: Cell, unit: Unit, language: str, *, versioned: bool) -> Decimal | None:
    if _blank(cell):
        if versioned:  # an exported removal (an undone value): the version had no value
            return None
        raise _Refused(Message(N_("no value")))
    if isinstance(cell, bool | date):
        raise _Refused(Message(N_("unreadable number “{text}”"), {"text": _text(cell)}))
    try:
        if isinstance(cell, int | float | Decimal):
            # A spreadsheet's number: its shortest exact form, read like typed text.
            exact = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
            value = parse_amount(f"{exact:f}", "en")
        else:
            value = parse_amount(_text(cell), language)
    except (NumberError, InvalidOperation, ValueError) as problem:
        reason = problem.message if isinstance(problem, NumberError) else Message(
            N_("unreadable number “{text}”"), {"text": _text(cell)})
        raise _Refused(reason) from None
    if unit is Unit.COUNT and value != value.to_integral_value():
        raise _Refused(Message(N_("{value} has a fraction: this KPI is counted in whole "
                                  "numbers"), {"value": value}))
    return value


def _moment(cell: Cell) -> datetime | None:
    if _blank(cell):
        return None
    if isinstance(cell, datetime):
        moment = cell
    else:
        text = _text(cell)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _Refused(Message(N_("unreadable time “{text}”: write it as "
                                      "2025-04-30 18:05:00"), {"text": text})) from None
    if moment.tzinfo is None:  # spreadsheets have no time zones: the column says UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
