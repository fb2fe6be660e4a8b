"""One person from /start to an accepted KPI set and a first log line, against the real
process over HTTP."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.botapi_stub import BotApiStub
from tests.e2e.conftest import BotProcess

pytestmark = pytest.mark.e2e

USER = 5151
TIMEOUT = 30.0


class Person:
    """Taps buttons and types, waiting for the bot's answer each time."""

    def __init__(self, botapi: BotApiStub, bot: BotProcess) -> None:
        self.botapi = botapi
        self.bot = bot

    def wait_for(self, fragment: str) -> str:
        """Wait for a bot message whose text or a button has ``fragment``; return its text."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for message in reversed(self.botapi.messages(USER)):
                labels = " ".join(text for row in message.buttons for text, _ in row)
                if fragment in message.text or fragment in labels:
                    return message.text
            time.sleep(0.05)
        seen = [m.text[:80] for m in self.botapi.messages(USER)]
        raise AssertionError(
            f"no message with {fragment!r}; seen {seen}\n{self.bot.output()[-3000:]}"
        )

    def say(self, text: str, then: str) -> str:
        self.botapi.enqueue_message(USER, text)
        return self.wait_for(then)

    def tap(self, label: str, then: str) -> str:
        menu = next(m for m in reversed(self.botapi.messages(USER)) if m.buttons)
        for row in menu.buttons:
            for text, data in row:
                if label in text and data:
                    self.botapi.enqueue_callback(USER, data, menu.message_id)
                    return self.wait_for(then)
        raise AssertionError(f"no button {label!r} in {menu.buttons}")


def test_from_start_to_accepted_kpis_over_http(
    botapi: BotApiStub, start_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    bot = start_bot()
    bot.wait_ready(botapi)
    person = Person(botapi, bot)

    person.say("/start", then="What is your role?")
    person.tap("Business owner", then="What kind of business")
    person.tap("B2B", then="Where do most of your sales happen?")
    person.tap("Phone", then="What do you want to improve")
    person.tap("More sales", then="✓ More sales")
    person.tap("Done", then="Where can you get the numbers from?")
    person.tap("Done", then="Who works on the sales plan?")
    person.tap("Just me", then="how many calls")
    person.tap("Skip", then="Which country")
    person.tap("Russia", then="Which period")
    person.tap("This month", then="What is the sales plan")
    person.say("abc", then="doesn't look like a number")
    person.say("1 000 000", then="How much did you sell")
    person.tap("Skip", then="Which days of the week")
    person.tap("Done", then="What is your time zone?")
    person.tap("Moscow", then="morning digest")
    person.tap("09:00", then="remind you in the evening")
    result = person.tap("18:00", then="Here is what I suggest tracking")
    assert "Daily quota: ₽" in result
    assert "Formula: " in result
    person.tap("Looks good", then="All set!")
    # The daily loop over the same real process: a typed line is logged, anything else is
    # answered with a hint, and /today shows the quota.
    person.say("revenue 50 000", then="Saved for today")
    person.say("what's up?", then="I did not find results to log")
    assert "Today, " in person.say("/today", then="Today, ")

    stale = [c for c in botapi.calls_to("answerCallbackQuery") if c.params.get("text")]
    assert stale == []  # every press was on a current menu
    assert bot.stop() == 0, bot.output()
    with sqlite3.connect(tmp_path / "e2e.sqlite3") as conn:
        rows = conn.execute(
            "SELECT onboarded, language FROM users WHERE telegram_id = ?", (USER,)
        ).fetchall()
        kpis = conn.execute("SELECT COUNT(*) FROM kpi_assignments").fetchone()
    assert rows == [(1, "en")]
    assert kpis is not None
    assert kpis[0] >= 3
