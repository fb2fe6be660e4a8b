"""Decoding a sent file into rows: an XLSX workbook (openpyxl, read-only) or a CSV.

A CSV may be UTF-8 (with or without a BOM) or Windows-1251 (what a Russian Excel saves as
"CSV"); its delimiter is sniffed (``;``, ``,`` or a tab), and ``;`` means a decimal comma. A
workbook's sheets are read when their first row is a header this bot knows (in any of its
languages, or the column keys); the others (the summary of an export) are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import load_workbook

from bot.exchange.common import header_keys, kpi_labels
from kpi_core.advice.catalog import normalize_alias
from kpi_core.errors import DomainError
from kpi_core.exchange.table import DATE, KPI, KPI_ID, VALUE
from kpi_core.exchange.validate import Cell, RawRow, RowRef
from kpi_core.messages import N_, Message
from kpi_core.services.exchange import MAX_IMPORT_ROWS, ImportTable, TooManyRows

__all__ = ["UnreadableFile", "read_table"]


class UnreadableFile(DomainError):
    """Not a CSV or XLSX file this bot can read, or no known header."""


_NO_HEADER = N_(
    "I could not find a header row I know. The first row must name the columns, e.g. "
    "Date, Person, Telegram id, KPI, Value (the columns of a file from /export)."
)


def _columns(header: Sequence[Any]) -> dict[int, str] | None:
    """Column index → key, or ``None`` when a needed column is missing."""
    keys = header_keys()
    found: dict[int, str] = {}
    for index, title in enumerate(header):
        key = keys.get(normalize_alias(str(title))) if title is not None else None
        if key is not None and key not in found.values():
            found[index] = key
    present = set(found.values())
    if DATE in present and VALUE in present and present & {KPI, KPI_ID}:
        return found
    return None


def _row(cells: Sequence[Any], columns: dict[int, str], ref: RowRef) -> RawRow:
    values: dict[str, Cell] = {}
    for index, key in columns.items():
        values[key] = cells[index] if index < len(cells) else None
    return RawRow(ref, values)


def read_table(data: bytes, file_name: str, language: str) -> ImportTable:
    """The rows of a CSV or XLSX file.

    Args:
        data: The file's bytes.
        file_name: Its name (shown in the preview).
        language: The reader's language: how numbers typed as text in a workbook are read.

    Raises:
        UnreadableFile: not a file this bot reads, or no known header.
        TooManyRows: more rows than an import takes.
    """
    rows: Iterable[RawRow]
    if data[:4] == b"PK\x03\x04":
        rows, file_language = _xlsx_rows(data), language
    else:
        rows, file_language = _csv_rows(data)
    collected: list[RawRow] = []
    for row in rows:
        collected.append(row)
        if len(collected) > MAX_IMPORT_ROWS:
            raise TooManyRows(len(collected))
    return ImportTable(tuple(collected), file_language, kpi_labels(), file_name)


def _xlsx_rows(data: bytes) -> list[RawRow]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(Message(N_(
            "I could not open this workbook. Save it as .xlsx (or .csv) and send it again."
        ))) from exc
    try:
        found: list[RawRow] = []
        known = False
        for ws in wb.worksheets:
            lines = ws.iter_rows(values_only=True)
            header = next(lines, None)
            columns = _columns(header) if header is not None else None
            if columns is None:
                continue
            known = True
            found.extend(_row(cells, columns, RowRef(number, ws.title))
                         for number, cells in enumerate(lines, start=2))
            if len(found) > MAX_IMPORT_ROWS:
                raise TooManyRows(len(found))
        if not known:
            raise UnreadableFile(Message(_NO_HEADER))
        return found
    finally:
        wb.close()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(Message(N_(
        "I could not read this file: send a CSV (UTF-8) or an XLSX workbook."
    )))


def _csv_rows(data: bytes) -> tuple[Iterator[RawRow], str]:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(Message(N_(
            "I could not read this file: send a CSV (UTF-8) or an XLSX workbook."
        )))
    text = _decode(data)
    first = text[:4096].split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    columns = _columns(header) if header else None
    if columns is None:
        raise UnreadableFile(Message(_NO_HEADER))
    language = "ru" if delimiter == ";" else "en"

    def rows() -> Iterator[RawRow]:
        for number, cells in enumerate(reader, start=2):
            yield _row(cells, columns, RowRef(number))

    return rows(), language
