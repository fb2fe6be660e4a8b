"""The dispatcher: claim due deliveries, build each message at send time, send, record.

One pass (:meth:`Dispatcher.run_once`) repeats until nothing is due:

1. **Claim** up to ``batch`` due rows (``DeliveryRepository.claim_due``: ``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so concurrent dispatchers — in
   this process or others — take disjoint rows. Rows past their expiry are marked EXPIRED by
   the claim: after downtime, stale messages are dropped, not sent in a burst.
2. **Compose** (:class:`Composer`): the use case :func:`kpi_core.services.deliveries.compose`
   re-checks each row against the person's *current* settings (a changed zone or time moves
   it, a day off skips it), skips a reminder when the person has logged already, and builds
   digests in batches with the latest numbers; :mod:`bot.ui.digests` words them in the
   person's current language.
3. **Send** through the :class:`~bot.scheduler.ratelimit.RateLimiter` (overall rate, per
   group, per chat), several at once so the configured rate is reached despite latency; the
   next batch is claimed and composed meanwhile.
4. **Record** every outcome right after its send (:func:`kpi_core.services.deliveries.record`;
   group commit: outcomes that finish while a write is in progress go in the next one). Sent
   rows get their Telegram message id.

A chat's messages go out in the order they were planned: ``claim_due`` does not hand out a
chat's later row while an earlier one waits for a retry or is in flight.

Errors from ``bot.send_message``:

* 429 (``RetryAfter``) — the limiter pauses for ``retry_after`` (the bot's
  :class:`~bot.scheduler.ratelimit.TelegramRateLimiter` reports every 429 in the process, and
  tries scheduled sends once instead of waiting them out) and the row goes back to PENDING for
  ``now + retry_after``: nothing is dropped, and a 429 never makes a row FAILED (it does
  count as a claim);
* ``Forbidden`` (403: blocked by the user, kicked from the group) and "chat not found" — the
  person (or group) is marked inactive and the row FAILED; nothing more is sent there;
* ``NetworkError``/``TimedOut`` and anything unexpected — retried with exponential backoff
  (``next_attempt_at``) up to ``max_attempts`` claims, then FAILED;
* other ``BadRequest`` — FAILED at once (retrying the same message cannot help).

**Delivery guarantee.** A message whose outcome is known is recorded before the dispatcher
lets go: on cancellation (shutdown, a killed task) pending outcomes are flushed and claimed
rows that were not started are released. A message that was *in flight* when the process died
(or timed out) is unknown: its row stays CLAIMED and is sent again once the claim's lease
(``lease_seconds``) has passed — an at-least-once window of one lease for those few rows.
A send is never started later than ``lease_seconds - LEASE_MARGIN`` after the claim, so a
row is never sent by two workers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.charts import draw_progress
from bot.i18n import translator
from bot.scheduler.ratelimit import (
    SCHEDULED,
    RateLimiter,
    TelegramRateLimiter,
    retry_after_seconds,
)
from bot.ui import digests, reports
from bot.ui.render import Menu
from kpi_core.model import Delivery, DeliveryStatus
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork
from kpi_core.services import deliveries
from kpi_core.services.common import Deps, Who
from kpi_core.services.deliveries import Outcome, keep_snooze
from kpi_core.tracking.digest import TeamDigest
from kpi_core.tracking.reports import PeriodReport

log = logging.getLogger(__name__)

__all__ = ["BotSender", "Composer", "DispatchStats", "Dispatcher", "Outgoing", "Sender",
           "in_thread", "worker_name"]

T = TypeVar("T")

LEASE_MARGIN = 30.0
"""Seconds before the lease ends after which a claimed row is not started any more."""


def worker_name() -> str:
    """A name for this dispatcher in ``claimed_by``: host, process id and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def in_thread(fn: Callable[..., T], *args: object) -> tuple[T, bool]:
    """Run ``fn`` in a worker thread and always wait for it to finish.

    Returns ``(result, cancelled)``: when the caller is cancelled meanwhile, the thread still
    completes (a claim or a write is never half-known) and ``cancelled`` is True; the caller
    cleans up and re-raises ``CancelledError``.
    """
    future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(future), False
    except asyncio.CancelledError:
        return await future, True


# -- sending -----------------------------------------------------------------------------------
class Sender(Protocol):
    """Sends one message; returns its Telegram message id; raises ``telegram.error`` errors."""

    async def send(self, chat_id: int, menu: Menu) -> int: ...


Markup = Callable[[Menu], InlineKeyboardMarkup | None]


class BotSender:
    """Sends through the application's bot (and so through its rate limiter).

    Args:
        bot: The application's bot.
        markup: Turns a menu's buttons into an inline keyboard (the Telegram adapter's
            ``keyboards.inline``).
    """

    def __init__(self, bot: Bot, markup: Markup) -> None:
        self._bot = bot
        self._markup = markup
        # Scheduled sends are paced here and rescheduled on a 429 (see TelegramRateLimiter).
        self._extra: dict[str, Any] = (
            {"rate_limit_args": SCHEDULED}
            if isinstance(getattr(bot, "rate_limiter", None), TelegramRateLimiter) else {}
        )

    async def send(self, chat_id: int, menu: Menu) -> int:
        """Send HTML text with the menu's inline buttons, then its picture, if it has one.

        The words are what the row promises exactly once; the picture after them is a
        best effort (a failure to send it is logged, and the row still counts as sent, so a
        retry never repeats the words).
        """
        message = await self._bot.send_message(
            chat_id, menu.text, parse_mode=ParseMode.HTML, reply_markup=self._markup(menu),
            **self._extra,
        )
        if menu.photo is not None:
            try:
                await self._bot.send_photo(chat_id, menu.photo, caption=menu.caption or None,
                                           **self._extra)
            except TelegramError as exc:
                log.warning("the digest chart for chat %s was not sent: %s", chat_id, exc)
        return message.message_id


# -- composing ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed row and the message built for it."""

    delivery: Delivery
    menu: Menu


def render(item: deliveries.Outgoing) -> Menu:
    """The words and buttons of one composed message, in its language."""
    t = translator(item.language)
    content = item.content
    if isinstance(content, deliveries.ReminderView):
        return digests.reminder(t, content)
    if isinstance(content, TeamDigest):
        return digests.team_digest(t, content)
    if isinstance(content, PeriodReport):
        return reports.report(t, content)
    return digests.digest(t, content)


class Composer:
    """Builds scheduled messages at send time; synchronous (run it in a worker thread, which
    also draws the progress chart of a digest that carries one)."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], calendars: CalendarProvider, clock: Clock
    ) -> None:
        self._uow_factory = uow_factory
        self._calendars = calendars
        self._clock = clock

    def compose(self, rows: Sequence[Delivery]) -> tuple[list[Outgoing], dict[str, int]]:
        """Messages for the rows that are to be sent now; the others are finished by the use
        case. Returns the messages and counts of rows skipped, expired and moved."""
        done = deliveries.compose(self._uow_factory(), self._calendars, self._clock, rows)
        out = [Outgoing(item.delivery, self._with_chart(item, render(item)))
               for item in done.outgoing]
        return out, {"skipped": done.skipped, "expired": done.expired, "moved": done.moved}

    def _with_chart(self, item: deliveries.Outgoing, menu: Menu) -> Menu:
        """The digest with the person's own progress chart, when they asked for it."""
        if not item.chart or item.telegram_id is None:
            return menu
        who = Who(item.telegram_id, item.telegram_id, item.language)
        try:
            drawn = draw_progress(self._uow_factory(), Deps(self._clock, self._calendars), who)
        except Exception:  # a chart must never cost the digest
            log.exception("the digest chart for %s could not be drawn", item.telegram_id)
            return menu
        if not drawn.pictures:
            return menu
        first = drawn.pictures[0]  # their own picture, not the team's
        return replace(menu, photo=first.png, caption=first.caption)


# -- dispatching -------------------------------------------------------------------------------
@dataclass
class DispatchStats:
    """What dispatching did (cumulative over a dispatcher's life)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    expired: int = 0
    moved: int = 0
    released: int = 0


@dataclass
class _Recorder:
    """Writes outcomes as they come, several per transaction when they come fast."""

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    pending: list[Outcome] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self._write_all())

    async def _write_all(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            # Shielded: once started, a write completes even if the dispatcher is cancelled.
            await asyncio.shield(asyncio.to_thread(self._write, batch))

    def _write(self, batch: Sequence[Outcome]) -> None:
        deliveries.record(self.uow_factory(), self.clock.now(), batch)

    async def drain(self) -> None:
        """Wait until every outcome so far is written."""
        while self.pending or (self.writer is not None and not self.writer.done()):
            if self.writer is None or self.writer.done():
                self.writer = asyncio.ensure_future(self._write_all())
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self.writer)


class Dispatcher:
    """Claims, composes, sends and records scheduled messages (see the module docs).

    Args:
        uow_factory: Opens a SQL unit of work.
        composer: Builds the messages.
        sender: Sends one message.
        limiter: Paces sends.
        clock: The current instant (for claims, leases and retries).
        worker: This dispatcher's name in ``claimed_by``.
        batch: Rows claimed at once.
        lease_seconds: How long a claim protects a row from other workers.
        max_attempts: Claims of one row before a failing send gives up.
        backoff_seconds: First retry delay after a network error; doubles per attempt.
        max_in_flight: Sends awaiting Telegram at once.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        composer: Composer,
        sender: Sender,
        limiter: RateLimiter,
        clock: Clock,
        *,
        worker: str | None = None,
        batch: int = 200,
        lease_seconds: int = 600,
        max_attempts: int = 6,
        backoff_seconds: float = 30.0,
        max_in_flight: int = 64,
    ) -> None:
        self._uow_factory = uow_factory
        self._composer = composer
        self._sender = sender
        self._limiter = limiter
        self._clock = clock
        self.worker = worker or worker_name()
        self._batch = batch
        self._lease = lease_seconds
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.stats = DispatchStats()

    def _claim(self) -> Sequence[Delivery]:
        with self._uow_factory() as uow:
            rows = uow.deliveries.claim_due(self._clock.now(), self._batch, self.worker,
                                            self._lease)
            uow.commit()
        return rows

    async def run_once(self) -> DispatchStats:
        """Send everything due now; return the cumulative stats.

        The next batch is claimed and composed while the current one is being sent, so the
        rate limiter, not the database work between batches, sets the pace.
        """
        sending: list[asyncio.Task[None]] = []
        try:
            while True:
                rows, cancelled = await in_thread(self._claim)
                if cancelled:
                    await self._release(rows)
                    raise asyncio.CancelledError
                if not rows:
                    break
                self.stats.claimed += len(rows)
                (outgoing, counts), cancelled = await in_thread(self._composer.compose, rows)
                self.stats.skipped += counts["skipped"]
                self.stats.expired += counts["expired"]
                self.stats.moved += counts["moved"]
                if cancelled:
                    await self._release([o.delivery for o in outgoing])
                    raise asyncio.CancelledError
                sending.append(asyncio.ensure_future(self._send_all(outgoing)))
                if len(sending) > 1:  # at most one batch queued behind the one being sent
                    await sending.pop(0)
                if len(rows) < self._batch:
                    break
            while sending:
                await sending.pop(0)
        finally:
            for task in sending:
                task.cancel()
            for task in sending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return self.stats

    async def _release(self, rows: Sequence[Delivery]) -> None:
        """Give claimed rows back (they were never attempted)."""
        recorder = _Recorder(self._uow_factory, self._clock)
        for row in rows:
            if row.id is not None:
                recorder.add(Outcome(row.id, row.chat_id, DeliveryStatus.PENDING,
                                      error=keep_snooze(row, "released")))
        self.stats.released += len(rows)
        await recorder.drain()

    async def _send_all(self, outgoing: Sequence[Outgoing]) -> None:
        recorder = _Recorder(self._uow_factory, self._clock)
        started: set[int] = set()
        tasks = [asyncio.ensure_future(self._send_one(item, recorder, started))
                 for item in outgoing]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            not_started = [o.delivery.id for o in outgoing
                           if o.delivery.id is not None and o.delivery.id not in started]
            for item in outgoing:
                row = item.delivery
                if row.id is not None and row.id in not_started:
                    # Never attempted: give it back at once instead of waiting for the lease.
                    recorder.add(Outcome(row.id, row.chat_id, DeliveryStatus.PENDING,
                                          error=keep_snooze(row, "released")))
            self.stats.released += len(not_started)
            await recorder.drain()

    async def _send_one(self, item: Outgoing, recorder: _Recorder, started: set[int]) -> None:
        row = item.delivery
        assert row.id is not None
        async with self._in_flight:
            await self._limiter.acquire(row.chat_id)
            claimed_at = row.claimed_at or self._clock.now()
            if (self._clock.now() - claimed_at).total_seconds() > self._lease - LEASE_MARGIN:
                return  # too close to the end of the lease: let it be claimed again
            started.add(row.id)
            outcome = await self._attempt(row, item.menu)
        recorder.add(outcome)

    async def _attempt(self, row: Delivery, menu: Menu) -> Outcome:
        assert row.id is not None
        now = self._clock.now
        try:
            message_id = await self._sender.send(row.chat_id, menu)
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            self._limiter.pause(wait)
            self.stats.rate_limited += 1
            return Outcome(row.id, row.chat_id, DeliveryStatus.PENDING,
                            error=keep_snooze(row, "retry_after"),
                            next_attempt_at=now() + timedelta(seconds=wait))
        except Forbidden as exc:
            self.stats.blocked += 1
            log.info("Chat %s blocked the bot or removed it: %s", row.chat_id, exc.message)
            return Outcome(row.id, row.chat_id, DeliveryStatus.FAILED,
                            error=f"forbidden: {exc.message}", deactivate=True)
        except ChatMigrated as exc:
            return self._retry(row, f"migrated to {exc.new_chat_id}", migrate=exc.new_chat_id)
        except BadRequest as exc:
            self.stats.failed += 1
            gone = "chat not found" in exc.message.lower()
            if gone:
                self.stats.blocked += 1
            log.warning("Delivery %s to %s refused: %s", row.id, row.chat_id, exc.message)
            return Outcome(row.id, row.chat_id, DeliveryStatus.FAILED,
                            error=f"bad request: {exc.message}", deactivate=gone)
        except NetworkError as exc:
            return self._retry(row, f"network: {exc.message}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("Delivery %s to %s failed unexpectedly", row.id, row.chat_id)
            return self._retry(row, f"error: {type(exc).__name__}")
        self.stats.sent += 1
        return Outcome(row.id, row.chat_id, DeliveryStatus.SENT, message_id=message_id)

    def _retry(self, row: Delivery, error: str, migrate: int | None = None) -> Outcome:
        assert row.id is not None
        if row.attempts >= self._max_attempts:
            self.stats.failed += 1
            log.warning("Delivery %s to %s gave up after %d attempts: %s", row.id, row.chat_id,
                        row.attempts, error)
            return Outcome(row.id, row.chat_id, DeliveryStatus.FAILED, error=error,
                            migrate_to=migrate)
        self.stats.retried += 1
        delay = self._backoff * 2 ** max(row.attempts - 1, 0)
        return Outcome(row.id, row.chat_id, DeliveryStatus.FAILED, error=keep_snooze(row, error),
                        next_attempt_at=self._clock.now() + timedelta(seconds=delay),
                        migrate_to=migrate)
