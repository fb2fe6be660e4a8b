"""The planner: one delivery row per (chat, kind, local date), in the database.

Each pass looks at every active person and linked group, works out their local "today" and
"tomorrow" and plans the digest and the reminder of each of those days that is a working day
(:mod:`kpi_core.tracking.reminders`), with ``DeliveryRepository.plan`` (insert-or-ignore on the unique
(chat, kind, local date)). Any number of processes can run planners at once: they insert the
same rows and all but the first insert are ignored.

To stay cheap at scale, a planner remembers per person what it planned (their settings and the
dates) and only plans again when the local date rolls over or the settings change. When the
settings change — a new time zone, another reminder time, working days — the person's pending
rows are moved to the new window (or skipped when nothing is due any more). The first pass of
a process reconciles every pending row the same way, so a change made while no planner ran is
picked up too. The dispatcher re-checks each row against the current settings at send time as
well, so a row is never sent at a stale time.

After downtime nothing is planned for days that are over: the rows of today are planned with
their (past) due time and the dispatcher sends them while still useful or expires them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.scheduler import outbox
from kpi_core.model import Delivery, DeliveryStatus, GroupChat, User
from kpi_core.planning.calendar import WeekdayCalendar, WorkSchedule
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork, WorkingCalendar
from kpi_core.tracking.reminders import (
    dates_to_plan,
    plan_group_day,
    plan_user_day,
    user_window,
    zone,
)

log = logging.getLogger(__name__)

__all__ = ["PlanStats", "Planner"]

_CHUNK = 2000


@dataclass
class PlanStats:
    """What one planner pass did."""

    people: int = 0
    groups: int = 0
    considered: int = 0
    inserted: int = 0
    moved: int = 0
    skipped: int = 0


def _fingerprint(user: User) -> tuple[object, ...]:
    return (user.timezone, user.digest_time, user.reminder_time,
            tuple(sorted(user.working_weekdays)), user.country, user.active)


class Planner:
    """Plans deliveries; call :meth:`plan_once` from a worker thread (it is synchronous).

    Args:
        uow_factory: Opens a SQL unit of work.
        calendars: Production calendars.
        clock: The current instant.
        ahead: Local days to plan after today.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        calendars: CalendarProvider,
        clock: Clock,
        *,
        ahead: int = 1,
    ) -> None:
        self._uow_factory = uow_factory
        self._calendars = calendars
        self._clock = clock
        self._ahead = ahead
        self._memo: dict[tuple[str, int], tuple[tuple[object, ...], tuple[date, ...]]] = {}
        self._reconciled = False

    def forget(self) -> None:
        """Drop what this planner remembers (the next pass plans and reconciles everything)."""
        self._memo.clear()
        self._reconciled = False

    def _calendar(self, country: str) -> WorkingCalendar:
        try:
            return self._calendars.for_country(country)
        except KeyError:
            return WeekdayCalendar()

    def plan_once(self) -> PlanStats:
        """One pass over everyone; returns what it did."""
        now = self._clock.now()
        stats = PlanStats()
        with self._uow_factory() as uow:
            # People still in the questionnaire have nothing to be reminded of yet.
            users = [u for u in uow.users.list_active() if u.id is not None and u.onboarded]
            chats = list(uow.teams.list_active_chats())
            owners = self._owners(uow, chats)
        stats.people, stats.groups = len(users), len(chats)
        by_id = {u.id: u for u in users}

        todo_users: list[tuple[User, tuple[date, ...]]] = []
        changed: list[User] = []
        for user in users:
            assert user.id is not None
            dates = tuple(dates_to_plan(now, zone(user.timezone), self._ahead))
            key, value = ("u", user.id), (_fingerprint(user), dates)
            before = self._memo.get(key)
            if before == value:
                continue
            if before is not None and before[0] != value[0]:
                changed.append(user)
            todo_users.append((user, dates))
        todo_groups: list[tuple[GroupChat, User, tuple[date, ...]]] = []
        for chat in chats:
            owner = owners.get(chat.team_id)
            if owner is None:
                continue
            dates = tuple(dates_to_plan(now, zone(owner.timezone), self._ahead))
            key, value = ("g", chat.chat_id), ((chat.team_id, *_fingerprint(owner)), dates)
            if self._memo.get(key) == value:
                continue
            todo_groups.append((chat, owner, dates))

        people = [u for u, _ in todo_users] + [o for _, o, _ in todo_groups]
        days_off = self._days_off(people, now)
        planned: list[Delivery] = []
        for user, dates in todo_users:
            working = self._working(user, days_off)
            for day in dates:
                planned.extend(plan_user_day(user, day, working))
        for chat, owner, dates in todo_groups:
            working = self._working(owner, days_off)
            for day in dates:
                row = plan_group_day(chat, owner, day, working)
                if row is not None:
                    planned.append(row)
        stats.considered = len(planned)
        for start in range(0, len(planned), _CHUNK):
            with self._uow_factory() as uow:
                stats.inserted += uow.deliveries.plan(planned[start:start + _CHUNK])
                uow.commit()

        # Move pending rows whose window changed (all of them on the first pass).
        reconcile = None if not self._reconciled else [u.telegram_id for u in changed]
        if reconcile is None or reconcile:
            moved, skipped = self._reconcile(now, by_id, owners, days_off, reconcile)
            stats.moved, stats.skipped = moved, skipped
        self._reconciled = True
        for user, dates in todo_users:
            assert user.id is not None
            self._memo[("u", user.id)] = (_fingerprint(user), dates)
        for chat, owner, dates in todo_groups:
            self._memo[("g", chat.chat_id)] = ((chat.team_id, *_fingerprint(owner)), dates)
        if stats.inserted or stats.moved or stats.skipped:
            log.info("Planner: %d new deliveries, %d moved, %d skipped", stats.inserted,
                     stats.moved, stats.skipped)
        return stats

    def _owners(self, uow: UnitOfWork, chats: Sequence[GroupChat]) -> dict[int, User]:
        owners: dict[int, User] = {}
        for team_id in {c.team_id for c in chats}:
            team = uow.teams.get(team_id)
            owner = uow.users.get(team.owner_user_id) if team else None
            if owner is not None:
                owners[team_id] = owner
        return owners

    def _days_off(
        self, people: Iterable[User], now: datetime, uow: UnitOfWork | None = None
    ) -> dict[int, set[date]]:
        ids = sorted({u.id for u in people if u.id is not None})
        found: dict[int, set[date]] = {}
        if not ids:
            return found
        if uow is None:
            with self._uow_factory() as own:
                return self._days_off(people, now, own)
        today = now.date()
        for start in range(0, len(ids), _CHUNK):
            for off in uow.days_off.in_range(ids[start:start + _CHUNK],
                                             today - timedelta(days=2),
                                             today + timedelta(days=self._ahead + 2)):
                found.setdefault(off.user_id, set()).add(off.day)
        return found

    def _working(self, user: User, days_off: dict[int, set[date]]) -> Callable[[date], bool]:
        schedule = WorkSchedule(self._calendar(user.country), frozenset(user.working_weekdays),
                                frozenset(days_off.get(user.id or 0, ())))
        return schedule.is_working_day

    def _reconcile(
        self,
        now: datetime,
        users: dict[int | None, User],
        owners: dict[int, User],
        days_off: dict[int, set[date]],
        chat_ids: list[int] | None,
    ) -> tuple[int, int]:
        """Move (or skip) pending rows whose window no longer matches the settings."""
        moved = skipped = 0
        since = now.date() - timedelta(days=1)
        with self._uow_factory() as uow:
            rows = outbox.pending_rows(uow, since, chat_ids)
            missing = [r.user_id for r in rows
                       if r.user_id is not None and r.user_id not in users]
            for user_id in set(missing):
                found = uow.users.get(user_id)
                if found is not None:
                    users[user_id] = found
            extra = self._days_off([users[r.user_id] for r in rows
                                    if r.user_id in users and r.user_id not in days_off
                                    and users[r.user_id].id is not None], now, uow)
            days_off = {**days_off, **extra}
            for row in rows:
                if row.user_id is not None:
                    person = users.get(row.user_id)
                elif row.team_id is not None:
                    person = owners.get(row.team_id)
                else:
                    person = None
                if person is None:
                    continue
                window = user_window(person, row.kind, row.local_date,
                                     self._working(person, days_off))
                if window is None:
                    uow.deliveries.finish(row.id, DeliveryStatus.SKIPPED, now,
                                          error="not due with the current settings")
                    skipped += 1
                elif (window.due_at, window.expires_at) != (row.due_at, row.expires_at):
                    outbox.reschedule(uow, row.id, window.due_at, window.expires_at)
                    moved += 1
            uow.commit()
        return moved, skipped

