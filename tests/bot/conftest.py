"""Fixtures for bot tests: a ``BotHarness`` over a fresh, migrated SQLite file database.

- ``bot_settings``: settings for tests (offline token, generous send rates, English default).
- ``clock``: a ``ManualClock`` at Monday 2025-11-24 06:00 UTC (09:00 in Moscow); move it with
  the clock's own methods.
- ``db_engine``: the engine of this test's database (migrated with the storage ``upgrade``).
- ``services``: ``Services`` over that database, the clock and the holidays calendar.
- ``harness``: a started :class:`tests.bot.harness.BotHarness`, closed after the test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.calendars import HolidaysCalendarProvider
from bot.settings import Settings, load_settings
from bot.storage import make_engine, uow_factory, upgrade
from bot.telegram.context import Services
from tests.bot.harness import TEST_TOKEN, BotHarness
from tests.fakes import ManualClock

START = datetime(2025, 11, 24, 6, 0, tzinfo=UTC)
"""A Monday; 09:00 in Moscow."""


def make_test_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: never read ``.env``; rates high enough never to wait."""
    values: dict[str, object] = {
        "_env_file": None,
        "telegram_bot_token": TEST_TOKEN,
        "telegram_api_url": "https://api.telegram.org",
        "database_url": database_url,
        "default_language": "en",
        "send_rate_per_second": 10_000.0,
        "group_messages_per_minute": 10_000,
        "webhook_url": None,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrating once and copying the file keeps each test's fresh database cheap.
    path = tmp_path_factory.mktemp("db-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: Path) -> str:
    """URL of this test's own migrated SQLite file."""
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def bot_settings(database_url: str) -> Settings:
    """Settings pointing at this test's database."""
    return make_test_settings(database_url)


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at :data:`START`."""
    return ManualClock(START)


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """The engine of this test's database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def services(db_engine: Engine, clock: ManualClock, bot_settings: Settings) -> Services:
    """Services over the test database (``uow_factory`` is the real SQL unit of work)."""
    return Services(
        uow_factory=uow_factory(db_engine, clock),
        clock=clock,
        calendars=HolidaysCalendarProvider(),
        settings=bot_settings,
    )


@pytest.fixture
async def harness(bot_settings: Settings, services: Services) -> AsyncIterator[BotHarness]:
    """A started harness; closed after the test."""
    h = BotHarness(bot_settings, services)
    await h.start()
    try:
        yield h
    finally:
        await h.close()
