"""The reverse funnel: from a revenue plan back to the activity that produces it.

Revenue = deals × average deal, and each stage feeds the next at a conversion rate::

    calls --0.2--> meetings --0.5--> proposals --0.5--> deals

so deals = revenue ÷ average deal, proposals = deals ÷ 0.5, meetings = proposals ÷ 0.5,
calls = meetings ÷ 0.2. The seeds' marketing example works the same way: leads --0.8--> QL.

Every need is kept **exact** (``Fraction``) and also given **rounded up** to whole units, since
nobody makes 0.3 of a call. Rounding is not compounded: each stage is its exact need rounded
up, and the rounded count still covers the stage below on average (437 proposals × 0.5 =
218.5 ≥ 218.3 deals). Per-day and per-person counts are the exact need divided first and
rounded up last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

from kpi_core.errors import DomainError
from kpi_core.messages import N_, NP_, Message
from kpi_core.parsing.numbers import MAX_VALUE, exact_number

__all__ = [
    "STAGE_LABELS",
    "BrokenFunnel",
    "Conversion",
    "Funnel",
    "FunnelError",
    "FunnelTooLarge",
    "InvalidFunnelValue",
    "InvalidRate",
    "StageNeed",
    "order_conversions",
    "revenue_funnel",
    "reverse_funnel",
    "stage_label",
]


class FunnelError(DomainError):
    """Base class for funnel input the user can fix."""


class InvalidRate(FunnelError):
    """A conversion rate outside (0, 1]."""

    def __init__(self, conversion: Conversion) -> None:
        super().__init__(
            Message(
                N_(
                    "The conversion from {source} to {target} must be more than 0 and at most 1"
                    " (100%), like 0.2 or 20%; got {rate}."
                ),
                {
                    "source": stage_label(conversion.source),
                    "target": stage_label(conversion.target),
                    "rate": exact_number(conversion.rate),
                },
            )
        )
        self.conversion = conversion


class InvalidFunnelValue(FunnelError):
    """A revenue, average deal, target, head count or day count that is not positive."""

    # The examples are parameters, so that each language groups their digits its own way
    # ("10,000,000" in English, "10 000 000" in Russian).
    REVENUE = N_("The revenue plan must be more than zero, like {example}.")
    AVG_DEAL = N_("The average deal size must be more than zero, like {example}.")
    TARGET = N_("The target must be more than zero, like {example}.")
    PEOPLE = N_("The number of people must be a whole number, at least 1.")
    DAYS = N_("The number of working days must be a whole number, at least 1.")
    EXAMPLES: Mapping[str, int] = {REVENUE: 10_000_000, AVG_DEAL: 45_000, TARGET: 100}

    def __init__(self, msgid: str, value: object) -> None:
        example = self.EXAMPLES.get(msgid)
        super().__init__(Message(msgid, {} if example is None else {"example": example}))
        self.value = value


class FunnelTooLarge(FunnelError):
    """A stage would need more than any KPI holds (:data:`~kpi_core.parsing.numbers.MAX_VALUE`):
    tiny rates or a tiny average deal. Such a target could not be saved either."""

    def __init__(self, stage: str) -> None:
        super().__init__(
            Message(
                N_(
                    "This plan needs more than {limit} at the stage “{stage}”, more than any KPI"
                    " can hold: check the conversion rates and the average deal size."
                ),
                {"limit": MAX_VALUE, "stage": stage_label(stage)},
            )
        )
        self.stage = stage


class BrokenFunnel(FunnelError):
    """Conversion steps that do not form a single chain of stages."""

    def __init__(self) -> None:
        super().__init__(
            Message(
                N_(
                    "The conversion steps must form one chain from the first stage to the"
                    " last, like call→meeting, meeting→proposal, proposal→deal, each stage once."
                )
            )
        )


@dataclass(frozen=True, slots=True)
class Conversion:
    """One step of the funnel.

    Attributes:
        source: The stage that converts (``"call"``).
        target: The stage it converts into (``"meeting"``).
        rate: The share of ``source`` that becomes ``target``, in (0, 1].
    """

    source: str
    target: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class StageNeed:
    """What one stage needs over the period.

    Attributes:
        stage: The stage name.
        exact: The exact need for the team over the period.
        total: ``exact`` rounded up.
        per_person: The exact need per person, rounded up.
        per_day: The exact need per working day (team), rounded up; ``None`` without days.
        per_person_per_day: The exact need per person per working day, rounded up; ``None``
            without days.
    """

    stage: str
    exact: Fraction
    total: int
    per_person: int
    per_day: int | None
    per_person_per_day: int | None


@dataclass(frozen=True, slots=True)
class Funnel:
    """A computed reverse funnel.

    Attributes:
        stages: Needs from the top of the funnel (calls) to the bottom (deals).
        conversions: The steps, top to bottom.
        people: Head count the needs are divided by.
        working_days: Working days the needs are divided by, if given.
        revenue: The revenue plan, when the funnel started from revenue.
        avg_deal: The average deal size, when the funnel started from revenue.
        overall_rate: Share of the first stage that reaches the last (product of the rates).
    """

    stages: tuple[StageNeed, ...]
    conversions: tuple[Conversion, ...]
    people: int
    working_days: int | None
    revenue: Decimal | None
    avg_deal: Decimal | None
    overall_rate: Fraction

    def stage(self, name: str) -> StageNeed:
        """Return the need of stage ``name`` (``KeyError`` if the funnel has no such stage)."""
        for need in self.stages:
            if need.stage == name:
                return need
        raise KeyError(name)

    @property
    def top(self) -> StageNeed:
        """The first stage (the activity people control day to day)."""
        return self.stages[0]

    @property
    def bottom(self) -> StageNeed:
        """The last stage (deals)."""
        return self.stages[-1]


def _label(context_and_msgid: tuple[str, str]) -> Message:
    context, msgid = context_and_msgid
    return Message(msgid, context=context)


STAGE_LABELS: Mapping[str, Message] = {
    # Translators: a column/row label in the reverse funnel table.
    "call": _label(NP_("funnel stage", "Calls")),
    "meeting": _label(NP_("funnel stage", "Meetings")),
    "proposal": _label(NP_("funnel stage", "Proposals")),
    "invoice": _label(NP_("funnel stage", "Invoices")),
    "deal": _label(NP_("funnel stage", "Deals")),
    "lead": _label(NP_("funnel stage", "Leads")),
    "ql": _label(NP_("funnel stage", "Qualified leads")),
    "demo": _label(NP_("funnel stage", "Demos")),
    "visit": _label(NP_("funnel stage", "Visits")),
    "application": _label(NP_("funnel stage", "Applications")),
    "contract": _label(NP_("funnel stage", "Contracts")),
    "payment": _label(NP_("funnel stage", "Payments")),
    "order": _label(NP_("funnel stage", "Orders")),
}
"""Labels of the well-known stages, keyed by singular lower-case name."""

_ALIASES = {"sale": "deal", "sales": "deal", "qualified_lead": "ql", "sql": "ql", "mql": "ql"}


def stage_label(stage: str) -> Message | str:
    """Return a translatable label for a well-known stage, else the name as given.

    ``call``, ``calls`` and ``Calls`` all map to the "Calls" label.
    """
    key = stage.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in STAGE_LABELS and key.endswith("s"):
        key = _ALIASES.get(key[:-1], key[:-1])
    return STAGE_LABELS.get(key, stage)


def order_conversions(conversions: Sequence[Conversion]) -> tuple[Conversion, ...]:
    """Check the steps form one chain and return them top to bottom (any input order).

    Raises:
        BrokenFunnel: A stage appears twice on one side, the steps branch, loop or leave gaps.
        InvalidRate: A rate is not in (0, 1].
    """
    for step in conversions:
        if not (step.rate.is_finite() and 0 < step.rate <= 1):
            raise InvalidRate(step)
        if step.source == step.target:
            raise BrokenFunnel()
    by_source = {c.source: c for c in conversions}
    targets = {c.target for c in conversions}
    if len(by_source) != len(conversions) or len(targets) != len(conversions):
        raise BrokenFunnel()
    if not conversions:
        return ()
    heads = [c for c in conversions if c.source not in targets]
    if len(heads) != 1:
        raise BrokenFunnel()
    chain = [heads[0]]
    while chain[-1].target in by_source:
        chain.append(by_source[chain[-1].target])
    if len(chain) != len(conversions):
        raise BrokenFunnel()
    return tuple(chain)


def reverse_funnel(
    final_count: Decimal,
    conversions: Sequence[Conversion],
    *,
    final_stage: str = "deal",
    people: int = 1,
    working_days: int | None = None,
) -> Funnel:
    """Work back from a count of the last stage (deals, qualified leads) to the first.

    Args:
        final_count: How many of the last stage the period needs (more than zero).
        conversions: The steps, in any order; they must form one chain.
        final_stage: Name of the last stage when ``conversions`` is empty.
        people: Head count to divide by (at least 1).
        working_days: Working days to divide by (at least 1), or ``None``.

    Returns:
        The funnel, top stage first. Example: 80 qualified leads at lead→QL 0.8 need
        100 leads.

    Raises:
        InvalidFunnelValue: ``final_count``, ``people`` or ``working_days`` is not positive.
        InvalidRate: A rate is not in (0, 1].
        BrokenFunnel: The steps do not form one chain.
        FunnelTooLarge: A stage would need more than ``MAX_VALUE``.
    """
    if not (final_count.is_finite() and final_count > 0):
        raise InvalidFunnelValue(InvalidFunnelValue.TARGET, final_count)
    return _build(Fraction(final_count), conversions, final_stage, people, working_days, None, None)


def revenue_funnel(
    revenue: Decimal,
    avg_deal: Decimal,
    conversions: Sequence[Conversion],
    *,
    final_stage: str = "deal",
    people: int = 1,
    working_days: int | None = None,
) -> Funnel:
    """Work back from a revenue plan: deals = revenue ÷ average deal, then up the funnel.

    Args:
        revenue: The revenue plan for the period (more than zero).
        avg_deal: The average deal size (more than zero).
        conversions: The steps, in any order; the last stage is the deal.
        final_stage: Name of the last stage when ``conversions`` is empty.
        people: Head count to divide by (at least 1).
        working_days: Working days to divide by (at least 1), or ``None``.

    Returns:
        The funnel. Example: 10,000,000 at 45,000 a deal is 222.2… → 223 deals; with
        proposal→deal 0.5, meeting→proposal 0.5 and call→meeting 0.2 that is 4,445 calls
        (4,444.4… exact), 203 a day over 22 days, 21 per person per day for 10 people.

    Raises:
        InvalidFunnelValue: A value is not positive.
        InvalidRate: A rate is not in (0, 1].
        BrokenFunnel: The steps do not form one chain.
        FunnelTooLarge: A stage would need more than ``MAX_VALUE``.
    """
    if not (revenue.is_finite() and revenue > 0):
        raise InvalidFunnelValue(InvalidFunnelValue.REVENUE, revenue)
    if not (avg_deal.is_finite() and avg_deal > 0):
        raise InvalidFunnelValue(InvalidFunnelValue.AVG_DEAL, avg_deal)
    deals = Fraction(revenue) / Fraction(avg_deal)
    return _build(deals, conversions, final_stage, people, working_days, revenue, avg_deal)


def _build(
    final: Fraction,
    conversions: Sequence[Conversion],
    final_stage: str,
    people: int,
    working_days: int | None,
    revenue: Decimal | None,
    avg_deal: Decimal | None,
) -> Funnel:
    if isinstance(people, bool) or not isinstance(people, int) or people < 1:
        raise InvalidFunnelValue(InvalidFunnelValue.PEOPLE, people)
    if working_days is not None and (
        isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1
    ):
        raise InvalidFunnelValue(InvalidFunnelValue.DAYS, working_days)
    chain = order_conversions(conversions)
    names = [c.source for c in chain] + [chain[-1].target if chain else final_stage]
    exact = [final]
    for step in reversed(chain):
        exact.append(exact[-1] / Fraction(step.rate))
    exact.reverse()
    for name, need in zip(names, exact, strict=True):
        if need > MAX_VALUE:
            raise FunnelTooLarge(name)
    overall = Fraction(1)
    for step in chain:
        overall *= Fraction(step.rate)
    stages = tuple(
        StageNeed(
            stage=name,
            exact=need,
            total=ceil(need),
            per_person=ceil(need / people),
            per_day=None if working_days is None else ceil(need / working_days),
            per_person_per_day=(
                None if working_days is None else ceil(need / working_days / people)
            ),
        )
        for name, need in zip(names, exact, strict=True)
    )
    return Funnel(
        stages=stages,
        conversions=chain,
        people=people,
        working_days=working_days,
        revenue=revenue,
        avg_deal=avg_deal,
        overall_rate=overall,
    )
