"""/progress through the real PTB application, in English and Russian.

The team of :mod:`tests.bot.test_board` on Friday 11 April 2025: the owner (English) gets his
own chart and the team's; Boris (Russian), a member, gets his own, and is told who may see the
team's. The PNGs themselves are checked in ``tests/unit/test_charts_render.py``.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from bot.charts import draw_progress
from bot.i18n import translator
from bot.scheduler.dispatcher import BotSender
from bot.scheduler.runtime import Scheduler
from bot.telegram import keyboards, progress
from kpi_core.services.permissions import _ONLY_MANAGERS
from tests.bot.chat import Chat
from tests.bot.harness import BotHarness
from tests.bot.test_board import friday  # noqa: F401 (the fixture)
from tests.bot.test_team import BORIS, OWNER
from tests.fakes import ManualClock


def photos(harness: BotHarness, chat_id: int) -> list[str]:
    """Captions of the photos sent to ``chat_id``; each call carries a file."""
    sent = [c for c in harness.calls_to("sendPhoto") if int(c.params["chat_id"]) == chat_id]
    assert all("photo" in c.files for c in sent)
    return [str(c.params.get("caption", "")) for c in sent]


async def test_the_owner_gets_his_chart_and_the_teams(friday: BotHarness) -> None:  # noqa: F811
    await Chat(friday, OWNER).say("/progress")
    # Revenue is the only KPI with a target in the plan (deals have none): one chart.
    assert photos(friday, OWNER) == ["Your progress on 1 KPI",
                                     "Team “User42”: everyone against their own target"]
    assert friday.sent_texts(OWNER) == []
    friday.clear()
    await Chat(friday, OWNER).say("/progress team")
    assert photos(friday, OWNER) == ["Team “User42”: everyone against their own target"]


async def test_a_member_gets_his_own_chart_in_russian_and_not_the_teams(
    friday: BotHarness,  # noqa: F811
) -> None:
    boris = Chat(friday, BORIS, "ru")
    await boris.say("/progress")
    (caption,) = photos(friday, BORIS)
    assert caption == "Ваш прогресс по 1 показателю"
    friday.clear()
    await boris.say("/progress team")
    assert photos(friday, BORIS) == []
    assert friday.sent_texts(BORIS) == [translator("ru")._(_ONLY_MANAGERS)]
    assert friday.sent_texts(BORIS)[0].startswith("Это")


async def test_someone_not_set_up_is_sent_to_start(harness: BotHarness) -> None:
    await Chat(harness, 99).say("/progress")
    assert photos(harness, 99) == []
    assert harness.sent_texts(99) == [
        "You have no KPIs to log yet. Send /start to choose them and set a plan."]


async def test_the_charts_are_drawn_off_the_event_loop(
    friday: BotHarness, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    threads: list[threading.Thread] = []

    def spy(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return draw_progress(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(progress, "draw_progress", spy)
    await Chat(friday, OWNER).say("/progress")
    assert threads
    assert threads[0] is not threading.main_thread()


async def test_progress_in_a_group_points_to_the_private_chat(friday: BotHarness) -> None:  # noqa: F811
    await friday.send_group(-100500, OWNER, "/progress")
    assert friday.sent_texts(-100500) == ["Send this command to me in a private chat."]


async def test_the_morning_digest_carries_the_chart_when_asked(
    friday: BotHarness, clock: ManualClock,  # noqa: F811
) -> None:
    """📈 in /settings: Monday's digest is followed by the person's chart; without it, none."""
    owner = Chat(friday, OWNER)
    await owner.say("/settings")
    await owner.tap("📈 Turn the digest chart on")
    clock.set(datetime(2025, 4, 14, 6, 30, tzinfo=UTC))  # Monday, 09:30 in Moscow
    friday.clear()
    sched = Scheduler(friday.services, BotSender(friday.app.bot, keyboards.inline))
    await sched.tick()
    to_owner = [c.method for c in friday.calls
                if c.method in ("sendMessage", "sendPhoto") and int(c.params["chat_id"]) == OWNER]
    assert to_owner[:2] == ["sendMessage", "sendPhoto"]  # the words first, then the picture
    assert friday.sent_texts(OWNER)[0].startswith("☀️ Good morning! Monday, 14 April")
    assert photos(friday, OWNER) == ["Your progress on 1 KPI"]
    assert friday.sent_texts(BORIS)  # Boris has his digest, without a chart (off by default)
    assert photos(friday, BORIS) == []


async def test_a_chart_that_cannot_be_sent_does_not_cost_the_digest(
    friday: BotHarness, clock: ManualClock, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    owner = Chat(friday, OWNER)
    await owner.say("/settings")
    await owner.tap("📈 Turn the digest chart on")
    clock.set(datetime(2025, 4, 14, 6, 30, tzinfo=UTC))
    friday.clear()
    friday.request.fail(400, "Bad Request: PHOTO_INVALID_DIMENSIONS", method="sendPhoto")
    sched = Scheduler(friday.services, BotSender(friday.app.bot, keyboards.inline))
    await sched.tick()
    assert friday.sent_texts(OWNER)[0].startswith("☀️ Good morning! Monday, 14 April")
    with friday.services.uow_factory() as uow:
        (digest,) = [d for d in uow.deliveries.for_chat(OWNER) if d.kind.value == "digest"
                     and d.local_date == date(2025, 4, 14)]
    assert digest.status.value == "sent"
    assert "the digest chart for chat" in caplog.text
