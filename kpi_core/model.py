"""Domain entities shared by the use cases, the storage adapters and the fakes.

Plain dataclasses: the storage layer maps them to tables, the fakes keep them in dicts. Money
and quantities are ``Decimal``; instants are timezone-aware UTC ``datetime``; a person's day is
a ``date`` in their own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

DEFAULT_WORKING_WEEKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})
"""Monday..Friday, ``date.weekday()`` numbering."""


class TeamRole(StrEnum):
    """What a member may do in a team."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class DayOffKind(StrEnum):
    """Why a person does not work on a day."""

    VACATION = "vacation"
    SICK = "sick"
    OTHER = "other"


class DayOffShare(StrEnum):
    """Who carries a day off's share of the plan."""

    TEAM = "team"
    """The rest of the team: everyone's daily need rises a little, the plan stays whole."""
    REDUCE = "reduce"
    """Nobody: the team's plan is reduced by the person's share of that day."""


class DeliveryKind(StrEnum):
    """Scheduled message kinds."""

    DIGEST = "digest"
    REMINDER = "reminder"
    WEEKLY_REPORT = "weekly_report"
    """The week before, on the first working day of a week (:mod:`kpi_core.tracking.reports`)."""
    MONTHLY_REPORT = "monthly_report"
    """The month before, on the first working day of a month."""


class DeliveryStatus(StrEnum):
    """Life cycle of a scheduled message."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    SKIPPED = "skipped"


@dataclass
class User:
    """A person who talks to the bot (keyed by Telegram user id).

    Attributes:
        telegram_id: Their Telegram user id; ``None`` only for a stand-in.
        anonymous: A stand-in, not a person: it holds the figures someone who erased
            themselves had reported for a team, so that the team's totals keep them. It has no
            Telegram id, no name and no settings of its own, is never active, and is a former
            member of exactly one team (``left_on`` set): it is never listed, reminded or
            messaged. Deleting the team deletes it.
    """

    telegram_id: int | None
    language: str = "en"
    timezone: str = "Europe/Moscow"
    country: str = "RU"
    working_weekdays: frozenset[int] = DEFAULT_WORKING_WEEKDAYS
    digest_time: time | None = time(9, 0)
    reminder_time: time | None = time(18, 0)
    display_name: str = ""
    digest_chart: bool = False
    active: bool = True
    onboarded: bool = False
    id: int | None = None
    created_at: datetime | None = None
    anonymous: bool = False


@dataclass
class Team:
    """A group of people working to one plan. A solo user gets a team of one.

    Attributes:
        planned_size: How many people the plan is split over (the questionnaire's team size);
            ``None`` when unknown (split over the actual members). People who have not
            joined yet are vacant seats (see :mod:`kpi_core.planning.team`).
        invite_code: The secret of the team's invite link (``/start join_<code>``), URL-safe,
            at most 32 characters; ``None`` until the first link is made (or after it was
            revoked). A new code makes the old link invalid.
        invite_expires_at: When the link stops working (UTC); ``None``: never (links made
            before links expired).
        invite_uses_left: How many more people may join with it (a single-use link: 1);
            ``None``: any number until it expires.
    """

    name: str
    owner_user_id: int
    id: int | None = None
    created_at: datetime | None = None
    planned_size: int | None = None
    invite_code: str | None = None
    invite_expires_at: datetime | None = None
    invite_uses_left: int | None = None


@dataclass
class Membership:
    """A person in a team, with a role and a weight in splitting the plan."""

    team_id: int
    user_id: int
    role: TeamRole = TeamRole.MEMBER
    weight: Decimal = Decimal(1)
    joined_on: date | None = None
    left_on: date | None = None
    id: int | None = None


@dataclass
class GroupChat:
    """A Telegram group linked to a team; it receives the team digest.

    Attributes:
        leaderboard: The digest ranks people (🥇🥈🥉) and shows their streaks (opt-in).
        missing: Who has not reported yet: ``"named"``, ``"counted"`` or ``"hidden"``.
    """

    chat_id: int
    team_id: int
    title: str = ""
    language: str = "en"
    active: bool = True
    id: int | None = None
    leaderboard: bool = False
    missing: str = "named"


@dataclass
class PlanTarget:
    """The period target for one KPI, with last period's actual when known.

    ``personal`` holds the owner's individual targets for the period (user id → amount); the
    rest of ``target`` is shared by everyone else (:mod:`kpi_core.planning.team`).
    """

    kpi_id: str
    target: Decimal
    baseline: Decimal | None = None
    personal: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Plan:
    """A team's plan for a period (inclusive dates), one target per KPI."""

    team_id: int
    period_start: date
    period_end: date
    currency: str = "RUB"
    targets: list[PlanTarget] = field(default_factory=list)
    created_by: int | None = None
    id: int | None = None
    created_at: datetime | None = None

    def target_for(self, kpi_id: str) -> PlanTarget | None:
        """Return the target for ``kpi_id``, if the plan has one."""
        return next((t for t in self.targets if t.kpi_id == kpi_id), None)


@dataclass
class KpiAssignment:
    """A KPI a person tracks, in display order."""

    user_id: int
    team_id: int
    kpi_id: str
    position: int = 0
    id: int | None = None


@dataclass
class Entry:
    """The current value a person logged for a KPI on a local date.

    ``value`` is ``None`` when the entry was removed (undo); the history keeps every version.
    """

    user_id: int
    kpi_id: str
    day: date
    value: Decimal | None
    version: int = 1
    entered_by: int | None = None
    entered_at: datetime | None = None
    id: int | None = None


@dataclass
class EntryRevision:
    """One version of an entry, kept forever: edits never overwrite without a trace."""

    entry_id: int
    version: int
    value: Decimal | None
    entered_by: int | None
    entered_at: datetime


@dataclass
class DayOff:
    """A personal day off (vacation, sick leave), and who carries its share of the plan."""

    user_id: int
    day: date
    kind: DayOffKind = DayOffKind.VACATION
    id: int | None = None
    share: DayOffShare = DayOffShare.TEAM


@dataclass
class UserProfile:
    """A person's questionnaire answers after onboarding (what KPI advice and the plan came
    from); ``answers`` must serialise to JSON. One per person, erased with them."""

    user_id: int
    answers: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass
class ConversationState:
    """Where a person is in a conversation; ``data`` must serialise to JSON.

    ``token`` changes with every step so that a button from an older message can be told apart
    from a current one.
    """

    chat_id: int
    user_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    token: str = ""
    message_id: int | None = None
    updated_at: datetime | None = None


@dataclass
class Delivery:
    """One scheduled message: unique per (chat, kind, local date)."""

    chat_id: int
    kind: DeliveryKind
    local_date: date
    due_at: datetime
    expires_at: datetime
    user_id: int | None = None
    team_id: int | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    error: str | None = None
    telegram_message_id: int | None = None
    id: int | None = None
