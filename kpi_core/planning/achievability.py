"""Is a target realistic? A warning, with the numbers, before an impossible plan is set.

Unachievable goals make results worse, not better: people stop trying once a plan is out of
reach. So a target is flagged when

* it needs more growth over last period's actual (the *baseline*) than ``max_growth``
  (default :data:`DEFAULT_MAX_GROWTH`, 30 %: a target more than 1.3 × the baseline), or, for a
  lower-is-better KPI, a cut deeper than ``max_growth`` (below 0.7 × the baseline);
* it is above the team's *capacity*: people × activities per person per day × conversion from
  activity to deal × working days × average deal.

Each finding carries a :class:`~kpi_core.messages.Message` for people and the numbers behind
it, for charts and the digest. No baseline (or a zero one) means no growth check; no capacity
means no capacity check.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from kpi_core.messages import N_, NN_, Message, Money, Percent
from kpi_core.parsing.numbers import exact_decimal
from kpi_core.planning.quotas import NegativePlan, round_to_quantum
from kpi_core.tracking.progress import Direction

__all__ = [
    "DEFAULT_MAX_GROWTH",
    "Assessment",
    "Capacity",
    "Concern",
    "Finding",
    "assess_target",
]

DEFAULT_MAX_GROWTH = Decimal("0.30")
"""More than 30 % over last period's actual is flagged."""

_RATIO = Decimal("0.0001")


class Concern(StrEnum):
    """Why a target looks unrealistic."""

    GROWTH_TOO_HIGH = "growth_too_high"
    CUT_TOO_DEEP = "cut_too_deep"
    ABOVE_CAPACITY = "above_capacity"


@dataclass(frozen=True, slots=True)
class Capacity:
    """What a team can produce in a period at its usual activity and conversion.

    Attributes:
        people: Head count (at least 1).
        activities_per_day: Activities (calls, visits) per person per working day.
        conversion: Share of activities that become a deal, in (0, 1].
        working_days: Working days in the period.
        avg_deal: Average deal size; 1 to measure capacity in deals.

    Raises:
        ValueError: A value is out of range (these come from settings or earlier checked
            input, not straight from a person).
    """

    people: int
    activities_per_day: Decimal
    conversion: Decimal
    working_days: int
    avg_deal: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if self.people < 1 or self.working_days < 0 or self.activities_per_day < 0:
            raise ValueError("capacity needs people >= 1, days >= 0 and activities >= 0")
        if not 0 < self.conversion <= 1 or self.avg_deal <= 0:
            raise ValueError("capacity needs a conversion in (0, 1] and a positive deal size")

    @property
    def value(self) -> Decimal:
        """People × activities × conversion × days × average deal, exactly."""
        product = (
            Fraction(self.people)
            * Fraction(self.activities_per_day)
            * Fraction(self.conversion)
            * self.working_days
            * Fraction(self.avg_deal)
        )
        return exact_decimal(product)


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason a target looks unrealistic.

    Attributes:
        concern: What kind of problem.
        message: The explanation for people, with the numbers.
    """

    concern: Concern
    message: Message


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict on a target.

    Attributes:
        target: The target checked.
        baseline: Last period's actual, if known.
        growth_factor: ``target ÷ baseline`` (4 places; 1.5 = one and a half times), if known.
        growth: ``growth_factor - 1`` (0.5 = +50 %; negative for a cut), if known.
        max_growth: The limit used.
        capacity: The team's capacity, if given.
        shortfall: How far the target is above capacity (zero when within it or unknown).
        suggested: The most the growth limit allows (baseline × (1 + max_growth)), or for a
            lower-is-better KPI the least (baseline × (1 - max_growth)); ``None`` without
            baseline.
        findings: Reasons the target looks unrealistic; empty when it looks fine.
    """

    target: Decimal
    baseline: Decimal | None
    growth_factor: Decimal | None
    growth: Decimal | None
    max_growth: Decimal
    capacity: Decimal | None
    shortfall: Decimal
    suggested: Decimal | None
    findings: tuple[Finding, ...]

    @property
    def realistic(self) -> bool:
        """True when nothing was flagged."""
        return not self.findings

    @property
    def messages(self) -> tuple[Message, ...]:
        """The findings' messages, in order."""
        return tuple(f.message for f in self.findings)


def assess_target(
    target: Decimal,
    *,
    baseline: Decimal | None = None,
    capacity: Capacity | None = None,
    max_growth: Decimal = DEFAULT_MAX_GROWTH,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    currency: str | None = None,
) -> Assessment:
    """Check a target against last period's actual and the team's capacity.

    Args:
        target: The period target (zero or more).
        baseline: Last period's actual, if known.
        capacity: The team's capacity, if known (checked for higher-is-better KPIs only).
        max_growth: Growth (or, lower-is-better, cut) above which a target is flagged.
        direction: Higher or lower is better.
        currency: ISO code when the amounts are money (messages then show ``Money``).

    Returns:
        The assessment. Example: target 10,000,000 after 6,000,000 last month: growth factor
        1.6667 (+66.67 %), flagged as GROWTH_TOO_HIGH, suggested at most 7,800,000.

    Raises:
        NegativePlan: ``target`` is negative.
        ValueError: ``max_growth`` is negative.
    """
    if target < 0:
        raise NegativePlan(target)
    if max_growth < 0:
        raise ValueError("max_growth must be zero or more")

    findings: list[Finding] = []
    factor = growth = suggested = None
    if baseline is not None and baseline > 0:
        ratio = Fraction(target) / Fraction(baseline)
        factor = round_to_quantum(ratio, _RATIO)
        growth = round_to_quantum(ratio - 1, _RATIO)
        limit = Fraction(max_growth)
        params: dict[str, object] = {
            "target": _amount(target, currency),
            "baseline": _amount(baseline, currency),
            "limit": Percent(max_growth),
        }
        if direction is Direction.HIGHER_IS_BETTER:
            suggested = exact_decimal(Fraction(baseline) * (1 + limit))
            if ratio > 1 + limit:
                params |= {
                    "growth": Percent(growth),
                    "factor": factor,
                    "suggested": _amount(suggested, currency),
                }
                findings.append(
                    Finding(
                        Concern.GROWTH_TOO_HIGH,
                        Message(
                            N_(
                                "The target {target} is {factor} times last period's {baseline}"
                                " (+{growth}). Growth of more than {limit} in one period is rarely"
                                " reached, and a target out of reach tends to make results worse."
                                " Consider at most {suggested}."
                            ),
                            params,
                        ),
                    )
                )
        else:
            suggested = exact_decimal(Fraction(baseline) * max(1 - limit, Fraction(0)))
            if ratio < 1 - limit:
                params |= {"cut": Percent(-growth), "suggested": _amount(suggested, currency)}
                findings.append(
                    Finding(
                        Concern.CUT_TOO_DEEP,
                        Message(
                            N_(
                                "The target {target} is {cut} below last period's {baseline}. "
                                "A cut of more than {limit} in one period is rarely reached, "
                                "and a target out of reach tends to make results worse. "
                                "Consider at least {suggested}."
                            ),
                            params,
                        ),
                    )
                )

    capacity_value: Decimal | None = None
    shortfall = Decimal(0)
    if capacity is not None:
        capacity_value = capacity.value
        if direction is Direction.HIGHER_IS_BETTER and target > capacity_value:
            shortfall = exact_decimal(Fraction(target) - Fraction(capacity_value))
            findings.append(
                Finding(Concern.ABOVE_CAPACITY, _capacity_message(target, capacity, currency))
            )
    return Assessment(
        target=target,
        baseline=baseline,
        growth_factor=factor,
        growth=growth,
        max_growth=max_growth,
        capacity=capacity_value,
        shortfall=shortfall,
        suggested=suggested,
        findings=tuple(findings),
    )


def _amount(value: Decimal, currency: str | None) -> Decimal | Money:
    return Money(value, currency) if currency else value


def _capacity_message(target: Decimal, capacity: Capacity, currency: str | None) -> Message:
    value = capacity.value
    shortfall = exact_decimal(Fraction(target) - Fraction(value))
    person, people_ = NN_("{count} person", "{count} people")
    day, days_ = NN_("{count} working day", "{count} working days")
    people = Message(person, plural=people_, count=capacity.people)
    days = Message(day, plural=days_, count=capacity.working_days)
    params: dict[str, object] = {
        "target": _amount(target, currency),
        "capacity": _amount(value, currency),
        "shortfall": _amount(shortfall, currency),
        "people": people,
        "activities": capacity.activities_per_day,
        "conversion": Percent(capacity.conversion),
        "days": days,
    }
    if capacity.avg_deal == 1:
        msgid = N_(
            "The target {target} is above what the team can do: {people} × {activities} a day"
            " × {conversion} conversion × {days} = {capacity}. That is {shortfall} short: add"
            " people or activity, improve conversion, or lower the target."
        )
    else:
        params["avg_deal"] = _amount(capacity.avg_deal, currency)
        msgid = N_(
            "The target {target} is above what the team can do: {people} × {activities} a day"
            " × {conversion} conversion × {days} × {avg_deal} average deal = {capacity}. That"
            " is {shortfall} short: add people or activity, improve conversion, or lower the"
            " target."
        )
    return Message(msgid, params)
