"""Exporting and importing entries: the table's shape and row-by-row validation, no file format.

The adapters in ``bot/exchange`` write :class:`~kpi_core.exchange.table.ExportTable` as XLSX or
CSV and decode a sent file into :class:`~kpi_core.exchange.validate.RawRow` values; this package
decides what a row means and whether it may be taken (standard library only).
"""
