"""Pacing of scheduled messages within Telegram's limits.

Telegram allows a bot about 30 messages a second overall, 20 a minute in one group and about
one a second in one chat; beyond that it answers 429 with ``retry_after``. The dispatcher asks
this limiter for a slot before every send, so scheduled traffic stays under the configured
rates (``Settings.send_rate_per_second``, ``Settings.group_messages_per_minute``) instead of
bouncing off Telegram.

It is a GCRA ("virtual scheduling") limiter: each constraint keeps a theoretical arrival time;
a caller reserves the earliest instant that satisfies all of them, then sleeps until it. The
reservation happens synchronously (no ``await`` in between), so concurrent senders get evenly
spaced slots in FIFO order without a thundering herd, and nothing is double-counted.

The application also runs PTB's ``AIORateLimiter`` at the same rates (for interactive replies).
Scheduled sends paced here never fill its bucket, so they do not wait twice; a 429 that still
happens (shared traffic, another process) pauses this limiter for ``retry_after``
(:meth:`RateLimiter.pause`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Gcra", "RateLimiter"]

# One-second spacing per chat (Telegram: "avoid more than one message per second" in a chat).
CHAT_INTERVAL = 1.0
# Forget per-chat and per-group state this long after its last reservation.
_FORGET_AFTER = 120.0


@dataclass
class Gcra:
    """One rate: ``rate`` events per ``period`` seconds, bursts of up to ``burst`` events."""

    rate: float
    period: float = 1.0
    burst: int = 1
    tat: float = field(default=float("-inf"))  # theoretical arrival time of the next event

    @property
    def interval(self) -> float:
        """Seconds between events at the steady rate."""
        return self.period / self.rate

    def earliest(self, at: float) -> float:
        """The first instant at or after ``at`` when an event conforms."""
        tolerance = (self.burst - 1) * self.interval
        return max(at, self.tat - tolerance)

    def take(self, at: float) -> None:
        """Record an event at ``at`` (a conforming instant from :meth:`earliest`)."""
        self.tat = max(self.tat, at) + self.interval


class RateLimiter:
    """Slots for sends: overall rate, per-group rate, one message a second per chat.

    Args:
        per_second: Overall messages per second (0 or less: unlimited).
        group_per_minute: Messages per minute in one group chat (negative chat ids).
        chat_interval: Minimum seconds between two messages to the same chat.
        burst: Overall burst size (1 = strictly even spacing).
        clock: Monotonic seconds (tests pass a fake).
        sleep: Awaitable sleep (tests pass a fake).
    """

    def __init__(
        self,
        per_second: float,
        group_per_minute: float = 20,
        *,
        chat_interval: float = CHAT_INTERVAL,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._overall = Gcra(per_second, 1.0, burst) if per_second > 0 else None
        self._group_rate = group_per_minute
        self._groups: dict[int, Gcra] = {}
        self._chats: dict[int, float] = {}
        self._chat_interval = chat_interval
        self._paused_until = float("-inf")
        self._clock = clock
        self._sleep = sleep
        self._last_sweep = clock()
        self.waited = 0.0
        """Total seconds callers slept for a slot (for measurements)."""
        self.pauses = 0
        """How many times a 429 paused the limiter."""

    @property
    def rate(self) -> float | None:
        """The overall rate, per second (None: unlimited)."""
        return self._overall.rate if self._overall else None

    def reserve(self, chat_id: int) -> float:
        """Reserve the next slot for ``chat_id``; return how many seconds to wait for it."""
        now = self._clock()
        at = max(now, self._paused_until, self._chats.get(chat_id, float("-inf")))
        group = None
        if chat_id < 0 and self._group_rate > 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = Gcra(self._group_rate, 60.0)
            at = group.earliest(at)
        if self._overall is not None:
            at = self._overall.earliest(at)
            self._overall.take(at)
        if group is not None:
            group.take(at)
        if self._chat_interval > 0:
            self._chats[chat_id] = at + self._chat_interval
        self._sweep(now)
        return at - now

    async def acquire(self, chat_id: int) -> None:
        """Wait for the next slot for ``chat_id``."""
        delay = self.reserve(chat_id)
        if delay > 0:
            self.waited += delay
            await self._sleep(delay)

    def pause(self, seconds: float) -> None:
        """Stop every send for ``seconds`` (Telegram said ``retry_after``)."""
        until = self._clock() + max(seconds, 0.0)
        if until > self._paused_until:
            self._paused_until = until
            self.pauses += 1
        if self._overall is not None:
            self._overall.tat = max(self._overall.tat, until)

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < _FORGET_AFTER:
            return
        self._last_sweep = now
        self._chats = {c: t for c, t in self._chats.items() if t > now - _FORGET_AFTER}
        self._groups = {c: g for c, g in self._groups.items() if g.tat > now - _FORGET_AFTER}
