"""URL normalisation, engine set-up (SQLite pragmas, BEGIN IMMEDIATE), in-memory databases."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url

from bot.storage import make_engine, normalize_url, prepare_database, uow_factory, upgrade
from bot.storage.db import memory_lock
from kpi_core.model import User

AT_NOON = datetime(2025, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://kpi@db.example:5432/kpi", "postgresql+psycopg://kpi@db.example:5432/kpi"),
        ("postgres://kpi:s%40cret@db:5432/kpi", "postgresql+psycopg://kpi:s%40cret@db:5432/kpi"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("  postgresql://u@h/d?sslmode=require  ", "postgresql+psycopg://u@h/d?sslmode=require"),
        ("sqlite:///:memory:", "sqlite+pysqlite:///:memory:"),
        ("sqlite://", "sqlite+pysqlite:///:memory:"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_normalize_sqlite_file_creates_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "kpi.sqlite3"
    assert normalize_url(f"sqlite:///{path}") == f"sqlite+pysqlite:///{path}"
    assert path.parent.is_dir()
    assert not path.exists()  # only the directory; the file is the database's business


def test_normalize_relative_and_bare_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert normalize_url("sqlite:///data/kpi.sqlite3") == "sqlite+pysqlite:///data/kpi.sqlite3"
    assert (tmp_path / "data").is_dir()
    assert normalize_url("other/kpi.db") == "sqlite+pysqlite:///other/kpi.db"
    assert (tmp_path / "other").is_dir()


@pytest.mark.parametrize("bad", ["", "   ", "mysql://u@h/d", "oracle://x"])
def test_normalize_refuses_what_we_do_not_support(bad: str) -> None:
    with pytest.raises(ValueError, match=r"empty|unsupported"):
        normalize_url(bad)


def test_postgres_engine_uses_psycopg_and_pre_ping() -> None:
    engine = make_engine("postgres://u@127.0.0.1:1/none")  # nothing connects yet
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    # synchronous: 1 == NORMAL
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": 1,
    }


def _sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    upgrade(engine)
    return engine


def test_sqlite_read_then_write_waits_instead_of_failing(tmp_path: Path) -> None:
    """Two read-then-write transactions at once. With sqlite3's deferred BEGIN the second
    would fail with "database is locked" on its first write (its read snapshot is stale);
    BEGIN IMMEDIATE makes it wait for the first to commit, then succeed."""
    engine = _sqlite_engine(tmp_path)
    new_uow = uow_factory(engine)
    with new_uow() as uow:
        me = uow.users.add(User(telegram_id=1))
        uow.commit()
    assert me.id is not None
    user_id = me.id
    first_has_lock = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with new_uow() as uow:
            uow.entries.get(user_id, "calls", AT_NOON.date())
            uow.entries.record(user_id, "calls", AT_NOON.date(), Decimal(1), user_id, AT_NOON)
            first_has_lock.set()
            time.sleep(0.3)
            uow.commit()

    def second() -> None:
        first_has_lock.wait(5)
        try:
            with new_uow() as uow:
                uow.entries.get(user_id, "calls", AT_NOON.date())
                uow.entries.record(user_id, "calls", AT_NOON.date(), Decimal(2), user_id, AT_NOON)
                uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    try:
        assert errors == []
        with new_uow() as uow:
            entry = uow.entries.get(user_id, "calls", AT_NOON.date())
            assert entry is not None
            assert (entry.value, entry.version) == (Decimal(2), 2)
    finally:
        engine.dispose()


def test_read_only_units_of_work_do_not_wait_for_writers(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path)
    try:
        writer = uow_factory(engine)()
        with writer:
            writer.users.add(User(telegram_id=1))  # holds the write lock, uncommitted
            started = time.monotonic()
            with uow_factory(engine, read_only=True)() as reader:
                assert reader.users.list_active() == []  # sees the last commit, at once
            assert time.monotonic() - started < 1
    finally:
        engine.dispose()


def test_in_memory_database_is_shared_by_threads() -> None:
    engine = prepare_database("sqlite:///:memory:")
    try:
        assert memory_lock(engine) is not None
        new_uow = uow_factory(engine)

        def add(n: int) -> None:
            with new_uow() as uow:
                uow.users.add(User(telegram_id=n))
                uow.commit()

        threads = [threading.Thread(target=add, args=(n,)) for n in range(1, 9)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        with new_uow() as uow:
            assert sorted(u.telegram_id for u in uow.users.list_active()) == list(range(1, 9))
    finally:
        engine.dispose()


def test_unit_of_work_outside_with_block_is_an_error(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path)
    try:
        uow = uow_factory(engine)()
        with pytest.raises(RuntimeError, match="with"):
            uow.users.get(1)
        with uow, pytest.raises(RuntimeError, match="already open"):
            uow.__enter__()
    finally:
        engine.dispose()


def test_prepare_database_migrates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'kpi.sqlite3'}"
    engine = prepare_database(url)
    try:
        with uow_factory(engine)() as uow:
            assert uow.entries.in_range([1], date.min, date.max) == []
        assert make_url(str(engine.url)).database == str(tmp_path / "new" / "kpi.sqlite3")
    finally:
        engine.dispose()
