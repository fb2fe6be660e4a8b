"""Planner + dispatcher over a real database, with a manual clock.

Times are UTC unless a comment says otherwise. Moscow is UTC+3 all year; Vladivostok UTC+10;
New York UTC-5 (EST) / UTC-4 (EDT, 9 March - 2 November 2025); Berlin UTC+1 / UTC+2.
"""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Engine
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.scheduler.dispatcher import Sender
from bot.scheduler.ratelimit import RateLimiter
from bot.ui.render import Menu
from kpi_core.model import DeliveryKind, DeliveryStatus
from kpi_core.services import deliveries
from tests.fakes import ManualClock
from tests.scheduler.conftest import World, make_world
from tests.services.daily_world import log, person


def retry_after(seconds: int) -> RetryAfter:
    """``RetryAfter`` as PTB raises it (its constructor warns about int periods in v22)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RetryAfter(seconds)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
        ) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def rows(world: World, chat_id: int) -> list[tuple[DeliveryKind, date, DeliveryStatus]]:
    with world.new_uow() as uow:
        return [(d.kind, d.local_date, d.status) for d in uow.deliveries.for_chat(chat_id)]


def times(world: World, chat_id: int) -> list[datetime]:
    return [s.at for s in world.sender.to(chat_id)]


REPORT_ICONS = ("📅", "🗓")
"""How the weekly and the monthly report begin."""


def daily_times(world: World, chat_id: int) -> list[datetime]:
    """When the digests and reminders (not the reports) went out."""
    return [s.at for s in world.sender.to(chat_id) if not s.text.startswith(REPORT_ICONS)]


async def test_reminders_fire_at_local_time_in_four_zones(world: World) -> None:
    zones = {1: "Europe/Moscow", 2: "Asia/Vladivostok", 3: "America/New_York", 4: "Europe/Berlin"}
    for tg, tz in zones.items():
        person(world.new_uow, tg, timezone=tz, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 6, 0))  # Monday
    await world.run_until(utc(2025, 11, 26, 6, 0), step_minutes=15)
    expected = {
        1: [utc(2025, 11, 24, 15), utc(2025, 11, 25, 15)],
        2: [utc(2025, 11, 24, 8), utc(2025, 11, 25, 8)],
        3: [utc(2025, 11, 24, 23), utc(2025, 11, 25, 23)],
        4: [utc(2025, 11, 24, 17), utc(2025, 11, 25, 17)],
    }
    for tg, due in expected.items():
        assert times(world, tg) == due, zones[tg]
    text = world.sender.to(1)[0].text
    assert "Time to log today's results: Calls, Meetings, and Revenue." in text
    assert world.sender.to(1)[0].buttons[-1] == ["⏰ Remind me in an hour"]


@pytest.mark.parametrize(
    ("start", "end", "sent_on"),
    [
        # 8-9 May 2025 are public holidays (Victory Day), 10-11 May the weekend.
        (utc(2025, 5, 7, 0), utc(2025, 5, 13, 0), [7, 12]),
        # 1 Nov 2025 is a transferred working Saturday; 3 Nov transferred off; 4 Nov Unity Day.
        (utc(2025, 10, 31, 0), utc(2025, 11, 6, 0), [31, 1, 5]),
    ],
)
async def test_weekends_and_russian_holidays_are_skipped(
    world: World, start: datetime, end: datetime, sent_on: list[int]
) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.clock.set(start)
    await world.run_until(end, step_minutes=30)
    assert [t.astimezone(UTC).day for t in times(world, 1)] == sent_on


async def test_dst_gap_and_overlap_in_new_york(world: World) -> None:
    # Every day a working day; 02:30 does not exist on 9 March, 01:30 happens twice on 2 Nov.
    person(world.new_uow, 1, timezone="America/New_York", digest_time=time(2, 30),
           reminder_time=time(1, 30))
    with world.new_uow() as uow:
        user = uow.users.by_telegram_id(1)
        assert user is not None
        user.working_weekdays = frozenset(range(7))
        user.country = "US"
        uow.users.save(user)
        uow.commit()
    world.clock.set(utc(2025, 3, 8, 18, 0))  # 13:00 on 8 March: that day's messages are stale
    await world.run_until(utc(2025, 3, 10, 12, 0), step_minutes=10)
    # Reminders: 9 March 01:30 EST = 06:30; 10 March 01:30 EDT = 05:30.
    # Digests: 9 March 02:30 -> 03:30 EDT = 07:30; 10 March 02:30 EDT = 06:30.
    assert daily_times(world, 1) == [utc(2025, 3, 9, 6, 30), utc(2025, 3, 9, 7, 30),
                                     utc(2025, 3, 10, 5, 30), utc(2025, 3, 10, 6, 30)]
    # Monday 10 March: the weekly report right after the digest (the next pass: a chat's
    # messages go out one at a time, in order).
    reports = [s.at for s in world.sender.to(1) if s.text.startswith(REPORT_ICONS)]
    assert reports == [utc(2025, 3, 10, 6, 40)]
    world.sender.sent.clear()
    world.clock.set(utc(2025, 11, 1, 18, 0))
    await world.run_until(utc(2025, 11, 3, 12, 0), step_minutes=10)
    # 2 Nov: 01:30 EDT = 05:30 (first of the two), 02:30 EST = 07:30; 3 Nov: 06:30, 07:30.
    assert daily_times(world, 1) == [utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 7, 30),
                                     utc(2025, 11, 3, 6, 30), utc(2025, 11, 3, 7, 30)]


async def test_no_reminder_after_logging(world: World) -> None:
    user_id, _ = person(world.new_uow, 1, digest_time=None)
    person(world.new_uow, 2, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 12, 0))
    await world.tick()
    log(world.new_uow, user_id, {date(2025, 11, 24): {"meetings": 3}})
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.tick()
    assert times(world, 1) == []
    assert times(world, 2) == [utc(2025, 11, 24, 15, 0)]
    assert (DeliveryKind.REMINDER, date(2025, 11, 24), DeliveryStatus.SKIPPED) in rows(world, 1)


@pytest.mark.parametrize(
    ("first_tick", "digest_sent", "reminder_sent"),
    [
        (utc(2025, 11, 24, 8, 30), True, True),    # 11:30 Moscow: the digest is still useful
        (utc(2025, 11, 24, 9, 30), False, True),   # 12:30: the digest has expired
        (utc(2025, 11, 24, 16, 30), False, True),  # 19:30: the reminder still useful
        (utc(2025, 11, 24, 17, 30), False, False),  # 20:30: both stale
    ],
)
async def test_after_downtime_only_useful_messages_are_sent(
    world: World, first_tick: datetime, digest_sent: bool, reminder_sent: bool
) -> None:
    person(world.new_uow, 1, targets={"cold_calls": 380}, period=(date(2025, 11, 1),
                                                                    date(2025, 11, 30)))
    world.clock.set(first_tick)  # the bot comes back and keeps running until midnight
    # Five-minute passes: the weekly report (due since 09:00) goes first, the reminder next.
    await world.run_until(utc(2025, 11, 24, 20, 59), step_minutes=5)
    texts = [s.text for s in world.sender.to(1)]
    assert sum(not x.startswith(("🕕", *REPORT_ICONS)) for x in texts) == int(digest_sent)
    assert sum(x.startswith("🕕") for x in texts) == int(reminder_sent)  # 🕕: the reminder
    # Monday's weekly report is worth sending all day.
    assert sum(x.startswith("📅") for x in texts) == 1


async def test_a_long_downtime_sends_no_burst(world: World) -> None:
    person(world.new_uow, 1)
    world.clock.set(utc(2025, 11, 23, 12, 0))  # Sunday: plans Sunday and Monday
    await world.tick()
    world.clock.set(utc(2025, 11, 26, 8, 0))   # back on Wednesday 11:00 Moscow
    await world.tick()
    assert len(world.sender.sent) == 1         # Wednesday's digest, nothing older
    statuses = {(k, d): s for k, d, s in rows(world, 1)}
    assert statuses[(DeliveryKind.DIGEST, date(2025, 11, 24))] is DeliveryStatus.EXPIRED
    assert statuses[(DeliveryKind.REMINDER, date(2025, 11, 24))] is DeliveryStatus.EXPIRED
    assert (DeliveryKind.DIGEST, date(2025, 11, 25)) not in statuses


@pytest.mark.parametrize("restart", [False, True])
async def test_time_zone_change_moves_pending_rows(world: World, restart: bool) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 10, 0))
    await world.tick()
    with world.new_uow() as uow:
        user = uow.users.by_telegram_id(1)
        assert user is not None
        user.timezone = "America/New_York"
        uow.users.save(user)
        uow.commit()
    if restart:
        world.planner.forget()  # a new process: its first pass reconciles everything
    await world.run_until(utc(2025, 11, 25, 6, 0), step_minutes=15)
    assert times(world, 1) == [utc(2025, 11, 24, 23, 0)]  # 18:00 in New York, not Moscow


async def test_the_dispatcher_rechecks_settings_at_send_time(world: World) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 10, 0))
    await world.tick()
    with world.new_uow() as uow:  # changed behind the planner's back, no planner pass after
        user = uow.users.by_telegram_id(1)
        assert user is not None
        user.reminder_time = time(20, 0)
        uow.users.save(user)
        uow.commit()
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.dispatcher.run_once()
    assert times(world, 1) == []
    world.clock.set(utc(2025, 11, 24, 17, 0))
    await world.dispatcher.run_once()
    assert times(world, 1) == [utc(2025, 11, 24, 17, 0)]


async def test_snoozed_reminder_comes_back_an_hour_later(world: World) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.tick()
    [reminder] = world.sender.to(1)
    world.clock.set(utc(2025, 11, 24, 16, 30))  # snoozed at 19:30 Moscow
    due = deliveries.snooze_reminder(world.new_uow(), world.clock, 1, reminder.message_id)
    assert due == utc(2025, 11, 24, 17, 30)
    world.planner.forget()  # a restarted planner leaves the snoozed row where it is
    world.clock.set(utc(2025, 11, 24, 17, 29))
    await world.tick()
    assert len(world.sender.to(1)) == 1
    world.clock.set(utc(2025, 11, 24, 17, 30))  # 20:30: past the planned window, still sent
    await world.tick()
    assert times(world, 1) == [utc(2025, 11, 24, 15, 0), utc(2025, 11, 24, 17, 30)]


async def test_429_pauses_and_retries_without_losing_the_message(world: World) -> None:
    person(world.new_uow, 1, digest_time=None)
    person(world.new_uow, 2, digest_time=None)
    world.sender.fail(1, retry_after(5))
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.tick()
    assert times(world, 1) == []
    assert world.dispatcher.stats.rate_limited == 1
    with world.new_uow() as uow:
        [row] = [d for d in uow.deliveries.for_chat(1) if d.local_date == date(2025, 11, 24)]
    assert row.status is DeliveryStatus.PENDING
    assert row.next_attempt_at == utc(2025, 11, 24, 15, 0, 5)
    world.clock.advance(seconds=5)
    await world.tick()
    assert times(world, 1) == [utc(2025, 11, 24, 15, 0, 5)]
    assert len(world.sender.to(2)) == 1


async def test_under_flood_limits_a_persons_messages_keep_their_order(world: World) -> None:
    # Digest at 17:00 Moscow (useful until 19:00), reminder at 18:00.
    person(world.new_uow, 1, digest_time=time(17, 0), reminder_time=time(18, 0))
    world.sender.fail(1, retry_after(3700))  # the digest must wait until 18:01:40
    # The limiter's pause runs on the test's clock, so the test does not wait an hour.
    world.dispatcher._limiter = RateLimiter(0, 0, chat_interval=0,
                                            clock=lambda: world.clock.now().timestamp())
    world.clock.set(utc(2025, 11, 24, 14, 0))
    await world.tick()
    assert world.sender.to(1) == []
    await world.run_until(utc(2025, 11, 24, 15, 10), step_minutes=1)
    sent = world.sender.to(1)
    # The digest first (🌙: it goes out at 18:02, so "Good evening"), Monday's weekly report,
    # then the reminder.
    assert [s.text.split()[0] for s in sent] == ["🌙", "📅", "🕕"], [s.text for s in sent]
    assert sent[0].at == utc(2025, 11, 24, 15, 2)
    assert sent[0].at < sent[1].at


async def test_403_deactivates_and_stops_sending(world: World) -> None:
    person(world.new_uow, 1)
    world.sender.fail(1, Forbidden("Forbidden: bot was blocked by the user"))
    world.clock.set(utc(2025, 11, 24, 6, 0))
    await world.tick()
    with world.new_uow() as uow:
        user = uow.users.by_telegram_id(1)
        assert user is not None
        assert not user.active
    await world.run_until(utc(2025, 11, 26, 6, 0), step_minutes=60)
    assert world.sender.to(1) == []
    statuses = [s for k, d, s in rows(world, 1)]
    assert statuses[0] is DeliveryStatus.FAILED
    assert set(statuses[1:]) <= {DeliveryStatus.SKIPPED}


async def test_network_errors_back_off_then_give_up(world: World) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.dispatcher._max_attempts = 3  # a short test
    world.sender.fail(1, NetworkError("connection reset"), times=10)
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.run_until(utc(2025, 11, 24, 16, 0), step_minutes=1)
    assert world.sender.attempts == 3  # at 15:00, 15:00:30 -> 15:01, 15:01:30 -> 15:02 ...
    with world.new_uow() as uow:
        [row] = [d for d in uow.deliveries.for_chat(1) if d.local_date == date(2025, 11, 24)]
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)


async def test_a_network_error_then_success(world: World) -> None:
    person(world.new_uow, 1, digest_time=None)
    world.sender.fail(1, NetworkError("timed out"))
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await world.run_until(utc(2025, 11, 24, 15, 5), step_minutes=1)
    assert times(world, 1) == [utc(2025, 11, 24, 15, 1)]  # retried after 30 s, at the next tick


async def test_digest_numbers_worked_example(world: World) -> None:
    # November 2025 in Russia: 19 working days (Sat 1 Nov works, 3-4 Nov off). 380 calls is 20
    # a day. Logged 20 a day on the 14 working days 1-21 Nov: 280, exactly on pace.
    user_id, _ = person(world.new_uow, 1, kpis=["cold_calls"], targets={"cold_calls": 380},
                        period=(date(2025, 11, 1), date(2025, 11, 30)))
    worked = [1, 5, 6, 7, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21]
    log(world.new_uow, user_id, {date(2025, 11, d): {"cold_calls": 20} for d in worked})
    world.clock.set(utc(2025, 11, 24, 6, 0))  # Monday 09:00 Moscow
    await world.tick()
    [digest] = world.sender.to(1)
    for expected in [
        "Good morning! Monday, 24 November",
        "Results of Friday, 21 November:",
        "Calls: 20 of 20 that day ✅",
        "▓▓▓▓▓▓▓░░░ 74% · 280 of 380",   # 280 / 380
        "pace 100% · forecast 380 · ✅ on track",
        "Today: 20",
        "🔥 14 working days in a row with results logged.",
    ]:
        assert expected in digest.text, digest.text


async def test_digest_in_russian(world: World) -> None:
    user_id, _ = person(world.new_uow, 1, kpis=["cold_calls"], targets={"cold_calls": 380},
                        period=(date(2025, 11, 1), date(2025, 11, 30)), language="ru")
    log(world.new_uow, user_id, {date(2025, 11, d): {"cold_calls": 10} for d in (20, 21)})
    world.clock.set(utc(2025, 11, 24, 6, 0))
    await world.tick()
    [digest] = world.sender.to(1)
    # A capital letter starts the date: it is a sentence of its own after "Доброе утро!".
    assert "Доброе утро! Понедельник, 24 ноября" in digest.text, digest.text
    assert "Звонки: 10 из 20 в тот день" in digest.text, digest.text
    # A non-breaking space ties the number to its noun.
    assert "🔥 2\u00a0рабочих дня подряд с внесёнными результатами." in digest.text, digest.text


async def test_cancelled_in_the_middle_then_restarted(world: World) -> None:
    """Kill the dispatcher after 15 of 40 sends; restart; everything is sent.

    Outcomes that were known are recorded before the task ends, so those messages are never
    sent again. Sends that were in flight at the kill (the message reached Telegram, the answer
    did not reach us) stay CLAIMED and are sent again after the lease: the documented
    at-least-once window.
    """
    for tg in range(1, 41):
        person(world.new_uow, tg, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await asyncio.to_thread(world.planner.plan_once)
    world.sender.delay = 0.005
    world.sender.record_before_delay = True
    first = world.new_dispatcher(worker="first", max_in_flight=4, batch=40)
    task = asyncio.ensure_future(first.run_once())

    def kill_after_15(_: object) -> None:
        if len(world.sender.sent) == 15:
            task.cancel()

    world.sender.on_send = kill_after_15
    with pytest.raises(asyncio.CancelledError):
        await task
    world.sender.on_send = None
    today = date(2025, 11, 24)
    with world.new_uow() as uow:
        all_rows = [d for tg in range(1, 41) for d in uow.deliveries.for_chat(tg)
                    if d.local_date == today]
    by_status = {s: [d.chat_id for d in all_rows if d.status is s] for s in DeliveryStatus}
    delivered_once = {s.chat_id for s in world.sender.sent}
    in_flight = set(by_status[DeliveryStatus.CLAIMED])
    assert set(by_status[DeliveryStatus.SENT]) | in_flight == delivered_once
    assert 1 <= len(in_flight) <= 4
    assert len(by_status[DeliveryStatus.SENT]) >= 11
    assert set(by_status[DeliveryStatus.PENDING]) == set(range(1, 41)) - delivered_once

    second = world.new_dispatcher(worker="second")
    await second.run_once()  # the released rows go at once
    assert {s.chat_id for s in world.sender.sent} == set(range(1, 41))
    world.clock.advance(seconds=600)  # the lease of the unknown ones ends
    await second.run_once()
    counts = {tg: len(world.sender.to(tg)) for tg in range(1, 41)}
    assert {tg for tg, n in counts.items() if n != 1} == in_flight
    assert all(n == 2 for tg, n in counts.items() if tg in in_flight)
    with world.new_uow() as uow:
        assert all(d.status is DeliveryStatus.SENT
                   for tg in range(1, 41) for d in uow.deliveries.for_chat(tg)
                   if d.local_date == today)


@dataclass
class _Handshake:
    """Two dispatchers' ways to the shared sender, so that both surely hold claimed rows at once
    however the threads are scheduled: the second (``first=False``) sends only after the first
    has claimed rows (its first send began), and the first sends only after the second has
    sent one. A waiting dispatcher holds at most two batches (one sending, one queued), fewer
    than the queue, so neither can claim everything first."""

    inner: Sender
    claimed: asyncio.Event
    opened: asyncio.Event
    first: bool

    async def send(self, chat_id: int, menu: Menu) -> int:
        if self.first:
            self.claimed.set()
            await asyncio.wait_for(self.opened.wait(), 10)
        else:
            await asyncio.wait_for(self.claimed.wait(), 10)
        message_id = await self.inner.send(chat_id, menu)
        if not self.first:
            self.opened.set()
        return message_id


async def _two_dispatchers_no_duplicates(world: World, people: int) -> None:
    for tg in range(1, people + 1):
        person(world.new_uow, tg, digest_time=None)
    world.clock.set(utc(2025, 11, 24, 15, 0))
    await asyncio.to_thread(world.planner.plan_once)
    world.sender.delay = 0.001
    claimed, opened = asyncio.Event(), asyncio.Event()
    a = world.new_dispatcher(_Handshake(world.sender, claimed, opened, first=True), worker="a",
                             batch=20, max_in_flight=8)
    b = world.new_dispatcher(_Handshake(world.sender, claimed, opened, first=False),
                             worker="b", batch=20, max_in_flight=8)
    await asyncio.gather(a.run_once(), b.run_once(), a.run_once(), b.run_once())
    counts = {tg: len(world.sender.to(tg)) for tg in range(1, people + 1)}
    assert set(counts.values()) == {1}
    assert a.stats.sent + b.stats.sent == people
    assert a.stats.sent > 0
    assert b.stats.sent > 0


async def test_two_dispatchers_on_sqlite(world: World) -> None:
    await _two_dispatchers_no_duplicates(world, 120)


@pytest.mark.postgres
async def test_two_dispatchers_on_postgresql(pg_engine: Engine, clock: ManualClock) -> None:
    await _two_dispatchers_no_duplicates(make_world(pg_engine, clock), 300)


@pytest.mark.postgres
async def test_two_planners_on_postgresql_plan_each_row_once(
    pg_engine: Engine, clock: ManualClock
) -> None:
    w1 = make_world(pg_engine, clock)
    w2 = make_world(pg_engine, clock)
    for tg in range(1, 51):
        person(w1.new_uow, tg)
    clock.set(utc(2025, 11, 24, 4, 0))
    s1, s2 = await asyncio.gather(asyncio.to_thread(w1.planner.plan_once),
                                  asyncio.to_thread(w2.planner.plan_once))
    assert s1.inserted + s2.inserted == 50 * 5  # 2 kinds × 2 days each, Monday's report
    clock.set(utc(2025, 11, 24, 6, 0))  # 09:00 Moscow: the digests are due
    await asyncio.gather(w1.dispatcher.run_once(), w2.dispatcher.run_once())
    assert sorted(s.chat_id for s in w1.sender.sent + w2.sender.sent) == list(range(1, 51))


async def test_group_digest_to_a_linked_chat(world: World) -> None:
    from kpi_core.services import daily

    anna, team = person(world.new_uow, 1, name="Anna", kpis=["cold_calls"],
                        targets={"cold_calls": 760}, period=(date(2025, 11, 1),
                                                             date(2025, 11, 30)))
    person(world.new_uow, 2, name="Boris", kpis=["cold_calls"], team_id=team)
    daily.link_group(world.new_uow(), 1, -1001, "Sales", "en")
    log(world.new_uow, anna, {date(2025, 11, 21): {"cold_calls": 25}})
    world.clock.set(utc(2025, 11, 24, 6, 0))
    await world.tick()
    [group] = world.sender.to(-1001)
    assert "Team digest “Team of Anna”, Monday, 24 November" in group.text
    assert "1. 🔴 Anna — Calls 25 of 380" in group.text
    assert "No results for 21 November yet: Boris." in group.text
    world.sender.fail(-1001, Forbidden("Forbidden: bot was kicked from the supergroup chat"))
    world.clock.set(utc(2025, 11, 25, 6, 0))
    await world.tick()
    with world.new_uow() as uow:
        chat = uow.teams.chat(-1001)
    assert chat is not None
    assert not chat.active


async def test_the_weekly_report_is_sent_once_right_after_the_digest(world: World) -> None:
    user_id, _ = person(world.new_uow, 1, kpis=["cold_calls"], targets={"cold_calls": 440})
    log(world.new_uow, user_id, {date(2025, 4, d): {"cold_calls": 20} for d in (7, 8, 9, 10, 11)})
    world.clock.set(utc(2025, 4, 14, 5, 0))  # Monday 08:00 in Moscow
    await world.run_until(utc(2025, 4, 14, 7, 0), step_minutes=5)
    world.planner.forget()  # a restart: the planner forgets, the table does not
    await world.run_until(utc(2025, 4, 14, 9, 0), step_minutes=5)
    sent = [s for s in world.sender.to(1) if not s.text.startswith("🕕")]
    assert [s.text.split()[0] for s in sent] == ["☀️", "📅"]
    assert sent[1].at == utc(2025, 4, 14, 6, 5)  # the next pass after the digest at 09:00
    assert "Calls: 100 of 100 · ▓▓▓▓▓▓▓▓▓▓ 100%" in sent[1].text
    # 440 - 100 (nothing logged 1-4 April) = 340 over 13 days: 27 on the first 2, 26 after.
    assert "To stay on plan at this pace: 132 this week (27 today)." in sent[1].text
    assert (DeliveryKind.WEEKLY_REPORT, date(2025, 4, 14), DeliveryStatus.SENT) in rows(world, 1)
