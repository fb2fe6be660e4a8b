"""Daily quotas: a plan split over people and their working days, summing exactly to the plan.

All arithmetic is exact (``fractions.Fraction`` inside, ``Decimal`` out). Amounts are whole
multiples of a *quantum*: :data:`MONEY_QUANTUM` (0.01, kopecks/cents) or
:data:`COUNT_QUANTUM` (1, calls/deals).

**Apportionment.** Splitting a total into parts is done by the largest-remainder (Hamilton)
method: every part gets its exact share rounded down to the quantum, and the quanta left over go
one each to the parts with the largest remainders; ties go to the **earliest** part. So a
schedule is never "alternating": 1,000,000.00 over 22 working days is 45,454.55 on each of the
first 12 days and 45,454.54 on each of the last 10 (12 × 45,454.55 + 10 × 45,454.54 =
1,000,000.00). Days of one person never differ by more than one quantum.

**Teams.** Each person's share of the plan is proportional to ``weight × own working days``, so
people with equal weights carry the same daily quota whatever their days off, and someone who
joins mid-month gets the part of the plan that matches the days they work. Person shares are
apportioned first (they sum exactly to the plan), then each share is spread over that person's
working days (it sums exactly to the share). A team's day is the sum of its people's amounts.

So that the **team's** days stay even too, each person's extra quanta go to the days that have
received the fewest extras so far (ties: earliest day): the first person gets them on their
earliest days, the next person continues where the first stopped, and so on. 300 calls for
10 people over 22 days is 30 calls each; without this every person would make 2 calls on the
same first 8 days and the team 20 calls a day, then 10; with it the team makes 14 or 13 calls
every day. With equal weights and the same days, the team's days never differ by more than one
quantum; every person's days still differ by at most one quantum and add up to their share.

**Headline daily quota.** What a person is *asked* per day, ``PersonQuota.daily``, is their
share divided by their working days and rounded **up** to the quantum: the largest amount on
any of their days, so that doing it every day reaches the share (``daily × days >= total``).
725 calls over 18 days is 41 a day (40.28 rounded half up, 40, would leave 5 calls unplanned);
54,545.4545… rubles a day is 54,545.46, the same figure as the first day's need from
:func:`catch_up` or :func:`kpi_core.tracking.progress.progress` before anything is done. The
team's ``TeamQuota.daily`` is the exact team rate rounded up likewise. The exact rates stay
available as ``daily_exact``. Counts are still best shown with the schedule (1 or 2 a day) or
the exact rate, as ``kpi-coach quota --count`` does ("1–2, 1.36 on average").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from math import floor
from typing import TypeAlias

from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message
from kpi_core.parsing.numbers import exact_decimal, exact_number
from kpi_core.planning.calendar import Period, WorkSchedule, split_at, working_days

__all__ = [
    "COUNT_QUANTUM",
    "MONEY_QUANTUM",
    "CatchUp",
    "DayAmount",
    "InvalidWeight",
    "Member",
    "NegativePlan",
    "NoWorkingDays",
    "OffQuantum",
    "PersonQuota",
    "QuotaError",
    "TeamQuota",
    "apportion",
    "catch_up",
    "ceil_to_quantum",
    "floor_to_quantum",
    "round_to_quantum",
    "split_evenly",
    "split_plan",
    "spread",
    "team_quota",
]

MONEY_QUANTUM = Decimal("0.01")
"""Money is split to the kopeck/cent."""
COUNT_QUANTUM = Decimal(1)
"""Counts (calls, meetings, deals) are split into whole units."""

Number: TypeAlias = Decimal | int | Fraction


class QuotaError(DomainError):
    """Base class for plan input the user can fix."""


class NegativePlan(QuotaError):
    """A plan (or a target) below zero."""

    def __init__(self, plan: Decimal) -> None:
        super().__init__(
            Message(
                N_("A plan cannot be negative: {plan}. Send zero or more."),
                {"plan": exact_number(plan)},
            )
        )
        self.plan = plan


class OffQuantum(QuotaError):
    """An amount finer than the quantum (a plan of 100.005 rubles, a plan of 10.5 calls)."""

    def __init__(self, amount: Decimal, quantum: Decimal) -> None:
        if quantum == COUNT_QUANTUM:
            message = Message(
                N_(
                    "{amount} is not a whole number; "
                    "a plan of calls, meetings or deals is counted in whole units."
                ),
                {"amount": exact_number(amount)},
            )
        else:
            message = Message(
                N_("{amount} has too many decimal places: round it to {quantum}."),
                {"amount": exact_number(amount), "quantum": exact_number(quantum)},
            )
        super().__init__(message)
        self.amount = amount
        self.quantum = quantum


class InvalidWeight(QuotaError):
    """A person's weight below zero."""

    def __init__(self, weight: object) -> None:
        super().__init__(
            Message(
                N_("A person's weight must be zero or more, like 1 or 1.5: got {weight}."),
                {
                    "weight": exact_number(weight)
                    if isinstance(weight, Decimal | int)
                    else str(weight)
                },
            )
        )
        self.weight = weight


class NoWorkingDays(QuotaError):
    """Nothing to spread a non-zero plan over: no working days (or all weights are zero)."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "There are no working days to spread the plan over. Check the period, the"
                    " working weekdays and the days off."
                )
            )
        )


@dataclass(frozen=True, slots=True)
class DayAmount:
    """An amount due on one day."""

    day: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Member:
    """A person taking part in a plan.

    Attributes:
        key: Identifies the person in the result (a user id, a name).
        working_days: The person's working days in the period, in order.
        weight: Relative share per working day (1 = standard; 1.5 = carries 50 % more).
    """

    key: Hashable
    working_days: tuple[date, ...]
    weight: Decimal = Decimal(1)

    @classmethod
    def from_schedule(
        cls, key: Hashable, period: Period, schedule: WorkSchedule, weight: Decimal = Decimal(1)
    ) -> Member:
        """Build a member from their work schedule over ``period``."""
        return cls(key, tuple(working_days(period.start, period.end, schedule)), weight)


@dataclass(frozen=True, slots=True)
class PersonQuota:
    """One person's part of a plan.

    Attributes:
        key: The member's key.
        weight: The member's weight.
        total: The person's share of the plan, a multiple of the quantum.
        daily: The headline daily quota: ``total`` over the working days, rounded **up** to the
            quantum (the largest amount of ``schedule``; 0 without a working day), so that
            ``daily × len(schedule) >= total``.
        daily_exact: The exact daily rate (0 when the person has no working day).
        schedule: The amount due on each of the person's working days; sums to ``total``.
    """

    key: Hashable
    weight: Decimal
    total: Decimal
    daily: Decimal
    daily_exact: Fraction
    schedule: tuple[DayAmount, ...]

    @property
    def working_days(self) -> tuple[date, ...]:
        """The person's working days, in order."""
        return tuple(item.day for item in self.schedule)

    def amount_on(self, day: date) -> Decimal:
        """Return the amount due on ``day`` (zero on a day the person does not work)."""
        for item in self.schedule:
            if item.day == day:
                return item.amount
        return Decimal(0)


@dataclass(frozen=True, slots=True)
class TeamQuota:
    """A plan split over a team.

    Attributes:
        plan: The plan being split.
        quantum: The unit amounts are multiples of.
        people: Each person's quota, in the order the members were given.
        schedule: The team's amount per day (the sum over people), for every day anyone works.
        daily: The team's headline daily quota (sum of people's exact rates, rounded **up** to
            the quantum): what the team must bring on a day everyone works.
        daily_exact: The exact team daily rate.
    """

    plan: Decimal
    quantum: Decimal
    people: tuple[PersonQuota, ...]
    schedule: tuple[DayAmount, ...]
    daily: Decimal
    daily_exact: Fraction
    _by_key: Mapping[Hashable, PersonQuota] = field(repr=False, compare=False, default_factory=dict)

    @property
    def working_days(self) -> tuple[date, ...]:
        """Every day on which at least one person works, in order."""
        return tuple(item.day for item in self.schedule)

    def person(self, key: Hashable) -> PersonQuota:
        """Return the quota of the member with ``key`` (``KeyError`` if absent)."""
        if key in self._by_key:
            return self._by_key[key]
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(key)

    def amount_on(self, day: date) -> Decimal:
        """Return the team's amount due on ``day``."""
        total = sum((Fraction(p.amount_on(day)) for p in self.people), Fraction(0))
        return _at_quantum(total, self.quantum)


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What the remaining working days need after some of the period has passed.

    Attributes:
        target: The period target.
        done: What has been done so far.
        remaining: Still to do (``target - done`` rounded **up** to the quantum, never
            negative).
        surplus: How far ``done`` is beyond the target (zero until the target is reached).
        remaining_days: Days ahead on which at least one person works.
        quota: ``remaining`` split over the people's remaining working days (same rules as
            :func:`split_plan`); ``None`` when no working day is left.
    """

    target: Decimal
    done: Decimal
    remaining: Decimal
    surplus: Decimal
    remaining_days: tuple[date, ...]
    quota: TeamQuota | None

    @property
    def reached(self) -> bool:
        """True when the target is already reached."""
        return self.remaining == 0

    @property
    def per_day(self) -> Decimal | None:
        """The team's headline need per remaining day, or ``None`` when no day is left."""
        return None if self.quota is None else self.quota.daily

    @property
    def per_day_exact(self) -> Fraction | None:
        """The exact team need per remaining day, or ``None`` when no day is left."""
        return None if self.quota is None else self.quota.daily_exact


def round_to_quantum(value: Number, quantum: Decimal = MONEY_QUANTUM) -> Decimal:
    """Round ``value`` half up to a multiple of ``quantum`` (exactly, no float).

    Args:
        value: Any exact number.
        quantum: A positive step such as ``Decimal("0.01")``.

    Returns:
        The nearest multiple of ``quantum``, halves rounded away from zero.
    """
    n, d = _units_ratio(value, quantum)
    whole = (2 * abs(n) + d) // (2 * d)  # floor(|units| + 1/2): half up, away from zero
    return _from_units(whole if n >= 0 else -whole, quantum)


def ceil_to_quantum(value: Number, quantum: Decimal = MONEY_QUANTUM) -> Decimal:
    """Round ``value`` up (towards plus infinity) to a multiple of ``quantum``, exactly.

    The rule for anything *asked of* a person: 40.28 calls a day is 41, 54,545.4545… rubles is
    54,545.46, so that doing what is asked reaches the plan.
    """
    n, d = _units_ratio(value, quantum)
    return _from_units(-(-n // d), quantum)


def floor_to_quantum(value: Number, quantum: Decimal = MONEY_QUANTUM) -> Decimal:
    """Round ``value`` down (towards minus infinity) to a multiple of ``quantum``, exactly.

    The rule for an *allowance* (a lower-is-better KPI's budget left per day): spending what is
    allowed each day stays within the limit.
    """
    n, d = _units_ratio(value, quantum)
    return _from_units(n // d, quantum)


def _units_ratio(value: Number, quantum: Decimal) -> tuple[int, int]:
    """``value / quantum`` as an integer numerator and a positive denominator (the rounding
    functions work on these: integer maths, no Fraction objects on the digest's hot path)."""
    exact = value if isinstance(value, Fraction) else Fraction(value)
    q = _positive_quantum(quantum)
    return exact.numerator * q.denominator, exact.denominator * q.numerator


def apportion(
    total: Decimal, weights: Sequence[Number], quantum: Decimal = MONEY_QUANTUM
) -> list[Decimal]:
    """Split ``total`` into parts proportional to ``weights``, summing exactly to ``total``.

    Largest-remainder method; leftover quanta go to the largest remainders, ties to the
    earliest part (see the module docs).

    Args:
        total: Zero or more, a multiple of ``quantum``.
        weights: Zero or more each; a zero weight gets nothing.
        quantum: The unit of the parts.

    Returns:
        One amount per weight, each a multiple of ``quantum``.

    Raises:
        NegativePlan: ``total`` is negative.
        OffQuantum: ``total`` is not a multiple of ``quantum``.
        InvalidWeight: a weight is negative.
        NoWorkingDays: ``total`` is not zero but every weight is.
    """
    units = _units(total, quantum)
    exact_weights = [Fraction(w) for w in weights]
    for w, original in zip(exact_weights, weights, strict=True):
        if w < 0:
            raise InvalidWeight(original)
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        if units:
            raise NoWorkingDays()
        return [_from_units(0, quantum) for _ in exact_weights]
    shares = [units * w / weight_sum for w in exact_weights]
    floors = [floor(s) for s in shares]
    leftover = units - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [_from_units(n, quantum) for n in floors]


def spread(total: Decimal, days: int, quantum: Decimal = MONEY_QUANTUM) -> list[Decimal]:
    """Spread ``total`` evenly over ``days`` slots; the extra quanta go to the earliest slots.

    Example:
        ``spread(Decimal("1000000"), 22)`` gives 45454.55 twelve times, then 45454.54 ten
        times.
    """
    return apportion(total, [1] * days, quantum)


def split_plan(
    plan: Decimal, members: Sequence[Member], quantum: Decimal = MONEY_QUANTUM
) -> TeamQuota:
    """Split a plan over a team and over each person's working days.

    Args:
        plan: The period's plan for the whole team (zero or more, a multiple of ``quantum``).
        members: The people, each with their working days and weight. Keys must be unique.
        quantum: :data:`MONEY_QUANTUM` or :data:`COUNT_QUANTUM` (or another positive step).

    Returns:
        The team quota: per-person totals summing exactly to ``plan`` and per-day schedules
        summing exactly to each person's total.

    Raises:
        NegativePlan: ``plan`` is negative.
        OffQuantum: ``plan`` is not a multiple of ``quantum``.
        InvalidWeight: a weight is negative.
        NoWorkingDays: ``plan`` is not zero and nobody has a working day.
    """
    keys = [m.key for m in members]
    if len(set(keys)) != len(keys):
        raise ValueError("member keys must be unique")
    for m in members:
        if m.weight < 0:
            raise InvalidWeight(m.weight)
    weighted_days = [Fraction(m.weight) * len(m.working_days) for m in members]
    totals = apportion(plan, weighted_days, quantum)
    weighted_sum = sum(weighted_days, Fraction(0))
    spreads = iter(_staggered([m.working_days for m in members], totals, quantum))
    people: list[PersonQuota] = []
    for member, total in zip(members, totals, strict=True):
        days = member.working_days
        rate = (
            Fraction(plan) * Fraction(member.weight) / weighted_sum
            if days and weighted_sum
            else Fraction(0)
        )
        amounts = next(spreads)
        asked = Fraction(total) / len(days) if days else Fraction(0)
        people.append(
            PersonQuota(
                key=member.key,
                weight=member.weight,
                total=total,
                daily=_ceil_to_quantum(asked, quantum),
                daily_exact=rate,
                schedule=tuple(DayAmount(d, a) for d, a in zip(days, amounts, strict=True)),
            )
        )
    return team_quota(plan, quantum, people)


def team_quota(plan: Decimal, quantum: Decimal, people: Sequence[PersonQuota]) -> TeamQuota:
    """The team's quota of people's parts (split together, or separately and put together:
    individual targets and the shared rest): the per-day sums and the team's rate."""
    by_day: dict[date, Fraction] = {}
    for person in people:
        for item in person.schedule:
            by_day[item.day] = by_day.get(item.day, Fraction(0)) + Fraction(item.amount)
    team_rate = sum((p.daily_exact for p in people), Fraction(0))
    return TeamQuota(
        plan=plan,
        quantum=quantum,
        people=tuple(people),
        schedule=tuple(DayAmount(d, _at_quantum(by_day[d], quantum)) for d in sorted(by_day)),
        daily=_ceil_to_quantum(team_rate, quantum),
        daily_exact=team_rate,
        _by_key={p.key: p for p in people},
    )


def split_evenly(
    plan: Decimal, people: int, days: Sequence[date], quantum: Decimal = MONEY_QUANTUM
) -> TeamQuota:
    """Split a plan over ``people`` who all work the same ``days`` with equal weights.

    Members are keyed ``1..people``. The seeds' example::

        split_evenly(Decimal(10_000_000), 10, april_2025_days).people[0].daily  # 45454.55
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    members = [Member(i, tuple(days)) for i in range(1, people + 1)]
    return split_plan(plan, members, quantum)


def catch_up(
    target: Decimal,
    done: Decimal,
    members: Sequence[Member],
    today: date,
    *,
    today_logged: bool,
    quantum: Decimal = MONEY_QUANTUM,
) -> CatchUp:
    """Work out what each remaining working day needs to still reach the target.

    The amount still missing is split over the members' remaining working days exactly like
    :func:`split_plan` (per-person shares ∝ weight × remaining days, extra quanta on the
    earliest days).

    Args:
        target: The period target (zero or more, a multiple of ``quantum``).
        done: The result so far (team total; for one person pass one member).
        members: The people with their working days for the whole period.
        today: The local date the question is asked on.
        today_logged: True when ``done`` already includes today (today is then over);
            False when today is still to be worked (today then counts as a remaining day).
        quantum: The unit of the amounts.

    Returns:
        The catch-up plan. Example: target 1,000,000.00 over April 2025 (22 days), 500,000 done
        by the evening of 15 April (logged): 11 days left, 45,454.55 a day for the first 6
        and 45,454.54 for the last 5.

    Raises:
        NegativePlan: ``target`` is negative.
        OffQuantum: ``target`` is not a multiple of ``quantum``.
    """
    _units(target, quantum)
    missing = Fraction(target) - Fraction(done)
    remaining = _ceil_to_quantum(missing, quantum) if missing > 0 else _from_units(0, quantum)
    surplus = exact_decimal(-missing) if missing < 0 else Decimal(0)
    ahead = [
        Member(
            m.key, tuple(split_at(m.working_days, today, today_logged=today_logged)[1]), m.weight
        )
        for m in members
    ]
    days = tuple(sorted({d for m in ahead for d in m.working_days}))
    has_capacity = any(m.working_days and m.weight > 0 for m in ahead)
    quota = split_plan(remaining, ahead, quantum) if has_capacity else None
    return CatchUp(
        target=target,
        done=done,
        remaining=remaining,
        surplus=surplus,
        remaining_days=days,
        quota=quota,
    )


def _staggered(
    day_lists: Sequence[Sequence[date]], totals: Sequence[Decimal], quantum: Decimal
) -> list[list[Decimal]]:
    """Spread each total evenly over its days, staggering the extra quanta across people.

    Each person gets ``total // days`` quanta a day plus one extra quantum on ``total % days``
    of their days. The extras go to the days whose running surplus (extras given minus the
    fractional extras owed so far) is lowest, ties to the earliest day, so that the team's
    daily totals stay as even as the people's own days.
    """
    q = _positive_quantum(quantum)
    surplus: dict[date, Fraction] = {}
    result: list[list[Decimal]] = []
    for days, total in zip(day_lists, totals, strict=True):
        if not days:
            result.append([])
            continue
        units = Fraction(total) / q
        base, extra = divmod(units.numerator, len(days))
        owed = Fraction(extra, len(days))
        for day in days:
            surplus[day] = surplus.get(day, Fraction(0)) - owed
        chosen = set(sorted(range(len(days)), key=lambda i: (surplus[days[i]], i))[:extra])
        for i in chosen:
            surplus[days[i]] += 1
        result.append([_from_units(base + (i in chosen), quantum) for i in range(len(days))])
    return result


@cache
def _positive_quantum(quantum: Decimal) -> Fraction:
    if not quantum.is_finite() or quantum <= 0:
        raise ValueError(f"quantum must be a positive number, got {quantum!r}")
    return Fraction(quantum)


def _units(total: Decimal, quantum: Decimal) -> int:
    q = _positive_quantum(quantum)
    if total < 0:
        raise NegativePlan(total)
    units = Fraction(total) / q
    if units.denominator != 1:
        raise OffQuantum(total, quantum)
    return units.numerator


def _ceil_to_quantum(value: Fraction, quantum: Decimal) -> Decimal:
    units = Fraction(value) / _positive_quantum(quantum)
    return _from_units(-floor(-units), quantum)


def _at_quantum(value: Fraction, quantum: Decimal) -> Decimal:
    units = value / _positive_quantum(quantum)
    if units.denominator != 1:
        raise ValueError(f"{value} is not a multiple of {quantum}")
    return _from_units(units.numerator, quantum)


def _from_units(units: int, quantum: Decimal) -> Decimal:
    # The quantum's exponent (-2 for 0.01) keeps "45454.50" and "0.00" as people read them.
    _, digits, exponent = quantum.as_tuple()
    if digits == (1,) and isinstance(exponent, int) and exponent <= 0:  # 1, 0.1, 0.01...
        return Decimal((1 if units < 0 else 0, tuple(map(int, str(abs(units)))), exponent))
    places = exponent if isinstance(exponent, int) and exponent < 0 else 0
    return exact_decimal(units * _positive_quantum(quantum), places)
