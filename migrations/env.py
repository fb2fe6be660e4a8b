"""Alembic environment for KPI Coach.

The target metadata is ``SQLModel.metadata`` as declared in :mod:`bot.storage.tables`. The
database comes from the caller, in this order: a connection passed in
``config.attributes["connection"]`` (what :mod:`bot.storage.db` does), ``-x url=...`` on the
Alembic command line, ``sqlalchemy.url`` set on the config, and finally the application's
Settings (``DATABASE_URL`` or the default SQLite file). No URL is hard-coded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypedDict

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.types import TypeDecorator

import bot.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.storage.db import make_engine, normalize_url
from bot.storage.tables import metadata

config = context.config
target_metadata = metadata

# Any fixed 64-bit number: serialises concurrent upgrades (bot and scheduler starting together).
_PG_MIGRATION_LOCK = 0x6B7069636F616368  # "kpicoach"


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        from bot.settings import load_settings

        url = load_settings().resolved_database_url()
    return normalize_url(url)


def render_item(type_: str, obj: object, autogen_context: AutogenContext) -> Literal[False]:
    """Render our column types by import path and make the migration import their module."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        module = type(obj).__module__
        if module.startswith("bot."):
            autogen_context.imports.add(f"import {module}")
    return False  # default rendering (``bot.storage.types.ExactDecimal()``)


class _Common(TypedDict):
    target_metadata: MetaData
    compare_type: bool
    render_item: Callable[[str, object, AutogenContext], str | Literal[False]]


def _configure_common() -> _Common:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_item": render_item,
    }


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) instead of running it."""
    url = _database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        **_configure_common(),
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # The pragma only works outside a transaction, hence the raw DBAPI connection (SQLAlchemy
    # would BEGIN first).
    driver = connection.connection.driver_connection
    assert driver is not None, "a checked-out connection always has its driver connection"
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def _run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # Batch migrations copy and drop tables; with foreign keys on, DROP TABLE would run the
        # ON DELETE CASCADE actions.
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            render_as_batch=sqlite,
            # SQLite DDL is transactional too once SQLAlchemy emits BEGIN (bot.storage.db):
            # a failed migration leaves nothing half done, and BEGIN IMMEDIATE serialises
            # two processes upgrading at once.
            transactional_ddl=True,
            **_configure_common(),
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            context.run_migrations()
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"migration broke foreign keys: {problems[:5]}")
    finally:
        if sqlite and not connection.in_transaction():
            _sqlite_foreign_keys(connection, on=True)


def run_migrations_online() -> None:
    """Run migrations on the caller's connection, or on a short-lived engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as own:
            _run_on(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
