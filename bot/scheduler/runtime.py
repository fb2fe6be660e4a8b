"""The scheduler loops that run inside ``kpi-coach run``: one planner and one dispatcher task.

``bot.telegram.app`` calls :func:`start_background` from ``post_init`` and
:func:`stop_background` from ``post_shutdown`` (this package never imports ``bot.telegram``).
The loops keep no schedule of their own: the deliveries table is the schedule, so any number
of bot processes can run against one PostgreSQL database (SQLite: one process) and none sends
a message twice.

* The planner runs every ``PLANNER_EVERY × scheduler_interval_seconds`` (its passes after the
  first only touch people whose date or settings changed).
* The dispatcher runs every ``scheduler_interval_seconds`` and drains everything due, at
  :data:`PACING` × ``send_rate_per_second`` overall and ``group_messages_per_minute`` per
  group; it listens to the bot's :class:`~bot.scheduler.ratelimit.TelegramRateLimiter`, so a
  429 anywhere in the process pauses scheduled sends as well.

Both are stoppable: :meth:`Scheduler.stop` cancels them, lets the dispatcher record what it
knows, and waits. Tests drive a scheduler step by step with :meth:`Scheduler.tick` (the
background loops never run two passes at once: a lock serialises them with ``tick``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Any, Protocol

from telegram import Bot

from bot.scheduler.dispatcher import (
    BotSender,
    Composer,
    Dispatcher,
    DispatchStats,
    Markup,
    Sender,
    in_thread,
)
from bot.scheduler.ratelimit import RateLimiter, TelegramRateLimiter
from bot.settings import Settings
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork
from kpi_core.services.deliveries import Planner, PlanStats

log = logging.getLogger(__name__)

__all__ = ["Scheduler", "start_background", "stop_background"]

PLANNER_EVERY = 3
"""The planner runs once per this many dispatcher intervals."""
MIN_INTERVAL = 0.05
PACING = 0.97
"""Scheduled sends use 97 % of ``send_rate_per_second``: evenly spaced sends still arrive with
network jitter, and a limit enforced to the message would answer 429 to a pace of exactly 100 %.
"""


class SchedulerServices(Protocol):
    """What the scheduler needs of the application's services (``bot.telegram.context``)."""

    @property
    def uow_factory(self) -> Callable[[], UnitOfWork]: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def calendars(self) -> CalendarProvider: ...
    @property
    def settings(self) -> Settings: ...


class Scheduler:
    """A planner and a dispatcher over the application's services."""

    def __init__(self, services: SchedulerServices, sender: Sender) -> None:
        settings = services.settings
        self.services = services
        self.interval = max(float(settings.scheduler_interval_seconds), MIN_INTERVAL)
        rate = settings.send_rate_per_second
        self.limiter = RateLimiter(rate * PACING, settings.group_messages_per_minute)
        self.planner = Planner(services.uow_factory, services.calendars, services.clock)
        self.dispatcher = Dispatcher(
            services.uow_factory,
            Composer(services.uow_factory, services.calendars, services.clock),
            sender,
            self.limiter,
            services.clock,
            # About a second of sends per batch: composing a batch (database work in a thread)
            # then competes with sending only briefly.
            batch=max(10, min(500, int(rate))),
            max_in_flight=max(4, min(64, int(rate / 4) + 2)),
        )
        self._watched: TelegramRateLimiter | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()

    def listen_to(self, bot: Bot) -> None:
        """Pause scheduled sends whenever the bot gets a 429 (its ``TelegramRateLimiter``)."""
        limiter = getattr(bot, "rate_limiter", None)
        if isinstance(limiter, TelegramRateLimiter):
            limiter.listeners.append(self.limiter.pause)
            self._watched = limiter

    async def plan(self) -> PlanStats:
        """One planner pass."""
        async with self._lock:
            stats, cancelled = await in_thread(self.planner.plan_once)
            if cancelled:
                raise asyncio.CancelledError
            return stats

    async def dispatch(self) -> DispatchStats:
        """One dispatcher pass (everything due now)."""
        async with self._lock:
            return await self.dispatcher.run_once()

    async def tick(self) -> DispatchStats:
        """Plan, then dispatch: what the loops do, once, now."""
        await self.plan()
        return await self.dispatch()

    def start(self) -> None:
        """Start the two background loops."""
        if self._tasks:
            return
        self._tasks = [
            asyncio.create_task(self._loop("planner", self.plan, self.interval * PLANNER_EVERY),
                                name="kpi-planner"),
            asyncio.create_task(self._loop("dispatcher", self.dispatch, self.interval),
                                name="kpi-dispatcher"),
        ]

    def wake(self) -> None:
        """Run the loops now instead of at the end of their interval."""
        self._wake.set()

    async def _loop(self, name: str, step: Any, every: float) -> None:
        while True:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("The %s pass failed; trying again in %.0f s", name, every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=every)
            self._wake.clear()

    async def stop(self) -> None:
        """Cancel the loops and wait for them (the dispatcher records what it knows first)."""
        if self._watched is not None and self.limiter.pause in self._watched.listeners:
            self._watched.listeners.remove(self.limiter.pause)
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits (Python's default is 0.005)."""


def prefer_low_latency() -> None:
    """Let the event loop take the GIL back from database threads within a millisecond.

    The dispatcher paces sends to a few milliseconds; with the default 5 ms switch interval a
    thread composing the next batch can hold each send back long enough for two sends to reach
    Telegram together. Process-wide; called when the loops start inside ``kpi-coach run``.
    """
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))


def start_background(services: SchedulerServices, bot: Bot, markup: Markup) -> Scheduler:
    """Start the planner and dispatcher loops that send through ``bot``; stop them with
    :func:`stop_background`. ``markup`` turns a menu's buttons into Telegram's inline keyboard
    (the entry point passes the Telegram adapter's)."""
    prefer_low_latency()
    scheduler = Scheduler(services, BotSender(bot, markup))
    scheduler.listen_to(bot)
    scheduler.start()
    log.info("Scheduler started: dispatch every %.1f s at up to %.0f messages/s",
             scheduler.interval, services.settings.send_rate_per_second)
    return scheduler


async def stop_background(scheduler: Scheduler) -> None:
    """Stop the background loops and wait for them."""
    await scheduler.stop()
    log.info("Scheduler stopped")
