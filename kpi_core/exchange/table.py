"""The table of entries that ``/export`` writes and ``/import`` reads, in any file format.

One row is one *version* of an entry: the version in force (``current``) and every earlier one,
so that exporting and importing into an empty database gives the same entries with the same
history. A person is named twice: by their name (what an owner recognises and can type) and by
their Telegram id (stable; a name can change or be shared). The KPI is named twice too: by its
catalog id (stable, any language) and by its label in the reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from kpi_core.advice.catalog import Unit
from kpi_core.messages import N_, Message

__all__ = [
    "COLUMNS",
    "Column",
    "ExportKpi",
    "ExportRow",
    "ExportTable",
    "Scope",
    "file_name",
]


class Scope(StrEnum):
    """Whose entries: the person's own, or their whole team's (owners and admins)."""

    OWN = "own"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the table: a stable key (also accepted as a header) and its title."""

    key: str
    title: str


DATE, PERSON, TELEGRAM_ID, KPI_ID, KPI = "date", "person", "telegram_id", "kpi_id", "kpi"
VALUE, VERSION, ENTERED_BY, ENTERED_AT = "value", "version", "entered_by", "entered_at"

COLUMNS: tuple[Column, ...] = (
    # Translators: column headers of the exported table (a spreadsheet); keep them short.
    Column(DATE, N_("Date")),
    Column(PERSON, N_("Person")),
    Column(TELEGRAM_ID, N_("Telegram id")),
    Column(KPI_ID, N_("KPI id")),
    Column(KPI, N_("KPI")),
    Column(VALUE, N_("Value")),
    Column(VERSION, N_("Version")),
    Column(ENTERED_BY, N_("Entered by (Telegram id)")),
    Column(ENTERED_AT, N_("Entered at (UTC)")),
)
"""In file order. Only date, a person (for a team's file), KPI and value are needed to import."""


@dataclass(frozen=True, slots=True)
class ExportKpi:
    """A metric that has entries in the export: one sheet of the workbook."""

    metric_id: str
    label: Message
    unit: Unit


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One version of one entry.

    Attributes:
        day: The person's local date the value is for.
        person: Their name as shown in the bot.
        telegram_id: Their Telegram id.
        metric_id: The catalog id the entry is stored under.
        value: The value of this version; ``None``: the entry was removed (undone).
        version: 1 for the first value, then one more per correction.
        entered_by: The Telegram id of whoever entered it; ``None`` when they erased themselves.
        entered_at: When (aware UTC).
        current: This version is the one in force.
    """

    day: date
    person: str
    telegram_id: int
    metric_id: str
    value: Decimal | None
    version: int
    entered_by: int | None
    entered_at: datetime
    current: bool


@dataclass(frozen=True, slots=True)
class ExportTable:
    """What an export holds, ready for a file writer.

    Attributes:
        scope: The person's own entries or the team's.
        title: The team's name (a team export) or the person's name.
        currency: The plan's currency (money values).
        language: The reader's language.
        made_on: The person's local date of the export (the file name says it).
        kpis: The metrics with entries, in the person's order, then the rest by id.
        rows: By metric (in ``kpis`` order), day, person, version.
    """

    scope: Scope
    title: str
    currency: str
    language: str
    made_on: date
    kpis: tuple[ExportKpi, ...]
    rows: tuple[ExportRow, ...]

    def in_force(self, metric_id: str) -> list[ExportRow]:
        """The values in force of one metric (its sheet): current versions with a value."""
        return [r for r in self.rows
                if r.metric_id == metric_id and r.current and r.value is not None]

    def history(self) -> list[ExportRow]:
        """Every other version: earlier values, and removed entries (the history sheet)."""
        return [r for r in self.rows if not r.current or r.value is None]

    def unit_of(self, metric_id: str) -> Unit:
        """The unit of a metric of this table (a count when unknown)."""
        return next((k.unit for k in self.kpis if k.metric_id == metric_id), Unit.COUNT)


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def file_name(title: str, made_on: date, extension: str) -> str:
    """``kpi-coach_<title>_<yyyy-mm-dd>.<extension>``, ASCII only (Cyrillic transliterated), so
    that every mail client and file system keeps it.

    >>> from datetime import date
    >>> file_name("Отдел продаж", date(2025, 4, 30), "xlsx")
    'kpi-coach_otdel-prodazh_2025-04-30.xlsx'
    """
    spelled = "".join(_CYRILLIC.get(ch, ch) for ch in title.lower())
    ascii_only = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_only).strip("-")[:40].strip("-") or "entries"
    return f"kpi-coach_{slug}_{made_on.isoformat()}.{extension}"
