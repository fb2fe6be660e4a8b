"""Engines and migrations: SQLite by default, PostgreSQL at scale.

* :func:`normalize_url` accepts URLs as people write them (``sqlite:///data/kpi.sqlite3``,
  ``sqlite:///:memory:``, ``postgresql://user@host:5432/db``, ``postgres://...``, or a bare file
  path) and picks the driver (psycopg 3 for PostgreSQL).
* :func:`make_engine` configures SQLite for a bot with background workers: WAL, foreign keys,
  a busy timeout, ``synchronous=NORMAL``, and SQLAlchemy-controlled ``BEGIN IMMEDIATE`` so that
  concurrent writers queue on the lock instead of failing half way through a transaction.
* :func:`upgrade`, :func:`downgrade`, :func:`current` run Alembic programmatically against the
  ``migrations`` package (works from a checkout and from an installed wheel).
* :func:`prepare_database` is the start-up step: engine + pending migrations.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

if TYPE_CHECKING:
    from alembic.config import Config


SQLITE_BUSY_TIMEOUT_MS = 5000
BEGIN_OPTION = "kpi_sqlite_begin"
"""Execution option read by the SQLite ``begin`` hook: ``"IMMEDIATE"`` (default) or
``"DEFERRED"``."""

_PG_DRIVER = "postgresql+psycopg"
_MEMORY_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def normalize_url(url: str | URL) -> str:
    """Return a SQLAlchemy URL string with a driver chosen; create a SQLite file's directory.

    Raises:
        ValueError: for an empty URL or a database other than SQLite and PostgreSQL.
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url.strip()
    if not text:
        raise ValueError("the database URL is empty")
    if "://" not in text:
        # A bare path: the default database is a SQLite file.
        text = "sqlite:///" + text
    parsed = make_url(text)
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if parsed.drivername in ("postgres", "postgresql"):
            parsed = parsed.set(drivername=_PG_DRIVER)
        return parsed.render_as_string(hide_password=False)
    if backend == "sqlite":
        if parsed.drivername == "sqlite":
            parsed = parsed.set(drivername="sqlite+pysqlite")
        database = parsed.database or ":memory:"
        if not _is_memory(parsed) and not parsed.query.get("uri"):
            database = str(Path(database).expanduser())
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Rendered by hand: URL.render_as_string() would percent-encode ":memory:" and paths.
        query = "&".join(
            f"{key}={item}"
            for key, value in parsed.query.items()
            for item in (value if isinstance(value, tuple) else (value,))
        )
        return f"{parsed.drivername}:///{database}" + (f"?{query}" if query else "")
    raise ValueError(
        f"unsupported database {parsed.drivername!r}: use sqlite:///path/to/file.sqlite3 "
        "or postgresql://user:password@host:5432/dbname"
    )


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


# **kwargs go to sqlalchemy.create_engine as they are (SQLAlchemy types them the same way).
def make_engine(url: str | URL, *, echo: bool = False, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (normalised first), tuned for this bot.

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, echo=echo, **kwargs)


def _sqlite_engine(url: URL, *, echo: bool, **kwargs: Any) -> Engine:
    memory = _is_memory(url)
    connect_args: dict[str, object] = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    if memory:
        # One connection shared by every thread, or each thread would get its own empty
        # database; SqlUnitOfWork serialises its use with a lock (see memory_lock()).
        connect_args.setdefault("check_same_thread", False)
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, echo=echo, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from sqlite3 (its legacy mode never emits BEGIN for
        # SELECT and cannot emit BEGIN IMMEDIATE); the "begin" hook below emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that reads and then writes
        # cannot fail with SQLITE_BUSY on the upgrade; it waits (busy_timeout) instead.
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    if memory:
        _MEMORY_LOCKS[engine] = threading.Lock()
    return engine


def memory_lock(engine: Engine) -> threading.Lock | None:
    """The lock serialising units of work on a shared in-memory SQLite connection, if any."""
    return _MEMORY_LOCKS.get(engine)


def is_sqlite(engine: Engine | Connection) -> bool:
    """True when ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


# --- migrations -----------------------------------------------------------------------------


def migrations_dir() -> Path:
    """The directory of the installed ``migrations`` package (env.py, versions/)."""
    import migrations

    # __path__ rather than __file__: it also works while an older editable install still
    # maps the directory as a namespace package.
    for entry in migrations.__path__:
        candidate = Path(entry)
        if (candidate / "env.py").is_file():
            return candidate.resolve()
    raise RuntimeError("the migrations package has no env.py; is KPI Coach installed fully?")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations (``url`` goes to ``sqlalchemy.url``)."""
    from alembic.config import Config

    directory = migrations_dir()
    ini = directory / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(directory))
    if url is not None:
        # ConfigParser interpolation: a literal "%" (in an encoded password) must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@contextmanager
def _connected(url_or_engine: str | URL | Engine) -> Iterator[Connection]:
    if isinstance(url_or_engine, Engine):
        with url_or_engine.connect() as connection:
            yield connection
        return
    engine = make_engine(url_or_engine)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


# Alembic keeps its running environment in module globals (alembic.context, alembic.op): two
# threads of one process must not run migrations at once. Other processes are kept out by the
# database itself (env.py: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL).
_ALEMBIC_LOCK = threading.Lock()


def _run(
    url_or_engine: str | URL | Engine, action: Literal["upgrade", "downgrade"], revision: str
) -> None:
    from alembic import command

    run = command.upgrade if action == "upgrade" else command.downgrade
    with _ALEMBIC_LOCK, _connected(url_or_engine) as connection:
        config = alembic_config()
        # env.py uses this connection instead of building its own engine.
        config.attributes["connection"] = connection
        run(config, revision)


def upgrade(url_or_engine: str | URL | Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default: all pending)."""
    _run(url_or_engine, "upgrade", revision)


def downgrade(url_or_engine: str | URL | Engine, revision: str = "-1") -> None:
    """Revert migrations down to ``revision`` (``"base"`` removes every table)."""
    _run(url_or_engine, "downgrade", revision)


def current(url_or_engine: str | URL | Engine) -> tuple[str, ...]:
    """Return the revision(s) the database is at (empty when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with _connected(url_or_engine) as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
        connection.rollback()
        return tuple(heads)


def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the packaged migrations."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def prepare_database(url: str | URL) -> Engine:
    """Start-up: create the engine for ``url`` and apply pending migrations; return the engine."""
    engine = make_engine(url)
    upgrade(engine)
    return engine
