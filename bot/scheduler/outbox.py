"""Two outbox operations the repository port does not offer: move a row, list pending rows.

The :class:`~kpi_core.ports.DeliveryRepository` plans, claims and finishes deliveries; a row's
``due_at``/``expires_at`` are fixed at planning time. When a person changes their time zone or
their reminder/digest time, pending rows must move — so these ad hoc statements run on the SQL
unit of work's connection (``SqlUnitOfWork.connection``), inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from bot.storage import tables as t
from kpi_core.model import DeliveryKind, DeliveryStatus
from kpi_core.ports import UnitOfWork
from kpi_core.tracking.reminders import start_of_day, zone

__all__ = ["SNOOZED", "PendingRow", "pending_rows", "reschedule", "snooze", "snooze_reminder"]

SNOOZED = "snoozed"
"""``error`` marker of a reminder the person snoozed: its own window applies, not the plan's."""


@dataclass(frozen=True, slots=True)
class PendingRow:
    """A planned delivery not claimed yet."""

    id: int
    chat_id: int
    kind: DeliveryKind
    local_date: date
    due_at: datetime
    expires_at: datetime
    user_id: int | None
    team_id: int | None


def _connection(uow: UnitOfWork) -> Connection:
    connection: Any = getattr(uow, "connection", None)
    if not isinstance(connection, Connection):
        raise TypeError("the scheduler's outbox operations need the SQL unit of work")
    return connection


def pending_rows(
    uow: UnitOfWork, since: date, chat_ids: Iterable[int] | None = None
) -> Sequence[PendingRow]:
    """Pending (unclaimed) rows with ``local_date >= since``, optionally for some chats."""
    d = t.deliveries.c
    stmt = select(d.id, d.chat_id, d.kind, d.local_date, d.due_at, d.expires_at, d.user_id,
                  d.team_id).where(d.status == DeliveryStatus.PENDING.value,
                                   d.local_date >= since)
    if chat_ids is not None:
        ids = sorted(set(chat_ids))
        if not ids:
            return []
        stmt = stmt.where(d.chat_id.in_(ids))
    rows = _connection(uow).execute(stmt.order_by(d.id))
    return [
        PendingRow(r.id, r.chat_id, DeliveryKind(r.kind), r.local_date, r.due_at, r.expires_at,
                   r.user_id, r.team_id)
        for r in rows
    ]


def reschedule(uow: UnitOfWork, delivery_id: int, due_at: datetime, expires_at: datetime) -> bool:
    """Move a pending or claimed row to a new window (back to PENDING, retry data cleared).

    Returns False when the row is gone or already finished (sent, expired, skipped).
    """
    d = t.deliveries.c
    result = _connection(uow).execute(
        update(t.deliveries)
        .where(d.id == delivery_id,
               d.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]))
        .values(status=DeliveryStatus.PENDING.value, due_at=due_at, expires_at=expires_at,
                next_attempt_at=None, claimed_by=None, claimed_at=None, error=None)
    )
    return bool(result.rowcount)


def snooze(uow: UnitOfWork, delivery_id: int, due_at: datetime, expires_at: datetime) -> bool:
    """Send a sent reminder again later (the Snooze button): back to PENDING at ``due_at``."""
    d = t.deliveries.c
    result = _connection(uow).execute(
        update(t.deliveries)
        .where(d.id == delivery_id, d.status == DeliveryStatus.SENT.value)
        .values(status=DeliveryStatus.PENDING.value, due_at=due_at, expires_at=expires_at,
                next_attempt_at=None, claimed_by=None, claimed_at=None, error=SNOOZED)
    )
    return bool(result.rowcount)



SNOOZE = timedelta(hours=1)


def snooze_reminder(
    uow: UnitOfWork, now: datetime, chat_id: int, message_id: int
) -> datetime | None:
    """Snooze the evening reminder that is Telegram message ``message_id``: send it again in an
    hour. Returns when (UTC), or ``None`` when that would be past the person's local midnight,
    the message is not a sent reminder, or the person is unknown.
    """
    with uow:
        user = uow.users.by_telegram_id(chat_id)
        if user is None:
            return None
        row = next((d for d in uow.deliveries.for_chat(chat_id)
                    if d.kind is DeliveryKind.REMINDER and d.telegram_message_id == message_id),
                   None)
        if row is None or row.id is None:
            return None
        due = now + SNOOZE
        end = start_of_day(row.local_date + timedelta(days=1), zone(user.timezone))
        if due >= end or not snooze(uow, row.id, due, min(due + SNOOZE, end)):
            return None
        uow.commit()
        return due
