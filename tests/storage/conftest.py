"""Fixtures for the storage tests: real SQLite files and a real PostgreSQL server.

- ``backend``-parametrised fixtures run each test on SQLite and PostgreSQL (and, for the
  contract tests, on the in-memory fakes too).
- PostgreSQL: 127.0.0.1:5432, user ``postgres``, trust auth. One database per test session
  (``kpi_test_<random>``), migrated once, emptied between tests, dropped at the end. When the
  server is unreachable the PostgreSQL cases are skipped, except under ``CI=true``, where they
  fail: CI must never pass by silently testing less.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.storage import make_engine, upgrade
from bot.storage.tables import metadata
from bot.storage.uow import uow_factory as sql_uow_factory
from kpi_core.ports import UnitOfWork
from tests.fakes import FakeUnitOfWork, ManualClock

PG_HOST = os.environ.get("KPI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("KPI_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("KPI_TEST_PG_USER", "postgres")
START = datetime(2025, 11, 24, 6, 0, tzinfo=UTC)

SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ALL_BACKENDS = ["fake", *SQL_BACKENDS]

_pg_status: dict[str, str | None] = {}


def _pg_admin_conninfo() -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres connect_timeout=3"


def require_postgres() -> None:
    """Skip (or, under ``CI=true``, fail) when the PostgreSQL server cannot be reached."""
    if "error" not in _pg_status:
        import psycopg

        try:
            with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
                conn.execute("SELECT 1")
            _pg_status["error"] = None
        except psycopg.Error as exc:
            _pg_status["error"] = str(exc).strip() or type(exc).__name__
    error = _pg_status["error"]
    if error is None:
        return
    message = f"PostgreSQL at {PG_HOST}:{PG_PORT} (user {PG_USER}) is unreachable: {error}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}. CI=true: the PostgreSQL storage tests must run, not skip.")
    pytest.skip(message)


class PgDatabases:
    """Creates uniquely named databases on the test server and drops them afterwards."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self) -> str:
        """Create an empty database; return its URL as a user would write it."""
        import psycopg

        name = f"kpi_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(_pg_admin_conninfo(), autocommit=True) as conn:
            for name in self.created:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.created.clear()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    """Factory of throw-away PostgreSQL databases (skips/fails when the server is missing)."""
    require_postgres()
    databases = PgDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """``fresh_url(backend)``: the URL of a new, empty database of that backend."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
        databases: PgDatabases = request.getfixturevalue("pg_databases")
        return databases.create()

    return make


def empty_tables(engine: Engine) -> None:
    """Delete every row (children first); the schema and alembic_version stay."""
    names = [table.name for table in reversed(metadata.sorted_tables)]
    # DELETE, not TRUNCATE: on a handful of rows it is much faster on PostgreSQL too.
    with engine.begin() as conn:
        for name in names:
            conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(params=SQL_BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The session's migrated engine of each SQL backend, emptied after the test."""
    migrated: Engine = request.getfixturevalue(f"_engine_{request.param}")
    try:
        yield migrated
    finally:
        empty_tables(migrated)


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at Monday 2025-11-24 06:00 UTC."""
    return ManualClock(START)


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend of a contract test: fake, sqlite or postgres."""
    return str(request.param)


@pytest.fixture
def new_uow(
    backend: str, request: pytest.FixtureRequest, clock: ManualClock
) -> Iterator[Callable[[], UnitOfWork]]:
    """A zero-arg factory of units of work on the current backend, over one empty store."""
    if backend == "fake":
        yield FakeUnitOfWork(clock=clock).factory()
        return
    engine: Engine = request.getfixturevalue(f"_engine_{backend}")
    try:
        yield sql_uow_factory(engine, clock)
    finally:
        empty_tables(engine)


# One migrated database per SQL backend for the whole session.


def _session_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'kpi.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_databases").create()
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _engine_sqlite(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    yield from _session_engine("sqlite", request, tmp_path_factory)


@pytest.fixture(scope="session")
def _engine_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    yield from _session_engine("postgres", request, tmp_path_factory)
