"""A random walk through the real Application: whatever a person sends or taps, in Russian or
English, the bot answers it, and no handler fails.

Each step either types a line (answers, commands, numbers in both formats, log lines, nonsense)
or taps a random button of a random message the bot has sent (old ones included: their menus
may have expired). After every typed line the bot has sent or edited a message; after every tap
the callback query is answered (the spinner stops). ``raise_errors`` makes any exception in a
handler fail the test with its traceback.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.fakes import ManualClock

APRIL_10 = datetime(2025, 4, 10, 6, 0, tzinfo=UTC)  # a Thursday, 09:00 in Moscow

LINES = [
    "/start", "/log", "/today", "/plan", "/kpis", "/settings", "/language", "/team", "/help",
    "/cancel", "/delete_me", "/log yesterday", "/log 31.02", "/privacy",
    "10 000 000", "9,500,000", "1,5", "1e309", "-3", "0", "десять", "12", "UTC+3", "Казань",
    "Boston", "18:30", "25:00", "calls 35, meetings 4", "выручка 120 000", "12.05 звонки 30",
    "hello", "привет", "🙂", "x" * 500,
]
STEPS = 120


async def _onboard_owner(harness: BotHarness, user: int) -> None:
    chat = Chat(harness, user)
    await chat.say("/start")
    await chat.tap("Business owner", "B2B", "Phone", "More sales", "Done", "CRM", "Done",
                   "Me and a team", "3", "Skip", "Russia", "This month")
    await chat.say("300000")
    await chat.tap("Skip", "Done", "Moscow", "09:00", "18:00", "✅")
    assert chat.text.startswith("All set!")


@pytest.mark.parametrize("set_up", [False, True], ids=["new", "set-up"])
@pytest.mark.parametrize("seed", range(4))
async def test_every_update_is_answered_and_nothing_fails(
    harness: BotHarness, clock: ManualClock, seed: int, set_up: bool
) -> None:
    clock.set(APRIL_10)
    rnd = random.Random(seed)
    language = "ru" if seed % 2 else "en"
    user = 4200 + seed
    if set_up:  # an owner with a team, KPIs and a plan: the daily loop and the menus
        await _onboard_owner(harness, user)
    await harness.send(user, "/start", language_code=language)
    lines = [line for line in LINES if not (set_up and line == "/delete_me")]
    for _ in range(STEPS):
        with_buttons = [m for m in harness.messages(user) if m.buttons]
        callback_rows = [
            (m.message_id, data) for m in with_buttons
            for row in m.buttons for _, data in row if data is not None
        ]
        harness.clear()
        if callback_rows and rnd.random() < 0.7:
            recent = callback_rows[-12:] if rnd.random() < 0.8 else callback_rows
            message_id, data = rnd.choice(recent)
            await harness.press(user, data, message_id, language_code=language)
            answered = harness.calls_to("answerCallbackQuery")
            assert answered, f"the tap on {data!r} was not answered"
        else:
            line = rnd.choice(lines)
            await harness.send(user, line, language_code=language)
            replies = [c for c in harness.request.calls
                       if c.method in ("sendMessage", "editMessageText",
                                       "editMessageReplyMarkup", "sendPhoto")]
            assert replies, f"no answer to {line!r}"
