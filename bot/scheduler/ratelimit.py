"""Pacing of scheduled messages within Telegram's limits.

Telegram allows a bot about 30 messages a second overall, 20 a minute in one group and about
one a second in one chat; beyond that it answers 429 with ``retry_after``. The dispatcher asks
this limiter for a slot before every send, so scheduled traffic stays under the configured
rates (``Settings.send_rate_per_second``, ``Settings.group_messages_per_minute``) instead of
bouncing off Telegram.

Each constraint is a schedule of reserved send instants with a minimum spacing (1/rate); a
caller reserves the earliest instant that fits every constraint — filling gaps, so a message
that must wait (the same chat again, a busy group) never holds up the others — and sleeps
until it. Reservation is synchronous (no ``await`` in between), so concurrent senders get
evenly spaced slots without a thundering herd, and nothing is double-counted. With slots at
least 1/rate apart, no one-second window ever holds more than ``rate`` sends.

The application also runs PTB's ``AIORateLimiter`` at the same rates (for interactive replies).
Scheduled sends paced here never fill its bucket, so they do not wait twice; a 429 that still
happens (shared traffic, another process) pauses this limiter for ``retry_after``
(:meth:`RateLimiter.pause`).
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

__all__ = ["SCHEDULED", "RateLimiter", "Slots", "TelegramRateLimiter", "retry_after_seconds"]

JSONDict = dict[str, Any]

# One-second spacing per chat (Telegram: "avoid more than one message per second" in a chat).
CHAT_INTERVAL = 1.0
# The cap counts releases over a little more than a second: the network may bring two sends
# a few milliseconds closer together than they left.
CAP_WINDOW = 1.0
# Forget per-chat and per-group state this long after its last reservation.
_FORGET_AFTER = 120.0


class Slots:
    """Reserved instants at least ``interval`` seconds apart (one rate limit)."""

    __slots__ = ("interval", "taken")

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.taken: list[float] = []  # sorted

    def earliest(self, at: float) -> float:
        """The first instant at or after ``at`` that is ``interval`` away from every slot."""
        gap = self.interval
        when = at
        for slot in self.taken:
            if slot <= when - gap:
                continue
            if slot >= when + gap:
                break
            when = slot + gap
        return when

    def take(self, at: float) -> None:
        """Reserve ``at`` (an instant returned by :meth:`earliest`)."""
        bisect.insort(self.taken, at)

    def forget_before(self, now: float) -> None:
        """Drop slots that can no longer conflict with a reservation at ``now`` or later."""
        drop = bisect.bisect_right(self.taken, now - self.interval)
        if drop:
            del self.taken[:drop]

    @property
    def last(self) -> float:
        """The latest reserved instant (-inf when none)."""
        return self.taken[-1] if self.taken else float("-inf")


class RateLimiter:
    """Slots for sends: overall rate, per-group rate, one message a second per chat.

    Args:
        per_second: Overall messages per second (0 or less: unlimited).
        group_per_minute: Messages per minute in one group chat (negative chat ids).
        chat_interval: Minimum seconds between two messages to the same chat.
        cap_per_second: At most this many releases in any one second of real time (default:
            ``per_second`` rounded down); set it to the hard limit when ``per_second`` is a
            pace below it.
        clock: Monotonic seconds (tests pass a fake).
        sleep: Awaitable sleep (tests pass a fake).
    """

    def __init__(
        self,
        per_second: float,
        group_per_minute: float = 20,
        *,
        chat_interval: float = CHAT_INTERVAL,
        cap_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._overall = Slots(1.0 / per_second) if per_second > 0 else None
        self._cap = cap_per_second or max(1, int(per_second))
        self._window = CAP_WINDOW
        self._group_interval = 60.0 / group_per_minute if group_per_minute > 0 else 0.0
        self._groups: dict[int, Slots] = {}
        self._chats: dict[int, float] = {}
        self._chat_interval = chat_interval
        self._paused_until = float("-inf")
        self._released: collections.deque[float] = collections.deque()
        self._clock = clock
        self._sleep = sleep
        self._last_sweep = clock()
        self.rate = per_second if per_second > 0 else None
        """The overall rate, per second (None: unlimited)."""
        self.waited = 0.0
        """Total seconds callers slept for a slot (for measurements)."""
        self.pauses = 0
        """How many times a 429 paused the limiter."""

    def reserve(self, chat_id: int) -> float:
        """Reserve the next slot for ``chat_id``; return how many seconds to wait for it."""
        now = self._clock()
        at = max(now, self._paused_until, self._chats.get(chat_id, float("-inf")))
        group = None
        if chat_id < 0 and self._group_interval > 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = Slots(self._group_interval)
        if self._overall is not None:
            self._overall.forget_before(now)
        if group is not None:
            group.forget_before(now)
        while True:  # the first instant every constraint accepts (a fixed point)
            fits = at
            if group is not None:
                fits = group.earliest(fits)
            if self._overall is not None:
                fits = self._overall.earliest(fits)
            if fits == at:
                break
            at = fits
        if self._overall is not None:
            self._overall.take(at)
        if group is not None:
            group.take(at)
        if self._chat_interval > 0:
            self._chats[chat_id] = at + self._chat_interval
        self._sweep(now)
        return at - now

    async def acquire(self, chat_id: int) -> None:
        """Wait for the next slot for ``chat_id`` (again if a 429 paused sending meanwhile).

        Reserved slots are evenly spaced, but a busy event loop may wake several callers late
        at once. Releases are therefore also checked in real time: at most ``rate`` of them
        in any one second, and never two closer than half an interval — after a stall the
        pace catches up gently instead of in a burst.
        """
        while True:
            delay = self.reserve(chat_id)
            if delay > 0:
                self.waited += delay
                await self._sleep(delay)
            if self._clock() < self._paused_until:
                continue
            if self._overall is not None:
                await self._release_gently(self._overall.interval)
            return

    async def _release_gently(self, interval: float) -> None:
        recent = self._released
        cap = self._cap
        while True:
            now = self._clock()
            while recent and recent[0] <= now - self._window:
                recent.popleft()
            wait = 0.0
            if recent:
                wait = recent[-1] + interval / 2 - now
            if len(recent) >= cap:
                wait = max(wait, recent[0] + self._window - now)
            if wait <= 0:
                recent.append(now)
                return
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Stop every send for ``seconds`` (Telegram said ``retry_after``)."""
        now = self._clock()
        if now >= self._paused_until:
            self.pauses += 1  # a new pause, not the same 429 reported twice
        self._paused_until = max(self._paused_until, now + max(seconds, 0.0))

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < _FORGET_AFTER:
            return
        self._last_sweep = now
        self._chats = {c: t for c, t in self._chats.items() if t > now - _FORGET_AFTER}
        self._groups = {c: g for c, g in self._groups.items() if g.last > now - _FORGET_AFTER}


SCHEDULED = -1
"""``rate_limit_args`` of a scheduled send: paced by the scheduler, one attempt, no retry."""


class TelegramRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter``, aware of the scheduler.

    The application's bot uses it (``bot.telegram.app``).

    * Every 429 is reported to :attr:`listeners`: the scheduler's :class:`RateLimiter`
      registers :meth:`RateLimiter.pause`, so scheduled sends hold off for ``retry_after``.
    * Interactive replies are handled as by ``AIORateLimiter`` (paced, a 429 waited out and
      retried). Scheduled sends (``rate_limit_args=SCHEDULED``) take their share of the overall
      budget but are tried once: a 429 goes back to the dispatcher, which reschedules the
      delivery. Waiting them out here would hold every in-flight send behind the pause and
      release them together when it ends — a burst that earns the next 429.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listeners: list[Callable[[float], None]] = []
        self.hits = 0
        """How many 429s the bot received."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Run the request like ``AIORateLimiter`` (scheduled sends: once), reporting 429s."""

        async def watched(*a: Any, **kw: Any) -> bool | JSONDict | list[JSONDict]:
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                self.hits += 1
                seconds = retry_after_seconds(exc)
                for listener in list(self.listeners):
                    listener(seconds)
                raise

        if rate_limit_args == SCHEDULED:
            budget = getattr(self, "_base_limiter", None)  # the overall rate shared with replies
            async with budget if budget is not None else contextlib.nullcontext():
                return await watched(*args, **kwargs)
        return await super().process_request(watched, args, kwargs, endpoint, data,
                                             rate_limit_args)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, without PTB 22's int/timedelta deprecation warning."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value or 1)
