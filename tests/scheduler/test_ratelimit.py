"""The send limiter: overall rate, per group, per chat, pauses after a 429 (fake time)."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.scheduler.ratelimit import RateLimiter


class FakeTime:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _slots(limiter: RateLimiter, chats: list[int]) -> list[float]:
    """The send instant each reservation gets, all reserved at the same moment."""
    return [round(limiter.reserve(c), 6) for c in chats]


def test_overall_rate_spaces_sends_evenly() -> None:
    t = FakeTime()
    limiter = RateLimiter(25, clock=t.clock, sleep=t.sleep)
    delays = _slots(limiter, list(range(1, 101)))
    assert delays[:3] == [0.0, 0.04, 0.08]
    assert delays[-1] == pytest.approx(99 / 25)
    # Any window of one second holds at most 25 sends.
    starts = sorted(delays)
    assert max(sum(1 for s in starts if a <= s < a + 1 - 1e-9) for a in starts) == 25


def test_one_message_a_second_per_chat_and_twenty_a_minute_per_group() -> None:
    t = FakeTime()
    limiter = RateLimiter(1000, 20, clock=t.clock, sleep=t.sleep)
    assert _slots(limiter, [7, 7, 7]) == [0.0, 1.0, 2.0]
    group = _slots(limiter, [-100] * 21)
    assert group[1] == pytest.approx(3.0, abs=0.01)   # 20 per minute: one every 3 s
    assert group[20] == pytest.approx(60.0, abs=0.01)  # the 21st waits a minute
    assert _slots(limiter, [8])[0] == pytest.approx(0.003, abs=0.002)  # others are not held up


async def test_pause_after_retry_after() -> None:
    t = FakeTime()
    limiter = RateLimiter(10, clock=t.clock, sleep=t.sleep)
    await limiter.acquire(1)
    limiter.pause(5)
    start = t.now
    await limiter.acquire(2)
    assert t.now - start == pytest.approx(5.0)
    await limiter.acquire(3)
    assert t.now - start == pytest.approx(5.1)
    assert limiter.pauses == 1


async def test_concurrent_acquirers_get_fifo_slots() -> None:
    order: list[int] = []
    limiter = RateLimiter(100)  # the real clock: five sends take 40 ms

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        order.append(chat)

    start = time.monotonic()
    await asyncio.gather(*(send(c) for c in range(1, 6)))
    assert order == [1, 2, 3, 4, 5]
    assert time.monotonic() - start >= 0.04


async def test_a_stalled_event_loop_does_not_release_a_burst() -> None:
    """Callers whose slots passed while the loop was busy leave one interval apart."""
    t = FakeTime()
    stalled = asyncio.Event()

    async def sleep(seconds: float) -> None:
        if not stalled.is_set():
            await stalled.wait()  # the loop was busy: everyone wakes late, together
            return
        t.now += seconds
        await asyncio.sleep(0)

    limiter = RateLimiter(10, clock=t.clock, sleep=sleep)
    released: dict[int, float] = {}

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        released[chat] = round(t.now - 1000, 3)

    tasks = [asyncio.ensure_future(send(c)) for c in (1, 2, 3)]
    await asyncio.sleep(0)
    t.now += 1.0
    stalled.set()
    await asyncio.gather(*tasks)
    assert sorted(released.values()) == [0.0, 1.0, 1.05]  # half an interval apart, not together


def test_unlimited() -> None:
    limiter = RateLimiter(0, 0, chat_interval=0)
    assert _slots(limiter, [1, 1, -5, -5]) == [0.0, 0.0, 0.0, 0.0]
