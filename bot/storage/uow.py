"""The SQL unit of work: one connection, one transaction, every repository.

Each unit of work checks a connection out of the engine's pool when entered and returns it
when left, so units of work can run in worker threads (``asyncio.to_thread``) at the same
time; never share one unit of work between threads.

    factory = uow_factory(engine)
    with factory() as uow:
        uow.entries.record(user.id, "calls", day, Decimal(12), user.id, clock.now())
        uow.commit()

Leaving the ``with`` block without ``commit()`` (or with an exception) rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from bot.storage.db import BEGIN_OPTION, memory_lock
from bot.storage.repositories import (
    SqlAssignmentRepository,
    SqlConversationRepository,
    SqlDayOffRepository,
    SqlDeliveryRepository,
    SqlEntryRepository,
    SqlPlanRepository,
    SqlProfileRepository,
    SqlTeamRepository,
    SqlUpdateLog,
    SqlUserRepository,
)
from kpi_core.ports import (
    AssignmentRepository,
    Clock,
    ConversationRepository,
    DayOffRepository,
    DeliveryRepository,
    EntryRepository,
    PlanRepository,
    ProfileRepository,
    TeamRepository,
    UnitOfWork,
    UpdateLog,
    UserRepository,
)


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SqlUnitOfWork:
    """:class:`kpi_core.ports.UnitOfWork` over a SQLAlchemy engine.

    Args:
        engine: from :func:`bot.storage.db.make_engine`.
        clock: stamps ``created_at`` / ``updated_at`` left ``None`` by the caller.
        read_only: on SQLite, start with a plain (deferred) ``BEGIN`` instead of
            ``BEGIN IMMEDIATE``, so a reader never waits for a writer. Writing in a read-only
            unit of work works but may fail with "database is locked" under contention.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None, *, read_only: bool = False):
        self._engine = engine
        self._clock: Clock = clock or _UtcClock()
        self._read_only = read_only
        self._connection: Connection | None = None
        self._lock: Lock | None = None
        self.committed = False
        source = self._require_connection
        self.users: UserRepository = SqlUserRepository(source, self._clock)
        self.teams: TeamRepository = SqlTeamRepository(source, self._clock)
        self.plans: PlanRepository = SqlPlanRepository(source, self._clock)
        self.assignments: AssignmentRepository = SqlAssignmentRepository(source, self._clock)
        self.entries: EntryRepository = SqlEntryRepository(source, self._clock)
        self.days_off: DayOffRepository = SqlDayOffRepository(source, self._clock)
        self.profiles: ProfileRepository = SqlProfileRepository(source, self._clock)
        self.conversations: ConversationRepository = SqlConversationRepository(source, self._clock)
        self.updates: UpdateLog = SqlUpdateLog(source, self._clock)
        self.deliveries: DeliveryRepository = SqlDeliveryRepository(source, self._clock)

    @property
    def connection(self) -> Connection:
        """The connection of the open unit of work (for ad hoc queries in adapters)."""
        return self._require_connection()

    def _require_connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._connection

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        lock = memory_lock(self._engine)
        if lock is not None:
            lock.acquire()
            self._lock = lock
        try:
            connection = self._engine.connect()
            if self._read_only and self._engine.dialect.name == "sqlite":
                connection = connection.execution_options(**{BEGIN_OPTION: "DEFERRED"})
        except BaseException:
            self._release_lock()
            raise
        self._connection = connection
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        self._connection = None
        try:
            if connection is not None:
                try:
                    if connection.in_transaction():
                        connection.rollback()
                finally:
                    connection.close()
        finally:
            self._release_lock()

    def _release_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def commit(self) -> None:
        """Make everything done so far durable and visible; the unit of work stays usable."""
        connection = self._require_connection()
        if connection.in_transaction():
            connection.commit()
        self.committed = True

    def rollback(self) -> None:
        """Discard everything since the last commit."""
        connection = self._require_connection()
        if connection.in_transaction():
            connection.rollback()


def uow_factory(
    engine: Engine, clock: Clock | None = None, *, read_only: bool = False
) -> Callable[[], SqlUnitOfWork]:
    """Return a zero-argument callable that opens a new :class:`SqlUnitOfWork` each call."""

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, clock, read_only=read_only)

    return make


def _conforms(uow: SqlUnitOfWork) -> UnitOfWork:
    return uow  # mypy checks SqlUnitOfWork against the port here
