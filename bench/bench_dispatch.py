"""How close does the dispatcher get to the configured send rate, without a single 429?

Seeds ``--messages`` people whose evening reminder is due now, plans them, and times one
dispatcher pass that sends them all through the production pipeline: the application's bot
(built by ``build_application``, so with its AIORateLimiter at the same rate) and the
scheduler's own limiter (:class:`bot.scheduler.ratelimit.RateLimiter`), against the loopback
Bot API stand-in (``tests/e2e/botapi_stub.py``) over real HTTP.

The stand-in enforces the limit strictly: a ``sendMessage`` arriving when ``--rate`` messages
already arrived within the last second gets 429 (``retry_after`` 1). The goal: the achieved rate
within 5 % of ``--rate`` and zero 429s. The stand-in runs in a process of its own; it is plain
``http.server`` and tops out at about 70 requests a second on a small machine, so rates near
that measure the stand-in, not the bot.

    .venv/bin/python bench/bench_dispatch.py                           # 1,000 at 25/s, ~45 s
    .venv/bin/python bench/bench_dispatch.py --messages 10000          # 10,000 at 25/s, ~7 min
    .venv/bin/python bench/bench_dispatch.py --messages 2000 --rate 40

25/s is ``Settings.send_rate_per_second``'s default (Telegram allows about 30). The default
run is short on purpose; the 10,000-message run is the ``--messages 10000`` flag.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.calendars import HolidaysCalendarProvider  # noqa: E402
from bot.scheduler.dispatcher import BotSender  # noqa: E402
from bot.scheduler.runtime import Scheduler, prefer_low_latency  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.storage import make_engine, uow_factory, upgrade  # noqa: E402
from bot.telegram import keyboards  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.context import Services  # noqa: E402
from kpi_core.model import Membership, Team, TeamRole, User  # noqa: E402
from tests.bot.harness import FakeTelegram  # noqa: E402
from tests.e2e.botapi_stub import BotApiStub  # noqa: E402

TOKEN = "123:BENCH"
NOW = datetime(2025, 11, 24, 15, 0, 30, tzinfo=UTC)  # Monday 18:00:30 in Moscow


class BenchClock:
    """18:00:30 in Moscow when the bench starts, then moving with real time."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def now(self) -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - self._start)


class RateLimitedTelegram(FakeTelegram):
    """The fake Bot API, answering 429 beyond ``limit`` sendMessage calls per second."""

    def __init__(self, limit: float) -> None:
        super().__init__(TOKEN)
        self.limit = limit
        self.arrivals: collections.deque[float] = collections.deque()
        self.refused = 0
        self.first: float | None = None
        self.last: float | None = None

    def handle(self, url: str, params: dict[str, Any], files: tuple[str, ...] = ()
               ) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            now = time.monotonic()
            while self.arrivals and self.arrivals[0] <= now - 1.0:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.limit:
                self.refused += 1
                return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self.arrivals.append(now)
            self.first = self.first if self.first is not None else now
            self.last = now
        return super().handle(url, params, files)


def seed(url: str, people: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with uow_factory(engine)() as uow:
            for n in range(people):
                user = uow.users.add(User(telegram_id=10_000 + n, timezone="Europe/Moscow",
                                          onboarded=True, digest_time=None,
                                          reminder_time=dtime(18, 0)))
                assert user.id is not None
                team = uow.teams.add(Team(name=f"T{n}", owner_user_id=user.id))
                assert team.id is not None
                uow.teams.add_member(Membership(team.id, user.id, TeamRole.OWNER))
                uow.assignments.replace(user.id, team.id, ["cold_calls", "meetings", "revenue"])
            uow.commit()
    finally:
        engine.dispose()


def serve(limit: float, conn: Any) -> None:
    """The stand-in, in a process of its own (so it does not share the bot's GIL)."""
    telegram = RateLimitedTelegram(limit)
    with BotApiStub(token=TOKEN) as api:
        api.telegram = telegram
        conn.send(api.url)
        conn.recv()  # "stop"
        sends = [c for c in telegram.calls if c.method == "sendMessage"]
        chats = collections.Counter(int(c.params["chat_id"]) for c in sends)
        conn.send({"delivered": len(sends), "refused": telegram.refused,
                   "first": telegram.first, "last": telegram.last,
                   "duplicates": sum(n - 1 for n in chats.values() if n > 1)})


async def run(messages: int, rate: float, url: str, api_url: str) -> tuple[Any, Any, float]:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_url=api_url,
                             database_url=url, send_rate_per_second=rate,
                             scheduler_interval_seconds=1)
    engine = make_engine(url)
    clock = BenchClock()
    services = Services(uow_factory=uow_factory(engine, clock), clock=clock,
                        calendars=HolidaysCalendarProvider(), settings=settings,
                        dispose=engine.dispose)
    app = build_application(settings, services, run_background=False)
    await app.initialize()
    try:
        prefer_low_latency()  # as start_background does inside `kpi-coach run`
        scheduler = Scheduler(services, BotSender(app.bot, keyboards.inline))
        scheduler.listen_to(app.bot)
        planned = await scheduler.plan()
        print(f"planned {planned.inserted:,} deliveries")
        begin = time.perf_counter()
        stats = await scheduler.dispatch()
        while stats.sent < messages and time.perf_counter() - begin < 3600:
            await asyncio.sleep(0.5)  # rescheduled after a 429: the loop's next passes
            stats = await scheduler.dispatch()
        wall = time.perf_counter() - begin
    finally:
        await app.shutdown()
        engine.dispose()
    return stats, scheduler.limiter, wall


def measure(messages: int, rate: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'dispatch.sqlite3'}"
        begin = time.perf_counter()
        seed(url, messages)
        print(f"seeded {messages:,} people in {time.perf_counter() - begin:.1f} s")
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        server = ctx.Process(target=serve, args=(rate, theirs), daemon=True)
        server.start()
        try:
            api_url = ours.recv()
            stats, limiter, wall = asyncio.run(run(messages, rate, url, api_url))
            ours.send("stop")
            seen = ours.recv()
        finally:
            server.join(timeout=10)
            if server.is_alive():
                server.terminate()
    span = (seen["last"] or 0) - (seen["first"] or 0)
    achieved = (seen["delivered"] - 1) / span if span > 0 else float("nan")
    print(f"sent {stats.sent:,}; the stand-in got {seen['delivered']:,} messages, "
          f"{seen['refused']} answered 429, {seen['duplicates']} duplicates")
    print(f"configured {rate:g}/s; achieved {achieved:.1f}/s between the first and the last "
          f"arrival = {achieved / rate:.1%} of the limit; the whole pass {wall:.1f} s "
          f"({stats.sent / wall:.1f}/s including claiming and composing)")
    print(f"scheduler limiter: {limiter.pauses} pauses after a 429")
    ok = (seen["delivered"] == messages and seen["refused"] == 0 and seen["duplicates"] == 0
          and achieved >= 0.95 * rate)
    print("GOAL MET" if ok else "goal missed")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0, help="messages per second")
    args = parser.parse_args(argv)
    return measure(args.messages, args.rate)


if __name__ == "__main__":
    sys.exit(main())
