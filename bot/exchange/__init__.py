"""File formats of ``/export`` and ``/import``: XLSX (openpyxl) and CSV, both ways.

:mod:`bot.exchange.common` names the columns and KPIs in each language,
:mod:`bot.exchange.writers` writes a :class:`~kpi_core.exchange.table.ExportTable`,
:mod:`bot.exchange.readers` decodes a sent file into rows for
:func:`kpi_core.services.exchange.preview_import`.
"""
