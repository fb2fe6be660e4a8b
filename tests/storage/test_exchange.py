"""Export → import into an empty database gives the same entries and revisions (SQLite and
PostgreSQL), through the real XLSX and CSV files; the files are what a spreadsheet expects."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from bot.exchange.readers import read_table
from bot.exchange.writers import write_csv, write_xlsx
from bot.storage import make_engine, upgrade
from bot.storage.uow import uow_factory
from kpi_core.exchange.table import Scope
from kpi_core.ports import UnitOfWork
from kpi_core.services import exchange
from tests.exchange_world import ANNA, BORIS, NOW, build_team, deps, log_history, snapshot, who
from tests.fakes import ManualClock

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


Database = Callable[[str, ManualClock], Callable[[], UnitOfWork]]


@pytest.fixture
def database(fresh_url: Callable[[str], str]) -> Iterator[Database]:
    """``database(backend, clock)``: a new migrated database's unit-of-work factory."""
    engines: list[Engine] = []

    def make(backend: str, clock: ManualClock) -> Callable[[], UnitOfWork]:
        engine = make_engine(fresh_url(backend))
        engines.append(engine)
        upgrade(engine)
        return uow_factory(engine, clock)

    yield make
    for engine in engines:
        engine.dispose()


def _file(table: exchange.ExportTable, kind: str) -> bytes:
    if kind == "xlsx":
        out = io.BytesIO()
        write_xlsx(table, out)
        return out.getvalue()
    text = io.StringIO(newline="")
    write_csv(table, text)
    return text.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_export_then_import_into_an_empty_database_gives_the_same_history(
    backend: str, language: str, kind: str, database: Database
) -> None:
    clock = ManualClock(NOW)
    source = database(backend, clock)
    ids = build_team(source)
    log_history(source, ids)
    table = exchange.export_table(source(), deps(clock), who(ANNA, language), Scope.TEAM)
    data = _file(table, kind)

    target = database(backend, clock)
    new_ids = build_team(target)
    shown = exchange.preview_import(target(), deps(clock), who(ANNA, language),
                                    read_table(data, f"team.{kind}", language))
    assert shown.refused == ()
    assert shown.accepted == len(table.rows) == 70
    assert shown.removals == 1
    assert shown.token is not None
    done = exchange.confirm_import(target(), deps(clock), who(ANNA, language), shown.token)
    assert (done.versions, done.entries) == (70, 68)
    assert snapshot(target, new_ids) == snapshot(source, ids)
    # The same file again changes nothing: every entry already holds its last value.
    again = exchange.preview_import(target(), deps(clock), who(ANNA, language),
                                    read_table(data, f"team.{kind}", language))
    assert again.token is not None
    repeat = exchange.confirm_import(target(), deps(clock), who(ANNA, language), again.token)
    assert repeat.versions == 0
    assert snapshot(target, new_ids) == snapshot(source, ids)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_bad_row_in_a_thousand_imports_nothing_and_names_it(
    backend: str, database: Database
) -> None:
    clock = ManualClock(NOW)
    new_uow = database(backend, clock)
    ids = build_team(new_uow)
    metrics = ["cold_calls", "meetings", "revenue", "leads", "proposals_sent", "closed_deals",
               "qualified_leads", "new_customers", "opportunities", "invoices_issued"]
    rows = ["Date,Telegram id,KPI id,Value"]
    for n in range(1000):  # distinct: 2 people x 10 KPIs x 50 days
        day = NOW.date() - timedelta(days=n // 20)
        rows.append(f"{day.isoformat()},{(ANNA, BORIS)[n % 2]},{metrics[(n // 2) % 10]},{n}")
    rows[734] = rows[734].rsplit(",", 1)[0] + ",12 штук"  # line 735: the header is line 1
    data = ("\n".join(rows) + "\n").encode()
    shown = exchange.preview_import(new_uow(), deps(clock), who(ANNA),
                                    read_table(data, "big.csv", "en"))
    assert shown.refused_count == 1
    assert shown.refused[0].msgid == "Row {row}: {reason}"
    assert shown.refused[0].params["row"] == "735"
    assert shown.accepted == 999
    assert shown.token is None  # nothing to confirm
    with new_uow() as uow:
        assert uow.entries.in_range([ids.anna, ids.boris], date(2025, 1, 1), NOW.date()) == []
    with pytest.raises(exchange.NothingPending):
        exchange.confirm_import(new_uow(), deps(clock), who(ANNA), "anything")


def test_the_workbook_has_typed_cells_formats_formulas_and_frozen_headers(
    database: Database
) -> None:
    clock = ManualClock(NOW)
    new_uow = database("sqlite", clock)
    ids = build_team(new_uow)
    log_history(new_uow, ids)
    table = exchange.export_table(new_uow(), deps(clock), who(ANNA, "ru"), Scope.TEAM)
    wb = load_workbook(io.BytesIO(_file(table, "xlsx")))
    assert wb.sheetnames == ["Итоги", "Выручка", "Звонки", "Встречи", "История"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
    revenue = wb["Выручка"]
    assert [c.value for c in revenue[1]][:6] == ["Дата", "Сотрудник", "Telegram id",
                                                  "id показателя", "Показатель", "Значение"]
    assert revenue.column_dimensions["B"].width >= 20
    first = revenue[2]
    assert isinstance(first[0].value, datetime | date)
    assert first[0].is_date
    assert first[0].number_format == "dd.mm.yyyy"
    assert first[2].value == ANNA
    assert isinstance(first[5].value, float | int)
    assert Decimal(repr(first[5].value)) == Decimal("45000.50")
    assert "₽" in first[5].number_format
    assert isinstance(first[8].value, datetime)
    summary = wb["Итоги"]
    line = [c.value for c in summary[2]]
    assert line[:2] == ["Выручка", "revenue"]
    assert line[2] == "=COUNT('Выручка'!F2:F21)"  # 21 days, one of them undone
    assert line[3] == "=SUM('Выручка'!F2:F21)"
    assert "₽" in summary["D2"].number_format
    assert summary["E2"].value == "=MIN('Выручка'!A2:A21)"
    history = wb["История"]
    assert history.max_row == 1 + 3  # two first versions and a removal


def test_the_csv_has_a_bom_and_the_locales_delimiter(database: Database) -> None:
    clock = ManualClock(NOW)
    new_uow = database("sqlite", clock)
    ids = build_team(new_uow)
    log_history(new_uow, ids)
    for language, header, value in (
        ("ru", "Дата;Сотрудник;Telegram id;", ";45000,50;"),
        ("en", "Date,Person,Telegram id,", ",45000.50,"),
    ):
        table = exchange.export_table(new_uow(), deps(clock), who(ANNA, language), Scope.OWN)
        data = _file(table, "csv")
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        assert text.startswith(header)
        assert value in text
        assert {row.telegram_id for row in table.rows} == {ANNA}
