"""Where a person and a team stand: the numbers behind the log echo, /today and the digests.

Pure computation over data the use cases have loaded (:class:`TeamState`, :class:`Ledger`):
no I/O, no text. The results are values (``Decimal`` amounts,
:class:`~kpi_core.tracking.progress.Progress`, message labels) that ``bot/`` words in the user's
language.

How a KPI is measured depends on how it adds up (:class:`~kpi_core.advice.catalog.Aggregation`):

* **Summed KPIs** (calls, revenue): the team plan's target is split over the people who track
  the KPI (:func:`kpi_core.planning.quotas.split_plan`: weight × working days), each person's share
  over their working days. A day's quota, progress to date (pace, projection, status) and the
  catch-up quota for today (what is left, spread over the remaining working days) follow.
* **Level KPIs** (a conversion, an average response time): the target is a level that applies
  to everyone; the period's value (a ratio of sums for conversions) is compared with it.

Example (worked in ``tests/services/test_daily.py``): a plan of 440 calls for April 2025
(22 working days) for one person is 20 a day; with 150 calls logged by the evening of
Wednesday 9 April (7 working days) the person is at 150 ÷ 140 = 107 % of pace (AHEAD), the
projection is 150 × 22 ÷ 7 = 471.43 → 471 calls, and the 290 calls left over the 15 remaining
days (19.33 a day) are 20 on each of the first 5 days (leftover units go first) and 19 after:
Thursday's catch-up quota is 20.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from kpi_core.advice.catalog import Aggregation, Direct, Kpi, Unit, aggregate, get_kpi
from kpi_core.messages import Message
from kpi_core.model import Entry, Plan
from kpi_core.planning.calendar import Period, WorkSchedule, working_days
from kpi_core.planning.quotas import (
    COUNT_QUANTUM,
    MONEY_QUANTUM,
    Member,
    PersonQuota,
    QuotaError,
    TeamQuota,
    round_to_quantum,
    split_plan,
)
from kpi_core.planning.team import dropped, split_over_seats
from kpi_core.tracking.progress import (
    RATIO_QUANTUM,
    Direction,
    Progress,
    Status,
    progress,
    status_for,
)

__all__ = [
    "DayPart",
    "KpiStanding",
    "Ledger",
    "PersonDigest",
    "Split",
    "TeamDigest",
    "TeamKpiLine",
    "TeamMember",
    "TeamPersonLine",
    "TeamState",
    "catch_up_today",
    "combined",
    "day_part",
    "digest_for",
    "person_standings",
    "quantum_for",
    "split_for",
    "streak_from",
    "team_digest",
    "worst_status",
]

_STATUS_ORDER = (Status.CRITICAL, Status.BEHIND, Status.ON_TRACK, Status.AHEAD)


# -- inputs ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TeamMember:
    """A person in a team, with what the plan split needs.

    Attributes:
        user_id: Their user id.
        name: Display name (for the team digest).
        weight: Their weight in the plan split.
        schedule: Their working days (calendar, weekdays, days off, joined/left).
        kpi_ids: The KPIs they track, in display order.
        reduced: Their days off (also in ``schedule.days_off``) that reduce the team's plan
            instead of moving their share to the others.
        anonymous: The stand-in of someone who erased themselves: counts in the team's
            totals, never listed.
    """

    user_id: int
    name: str
    weight: Decimal
    schedule: WorkSchedule
    kpi_ids: tuple[str, ...]
    reduced: frozenset[date] = frozenset()
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Split:
    """A plan target split over the people tracking a KPI (see :func:`split_plan`)."""

    quota: TeamQuota
    index: Mapping[int, int]  # user id -> member key in ``quota``

    def person(self, user_id: int) -> PersonQuota | None:
        """The person's part, if they take part."""
        key = self.index.get(user_id)
        return None if key is None else self.quota.person(key)


@dataclass(frozen=True, slots=True)
class TeamState:
    """A team with its current plan (the one whose period contains the day asked about)."""

    team_id: int
    name: str
    plan: Plan | None
    members: tuple[TeamMember, ...]
    planned_size: int | None = None
    owner_schedule: WorkSchedule | None = None
    _quotas: dict[str, Split | None] = field(default_factory=dict, compare=False, repr=False)

    def member(self, user_id: int) -> TeamMember | None:
        """The member with ``user_id``, if any."""
        return next((m for m in self.members if m.user_id == user_id), None)

    def quota(self, kpi: Kpi) -> Split | None:
        """The current plan's target for ``kpi`` split over the people who track it (cached)."""
        if self.plan is None:
            return None
        if kpi.id not in self._quotas:
            self._quotas[kpi.id] = split_for(
                self.plan, kpi, self.members, self.planned_size, self.owner_schedule
            )
        return self._quotas[kpi.id]


def split_for(
    plan: Plan,
    kpi: Kpi,
    members: Sequence[TeamMember],
    planned_size: int | None = None,
    owner_schedule: WorkSchedule | None = None,
) -> Split | None:
    """Split the plan's target for a summed ``kpi`` over the members who track it.

    While fewer people have joined than the plan was made for (``planned_size``), the missing
    ones are vacant seats (:func:`kpi_core.planning.team.split_over_seats`): the first person to
    join a 10-person plan carries a tenth of it, not all of it. Otherwise the arithmetic depends
    only on the target and on each member's working days and weight, so it is shared (cached)
    between teams whose plans have the same shape — at scale most people in one country with
    one working week and one target size.
    """
    target = plan.target_for(kpi.id)
    if target is None or kpi.aggregation is not Aggregation.SUM:
        return None
    tracking = [m for m in members if kpi.id in m.kpi_ids] or list(members)
    if not tracking:
        return None
    quantum = quantum_for(kpi)
    seated = planned_size is not None and owner_schedule is not None and (
        len(tracking) < planned_size)
    if seated or target.personal or any(m.reduced for m in tracking):
        try:
            quota = split_over_seats(
                round_to_quantum(target.target, quantum),
                Period(plan.period_start, plan.period_end),
                tracking,
                planned_size,
                owner_schedule or tracking[0].schedule,
                quantum,
                fixed={k: round_to_quantum(v, quantum) for k, v in target.personal.items()},
                reduced={m.user_id: m.reduced for m in tracking if m.reduced},
            )
        except QuotaError:
            return None
        return Split(quota, {m.user_id: m.user_id for m in tracking})
    shape = tuple(
        (_working_days(plan.period_start, plan.period_end, m.schedule), m.weight)
        for m in tracking
    )
    shared = _split_shape(round_to_quantum(target.target, quantum), quantum, shape)
    if shared is None:
        return None
    return Split(shared, {m.user_id: i for i, m in enumerate(tracking)})


@lru_cache(maxsize=4096)
def _split_shape(
    target: Decimal, quantum: Decimal, shape: tuple[tuple[tuple[date, ...], Decimal], ...]
) -> TeamQuota | None:
    members = [Member(i, days, weight) for i, (days, weight) in enumerate(shape)]
    try:
        return split_plan(target, members, quantum)
    except QuotaError:
        return None  # no working days at all: nothing to split


@lru_cache(maxsize=16384)
def _working_days_cached(start: date, end: date, schedule: WorkSchedule) -> tuple[date, ...]:
    return tuple(working_days(start, end, schedule))


def _working_days(start: date, end: date, schedule: WorkSchedule) -> tuple[date, ...]:
    try:
        return _working_days_cached(start, end, schedule)
    except TypeError:  # a calendar that cannot be hashed: compute it each time
        return tuple(working_days(start, end, schedule))


def catch_up_today(remaining: Decimal, days_left: int, quantum: Decimal) -> Decimal:
    """Today's share when ``remaining`` is spread over ``days_left`` days, today first.

    The same rule as :func:`kpi_core.planning.quotas.catch_up` for one person: whole quanta, the
    leftover quanta on the earliest days — so today gets the rounded-up share when there is a
    leftover. Integer arithmetic: this runs for every KPI of every digest.
    """
    if days_left <= 0 or remaining <= 0:
        return Decimal(0) * quantum
    units = int((remaining / quantum).to_integral_value(rounding=ROUND_CEILING))  # as catch_up
    share, leftover = divmod(units, days_left)
    return (share + (1 if leftover else 0)) * quantum


class Ledger:
    """Logged values by person, metric and day (current values only).

    Sums over a range may be given ready-made (:meth:`add_totals`, summed by the database):
    :meth:`total` over exactly that range answers from them, so the morning digests need the
    period's sums and a few days' values, not every entry of the period.
    """

    __slots__ = ("_totals", "_values")

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._values: dict[tuple[int, str], dict[date, Decimal]] = {}
        self._totals: dict[tuple[date, date], Mapping[tuple[int, str], Decimal]] = {}
        for entry in entries:
            if entry.value is not None:
                self.add(entry.user_id, entry.kpi_id, entry.day, entry.value)

    def add_totals(
        self, start: date, end: date, totals: Mapping[tuple[int, str], Decimal]
    ) -> None:
        """Sums per (person, metric) from ``start`` to ``end``; a pair absent sums to zero."""
        self._totals[(start, end)] = totals

    def add(self, user_id: int, metric_id: str, day: date, value: Decimal) -> None:
        """Set one value."""
        self._values.setdefault((user_id, metric_id), {})[day] = value

    def value(self, user_id: int, metric_id: str, day: date) -> Decimal | None:
        """The value logged for a day, or ``None``."""
        return self._values.get((user_id, metric_id), {}).get(day)

    def total(self, user_id: int, metric_id: str, start: date, end: date) -> Decimal:
        """The sum of the values from ``start`` to ``end`` inclusive."""
        ready = self._totals.get((start, end))
        if ready is not None:
            return ready.get((user_id, metric_id), Decimal(0))
        days = self._values.get((user_id, metric_id), {})
        return sum((v for d, v in days.items() if start <= d <= end), Decimal(0))

    def day_inputs(self, user_id: int, kpi: Kpi, day: date) -> dict[str, Decimal] | None:
        """The KPI's input values logged for a day (``None`` when none is)."""
        found: dict[str, Decimal] = {}
        for metric in kpi.inputs:
            v = self.value(user_id, metric.id, day)
            if v is not None:
                found[metric.id] = v
        return found or None

    def logged_on(self, user_id: int, day: date, metric_ids: Iterable[str]) -> bool:
        """True when the person logged any of ``metric_ids`` on ``day``."""
        return any(self.value(user_id, m, day) is not None for m in metric_ids)


def quantum_for(kpi: Kpi) -> Decimal:
    """Kopecks for money, whole units for everything else."""
    return MONEY_QUANTUM if kpi.unit is Unit.MONEY else COUNT_QUANTUM


def _direction(kpi: Kpi) -> Direction:
    return Direction(kpi.direction.value)


def _label(kpi: Kpi) -> Message:
    return kpi.short_message


# -- one person --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KpiStanding:
    """One KPI of one person on one day.

    Attributes:
        kpi_id: The KPI.
        label: Its short label (``pgettext`` context ``"kpi"``).
        unit: Its unit (``PERCENT`` values are fractions).
        currency: The plan's currency (for money).
        cumulative: True for summed KPIs, False for levels (conversions, averages).
        day: The day reported on (yesterday in the digest, the logged day after logging).
        day_value: What was logged (or the day's level) on ``day``; ``None`` if nothing.
        day_quota: The plan's quota for ``day`` (summed KPIs with a target).
        target: The person's target for the period (their share; the level for levels).
        progress: Progress to date, ``None`` without a target.
        period_value: The period's value so far (sum, or level).
        today: The day ``today_quota`` is for.
        today_quota: What ``today`` needs, catching up on the period (summed KPIs).
        today_plan_quota: What ``today`` needed in the original plan.
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    cumulative: bool
    day: date | None
    day_value: Decimal | None
    day_quota: Decimal | None
    target: Decimal | None
    progress: Progress | None
    period_value: Decimal | None
    today: date
    today_quota: Decimal | None
    today_plan_quota: Decimal | None

    @property
    def status(self) -> Status | None:
        """The progress status, if there is a target."""
        return self.progress.status if self.progress else None


def person_standings(
    team: TeamState,
    user_id: int,
    ledger: Ledger,
    *,
    today: date,
    report_day: date | None,
    include_today: bool,
    report_plan: Plan | None = None,
) -> list[KpiStanding]:
    """Each of the person's KPIs on ``today``.

    Args:
        team: Their team and the plan in force on ``today``.
        user_id: Who.
        ledger: Their entries for the plan's period up to ``today`` (and ``report_day``).
        today: Their local date.
        report_day: The day whose value and quota to show (``None``: none).
        include_today: True when today's values count as done (after logging, /today);
            False in the morning digest (today is still ahead).
        report_plan: The plan in force on ``report_day`` when it is not ``team.plan``.
    """
    member = team.member(user_id)
    if member is None:
        return []
    return [
        _standing(team, member, get_kpi(kpi_id), ledger, today, report_day, include_today,
                  report_plan)
        for kpi_id in member.kpi_ids
    ]


def _standing(
    team: TeamState,
    member: TeamMember,
    kpi: Kpi,
    ledger: Ledger,
    today: date,
    report_day: date | None,
    include_today: bool,
    report_plan: Plan | None,
) -> KpiStanding:
    plan = team.plan
    currency = plan.currency if plan else (report_plan.currency if report_plan else "RUB")
    uid = member.user_id
    logged_today = ledger.logged_on(uid, today, [m.id for m in kpi.inputs])
    today_counts = include_today and logged_today
    as_of = today if today_counts else today - timedelta(days=1)
    day_value = _day_value(kpi, ledger, uid, report_day) if report_day else None
    if kpi.aggregation is Aggregation.SUM:
        return _summed(team, member, kpi, ledger, today, report_day, today_counts, as_of,
                       day_value, report_plan, currency)
    target = plan.target_for(kpi.id) if plan else None
    period_value: Decimal | None = None
    prog: Progress | None = None
    if plan is not None:
        start = plan.period_start
        days = [ledger.day_inputs(uid, kpi, d) for d in _dates(start, min(as_of, plan.period_end))]
        period_value = _aggregate(kpi, days)
        if target is not None and period_value is not None:
            prog = progress(
                target.target, period_value,
                _working_days(plan.period_start, plan.period_end, member.schedule), today,
                today_logged=today_counts, direction=_direction(kpi), cumulative=False,
                quantum=(
                    Decimal("0.0001") if kpi.unit in (Unit.PERCENT, Unit.RATIO) else MONEY_QUANTUM
                ),
            )
    return KpiStanding(
        kpi_id=kpi.id, label=_label(kpi), unit=kpi.unit, currency=currency, cumulative=False,
        day=report_day, day_value=day_value, day_quota=None,
        target=target.target if target else None, progress=prog, period_value=period_value,
        today=today, today_quota=None, today_plan_quota=None,
    )


def _summed(
    team: TeamState,
    member: TeamMember,
    kpi: Kpi,
    ledger: Ledger,
    today: date,
    report_day: date | None,
    today_counts: bool,
    as_of: date,
    day_value: Decimal | None,
    report_plan: Plan | None,
    currency: str,
) -> KpiStanding:
    plan = team.plan
    uid = member.user_id
    metric = kpi.formula.metric.id if isinstance(kpi.formula, Direct) else kpi.id
    split = team.quota(kpi)
    person = split.person(uid) if split else None
    day_quota: Decimal | None = None
    if report_day is not None:
        if report_plan is not None and report_plan is not plan:
            rq = split_for(report_plan, kpi, team.members)
            rp = rq.person(uid) if rq else None
            day_quota = rp.amount_on(report_day) if rp else None
        elif person is not None:
            day_quota = person.amount_on(report_day)
    if plan is None or person is None:
        total = ledger.total(uid, metric, plan.period_start, as_of) if plan else None
        return KpiStanding(
            kpi_id=kpi.id, label=_label(kpi), unit=kpi.unit, currency=currency, cumulative=True,
            day=report_day, day_value=day_value, day_quota=day_quota, target=None,
            progress=None, period_value=total, today=today, today_quota=None,
            today_plan_quota=None,
        )
    actual = ledger.total(uid, metric, plan.period_start, min(as_of, plan.period_end))
    quantum = quantum_for(kpi)
    prog = progress(
        person.total, actual, person.working_days, today, today_logged=today_counts,
        direction=_direction(kpi), cumulative=True, quantum=quantum,
    )
    done_before = ledger.total(uid, metric, plan.period_start, today - timedelta(days=1))
    today_quota: Decimal | None = None
    days = person.working_days
    if plan.period_start <= today <= plan.period_end and today in days:
        left = sum(1 for d in days if d >= today)
        today_quota = catch_up_today(person.total - done_before, left, quantum)
    return KpiStanding(
        kpi_id=kpi.id, label=_label(kpi), unit=kpi.unit, currency=currency, cumulative=True,
        day=report_day, day_value=day_value, day_quota=day_quota, target=person.total,
        progress=prog, period_value=actual, today=today, today_quota=today_quota,
        today_plan_quota=person.amount_on(today),
    )


def _day_value(kpi: Kpi, ledger: Ledger, user_id: int, day: date) -> Decimal | None:
    if isinstance(kpi.formula, Direct):
        return ledger.value(user_id, kpi.formula.metric.id, day)
    inputs = ledger.day_inputs(user_id, kpi, day)
    if inputs is None:
        return None
    return _aggregate(kpi, [inputs])


def _aggregate(kpi: Kpi, days: Sequence[Mapping[str, Decimal] | None]) -> Decimal | None:
    """``catalog.aggregate`` where a day missing one of several inputs counts as no data."""
    complete = [d if d is not None and all(m.id in d for m in kpi.inputs) else None for d in days]
    return aggregate(kpi, complete)


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def worst_status(standings: Iterable[KpiStanding]) -> Status | None:
    """The most urgent status among the standings (``None`` when none has a target)."""
    found = [s.status for s in standings if s.status is not None]
    if not found:
        return None
    return min(found, key=_STATUS_ORDER.index)


# -- streak ------------------------------------------------------------------------------------
def streak_from(
    logged_days: Iterable[date], schedule: WorkSchedule, today: date, *, limit: int = 366
) -> int:
    """Consecutive working days logged, counting back from yesterday (today too if logged).

    Days off do not break a streak; an unlogged working day does.
    """
    logged = set(logged_days)
    count = 0
    day = today if today in logged else today - timedelta(days=1)
    for _ in range(limit):
        if schedule.is_working_day(day):
            if day not in logged:
                break
            count += 1
        day -= timedelta(days=1)
    return count


# -- the morning digest ------------------------------------------------------------------------
class DayPart(StrEnum):
    """The part of the day a greeting fits."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


def day_part(local: time) -> DayPart:
    """Morning from 04:00, afternoon from 12:00, evening from 18:00 (and through the night)."""
    if 4 <= local.hour < 12:
        return DayPart.MORNING
    if 12 <= local.hour < 18:
        return DayPart.AFTERNOON
    return DayPart.EVENING


@dataclass(frozen=True, slots=True)
class PersonDigest:
    """A person's morning digest.

    Attributes:
        user_id: Who.
        today: Their local date.
        report_day: The previous working day the digest reports on (``None``: none found).
        reported: True when they logged anything on ``report_day``.
        standings: Each KPI (day value vs quota, progress, today's quota with catch-up).
        streak: Consecutive working days logged.
        working_today: Whether today is a working day for them.
        has_plan: Whether a plan covers today.
        greeting: The part of the person's day when it goes out (a digest set for 16:00
            says "good afternoon").
    """

    user_id: int
    today: date
    report_day: date | None
    reported: bool
    standings: tuple[KpiStanding, ...]
    streak: int
    working_today: bool
    has_plan: bool
    greeting: DayPart = DayPart.MORNING

    @property
    def status(self) -> Status | None:
        """The most urgent status among the KPIs."""
        return worst_status(self.standings)


def digest_for(
    team: TeamState,
    user_id: int,
    ledger: Ledger,
    *,
    today: date,
    report_day: date | None,
    streak: int,
    report_plan: Plan | None = None,
    greeting: DayPart = DayPart.MORNING,
) -> PersonDigest:
    """Build one person's morning digest for local ``today`` (see :class:`PersonDigest`)."""
    member = team.member(user_id)
    standings = person_standings(team, user_id, ledger, today=today, report_day=report_day,
                                 include_today=False, report_plan=report_plan)
    metric_ids = {m.id for k in (member.kpi_ids if member else ()) for m in get_kpi(k).inputs}
    reported = report_day is not None and ledger.logged_on(user_id, report_day, metric_ids)
    return PersonDigest(
        user_id=user_id, today=today, report_day=report_day, reported=reported,
        standings=tuple(standings), streak=streak,
        working_today=bool(member and member.schedule.is_working_day(today)),
        has_plan=team.plan is not None, greeting=greeting,
    )


# -- the team digest ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TeamKpiLine:
    """A KPI for the whole team.

    For a summed KPI ``progress`` adds up the people's own progress (their actuals, targets
    and what their pace expects by now), so the team's status follows from the figures the
    digest prints for each person: a team whose people are all on track is on track.

    Attributes:
        plan_target: The plan's whole target, when it is more than the people's targets add
            up to (seats nobody has taken yet keep their share).
    """

    kpi_id: str
    label: Message
    unit: Unit
    currency: str
    day_total: Decimal | None
    progress: Progress | None
    period_value: Decimal | None
    plan_target: Decimal | None = None


def combined(parts: Sequence[Progress], today_quantum: Decimal) -> Progress | None:
    """The sum of several people's progress on one summed KPI (``None`` for no parts).

    Target, actual, expected, remaining and projection are sums; pace, completion and the
    status follow from those sums, so a sum of on-track parts is on track.
    """
    if not parts:
        return None
    direction = parts[0].direction
    target = sum((p.target for p in parts), Decimal(0))
    actual = sum((p.actual for p in parts), Decimal(0))
    expected = sum((p.expected_exact for p in parts), Fraction(0))
    got, goal = Fraction(actual), Fraction(target)
    projections = [p.projected_exact for p in parts]
    projected = (sum((x for x in projections if x is not None), Fraction(0))
                 if all(x is not None for x in projections) else None)
    needs = [p.need_per_day_exact for p in parts if p.need_per_day_exact is not None]
    need = sum(needs, Fraction(0)) if needs else None
    rest = sum((Fraction(p.remaining) for p in parts), Fraction(0))
    q = today_quantum
    return Progress(
        target=target, actual=actual, direction=direction, cumulative=True,
        total_days=max(p.total_days for p in parts),
        elapsed_days=max(p.elapsed_days for p in parts),
        remaining_days=max(p.remaining_days for p in parts),
        expected=round_to_quantum(expected, q), expected_exact=expected,
        gap=round_to_quantum(got - expected, q),
        pace=round_to_quantum(got / expected, RATIO_QUANTUM) if expected else None,
        completion=round_to_quantum(got / goal, RATIO_QUANTUM) if goal else None,
        projected=None if projected is None else round_to_quantum(projected, q),
        projected_exact=projected,
        remaining=round_to_quantum(rest, q),
        need_per_day=None if need is None else round_to_quantum(need, q),
        need_per_day_exact=need,
        status=status_for(got, expected, target=goal, direction=direction),
    )


@dataclass(frozen=True, slots=True)
class TeamPersonLine:
    """One person in the team digest.

    ``off``: the day reported on was not a working day for them (a day off, their weekend),
    so nothing was expected of them that day.
    """

    user_id: int
    name: str
    reported: bool
    standings: tuple[KpiStanding, ...]
    off: bool = False

    @property
    def missing(self) -> bool:
        """They have not reported on a day they worked."""
        return not self.reported and not self.off

    @property
    def status(self) -> Status | None:
        """Their most urgent status."""
        return worst_status(self.standings)

    @property
    def completion(self) -> Decimal | None:
        """Their mean completion of summed targets (a fraction), for ranking."""
        values = [s.progress.completion for s in self.standings
                  if s.cumulative and s.progress and s.progress.completion is not None]
        if not values:
            return None
        return round_to_quantum(Fraction(sum(values, Decimal(0))) / len(values), Decimal("0.0001"))


@dataclass(frozen=True, slots=True)
class TeamDigest:
    """The team's morning digest for a linked group chat."""

    team_id: int
    team_name: str
    today: date
    report_day: date | None
    lines: tuple[TeamKpiLine, ...]
    people: tuple[TeamPersonLine, ...]
    has_plan: bool
    leaderboard: bool = False
    """Rank the people (🥇🥈🥉) and show their streaks: the group's opt-in."""
    missing: str = "named"
    """Who has not reported yet: ``"named"``, ``"counted"`` or ``"hidden"``."""
    streaks: Mapping[int, int] = field(default_factory=dict)
    """Working days in a row each person has logged (for the leaderboard)."""


def team_digest(
    team: TeamState, ledger: Ledger, *, today: date, report_day: date | None,
    include_today: bool = False,
) -> TeamDigest:
    """Per-person standing and team totals on local ``today`` (the team owner's date); with
    ``include_today`` what was logged today counts too (the team board, as of now)."""
    people: list[TeamPersonLine] = []
    for m in team.members:
        standings = person_standings(team, m.user_id, ledger, today=today,
                                     report_day=report_day, include_today=include_today)
        metric_ids = {x.id for k in m.kpi_ids for x in get_kpi(k).inputs}
        reported = report_day is not None and ledger.logged_on(m.user_id, report_day, metric_ids)
        off = report_day is not None and not m.schedule.is_working_day(report_day)
        people.append(TeamPersonLine(m.user_id, m.name, reported, tuple(standings), off))
    people.sort(key=lambda p: (-(p.completion or Decimal(-1)), p.name))
    kpi_ids: list[str] = []
    for m in team.members:
        kpi_ids.extend(k for k in m.kpi_ids if k not in kpi_ids)
    # Everyone of the period counts in the team's totals; only those still in the team are
    # listed (someone removed is not asked for today's numbers), and never a stand-in (the
    # figures of someone erased), not even on the day it left.
    lines = [_team_line(team, get_kpi(k), ledger, today, report_day, people, include_today)
             for k in kpi_ids]
    gone = {m.user_id for m in team.members
            if m.anonymous
            or (m.schedule.active_until is not None and m.schedule.active_until < today)}
    shown = tuple(p for p in people if p.user_id not in gone)
    return TeamDigest(team.team_id, team.name, today, report_day, tuple(lines), shown,
                      team.plan is not None)


def _team_line(
    team: TeamState,
    kpi: Kpi,
    ledger: Ledger,
    today: date,
    report_day: date | None,
    people: Sequence[TeamPersonLine] = (),
    include_today: bool = False,
) -> TeamKpiLine:
    plan = team.plan
    currency = plan.currency if plan else "RUB"
    tracking = [m for m in team.members if kpi.id in m.kpi_ids]
    as_of = today if include_today else today - timedelta(days=1)
    day_total: Decimal | None = None
    period_value: Decimal | None = None
    prog: Progress | None = None
    plan_target: Decimal | None = None
    if kpi.aggregation is Aggregation.SUM:
        metric = kpi.formula.metric.id if isinstance(kpi.formula, Direct) else kpi.id
        if report_day is not None:
            values = [ledger.value(m.user_id, metric, report_day) for m in tracking]
            known = [v for v in values if v is not None]
            day_total = sum(known, Decimal(0)) if known else None
        if plan is not None:
            end = min(as_of, plan.period_end)
            period_value = sum((ledger.total(m.user_id, metric, plan.period_start, end)
                                for m in tracking), Decimal(0))
            split = team.quota(kpi)
            if split is not None:
                # The people's own progress, added up: the figures the digest prints.
                parts = [st.progress for line in people for st in line.standings
                         if st.kpi_id == kpi.id and st.cumulative and st.progress is not None]
                prog = combined(parts, quantum_for(kpi))
                whole = split.quota.plan - dropped(split.quota)
                if prog is not None and whole > prog.target:
                    plan_target = whole
    elif plan is not None:
        days: list[Mapping[str, Decimal] | None] = []
        for d in _dates(plan.period_start, min(as_of, plan.period_end)):
            for m in tracking:
                days.append(ledger.day_inputs(m.user_id, kpi, d))
        period_value = _aggregate(kpi, days) if kpi.aggregation is not Aggregation.LAST else None
        target = plan.target_for(kpi.id)
        if target is not None and period_value is not None:
            all_days = sorted({
                d for m in tracking
                for d in _working_days(plan.period_start, plan.period_end, m.schedule)
            })
            prog = progress(target.target, period_value, all_days, today,
                            today_logged=include_today, direction=_direction(kpi),
                            cumulative=False,
                            quantum=Decimal("0.0001"))
    return TeamKpiLine(kpi.id, _label(kpi), kpi.unit, currency, day_total, prog, period_value,
                       plan_target)
