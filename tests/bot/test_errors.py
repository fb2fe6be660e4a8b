"""The error handler through the real application: a reply refused with 403 is expected.

The person blocks the bot while their update is being handled, so the reply fails with
``Forbidden``. That is not a bug to report: the person is marked inactive (no more reminders or
digests), the bot does not try to apologise into the closed chat, nothing is logged as an error.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.telegram.context import Services
from tests.bot.harness import BotHarness
from tests.services.daily_world import person

NOVEMBER = (date(2025, 11, 1), date(2025, 11, 30))
BLOCKED = "Forbidden: bot was blocked by the user"


def is_active(services: Services, user_id: int) -> bool:
    with services.uow_factory() as uow:
        user = uow.users.get(user_id)
    assert user is not None
    return user.active


async def test_a_reply_refused_with_403_marks_the_person_inactive_without_an_error_log(
    harness: BotHarness, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    user_id, _ = person(services.uow_factory, 42, targets={"cold_calls": 380}, period=NOVEMBER)
    assert is_active(services, user_id)
    harness.raise_errors = False  # fail on what the user would notice, not on the re-raise
    harness.request.fail(403, BLOCKED, chat_id=42, method="sendMessage")
    harness.clear()

    with caplog.at_level(logging.DEBUG):
        await harness.send(42, "/today")

    assert not is_active(services, user_id)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    info = [r for r in caplog.records if r.name == "bot.telegram.errors"]
    assert [r.levelname for r in info] == ["INFO"]
    assert "42" in info[0].getMessage()
    # One refused reply, no apology sent after it into the closed chat.
    assert [c.method for c in harness.calls_to("sendMessage")] == ["sendMessage"]
    assert harness.errors == []


async def test_after_a_403_the_person_who_writes_again_is_active_and_answered(
    harness: BotHarness, services: Services
) -> None:
    user_id, _ = person(services.uow_factory, 42, targets={"cold_calls": 380}, period=NOVEMBER)
    harness.request.fail(403, BLOCKED, chat_id=42, method="sendMessage")
    await harness.send(42, "/today")
    assert not is_active(services, user_id)

    await harness.send(42, "/today")  # unblocked and wrote again

    assert is_active(services, user_id)
    assert harness.sent_texts(42)[-1].startswith("📋 Today")


async def test_a_group_that_refuses_a_reply_is_marked_inactive(
    harness: BotHarness, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    person(services.uow_factory, 42, targets={"cold_calls": 380}, period=NOVEMBER)
    await harness.bot_added_to_group(-500, 42)
    await harness.send_group(-500, 42, "/link")
    with services.uow_factory() as uow:
        chat = uow.teams.chat(-500)
    assert chat is not None
    assert chat.active
    harness.raise_errors = False
    harness.request.fail(
        403, "Forbidden: bot was kicked from the group chat", chat_id=-500, method="sendMessage"
    )

    with caplog.at_level(logging.INFO):
        await harness.send_group(-500, 42, "/today")

    with services.uow_factory() as uow:
        chat = uow.teams.chat(-500)
    assert chat is not None
    assert not chat.active
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
