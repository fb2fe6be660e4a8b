"""The KPI catalog, as data.

Every KPI is a frozen :class:`Kpi` value: names and descriptions are English msgids (the
adapters translate them), the formula is a small expression tree over :class:`Metric` inputs,
and the facts that advice depends on (unit, which way is better, how a period adds up, who
controls it, what data it needs, whether it is logged daily, whether it is a lever or a result,
sound benchmarks) are fields. Adding a KPI means adding one entry to ``_KPIS`` (and its metrics
to ``_METRICS``); ``tests/unit/test_catalog.py`` checks the catalog's consistency.

Data needs: each :class:`Metric` lists the sources that can give its number, *any one of
which* suffices. A KPI needs *every* metric of its formula, so its requirement is a
conjunction of alternatives (:attr:`Kpi.requires`): a tuple of groups, each group satisfied by
any one source in it. ``DataSource.MANUAL`` (counting by hand) appears only on activity counts
that a person can honestly tally in a notebook: calls, meetings, proposals and the like.

Ideas the catalog encodes (from the project's seed material): a KPI is what a person can move
directly, often within a day; revenue and qualified leads are results of such KPIs
(revenue = managers × calls per day × call-to-purchase conversion). A marketer is measured on
what marketing controls (leads, traffic, cost per lead, click-through, ROI of the budget they
run), the sales team on what happens to a lead next (lead-to-qualified-lead conversion,
meetings, proposals, deals). A period's conversion is Σ numerators ÷ Σ denominators, never an
average of daily ratios.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import TypeAlias

from kpi_core.advice.profile import Controller, DataSource
from kpi_core.errors import DomainError
from kpi_core.messages import N_, NP_, Message

# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------


class Unit(StrEnum):
    """What a KPI's value is measured in.

    ``PERCENT`` values are fractions (``Decimal("0.8")`` is 80 %), like
    :class:`~kpi_core.messages.Percent`. ``RATIO`` is "N to 1" (marketing ROI 5 is 5:1).
    ``MONEY`` carries no currency: the plan's currency applies.
    """

    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"
    SCORE = "score"
    MINUTES = "minutes"
    DAYS = "days"
    YEARS = "years"


class Direction(StrEnum):
    """Which way is better."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Aggregation(StrEnum):
    """How daily values add up over a period (a week, a month).

    * ``SUM``: counts and money (calls, leads, revenue).
    * ``AVERAGE``: the mean of the days that have a value (minutes to answer a request).
    * ``LAST``: the latest value; for figures computed once per period (retention, CLV).
    * ``RATIO_OF_SUMS``: sum every formula input over the period, then apply the formula:
      a month's conversion is Σ qualified leads ÷ Σ leads, never the mean of daily ratios.
    """

    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"
    RATIO_OF_SUMS = "ratio_of_sums"


class Area(StrEnum):
    """The part of the business a KPI belongs to (for grouping in lists)."""

    MARKETING = "marketing"
    SALES = "sales"
    CUSTOMERS = "customers"
    FINANCE = "finance"


class BenchmarkKind(StrEnum):
    """How much weight a benchmark carries."""

    GOOD = "good"
    """A widely quoted "good" level."""
    EXCEPTIONAL = "exceptional"
    """A widely quoted "exceptional" level: possible, not to be expected."""
    EXAMPLE_NORM = "example_norm"
    """A norm from one published case: an example to adapt, not a universal standard."""


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A reference level for a KPI, in the KPI's unit (fractions for percentages)."""

    kind: BenchmarkKind
    value: Decimal


@dataclass(frozen=True, slots=True)
class Metric:
    """A raw number a KPI is computed from.

    Attributes:
        id: Stable snake_case id. For a KPI whose formula is just this metric, the KPI has the
            same id, so values logged for that KPI feed every formula that uses the metric.
        name: English msgid, a lowercase noun phrase used inside formulas ("marketing spend").
        unit: The metric's unit.
        sources: Where the number can come from; any one of them suffices.
        aliases: Words people type to log this metric when it is not itself a KPI
            (lowercase, ``ё`` written as ``е``).
    """

    id: str
    name: str
    unit: Unit
    sources: frozenset[DataSource]
    aliases: tuple[str, ...] = ()

    @property
    def name_message(self) -> Message:
        """The metric's name as a message."""
        return Message(self.name)


@dataclass(frozen=True, slots=True)
class Constant:
    """A fixed number in a formula (NPS is multiplied by 100)."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class Ratio:
    """``numerator ÷ denominator``; undefined (``None``) when the denominator is zero."""

    numerator: Term
    denominator: Term


@dataclass(frozen=True, slots=True)
class Product:
    """``factor × factor × ...``."""

    factors: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Sum:
    """``term + term + ...``."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Difference:
    """``minuend − subtrahend``."""

    minuend: Term
    subtrahend: Term


@dataclass(frozen=True, slots=True)
class Direct:
    """The KPI is the metric itself (a count or an amount)."""

    metric: Metric


Term: TypeAlias = Metric | Constant | Ratio | Product | Sum | Difference
Formula: TypeAlias = Direct | Ratio | Product | Sum | Difference


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI of the catalog.

    Attributes:
        id: Stable snake_case id (stored in the database; never rename).
        area: Marketing, sales, customers or finance.
        name: English msgid of the full name.
        short: English msgid of a short button label, translated with context ``"kpi"``.
        description: English msgid: what it shows and how to use it.
        formula: How it is computed from metrics.
        unit: What the value is measured in.
        direction: Which way is better.
        aggregation: How daily values add up over a period.
        controlled_by: Who can move it by their own work.
        loggable_daily: True when its inputs can be entered every working day.
        leading: True for a lever (an activity or a rate the person moves within a day);
            False for a result (revenue, margin, retention).
        benchmarks: Sound reference levels, when there are any.
        benchmark_note: English msgid that explains the benchmarks and their limits.
        aliases: Lowercase words people type to log it (both languages, ``ё`` as ``е``).
    """

    id: str
    area: Area
    name: str
    short: str
    description: str
    formula: Formula
    unit: Unit
    direction: Direction
    aggregation: Aggregation
    controlled_by: frozenset[Controller]
    loggable_daily: bool
    leading: bool
    aliases: tuple[str, ...]
    benchmarks: tuple[Benchmark, ...] = ()
    benchmark_note: str | None = None

    @property
    def name_message(self) -> Message:
        """The full name as a message."""
        return Message(self.name)

    @property
    def short_message(self) -> Message:
        """The short button label as a ``pgettext`` message (context ``"kpi"``)."""
        return Message(self.short, context=SHORT_CONTEXT)

    @property
    def description_message(self) -> Message:
        """The description as a message."""
        return Message(self.description)

    @property
    def formula_message(self) -> Message:
        """The formula in words, e.g. "qualified leads ÷ leads"."""
        return render_formula(self.formula)

    @property
    def benchmark_message(self) -> Message | None:
        """The benchmark note as a message, if the KPI has one."""
        return Message(self.benchmark_note) if self.benchmark_note else None

    @property
    def inputs(self) -> tuple[Metric, ...]:
        """The metrics the formula uses, in order of appearance, each once."""
        return formula_inputs(self.formula)

    @property
    def requires(self) -> tuple[frozenset[DataSource], ...]:
        """Data needs: every group must be covered by at least one available source."""
        return minimal_groups(m.sources for m in self.inputs)

    @property
    def data_sources(self) -> frozenset[DataSource]:
        """Every source that can contribute to this KPI (the union of :attr:`requires`)."""
        return frozenset().union(*self.requires)


SHORT_CONTEXT = "kpi"
"""The ``pgettext`` context of :attr:`Kpi.short`."""


class UnknownKpi(DomainError):
    """No KPI with this id in the catalog."""

    def __init__(self, kpi_id: str) -> None:
        super().__init__(Message(N_("There is no KPI “{kpi_id}”."), {"kpi_id": kpi_id}))
        self.kpi_id = kpi_id


class UnknownMetric(DomainError):
    """No metric with this id in the catalog."""

    def __init__(self, metric_id: str) -> None:
        super().__init__(Message(N_("There is no metric “{metric_id}”."), {"metric_id": metric_id}))
        self.metric_id = metric_id


class MissingValue(DomainError):
    """A formula needs a metric's value that was not given."""

    def __init__(self, metric: Metric) -> None:
        super().__init__(
            Message(N_("A value for {metric} is needed."), {"metric": metric.name_message})
        )
        self.metric = metric


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------

_UNIT_LABELS: dict[Unit, tuple[str, str]] = {
    Unit.MONEY: NP_("unit", "money"),
    Unit.COUNT: NP_("unit", "count"),
    Unit.PERCENT: NP_("unit", "percent"),
    Unit.RATIO: NP_("unit", "ratio (N:1)"),
    Unit.SCORE: NP_("unit", "score from −100 to 100"),
    Unit.MINUTES: NP_("unit", "minutes"),
    Unit.DAYS: NP_("unit", "days"),
    Unit.YEARS: NP_("unit", "years"),
}
_DIRECTION_LABELS: dict[Direction, tuple[str, str]] = {
    Direction.HIGHER_IS_BETTER: NP_("direction", "higher is better"),
    Direction.LOWER_IS_BETTER: NP_("direction", "lower is better"),
}
_AGGREGATION_LABELS: dict[Aggregation, tuple[str, str]] = {
    Aggregation.SUM: NP_("aggregation", "sum of the days"),
    Aggregation.AVERAGE: NP_("aggregation", "average of the days"),
    Aggregation.LAST: NP_("aggregation", "latest value"),
    Aggregation.RATIO_OF_SUMS: NP_("aggregation", "calculated on the period's totals"),
}
_AREA_LABELS: dict[Area, tuple[str, str]] = {
    Area.MARKETING: NP_("area", "Marketing"),
    Area.SALES: NP_("area", "Sales"),
    Area.CUSTOMERS: NP_("area", "Customers"),
    Area.FINANCE: NP_("area", "Finance"),
}
_BENCHMARK_LABELS: dict[BenchmarkKind, tuple[str, str]] = {
    BenchmarkKind.GOOD: NP_("benchmark", "good"),
    BenchmarkKind.EXCEPTIONAL: NP_("benchmark", "exceptional"),
    BenchmarkKind.EXAMPLE_NORM: NP_("benchmark", "example norm"),
}


def _ctx(pair: tuple[str, str]) -> Message:
    context, msgid = pair
    return Message(msgid, context=context)


def unit_label(unit: Unit) -> Message:
    """Human name of a unit (context ``"unit"``)."""
    return _ctx(_UNIT_LABELS[unit])


def direction_label(direction: Direction) -> Message:
    """"higher is better" / "lower is better" (context ``"direction"``)."""
    return _ctx(_DIRECTION_LABELS[direction])


def aggregation_label(aggregation: Aggregation) -> Message:
    """How a period adds up, in words (context ``"aggregation"``)."""
    return _ctx(_AGGREGATION_LABELS[aggregation])


def area_label(area: Area) -> Message:
    """Name of an area (context ``"area"``)."""
    return _ctx(_AREA_LABELS[area])


def benchmark_label(kind: BenchmarkKind) -> Message:
    """Name of a benchmark level (context ``"benchmark"``)."""
    return _ctx(_BENCHMARK_LABELS[kind])


# --------------------------------------------------------------------------------------------
# Formulas: inputs, rendering, evaluation
# --------------------------------------------------------------------------------------------

# Translators: formula operators; keep the placeholders. "÷" may become ":" or "/" if usual.
_DIV = N_("{numerator} ÷ {denominator}")
_MUL = N_("{left} × {right}")
_ADD = N_("{left} + {right}")
_SUB = N_("{left} − {right}")
_PAREN = N_("({expression})")


def formula_inputs(formula: Formula | Term) -> tuple[Metric, ...]:
    """The metrics a formula uses, in order of appearance, each once."""
    found: list[Metric] = []

    def walk(node: Formula | Term) -> None:
        if isinstance(node, Metric):
            if node not in found:
                found.append(node)
        elif isinstance(node, Direct):
            walk(node.metric)
        elif isinstance(node, Ratio):
            walk(node.numerator)
            walk(node.denominator)
        elif isinstance(node, Difference):
            walk(node.minuend)
            walk(node.subtrahend)
        elif isinstance(node, Product):
            for f in node.factors:
                walk(f)
        elif isinstance(node, Sum):
            for t in node.terms:
                walk(t)

    walk(formula)
    return tuple(found)


def _is_atom(node: Formula | Term) -> bool:
    return isinstance(node, Metric | Constant | Direct)


def _paren(node: Term, when: bool) -> Message:
    inner = render_formula(node)
    return Message(_PAREN, {"expression": inner}) if when else inner


def _chain(template: str, parts: Sequence[Message]) -> Message:
    result = parts[0]
    for part in parts[1:]:
        result = Message(template, {"left": result, "right": part})
    return result


def render_formula(formula: Formula | Term) -> Message:
    """Render a formula as a message, e.g. "(revenue − cost of goods sold) ÷ revenue".

    Sums and differences are put in parentheses inside products and ratios; a compound
    denominator is always parenthesised.
    """
    if isinstance(formula, Direct):
        return formula.metric.name_message
    if isinstance(formula, Metric):
        return formula.name_message
    if isinstance(formula, Constant):
        # "{value}" is not text to translate: the renderer formats the number for the locale.
        return Message("{value}", {"value": formula.value})
    if isinstance(formula, Ratio):
        return Message(
            _DIV,
            {
                "numerator": _paren(
                    formula.numerator, isinstance(formula.numerator, Sum | Difference)
                ),
                "denominator": _paren(formula.denominator, not _is_atom(formula.denominator)),
            },
        )
    if isinstance(formula, Product):
        return _chain(_MUL, [_paren(f, isinstance(f, Sum | Difference)) for f in formula.factors])
    if isinstance(formula, Sum):
        return _chain(_ADD, [render_formula(t) for t in formula.terms])
    return Message(
        _SUB,
        {
            "left": render_formula(formula.minuend),
            "right": _paren(formula.subtrahend, isinstance(formula.subtrahend, Sum | Difference)),
        },
    )


def evaluate(formula: Formula | Term, values: Mapping[str, Decimal]) -> Decimal | None:
    """Compute a formula from metric values (keyed by metric id).

    Arithmetic is exact ``Decimal`` (28 significant digits for divisions); nothing is rounded
    here. Extra keys are ignored.

    Returns:
        The value, or ``None`` when a division by zero makes it undefined (no leads yet
        means no conversion, not a conversion of zero).

    Raises:
        MissingValue: an input metric has no value in ``values``.
    """
    with localcontext() as ctx:
        ctx.prec = 28
        return _eval(formula, values)


def _eval(node: Formula | Term, values: Mapping[str, Decimal]) -> Decimal | None:
    if isinstance(node, Direct):
        return _eval(node.metric, values)
    if isinstance(node, Metric):
        if node.id not in values:
            raise MissingValue(node)
        return Decimal(values[node.id])
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, Ratio):
        num = _eval(node.numerator, values)
        den = _eval(node.denominator, values)
        if num is None or den is None or den == 0:
            return None
        return num / den
    if isinstance(node, Difference):
        a = _eval(node.minuend, values)
        b = _eval(node.subtrahend, values)
        return None if a is None or b is None else a - b
    parts = [_eval(p, values) for p in (node.factors if isinstance(node, Product) else node.terms)]
    if any(p is None for p in parts):
        return None
    total = Decimal(1) if isinstance(node, Product) else Decimal(0)
    for p in parts:
        assert p is not None
        total = total * p if isinstance(node, Product) else total + p
    return total


DayValue: TypeAlias = Decimal | Mapping[str, Decimal]
"""One day's data for a KPI: its value, or the values of its formula's inputs by metric id."""


def aggregate(kpi: Kpi, days: Iterable[DayValue | None]) -> Decimal | None:
    """Add up a KPI over a period, the way its :attr:`Kpi.aggregation` says.

    Args:
        kpi: The KPI.
        days: The days of the period in date order. Each is the KPI's value for that day, or a
            mapping of its input metrics (metric id → value), or ``None`` for a day without
            data. ``RATIO_OF_SUMS`` KPIs need the mappings: their inputs are summed over the
            days that have *all* inputs, then the formula is applied once.

    Returns:
        The period's value, or ``None`` when there is no data (or a zero denominator).

    Raises:
        ValueError: a ``RATIO_OF_SUMS`` KPI got a bare value instead of its inputs.
        MissingValue: a mapping lacks an input of a KPI that is not ``RATIO_OF_SUMS``.
    """
    if kpi.aggregation is Aggregation.RATIO_OF_SUMS:
        ids = [m.id for m in kpi.inputs]
        totals = dict.fromkeys(ids, Decimal(0))
        seen = False
        for day in days:
            if day is None:
                continue
            if not isinstance(day, Mapping):
                raise ValueError(f"{kpi.id} aggregates as a ratio of sums: pass its inputs {ids}")
            if all(i in day and day[i] is not None for i in ids):
                seen = True
                for i in ids:
                    totals[i] += Decimal(day[i])
        return evaluate(kpi.formula, totals) if seen else None

    values: list[Decimal] = []
    for day in days:
        if day is None:
            continue
        value = evaluate(kpi.formula, day) if isinstance(day, Mapping) else Decimal(day)
        if value is not None:
            values.append(value)
    if not values:
        return None
    if kpi.aggregation is Aggregation.SUM:
        return sum(values, Decimal(0))
    if kpi.aggregation is Aggregation.AVERAGE:
        with localcontext() as ctx:
            ctx.prec = 28
            return sum(values, Decimal(0)) / len(values)
    return values[-1]


def assess(kpi: Kpi, value: Decimal) -> Benchmark | None:
    """The strongest benchmark ``value`` reaches (respecting the direction), if any."""
    reached = [
        b
        for b in kpi.benchmarks
        if (value >= b.value if kpi.direction is Direction.HIGHER_IS_BETTER else value <= b.value)
    ]
    if not reached:
        return None
    if kpi.direction is Direction.HIGHER_IS_BETTER:
        return max(reached, key=lambda b: b.value)
    return min(reached, key=lambda b: b.value)


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------

_CRM = DataSource.CRM
_WEB = DataSource.WEB_ANALYTICS
_ADS = DataSource.AD_ACCOUNTS
_EMAIL = DataSource.EMAIL_PLATFORM
_SOCIAL = DataSource.SOCIAL_NETWORKS
_SURVEYS = DataSource.SURVEYS
_ACC = DataSource.ACCOUNTING
_MARKET = DataSource.MARKET_RESEARCH
_MANUAL = DataSource.MANUAL


def _m(
    id: str, name: str, unit: Unit, *sources: DataSource, aliases: tuple[str, ...] = ()
) -> Metric:
    return Metric(id=id, name=name, unit=unit, sources=frozenset(sources), aliases=aliases)


# Marketing
WEBSITE_TRAFFIC = _m("website_traffic", N_("website visits"), Unit.COUNT, _WEB)
LEADS = _m("leads", N_("leads"), Unit.COUNT, _CRM, _WEB, _ADS)
TARGET_LEADS = _m(
    "target_leads", N_("target leads"), Unit.COUNT, _CRM,
    aliases=("target leads", "целевые лиды", "целевых лидов", "целевые"),
)
MARKETING_SPEND = _m(
    "marketing_spend", N_("marketing spend"), Unit.MONEY, _ADS, _ACC,
    aliases=("spend", "ad spend", "budget", "расход", "расходы", "бюджет", "расходы на рекламу"),
)
SALES_SPEND = _m(
    "sales_spend", N_("sales costs"), Unit.MONEY, _ACC,
    aliases=("sales costs", "расходы на продажи"),
)
MARKETING_REVENUE = _m(
    "marketing_revenue", N_("revenue from marketing"), Unit.MONEY, _CRM, _WEB,
    aliases=("marketing revenue", "выручка от маркетинга"),
)
MARKETING_CONVERSIONS = _m(
    "marketing_conversions", N_("purchases from campaigns"), Unit.COUNT, _ADS, _WEB, _CRM,
    aliases=("conversions", "конверсии", "конверсий"),
)
AD_IMPRESSIONS = _m(
    "ad_impressions", N_("ad impressions"), Unit.COUNT, _ADS,
    aliases=("impressions", "показы", "показов"),
)
AD_CLICKS = _m(
    "ad_clicks", N_("ad clicks"), Unit.COUNT, _ADS, aliases=("clicks", "клики", "кликов")
)
EMAILS_DELIVERED = _m(
    "emails_delivered", N_("emails delivered"), Unit.COUNT, _EMAIL,
    aliases=("emails delivered", "delivered", "доставлено", "доставлено писем"),
)
EMAIL_CLICKS = _m(
    "email_clicks", N_("recipients who clicked"), Unit.COUNT, _EMAIL,
    aliases=("email clicks", "клики в письмах"),
)
SOCIAL_INTERACTIONS = _m(
    "social_interactions", N_("likes, comments and shares"), Unit.COUNT, _SOCIAL,
    aliases=("interactions", "reactions", "реакции", "взаимодействия"),
)
SOCIAL_REACH = _m(
    "social_reach", N_("post reach"), Unit.COUNT, _SOCIAL, aliases=("reach", "охват", "охваты")
)
NEW_FOLLOWERS = _m("new_followers", N_("new followers"), Unit.COUNT, _SOCIAL)
PROMOTERS = _m(
    "promoters", N_("promoters (answers 9–10)"), Unit.COUNT, _SURVEYS,
    aliases=("promoters", "промоутеры", "промоутеров"),
)
DETRACTORS = _m(
    "detractors", N_("detractors (answers 0–6)"), Unit.COUNT, _SURVEYS,
    aliases=("detractors", "критики", "критиков"),
)
SURVEY_RESPONSES = _m(
    "survey_responses", N_("all answers"), Unit.COUNT, _SURVEYS,
    aliases=("responses", "respondents", "ответы", "ответов", "респонденты"),
)
MARKET_SIZE = _m("market_size", N_("market size"), Unit.MONEY, _MARKET)

# Sales
COLD_CALLS = _m("cold_calls", N_("cold calls"), Unit.COUNT, _CRM, _MANUAL)
INBOUND_REQUESTS = _m(
    "inbound_requests_processed", N_("inbound requests processed"), Unit.COUNT, _CRM, _MANUAL
)
LEAD_RESPONSE_MINUTES = _m(
    "lead_response_time", N_("minutes to answer a request"), Unit.MINUTES, _CRM
)
MEETINGS = _m("meetings", N_("meetings"), Unit.COUNT, _CRM, _MANUAL)
PROPOSALS = _m("proposals_sent", N_("proposals sent"), Unit.COUNT, _CRM, _MANUAL)
INVOICES = _m("invoices_issued", N_("invoices issued"), Unit.COUNT, _CRM, _ACC, _MANUAL)
CLOSED_DEALS = _m("closed_deals", N_("closed deals"), Unit.COUNT, _CRM, _MANUAL)
LOST_DEALS = _m(
    "lost_deals", N_("lost deals"), Unit.COUNT, _CRM, _MANUAL,
    aliases=("lost deals", "lost", "проигранные сделки", "отказы", "отказов"),
)
QUALIFIED_LEADS = _m("qualified_leads", N_("qualified leads"), Unit.COUNT, _CRM)
OPPORTUNITIES = _m("opportunities", N_("new opportunities"), Unit.COUNT, _CRM)
PIPELINE_VALUE = _m("pipeline_value", N_("value of new opportunities"), Unit.MONEY, _CRM)
SALES_CYCLE_DAYS = _m(
    "sales_cycle_length", N_("days from first contact to payment"), Unit.DAYS, _CRM
)
REVENUE = _m("revenue", N_("revenue"), Unit.MONEY, _CRM, _ACC)
PAYMENTS_RECEIVED = _m(
    "payments_received", N_("payments received"), Unit.MONEY, _ACC, _CRM,
    aliases=("payments", "paid", "оплаты", "оплачено", "поступления"),
)
INVOICED_AMOUNT = _m(
    "invoiced_amount", N_("amount invoiced"), Unit.MONEY, _ACC, _CRM,
    aliases=("invoiced", "сумма счетов", "выставлено"),
)

# Customers and finance
NEW_CUSTOMERS = _m("new_customers", N_("new customers"), Unit.COUNT, _CRM, _ACC)
CUSTOMERS_AT_START = _m(
    "customers_at_start", N_("customers at the start of the period"), Unit.COUNT, _CRM, _ACC
)
CUSTOMERS_AT_END = _m(
    "customers_at_end", N_("customers at the end of the period"), Unit.COUNT, _CRM, _ACC
)
LOST_CUSTOMERS = _m(
    "lost_customers", N_("customers lost in the period"), Unit.COUNT, _CRM, _ACC,
    aliases=("lost customers", "ушедшие клиенты", "ушедших клиентов"),
)
AVERAGE_PURCHASE = _m(
    "average_purchase_value", N_("average purchase value"), Unit.MONEY, _CRM, _ACC
)
PURCHASES_PER_YEAR = _m(
    "purchases_per_year", N_("purchases per customer per year"), Unit.COUNT, _CRM, _ACC
)
CUSTOMER_LIFESPAN = _m(
    "customer_lifespan_years", N_("years a customer stays"), Unit.YEARS, _CRM, _ACC
)
PREVIOUS_REVENUE = _m(
    "previous_revenue", N_("revenue in the previous period"), Unit.MONEY, _CRM, _ACC
)
COGS = _m(
    "cost_of_goods_sold", N_("cost of goods sold"), Unit.MONEY, _ACC,
    aliases=("cogs", "себестоимость"),
)
NET_PROFIT = _m(
    "net_profit", N_("net profit"), Unit.MONEY, _ACC,
    aliases=("profit", "net profit", "прибыль", "чистая прибыль"),
)

_METRICS: tuple[Metric, ...] = (
    WEBSITE_TRAFFIC, LEADS, TARGET_LEADS, MARKETING_SPEND, SALES_SPEND, MARKETING_REVENUE,
    MARKETING_CONVERSIONS, AD_IMPRESSIONS, AD_CLICKS, EMAILS_DELIVERED, EMAIL_CLICKS,
    SOCIAL_INTERACTIONS, SOCIAL_REACH, NEW_FOLLOWERS, PROMOTERS, DETRACTORS, SURVEY_RESPONSES,
    MARKET_SIZE, COLD_CALLS, INBOUND_REQUESTS, LEAD_RESPONSE_MINUTES, MEETINGS, PROPOSALS,
    INVOICES, CLOSED_DEALS, LOST_DEALS, QUALIFIED_LEADS, OPPORTUNITIES, PIPELINE_VALUE,
    SALES_CYCLE_DAYS, REVENUE, PAYMENTS_RECEIVED, INVOICED_AMOUNT, NEW_CUSTOMERS,
    CUSTOMERS_AT_START, CUSTOMERS_AT_END, LOST_CUSTOMERS, AVERAGE_PURCHASE, PURCHASES_PER_YEAR,
    CUSTOMER_LIFESPAN, PREVIOUS_REVENUE, COGS, NET_PROFIT,
)

# --------------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------------

_MKT = frozenset({Controller.MARKETER, Controller.HEAD, Controller.OWNER})
_MKT_TEAM = frozenset({Controller.MARKETER, Controller.HEAD})
_SALES = frozenset({Controller.SALES_MANAGER, Controller.HEAD})
_SALES_ALL = frozenset({Controller.SALES_MANAGER, Controller.HEAD, Controller.OWNER})
_LEADERS = frozenset({Controller.HEAD, Controller.OWNER})
_OWNER = frozenset({Controller.OWNER})

_HIGHER = Direction.HIGHER_IS_BETTER
_LOWER = Direction.LOWER_IS_BETTER
_S = Aggregation.SUM
_R = Aggregation.RATIO_OF_SUMS
_AVG = Aggregation.AVERAGE
_LAST = Aggregation.LAST

# ``short`` labels are marked with NP_ so that extraction records the "kpi" context; the field
# keeps the msgid and :attr:`Kpi.short_message` adds the context back.
_KPIS: tuple[Kpi, ...] = (
    # ---------------------------------------------------------------- marketing
    Kpi(
        id="leads", area=Area.MARKETING,
        name=N_("Leads"), short=NP_("kpi", "Leads")[1],
        description=N_(
            "Requests, calls and sign-ups from potential customers that reach the sales team. "
            "A marketer moves this number within a day: launch or tune ads, send an offer to "
            "the base."
        ),
        formula=Direct(LEADS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_MKT, loggable_daily=True, leading=True,
        aliases=("leads", "lead", "лиды", "лидов", "лида", "лид", "заявки", "заявок", "заявка"),
    ),
    Kpi(
        id="website_traffic", area=Area.MARKETING,
        name=N_("Website traffic"), short=NP_("kpi", "Traffic")[1],
        description=N_(
            "Visits to the website: how well marketing brings people in. It matters most when "
            "you sell online or get leads through the site."
        ),
        formula=Direct(WEBSITE_TRAFFIC), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_MKT, loggable_daily=True, leading=True,
        aliases=(
            "traffic", "visits", "sessions", "трафик", "визиты", "визитов", "посещения",
            "посещений",
        ),
    ),
    Kpi(
        id="visitor_to_lead", area=Area.MARKETING,
        name=N_("Visitor-to-lead conversion"), short=NP_("kpi", "Visit → lead")[1],
        description=N_(
            "The share of website visits that end in a request: how well the site and the "
            "offer turn visitors into leads."
        ),
        formula=Ratio(LEADS, WEBSITE_TRAFFIC), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_MKT_TEAM, loggable_daily=True, leading=False,
        aliases=(
            "visitor to lead", "visit to lead", "конверсия сайта", "конверсия в лид",
            "конверсия в заявку",
        ),
    ),
    Kpi(
        id="cost_per_lead", area=Area.MARKETING,
        name=N_("Cost per lead (CPL)"), short=NP_("kpi", "CPL")[1],
        description=N_(
            "What one lead costs: marketing spend divided by the leads it brought. Watch it "
            "together with lead quality: cheap leads that sales reject are not cheap."
        ),
        formula=Ratio(MARKETING_SPEND, LEADS), unit=Unit.MONEY, direction=_LOWER, aggregation=_R,
        controlled_by=_MKT, loggable_daily=True, leading=False,
        aliases=("cpl", "cost per lead", "цена лида", "стоимость лида", "стоимость заявки"),
    ),
    Kpi(
        id="cost_per_acquisition", area=Area.MARKETING,
        name=N_("Cost per acquisition (CPA)"), short=NP_("kpi", "CPA")[1],
        description=N_(
            "What one purchase (or another target action) from campaigns costs: marketing "
            "spend divided by the purchases the campaigns brought."
        ),
        formula=Ratio(MARKETING_SPEND, MARKETING_CONVERSIONS), unit=Unit.MONEY, direction=_LOWER,
        aggregation=_R, controlled_by=_MKT, loggable_daily=True, leading=False,
        aliases=(
            "cpa", "cost per acquisition", "цена действия", "цена покупки", "стоимость покупки",
        ),
    ),
    Kpi(
        id="ad_ctr", area=Area.MARKETING,
        name=N_("Click-through rate of ads (CTR)"), short=NP_("kpi", "Ad CTR")[1],
        description=N_(
            "The share of ad impressions that get a click: how well ads and banners catch "
            "attention. A marketer can change it the same day by changing creatives."
        ),
        formula=Ratio(AD_CLICKS, AD_IMPRESSIONS), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R,
        controlled_by=_MKT_TEAM, loggable_daily=True, leading=True,
        aliases=("ctr", "ad ctr", "ctr рекламы", "кликабельность"),
    ),
    Kpi(
        id="email_ctr", area=Area.MARKETING,
        name=N_("Click-through rate of emails"), short=NP_("kpi", "Email CTR")[1],
        description=N_(
            "The share of delivered emails whose recipients clicked a link: how well your "
            "newsletters catch attention."
        ),
        formula=Ratio(EMAIL_CLICKS, EMAILS_DELIVERED), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R, controlled_by=_MKT_TEAM, loggable_daily=False, leading=False,
        aliases=("email ctr", "ctr email", "ctr писем", "ctr рассылки"),
    ),
    Kpi(
        id="marketing_roi", area=Area.MARKETING,
        name=N_("Marketing ROI"), short=NP_("kpi", "ROI")[1],
        description=N_(
            "Revenue that marketing brought for each unit of marketing spend, written as N:1. "
            "Agree in advance what counts as revenue from marketing and which costs count. "
            "Subtract 1 to get the net return (ROMI)."
        ),
        formula=Ratio(MARKETING_REVENUE, MARKETING_SPEND), unit=Unit.RATIO, direction=_HIGHER,
        aggregation=_R, controlled_by=_MKT, loggable_daily=False, leading=False,
        benchmarks=(
            Benchmark(BenchmarkKind.GOOD, Decimal(5)),
            Benchmark(BenchmarkKind.EXCEPTIONAL, Decimal(10)),
        ),
        benchmark_note=N_(
            "5:1 is a good marketing ROI for most businesses and 10:1 is exceptional. More is "
            "possible but should not be the expectation; the right target depends on your "
            "cost structure and industry."
        ),
        aliases=("roi", "romi", "marketing roi", "roi маркетинга", "окупаемость"),
    ),
    Kpi(
        id="funnel_conversion", area=Area.MARKETING,
        name=N_("Funnel conversion: visit to purchase"), short=NP_("kpi", "Visit → purchase")[1],
        description=N_(
            "The share of website visits that end in a purchase. Look at the steps in between "
            "to find where people drop out."
        ),
        formula=Ratio(CLOSED_DEALS, WEBSITE_TRAFFIC), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R, controlled_by=_MKT, loggable_daily=True, leading=False,
        aliases=(
            "visit to purchase", "funnel", "воронка", "конверсия в покупку", "конверсия воронки",
        ),
    ),
    Kpi(
        id="lead_quality", area=Area.MARKETING,
        name=N_("Lead quality: share of target leads"), short=NP_("kpi", "Lead quality")[1],
        description=N_(
            "The share of leads that fit your target customer (not spam, not the wrong region "
            "or product). Many leads are worth little if they are not target ones: this is the "
            "marketer's side of lead quality."
        ),
        formula=Ratio(TARGET_LEADS, LEADS), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_MKT_TEAM, loggable_daily=True, leading=False,
        aliases=("lead quality", "качество лидов", "доля целевых лидов"),
    ),
    Kpi(
        id="social_engagement", area=Area.MARKETING,
        name=N_("Social media engagement rate"), short=NP_("kpi", "Engagement")[1],
        description=N_(
            "Likes, comments and shares per person reached: how much your audience "
            "interacts with your content."
        ),
        formula=Ratio(SOCIAL_INTERACTIONS, SOCIAL_REACH), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R, controlled_by=_MKT_TEAM, loggable_daily=True, leading=False,
        aliases=("engagement", "er", "вовлеченность", "er соцсетей"),
    ),
    Kpi(
        id="new_followers", area=Area.MARKETING,
        name=N_("New followers"), short=NP_("kpi", "Followers")[1],
        description=N_("How many people followed your social media accounts."),
        formula=Direct(NEW_FOLLOWERS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_MKT_TEAM, loggable_daily=True, leading=False,
        aliases=("followers", "subscribers", "подписчики", "подписчиков", "новые подписчики"),
    ),
    Kpi(
        id="customer_acquisition_cost", area=Area.MARKETING,
        name=N_("Customer acquisition cost (CAC)"), short=NP_("kpi", "CAC")[1],
        description=N_(
            "What one new paying customer costs, marketing and sales together. Compare it "
            "with what a customer brings (CLV)."
        ),
        formula=Ratio(Sum((MARKETING_SPEND, SALES_SPEND)), NEW_CUSTOMERS), unit=Unit.MONEY,
        direction=_LOWER, aggregation=_R, controlled_by=_LEADERS, loggable_daily=False,
        leading=False,
        aliases=("cac", "цена клиента", "стоимость клиента", "стоимость привлечения"),
    ),
    Kpi(
        id="market_share", area=Area.MARKETING,
        name=N_("Market share"), short=NP_("kpi", "Market share")[1],
        description=N_(
            "Your revenue as a share of the whole market's: how well you compete. Needs an "
            "estimate of the market's size."
        ),
        formula=Ratio(REVENUE, MARKET_SIZE), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_LAST,
        controlled_by=_LEADERS, loggable_daily=False, leading=False,
        aliases=("market share", "доля рынка"),
    ),
    # ---------------------------------------------------------------- sales
    Kpi(
        id="cold_calls", area=Area.SALES,
        name=N_("Cold calls"), short=NP_("kpi", "Calls")[1],
        description=N_(
            "Outgoing calls to potential customers. The simplest daily activity to plan and to "
            "count, in the CRM or by hand."
        ),
        formula=Direct(COLD_CALLS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=True,
        aliases=(
            "calls", "call", "cold calls", "звонки", "звонков", "звонка", "звонок",
            "холодные звонки", "холодных звонков",
        ),
    ),
    Kpi(
        id="inbound_requests_processed", area=Area.SALES,
        name=N_("Inbound requests processed"), short=NP_("kpi", "Requests")[1],
        description=N_(
            "Incoming requests and calls the sales team has taken up and answered. None should "
            "be missed: every unprocessed request is a lead marketing has already paid for."
        ),
        formula=Direct(INBOUND_REQUESTS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES, loggable_daily=True, leading=True,
        aliases=(
            "requests", "inbound", "processed requests", "обработанные заявки", "обработано",
            "входящие", "входящих",
        ),
    ),
    Kpi(
        id="lead_response_time", area=Area.SALES,
        name=N_("Lead response time"), short=NP_("kpi", "Response time")[1],
        description=N_(
            "How many minutes pass before a new request gets an answer. Fast answers keep "
            "lead-to-qualified-lead conversion up."
        ),
        formula=Direct(LEAD_RESPONSE_MINUTES), unit=Unit.MINUTES, direction=_LOWER,
        aggregation=_AVG, controlled_by=_SALES, loggable_daily=True, leading=True,
        benchmarks=(Benchmark(BenchmarkKind.EXAMPLE_NORM, Decimal(15)),),
        benchmark_note=N_(
            "An example norm from a published case: every inbound request handled within 15 "
            "minutes in working hours (within the first working hour otherwise), no missed "
            "calls or chats."
        ),
        aliases=(
            "response time", "speed to lead", "время ответа", "скорость ответа",
            "скорость реакции",
        ),
    ),
    Kpi(
        id="meetings", area=Area.SALES,
        name=N_("Meetings with customers"), short=NP_("kpi", "Meetings")[1],
        description=N_("Meetings and demos held with potential customers, in person or online."),
        formula=Direct(MEETINGS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=True,
        aliases=("meetings", "meeting", "встречи", "встреч", "встреча"),
    ),
    Kpi(
        id="proposals_sent", area=Area.SALES,
        name=N_("Proposals sent"), short=NP_("kpi", "Proposals")[1],
        description=N_("Commercial proposals sent to potential customers."),
        formula=Direct(PROPOSALS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=True,
        aliases=(
            "proposals", "proposal", "offers", "кп", "предложения", "предложений",
            "коммерческие предложения",
        ),
    ),
    Kpi(
        id="invoices_issued", area=Area.SALES,
        name=N_("Invoices issued"), short=NP_("kpi", "Invoices")[1],
        description=N_("Invoices sent to customers: the last step before the money arrives."),
        formula=Direct(INVOICES), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=True,
        aliases=("invoices", "invoice", "bills", "счета", "счетов", "счет"),
    ),
    Kpi(
        id="qualified_leads", area=Area.SALES,
        name=N_("Qualified leads"), short=NP_("kpi", "Qualified leads")[1],
        description=N_(
            "Leads that passed qualification by sales (for example by BANT: budget, authority, "
            "need, timing). A result, not a lever: qualified leads = leads × lead-to-qualified-"
            "lead conversion."
        ),
        formula=Direct(QUALIFIED_LEADS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES, loggable_daily=True, leading=False,
        aliases=(
            "qualified leads", "ql", "sql", "кл", "квал", "квалы", "квалифицированные лиды",
            "квалифицированных лидов",
        ),
    ),
    Kpi(
        id="lead_to_qualified", area=Area.SALES,
        name=N_("Lead-to-qualified-lead conversion"), short=NP_("kpi", "Lead → QL")[1],
        description=N_(
            "The share of leads that sales qualify. The sales team moves it every day: no "
            "missed calls, quick answers to every request and chat message."
        ),
        formula=Ratio(QUALIFIED_LEADS, LEADS), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_SALES, loggable_daily=True, leading=True,
        benchmarks=(Benchmark(BenchmarkKind.EXAMPLE_NORM, Decimal("0.8")),),
        benchmark_note=N_(
            "80 percent is the norm in one published case: at 80 percent or more, that "
            "business's economics worked. It is an example: work out the level at which your "
            "own economics work."
        ),
        aliases=("lead to ql", "конверсия в кл", "конверсия лид-кл", "конверсия из лида в кл"),
    ),
    Kpi(
        id="call_to_meeting", area=Area.SALES,
        name=N_("Call-to-meeting conversion"), short=NP_("kpi", "Call → meeting")[1],
        description=N_(
            "The share of cold calls that end in a meeting: how well the calls are made."
        ),
        formula=Ratio(MEETINGS, COLD_CALLS), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_SALES, loggable_daily=True, leading=True,
        aliases=("call to meeting", "конверсия во встречу", "конверсия звонков"),
    ),
    Kpi(
        id="closed_deals", area=Area.SALES,
        name=N_("Closed deals"), short=NP_("kpi", "Deals")[1],
        description=N_("Deals won: paid orders and signed contracts."),
        formula=Direct(CLOSED_DEALS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=False,
        aliases=(
            "deals", "deal", "sales", "сделки", "сделок", "сделка", "продажи", "продаж", "продажа",
        ),
    ),
    Kpi(
        id="win_rate", area=Area.SALES,
        name=N_("Deal win rate"), short=NP_("kpi", "Win rate")[1],
        description=N_("The share of finished deals that were won rather than lost."),
        formula=Ratio(CLOSED_DEALS, Sum((CLOSED_DEALS, LOST_DEALS))), unit=Unit.PERCENT,
        direction=_HIGHER, aggregation=_R, controlled_by=_SALES, loggable_daily=True, leading=False,
        aliases=("win rate", "winrate", "винрейт", "доля выигранных сделок"),
    ),
    Kpi(
        id="lead_to_customer", area=Area.SALES,
        name=N_("Lead-to-customer conversion"), short=NP_("kpi", "Lead → customer")[1],
        description=N_(
            "The share of leads that become paying customers: how the whole funnel works, "
            "marketing and sales together."
        ),
        formula=Ratio(NEW_CUSTOMERS, LEADS), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_LEADERS, loggable_daily=True, leading=False,
        aliases=(
            "lead to customer", "lead to sale", "конверсия в продажу", "конверсия лида в клиента",
        ),
    ),
    Kpi(
        id="opportunities", area=Area.SALES,
        name=N_("New opportunities"), short=NP_("kpi", "Opportunities")[1],
        description=N_("New potential deals opened in the pipeline after qualification."),
        formula=Direct(OPPORTUNITIES), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES, loggable_daily=True, leading=False,
        aliases=("opportunities", "opps", "новые сделки", "потенциальные сделки"),
    ),
    Kpi(
        id="pipeline_value", area=Area.SALES,
        name=N_("Pipeline value generated"), short=NP_("kpi", "Pipeline")[1],
        description=N_("The total expected value of the new opportunities opened in the period."),
        formula=Direct(PIPELINE_VALUE), unit=Unit.MONEY, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES, loggable_daily=True, leading=False,
        aliases=("pipeline", "pipeline value", "пайплайн", "сумма воронки", "объем воронки"),
    ),
    Kpi(
        id="average_deal_size", area=Area.SALES,
        name=N_("Average deal size"), short=NP_("kpi", "Average deal")[1],
        description=N_("Revenue divided by the number of closed deals: the average check."),
        formula=Ratio(REVENUE, CLOSED_DEALS), unit=Unit.MONEY, direction=_HIGHER, aggregation=_R,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=False,
        aliases=("average deal", "average check", "aov", "средний чек", "средняя сделка", "чек"),
    ),
    Kpi(
        id="sales_cycle_length", area=Area.SALES,
        name=N_("Sales cycle length"), short=NP_("kpi", "Sales cycle")[1],
        description=N_("Average days from the first contact to payment for the deals closed."),
        formula=Direct(SALES_CYCLE_DAYS), unit=Unit.DAYS, direction=_LOWER, aggregation=_AVG,
        controlled_by=_LEADERS, loggable_daily=False, leading=False,
        aliases=("sales cycle", "cycle", "цикл сделки", "цикл продаж"),
    ),
    Kpi(
        id="revenue", area=Area.SALES,
        name=N_("Revenue"), short=NP_("kpi", "Revenue")[1],
        description=N_(
            "Money from sales. A result rather than a lever: revenue = managers × calls per "
            "day × call-to-purchase conversion, so to grow it, work on those."
        ),
        formula=Direct(REVENUE), unit=Unit.MONEY, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=False,
        aliases=("revenue", "turnover", "выручка", "выручки", "выручку", "оборот"),
    ),
    Kpi(
        id="new_customers", area=Area.SALES,
        name=N_("New customers"), short=NP_("kpi", "New customers")[1],
        description=N_("Customers who paid for the first time."),
        formula=Direct(NEW_CUSTOMERS), unit=Unit.COUNT, direction=_HIGHER, aggregation=_S,
        controlled_by=_SALES_ALL, loggable_daily=True, leading=False,
        aliases=(
            "new customers", "customers", "clients", "новые клиенты", "новых клиентов", "клиенты",
            "клиентов",
        ),
    ),
    Kpi(
        id="payment_collection", area=Area.SALES,
        name=N_("Payment collection rate"), short=NP_("kpi", "Collection")[1],
        description=N_(
            "Money received divided by money invoiced: how much of what was sold has actually "
            "been paid."
        ),
        formula=Ratio(PAYMENTS_RECEIVED, INVOICED_AMOUNT), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R, controlled_by=_SALES_ALL, loggable_daily=False, leading=False,
        aliases=("collection", "collection rate", "собираемость", "собираемость оплат"),
    ),
    # ---------------------------------------------------------------- customers
    Kpi(
        id="retention_rate", area=Area.CUSTOMERS,
        name=N_("Customer retention rate"), short=NP_("kpi", "Retention")[1],
        description=N_(
            "The share of the customers you had at the start of the period who are still with "
            "you at its end (new customers not counted)."
        ),
        formula=Ratio(Difference(CUSTOMERS_AT_END, NEW_CUSTOMERS), CUSTOMERS_AT_START),
        unit=Unit.PERCENT, direction=_HIGHER, aggregation=_LAST, controlled_by=_LEADERS,
        loggable_daily=False, leading=False,
        aliases=("retention", "retention rate", "удержание", "удержание клиентов"),
    ),
    Kpi(
        id="churn_rate", area=Area.CUSTOMERS,
        name=N_("Customer churn rate"), short=NP_("kpi", "Churn")[1],
        description=N_("The share of customers who left during the period."),
        formula=Ratio(LOST_CUSTOMERS, CUSTOMERS_AT_START), unit=Unit.PERCENT, direction=_LOWER,
        aggregation=_LAST, controlled_by=_LEADERS, loggable_daily=False, leading=False,
        aliases=("churn", "churn rate", "отток", "отток клиентов"),
    ),
    Kpi(
        id="customer_lifetime_value", area=Area.CUSTOMERS,
        name=N_("Customer lifetime value (CLV)"), short=NP_("kpi", "CLV")[1],
        description=N_(
            "What one customer brings over the whole relationship. Multiply by your gross "
            "margin to see the profit, and compare with the cost of acquiring a customer."
        ),
        formula=Product((AVERAGE_PURCHASE, PURCHASES_PER_YEAR, CUSTOMER_LIFESPAN)), unit=Unit.MONEY,
        direction=_HIGHER, aggregation=_LAST, controlled_by=_LEADERS, loggable_daily=False,
        leading=False,
        aliases=("clv", "ltv", "lifetime value", "пожизненная ценность клиента"),
    ),
    Kpi(
        id="nps", area=Area.CUSTOMERS,
        name=N_("Net Promoter Score (NPS)"), short=NP_("kpi", "NPS")[1],
        description=N_(
            "Customers' loyalty: asked how likely they are to recommend you from 0 to 10, the "
            "share who answer 9–10 minus the share who answer 0–6, from −100 to 100."
        ),
        formula=Product(
            (Ratio(Difference(PROMOTERS, DETRACTORS), SURVEY_RESPONSES), Constant(Decimal(100)))
        ),
        unit=Unit.SCORE, direction=_HIGHER, aggregation=_R, controlled_by=_LEADERS,
        loggable_daily=False, leading=False,
        aliases=("nps", "нпс", "индекс лояльности"),
    ),
    # ---------------------------------------------------------------- finance
    Kpi(
        id="revenue_growth", area=Area.FINANCE,
        name=N_("Revenue growth"), short=NP_("kpi", "Growth")[1],
        description=N_("How much revenue grew compared with the previous period."),
        formula=Ratio(Difference(REVENUE, PREVIOUS_REVENUE), PREVIOUS_REVENUE), unit=Unit.PERCENT,
        direction=_HIGHER, aggregation=_LAST, controlled_by=_LEADERS, loggable_daily=False,
        leading=False,
        aliases=("growth", "revenue growth", "рост", "рост выручки"),
    ),
    Kpi(
        id="gross_margin", area=Area.FINANCE,
        name=N_("Gross profit margin"), short=NP_("kpi", "Gross margin")[1],
        description=N_("The share of revenue left after the cost of the goods or services sold."),
        formula=Ratio(Difference(REVENUE, COGS), REVENUE), unit=Unit.PERCENT, direction=_HIGHER,
        aggregation=_R, controlled_by=_OWNER, loggable_daily=False, leading=False,
        aliases=("gross margin", "margin", "маржа", "валовая маржа", "маржинальность"),
    ),
    Kpi(
        id="net_margin", area=Area.FINANCE,
        name=N_("Net profit margin"), short=NP_("kpi", "Net margin")[1],
        description=N_("The share of revenue left as net profit after all costs and taxes."),
        formula=Ratio(NET_PROFIT, REVENUE), unit=Unit.PERCENT, direction=_HIGHER, aggregation=_R,
        controlled_by=_OWNER, loggable_daily=False, leading=False,
        aliases=("net margin", "чистая маржа", "рентабельность", "рентабельность продаж"),
    ),
)

_BY_ID: dict[str, Kpi] = {k.id: k for k in _KPIS}
_METRICS_BY_ID: dict[str, Metric] = {m.id: m for m in _METRICS}
_KPI_ALIASES: dict[str, Kpi] = {a: k for k in _KPIS for a in k.aliases}
_METRIC_ALIASES: dict[str, Metric] = {a: m for m in _METRICS for a in m.aliases}


# --------------------------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------------------------


def all_kpis() -> tuple[Kpi, ...]:
    """Every KPI, in catalog order (marketing, sales, customers, finance)."""
    return _KPIS


def get_kpi(kpi_id: str) -> Kpi:
    """Return the KPI with this id.

    Raises:
        UnknownKpi: no such KPI.
    """
    try:
        return _BY_ID[kpi_id]
    except KeyError:
        raise UnknownKpi(kpi_id) from None


def kpis_for(controller: Controller) -> tuple[Kpi, ...]:
    """The KPIs this controller can move by their own work, in catalog order."""
    return tuple(k for k in _KPIS if controller in k.controlled_by)


def all_metrics() -> tuple[Metric, ...]:
    """Every metric formulas use."""
    return _METRICS


def get_metric(metric_id: str) -> Metric:
    """Return the metric with this id.

    Raises:
        UnknownMetric: no such metric.
    """
    try:
        return _METRICS_BY_ID[metric_id]
    except KeyError:
        raise UnknownMetric(metric_id) from None


def normalize_alias(text: str) -> str:
    """Lowercase, ``ё`` → ``е``, single spaces: the form aliases are stored in."""
    return " ".join(text.lower().replace("ё", "е").split())


def kpi_by_alias(text: str, among: Iterable[str] | None = None) -> Kpi | None:
    """Find a KPI by a word people type ("звонков", "calls", "выручка").

    Args:
        text: What the user typed for the KPI name (any case).
        among: Optional KPI ids to restrict the search to (the user's own KPIs).
    """
    kpi = _KPI_ALIASES.get(normalize_alias(text))
    if kpi is None or (among is not None and kpi.id not in set(among)):
        return None
    return kpi


def metric_by_alias(text: str) -> Metric | None:
    """Find a formula input by a word people type ("расходы", "clicks", "лидов").

    KPI aliases of single-metric KPIs resolve to that metric as well.
    """
    key = normalize_alias(text)
    metric = _METRIC_ALIASES.get(key)
    if metric is not None:
        return metric
    kpi = _KPI_ALIASES.get(key)
    if kpi is not None and isinstance(kpi.formula, Direct):
        return kpi.formula.metric
    return None


def minimal_groups(groups: Iterable[frozenset[DataSource]]) -> tuple[frozenset[DataSource], ...]:
    """Drop repeated groups and groups implied by a smaller one, keeping the order.

    "Ad accounts or accounting; accounting" needs just accounting: whatever covers the smaller
    group covers the larger one too.
    """
    unique: list[frozenset[DataSource]] = []
    for group in groups:
        if group not in unique:
            unique.append(group)
    return tuple(g for g in unique if not any(other < g for other in unique))


def has_data(kpi: Kpi, available: Iterable[DataSource]) -> bool:
    """True when ``available`` covers every data need of ``kpi``."""
    return not missing_sources(kpi, available)


def missing_sources(kpi: Kpi, available: Iterable[DataSource]) -> tuple[frozenset[DataSource], ...]:
    """The requirement groups ``available`` does not cover (any one source of a group would)."""
    have = frozenset(available)
    return tuple(group for group in kpi.requires if not group & have)
