"""One mapping between table rows and the domain's dataclasses.

A column and a dataclass field with the same name carry the same value; the few fields that
are stored differently (a weekday set as text, an enum as its value) declare a :class:`Codec`
once, in :data:`MAPPERS` below. Every repository reads rows with :meth:`Mapper.load` and
writes them with :meth:`Mapper.values`, so adding a column to a table and a field to its model
is all it takes for it to be stored and read back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Table

from bot.storage import tables as t
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
    PlanTarget,
    Team,
    TeamRole,
    User,
    UserProfile,
)

__all__ = [
    "ASSIGNMENTS",
    "CHATS",
    "CONVERSATIONS",
    "DAYS_OFF",
    "DELIVERIES",
    "ENTRIES",
    "MEMBERSHIPS",
    "PLANS",
    "PLAN_TARGETS",
    "PROFILES",
    "REVISIONS",
    "TEAMS",
    "USERS",
    "Codec",
    "Mapper",
]

M = TypeVar("M")
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class Codec:
    """How one field is stored: ``to_db`` for writing, ``from_db`` for reading."""

    to_db: Callable[[Any], Any]
    from_db: Callable[[Any], Any]


def enum_codec(kind: type[E]) -> Codec:
    """An enum stored as its value (accepts the member or its value when writing)."""
    return Codec(lambda value: kind(value).value, kind)


def _weekdays_to_text(days: Iterable[int]) -> str:
    return ",".join(str(day) for day in sorted(set(days)))


def _weekdays_from_text(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part)


WEEKDAYS = Codec(_weekdays_to_text, _weekdays_from_text)
"""A set of weekdays (0 = Monday) stored as ``"0,1,2,3,4"``."""


class Mapper(Generic[M]):
    """Rows of ``table`` to ``model`` instances and back, by matching names.

    Args:
        model: The dataclass.
        table: Its table; fields without a column of the same name (a plan's ``targets``)
            are left to the repository, passed to :meth:`load` as ``extra``.
        codecs: Conversions for fields not stored as they are.
        generated: Fields the database fills in (``id``; ``created_at`` set on insert):
            read, never written by :meth:`values`.
    """

    def __init__(
        self,
        model: type[M],
        table: Table,
        codecs: Mapping[str, Codec] | None = None,
        generated: Collection[str] = ("id",),
    ) -> None:
        codecs = codecs or {}
        dataclass_fields = fields(model)  # type: ignore[arg-type]  # M is always a dataclass
        names = [f.name for f in dataclass_fields if f.name in table.c]
        self.model = model
        self.table = table
        self._read = tuple((name, codecs.get(name)) for name in names)
        self._write = tuple((name, codecs.get(name)) for name in names if name not in generated)

    def load(self, row: Row[Any], **extra: Any) -> M:
        """The model for ``row`` (a row with the table's columns, by name)."""
        mapping = row._mapping
        values = {
            name: mapping[name] if codec is None else codec.from_db(mapping[name])
            for name, codec in self._read
        }
        return self.model(**values, **extra)

    def load_all(self, rows: Iterable[Row[Any]]) -> list[M]:
        """:meth:`load` for each row, in order."""
        return [self.load(row) for row in rows]

    def values(self, obj: M) -> dict[str, Any]:
        """The column values to write for ``obj`` (generated columns left out)."""
        return {
            name: getattr(obj, name) if codec is None else codec.to_db(getattr(obj, name))
            for name, codec in self._write
        }


USERS = Mapper(User, t.users, {"working_weekdays": WEEKDAYS}, generated=("id", "created_at"))
TEAMS = Mapper(Team, t.teams, generated=("id", "created_at"))
MEMBERSHIPS = Mapper(Membership, t.memberships, {"role": enum_codec(TeamRole)})
CHATS = Mapper(GroupChat, t.group_chats)
PLANS = Mapper(Plan, t.plans, generated=("id", "created_at"))
PLAN_TARGETS = Mapper(PlanTarget, t.plan_targets)
ASSIGNMENTS = Mapper(KpiAssignment, t.kpi_assignments)
ENTRIES = Mapper(Entry, t.entries)
REVISIONS = Mapper(EntryRevision, t.entry_revisions)
DAYS_OFF = Mapper(
    DayOff, t.days_off, {"kind": enum_codec(DayOffKind), "share": enum_codec(DayOffShare)}
)
PROFILES = Mapper(UserProfile, t.user_profiles)
CONVERSATIONS = Mapper(ConversationState, t.conversation_states)
DELIVERIES = Mapper(
    Delivery,
    t.deliveries,
    {"kind": enum_codec(DeliveryKind), "status": enum_codec(DeliveryStatus)},
)
