"""The domain stays pure: kpi_core imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

KPI_CORE = Path(__file__).resolve().parents[2] / "kpi_core"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_kpi_core_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"kpi_core", "__future__"}
    offenders = {
        str(path.relative_to(KPI_CORE.parent)): sorted(_imports(path) - allowed)
        for path in KPI_CORE.rglob("*.py")
        if _imports(path) - allowed
    }
    assert offenders == {}


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import telegram\nfrom sqlalchemy import select\nimport babel.numbers\n")
    assert _imports(bad) - set(sys.stdlib_module_names) == {"telegram", "sqlalchemy", "babel"}
