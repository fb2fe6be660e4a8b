"""Fixtures for the scheduler tests: real databases, a manual clock, a scriptable sender.

- ``engine``: a migrated SQLite file of this test (``pg_engine``: a throw-away PostgreSQL
  database made with the storage tests' :class:`~tests.storage.conftest.PgDatabases`; skipped
  when the server is missing, **failed** under ``CI=true``).
- ``clock``: a ``ManualClock``.
- ``sender``: a :class:`RecordingSender` (records sends; raises scripted Telegram errors).
- ``world``: :class:`World`, a planner + dispatcher over the database, driven tick by tick.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.calendars import HolidaysCalendarProvider
from bot.scheduler.dispatcher import Composer, Dispatcher, Sender
from bot.scheduler.planner import Planner
from bot.scheduler.ratelimit import RateLimiter
from bot.storage import make_engine, uow_factory, upgrade
from bot.ui.render import Menu, plain
from kpi_core.ports import CalendarProvider, UnitOfWork
from tests.fakes import ManualClock
from tests.storage.conftest import PgDatabases, require_postgres


@dataclass
class Sent:
    """One message the sender delivered."""

    chat_id: int
    text: str
    at: datetime
    message_id: int
    buttons: list[list[str]]


@dataclass
class RecordingSender:
    """A ``Sender`` that records messages; ``fail(chat_id, exc, times)`` scripts errors.

    ``on_send`` (if set) runs after each recorded send: tests use it to cancel a dispatcher
    in the middle of a batch.
    """

    clock: ManualClock
    sent: list[Sent] = field(default_factory=list)
    failures: list[tuple[int | None, BaseException, int]] = field(default_factory=list)
    delay: float = 0.0
    record_before_delay: bool = False
    on_send: Callable[[Sent], None] | None = None
    attempts: int = 0

    def fail(self, chat_id: int | None, exc: BaseException, times: int = 1) -> None:
        """Make the next ``times`` sends to ``chat_id`` (None: any chat) raise ``exc``."""
        self.failures.append((chat_id, exc, times))

    async def send(self, chat_id: int, menu: Menu) -> int:
        """Record the message (or raise a scripted error)."""
        self.attempts += 1
        for i, (target, exc, times) in enumerate(self.failures):
            if target is None or target == chat_id:
                if times <= 1:
                    del self.failures[i]
                else:
                    self.failures[i] = (target, exc, times - 1)
                raise exc
        if self.delay and not self.record_before_delay:
            await asyncio.sleep(self.delay)
        item = Sent(chat_id, plain(menu.text), self.clock.now(), len(self.sent) + 1,
                    [[b.label for b in row] for row in menu.rows])
        self.sent.append(item)
        if self.on_send is not None:
            self.on_send(item)
        if self.delay and self.record_before_delay:
            await asyncio.sleep(self.delay)  # the message is out; the answer is slow
        return item.message_id

    def to(self, chat_id: int) -> list[Sent]:
        """Messages sent to one chat."""
        return [s for s in self.sent if s.chat_id == chat_id]


@dataclass
class World:
    """A database with a planner and a dispatcher, moved forward by the test."""

    new_uow: Callable[[], UnitOfWork]
    clock: ManualClock
    sender: RecordingSender
    calendars: CalendarProvider
    planner: Planner
    dispatcher: Dispatcher

    def new_dispatcher(self, sender: Sender | None = None, **kwargs: object) -> Dispatcher:
        """Another dispatcher over the same database (a restart, a second process)."""
        composer = Composer(self.new_uow, self.calendars, self.clock)
        limiter = RateLimiter(0, 0, chat_interval=0)
        return Dispatcher(self.new_uow, composer, sender or self.sender, limiter, self.clock,
                          **kwargs)  # type: ignore[arg-type]  # batch/worker/... are typed there

    async def tick(self) -> None:
        """One planner pass and one dispatcher pass at the clock's current time."""
        await asyncio.to_thread(self.planner.plan_once)
        await self.dispatcher.run_once()

    async def run_until(self, end: datetime, step_minutes: int = 5) -> None:
        """Tick every ``step_minutes`` up to ``end``."""
        from datetime import timedelta

        while self.clock.now() < end:
            await self.tick()
            self.clock.advance(timedelta(minutes=step_minutes))
        await self.tick()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scheduler-db") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def engine(tmp_path: Path, _template: Path) -> Iterator[Engine]:
    """A migrated SQLite file for this test."""
    path = tmp_path / "scheduler.sqlite3"
    shutil.copyfile(_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _pg_databases() -> Iterator[PgDatabases]:
    require_postgres()
    databases = PgDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def pg_engine(_pg_databases: PgDatabases) -> Iterator[Engine]:
    """A migrated, throw-away PostgreSQL database for this test."""
    engine = make_engine(_pg_databases.create(), pool_size=10)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """Monday 2025-11-24 06:00 UTC (09:00 in Moscow)."""
    return ManualClock(datetime(2025, 11, 24, 6, 0, tzinfo=UTC))


def make_world(
    engine: Engine, clock: ManualClock, calendars: CalendarProvider | None = None
) -> World:
    """A world over ``engine``."""
    new_uow = uow_factory(engine, clock)
    calendars = calendars or HolidaysCalendarProvider()
    sender = RecordingSender(clock)
    composer = Composer(new_uow, calendars, clock)
    dispatcher = Dispatcher(new_uow, composer, sender, RateLimiter(0, 0, chat_interval=0), clock,
                            worker="test-1")
    return World(new_uow, clock, sender, calendars, Planner(new_uow, calendars, clock),
                 dispatcher)


@pytest.fixture
def world(engine: Engine, clock: ManualClock) -> World:
    """A planner and a dispatcher over a fresh SQLite database and the real holidays."""
    return make_world(engine, clock)
