"""The scheduler claims, sends and records: it does not import the Telegram adapter at module
level (``bot.telegram`` starts the scheduler, not the reverse) and runs no SQL of its own."""

from __future__ import annotations

import ast
from pathlib import Path

SCHEDULER = Path(__file__).resolve().parents[2] / "bot" / "scheduler"


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_scheduler_does_not_import_the_telegram_adapter_at_module_level() -> None:
    offenders = {
        path.name: sorted(n for n in _top_level_imports(path)
                          if n == "bot.telegram" or n.startswith("bot.telegram."))
        for path in SCHEDULER.glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scheduler_runs_no_sql_of_its_own() -> None:
    for path in SCHEDULER.glob("*.py"):
        imports = _top_level_imports(path)
        assert not {n for n in imports if n.startswith(("sqlalchemy", "bot.storage"))}, path.name
        assert "getattr(uow" not in path.read_text(encoding="utf-8"), path.name
