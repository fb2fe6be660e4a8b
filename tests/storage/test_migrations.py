"""Alembic migrations: empty -> head -> base -> head on both databases, and no drift between
the SQLModel tables and what the migrations build."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.storage import current, downgrade, head_revisions, make_engine, upgrade
from bot.storage.db import alembic_config, migrations_dir
from bot.storage.tables import metadata
from tests.storage.conftest import SQL_BACKENDS

TABLES = {table.name for table in metadata.sorted_tables}
ROOT = Path(__file__).resolve().parents[2]


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_upgrade_downgrade_upgrade(backend: str, fresh_url: Callable[[str], str]) -> None:
    engine = make_engine(fresh_url(backend))
    try:
        assert current(engine) == ()
        upgrade(engine)
        assert current(engine) == head_revisions()
        assert _tables(engine) == TABLES | {"alembic_version"}
        upgrade(engine)  # nothing pending: a no-op
        downgrade(engine, "base")
        assert current(engine) == ()
        assert _tables(engine) <= {"alembic_version"}
        upgrade(engine, "head")
        assert _tables(engine) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate against the migrated database finds nothing to do (types included)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_the_comparison_does_notice_drift(engine: Engine) -> None:
    """The test above could not pass by accident: a missing table is reported."""
    from sqlalchemy import Column, Integer, MetaData, Table

    extended = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extended)
    Table("not_migrated", extended, Column("id", Integer, primary_key=True))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, extended)
    assert [d[0] for d in diffs] == ["add_table"]


# Imports first, then says "ready" and waits for the go, so both upgrades really overlap.
_UPGRADER = """
import sys
from bot.storage import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(sys.argv[1])
"""


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_concurrent_upgrades_in_two_processes(
    backend: str, fresh_url: Callable[[str], str]
) -> None:
    """The bot and the scheduler may start together on a new database: the second waits for
    the first (BEGIN IMMEDIATE / advisory lock) and then finds nothing to do."""
    url = fresh_url(backend)
    other = subprocess.Popen(
        [sys.executable, "-c", _UPGRADER, url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert other.stdin is not None
        assert other.stdout.readline().strip() == "ready"
        other.stdin.write("go\n")
        other.stdin.flush()
        upgrade(url)
        _, errors = other.communicate(timeout=60)
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert other.returncode == 0, errors
    assert current(url) == head_revisions()


def test_concurrent_upgrades_in_two_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'threads.sqlite3'}"
    errors: list[BaseException] = []
    barrier = threading.Barrier(2, timeout=10)

    def run() -> None:
        try:
            barrier.wait()
            upgrade(url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert current(url) == head_revisions()


def test_migrations_are_found_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    directory = migrations_dir()
    assert (directory / "env.py").is_file()
    assert (directory / "script.py.mako").is_file()
    assert (directory / "alembic.ini").is_file()
    assert alembic_config().get_main_option("script_location") == str(directory)
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    upgrade(url)
    assert current(url) == head_revisions()


def test_offline_sql_renders(capsys: pytest.CaptureFixture[str]) -> None:
    """``--sql`` mode works (DBAs who want to review the DDL) and uses our exact types."""
    from alembic import command

    config = alembic_config("postgresql://reviewer@db.invalid/kpi")
    command.upgrade(config, "head", sql=True)
    ddl = capsys.readouterr().out
    assert "CREATE TABLE entries" in ddl
    assert "value NUMERIC" in ddl
    assert "TIMESTAMP WITH TIME ZONE" in ddl
