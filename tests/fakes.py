"""In-memory fakes of the ports, with the same semantics as the SQL storage.

* :class:`FakeUnitOfWork` — every repository of :class:`kpi_core.ports.UnitOfWork` over plain
  dicts. Inside ``with uow:`` it works on a private copy that ``commit()`` publishes and
  leaving without commit discards, exactly like a transaction; units of work sharing one
  :class:`FakeStore` see each other's commits and are serialised by the store's lock (like
  SQLite writers), so they are safe to use from several threads. Outside a ``with`` block the
  repositories read and write the committed data directly (handy to arrange and assert).
* :class:`FixedClock` / :class:`ManualClock` — the :class:`kpi_core.ports.Clock` port.

The contract tests in ``tests/storage/test_contract.py`` run the same checks against these
fakes, SQLite and PostgreSQL, so a service test on the fakes means the same on the database.

    clock = ManualClock(datetime(2025, 11, 24, 6, 0, tzinfo=UTC))
    uow = FakeUnitOfWork(clock=clock)
    with uow:
        user = uow.users.add(User(telegram_id=42))
        uow.commit()
    assert uow.committed
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Self, TypeVar

from bot.storage.repositories import choose_successor
from kpi_core.model import (
    ConversationState,
    DayOff,
    DayOffKind,
    DayOffShare,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Entry,
    EntryRevision,
    GroupChat,
    KpiAssignment,
    Membership,
    Plan,
    Team,
    TeamRole,
    User,
    UserProfile,
)
from kpi_core.ports import (
    AssignmentRepository,
    Clock,
    ConversationRepository,
    DayOffRepository,
    DeliveryRepository,
    DuplicateKeyError,
    EntryRepository,
    PlanRepository,
    ProfileRepository,
    TeamRepository,
    UnitOfWork,
    UpdateLog,
    UserRepository,
)

T = TypeVar("T")


# --- clocks ----------------------------------------------------------------------------------


def _require_aware(value: datetime, what: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive {what} {value!r}: pass an aware UTC datetime")
    return value.astimezone(UTC)


class FixedClock:
    """A clock that always says ``now`` (aware, normalised to UTC)."""

    def __init__(self, now: datetime) -> None:
        self._now = _require_aware(now)

    def now(self) -> datetime:
        """Return the current instant."""
        return self._now


class ManualClock(FixedClock):
    """A clock the test moves: ``advance(minutes=5)``, ``advance(timedelta(days=1))``,
    ``set(t)``."""

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move forward by ``delta`` and/or ``timedelta(**units)``; return the new now."""
        step = (delta or timedelta()) + timedelta(**units)
        if step < timedelta():
            raise ValueError("a clock does not go backwards; use set() on purpose")
        self._now += step
        return self._now

    def set(self, now: datetime) -> None:
        """Jump to ``now`` (any direction)."""
        self._now = _require_aware(now)


# --- the store -------------------------------------------------------------------------------


class IntegrityViolation(Exception):
    """A foreign key the database would refuse (the fake's IntegrityError)."""


@dataclass
class FakeData:
    """Everything the fake database holds. Keys are ids unless noted."""

    users: dict[int, User] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    memberships: dict[int, Membership] = field(default_factory=dict)
    chats: dict[int, GroupChat] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    assignments: dict[int, KpiAssignment] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)
    revisions: list[EntryRevision] = field(default_factory=list)
    days_off: dict[int, DayOff] = field(default_factory=dict)
    profiles: dict[int, UserProfile] = field(default_factory=dict)
    states: dict[tuple[int, int], ConversationState] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        value = self.sequences.get(table, 0) + 1
        self.sequences[table] = value
        return value


class FakeStore:
    """Committed data shared by units of work, plus the lock that serialises them."""

    def __init__(self) -> None:
        self.data = FakeData()
        self.lock = threading.RLock()


def _copy(value: T) -> T:
    return copy.deepcopy(value)


def _exact(value: Decimal | None, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} takes Decimal or int, not {type(value).__name__}")
    decimal = Decimal(value)
    if not decimal.is_finite():
        raise ValueError(f"not a finite decimal: {decimal!r}")
    return decimal


def _maybe_aware(value: datetime | None, what: str) -> datetime | None:
    return None if value is None else _require_aware(value, what)


class _FakeRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _data(self) -> FakeData:
        return self._uow.data

    @property
    def _clock(self) -> Clock:
        return self._uow.clock

    def _need_user(self, user_id: int | None) -> None:
        if user_id is not None and user_id not in self._data.users:
            raise IntegrityViolation(f"no user {user_id}")

    def _need_team(self, team_id: int | None) -> None:
        if team_id is not None and team_id not in self._data.teams:
            raise IntegrityViolation(f"no team {team_id}")


# --- repositories ----------------------------------------------------------------------------


class FakeUserRepository(_FakeRepository):
    def get(self, user_id: int) -> User | None:
        return _copy(self._data.users.get(user_id))

    def get_many(self, user_ids: Iterable[int]) -> Sequence[User]:
        return [_copy(self._data.users[i]) for i in sorted(set(user_ids)) if i in self._data.users]

    def by_telegram_id(self, telegram_id: int) -> User | None:
        found = next((u for u in self._data.users.values() if u.telegram_id == telegram_id), None)
        return _copy(found)

    def add(self, user: User) -> User:
        if user.telegram_id is not None and any(
            u.telegram_id == user.telegram_id for u in self._data.users.values()
        ):
            raise DuplicateKeyError(f"a user with Telegram id {user.telegram_id} exists")
        user.id = self._data.next_id("users")
        user.created_at = _require_aware(user.created_at or self._clock.now())
        user.working_weekdays = frozenset(user.working_weekdays)
        self._data.users[user.id] = _copy(user)
        return user

    def save(self, user: User) -> None:
        if user.id is None or user.id not in self._data.users:
            raise LookupError(f"no user {user.id}")
        stored = _copy(user)
        stored.created_at = self._data.users[user.id].created_at
        stored.working_weekdays = frozenset(stored.working_weekdays)
        self._data.users[user.id] = stored

    def erase(self, user_id: int) -> None:
        data = self._data
        for team in [t for t in data.teams.values() if t.owner_user_id == user_id]:
            assert team.id is not None
            others = [
                m
                for m in data.memberships.values()
                if m.team_id == team.id and m.user_id != user_id
            ]
            successor = choose_successor(sorted(others, key=lambda m: m.id or 0))
            if successor is None:
                _delete_team(data, team.id)
            else:
                team.owner_user_id = successor.user_id
                assert successor.id is not None
                data.memberships[successor.id].role = TeamRole.OWNER
        _delete_user(data, user_id)

    def list_active(self) -> Sequence[User]:
        return [_copy(u) for _, u in sorted(self._data.users.items())
                if u.active and not u.anonymous]


def _delete_team(data: FakeData, team_id: int) -> None:
    stand_ins = {m.user_id for m in data.memberships.values()
                 if m.team_id == team_id and data.users[m.user_id].anonymous}
    for user_id in stand_ins:
        _delete_user(data, user_id)
    data.teams.pop(team_id, None)
    data.memberships = {k: m for k, m in data.memberships.items() if m.team_id != team_id}
    data.chats = {k: c for k, c in data.chats.items() if c.team_id != team_id}
    data.plans = {k: p for k, p in data.plans.items() if p.team_id != team_id}
    data.assignments = {k: a for k, a in data.assignments.items() if a.team_id != team_id}
    data.deliveries = {k: d for k, d in data.deliveries.items() if d.team_id != team_id}


def _delete_user(data: FakeData, user_id: int) -> None:
    """What ON DELETE CASCADE / SET NULL do in the schema."""
    data.users.pop(user_id, None)
    data.memberships = {k: m for k, m in data.memberships.items() if m.user_id != user_id}
    data.assignments = {k: a for k, a in data.assignments.items() if a.user_id != user_id}
    gone = {k for k, e in data.entries.items() if e.user_id == user_id}
    data.entries = {k: e for k, e in data.entries.items() if k not in gone}
    data.revisions = [r for r in data.revisions if r.entry_id not in gone]
    data.days_off = {k: d for k, d in data.days_off.items() if d.user_id != user_id}
    for plan in data.plans.values():
        for target in plan.targets:
            target.personal.pop(user_id, None)
    data.profiles.pop(user_id, None)
    data.states = {k: s for k, s in data.states.items() if s.user_id != user_id}
    data.deliveries = {k: d for k, d in data.deliveries.items() if d.user_id != user_id}
    for entry in data.entries.values():
        if entry.entered_by == user_id:
            entry.entered_by = None
    for revision in data.revisions:
        if revision.entered_by == user_id:
            revision.entered_by = None
    for plan in data.plans.values():
        if plan.created_by == user_id:
            plan.created_by = None


class FakeTeamRepository(_FakeRepository):
    def _check_code(self, team: Team) -> None:
        if team.invite_code is not None and any(
            t.invite_code == team.invite_code and t.id != team.id
            for t in self._data.teams.values()
        ):
            raise DuplicateKeyError(f"invite code of team {team.id} is taken")
        if team.invite_code is not None and len(team.invite_code) > 32:
            raise IntegrityViolation("invite codes are at most 32 characters")

    def add(self, team: Team) -> Team:
        self._need_user(team.owner_user_id)
        self._check_code(team)
        team.id = self._data.next_id("teams")
        team.created_at = _require_aware(team.created_at or self._clock.now())
        self._data.teams[team.id] = _copy(team)
        return team

    def get(self, team_id: int) -> Team | None:
        return _copy(self._data.teams.get(team_id))

    def get_many(self, team_ids: Iterable[int]) -> Sequence[Team]:
        return [_copy(self._data.teams[i]) for i in sorted(set(team_ids)) if i in self._data.teams]

    def save(self, team: Team) -> None:
        if team.id is None or team.id not in self._data.teams:
            raise LookupError(f"no team {team.id}")
        self._need_user(team.owner_user_id)
        self._check_code(team)
        stored = _copy(team)
        stored.created_at = self._data.teams[team.id].created_at
        self._data.teams[team.id] = stored

    def by_invite_code(self, code: str) -> Team | None:
        found = next((t for t in self._data.teams.values() if t.invite_code == code), None)
        return _copy(found)

    def add_member(self, membership: Membership) -> Membership:
        self._need_team(membership.team_id)
        self._need_user(membership.user_id)
        if any(
            m.team_id == membership.team_id and m.user_id == membership.user_id
            for m in self._data.memberships.values()
        ):
            raise DuplicateKeyError(
                f"user {membership.user_id} is already in team {membership.team_id}"
            )
        membership.weight = _exact(membership.weight, "weight") or Decimal(0)
        membership.role = TeamRole(membership.role)
        membership.id = self._data.next_id("memberships")
        self._data.memberships[membership.id] = _copy(membership)
        return membership

    def save_member(self, membership: Membership) -> None:
        key = membership.id
        if key is None:
            key = next(
                (
                    k
                    for k, m in self._data.memberships.items()
                    if m.team_id == membership.team_id and m.user_id == membership.user_id
                ),
                None,
            )
        if key is None or key not in self._data.memberships:
            raise LookupError(f"no membership of user {membership.user_id} in {membership.team_id}")
        self._need_team(membership.team_id)
        self._need_user(membership.user_id)
        stored = _copy(membership)
        stored.id = key
        stored.role = TeamRole(stored.role)
        stored.weight = _exact(stored.weight, "weight") or Decimal(0)
        self._data.memberships[key] = stored

    def members(self, team_id: int) -> Sequence[Membership]:
        return [_copy(m) for _, m in sorted(self._data.memberships.items()) if m.team_id == team_id]

    def memberships_of(self, user_id: int) -> Sequence[Membership]:
        return [_copy(m) for _, m in sorted(self._data.memberships.items()) if m.user_id == user_id]

    def members_of_teams(self, team_ids: Iterable[int]) -> Sequence[Membership]:
        wanted = set(team_ids)
        found = [m for _, m in sorted(self._data.memberships.items()) if m.team_id in wanted]
        return [_copy(m) for m in sorted(found, key=lambda m: (m.team_id, m.id or 0))]

    def memberships_of_users(self, user_ids: Iterable[int]) -> Sequence[Membership]:
        wanted = set(user_ids)
        return [_copy(m) for _, m in sorted(self._data.memberships.items()) if m.user_id in wanted]

    def link_chat(self, chat: GroupChat) -> GroupChat:
        self._need_team(chat.team_id)
        existing = next((c for c in self._data.chats.values() if c.chat_id == chat.chat_id), None)
        chat.id = existing.id if existing else self._data.next_id("group_chats")
        assert chat.id is not None
        self._data.chats[chat.id] = _copy(chat)
        return chat

    def chat(self, chat_id: int) -> GroupChat | None:
        return _copy(next((c for c in self._data.chats.values() if c.chat_id == chat_id), None))

    def chats_of(self, team_id: int) -> Sequence[GroupChat]:
        return [_copy(c) for _, c in sorted(self._data.chats.items()) if c.team_id == team_id]

    def save_chat(self, chat: GroupChat) -> None:
        existing = next((c for c in self._data.chats.values() if c.chat_id == chat.chat_id), None)
        if existing is None or existing.id is None:
            raise LookupError(f"no group chat {chat.chat_id}")
        self._need_team(chat.team_id)
        stored = _copy(chat)
        stored.id = existing.id
        self._data.chats[existing.id] = stored

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        if any(c.chat_id == new_chat_id for c in self._data.chats.values()):
            return False
        old = next((c for c in self._data.chats.values() if c.chat_id == old_chat_id), None)
        if old is None:
            return False
        old.chat_id = new_chat_id
        return True

    def list_active_chats(self) -> Sequence[GroupChat]:
        return [_copy(c) for _, c in sorted(self._data.chats.items()) if c.active]


class FakePlanRepository(_FakeRepository):
    def _checked(self, plan: Plan) -> Plan:
        stored = _copy(plan)
        seen: set[str] = set()
        for target in stored.targets:
            if target.kpi_id in seen:
                raise IntegrityViolation(f"plan has two targets for {target.kpi_id}")
            seen.add(target.kpi_id)
            target.target = _exact(target.target, "target") or Decimal(0)
            target.baseline = _exact(target.baseline, "baseline")
            for user_id, amount in target.personal.items():
                self._need_user(user_id)
                target.personal[user_id] = _exact(amount, "personal target") or Decimal(0)
        return stored

    def add(self, plan: Plan) -> Plan:
        self._need_team(plan.team_id)
        self._need_user(plan.created_by)
        stored = self._checked(plan)
        plan.id = stored.id = self._data.next_id("plans")
        plan.created_at = stored.created_at = _require_aware(plan.created_at or self._clock.now())
        self._data.plans[plan.id] = stored
        return plan

    def get(self, plan_id: int) -> Plan | None:
        return _copy(self._data.plans.get(plan_id))

    def save(self, plan: Plan) -> None:
        if plan.id is None or plan.id not in self._data.plans:
            raise LookupError(f"no plan {plan.id}")
        self._need_team(plan.team_id)
        stored = self._checked(plan)
        stored.created_at = self._data.plans[plan.id].created_at
        self._data.plans[plan.id] = stored

    def current_for_teams(self, team_ids: Iterable[int], day: date) -> dict[int, Plan]:
        found = {team_id: self.current(team_id, day) for team_id in sorted(set(team_ids))}
        return {team_id: plan for team_id, plan in found.items() if plan is not None}

    def current(self, team_id: int, day: date) -> Plan | None:
        matching = [
            p
            for p in self._data.plans.values()
            if p.team_id == team_id and p.period_start <= day <= p.period_end
        ]
        if not matching:
            return None
        return _copy(
            max(
                matching,
                key=lambda p: (p.created_at or datetime.min.replace(tzinfo=UTC), p.id or 0),
            )
        )

    def of_team(self, team_id: int) -> Sequence[Plan]:
        plans = [p for p in self._data.plans.values() if p.team_id == team_id]
        return [_copy(p) for p in sorted(plans, key=lambda p: (p.period_start, p.id or 0))]


class FakeAssignmentRepository(_FakeRepository):
    def for_user(self, user_id: int) -> Sequence[KpiAssignment]:
        found = [a for a in self._data.assignments.values() if a.user_id == user_id]
        return [_copy(a) for a in sorted(found, key=lambda a: (a.team_id, a.position))]

    def for_team(self, team_id: int) -> Sequence[KpiAssignment]:
        found = [a for a in self._data.assignments.values() if a.team_id == team_id]
        return [_copy(a) for a in sorted(found, key=lambda a: (a.user_id, a.position))]

    def for_teams(self, team_ids: Iterable[int]) -> Sequence[KpiAssignment]:
        wanted = set(team_ids)
        found = [a for a in self._data.assignments.values() if a.team_id in wanted]
        return [_copy(a) for a in sorted(found, key=lambda a: (a.team_id, a.user_id, a.position))]

    def replace(self, user_id: int, team_id: int, kpi_ids: Sequence[str]) -> None:
        self._need_user(user_id)
        self._need_team(team_id)
        wanted = list(dict.fromkeys(kpi_ids))
        mine = {
            a.kpi_id: key
            for key, a in self._data.assignments.items()
            if a.user_id == user_id and a.team_id == team_id
        }
        for kpi_id, key in mine.items():
            if kpi_id not in wanted:
                del self._data.assignments[key]
        for position, kpi_id in enumerate(wanted):
            if kpi_id in mine:
                self._data.assignments[mine[kpi_id]].position = position
            else:
                new_id = self._data.next_id("kpi_assignments")
                self._data.assignments[new_id] = KpiAssignment(
                    user_id=user_id, team_id=team_id, kpi_id=kpi_id, position=position, id=new_id
                )


class FakeEntryRepository(_FakeRepository):
    def _find(self, user_id: int, kpi_id: str, day: date) -> Entry | None:
        return next(
            (
                e
                for e in self._data.entries.values()
                if e.user_id == user_id and e.kpi_id == kpi_id and e.day == day
            ),
            None,
        )

    def record(
        self,
        user_id: int,
        kpi_id: str,
        day: date,
        value: Decimal | None,
        entered_by: int | None,
        at: datetime,
    ) -> Entry:
        self._need_user(user_id)
        self._need_user(entered_by)
        value = _exact(value, "value")
        at = _require_aware(at, "entered_at")
        entry = self._find(user_id, kpi_id, day)
        if entry is None:
            entry = Entry(
                user_id=user_id,
                kpi_id=kpi_id,
                day=day,
                value=value,
                version=1,
                entered_by=entered_by,
                entered_at=at,
                id=self._data.next_id("entries"),
            )
            assert entry.id is not None
            self._data.entries[entry.id] = entry
        else:
            entry.value, entry.entered_by, entry.entered_at = value, entered_by, at
            entry.version += 1
        assert entry.id is not None
        self._data.revisions.append(
            EntryRevision(
                entry_id=entry.id,
                version=entry.version,
                value=value,
                entered_by=entered_by,
                entered_at=at,
            )
        )
        return _copy(entry)

    def get(self, user_id: int, kpi_id: str, day: date) -> Entry | None:
        return _copy(self._find(user_id, kpi_id, day))

    def history(self, user_id: int, kpi_id: str, day: date) -> Sequence[EntryRevision]:
        entry = self._find(user_id, kpi_id, day)
        if entry is None:
            return []
        found = [r for r in self._data.revisions if r.entry_id == entry.id]
        return [_copy(r) for r in sorted(found, key=lambda r: r.version)]

    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[Entry]:
        ids = set(user_ids)
        found = [
            e
            for e in self._data.entries.values()
            if e.user_id in ids and start <= e.day <= end and e.value is not None
        ]
        return [_copy(e) for e in sorted(found, key=lambda e: (e.day, e.user_id, e.kpi_id))]

    def versions_in_range(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> Sequence[tuple[Entry, EntryRevision]]:
        ids = set(user_ids)
        entries = {e.id: e for e in self._data.entries.values()
                   if e.user_id in ids and start <= e.day <= end}
        found = [(entries[r.entry_id], r) for r in self._data.revisions if r.entry_id in entries]
        found.sort(key=lambda pair: (pair[0].day, pair[0].user_id, pair[0].kpi_id,
                                     pair[1].version))
        return [(_copy(entry), _copy(revision)) for entry, revision in found]

    def logged_users_on(self, user_ids: Iterable[int], day: date) -> set[int]:
        ids = set(user_ids)
        return {
            e.user_id
            for e in self._data.entries.values()
            if e.user_id in ids and e.day == day and e.value is not None
        }


    def totals(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> dict[tuple[int, str], Decimal]:
        found: dict[tuple[int, str], Decimal] = {}
        for e in self.in_range(user_ids, start, end):
            key = (e.user_id, e.kpi_id)
            found[key] = found.get(key, Decimal(0)) + (e.value or Decimal(0))
        return found

    def reassign(
        self, from_user_id: int, to_user_id: int, start: date | None, end: date | None
    ) -> int:
        self._need_user(to_user_id)
        moved = 0
        for e in self._data.entries.values():
            if (e.user_id == from_user_id and (start is None or e.day >= start)
                    and (end is None or e.day <= end)):
                e.user_id = to_user_id
                moved += 1
        return moved

    def in_range_of(
        self, user_ids: Iterable[int], kpi_ids: Iterable[str], start: date, end: date
    ) -> Sequence[Entry]:
        kpis = set(kpi_ids)
        return [e for e in self.in_range(user_ids, start, end) if e.kpi_id in kpis]

    def logged_days(self, user_ids: Iterable[int], end: date, days: int) -> dict[int, int]:
        if days > 63:
            raise ValueError("at most 63 days fit the mask")
        found: dict[int, int] = {}
        for e in self.in_range(user_ids, end - timedelta(days=days - 1), end):
            found[e.user_id] = found.get(e.user_id, 0) | 1 << (end - e.day).days
        return found


class FakeDayOffRepository(_FakeRepository):
    def add(self, day_off: DayOff) -> DayOff:
        self._need_user(day_off.user_id)
        day_off.kind = DayOffKind(day_off.kind)
        day_off.share = DayOffShare(day_off.share)
        existing = next(
            (
                d
                for d in self._data.days_off.values()
                if d.user_id == day_off.user_id and d.day == day_off.day
            ),
            None,
        )
        day_off.id = existing.id if existing else self._data.next_id("days_off")
        assert day_off.id is not None
        self._data.days_off[day_off.id] = _copy(day_off)
        return day_off

    def remove(self, user_id: int, day: date) -> None:
        self._data.days_off = {
            k: d
            for k, d in self._data.days_off.items()
            if not (d.user_id == user_id and d.day == day)
        }

    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[DayOff]:
        ids = set(user_ids)
        found = [
            d for d in self._data.days_off.values() if d.user_id in ids and start <= d.day <= end
        ]
        return [_copy(d) for d in sorted(found, key=lambda d: (d.day, d.user_id))]


class FakeProfileRepository(_FakeRepository):
    def get(self, user_id: int) -> UserProfile | None:
        return _copy(self._data.profiles.get(user_id))

    def save(self, profile: UserProfile) -> None:
        self._need_user(profile.user_id)
        profile.updated_at = _require_aware(profile.updated_at or self._clock.now())
        stored = _copy(profile)
        stored.answers = json.loads(json.dumps(profile.answers))  # what a JSON column keeps
        self._data.profiles[profile.user_id] = stored


class FakeConversationRepository(_FakeRepository):
    def get(self, chat_id: int, user_id: int) -> ConversationState | None:
        return _copy(self._data.states.get((chat_id, user_id)))

    def save(self, state: ConversationState) -> None:
        self._need_user(state.user_id)
        state.updated_at = _require_aware(state.updated_at or self._clock.now())
        stored = _copy(state)
        # What a JSON column gives back: tuples become lists, keys become strings; and
        # anything JSON cannot hold (Decimal, date, set) fails here as it would in the database.
        stored.data = json.loads(json.dumps(state.data))
        self._data.states[(state.chat_id, state.user_id)] = stored

    def clear(self, chat_id: int, user_id: int) -> None:
        self._data.states.pop((chat_id, user_id), None)


class FakeUpdateLog(_FakeRepository):
    def first_time(self, update_id: int, at: datetime) -> bool:
        if update_id in self._data.updates:
            return False
        self._data.updates[update_id] = _require_aware(at, "processed_at")
        return True

    def prune(self, before: datetime) -> int:
        before = _require_aware(before)
        old = [k for k, at in self._data.updates.items() if at < before]
        for key in old:
            del self._data.updates[key]
        return len(old)


def _claimable(d: Delivery, now: datetime, lease: timedelta) -> bool:
    """Same rule as ``bot.storage.repositories._open_delivery``."""
    if d.status == DeliveryStatus.PENDING:
        return d.due_at <= now and (d.next_attempt_at is None or d.next_attempt_at <= now)
    if d.status == DeliveryStatus.FAILED:
        return d.next_attempt_at is not None and d.next_attempt_at <= now
    if d.status == DeliveryStatus.CLAIMED:
        return d.claimed_at is not None and d.claimed_at <= now - lease
    return False


class FakeDeliveryRepository(_FakeRepository):
    def plan(self, deliveries: Iterable[Delivery]) -> int:
        taken = {(d.chat_id, d.kind, d.local_date) for d in self._data.deliveries.values()}
        inserted = 0
        for delivery in deliveries:
            key = (delivery.chat_id, DeliveryKind(delivery.kind), delivery.local_date)
            if key in taken:
                continue
            self._need_user(delivery.user_id)
            self._need_team(delivery.team_id)
            stored = _copy(delivery)
            stored.kind = DeliveryKind(stored.kind)
            stored.status = DeliveryStatus(stored.status)
            stored.due_at = _require_aware(stored.due_at, "due_at")
            stored.expires_at = _require_aware(stored.expires_at, "expires_at")
            stored.next_attempt_at = _maybe_aware(stored.next_attempt_at, "next_attempt_at")
            stored.claimed_at = _maybe_aware(stored.claimed_at, "claimed_at")
            stored.sent_at = _maybe_aware(stored.sent_at, "sent_at")
            stored.id = self._data.next_id("deliveries")
            self._data.deliveries[stored.id] = stored
            taken.add(key)
            inserted += 1
        return inserted

    def claim_due(
        self, now: datetime, limit: int, worker: str, lease_seconds: int
    ) -> Sequence[Delivery]:
        now = _require_aware(now)
        lease = timedelta(seconds=lease_seconds)
        if limit <= 0:
            return []
        open_rows = [d for d in self._data.deliveries.values() if _claimable(d, now, lease)]
        for d in open_rows:
            if d.expires_at <= now:
                d.status = DeliveryStatus.EXPIRED
        # The first unfinished row of each chat (by due_at, id) blocks the later ones.
        first: dict[int, tuple[datetime, int]] = {}
        for d in self._data.deliveries.values():
            unfinished = d.status in (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED) or (
                d.status == DeliveryStatus.FAILED and d.next_attempt_at is not None)
            if unfinished and d.expires_at > now:
                key = (d.due_at, d.id or 0)
                first[d.chat_id] = min(first.get(d.chat_id, key), key)
        due = sorted(
            (d for d in open_rows
             if d.expires_at > now and first.get(d.chat_id) == (d.due_at, d.id or 0)),
            key=lambda d: (d.due_at, d.id or 0),
        )[:limit]
        for d in due:
            d.status = DeliveryStatus.CLAIMED
            d.claimed_by = worker
            d.claimed_at = now
            d.attempts += 1
        return [_copy(d) for d in due]

    def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        error: str | None = None,
        telegram_message_id: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        d = self._data.deliveries.get(delivery_id)
        if d is None:
            raise LookupError(f"no delivery {delivery_id}")
        d.status = DeliveryStatus(status)
        d.error = error
        d.next_attempt_at = _maybe_aware(next_attempt_at, "next_attempt_at")
        if d.status == DeliveryStatus.SENT:
            d.sent_at = _require_aware(at)
        if telegram_message_id is not None:
            d.telegram_message_id = telegram_message_id

    def get(self, delivery_id: int) -> Delivery | None:
        return _copy(self._data.deliveries.get(delivery_id))

    def for_chat(self, chat_id: int) -> Sequence[Delivery]:
        found = [d for d in self._data.deliveries.values() if d.chat_id == chat_id]
        return self._sorted_by_day(found)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        taken = {(d.kind, d.local_date) for d in self._data.deliveries.values()
                 if d.chat_id == new_chat_id}
        moved = 0
        for _, d in sorted(self._data.deliveries.items()):
            unfinished = d.status in (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED) or (
                d.status is DeliveryStatus.FAILED and d.next_attempt_at is not None)
            if d.chat_id == old_chat_id and unfinished and (d.kind, d.local_date) not in taken:
                d.chat_id = new_chat_id
                moved += 1
        return moved

    def sent_as(self, chat_id: int, telegram_message_id: int) -> Delivery | None:
        found = [d for _, d in sorted(self._data.deliveries.items())
                 if d.chat_id == chat_id and d.telegram_message_id == telegram_message_id]
        return _copy(found[-1]) if found else None

    def pending(self, since: date, chat_ids: Iterable[int] | None = None) -> Sequence[Delivery]:
        chats = None if chat_ids is None else set(chat_ids)
        return [
            _copy(d)
            for _, d in sorted(self._data.deliveries.items())
            if d.status == DeliveryStatus.PENDING
            and d.local_date >= since
            and (chats is None or d.chat_id in chats)
        ]

    def _back_to_pending(
        self,
        delivery_id: int,
        from_statuses: tuple[DeliveryStatus, ...],
        due_at: datetime,
        expires_at: datetime,
        note: str | None,
    ) -> bool:
        due_at = _require_aware(due_at, "due_at")
        expires_at = _require_aware(expires_at, "expires_at")
        d = self._data.deliveries.get(delivery_id)
        if d is None or d.status not in from_statuses:
            return False
        d.status, d.due_at, d.expires_at = DeliveryStatus.PENDING, due_at, expires_at
        d.next_attempt_at = d.claimed_by = d.claimed_at = None
        d.error = note
        return True

    def reschedule(self, delivery_id: int, due_at: datetime, expires_at: datetime) -> bool:
        statuses = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)
        return self._back_to_pending(delivery_id, statuses, due_at, expires_at, None)

    def requeue(
        self, delivery_id: int, due_at: datetime, expires_at: datetime, note: str | None = None
    ) -> bool:
        statuses = (DeliveryStatus.SENT,)
        return self._back_to_pending(delivery_id, statuses, due_at, expires_at, note)

    @staticmethod
    def _sorted_by_day(found: list[Delivery]) -> list[Delivery]:
        return [
            _copy(d) for d in sorted(found, key=lambda d: (d.local_date, d.kind.value, d.id or 0))
        ]


# --- the unit of work ------------------------------------------------------------------------


class FakeUnitOfWork:
    """An in-memory :class:`kpi_core.ports.UnitOfWork` with real transaction semantics.

    Args:
        store: committed data to share with other units of work (a new one by default).
        clock: stamps ``created_at`` / ``updated_at`` left ``None`` (default: a fixed clock at
            2025-01-01 00:00 UTC, so tests never depend on the wall clock).

    Attributes:
        committed: True once ``commit()`` ran in the current (or last) ``with`` block.
        commits: how many times ``commit()`` ran over the object's life.
    """

    def __init__(self, store: FakeStore | None = None, clock: Clock | None = None) -> None:
        self.store = store or FakeStore()
        self.clock: Clock = clock or FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
        self.committed = False
        self.commits = 0
        self._work: FakeData | None = None
        self._entered = False
        self.users: UserRepository = FakeUserRepository(self)
        self.teams: TeamRepository = FakeTeamRepository(self)
        self.plans: PlanRepository = FakePlanRepository(self)
        self.assignments: AssignmentRepository = FakeAssignmentRepository(self)
        self.entries: EntryRepository = FakeEntryRepository(self)
        self.days_off: DayOffRepository = FakeDayOffRepository(self)
        self.profiles: ProfileRepository = FakeProfileRepository(self)
        self.conversations: ConversationRepository = FakeConversationRepository(self)
        self.updates: UpdateLog = FakeUpdateLog(self)
        self.deliveries: DeliveryRepository = FakeDeliveryRepository(self)

    def factory(self) -> Callable[[], FakeUnitOfWork]:
        """A zero-arg callable making new units of work over the same store and clock (what
        ``bot.storage.uow_factory`` returns for the database)."""
        return lambda: FakeUnitOfWork(self.store, self.clock)

    @property
    def data(self) -> FakeData:
        """The data repositories see: the private copy inside ``with``, else the committed."""
        return self._work if self._work is not None else self.store.data

    def __enter__(self) -> Self:
        if self._entered:
            raise RuntimeError("this unit of work is already open")
        self.store.lock.acquire()
        self._entered = True
        self._work = _copy(self.store.data)
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None
        self._entered = False
        self.store.lock.release()

    def commit(self) -> None:
        """Publish the private copy."""
        if self._work is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        self.store.data = self._work
        self._work = _copy(self._work)
        self.committed = True
        self.commits += 1

    def rollback(self) -> None:
        """Discard everything since the last commit."""
        if self._work is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        self._work = _copy(self.store.data)


def _conforms(uow: FakeUnitOfWork) -> UnitOfWork:
    return uow  # mypy checks FakeUnitOfWork against the port here


def fake_uow_factory(clock: Clock | None = None) -> Callable[[], FakeUnitOfWork]:
    """A factory of units of work over one new in-memory store (mirrors ``uow_factory``)."""
    return FakeUnitOfWork(clock=clock).factory()


__all__ = [
    "FakeData",
    "FakeStore",
    "FakeUnitOfWork",
    "FixedClock",
    "IntegrityViolation",
    "ManualClock",
    "fake_uow_factory",
]
