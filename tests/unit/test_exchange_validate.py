"""Row-by-row checks of an imported table (pure: no files, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from kpi_core.exchange.table import file_name
from kpi_core.exchange.validate import (
    HISTORY_DAYS,
    Cell,
    Member,
    RawRow,
    RowRef,
    Rules,
    check_rows,
)

TODAY = date(2025, 4, 30)
ANNA = Member(1, 101, "Анна", TODAY)
BORIS = Member(2, 102, "Boris", TODAY)
TEAM = Rules((ANNA, BORIS), own=False, importer=1, authors={101: 1, 102: 2},
             periods=((date(2024, 1, 1), date(2024, 1, 31)),), language="ru",
             names={"выручка": "revenue"})


def row(line: int, **cells: Cell) -> RawRow:
    return RawRow(RowRef(line), cells)


def reasons(*rows: RawRow, rules: Rules = TEAM) -> list[str]:
    checked = check_rows(rows, rules)
    return [r.message.params["reason"].msgid for r in checked.refused]  # type: ignore[attr-defined]


def test_a_row_by_id_or_name_with_russian_numbers_and_dates_is_taken() -> None:
    checked = check_rows([
        row(2, date="30.04.2025", telegram_id=102, kpi_id="cold_calls", value="1 234"),
        row(3, date="2025-04-29", person="анна", kpi="Выручка", value="45 000,50"),
        row(4, date=datetime(2025, 4, 28), telegram_id=101.0, kpi="calls", value=7.0),
    ], TEAM)
    assert checked.ok
    assert [(a.user_id, a.metric_id, a.day, a.value) for a in checked.accepted] == [
        (2, "cold_calls", date(2025, 4, 30), Decimal(1234)),
        (1, "revenue", date(2025, 4, 29), Decimal("45000.50")),
        (1, "cold_calls", date(2025, 4, 28), Decimal(7)),
    ]


def test_each_problem_is_named() -> None:
    found = reasons(
        row(2, date="2025-04-01", telegram_id=101, kpi_id="nonsense", value="1"),
        row(3, date="2025-04-01", telegram_id=101, kpi_id="revenue", value="много"),
        row(4, date="2025-05-01", telegram_id=101, kpi_id="revenue", value="1"),
        row(5, date="2023-01-01", telegram_id=101, kpi_id="revenue", value="1"),
        row(6, date="2025-04-01", telegram_id=999, kpi_id="revenue", value="1"),
        row(7, date="32.13.2025", telegram_id=101, kpi_id="revenue", value="1"),
        row(8, date="2025-04-02", telegram_id=101, kpi_id="cold_calls", value="2,5"),
        row(9, date="2025-04-02", telegram_id=101, kpi_id="revenue", value="-5"),
        row(10, date="2025-04-02", telegram_id=101, kpi_id="revenue", value=""),
    )
    assert found[0] == "unknown KPI “{kpi}”"
    assert found[1] != found[0]  # the number parser's own explanation
    assert found[2] == "{day} is still ahead"
    assert found[3].startswith("{day} is too long ago")
    assert found[4] == "{person} is not in the team"
    assert found[5].startswith("unreadable date")
    assert found[6].startswith("{value} has a fraction")
    assert len(found) == 9


def test_history_goes_back_a_year_or_to_any_plan() -> None:
    year_ago = date.fromordinal(TODAY.toordinal() - HISTORY_DAYS)
    checked = check_rows([
        row(2, date=year_ago.isoformat(), telegram_id=101, kpi_id="revenue", value="1"),
        row(3, date="2024-01-15", telegram_id=101, kpi_id="revenue", value="1"),  # a plan's
    ], TEAM)
    assert checked.ok


def test_duplicates_are_refused_unless_they_are_versions() -> None:
    same = {"date": "2025-04-01", "telegram_id": 101, "kpi_id": "revenue"}
    checked = check_rows([row(2, **same, value="1"), row(3, **same, value="2")], TEAM)
    assert [r.message.params["row"] for r in checked.refused] == ["3"]
    versions = check_rows([row(2, **same, value="1", version=1),
                           row(3, **same, value="", version=2)], TEAM)
    assert versions.ok
    assert [a.value for a in versions.accepted] == [Decimal(1), None]  # 2: a removal


def test_an_own_import_takes_rows_without_a_person_and_refuses_others() -> None:
    own = Rules((BORIS,), own=True, importer=2, language="en")
    checked = check_rows([
        row(2, date="2025-04-01", kpi_id="meetings", value="3", entered_by=101,
            entered_at="2025-04-01 18:00:00"),
        row(3, date="2025-04-01", telegram_id=101, kpi_id="meetings", value="3"),
    ], own)
    assert checked.accepted[0].user_id == 2
    assert checked.accepted[0].entered_by == 2  # nobody else's name on one's own import
    assert checked.accepted[0].entered_at == datetime(2025, 4, 1, 18, 0, tzinfo=UTC)
    assert checked.refused[0].message.params["reason"].msgid.startswith(  # type: ignore[attr-defined]
        "{person} is not you")


def test_blank_rows_are_skipped_and_the_file_name_is_ascii() -> None:
    assert check_rows([row(2, date=None, value="  ")], TEAM).accepted == ()
    assert file_name("Отдел продаж", TODAY, "csv") == "kpi-coach_otdel-prodazh_2025-04-30.csv"
    assert file_name("???", TODAY, "xlsx") == "kpi-coach_entries_2025-04-30.xlsx"
