"""The database schema as SQLModel tables (the domain dataclasses stay in ``kpi_core.model``).

Conventions:

* Surrogate ids are ``BIGINT`` on PostgreSQL and ``INTEGER PRIMARY KEY`` (the rowid) on SQLite.
* Telegram ids (users, chats, messages, updates) are ``BIGINT``: they exceed 32 bits.
* Every ``user_id`` is the internal ``users.id``, never a Telegram id. Erasing a user cascades
  to everything about them; rows that merely mention them as an author (``entered_by``,
  ``created_by``) keep the row and forget the author (``SET NULL``). The figures they reported
  for a team are first moved to an anonymous stand-in user (``users.anonymous``), a former
  member of that team, deleted with the team.
* Quantities and money are :class:`~bot.storage.types.ExactDecimal`, instants are
  :class:`~bot.storage.types.UTCDateTime`, local days are ``DATE``.
* Enumerations are stored as their string values; the domain enums validate them on load.

The repositories work on ``Table`` objects (SQLAlchemy Core) for speed; these classes are the
single source of the schema for Alembic autogenerate.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.storage.types import ExactDecimal, UTCDateTime

# Stable constraint names: Alembic batch mode on SQLite and downgrades need them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = BigInteger().with_variant(Integer(), "sqlite")
"""Surrogate key type: BIGINT on PostgreSQL, the rowid alias on SQLite (autoincrement)."""


class UserRow(SQLModel, table=True):
    """A person who talks to the bot, or the anonymous stand-in of someone erased."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    # NULL only for a stand-in (unique allows any number of NULLs on both databases).
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    language: str = Field(sa_type=String(16))
    timezone: str = Field(sa_type=String(64))
    country: str = Field(sa_type=String(8))
    # Comma-separated ``date.weekday()`` numbers, e.g. "0,1,2,3,4" (readable in SQL).
    working_weekdays: str = Field(sa_type=String(20))
    digest_time: time | None = Field(default=None, sa_type=Time)
    reminder_time: time | None = Field(default=None, sa_type=Time)
    display_name: str = Field(default="", sa_type=String(256))
    # The morning digest carries the progress chart (a setting, off by default).
    digest_chart: bool = Field(default=False, sa_type=Boolean)
    # False once the person blocked the bot or was deactivated: no more scheduled messages.
    active: bool = Field(default=True, sa_type=Boolean)
    onboarded: bool = Field(default=False, sa_type=Boolean)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # A stand-in keeping an erased person's figures in one team's totals (see
    # ``kpi_core.model.User.anonymous``): no Telegram id, no name, never active.
    anonymous: bool = Field(default=False, sa_type=Boolean)


class TeamRow(SQLModel, table=True):
    """A group of people working to one plan."""

    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    name: str = Field(sa_type=String(256))
    # RESTRICT-like (no action): erasing the owner first hands the team over or deletes it.
    owner_user_id: int = Field(foreign_key="users.id", sa_type=ID, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # The head count the plan is split over; NULL: unknown (split over the actual members).
    planned_size: int | None = Field(default=None, sa_type=Integer)
    # The secret of the invite link; NULL until the first link is made.
    invite_code: str | None = Field(default=None, sa_type=String(32), unique=True)
    # When the link stops working; NULL: never (links made before 0003).
    invite_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # People who may still join with it (1: a single-use link); NULL: any number.
    invite_uses_left: int | None = Field(default=None, sa_type=Integer)


class MembershipRow(SQLModel, table=True):
    """A person in a team, with a role and an exact weight."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    team_id: int = Field(foreign_key="teams.id", ondelete="CASCADE", sa_type=ID)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID, index=True)
    role: str = Field(sa_type=String(16))
    weight: Decimal = Field(sa_type=ExactDecimal)
    joined_on: date | None = Field(default=None, sa_type=Date)
    left_on: date | None = Field(default=None, sa_type=Date)


class GroupChatRow(SQLModel, table=True):
    """A Telegram group linked to a team."""

    __tablename__ = "group_chats"

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    chat_id: int = Field(sa_type=BigInteger, unique=True)
    team_id: int = Field(foreign_key="teams.id", ondelete="CASCADE", sa_type=ID, index=True)
    title: str = Field(default="", sa_type=String(256))
    language: str = Field(sa_type=String(16))
    active: bool = Field(default=True, sa_type=Boolean)
    # The team digest's options: a ranked leaderboard with streaks; who has not reported
    # ("named", "counted" or "hidden").
    leaderboard: bool = Field(default=False, sa_type=Boolean)
    missing: str = Field(default="named", sa_type=String(16))


class PlanRow(SQLModel, table=True):
    """A team's plan for an inclusive period."""

    __tablename__ = "plans"
    __table_args__ = (Index(None, "team_id", "period_start", "period_end"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    team_id: int = Field(foreign_key="teams.id", ondelete="CASCADE", sa_type=ID)
    period_start: date = Field(sa_type=Date)
    period_end: date = Field(sa_type=Date)
    currency: str = Field(sa_type=String(3))
    created_by: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", sa_type=ID, index=True
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class PlanTargetRow(SQLModel, table=True):
    """The period target for one KPI of a plan."""

    __tablename__ = "plan_targets"

    plan_id: int = Field(foreign_key="plans.id", ondelete="CASCADE", sa_type=ID, primary_key=True)
    kpi_id: str = Field(sa_type=String(64), primary_key=True)
    position: int = Field(default=0, sa_type=Integer)
    target: Decimal = Field(sa_type=ExactDecimal)
    baseline: Decimal | None = Field(default=None, sa_type=ExactDecimal)


class MemberTargetRow(SQLModel, table=True):
    """An individual target: one person's part of a plan's KPI target, set by the owner."""

    __tablename__ = "member_targets"

    plan_id: int = Field(foreign_key="plans.id", ondelete="CASCADE", sa_type=ID, primary_key=True)
    kpi_id: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID, primary_key=True)
    target: Decimal = Field(sa_type=ExactDecimal)


class KpiAssignmentRow(SQLModel, table=True):
    """A KPI a person tracks in a team, in display order."""

    __tablename__ = "kpi_assignments"
    __table_args__ = (UniqueConstraint("user_id", "team_id", "kpi_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID)
    team_id: int = Field(foreign_key="teams.id", ondelete="CASCADE", sa_type=ID, index=True)
    kpi_id: str = Field(sa_type=String(64))
    position: int = Field(default=0, sa_type=Integer)


class EntryRow(SQLModel, table=True):
    """The current value of (person, KPI, local day); ``value`` NULL means removed."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("user_id", "kpi_id", "day"),
        # The daily/morning queries: a person's days in a range, and who logged on a day.
        Index(None, "user_id", "day"),
        Index(None, "day", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID)
    kpi_id: str = Field(sa_type=String(64))
    day: date = Field(sa_type=Date)
    value: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    version: int = Field(default=1, sa_type=Integer)
    entered_by: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", sa_type=ID, index=True
    )
    entered_at: datetime = Field(sa_type=UTCDateTime)


class EntryRevisionRow(SQLModel, table=True):
    """One version of an entry, kept forever."""

    __tablename__ = "entry_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE", sa_type=ID)
    version: int = Field(sa_type=Integer)
    value: Decimal | None = Field(default=None, sa_type=ExactDecimal)
    entered_by: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", sa_type=ID, index=True
    )
    entered_at: datetime = Field(sa_type=UTCDateTime)


class DayOffRow(SQLModel, table=True):
    """A personal day off."""

    __tablename__ = "days_off"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", sa_type=ID)
    day: date = Field(sa_type=Date)
    kind: str = Field(sa_type=String(16))
    share: str = Field(default="team", sa_type=String(16))


class UserProfileRow(SQLModel, table=True):
    """A person's questionnaire answers after onboarding (erased with them)."""

    __tablename__ = "user_profiles"

    user_id: int = Field(
        foreign_key="users.id",
        ondelete="CASCADE",
        sa_type=ID,
        primary_key=True,
        sa_column_kwargs={"autoincrement": False},
    )
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ConversationStateRow(SQLModel, table=True):
    """Where a person is in a conversation in a chat (survives restarts)."""

    __tablename__ = "conversation_states"

    chat_id: int = Field(sa_type=BigInteger, primary_key=True)
    user_id: int = Field(
        foreign_key="users.id", ondelete="CASCADE", sa_type=ID, primary_key=True, index=True
    )
    flow: str = Field(sa_type=String(64))
    step: str = Field(sa_type=String(64))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    token: str = Field(default="", sa_type=String(64))
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ProcessedUpdateRow(SQLModel, table=True):
    """A Telegram update id already handled (dedup across webhook retries); prunable."""

    __tablename__ = "processed_updates"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = Field(sa_type=UTCDateTime, index=True)


class DeliveryRow(SQLModel, table=True):
    """One scheduled message, unique per (chat, kind, local date)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "local_date"),
        # Claiming: pending rows by due time, retries by next attempt, stale claims by age.
        Index(None, "status", "due_at"),
        Index(None, "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    kind: str = Field(sa_type=String(16))
    chat_id: int = Field(sa_type=BigInteger)
    user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="CASCADE", sa_type=ID, index=True
    )
    team_id: int | None = Field(
        default=None, foreign_key="teams.id", ondelete="CASCADE", sa_type=ID, index=True
    )
    local_date: date = Field(sa_type=Date)
    due_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(sa_type=String(16))
    attempts: int = Field(default=0, sa_type=Integer)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, sa_type=String(128))
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)


def table_of(model: type[SQLModel]) -> Table:
    """Return the Core ``Table`` behind a table class."""
    # SQLModel sets __table__ on table classes at class creation; its stubs do not declare it.
    return cast(Table, model.__table__)  # type: ignore[attr-defined]  # set by SQLModel


users = table_of(UserRow)
teams = table_of(TeamRow)
memberships = table_of(MembershipRow)
group_chats = table_of(GroupChatRow)
plans = table_of(PlanRow)
plan_targets = table_of(PlanTargetRow)
member_targets = table_of(MemberTargetRow)
kpi_assignments = table_of(KpiAssignmentRow)
entries = table_of(EntryRow)
entry_revisions = table_of(EntryRevisionRow)
days_off = table_of(DayOffRow)
user_profiles = table_of(UserProfileRow)
conversation_states = table_of(ConversationStateRow)
processed_updates = table_of(ProcessedUpdateRow)
deliveries = table_of(DeliveryRow)

metadata = SQLModel.metadata
"""The metadata Alembic compares against (``SQLModel.metadata``)."""
