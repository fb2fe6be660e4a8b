"""Who a team's plan is split over: the people who joined, and the seats still vacant.

An owner plans for a head count (:attr:`kpi_core.model.Team.planned_size`: "10 people share the
plan"), but people join the bot one by one. Splitting the plan over whoever has joined so far
would hand the first person the whole plan. Instead, while fewer people have joined than were
planned, the missing ones are **vacant seats**: weight 1, the owner's working week, the whole
period. Each joined person then carries the share of one seat, ``plan ÷ planned people``, from
the first day on, and that share does not jump when a colleague joins.

Worked example (``tests/unit/test_team.py``): 10 000 000 ₽ for April 2025 in Russia (22
working days), 10 people planned, 1 joined: the joined person's quota is 1 000 000 ₽, i.e.
45 454,55 ₽ a day, and the nine vacant seats hold the other 9 000 000 ₽ until people join.

Rules:

* **Fewer joined than planned** (or exactly as many): ``planned − joined`` vacant seats. A
  person's seat also covers the days of the period before they joined (and after they left):
  those parts are vacant too, so someone who joins on 14 April still gets 45 454,55 ₽ a day
  for the days they work, not a larger share because the plan's first two weeks had nobody.
* **More joined than planned**, or no planned size: no vacant seats; the plan is split over
  the actual people (:func:`kpi_core.planning.quotas.split_plan`: weight × own working days).
* Personal days off and weights work as in :func:`~kpi_core.planning.quotas.split_plan`: by
  default a day off moves its share to the rest of the team (everyone's daily rate rises a
  little, the plan stays whole). A day off can instead **reduce the plan** (``reduced``): its
  share becomes a vacant part of the person's seat (:attr:`Vacancy.off`) that nobody carries.
* **Individual targets** (``fixed``): the owner gives a person their own period target. It is
  spread over the person's working days *including* their days off; the share of days off
  goes to the others (or is dropped, for days that reduce the plan), and what is left of the
  team's plan is split over everyone else as above. The vacant parts of a fixed person's seat
  (before they joined, after they left) carry nothing: their target already says what they
  bring. If nobody is left to carry the rest, it stays **unassigned** (``Vacancy(0)``).
  Targets adding up to more than the plan raise :class:`TargetsExceedPlan`.

Who counts as *joined* is the caller's choice: the people the target is split over, usually
those whose membership overlaps the period and who track the KPI (a marketer who joins a
sales team does not take a salesperson's seat in the revenue plan).

Use :func:`split_over_seats` for a quota, then
:meth:`~kpi_core.planning.quotas.TeamQuota.person` with a user id; :func:`joined_people` leaves
out the vacant seats (the part of the plan nobody carries yet is
``plan - sum(p.total for p in joined_people(quota))``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from kpi_core.messages import N_, Message
from kpi_core.planning.calendar import Period, WorkSchedule
from kpi_core.planning.quotas import (
    MONEY_QUANTUM,
    Member,
    PersonQuota,
    QuotaError,
    TeamQuota,
    ceil_to_quantum,
    split_plan,
    team_quota,
)

__all__ = [
    "Joined",
    "Seat",
    "TargetsExceedPlan",
    "Vacancy",
    "dropped",
    "is_vacant",
    "joined_people",
    "seats",
    "split_members",
    "split_over_seats",
    "team_daily",
    "vacancies",
]


class Joined(Protocol):
    """A person taking part in the split (``kpi_core.tracking.digest.TeamMember`` fits)."""

    @property
    def user_id(self) -> int:
        """Their user id: the key of their quota."""
        ...

    @property
    def weight(self) -> Decimal:
        """Their weight in the split (1 = standard)."""
        ...

    @property
    def schedule(self) -> WorkSchedule:
        """Their working days, with ``active_from``/``active_until`` from the membership."""
        ...


@dataclass(frozen=True, slots=True)
class Vacancy:
    """The key of a vacant seat, or of the vacant part of a joined person's seat.

    Attributes:
        index: 1, 2 ... for seats nobody has taken; 0 for the part of a person's seat.
        user_id: Whose seat this is part of (``None`` for a seat nobody has taken).
        before: True for the days before the person joined, False for those after they left.
        off: The person's days off that reduce the plan (their share is dropped).
        moved: The share of a fixed person's days off, handed to the rest of the team (only
            while the split is worked out; it never appears in a result).
    """

    index: int
    user_id: int | None = None
    before: bool = True
    off: bool = False
    moved: bool = False


class TargetsExceedPlan(QuotaError):
    """The individual targets add up to more than the team's plan."""

    def __init__(self, plan: Decimal, targets: Decimal) -> None:
        super().__init__(Message(
            N_("The individual targets add up to {targets}, more than the plan of {plan}. "
               "Lower a target or raise the plan."),
            {"targets": targets, "plan": plan},
        ))
        self.plan = plan
        self.targets = targets


@dataclass(frozen=True, slots=True)
class Seat:
    """A place in the split: a person (``key`` is their user id) or a vacancy.

    Attributes:
        key: The user id, or a :class:`Vacancy`.
        weight: The seat's weight.
        schedule: The seat's working days.
    """

    key: int | Vacancy
    weight: Decimal
    schedule: WorkSchedule
    only: frozenset[date] | None = None

    @property
    def vacant(self) -> bool:
        """True for a vacant seat or the vacant part of one."""
        return isinstance(self.key, Vacancy)


def vacancies(joined: int, planned_size: int | None) -> int:
    """How many seats nobody has taken: ``planned − joined``, never below zero.

    Example:
        ``vacancies(1, 10) == 9``; ``vacancies(12, 10) == 0``; ``vacancies(3, None) == 0``.
    """
    if planned_size is None:
        return 0
    return max(planned_size - joined, 0)


def _standard(schedule: WorkSchedule) -> WorkSchedule:
    """The same calendar and working week, with no personal days off or membership bounds."""
    return replace(schedule, days_off=frozenset(), active_from=None, active_until=None)


def seats(
    joined: Sequence[Joined],
    planned_size: int | None,
    owner_schedule: WorkSchedule,
    reduced: Mapping[int, frozenset[date]] | None = None,
) -> tuple[Seat, ...]:
    """The seats to split a plan over (see the module docs for the rules).

    Args:
        joined: The people the plan is split over, in the order their quotas should come.
            User ids must be unique.
        planned_size: The head count the plan was made for (``Team.planned_size``), or
            ``None`` when unknown.
        owner_schedule: The owner's working days; vacant seats work the owner's calendar and
            week (their personal days off and membership dates are ignored).
        reduced: Per user id, the days off (also in their ``schedule.days_off``) whose share
            is dropped from the plan rather than handed to the others.

    Returns:
        The joined people first (keyed by user id), then the parts of their seats on days off
        that reduce the plan, then the vacant parts of their seats, then the seats nobody has
        taken (keyed by :class:`Vacancy`).
    """
    ids = [person.user_id for person in joined]
    if len(set(ids)) != len(ids):
        raise ValueError("joined people must have unique user ids")
    result = [Seat(p.user_id, p.weight, p.schedule) for p in joined]
    for person in joined:
        off = (reduced or {}).get(person.user_id, frozenset()) & person.schedule.days_off
        if off:
            own = replace(person.schedule, days_off=person.schedule.days_off - off)
            result.append(Seat(Vacancy(0, person.user_id, off=True), person.weight, own, off))
    if planned_size is None or len(joined) > planned_size:
        return tuple(result)
    for person in joined:
        own = person.schedule
        if own.active_from is not None:
            schedule = replace(_standard(own), active_until=own.active_from - timedelta(days=1))
            result.append(Seat(Vacancy(0, person.user_id, before=True), person.weight, schedule))
        if own.active_until is not None:
            schedule = replace(_standard(own), active_from=own.active_until + timedelta(days=1))
            result.append(Seat(Vacancy(0, person.user_id, before=False), person.weight, schedule))
    vacant = _standard(owner_schedule)
    result.extend(
        Seat(Vacancy(n), Decimal(1), vacant)
        for n in range(1, vacancies(len(joined), planned_size) + 1)
    )
    return tuple(result)


def split_members(period: Period, chosen: Sequence[Seat]) -> list[Member]:
    """The seats as :class:`~kpi_core.planning.quotas.Member` values over ``period``.

    Vacant parts without a working day in the period (someone who joined before it started)
    are left out; people are always kept, so that every joined person has a quota.
    """
    members = [_member(period, s) for s in chosen]
    return [m for m, s in zip(members, chosen, strict=True) if m.working_days or not s.vacant]


def _member(period: Period, seat: Seat) -> Member:
    member = Member.from_schedule(seat.key, period, seat.schedule, seat.weight)
    if seat.only is None:
        return member
    return replace(member, working_days=tuple(d for d in member.working_days if d in seat.only))


def split_over_seats(
    target: Decimal,
    period: Period,
    joined: Sequence[Joined],
    planned_size: int | None,
    owner_schedule: WorkSchedule,
    quantum: Decimal = MONEY_QUANTUM,
    *,
    fixed: Mapping[int, Decimal] | None = None,
    reduced: Mapping[int, frozenset[date]] | None = None,
) -> TeamQuota:
    """Split a period target over the joined people and the vacant seats.

    Args:
        target: The team's target for the period, a multiple of ``quantum``.
        period: The plan's period.
        joined: The people the target is split over (see :func:`seats`).
        planned_size: The planned head count, or ``None``.
        owner_schedule: The owner's working days (for vacant seats).
        quantum: :data:`~kpi_core.planning.quotas.MONEY_QUANTUM` or ``COUNT_QUANTUM``.
        fixed: Individual targets for the period, by user id (multiples of ``quantum``).
        reduced: Days off that reduce the plan, by user id (see :func:`seats`).

    Returns:
        The split over every seat: ``quota.person(user_id)`` is a joined person's part
        (``daily``, ``total``, ``schedule``); vacant seats are keyed by :class:`Vacancy`.
        The team's rate on a day everyone works is :func:`team_daily` (``quota.daily`` also
        adds the rates of the vacant parts of people's seats, counting those seats twice).

    Raises:
        TargetsExceedPlan: The individual targets add up to more than ``target``.
        QuotaError: as :func:`~kpi_core.planning.quotas.split_plan` (no working days at all, a
            negative or too fine target).
    """
    chosen = seats(joined, planned_size, owner_schedule, reduced)
    fixed = {k: v for k, v in (fixed or {}).items() if k in {p.user_id for p in joined}}
    if not fixed:
        if not any(isinstance(s.key, Vacancy) and s.key.off for s in chosen):
            return split_plan(target, split_members(period, chosen), quantum)
        return team_quota(target, quantum, _shared(target, period, chosen, quantum))
    given = sum(fixed.values(), start=Decimal(0))
    if given > target:
        raise TargetsExceedPlan(target, given)
    parts: list[PersonQuota] = []
    pool = target - given
    for user_id, amount in fixed.items():
        own = [s for s in chosen if _owner_of(s.key) == user_id]
        person = next(s for s in own if s.key == user_id)
        off = next((s for s in own if isinstance(s.key, Vacancy) and s.key.off), None)
        every_day = replace(person.schedule, days_off=frozenset())
        moved = person.schedule.days_off - (off.only or frozenset() if off else frozenset())
        seats_of = [person, Seat(Vacancy(0, user_id, moved=True), person.weight, every_day,
                                 frozenset(moved))]
        if off is not None:
            seats_of.append(off)
        split = split_plan(amount, [_member(period, s) for s in seats_of], quantum)
        for share in split.people:
            if isinstance(share.key, Vacancy) and share.key.moved:
                pool += share.total
            else:
                parts.append(share)
    rest = [s for s in chosen if _owner_of(s.key) not in fixed]
    if not any(m.working_days for m in split_members(period, rest)) and pool:
        rest.append(Seat(Vacancy(0), Decimal(1), _standard(owner_schedule)))
    order: dict[Hashable, int] = {s.key: n for n, s in enumerate(chosen)}
    shared = _shared(pool, period, rest, quantum)
    people = sorted([*parts, *shared], key=lambda p: order.get(p.key, len(order)))
    return team_quota(target, quantum, people)


def _shared(
    target: Decimal, period: Period, chosen: Sequence[Seat], quantum: Decimal
) -> tuple[PersonQuota, ...]:
    """The target split over ``chosen``; days off that reduce the plan drop a seat-day's
    share as it is *before* anyone's days off move to the team, so marking someone else's
    vacation later does not change how much the first one took off the plan."""
    offs = [s for s in chosen if isinstance(s.key, Vacancy) and s.key.off]
    if not offs:
        return split_plan(target, split_members(period, chosen), quantum).people
    reduced = {_owner_of(s.key): s.only or frozenset() for s in offs}
    # First as though every other day off were worked: what the reducing days are worth.
    worked = [
        replace(s, schedule=replace(s.schedule, days_off=reduced.get(s.key, frozenset())))
        if isinstance(s.key, int) else s
        for s in chosen
    ]
    first = split_plan(target, split_members(period, worked), quantum)
    off_parts = [p for p in first.people if isinstance(p.key, Vacancy) and p.key.off]
    left = target - sum((p.total for p in off_parts), start=Decimal(0))
    rest = [s for s in chosen if not (isinstance(s.key, Vacancy) and s.key.off)]
    return (*split_plan(left, split_members(period, rest), quantum).people, *off_parts)


def _owner_of(key: int | Vacancy) -> int | None:
    return key.user_id if isinstance(key, Vacancy) else key


def is_vacant(key: object) -> bool:
    """True for the key of a vacant seat (or of the vacant part of one)."""
    return isinstance(key, Vacancy)


def team_daily(quota: TeamQuota) -> Decimal:
    """The team's daily rate over whole seats (joined people and seats nobody has taken),
    rounded up to the quantum: what the whole planned team must bring on a day everyone works
    (as :attr:`~kpi_core.planning.quotas.TeamQuota.daily`)."""
    whole = (
        p.daily_exact for p in quota.people
        if not (isinstance(p.key, Vacancy) and p.key.user_id is not None)
    )
    return ceil_to_quantum(sum(whole, start=Fraction(0)), quota.quantum)


def dropped(quota: TeamQuota) -> Decimal:
    """How much days off that reduce the plan took off it: the team's plan is then
    ``quota.plan - dropped(quota)``."""
    parts = (p.total for p in quota.people if isinstance(p.key, Vacancy) and p.key.off)
    return sum(parts, start=Decimal(0))


def joined_people(quota: TeamQuota) -> tuple[PersonQuota, ...]:
    """The parts of the joined people only (vacant seats left out), in order."""
    return tuple(p for p in quota.people if not is_vacant(p.key))
