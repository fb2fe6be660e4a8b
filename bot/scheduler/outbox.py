"""Deprecated: the Snooze button's use case is :func:`kpi_core.services.deliveries.snooze_reminder`.

Kept only until ``bot/telegram/daily.py`` calls the use case directly; it delegates, and holds
no SQL of its own (moving and snoozing rows are ``DeliveryRepository`` methods now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kpi_core.ports import UnitOfWork
from kpi_core.services import deliveries

__all__ = ["SNOOZED", "snooze_reminder"]

SNOOZED = deliveries.SNOOZED


@dataclass(frozen=True, slots=True)
class _At:
    instant: datetime

    def now(self) -> datetime:
        return self.instant


def snooze_reminder(
    uow: UnitOfWork, now: datetime, chat_id: int, message_id: int
) -> datetime | None:
    """Old signature of :func:`kpi_core.services.deliveries.snooze_reminder`."""
    return deliveries.snooze_reminder(uow, _At(now), chat_id, message_id)
