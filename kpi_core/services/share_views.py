"""What the owner sees while changing who carries how much of the plan: individual targets
(``/team`` → 🎯) and days off (``/team`` → 🏖). Nothing is saved until ✅; every screen shows
what each person's daily need would become.

Values only (``bot.ui.shares`` draws them); the use cases are in
:mod:`kpi_core.services.team_shares`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kpi_core.messages import Message
from kpi_core.model import DayOffKind, DayOffShare

__all__ = [
    "DayOffPreview",
    "DaysOffLine",
    "DaysOffView",
    "NeedLine",
    "SharePromptView",
    "TargetLine",
    "TargetsShareView",
]


@dataclass(frozen=True, slots=True)
class NeedLine:
    """A person's daily need now, and what it would become with the change on screen."""

    name: str
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One member on the targets screen.

    Attributes:
        membership_id: Their membership (what the ✏️ button names).
        name: Their display name.
        personal: Their individual target (as it would be saved), or ``None``: a share of
            the rest of the plan.
        total: What they carry for the period with the targets on screen.
        need: Their daily need, now and with the targets on screen.
    """

    membership_id: int
    name: str
    personal: Decimal | None
    total: Decimal | None
    need: NeedLine


@dataclass(frozen=True, slots=True)
class TargetsShareView:
    """``/team`` → 🎯: individual targets for one KPI of the plan; nothing saved until ✅.

    Attributes:
        kpi: The KPI.
        currency: The plan's currency.
        plan: The plan's target for the KPI.
        lines: Every current member.
        unassigned: What nobody carries when everyone has an individual target (or ``None``).
        vacant: What nobody carries yet: seats not taken, the days before people joined (or
            ``None``).
        changed: Some target differs from the saved ones.
        more_kpis: The plan has other summed KPIs (a button shows the next one).
    """

    kpi: str
    currency: str
    plan: Decimal
    lines: tuple[TargetLine, ...]
    unassigned: Decimal | None
    vacant: Decimal | None
    changed: bool
    more_kpis: bool


@dataclass(frozen=True, slots=True)
class DaysOffLine:
    """A member and their days off within the plan's period (and after it).

    Attributes:
        membership_id: Their membership.
        name: Their display name.
        ranges: Runs of consecutive days off: first day, last day, kind, share.
    """

    membership_id: int
    name: str
    ranges: tuple[tuple[date, date, DayOffKind, DayOffShare], ...]


@dataclass(frozen=True, slots=True)
class DaysOffView:
    """``/team`` → 🏖: who is away when; a button per member to mark their days off."""

    lines: tuple[DaysOffLine, ...]


@dataclass(frozen=True, slots=True)
class DayOffPreview:
    """Days off for one person, not saved yet, and what they do to everyone's daily need.

    Attributes:
        membership_id: Whose days off.
        name: Their name.
        first: The first day off.
        last: The last day off.
        working: How many of those days they would have worked.
        kind: Vacation, sick leave or other.
        share: Who carries the share of those days.
        kpi: The KPI the daily needs are of (the plan's first summed one), if any.
        currency: The plan's currency.
        needs: Everyone's daily need now and with these days off.
        plan_before: The team's plan for the KPI now (``None``: no plan).
        plan_after: The team's plan with these days off (lower when they reduce it).
        may_reduce: The viewer may have days off reduce the plan (the owner).
    """

    membership_id: int
    name: str
    first: date
    last: date
    working: int
    kind: DayOffKind
    share: DayOffShare
    kpi: str | None
    currency: str
    needs: tuple[NeedLine, ...]
    plan_before: Decimal | None
    plan_after: Decimal | None
    may_reduce: bool


@dataclass(frozen=True, slots=True)
class SharePromptView:
    """A question waiting for typed text, with a way back (``back`` is the action)."""

    message: Message
    back: str
