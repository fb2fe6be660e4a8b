"""One update, one unit of work: a typed log line is one transaction with one commit.

Counted on the real SQL unit of work over SQLite, through the real Application: every
connection checked out of the pool is a unit of work, every COMMIT is counted, and so is every
SQL statement (a handful, not the forty of the old path).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.telegram.context import Services
from tests.bot.harness import BotHarness
from tests.services.daily_world import person

NOVEMBER = (date(2025, 11, 1), date(2025, 11, 30))
MONDAY = date(2025, 11, 24)


@dataclass
class Counts:
    checkouts: int = 0
    commits: int = 0
    statements: list[str] = field(default_factory=list)


@pytest.fixture
def counts(db_engine: Engine) -> Iterator[Counts]:
    found = Counts()

    def checkout(*_: Any) -> None:
        found.checkouts += 1

    def commit(*_: Any) -> None:
        found.commits += 1

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        found.statements.append(sql)

    event.listen(db_engine.pool, "checkout", checkout)
    event.listen(db_engine, "commit", commit)
    event.listen(db_engine, "before_cursor_execute", statement)
    yield found
    event.remove(db_engine.pool, "checkout", checkout)
    event.remove(db_engine, "commit", commit)
    event.remove(db_engine, "before_cursor_execute", statement)


def _reset(counts: Counts) -> None:
    counts.checkouts = counts.commits = 0
    counts.statements.clear()


@pytest.mark.parametrize("text", ["calls 35, meetings 4, revenue 120 000",
                                  "звонки 35, встречи 4, выручка 120 000"])
async def test_a_typed_log_line_is_one_unit_of_work(
    harness: BotHarness, services: Services, counts: Counts, text: str
) -> None:
    user_id, _ = person(services.uow_factory, 42, name="Anna", period=NOVEMBER,
                        targets={"cold_calls": 380, "meetings": 38, "revenue": 1_900_000},
                        )
    await harness.send(42, "calls 1")  # warm up: the first update opens the pool
    _reset(counts)
    await harness.send(42, text)
    assert harness.last_message(42).text.startswith("✅ Saved for today:")
    assert counts.checkouts == 1, "one unit of work for the whole update"
    assert counts.commits == 1, "one commit"
    assert len(counts.statements) <= 20, counts.statements
    with services.uow_factory() as uow:
        logged = {e.kpi_id: e.value for e in uow.entries.in_range([user_id], MONDAY, MONDAY)}
    assert logged == {"cold_calls": Decimal(35), "meetings": Decimal(4),
                      "revenue": Decimal(120000)}


async def test_a_button_press_is_one_unit_of_work(
    harness: BotHarness, services: Services, counts: Counts
) -> None:
    person(services.uow_factory, 42, name="Anna", period=NOVEMBER,
           targets={"cold_calls": 380})
    await harness.send(42, "/log")
    _reset(counts)
    await harness.click(42, "Calls")
    assert harness.last_message(42).text == "Send the number for Calls (today)."
    assert (counts.checkouts, counts.commits) == (1, 1)
    _reset(counts)
    await harness.send(42, "35")
    assert harness.last_message(42).text.startswith("✅ Saved for today:")
    assert (counts.checkouts, counts.commits) == (1, 1)


async def test_a_repeated_update_changes_nothing(
    harness: BotHarness, services: Services, counts: Counts
) -> None:
    user_id, _ = person(services.uow_factory, 42, name="Anna", period=NOVEMBER,
                        targets={"cold_calls": 380})
    update = harness._message(42, None, "en", None, text="calls 7")
    await harness.process({"update_id": 9001, "message": update})
    await harness.process({"update_id": 9001, "message": update})
    assert len(harness.sent_texts(42)) == 1
    with services.uow_factory() as uow:
        history = uow.entries.history(user_id, "cold_calls", MONDAY)
    assert [r.value for r in history] == [Decimal(7)]
