"""Writing an export: an XLSX workbook (openpyxl, write-only: rows stream to disk) or a CSV.

The workbook: a *Summary* sheet first, with one line per KPI whose count, total and first and
last day are formulas over that KPI's sheet (so a user can check them, and they follow edits);
then a sheet per KPI with the values in force; then a *History* sheet with every earlier
version and every removed value. Every sheet has the same columns (:data:`COLUMNS`), typed
cells (dates as dates, values as numbers with the currency's format), a frozen header row and
column widths that fit. An import reads the KPI and history sheets back.

The CSV: every version in one table, UTF-8 with a BOM (so that Excel opens Cyrillic), ``;``
with a decimal comma in Russian, ``,`` and a point in English.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.exchange.common import (
    CSV_DELIMITERS,
    DATETIME_FORMAT,
    date_format,
    titles,
    value_format,
)
from bot.i18n import translator
from kpi_core.exchange.table import ExportRow, ExportTable

__all__ = ["sheet_names", "write_csv", "write_xlsx"]

WIDTHS = (12, 24, 14, 24, 28, 16, 9, 16, 20)
"""Column widths in characters, in :data:`kpi_core.exchange.table.COLUMNS` order."""
VALUE_COLUMN = "F"
DATE_COLUMN = "A"
_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_names(table: ExportTable) -> dict[str, str]:
    """Metric id → its sheet's name: the KPI's label, at most 31 characters, unique."""
    t = translator(table.language)
    taken = {t._("Summary").lower(), t._("History").lower()}
    found: dict[str, str] = {}
    for kpi in table.kpis:
        base = " ".join(t.render(kpi.label).translate(_FORBIDDEN).split())[:31].strip("'")
        name, n = base or kpi.metric_id[:31], 2
        while name.lower() in taken:
            suffix = f" {n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        found[kpi.metric_id] = name
    return found


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _sheet(wb: Workbook, title: str, headers: list[str], widths: Iterable[int]) -> Any:
    ws: WriteOnlyWorksheet = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append(headers)
    return ws


def _row_cells(ws: Any, row: ExportRow, table: ExportTable, label: str) -> list[Any]:
    def cell(value: Any, number_format: str | None = None) -> WriteOnlyCell:
        made = WriteOnlyCell(ws, value=value)
        if number_format is not None:
            made.number_format = number_format
        return made

    fmt = value_format(table.unit_of(row.metric_id), table.currency, table.language)
    at = row.entered_at.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    return [
        cell(row.day, date_format(table.language)),
        cell(row.person),
        cell(row.telegram_id, "0"),
        cell(row.metric_id),
        cell(label),
        cell(row.value, fmt),
        cell(row.version, "0"),
        cell(row.entered_by, "0"),
        cell(at, DATETIME_FORMAT),
    ]


def write_xlsx(table: ExportTable, out: str | IO[bytes]) -> None:
    """Write ``table`` as a workbook to a path or a binary file."""
    t = translator(table.language)
    wb = Workbook(write_only=True)
    headers = titles(table.language)
    names = sheet_names(table)
    labels = {k.metric_id: t.render(k.label) for k in table.kpis}
    summary = _sheet(wb, t._("Summary"), [
        # Translators: headers of the summary sheet of an exported workbook.
        t._("KPI"), t._("KPI id"), t._("Entries"), t._("Total"), t._("First day"),
        t._("Last day"),
    ], (28, 24, 10, 18, 12, 12))
    for kpi in table.kpis:
        rows = table.in_force(kpi.metric_id)
        ws = _sheet(wb, names[kpi.metric_id], headers, WIDTHS)
        for row in rows:
            ws.append(_row_cells(ws, row, table, labels[kpi.metric_id]))
        sheet, last = _quoted(names[kpi.metric_id]), len(rows) + 1
        values = f"{sheet}!{VALUE_COLUMN}2:{VALUE_COLUMN}{max(last, 2)}"
        days = f"{sheet}!{DATE_COLUMN}2:{DATE_COLUMN}{max(last, 2)}"
        total = WriteOnlyCell(summary, value=f"=SUM({values})")
        total.number_format = value_format(kpi.unit, table.currency, table.language)
        first = WriteOnlyCell(summary, value=f"=MIN({days})")
        final = WriteOnlyCell(summary, value=f"=MAX({days})")
        first.number_format = final.number_format = date_format(table.language)
        summary.append([labels[kpi.metric_id], kpi.metric_id, f"=COUNT({values})", total,
                        first, final])
    older = table.history()
    if older:
        ws = _sheet(wb, t._("History"), headers, WIDTHS)
        for row in older:
            label = labels.get(row.metric_id, row.metric_id)
            ws.append(_row_cells(ws, row, table, label))
    wb.save(out)


def csv_lines(table: ExportTable) -> Iterator[list[str]]:
    """The CSV's rows as text, header first (numbers and dates in the file's conventions)."""
    t = translator(table.language)
    labels = {k.metric_id: t.render(k.label) for k in table.kpis}
    comma = CSV_DELIMITERS.get(table.language) == ";"
    yield titles(table.language)
    for row in table.rows:
        value = "" if row.value is None else f"{row.value:f}"
        day = row.day.strftime("%d.%m.%Y") if table.language == "ru" else row.day.isoformat()
        at = row.entered_at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        yield [day, row.person, str(row.telegram_id), row.metric_id,
               labels.get(row.metric_id, row.metric_id),
               value.replace(".", ",") if comma else value, str(row.version),
               "" if row.entered_by is None else str(row.entered_by), at]


def write_csv(table: ExportTable, out: IO[str]) -> None:
    """Write ``table`` as CSV, row by row, to a text file opened with ``newline=""`` and
    ``encoding="utf-8-sig"`` (the BOM)."""
    writer = csv.writer(out, delimiter=CSV_DELIMITERS.get(table.language, ","))
    for line in csv_lines(table):
        writer.writerow(line)
