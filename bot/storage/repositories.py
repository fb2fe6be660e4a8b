"""SQL implementations of the repository ports in :mod:`kpi_core.ports`.

They use SQLAlchemy Core on the unit of work's single ``Connection``: no ORM identity map to
expire, one statement per operation where the dialects allow it, and statements built once
per dialect so SQLAlchemy's compiled cache is hit on every call. Collections are loaded with
one query each (``IN``), never one query per row.

Semantics shared with the in-memory fakes (``tests/fakes.py``), checked by the contract tests
in ``tests/storage/test_contract.py``:

* ``add`` methods set ``id`` (and ``created_at`` when left ``None``) on the object passed in
  and return it; a duplicate unique key raises :class:`kpi_core.ports.DuplicateKeyError`
  without aborting the transaction.
* ``save`` methods of a row that does not exist raise ``LookupError``.
* Lists come back in a stable order (documented per method).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Insert,
    Integer,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.storage import mapping
from bot.storage import tables as t
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
    PlanTarget,
    Team,
    TeamRole,
    User,
    UserProfile,
)
from kpi_core.ports import Clock, DuplicateKeyError

ConnectionSource = Callable[[], Connection]
"""Returns the unit of work's connection (raises when the unit of work is not entered)."""


def _dialect_insert(dialect: str, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for the dialect (PostgreSQL or SQLite)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _ids(values: Iterable[int]) -> list[int]:
    return sorted(set(values))


@cache
def _lookup(table: Table, keys: tuple[str, ...], order: tuple[str, ...] = ()) -> Select[Any]:
    """``SELECT * FROM table WHERE key = :key ... ORDER BY order``, built once.

    The hot reads of every update (the person, their team, KPIs, conversation) reuse one
    statement object each, so SQLAlchemy neither rebuilds nor re-keys it per call. Bind the
    keys by name; an ``order`` name starting with ``-`` sorts descending.
    """
    stmt = select(table).where(*(table.c[key] == bindparam(key) for key in keys))
    for name in order:
        column = table.c[name.lstrip("-")]
        stmt = stmt.order_by(column.desc() if name.startswith("-") else column)
    return stmt


class _Repository:
    def __init__(self, connection: ConnectionSource, clock: Clock) -> None:
        self._connection = connection
        self._clock = clock

    @property
    def _conn(self) -> Connection:
        return self._connection()

    @property
    def _dialect(self) -> str:
        return self._conn.dialect.name


# --- users -----------------------------------------------------------------------------------


class SqlUserRepository(_Repository):
    """People, keyed by ``users.id``; ``by_telegram_id`` for incoming updates."""

    def get(self, user_id: int) -> User | None:
        row = self._conn.execute(_lookup(t.users, ("id",)), {"id": user_id}).first()
        return mapping.USERS.load(row) if row else None

    def get_many(self, user_ids: Iterable[int]) -> Sequence[User]:
        ids = _ids(user_ids)
        if not ids:
            return []
        u = t.users.c
        rows = self._conn.execute(select(t.users).where(u.id.in_(ids)).order_by(u.id))
        return mapping.USERS.load_all(rows)

    def by_telegram_id(self, telegram_id: int) -> User | None:
        row = self._conn.execute(
            _lookup(t.users, ("telegram_id",)), {"telegram_id": telegram_id}
        ).first()
        return mapping.USERS.load(row) if row else None

    def add(self, user: User) -> User:
        """Insert; raise ``DuplicateKeyError`` when the Telegram id is taken."""
        created_at = user.created_at or self._clock.now()
        stmt = (
            _dialect_insert(self._dialect, t.users)
            .values(**mapping.USERS.values(user), created_at=created_at)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
            .returning(t.users.c.id)
        )
        new_id = self._conn.execute(stmt).scalar()
        if new_id is None:
            raise DuplicateKeyError(f"a user with Telegram id {user.telegram_id} exists")
        user.id, user.created_at = new_id, created_at
        return user

    def save(self, user: User) -> None:
        if user.id is None:
            raise LookupError("save() needs a user with an id; use add()")
        result = self._conn.execute(
            update(t.users).where(t.users.c.id == user.id).values(**mapping.USERS.values(user))
        )
        if result.rowcount == 0:
            raise LookupError(f"no user {user.id}")

    def erase(self, user_id: int) -> None:
        """Delete the person and everything about them.

        Teams they own pass to the longest-standing current member (admins first, promoted to
        owner); a team with nobody else in it is deleted with its plans, chats and stand-ins.
        Everything keyed by the person cascades in the database; rows they only authored for
        someone else (``entered_by``, ``created_by``) keep their data and forget the author.
        """
        conn = self._conn
        owned = (
            conn.execute(select(t.teams.c.id).where(t.teams.c.owner_user_id == user_id))
            .scalars()
            .all()
        )
        if owned:
            others = conn.execute(
                select(t.memberships)
                .where(t.memberships.c.team_id.in_(owned), t.memberships.c.user_id != user_id)
                .order_by(t.memberships.c.team_id, t.memberships.c.id)
            ).all()
            by_team: dict[int, list[Membership]] = {}
            for row in others:
                by_team.setdefault(row.team_id, []).append(mapping.MEMBERSHIPS.load(row))
            for team_id in owned:
                successor = choose_successor(by_team.get(team_id, []))
                if successor is None:
                    _delete_team(conn, team_id)
                    continue
                conn.execute(
                    update(t.teams)
                    .where(t.teams.c.id == team_id)
                    .values(owner_user_id=successor.user_id)
                )
                conn.execute(
                    update(t.memberships)
                    .where(t.memberships.c.id == successor.id)
                    .values(role=TeamRole.OWNER.value)
                )
        conn.execute(delete(t.users).where(t.users.c.id == user_id))

    def list_active(self) -> Sequence[User]:
        """Active people, by id (never a stand-in)."""
        u = t.users.c
        rows = self._conn.execute(
            select(t.users).where(u.active.is_(True), u.anonymous.is_(False)).order_by(u.id)
        )
        return [mapping.USERS.load(row) for row in rows]


def _delete_team(conn: Connection, team_id: int) -> None:
    """Delete a team; its plans, chats and memberships cascade. Its stand-ins are users, so
    they go explicitly (first, while their memberships still say whose they are)."""
    m = t.memberships.c
    conn.execute(
        delete(t.users).where(
            t.users.c.anonymous.is_(True),
            t.users.c.id.in_(select(m.user_id).where(m.team_id == team_id)),
        )
    )
    conn.execute(delete(t.teams).where(t.teams.c.id == team_id))


def choose_successor(members: Sequence[Membership]) -> Membership | None:
    """The member who takes over a team from an erased owner: current members only, admins
    before members, then the earliest to join (unknown join dates last), then the oldest row."""
    current = [m for m in members if m.left_on is None]
    if not current:
        return None
    rank = {TeamRole.OWNER: 0, TeamRole.ADMIN: 0, TeamRole.MEMBER: 1}
    return min(
        current,
        key=lambda m: (rank[m.role], m.joined_on is None, m.joined_on or date.min, m.id or 0),
    )


# --- teams, memberships, group chats ---------------------------------------------------------


class SqlTeamRepository(_Repository):
    """Teams, their members and the group chats linked to them."""

    def add(self, team: Team) -> Team:
        """Insert; raise ``DuplicateKeyError`` when the invite code is taken."""
        created_at = team.created_at or self._clock.now()
        stmt = (
            insert(t.teams)
            .values(**mapping.TEAMS.values(team), created_at=created_at)
            .returning(t.teams.c.id)
        )
        new_id = self._guarded(lambda: self._conn.execute(stmt).scalar_one(), team)
        team.id, team.created_at = new_id, created_at
        return team

    def get(self, team_id: int) -> Team | None:
        row = self._conn.execute(_lookup(t.teams, ("id",)), {"id": team_id}).first()
        return mapping.TEAMS.load(row) if row else None

    def get_many(self, team_ids: Iterable[int]) -> Sequence[Team]:
        ids = _ids(team_ids)
        if not ids:
            return []
        c = t.teams.c
        return mapping.TEAMS.load_all(
            self._conn.execute(select(t.teams).where(c.id.in_(ids)).order_by(c.id)))

    def save(self, team: Team) -> None:
        """Update by id; ``DuplicateKeyError`` when another team has the invite code."""
        if team.id is None:
            raise LookupError("save() needs a team with an id; use add()")
        stmt = update(t.teams).where(t.teams.c.id == team.id).values(**mapping.TEAMS.values(team))
        result = self._guarded(lambda: self._conn.execute(stmt), team)
        if result.rowcount == 0:
            raise LookupError(f"no team {team.id}")

    def by_invite_code(self, code: str) -> Team | None:
        row = self._conn.execute(select(t.teams).where(t.teams.c.invite_code == code)).first()
        return mapping.TEAMS.load(row) if row else None

    def _guarded(self, run: Callable[[], Any], team: Team) -> Any:
        """Run a write in a savepoint: a taken invite code (the only unique key a caller can
        hit) becomes ``DuplicateKeyError`` and the transaction stays usable."""
        savepoint = self._conn.begin_nested()
        try:
            result = run()
        except IntegrityError as exc:
            savepoint.rollback()
            if team.invite_code is not None and self.by_invite_code(team.invite_code):
                raise DuplicateKeyError(f"invite code of team {team.id} is taken") from exc
            raise
        savepoint.commit()
        return result

    def add_member(self, membership: Membership) -> Membership:
        """Insert; raise ``DuplicateKeyError`` when the person is already in the team (use
        ``save_member`` to rejoin someone who left)."""
        new_id = self._conn.execute(
            _dialect_insert(self._dialect, t.memberships)
            .values(**mapping.MEMBERSHIPS.values(membership))
            .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
            .returning(t.memberships.c.id)
        ).scalar()
        if new_id is None:
            raise DuplicateKeyError(
                f"user {membership.user_id} is already in team {membership.team_id}"
            )
        membership.id = new_id
        return membership

    def save_member(self, membership: Membership) -> None:
        """Update by id, or by (team, person) when the id is unknown."""
        m = t.memberships.c
        where = (
            m.id == membership.id
            if membership.id is not None
            else and_(m.team_id == membership.team_id, m.user_id == membership.user_id)
        )
        result = self._conn.execute(
            update(t.memberships).where(where).values(**mapping.MEMBERSHIPS.values(membership))
        )
        if result.rowcount == 0:
            raise LookupError(f"no membership of user {membership.user_id} in {membership.team_id}")

    def members(self, team_id: int) -> Sequence[Membership]:
        """Everyone who is or was in the team (``left_on`` set for former members), by id."""
        rows = self._conn.execute(
            _lookup(t.memberships, ("team_id",), ("id",)), {"team_id": team_id}
        )
        return [mapping.MEMBERSHIPS.load(row) for row in rows]

    def memberships_of(self, user_id: int) -> Sequence[Membership]:
        """The person's memberships, past and present, by id."""
        rows = self._conn.execute(
            _lookup(t.memberships, ("user_id",), ("id",)), {"user_id": user_id}
        )
        return [mapping.MEMBERSHIPS.load(row) for row in rows]

    def members_of_teams(self, team_ids: Iterable[int]) -> Sequence[Membership]:
        ids = _ids(team_ids)
        if not ids:
            return []
        m = t.memberships.c
        rows = self._conn.execute(
            select(t.memberships).where(m.team_id.in_(ids)).order_by(m.team_id, m.id))
        return mapping.MEMBERSHIPS.load_all(rows)

    def memberships_of_users(self, user_ids: Iterable[int]) -> Sequence[Membership]:
        ids = _ids(user_ids)
        if not ids:
            return []
        m = t.memberships.c
        rows = self._conn.execute(select(t.memberships).where(m.user_id.in_(ids)).order_by(m.id))
        return mapping.MEMBERSHIPS.load_all(rows)

    def link_chat(self, chat: GroupChat) -> GroupChat:
        """Link a group to a team; a group linked before moves to this team (upsert)."""
        stmt = _dialect_insert(self._dialect, t.group_chats).values(**mapping.CHATS.values(chat))
        stmt = stmt.on_conflict_do_update(
            index_elements=["chat_id"],
            set_={
                "team_id": stmt.excluded.team_id,
                "title": stmt.excluded.title,
                "language": stmt.excluded.language,
                "active": stmt.excluded.active,
            },
        ).returning(t.group_chats.c.id)
        chat.id = self._conn.execute(stmt).scalar_one()
        return chat

    def chat(self, chat_id: int) -> GroupChat | None:
        """The group with this Telegram chat id."""
        row = self._conn.execute(
            select(t.group_chats).where(t.group_chats.c.chat_id == chat_id)
        ).first()
        return mapping.CHATS.load(row) if row else None

    def chats_of(self, team_id: int) -> Sequence[GroupChat]:
        rows = self._conn.execute(
            select(t.group_chats)
            .where(t.group_chats.c.team_id == team_id)
            .order_by(t.group_chats.c.id)
        )
        return [mapping.CHATS.load(row) for row in rows]

    def save_chat(self, chat: GroupChat) -> None:
        """Update the group with this Telegram chat id."""
        result = self._conn.execute(
            update(t.group_chats)
            .where(t.group_chats.c.chat_id == chat.chat_id)
            .values(**mapping.CHATS.values(chat))
        )
        if result.rowcount == 0:
            raise LookupError(f"no group chat {chat.chat_id}")

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        c = t.group_chats.c
        if self._conn.execute(select(c.id).where(c.chat_id == new_chat_id)).first() is not None:
            return False
        result = self._conn.execute(
            update(t.group_chats).where(c.chat_id == old_chat_id).values(chat_id=new_chat_id))
        return bool(result.rowcount)

    def list_active_chats(self) -> Sequence[GroupChat]:
        rows = self._conn.execute(
            select(t.group_chats)
            .where(t.group_chats.c.active.is_(True))
            .order_by(t.group_chats.c.id)
        )
        return [mapping.CHATS.load(row) for row in rows]


# --- plans -----------------------------------------------------------------------------------


@cache
def _in_range_statement(table: str) -> Select[Any]:
    """The reads by a list of ids (an expanding ``:ids``) and a ``:start``–``:end`` day range
    that every log line and digest batch makes, each built once."""
    if table == "plan_targets":
        # With their individual targets in the same read: one row per target and person.
        pt, mt = t.plan_targets.c, t.member_targets.c
        joined = t.plan_targets.outerjoin(
            t.member_targets, (mt.plan_id == pt.plan_id) & (mt.kpi_id == pt.kpi_id))
        return (select(t.plan_targets, mt.user_id.label("personal_user_id"),
                       mt.target.label("personal_target"))
                .select_from(joined)
                .where(pt.plan_id.in_(bindparam("ids", expanding=True)))
                .order_by(pt.plan_id, pt.position, mt.user_id))
    source = t.entries if table == "entries" else t.days_off
    c = source.c
    where = [c.user_id.in_(bindparam("ids", expanding=True)),
             c.day >= bindparam("start", type_=c.day.type),
             c.day <= bindparam("end", type_=c.day.type)]
    if table == "entries":
        where.append(t.entries.c.value.is_not(None))
        return select(source).where(*where).order_by(c.day, c.user_id, t.entries.c.kpi_id)
    return select(source).where(*where).order_by(c.day, c.user_id)


@cache
def _current_plan() -> Select[Any]:
    p = t.plans.c
    day = bindparam("day", type_=p.period_start.type)
    return (
        select(t.plans)
        .where(p.team_id == bindparam("team_id"), p.period_start <= day, p.period_end >= day)
        .order_by(p.created_at.desc(), p.id.desc())
        .limit(1)
    )


class SqlPlanRepository(_Repository):
    """Plans with their targets (targets keep the plan's list order)."""

    def add(self, plan: Plan) -> Plan:
        created_at = plan.created_at or self._clock.now()
        new_id = self._conn.execute(
            insert(t.plans)
            .values(**mapping.PLANS.values(plan), created_at=created_at)
            .returning(t.plans.c.id)
        ).scalar_one()
        plan.id, plan.created_at = new_id, created_at
        self._insert_targets(new_id, plan.targets)
        return plan

    def _insert_targets(self, plan_id: int, targets: Sequence[PlanTarget]) -> None:
        if targets:
            self._conn.execute(
                insert(t.plan_targets),
                [
                    {**mapping.PLAN_TARGETS.values(target), "plan_id": plan_id,
                     "position": position}
                    for position, target in enumerate(targets)
                ],
            )
        personal = [
            {"plan_id": plan_id, "kpi_id": target.kpi_id, "user_id": user_id, "target": amount}
            for target in targets for user_id, amount in target.personal.items()
        ]
        if personal:
            self._conn.execute(insert(t.member_targets), personal)

    def _targets(self, plan_ids: list[int]) -> dict[int, list[PlanTarget]]:
        found: dict[int, list[PlanTarget]] = {plan_id: [] for plan_id in plan_ids}
        if not plan_ids:
            return found
        rows = self._conn.execute(_in_range_statement("plan_targets"), {"ids": plan_ids})
        for row in rows:
            targets = found[row.plan_id]
            if not targets or targets[-1].kpi_id != row.kpi_id:
                targets.append(mapping.PLAN_TARGETS.load(row, personal={}))
            if row.personal_user_id is not None:
                targets[-1].personal[row.personal_user_id] = row.personal_target
        return found

    def _load(self, stmt: Select[Any], params: dict[str, Any] | None = None) -> list[Plan]:
        rows = self._conn.execute(stmt, params).all()
        targets = self._targets([row.id for row in rows])
        return [mapping.PLANS.load(row, targets=targets[row.id]) for row in rows]

    def get(self, plan_id: int) -> Plan | None:
        plans = self._load(select(t.plans).where(t.plans.c.id == plan_id))
        return plans[0] if plans else None

    def save(self, plan: Plan) -> None:
        if plan.id is None:
            raise LookupError("save() needs a plan with an id; use add()")
        result = self._conn.execute(
            update(t.plans)
            .where(t.plans.c.id == plan.id)
            .values(**mapping.PLANS.values(plan))
        )
        if result.rowcount == 0:
            raise LookupError(f"no plan {plan.id}")
        self._conn.execute(delete(t.plan_targets).where(t.plan_targets.c.plan_id == plan.id))
        self._conn.execute(
            delete(t.member_targets).where(t.member_targets.c.plan_id == plan.id))
        self._insert_targets(plan.id, plan.targets)

    def current(self, team_id: int, day: date) -> Plan | None:
        """The newest plan (by creation time, then id) whose period contains ``day``."""
        plans = self._load(_current_plan(), {"team_id": team_id, "day": day})
        return plans[0] if plans else None

    def current_for_teams(self, team_ids: Iterable[int], day: date) -> dict[int, Plan]:
        ids = _ids(team_ids)
        if not ids:
            return {}
        p = t.plans.c
        plans = self._load(
            select(t.plans)
            .where(p.team_id.in_(ids), p.period_start <= day, p.period_end >= day)
            .order_by(p.team_id, p.created_at.desc(), p.id.desc())
        )
        found: dict[int, Plan] = {}
        for plan in plans:  # the newest of each team comes first
            found.setdefault(plan.team_id, plan)
        return found

    def of_team(self, team_id: int) -> Sequence[Plan]:
        """All the team's plans, by period start then id."""
        p = t.plans.c
        return self._load(
            select(t.plans).where(p.team_id == team_id).order_by(p.period_start, p.id)
        )


# --- KPI assignments -------------------------------------------------------------------------


class SqlAssignmentRepository(_Repository):
    """Which KPIs each person tracks, in display order."""

    def for_user(self, user_id: int) -> Sequence[KpiAssignment]:
        """By team id, then position."""
        rows = self._conn.execute(
            _lookup(t.kpi_assignments, ("user_id",), ("team_id", "position")),
            {"user_id": user_id},
        )
        return [mapping.ASSIGNMENTS.load(row) for row in rows]

    def for_team(self, team_id: int) -> Sequence[KpiAssignment]:
        """By person id, then position."""
        rows = self._conn.execute(
            _lookup(t.kpi_assignments, ("team_id",), ("user_id", "position")),
            {"team_id": team_id},
        )
        return [mapping.ASSIGNMENTS.load(row) for row in rows]

    def for_teams(self, team_ids: Iterable[int]) -> Sequence[KpiAssignment]:
        ids = _ids(team_ids)
        if not ids:
            return []
        a = t.kpi_assignments.c
        rows = self._conn.execute(
            select(t.kpi_assignments).where(a.team_id.in_(ids))
            .order_by(a.team_id, a.user_id, a.position))
        return mapping.ASSIGNMENTS.load_all(rows)

    def replace(self, user_id: int, team_id: int, kpi_ids: Sequence[str]) -> None:
        """Make ``kpi_ids`` the set, in order (duplicates keep their first position).

        Upserts rather than delete-and-insert, so two concurrent edits cannot collide on the
        unique key: the later one waits and wins.
        """
        wanted = list(dict.fromkeys(kpi_ids))
        a = t.kpi_assignments.c
        stale = delete(t.kpi_assignments).where(a.user_id == user_id, a.team_id == team_id)
        if wanted:
            stale = stale.where(a.kpi_id.not_in(wanted))
        self._conn.execute(stale)
        if not wanted:
            return
        stmt = _dialect_insert(self._dialect, t.kpi_assignments)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "team_id", "kpi_id"],
            set_={"position": stmt.excluded.position},
        )
        self._conn.execute(
            stmt,
            [
                {"user_id": user_id, "team_id": team_id, "kpi_id": kpi_id, "position": position}
                for position, kpi_id in enumerate(wanted)
            ],
        )


# --- entries ---------------------------------------------------------------------------------


@cache
def _record_statements(dialect: str) -> tuple[Insert, Insert]:
    """The upsert of the current row and the insert of its revision, built once per dialect.

    The upsert bumps ``version`` atomically in the database, so two writers racing on the same
    (person, KPI, day) end with versions 1 and 2 (PostgreSQL makes the second wait for the
    first's row lock; SQLite writers are serialised by ``BEGIN IMMEDIATE``).
    """
    e = t.entries
    upsert = _dialect_insert(dialect, e).values(
        user_id=bindparam("user_id"),
        kpi_id=bindparam("kpi_id"),
        day=bindparam("day"),
        value=bindparam("value"),
        version=1,
        entered_by=bindparam("entered_by"),
        entered_at=bindparam("entered_at"),
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["user_id", "kpi_id", "day"],
        set_={
            "value": upsert.excluded.value,
            "version": e.c.version + 1,
            "entered_by": upsert.excluded.entered_by,
            "entered_at": upsert.excluded.entered_at,
        },
    ).returning(e.c.id, e.c.version)
    revision = insert(t.entry_revisions).values(
        entry_id=bindparam("entry_id"),
        version=bindparam("version"),
        value=bindparam("value"),
        entered_by=bindparam("entered_by"),
        entered_at=bindparam("entered_at"),
    )
    return upsert, revision


class SqlEntryRepository(_Repository):
    """Daily values with their full history."""

    def record(
        self,
        user_id: int,
        kpi_id: str,
        day: date,
        value: Decimal | None,
        entered_by: int | None,
        at: datetime,
    ) -> Entry:
        conn = self._conn
        upsert, revision = _record_statements(conn.dialect.name)
        params = {
            "user_id": user_id,
            "kpi_id": kpi_id,
            "day": day,
            "value": value,
            "entered_by": entered_by,
            "entered_at": at,
        }
        entry_id, version = conn.execute(upsert, params).one()
        params["entry_id"] = entry_id
        params["version"] = version
        conn.execute(revision, params)
        return Entry(
            user_id=user_id,
            kpi_id=kpi_id,
            day=day,
            value=value,
            version=version,
            entered_by=entered_by,
            entered_at=at,
            id=entry_id,
        )

    def get(self, user_id: int, kpi_id: str, day: date) -> Entry | None:
        """The current row, also when removed (``value`` None)."""
        row = self._conn.execute(
            _lookup(t.entries, ("user_id", "kpi_id", "day")),
            {"user_id": user_id, "kpi_id": kpi_id, "day": day},
        ).first()
        return mapping.ENTRIES.load(row) if row else None

    def history(self, user_id: int, kpi_id: str, day: date) -> Sequence[EntryRevision]:
        """Every version, oldest first."""
        e, r = t.entries.c, t.entry_revisions.c
        rows = self._conn.execute(
            select(t.entry_revisions)
            .join(t.entries, r.entry_id == e.id)
            .where(e.user_id == user_id, e.kpi_id == kpi_id, e.day == day)
            .order_by(r.version)
        )
        return mapping.REVISIONS.load_all(rows)

    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[Entry]:
        """By day, person, KPI."""
        ids = _ids(user_ids)
        if not ids:
            return []
        rows = self._conn.execute(_in_range_statement("entries"),
                                  {"ids": ids, "start": start, "end": end})
        return mapping.ENTRIES.load_all(rows)

    def logged_users_on(self, user_ids: Iterable[int], day: date) -> set[int]:
        ids = _ids(user_ids)
        if not ids:
            return set()
        e = t.entries.c
        rows = self._conn.execute(
            select(e.user_id)
            .distinct()
            .where(e.day == day, e.user_id.in_(ids), e.value.is_not(None))
        )
        return set(rows.scalars())

    def totals(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> dict[tuple[int, str], Decimal]:
        """Sums in the database. PostgreSQL sums NUMERIC exactly; SQLite keeps values as text
        (its NUMERIC goes through a float), so there each value is summed as the integer of its
        digits, grouped by its number of decimal places, and scaled back here."""
        ids = _ids(user_ids)
        if not ids or end < start:
            return {}
        e = t.entries.c
        where = (e.user_id.in_(ids), e.day >= start, e.day <= end, e.value.is_not(None))
        found: dict[tuple[int, str], Decimal] = {}
        if self._dialect == "postgresql":
            sums = self._conn.execute(
                select(e.user_id, e.kpi_id, func.sum(e.value)).where(*where)
                .group_by(e.user_id, e.kpi_id)
            )
            for user_id, kpi_id, total in sums:
                found[(user_id, kpi_id)] = Decimal(total)
            return found
        text = type_coerce(e.value, Text)
        point = func.instr(text, ".")
        scale = case((point > 0, func.length(text) - point), else_=0)
        digits = cast(func.replace(text, ".", ""), Integer)
        try:
            with self._conn.begin_nested():
                rows = self._conn.execute(
                    select(e.user_id, e.kpi_id, scale, func.sum(digits)).where(*where)
                    .group_by(e.user_id, e.kpi_id, scale)
                ).all()
        except OperationalError:  # "integer overflow": sums beyond 64 bits, add them up here
            for entry in self.in_range(ids, start, end):
                key = (entry.user_id, entry.kpi_id)
                found[key] = found.get(key, Decimal(0)) + (entry.value or Decimal(0))
            return found
        for user_id, kpi_id, places, total in rows:
            key = (user_id, kpi_id)
            found[key] = found.get(key, Decimal(0)) + Decimal(int(total)).scaleb(-int(places))
        return found

    def reassign(
        self, from_user_id: int, to_user_id: int, start: date | None, end: date | None
    ) -> int:
        """Move the rows (their history follows: revisions point at the entry's id)."""
        e = t.entries.c
        stmt = update(t.entries).where(e.user_id == from_user_id)
        if start is not None:
            stmt = stmt.where(e.day >= start)
        if end is not None:
            stmt = stmt.where(e.day <= end)
        return int(self._conn.execute(stmt.values(user_id=to_user_id)).rowcount)

    def in_range_of(
        self, user_ids: Iterable[int], kpi_ids: Iterable[str], start: date, end: date
    ) -> Sequence[Entry]:
        ids, kpis = _ids(user_ids), sorted(set(kpi_ids))
        if not ids or not kpis:
            return []
        e = t.entries.c
        rows = self._conn.execute(
            select(t.entries)
            .where(e.user_id.in_(ids), e.kpi_id.in_(kpis), e.day >= start, e.day <= end,
                   e.value.is_not(None))
            .order_by(e.day, e.user_id, e.kpi_id)
        )
        return [mapping.ENTRIES.load(row) for row in rows]

    def versions_in_range(
        self, user_ids: Iterable[int], start: date, end: date
    ) -> Sequence[tuple[Entry, EntryRevision]]:
        """Two set-based reads (the entries, then their revisions through a join on the same
        condition), so that a big export never builds an ``IN`` list of entry ids."""
        ids = _ids(user_ids)
        if not ids or end < start:
            return []
        e, r = t.entries.c, t.entry_revisions.c
        where = (e.user_id.in_(ids), e.day >= start, e.day <= end)
        entries = {entry.id: entry for entry in mapping.ENTRIES.load_all(
            self._conn.execute(select(t.entries).where(*where)))}
        rows = self._conn.execute(
            select(t.entry_revisions).join(t.entries, r.entry_id == e.id).where(*where)
            .order_by(e.day, e.user_id, e.kpi_id, r.version)
        )
        return [(entries[revision.entry_id], revision)
                for revision in mapping.REVISIONS.load_all(rows)]

    def logged_days(self, user_ids: Iterable[int], end: date, days: int) -> dict[int, int]:
        ids = _ids(user_ids)
        if not ids or days <= 0:
            return {}
        if days > 63:
            raise ValueError("at most 63 days fit the mask")
        e = t.entries.c
        if self._dialect == "postgresql":
            offset = cast(literal(end, Date) - e.day, Integer)
            bits = func.bit_or(literal(1, BigInteger).op("<<")(offset))
        else:
            offset = cast(func.julianday(literal(end, Date)) - func.julianday(e.day), Integer)
            bits = func.sum(literal(1, Integer).op("<<")(offset).distinct())
        rows = self._conn.execute(
            select(e.user_id, bits)
            .where(e.user_id.in_(ids), e.day > end - timedelta(days=days), e.day <= end,
                   e.value.is_not(None))
            .group_by(e.user_id)
        )
        return {user_id: int(mask) for user_id, mask in rows if mask}


# --- days off --------------------------------------------------------------------------------


class SqlDayOffRepository(_Repository):
    """Personal days off, one per person and day."""

    def add(self, day_off: DayOff) -> DayOff:
        """Insert, or change the kind of an existing day off (idempotent)."""
        stmt = _dialect_insert(self._dialect, t.days_off).values(**mapping.DAYS_OFF.values(day_off))
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "day"],
            set_={"kind": stmt.excluded.kind, "share": stmt.excluded.share},
        ).returning(t.days_off.c.id)
        day_off.id = self._conn.execute(stmt).scalar_one()
        return day_off

    def remove(self, user_id: int, day: date) -> None:
        d = t.days_off.c
        self._conn.execute(delete(t.days_off).where(d.user_id == user_id, d.day == day))

    def in_range(self, user_ids: Iterable[int], start: date, end: date) -> Sequence[DayOff]:
        """By day, then person."""
        ids = _ids(user_ids)
        if not ids:
            return []
        rows = self._conn.execute(_in_range_statement("days_off"),
                                  {"ids": ids, "start": start, "end": end})
        return mapping.DAYS_OFF.load_all(rows)


# --- profiles --------------------------------------------------------------------------------


class SqlProfileRepository(_Repository):
    """Questionnaire answers after onboarding, one JSON record per person."""

    def get(self, user_id: int) -> UserProfile | None:
        row = self._conn.execute(
            _lookup(t.user_profiles, ("user_id",)), {"user_id": user_id}
        ).first()
        if row is None:
            return None
        return mapping.PROFILES.load(row)

    def save(self, profile: UserProfile) -> None:
        """Insert or replace; ``updated_at`` defaults to the clock's now."""
        profile.updated_at = profile.updated_at or self._clock.now()
        stmt = _dialect_insert(self._dialect, t.user_profiles).values(
            **mapping.PROFILES.values(profile)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"answers": stmt.excluded.answers, "updated_at": stmt.excluded.updated_at},
        )
        self._conn.execute(stmt)


# --- conversation state ----------------------------------------------------------------------


class SqlConversationRepository(_Repository):
    """One state per (chat, person); ``data`` is stored as JSON."""

    def get(self, chat_id: int, user_id: int) -> ConversationState | None:
        row = self._conn.execute(
            _lookup(t.conversation_states, ("chat_id", "user_id")),
            {"chat_id": chat_id, "user_id": user_id},
        ).first()
        if row is None:
            return None
        return mapping.CONVERSATIONS.load(row)

    def save(self, state: ConversationState) -> None:
        """Insert or replace; ``updated_at`` defaults to the clock's now."""
        state.updated_at = state.updated_at or self._clock.now()
        values = mapping.CONVERSATIONS.values(state)
        stmt = _dialect_insert(self._dialect, t.conversation_states).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["chat_id", "user_id"],
            set_={key: stmt.excluded[key] for key in values if key not in ("chat_id", "user_id")},
        )
        self._conn.execute(stmt)

    def clear(self, chat_id: int, user_id: int) -> None:
        c = t.conversation_states.c
        self._conn.execute(
            delete(t.conversation_states).where(c.chat_id == chat_id, c.user_id == user_id)
        )


# --- processed updates -----------------------------------------------------------------------


@cache
def _first_time_statement(dialect: str) -> Insert:
    u = t.processed_updates
    stmt: Insert = (
        _dialect_insert(dialect, u)
        .values(update_id=bindparam("update_id", type_=u.c.update_id.type),
                processed_at=bindparam("processed_at", type_=u.c.processed_at.type))
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(u.c.update_id)
    )
    return stmt


class SqlUpdateLog(_Repository):
    """Telegram update ids already handled."""

    def first_time(self, update_id: int, at: datetime) -> bool:
        """Record the id; a concurrent duplicate waits for the first and then sees it."""
        stmt = _first_time_statement(self._dialect)
        found = self._conn.execute(stmt, {"update_id": update_id, "processed_at": at}).first()
        return found is not None

    def prune(self, before: datetime) -> int:
        """Forget ids processed before ``before``; return how many."""
        result = self._conn.execute(
            delete(t.processed_updates).where(t.processed_updates.c.processed_at < before)
        )
        return result.rowcount


# --- deliveries ------------------------------------------------------------------------------


def _open_delivery(now: datetime, lease_seconds: int) -> Any:
    """Rows a worker may take: pending and due, a retry whose time has come, or a claim
    older than the lease (its worker died). The caller adds the expiry condition."""
    d = t.deliveries.c
    return or_(
        and_(
            d.status == DeliveryStatus.PENDING.value,
            d.due_at <= now,
            or_(d.next_attempt_at.is_(None), d.next_attempt_at <= now),
        ),
        and_(
            d.status == DeliveryStatus.FAILED.value,
            d.next_attempt_at.is_not(None),
            d.next_attempt_at <= now,
        ),
        and_(
            d.status == DeliveryStatus.CLAIMED.value,
            d.claimed_at <= now - timedelta(seconds=lease_seconds),
        ),
    )


def _earlier_unfinished(now: datetime) -> Any:
    """An earlier row of the same chat is still to be sent (a retry, a claim): wait for it, so
    a chat's messages keep their planned order."""
    d = t.deliveries.c
    e = t.deliveries.alias("earlier").c
    return (
        select(e.id)
        .where(
            e.chat_id == d.chat_id,
            e.expires_at > now,
            or_(
                e.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
                and_(e.status == DeliveryStatus.FAILED.value, e.next_attempt_at.is_not(None)),
            ),
            or_(e.due_at < d.due_at, and_(e.due_at == d.due_at, e.id < d.id)),
        )
        .exists()
    )


class SqlDeliveryRepository(_Repository):
    """The outbox of scheduled messages.

    Life cycle: ``plan`` inserts PENDING rows; ``claim_due`` moves due rows to CLAIMED (and
    rows past ``expires_at`` to EXPIRED); the worker then calls ``finish`` with SENT, SKIPPED,
    EXPIRED, FAILED (final), or PENDING / FAILED with ``next_attempt_at`` to retry later.
    """

    def plan(self, deliveries: Iterable[Delivery]) -> int:
        rows = [mapping.DELIVERIES.values(d) for d in deliveries]
        if not rows:
            return 0
        stmt = _dialect_insert(self._dialect, t.deliveries).on_conflict_do_nothing(
            index_elements=["chat_id", "kind", "local_date"]
        )
        if self._dialect == "sqlite":
            # One executemany; SQLite counts the rows it inserted (ignored ones do not count).
            return int(self._conn.execute(stmt, rows).rowcount)
        return len(self._conn.execute(stmt.returning(t.deliveries.c.id), rows).all())

    def claim_due(
        self, now: datetime, limit: int, worker: str, lease_seconds: int
    ) -> Sequence[Delivery]:
        """Claim up to ``limit`` due rows, oldest due first; expire the overdue ones.

        PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint
        rows without waiting for each other. SQLite: the unit of work holds the write lock
        (``BEGIN IMMEDIATE``), so the select and the update are one atomic step.
        """
        if limit <= 0:
            return []
        conn = self._conn
        d = t.deliveries.c
        open_rows = _open_delivery(now, lease_seconds)
        overdue = (
            select(d.id).where(open_rows, d.expires_at <= now).with_for_update(skip_locked=True)
        )
        overdue_ids = conn.execute(overdue).scalars().all()
        if overdue_ids:
            conn.execute(
                update(t.deliveries)
                .where(d.id.in_(overdue_ids))
                .values(status=DeliveryStatus.EXPIRED.value)
            )
        due = (
            select(d.id)
            .where(open_rows, d.expires_at > now, ~_earlier_unfinished(now))
            .order_by(d.due_at, d.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = conn.execute(due).scalars().all()
        if not ids:
            return []
        rows = conn.execute(
            update(t.deliveries)
            .where(d.id.in_(ids))
            .values(
                status=DeliveryStatus.CLAIMED.value,
                claimed_by=worker,
                claimed_at=now,
                attempts=d.attempts + 1,
            )
            .returning(*t.deliveries.c)
        ).all()
        claimed = [mapping.DELIVERIES.load(row) for row in rows]
        claimed.sort(key=lambda item: (item.due_at, item.id or 0))
        return claimed

    def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        error: str | None = None,
        telegram_message_id: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Record the outcome. SENT stamps ``sent_at``; ``error`` and ``next_attempt_at`` are
        set as given (None clears them); a message id given is kept."""
        values: dict[str, Any] = {
            "status": DeliveryStatus(status).value,
            "error": error,
            "next_attempt_at": next_attempt_at,
        }
        if status == DeliveryStatus.SENT:
            values["sent_at"] = at
        if telegram_message_id is not None:
            values["telegram_message_id"] = telegram_message_id
        result = self._conn.execute(
            update(t.deliveries).where(t.deliveries.c.id == delivery_id).values(**values)
        )
        if result.rowcount == 0:
            raise LookupError(f"no delivery {delivery_id}")

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._conn.execute(
            select(t.deliveries).where(t.deliveries.c.id == delivery_id)
        ).first()
        return mapping.DELIVERIES.load(row) if row else None

    def for_chat(self, chat_id: int) -> Sequence[Delivery]:
        """By local date, kind, id."""
        d = t.deliveries.c
        rows = self._conn.execute(
            select(t.deliveries).where(d.chat_id == chat_id).order_by(d.local_date, d.kind, d.id)
        )
        return [mapping.DELIVERIES.load(row) for row in rows]

    def sent_as(self, chat_id: int, telegram_message_id: int) -> Delivery | None:
        d = t.deliveries.c
        row = self._conn.execute(
            select(t.deliveries)
            .where(d.chat_id == chat_id, d.telegram_message_id == telegram_message_id)
            .order_by(d.id.desc())
            .limit(1)
        ).first()
        return mapping.DELIVERIES.load(row) if row else None

    def pending(self, since: date, chat_ids: Iterable[int] | None = None) -> Sequence[Delivery]:
        """PENDING rows from ``since`` on (only these chats if given), by id."""
        d = t.deliveries.c
        stmt = select(t.deliveries).where(
            d.status == DeliveryStatus.PENDING.value, d.local_date >= since
        )
        if chat_ids is not None:
            ids = _ids(chat_ids)
            if not ids:
                return []
            stmt = stmt.where(d.chat_id.in_(ids))
        return [mapping.DELIVERIES.load(row) for row in self._conn.execute(stmt.order_by(d.id))]

    def _back_to_pending(
        self,
        delivery_id: int,
        from_statuses: Sequence[DeliveryStatus],
        due_at: datetime,
        expires_at: datetime,
        note: str | None,
    ) -> bool:
        d = t.deliveries.c
        result = self._conn.execute(
            update(t.deliveries)
            .where(d.id == delivery_id, d.status.in_([s.value for s in from_statuses]))
            .values(
                status=DeliveryStatus.PENDING.value,
                due_at=due_at,
                expires_at=expires_at,
                next_attempt_at=None,
                claimed_by=None,
                claimed_at=None,
                error=note,
            )
        )
        return bool(result.rowcount)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        d = t.deliveries.c
        unfinished = or_(
            d.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
            and_(d.status == DeliveryStatus.FAILED.value, d.next_attempt_at.is_not(None)),
        )
        taken = {(row.kind, row.local_date) for row in self._conn.execute(
            select(d.kind, d.local_date).where(d.chat_id == new_chat_id))}
        moved = 0
        rows = self._conn.execute(
            select(d.id, d.kind, d.local_date).where(d.chat_id == old_chat_id, unfinished)
        ).all()
        for row in rows:
            if (row.kind, row.local_date) in taken:
                continue
            self._conn.execute(
                update(t.deliveries).where(d.id == row.id).values(chat_id=new_chat_id))
            moved += 1
        return moved

    def reschedule(self, delivery_id: int, due_at: datetime, expires_at: datetime) -> bool:
        """Move a PENDING or CLAIMED row to a new window (settings changed)."""
        statuses = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)
        return self._back_to_pending(delivery_id, statuses, due_at, expires_at, None)

    def requeue(
        self, delivery_id: int, due_at: datetime, expires_at: datetime, note: str | None = None
    ) -> bool:
        """Send a SENT row again at a new window (snooze); ``note`` goes to ``error``."""
        statuses = (DeliveryStatus.SENT,)
        return self._back_to_pending(delivery_id, statuses, due_at, expires_at, note)


__all__ = [
    "SqlAssignmentRepository",
    "SqlConversationRepository",
    "SqlDayOffRepository",
    "SqlDeliveryRepository",
    "SqlEntryRepository",
    "SqlPlanRepository",
    "SqlProfileRepository",
    "SqlTeamRepository",
    "SqlUpdateLog",
    "SqlUserRepository",
    "choose_successor",
]
