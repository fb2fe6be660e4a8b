"""Ports: what the use cases need from the outside world, as Protocols.

Production implementations live in ``bot/`` (SQLModel storage, the ``holidays`` calendar, the
system clock); tests use the fakes in ``tests/fakes.py``. All repository methods are
synchronous and run inside a :class:`UnitOfWork`; nothing is visible to other processes until
``commit()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from kpi_core.model import (
    ConversationState,
    DayOff,
    Delivery,
    DeliveryStatus,
    Entry,
    EntryRevision,
    GroupChat,
    KpiAssignment,
    Membership,
    Plan,
    Team,
    User,
    UserProfile,
)


class Clock(Protocol):
    """The current instant, timezone-aware UTC. Injected so tests control time."""

    def now(self) -> datetime:
        """Return the current aware UTC datetime."""
        ...


class WorkingCalendar(Protocol):
    """A country's production calendar: is this date a working day (before personal rules)?

    Implementations: ``bot.calendars.HolidaysCalendar`` (production), and
    ``kpi_core.planning.calendar.WeekdayCalendar`` / ``FixedCalendar`` for tests and fakes. Personal
    rules (custom working weekdays, days off) are applied by :mod:`kpi_core.planning.calendar`.
    """

    def is_working_day(self, day: date) -> bool:
        """Return True when ``day`` is a working day for the country's standard Mon-Fri week.

        Transferred working days (Russia: Saturday 1 November 2025) are working days;
        public holidays and transferred days off are not.
        """
        ...

    def is_holiday(self, day: date) -> bool:
        """Return True when ``day`` is a public holiday or a transferred day off.

        Plain weekends are not holidays. Used for custom working weeks (a Mon-Sat shop works
        on a Saturday unless it is a holiday).
        """
        ...


class CalendarProvider(Protocol):
    """Finds the production calendar of a country (ISO 3166-1 alpha-2 code)."""

    def for_country(self, country: str) -> WorkingCalendar:
        """Return the calendar for ``country``; raise ``KeyError`` for an unknown code."""
        ...


class DuplicateKeyError(Exception):
    """An insert would duplicate a unique key (a Telegram id, a person already in the team).

    Repositories raise it without aborting the unit of work, so the caller may recover
    (re-read and carry on) inside the same transaction.
    """


class UserRepository(Protocol):
    def get(self, user_id: int) -> User | None: ...
    def get_many(self, user_ids: Iterable[int]) -> Sequence[User]:
        """The people among ``user_ids`` that exist, by id (one query, for batches)."""
        ...
    def by_telegram_id(self, telegram_id: int) -> User | None: ...
    def add(self, user: User) -> User:
        """Insert and return the user with ``id`` set."""
        ...
    def save(self, user: User) -> None:
        """Persist changes to an existing user."""
        ...
    def erase(self, user_id: int) -> None:
        """Delete the user and everything about them (entries, history, state, deliveries).

        A team they own passes to its longest-standing current member (admins first, made
        owner); a team left with nobody is deleted, and its stand-ins (anonymous users who are
        members of it) with it. Rows they only authored for others (``entered_by``,
        ``created_by``) stay, with the author set to ``None``. To keep the figures they
        reported for a team, move them to a stand-in first
        (:func:`kpi_core.services.erase.erase_person`).
        """
        ...
    def list_active(self) -> Sequence[User]:
        """Active people, by id; never a stand-in (``anonymous``)."""
        ...


class TeamRepository(Protocol):
    def add(self, team: Team) -> Team:
        """Insert and return the team with ``id`` set; ``DuplicateKeyError`` when its invite
        code is taken."""
        ...
    def get(self, team_id: int) -> Team | None: ...
    def get_many(self, team_ids: Iterable[int]) -> Sequence[Team]:
        """The teams among ``team_ids`` that exist, by id."""
        ...
    def save(self, team: Team) -> None:
        """Persist name, owner, planned size and invite code of an existing team.

        Raises ``DuplicateKeyError`` (the transaction stays usable) when another team has the
        invite code, ``LookupError`` when there is no such team.
        """
        ...
    def by_invite_code(self, code: str) -> Team | None:
        """The team whose current invite code is ``code`` (exact, case-sensitive)."""
        ...
    def add_member(self, membership: Membership) -> Membership: ...
    def save_member(self, membership: Membership) -> None: ...
    def members(self, team_id: int) -> Sequence[Membership]: ...
    def memberships_of(self, user_id: int) -> Sequence[Membership]: ...
    def members_of_teams(self, team_ids: Iterable[int]) -> Sequence[Membership]:
        """:meth:`members` of several teams at once, by team id, then id."""
        ...
    def memberships_of_users(self, user_ids: Iterable[int]) -> Sequence[Membership]:
        """:meth:`memberships_of` of several people at once, by id."""
        ...
    def link_chat(self, chat: GroupChat) -> GroupChat: ...
    def chat(self, chat_id: int) -> GroupChat | None: ...
    def chats_of(self, team_id: int) -> Sequence[GroupChat]: ...
    def save_chat(self, chat: GroupChat) -> None: ...
    def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group ``old_chat_id`` became the supergroup ``new_chat_id``: its link moves
        there. False when ``old_chat_id`` is not linked or ``new_chat_id`` already is."""
        ...
    def list_active_chats(self) -> Sequence[GroupChat]: ...


class PlanRepository(Protocol):
    def add(self, plan: Plan) -> Plan: ...
    def get(self, plan_id: int) -> Plan | None: ...
    def save(self, plan: Plan) -> None:
        """Persist changes to the plan and replace its targets."""
        ...
    def current(self, team_id: int, day: date) -> Plan | None:
        """Return the newest plan of the team whose period contains ``day``."""
        ...
    def of_team(self, team_id: int) -> Sequence[Plan]: ...
    def current_for_teams(self, team_ids: Iterable[int], day: date) -> dict[int, Plan]:
        """:meth:`current` of several teams at once; teams without a plan are left out."""
        ...


class AssignmentRepository(Protocol):
    def for_user(self, user_id: int) -> Sequence[KpiAssignment]: ...
    def for_team(self, team_id: int) -> Sequence[KpiAssignment]: ...
    def for_teams(self, team_ids: Iterable[int]) -> Sequence[KpiAssignment]:
        """:meth:`for_team` of several teams at once: by team id, person id, position."""
        ...
    def replace(self, user_id: int, team_id: int, kpi_ids: Sequence[str]) -> None:
        """Make ``kpi_ids`` (in this order) the person's KPI set in the team."""
        ...


class EntryRepository(Protocol):
    def record(
        self,
        user_id: int,
        kpi_id: str,
        day: date,
        value: Decimal | None,
        entered_by: int | None,
        at: datetime,
    ) -> Entry:
        """Set the value for (person, KPI, day), as a new version if one exists.

        Safe against concurrent writers: the result is one current row and a revision per
        write, never a duplicate-key error for the caller.
        """
        ...
    def get(self, user_id: int, kpi_id: str, day: date) -> Entry | None: ...
    def history(self, user_id: int, kpi_id: str, day: date) -> Sequence[EntryRevision]: ...
    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[Entry]:
        """Current entries with a value (not removed) for these people, ``start..end`` inclusive."""
        ...
    def logged_users_on(self, user_ids: Iterable[int], day: date) -> set[int]: ...
    def totals(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> dict[tuple[int, str], Decimal]:
        """The exact sum of current values per (person, KPI/metric) from ``start`` to ``end``
        inclusive, computed in the database (one row per pair, not one per day)."""
        ...
    def reassign(
        self, from_user_id: int, to_user_id: int, start: date | None, end: date | None
    ) -> int:
        """Make ``to_user_id`` the person of ``from_user_id``'s entries from ``start`` to
        ``end`` inclusive (``None``: unbounded), removed ones included, with their history
        and authors unchanged; return how many. ``to_user_id`` must have no entries on those
        days (a fresh stand-in)."""
        ...
    def in_range_of(
        self, user_ids: Iterable[int], kpi_ids: Iterable[str], start: date, end: date
    ) -> Sequence[Entry]:
        """:meth:`in_range`, only for these KPIs/metrics."""
        ...
    def versions_in_range(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> Sequence[tuple[Entry, EntryRevision]]:
        """Every version of these people's entries from ``start`` to ``end`` inclusive, removed
        ones included, each with its entry as it is now: by day, person, KPI, version (an
        export of the history)."""
        ...
    def logged_days(self, user_ids: Iterable[int], end: date, days: int) -> dict[int, int]:
        """Which of the ``days`` days up to ``end`` each person logged anything on, as a bit
        mask: bit ``i`` is set when they did on ``end - i`` (``days`` at most 63). People who
        logged nothing then are left out."""
        ...


class DayOffRepository(Protocol):
    def add(self, day_off: DayOff) -> DayOff: ...
    def remove(self, user_id: int, day: date) -> None: ...
    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[DayOff]: ...


class ProfileRepository(Protocol):
    """Questionnaire answers kept after onboarding, one record per person."""

    def get(self, user_id: int) -> UserProfile | None: ...
    def save(self, profile: UserProfile) -> None:
        """Insert or replace; ``updated_at`` left ``None`` becomes the clock's now."""
        ...


class ConversationRepository(Protocol):
    def get(self, chat_id: int, user_id: int) -> ConversationState | None: ...
    def save(self, state: ConversationState) -> None: ...
    def clear(self, chat_id: int, user_id: int) -> None: ...


class UpdateLog(Protocol):
    def first_time(self, update_id: int, at: datetime) -> bool:
        """Record ``update_id``; return False if it had been processed before."""
        ...
    def prune(self, before: datetime) -> int: ...


class DeliveryRepository(Protocol):
    def plan(self, deliveries: Iterable[Delivery]) -> int:
        """Insert deliveries, ignoring any (chat, kind, local date) that exists; return inserted."""
        ...
    def claim_due(
        self, now: datetime, limit: int, worker: str, lease_seconds: int
    ) -> Sequence[Delivery]:
        """Atomically claim up to ``limit`` due rows for ``worker`` (SKIP LOCKED on PostgreSQL).

        Claimable: PENDING rows due (and past ``next_attempt_at`` if set), FAILED rows with a
        ``next_attempt_at`` that has come, and CLAIMED rows claimed ``lease_seconds`` or more
        ago (their worker died). Claiming sets CLAIMED, ``claimed_by/at`` and ``attempts + 1``;
        oldest ``due_at`` first. Claimable rows past ``expires_at`` become EXPIRED instead.

        A chat's messages go out in the order they were planned: a row is not claimed while
        an earlier row (by ``due_at``, then id) of the same chat is still unfinished and
        unexpired — waiting for a retry after a 429, or claimed by a worker. So at most one
        row per chat is claimed at a time.
        """
        ...
    def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        error: str | None = None,
        telegram_message_id: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Record the outcome: SENT (sets ``sent_at``), SKIPPED, EXPIRED, FAILED (final), or
        PENDING / FAILED with ``next_attempt_at`` to retry then. ``error`` is stored as given."""
        ...
    def get(self, delivery_id: int) -> Delivery | None: ...
    def for_chat(self, chat_id: int) -> Sequence[Delivery]: ...
    def sent_as(self, chat_id: int, telegram_message_id: int) -> Delivery | None:
        """The row that was sent to ``chat_id`` as Telegram message ``telegram_message_id``."""
        ...
    def pending(self, since: date, chat_ids: Iterable[int] | None = None) -> Sequence[Delivery]:
        """PENDING rows with ``local_date >= since`` (only these chats if given), by id."""
        ...
    def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """A group became a supergroup: its unfinished rows (pending, claimed, waiting for a
        retry) now go to ``new_chat_id``; a row the new chat already has (same kind and day)
        stays behind. Returns how many moved."""
        ...
    def reschedule(self, delivery_id: int, due_at: datetime, expires_at: datetime) -> bool:
        """Move a PENDING or CLAIMED row to a new window: back to PENDING, retry and claim data
        and ``error`` cleared. False when the row is gone or already finished."""
        ...
    def requeue(
        self, delivery_id: int, due_at: datetime, expires_at: datetime, note: str | None = None
    ) -> bool:
        """Send a SENT row again later (snooze): back to PENDING at the new window, ``error``
        set to ``note`` (a marker such as "snoozed"). False unless the row is SENT."""
        ...


class UnitOfWork(Protocol):
    """One transaction over all repositories. Use as a context manager; call ``commit()``."""

    users: UserRepository
    teams: TeamRepository
    plans: PlanRepository
    assignments: AssignmentRepository
    entries: EntryRepository
    days_off: DayOffRepository
    profiles: ProfileRepository
    conversations: ConversationRepository
    updates: UpdateLog
    deliveries: DeliveryRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
