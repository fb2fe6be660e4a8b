"""Teams of more than one person: invite codes, joining, the roster and per-person quotas.

Building blocks over the unit of work, shared by the join flow in
:mod:`kpi_core.services.onboarding` and the ``/team`` command in :mod:`kpi_core.services.team`.
Nothing here formats text; the views are values the adapters draw.

A person is in at most one team at a time (their *current* membership has no ``left_on``).
Joining another team ends the current membership the day before; entries are the person's,
not the team's, so everything they logged stays with them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from kpi_core.advice.catalog import Aggregation, Unit, get_kpi
from kpi_core.advice.profile import ROLE_CONTROLLER, Role
from kpi_core.advice.recommend import MAX_KPIS
from kpi_core.messages import NN_, Message
from kpi_core.model import DayOffShare, Membership, Plan, Team, TeamRole, User
from kpi_core.planning.calendar import (
    DEFAULT_WORKING_WEEKDAYS,
    Period,
    WeekdayCalendar,
    WorkSchedule,
)
from kpi_core.planning.quotas import (
    COUNT_QUANTUM,
    MONEY_QUANTUM,
    QuotaError,
    TeamQuota,
    round_to_quantum,
)
from kpi_core.planning.team import TargetsExceedPlan, split_over_seats
from kpi_core.ports import CalendarProvider, DuplicateKeyError, UnitOfWork, WorkingCalendar
from kpi_core.services.permissions import TeamAction, allows
from kpi_core.tracking.board import Board
from kpi_core.tracking.reminders import zone

__all__ = [
    "INVITE_PREFIX",
    "MANAGERS",
    "BoardView",
    "ConfirmRemoveView",
    "ConfirmTransferView",
    "MemberLine",
    "MemberSchedule",
    "Notification",
    "TeamView",
    "WeightLine",
    "WeightsView",
    "current_membership",
    "ensure_invite_code",
    "headcount",
    "invite_code_from_payload",
    "invite_works",
    "join_team",
    "managed_team",
    "member_kpis",
    "member_name",
    "member_schedule",
    "new_invite_code",
    "revoke_invite",
    "revoked",
    "roster",
    "team_split",
    "use_invite",
]

INVITE_PREFIX = "join_"
"""The ``/start`` payload of an invite link is ``join_<code>``."""
INVITE_CODE_LENGTH = 16
"""Characters of a new code: 96 random bits, URL-safe (``[A-Za-z0-9_-]``)."""
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ATTEMPTS = 5

MANAGERS = frozenset({TeamRole.OWNER, TeamRole.ADMIN})
"""Roles that may see the invite link, make a new one and remove people."""


def new_invite_code() -> str:
    """A fresh random invite code (16 URL-safe characters)."""
    return secrets.token_urlsafe(INVITE_CODE_LENGTH * 3 // 4)


def invite_code_from_payload(payload: str) -> str | None:
    """The code of a ``/start`` payload ``join_<code>``, or ``None`` when it is not one.

    Telegram allows ``[A-Za-z0-9_-]`` and 64 characters in a deep-link payload; a code is at
    most 32 of them.
    """
    if not payload.startswith(INVITE_PREFIX):
        return None
    code = payload[len(INVITE_PREFIX):]
    return code if _CODE_RE.match(code) else ""


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One person in the team, as ``/team`` lists them.

    Attributes:
        membership_id: The membership (what a Remove button refers to).
        user_id: The person.
        name: Their display name.
        team_role: Owner, admin or member.
        role: Their job (``Role`` value) from their answers, if known.
        joined_on: When they joined.
        removable: The viewer may remove them.
        promotable: The viewer (the owner) may make this member an admin.
        demotable: The viewer (the owner) may make this admin a member again.
        transferable: The viewer (the owner) may hand the team over to them.
    """

    membership_id: int
    user_id: int
    name: str
    team_role: TeamRole
    role: str | None
    joined_on: date | None
    removable: bool
    promotable: bool = False
    demotable: bool = False
    transferable: bool = False


@dataclass(frozen=True, slots=True)
class TeamView:
    """``/team``: who is in the team, how many were planned, and the invite link.

    Attributes:
        name: The team's name.
        owner: The owner's name.
        members: The current members, owner first, then by joining date.
        planned: The planned head count, if known.
        invite_code: The link's code (only for those who manage the team; ``None`` also when
            it was revoked).
        manage: The viewer may make a new link and remove people.
        invite_expires_at: When the link stops working, in the viewer's time zone, if it does.
        single_use: The link lets one more person in, then stops working.
        can_share: The viewer may change how the plan is shared (the weights).
    """

    name: str
    owner: str
    members: tuple[MemberLine, ...]
    planned: int | None
    invite_code: str | None
    manage: bool
    invite_expires_at: datetime | None = None
    single_use: bool = False
    can_share: bool = False


@dataclass(frozen=True, slots=True)
class ConfirmRemoveView:
    """"Remove this person from the team?"."""

    member: MemberLine
    team: str


@dataclass(frozen=True, slots=True)
class BoardView:
    """``/team`` → 📊: the team board as of now.

    Attributes:
        board: The board (only the viewer's own line for a member; see
            :func:`kpi_core.tracking.board.for_member`).
        everyone: The viewer sees everyone's figures (the owner or an admin).
    """

    board: Board
    everyone: bool


@dataclass(frozen=True, slots=True)
class WeightLine:
    """One member on the weights screen: their weight and the daily need it gives them."""

    membership_id: int
    name: str
    weight: Decimal
    daily: Decimal | None


@dataclass(frozen=True, slots=True)
class WeightsView:
    """``/team`` → ⚖: how the plan is shared; nothing is saved until Save.

    Attributes:
        kpi: The plan's KPI the daily needs are of (its first target).
        currency: The plan's currency.
        lines: Everyone in the team, with their weight and daily need.
        vacant: The daily need of one seat nobody has taken yet (``None``: no such seat).
        vacant_seats: How many such seats.
        changed: Some weight differs from the saved one.
        step: How much ➖ and ➕ change a weight.
    """

    kpi: str
    currency: str
    lines: tuple[WeightLine, ...]
    vacant: Decimal | None
    vacant_seats: int
    changed: bool
    step: Decimal = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class ConfirmTransferView:
    """"Hand the team over to Anna?"."""

    member: MemberLine
    team: str


@dataclass(frozen=True, slots=True)
class Notification:
    """A message for someone else's private chat (the owner told that someone joined).

    Attributes:
        chat_id: Their private chat (their Telegram id).
        language: Their language.
        lines: The message, line by line.
    """

    chat_id: int
    language: str
    lines: tuple[Message, ...]


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def current_membership(uow: UnitOfWork, user_id: int) -> Membership | None:
    """The person's membership without a ``left_on`` (the newest, should there be two)."""
    found = [m for m in uow.teams.memberships_of(user_id) if m.left_on is None]
    return found[-1] if found else None


def managed_team(uow: UnitOfWork, user_id: int) -> tuple[Team, Membership] | None:
    """The team the person owns or administers now, with their membership."""
    membership = current_membership(uow, user_id)
    if membership is None or membership.role not in MANAGERS:
        return None
    team = uow.teams.get(membership.team_id)
    return (team, membership) if team is not None else None


def member_name(user: User | None) -> str:
    """How a person is named in the team (their name, else their Telegram id)."""
    return _display_name(user)


def _display_name(user: User | None) -> str:
    if user is None or user.anonymous or user.telegram_id is None:
        return ""
    return user.display_name or str(user.telegram_id)


def roster(
    uow: UnitOfWork, team: Team, viewer: Membership | None
) -> tuple[MemberLine, ...]:
    """The team's current members, owner first, then in the order they joined."""
    assert team.id is not None
    roles = allows(viewer, TeamAction.CHANGE_ROLE, team.id)
    hand_over = allows(viewer, TeamAction.TRANSFER, team.id)
    lines = []
    for m in uow.teams.members(team.id):
        if m.left_on is not None or m.id is None:
            continue
        user = uow.users.get(m.user_id)
        profile = uow.profiles.get(m.user_id)
        role = profile.answers.get("role") if profile else None
        owner = m.user_id == team.owner_user_id
        someone_else = viewer is not None and m.user_id != viewer.user_id and not owner
        removable = someone_else and allows(
            viewer, TeamAction.REMOVE_MEMBER if m.role is TeamRole.MEMBER
            else TeamAction.REMOVE_ADMIN, team.id)
        lines.append(
            MemberLine(m.id, m.user_id, _display_name(user), m.role,
                       str(role) if role else None, m.joined_on, removable,
                       promotable=someone_else and roles and m.role is TeamRole.MEMBER,
                       demotable=someone_else and roles and m.role is TeamRole.ADMIN,
                       transferable=someone_else and hand_over)
        )
    lines.sort(key=lambda line: (line.user_id != team.owner_user_id,
                                 line.joined_on or date.min, line.membership_id))
    return tuple(lines)


def team_view(uow: UnitOfWork, team: Team, viewer: Membership | None) -> TeamView:
    """The ``/team`` screen of ``team`` as ``viewer`` may see it."""
    manage = allows(viewer, TeamAction.SEE_ROSTER, team.id)
    owner = uow.users.get(team.owner_user_id)
    return TeamView(
        name=team.name,
        owner=_display_name(owner),
        members=roster(uow, team, viewer),
        planned=team.planned_size,
        invite_code=team.invite_code if manage else None,
        manage=manage,
        invite_expires_at=_local(uow, viewer, team.invite_expires_at) if manage else None,
        single_use=manage and team.invite_uses_left == 1,
        can_share=allows(viewer, TeamAction.EDIT_PLAN, team.id),
    )


_IN_TEAM_OF = NN_(
    "In the team: {count} of {planned} person", "In the team: {count} of {planned} people"
)
_IN_TEAM = NN_("In the team: {count} person", "In the team: {count} people")


def _local(uow: UnitOfWork, viewer: Membership | None, moment: datetime | None) -> datetime | None:
    """``moment`` on the viewer's clock (their time zone; UTC when it is unknown)."""
    if moment is None or viewer is None:
        return moment
    user = uow.users.get(viewer.user_id)
    try:
        return moment.astimezone(zone(user.timezone if user else "UTC"))
    except KeyError:
        return moment


def headcount(joined: int, planned: int | None) -> Message:
    """"In the team: 3 of 10 people" (or "4 people" when more joined than were planned)."""
    if planned is not None and joined <= planned:
        singular, plural = _IN_TEAM_OF
        return Message(singular, {"count": joined, "planned": planned}, plural, planned)
    singular, plural = _IN_TEAM
    return Message(singular, {"count": joined}, plural, joined)


def joined_count(uow: UnitOfWork, team_id: int) -> int:
    """How many people are in the team now."""
    return sum(1 for m in uow.teams.members(team_id) if m.left_on is None)


# ---------------------------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------------------------


INVITE_DAYS = 7
"""How long a new invite link works."""


def invite_works(team: Team, now: datetime) -> bool:
    """The team's invite link lets people in at ``now``: it exists, has not expired and has
    uses left."""
    return (team.invite_code is not None
            and (team.invite_expires_at is None or now < team.invite_expires_at)
            and (team.invite_uses_left is None or team.invite_uses_left > 0))


def _with_new_code(
    uow: UnitOfWork, team: Team, make: Callable[[], str], now: datetime, *,
    single_use: bool = False,
) -> str:
    team.invite_expires_at = now + timedelta(days=INVITE_DAYS)
    team.invite_uses_left = 1 if single_use else None
    for _ in range(_ATTEMPTS):
        team.invite_code = make()
        try:
            uow.teams.save(team)
        except DuplicateKeyError:  # 96 random bits: practically never; try another
            continue
        return team.invite_code
    raise RuntimeError("could not find a free invite code")


def ensure_invite_code(
    uow: UnitOfWork, team: Team, make: Callable[[], str], now: datetime
) -> str:
    """The team's working invite code, made (and saved) when it has none, or it has expired
    or been used up."""
    if invite_works(team, now):
        assert team.invite_code is not None
        return team.invite_code
    return _with_new_code(uow, team, make, now)


def regenerate_invite_code(
    uow: UnitOfWork, team: Team, make: Callable[[], str], now: datetime, *,
    single_use: bool = False,
) -> str:
    """A new invite code for :data:`INVITE_DAYS` (one person only if ``single_use``); the
    old link stops working."""
    return _with_new_code(uow, team, make, now, single_use=single_use)


def revoke_invite(uow: UnitOfWork, team: Team, now: datetime) -> None:
    """The team's invite link stops working; nobody joins until a new one is made (the
    revocation is remembered, so ``/team`` does not make a new link by itself)."""
    team.invite_code, team.invite_expires_at, team.invite_uses_left = None, now, None
    uow.teams.save(team)


def revoked(team: Team) -> bool:
    """The link was revoked (or spent), as opposed to never made."""
    return team.invite_code is None and team.invite_expires_at is not None


def use_invite(uow: UnitOfWork, team: Team, now: datetime) -> None:
    """Someone joined with the link: a single-use link is spent."""
    if team.invite_uses_left is None:
        return
    team.invite_uses_left -= 1
    if team.invite_uses_left <= 0:
        revoke_invite(uow, team, now)
    else:
        uow.teams.save(team)


def join_team(uow: UnitOfWork, user: User, team: Team, today: date) -> Membership:
    """Make ``user`` a member of ``team`` from ``today`` (weight 1).

    Their current membership elsewhere ends yesterday; a team they owned alone keeps its
    history but loses its invite link. Someone who was in ``team`` before comes back.
    """
    assert user.id is not None
    assert team.id is not None
    for m in uow.teams.memberships_of(user.id):
        if m.left_on is None and m.team_id != team.id:
            m.left_on = today - timedelta(days=1)
            uow.teams.save_member(m)
            old = uow.teams.get(m.team_id)
            if old is not None and old.owner_user_id == user.id and old.invite_code:
                old.invite_code = None
                uow.teams.save(old)
    earlier = next((m for m in uow.teams.memberships_of(user.id) if m.team_id == team.id), None)
    membership = Membership(team.id, user.id, TeamRole.MEMBER, Decimal(1), joined_on=today)
    if earlier is None:
        return uow.teams.add_member(membership)
    membership.id = earlier.id
    uow.teams.save_member(membership)
    return membership


def leads_others(uow: UnitOfWork, user_id: int, except_team: int | None = None) -> Team | None:
    """The team the person owns that has other people in it (they cannot leave it)."""
    membership = current_membership(uow, user_id)
    if membership is None or membership.role is not TeamRole.OWNER:
        return None
    if membership.team_id == except_team or joined_count(uow, membership.team_id) <= 1:
        return None
    return uow.teams.get(membership.team_id)


def remove_member(uow: UnitOfWork, membership: Membership, today: date) -> None:
    """End the membership today (the person keeps what they logged)."""
    membership.left_on = today
    uow.teams.save_member(membership)


def member_kpis(owner_kpis: Sequence[str], role: Role) -> list[str]:
    """The team's KPIs (the owner's set, in order) that someone in ``role`` controls."""
    controller = ROLE_CONTROLLER[role]
    return [k for k in owner_kpis if controller in get_kpi(k).controlled_by][:MAX_KPIS]


def owner_kpis(uow: UnitOfWork, team: Team) -> list[str]:
    """The KPI set of the team's owner in the team, in order."""
    assert team.id is not None
    mine = [a for a in uow.assignments.for_team(team.id) if a.user_id == team.owner_user_id]
    return [a.kpi_id for a in sorted(mine, key=lambda a: a.position)]


# ---------------------------------------------------------------------------------------------
# Quotas of a team's plan, vacant seats included
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberSchedule:
    """A member with what the split needs (fits :class:`kpi_core.planning.team.Joined`)."""

    user_id: int
    weight: Decimal
    schedule: WorkSchedule


def _calendar(calendars: CalendarProvider, country: str) -> WorkingCalendar:
    try:
        return calendars.for_country(country)
    except KeyError:
        return WeekdayCalendar()


def _schedule(
    calendars: CalendarProvider, user: User, days_off: frozenset[date], m: Membership | None
) -> WorkSchedule:
    return WorkSchedule(
        _calendar(calendars, user.country),
        frozenset(user.working_weekdays) or DEFAULT_WORKING_WEEKDAYS,
        days_off,
        active_from=m.joined_on if m else None,
        active_until=m.left_on if m else None,
    )


def member_schedule(calendars: CalendarProvider, user: User, m: Membership) -> WorkSchedule:
    """The member's working days in the team, without their days off."""
    return _schedule(calendars, user, frozenset(), m)


def quantum_of(kpi_id: str) -> Decimal:
    """Kopecks for money, whole units for counts."""
    return MONEY_QUANTUM if get_kpi(kpi_id).unit is Unit.MONEY else COUNT_QUANTUM


def team_split(
    uow: UnitOfWork, calendars: CalendarProvider, team: Team, plan: Plan, kpi_id: str,
    weights: Mapping[int, Decimal] | None = None,
    *,
    personal: Mapping[int, Decimal] | None = None,
    days_off: Mapping[int, Mapping[date, DayOffShare | None]] | None = None,
) -> tuple[TeamQuota, int] | None:
    """The plan's target for ``kpi_id`` split over the members who track it and the vacant
    seats; with the number of seats. ``None`` for a KPI without a summed target.

    The other arguments stand in for what is stored, to show what a change would make of
    everyone's daily need before it is saved: ``weights`` (membership id → weight),
    ``personal`` (user id → individual target, for the plan's stored ones) and ``days_off``
    (user id → day → share, ``None`` for a day off taken away).

    Raises:
        TargetsExceedPlan: The individual targets add up to more than the plan.
    """
    target = plan.target_for(kpi_id)
    if target is None or team.id is None or get_kpi(kpi_id).aggregation is not Aggregation.SUM:
        return None
    period = Period(plan.period_start, plan.period_end)
    members = [
        m for m in uow.teams.members(team.id)
        if (m.left_on is None or m.left_on >= period.start)
        and (m.joined_on is None or m.joined_on <= period.end)
    ]
    tracking = {a.user_id for a in uow.assignments.for_team(team.id) if a.kpi_id == kpi_id}
    chosen = [m for m in members if m.user_id in tracking] or members
    ids = [m.user_id for m in chosen]
    offs: dict[int, dict[date, DayOffShare]] = {}
    for off in uow.days_off.in_range(ids, period.start, period.end):
        offs.setdefault(off.user_id, {})[off.day] = off.share
    for user_id, changes in (days_off or {}).items():
        mine = offs.setdefault(user_id, {})
        for day, share in changes.items():
            if share is None:
                mine.pop(day, None)
            elif period.start <= day <= period.end:
                mine[day] = share
    joined = []
    for m in chosen:
        user = uow.users.get(m.user_id)
        if user is not None:
            schedule = _schedule(calendars, user, frozenset(offs.get(m.user_id, {})), m)
            weight = (weights or {}).get(m.id or 0, m.weight)
            joined.append(MemberSchedule(m.user_id, weight, schedule))
    owner = uow.users.get(team.owner_user_id)
    if owner is None:
        return None
    owner_schedule = _schedule(calendars, owner, frozenset(), None)
    quantum = quantum_of(kpi_id)
    given = target.personal if personal is None else personal
    reduced = {
        user_id: frozenset(d for d, share in days.items() if share is DayOffShare.REDUCE)
        for user_id, days in offs.items()
    }
    try:
        quota = split_over_seats(
            round_to_quantum(target.target, quantum), period, joined, team.planned_size,
            owner_schedule, quantum,
            fixed={k: round_to_quantum(v, quantum) for k, v in given.items()},
            reduced={k: v for k, v in reduced.items() if v},
        )
    except TargetsExceedPlan:
        raise
    except QuotaError:
        return None
    return quota, max(len(joined), team.planned_size or 0)
