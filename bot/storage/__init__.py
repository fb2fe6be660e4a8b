"""Storage adapter: SQLModel schema, Alembic migrations, SQL repositories, unit of work.

Typical start-up::

    from bot.storage import make_engine, upgrade, uow_factory

    engine = make_engine(settings.resolved_database_url())  # SQLite file or PostgreSQL
    upgrade(engine)                                          # apply pending migrations
    new_uow = uow_factory(engine)                            # zero-arg callable -> UnitOfWork
    with new_uow() as uow:
        ...
        uow.commit()
"""

from __future__ import annotations

from bot.storage.db import (
    current,
    downgrade,
    head_revisions,
    make_engine,
    normalize_url,
    prepare_database,
    upgrade,
)
from bot.storage.uow import SqlUnitOfWork, uow_factory

__all__ = [
    "SqlUnitOfWork",
    "current",
    "downgrade",
    "head_revisions",
    "make_engine",
    "normalize_url",
    "prepare_database",
    "uow_factory",
    "upgrade",
]
