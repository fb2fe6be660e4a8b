"""Reminder and digest planning: when each scheduled message is due and until when it is useful.

Pure functions over a person's settings, a local date and a working-day rule; no I/O. The
scheduler in ``bot/scheduler`` calls :func:`plan_user_day` / :func:`plan_group_day` for the
dates around "now" and stores the resulting :class:`~kpi_core.model.Delivery` rows (one per
chat, kind and local date), and calls :func:`window` again at send time to re-check a row
against the person's *current* settings (they may have changed their time zone or times).

Rules:

* An evening **reminder** is due at the person's ``reminder_time`` on their working days and
  is useful for :data:`REMINDER_WINDOW` (two hours), never past the end of that local day.
* A morning **digest** is due at ``digest_time`` on working days and is useful until local noon
  (:data:`DIGEST_DEADLINE`), or for :data:`DIGEST_MIN_WINDOW` when the digest time is at or
  after noon.
* A **weekly** or **monthly report** is due at ``digest_time`` on the person's first working
  day of the week (month) (:func:`kpi_core.tracking.reports.report_day`), right after the
  digest, and is useful until the end of that local day. Its row's ``local_date`` is the first
  day of the week (month), not the day it is due: one report per period whatever days off are
  marked later (see :mod:`kpi_core.tracking.reports`).
* A local time that does not exist (a daylight-saving gap) moves forward by the length of the
  gap (02:30 on a spring-forward night becomes 03:30, PEP 495 ``fold=0``); an ambiguous local
  time (the repeated hour in autumn) takes its first occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from kpi_core.model import Delivery, DeliveryKind, GroupChat, User
from kpi_core.planning.calendar import WorkSchedule
from kpi_core.ports import WorkingCalendar
from kpi_core.tracking.reports import ReportKind, period_key, report_day

REMINDER_WINDOW = timedelta(hours=2)
"""A reminder sent later than this after its due time is stale: it is expired instead."""

DIGEST_DEADLINE = time(12, 0)
"""A morning digest is worth sending until local noon."""

DIGEST_MIN_WINDOW = timedelta(hours=2)
"""A digest set for noon or later is still useful for this long."""

REPORT_KINDS: dict[DeliveryKind, ReportKind] = {
    DeliveryKind.WEEKLY_REPORT: ReportKind.WEEK,
    DeliveryKind.MONTHLY_REPORT: ReportKind.MONTH,
}
"""The scheduled reports and the period each sums up."""


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Return the (cached) :class:`ZoneInfo` for an IANA name; ``KeyError`` if unknown."""
    try:
        return ZoneInfo(name)
    except (ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError already
        raise KeyError(name) from exc


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Return the aware UTC instant of the wall-clock time ``at`` on ``day`` in ``tz``.

    A time in a spring-forward gap moves forward by the gap (``fold=0`` reads it with the
    offset in force before the change); a time in the repeated autumn hour is its first
    occurrence (``fold=0`` again).

    Args:
        day: The local calendar date.
        at: The local wall-clock time (its own ``tzinfo`` and ``fold`` are ignored).
        tz: The person's zone.
    """
    wall = datetime(day.year, day.month, day.day, at.hour, at.minute, at.second,
                    at.microsecond, tzinfo=tz, fold=0)
    return wall.astimezone(UTC)


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """Return the local calendar date at the aware instant ``now`` in ``tz``."""
    return now.astimezone(tz).date()


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Return the UTC instant at which local ``day`` begins (midnight, or the first instant)."""
    return local_instant(day, time(0, 0), tz)


@dataclass(frozen=True, slots=True)
class Window:
    """When a scheduled message is due and until when it is still worth sending (UTC)."""

    due_at: datetime
    expires_at: datetime


@lru_cache(maxsize=65536)
def window(kind: DeliveryKind, day: date, at: time, tz: ZoneInfo) -> Window:
    """Return the due time and expiry of a message of ``kind`` at local ``at`` on ``day``.

    Cached: at scale most people share a zone, a day and a time.
    """
    due = local_instant(day, at, tz)
    if kind in REPORT_KINDS:
        return Window(due, max(start_of_day(day + timedelta(days=1), tz),
                               due + timedelta(minutes=1)))
    if kind is DeliveryKind.REMINDER:
        end_of_day = start_of_day(day + timedelta(days=1), tz)
        expires = min(due + REMINDER_WINDOW, end_of_day)
        return Window(due, max(expires, due + timedelta(minutes=1)))
    noon = local_instant(day, DIGEST_DEADLINE, tz)
    return Window(due, max(noon, due + DIGEST_MIN_WINDOW))


def schedule_for(
    user: User, calendar: WorkingCalendar, days_off: Collection[date] = ()
) -> WorkSchedule:
    """The person's :class:`~kpi_core.planning.calendar.WorkSchedule`: calendar, weekdays, days
    off."""
    return WorkSchedule(calendar, frozenset(user.working_weekdays), frozenset(days_off))


def user_time(user: User, kind: DeliveryKind) -> time | None:
    """The local time a person chose for ``kind`` (``None``: they turned it off)."""
    return user.reminder_time if kind is DeliveryKind.REMINDER else user.digest_time


def user_window(
    user: User,
    kind: DeliveryKind,
    day: date,
    working: Callable[[date], bool],
    *,
    require_active: bool = True,
) -> Window | None:
    """The window of a person's ``kind`` message for local ``day``; ``None`` when none is due.

    Nothing is due when the person turned that message off, is inactive (unless
    ``require_active`` is False: a group follows its owner's clock even if the owner blocked
    the bot), or does not work on ``day`` (``working`` answers that, e.g.
    ``schedule_for(...).is_working_day``). For a report ``day`` is its row's key (any day of
    the week or month will do) and the window is on the first working day of that period.
    """
    at = user_time(user, kind)
    if at is None or (require_active and not user.active):
        return None
    report = REPORT_KINDS.get(kind)
    if report is not None:
        found = report_day(report, period_key(report, day), working)
        if found is None:
            return None
        day = found
    elif not working(day):
        return None
    return window(kind, day, at, zone(user.timezone))


def plan_user_day(
    user: User, day: date, working: Callable[[date], bool]
) -> list[Delivery]:
    """Deliveries for one person's private chat on local ``day`` (digest, the weekly and
    monthly reports when ``day`` is the first working day of a week or month, then reminder).

    Args:
        user: The person, with ``id`` set; their private chat id is their Telegram id.
        day: Their local date.
        working: Whether they work on a date (``schedule_for(...).is_working_day``).
    """
    planned: list[Delivery] = []
    if user.telegram_id is None or user.anonymous:  # a stand-in: nobody to write to
        return planned
    for kind in (DeliveryKind.DIGEST, *REPORT_KINDS, DeliveryKind.REMINDER):
        key = day
        report = REPORT_KINDS.get(kind)
        if report is not None:
            key = period_key(report, day)
            if report_day(report, key, working) != day:
                continue
        w = user_window(user, kind, key, working)
        if w is not None:
            planned.append(Delivery(
                chat_id=user.telegram_id, kind=kind, local_date=key, due_at=w.due_at,
                expires_at=w.expires_at, user_id=user.id,
            ))
    return planned


def plan_group_day(
    chat: GroupChat, owner: User, day: date, working: Callable[[date], bool]
) -> Delivery | None:
    """The team digest for a linked group on local ``day``, at the team owner's digest time.

    A group has no clock of its own: it follows the team owner's zone, digest time and
    working days.
    """
    if not chat.active:
        return None
    w = user_window(owner, DeliveryKind.DIGEST, day, working, require_active=False)
    if w is None:
        return None
    return Delivery(chat_id=chat.chat_id, kind=DeliveryKind.DIGEST, local_date=day,
                    due_at=w.due_at, expires_at=w.expires_at, team_id=chat.team_id)


def dates_to_plan(now: datetime, tz: ZoneInfo, ahead: int = 1) -> list[date]:
    """The local dates to plan at ``now``: today and the next ``ahead`` days."""
    today = local_date(now, tz)
    return [today + timedelta(days=i) for i in range(ahead + 1)]


class Verdict:
    """What to do with a claimed delivery at send time (see :func:`check_due`)."""

    SEND = "send"
    LATER = "later"
    EXPIRED = "expired"
    SKIP = "skip"


def check_due(now: datetime, current: Window | None) -> tuple[str, datetime | None]:
    """Re-check a claimed delivery against the current settings at ``now``.

    Args:
        now: The current instant.
        current: The window recomputed from the person's current settings for the row's local
            date, or ``None`` when nothing is due any more (turned off, not a working day).

    Returns:
        ``(Verdict.SEND, None)``, ``(Verdict.LATER, due_at)`` when the settings moved it to the
        future, ``(Verdict.EXPIRED, None)`` when it is stale, or ``(Verdict.SKIP, None)``.
    """
    if current is None:
        return Verdict.SKIP, None
    if now >= current.expires_at:
        return Verdict.EXPIRED, None
    if current.due_at > now:
        return Verdict.LATER, current.due_at
    return Verdict.SEND, None


def previous_working_day(
    day: date, working: Callable[[date], bool], limit: int = 31
) -> date | None:
    """The last working day strictly before ``day`` (within ``limit`` days), if any."""
    for back in range(1, limit + 1):
        candidate = day - timedelta(days=back)
        if working(candidate):
            return candidate
    return None


def working_days_between(
    start: date, end: date, working: Callable[[date], bool]
) -> Iterable[date]:
    """Working days from ``start`` to ``end`` inclusive, in order."""
    day = start
    while day <= end:
        if working(day):
            yield day
        day += timedelta(days=1)


def report_key_floor(day: date) -> date:
    """The earliest key a report due on ``day`` can have: the Monday of its week or the first
    of its month (the planner loads days off, and re-checks pending rows, from there)."""
    return min(period_key(kind, day) for kind in REPORT_KINDS.values())
