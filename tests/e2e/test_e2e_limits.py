"""The real ``kpi-coach run`` process sends scheduled reminders within Telegram's limits.

The loopback Bot API answers some ``sendMessage`` calls with 429 (``retry_after``) and one chat
with 403 (the user blocked the bot). Nothing may be lost: every other person gets exactly one
reminder; the blocked person is marked inactive and gets nothing more.

People are created directly in the database before the process starts, with a reminder due a
few minutes ago in their local time (so the planner plans it at start-up and the dispatcher
sends it at once), every weekday a working day, and a country with no holiday today.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.calendars import HolidaysCalendarProvider
from bot.storage import make_engine, uow_factory, upgrade
from kpi_core.model import Membership, Team, TeamRole, User
from tests.e2e.botapi_stub import BotApiStub
from tests.e2e.conftest import BotProcess

pytestmark = pytest.mark.e2e

PEOPLE = 30
BLOCKED = 1005
FLAKY = 1010  # 7 × 429 in a row: more than AIORateLimiter's 5 retries


def _zone_and_time(now: datetime) -> tuple[str, datetime]:
    """A fixed-offset zone where it is around noon now, and the local time there."""
    offset = 12 - now.hour
    offset = max(-12, min(14, offset))
    name = "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
    return name, now + timedelta(hours=offset)


def _country_without_holiday(day: date) -> str:
    calendars = HolidaysCalendarProvider()
    for country in ("RU", "GB", "DE", "US", "FR", "KZ"):
        if not calendars.for_country(country).is_holiday(day):
            return country
    raise AssertionError(f"every candidate country has a holiday on {day}")


def _populate(url: str) -> list[int]:
    now = datetime.now(UTC)
    zone, local = _zone_and_time(now)
    country = _country_without_holiday(local.date())
    reminder = (local - timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    engine = make_engine(url)
    upgrade(engine)
    ids = []
    try:
        with uow_factory(engine)() as uow:
            for n in range(PEOPLE):
                tg = 1000 + n
                user = uow.users.add(User(
                    telegram_id=tg, timezone=zone, country=country, onboarded=True,
                    working_weekdays=frozenset(range(7)), digest_time=None,
                    reminder_time=reminder, display_name=f"P{n}"))
                assert user.id is not None
                team = uow.teams.add(Team(name=f"T{n}", owner_user_id=user.id))
                assert team.id is not None
                uow.teams.add_member(Membership(team.id, user.id, TeamRole.OWNER))
                uow.assignments.replace(user.id, team.id, ["cold_calls", "meetings"])
                ids.append(tg)
            uow.commit()
    finally:
        engine.dispose()
    return ids


def test_scheduled_reminders_survive_429_and_403(
    botapi: BotApiStub, start_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    db = tmp_path / "e2e.sqlite3"
    people = _populate(f"sqlite:///{db}")
    botapi.fail(429, "Too Many Requests: retry after 1", method="sendMessage", retry_after=1,
                times=3)
    botapi.fail(429, "Too Many Requests: retry after 1", method="sendMessage", retry_after=1,
                chat_id=FLAKY, times=7)
    botapi.fail(403, "Forbidden: bot was blocked by the user", method="sendMessage",
                chat_id=BLOCKED, times=None)
    started = time.monotonic()
    bot = start_bot(SCHEDULER_INTERVAL_SECONDS="0.5", SEND_RATE_PER_SECOND="20")
    bot.wait_ready(botapi)
    expected = [tg for tg in people if tg != BLOCKED]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(botapi.telegram.messages(tg) for tg in expected):
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    time.sleep(2.0)  # a few more dispatcher passes: nothing may be sent twice
    assert bot.stop() == 0, bot.output()

    missing = [tg for tg in expected if not botapi.telegram.messages(tg)]
    assert not missing, bot.output()[-4000:]
    twice = {tg: len(botapi.telegram.messages(tg)) for tg in expected
             if len(botapi.telegram.messages(tg)) != 1}
    assert twice == {}
    assert botapi.telegram.messages(BLOCKED) == []
    assert "Time to log today's results" in botapi.telegram.messages(expected[0])[0].text
    sends = botapi.calls_to("sendMessage")
    refused = [c for c in sends if c.params.get("chat_id") == BLOCKED]
    assert len(refused) == 1  # one try, then the chat is inactive
    assert len(sends) == len(expected) + 3 + 7 + 1
    with sqlite3.connect(db) as conn:
        active = dict(conn.execute("SELECT telegram_id, active FROM users").fetchall())
        statuses = dict(conn.execute(
            "SELECT chat_id, status FROM deliveries WHERE kind = 'reminder' AND attempts > 0"
        ).fetchall())
    assert active[BLOCKED] == 0
    assert all(active[tg] == 1 for tg in expected)
    assert statuses[BLOCKED] == "failed"
    assert {statuses[tg] for tg in expected} == {"sent"}
    print(f"\n{len(expected)} reminders through 10 × 429 and a 403 in {elapsed:.1f} s")
