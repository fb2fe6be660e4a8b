"""KPI advice: 3 to 5 KPIs for a profile, ranked and explained.

The advice is a fixed scoring table, not a model, so every pick can be explained and tested:

1. **Role fit** (:data:`ROLE_FITS`): the KPIs a role controls, each with a weight and a reason.
   A KPI appears in a role's table only if that role's controller is in the KPI's
   ``controlled_by`` (a test checks it): a marketer is measured on leads, cost per lead,
   traffic, click-through and the ROI of a budget they run, never on closed deals or revenue;
   the sales team on calls, meetings, proposals, lead-to-qualified-lead conversion and deals.
2. **Data**: a KPI whose data the user cannot get is never advised. Counting by hand
   (``DataSource.MANUAL``) is always possible, so sales activity counts always are.
3. **Bonuses**: +3 for each of the user's goals the KPI serves (:data:`GOAL_KPIS`), +2 for the
   business type and +2 for the sales channel where it matters most.
4. **Selection**: the best *leading* KPI (a daily lever) and the best *outcome* are taken first,
   the rest by score, ties to catalog order; levers fill at most half the set (rounded up) unless
   there are not enough results. 3 KPIs, one more per goal beyond the first, 5 at most: too many
   KPIs dilute attention and kill motivation.
5. **Start collecting**: the KPIs the same procedure would pick if every data source were
   available, but whose data the user lacks, with the missing sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kpi_core.advice.catalog import (
    Kpi,
    all_kpis,
    get_kpi,
    has_data,
    minimal_groups,
    missing_sources,
)
from kpi_core.advice.profile import (
    ASKABLE_DATA_SOURCES,
    BusinessType,
    DataSource,
    Goal,
    Profile,
    Role,
    SalesChannel,
    source_in_text,
)
from kpi_core.messages import N_, NN_, Message

MIN_KPIS = 3
MAX_KPIS = 5
GOAL_BONUS = 3
BUSINESS_BONUS = 2
CHANNEL_BONUS = 2
MAX_START_COLLECTING = 3


@dataclass(frozen=True, slots=True)
class Fit:
    """One row of a role's scoring table.

    Attributes:
        kpi_id: The KPI.
        weight: Base score for this role (higher is a better fit).
        reason: English msgid saying why the KPI suits this role.
        needs: An extra source this role must have for the KPI to be theirs (a marketer answers
            for ROI only when they run the ad accounts, i.e. the budget).
        max_team: Only for teams of at most this many people (an owner who sells alone).
        businesses: Only in these kinds of business (``None``: in any). Visit-to-purchase
            conversion is a marketer's number only in an online store, where no sales team
            stands between the visit and the purchase.
    """

    kpi_id: str
    weight: int
    reason: str
    needs: DataSource | None = None
    max_team: int | None = None
    businesses: frozenset[BusinessType] | None = None

    def applies(self, profile: Profile) -> bool:
        """True when the row's team-size and business conditions hold for ``profile``."""
        if self.max_team is not None and profile.team_size > self.max_team:
            return False
        return self.businesses is None or profile.business in self.businesses


def _fit(kpi_id: str, weight: int, reason: str, *, needs: DataSource | None = None,
         max_team: int | None = None, businesses: frozenset[BusinessType] | None = None) -> Fit:
    return Fit(kpi_id, weight, reason, needs, max_team, businesses)


# A marketer answers for the purchase itself only where the site sells without a sales team.
_SELF_SERVICE = frozenset({BusinessType.ECOMMERCE})


_R_LEADS_MARKETER = N_("You control the number of leads every day; sales handle what happens next.")
_R_CPL = N_(
    "Cost per lead shows whether the budget buys leads "
    "efficiently; you steer it by tuning campaigns."
)
_R_TRAFFIC = N_("Traffic is the top of your funnel, and your campaigns move it directly.")
_R_VISITOR_TO_LEAD = N_(
    "Turning visitors into requests is marketing's job: the site, the offer, the forms."
)
_R_AD_CTR = N_("CTR tells you the same day whether an ad works, so you can change it at once.")
_R_ROI_MARKETER = N_("You run the ad budget, so you answer for what it returns.")
_R_LEAD_QUALITY = N_(
    "Leads that do not fit your customer waste the sales "
    "team's time: their share is on marketing's side."
)
_R_CPA = N_("Shows what a purchase from your campaigns costs, so you can move budget to what pays.")
_R_EMAIL_CTR = N_("Shows whether your emails make people act, not just open them.")
_R_ENGAGEMENT = N_("Shows whether your content reaches people and makes them react.")
_R_FOLLOWERS = N_("A simple measure of how your audience grows.")
_R_FUNNEL = N_("Shows where visitors drop out between the first visit and the purchase.")

_R_ROI_HEAD = N_("You answer for the marketing budget; ROI shows what it returns.")
_R_LEADS_HEAD = N_("The number of leads handed to sales is your team's daily lever.")
_R_CAC_HEAD = N_("CAC shows what a new customer costs; keep it well below what a customer brings.")
_R_NPS_HEAD = N_(
    "Customer loyalty is part of marketing's job: NPS shows whether customers would recommend you."
)
_R_MARKET_SHARE = N_("Shows how well you compete, beyond your own growth.")
_R_RETENTION_HEAD = N_(
    "Keeping customers is cheaper than winning new ones; retention shows how well you do it."
)

_R_CALLS = N_(
    "Calls are the activity you fully control every day; count them in the CRM or by hand."
)
_R_MEETINGS = N_(
    "Meetings are the daily activity that leads to deals; you decide how many you hold."
)
_R_LEAD_TO_QL = N_(
    "You move this conversion every day: quick answers, no missed calls. "
    "Marketing brings the leads; what happens to them next is yours."
)
_R_PROPOSALS = N_("Every deal starts with a proposal; count how many you send each day.")
_R_REQUESTS = N_(
    "Every request marketing brought must be taken up; processing them all is in your hands."
)
_R_RESPONSE = N_("The faster a request gets an answer, the more leads become qualified ones.")
_R_CALL_TO_MEETING = N_("Shows how well your calls work, not just how many you make.")
_R_INVOICES = N_("Invoices issued today are the revenue of the coming days.")
_R_DEALS_MANAGER = N_("Deals are the result your daily activity produces.")
_R_REVENUE_MANAGER = N_(
    "Revenue is the result of calls, meetings and conversion: plan it, but steer by the activities."
)
_R_AVERAGE_DEAL = N_("A bigger average deal grows revenue without more leads.")
_R_WIN_RATE = N_("Shows how many of the deals you work on you actually win.")
_R_COLLECTION = N_("A sale counts when it is paid: shows how much of what was sold has been paid.")
_R_NEW_CUSTOMERS = N_("New paying customers are the result that sales work is for.")

_R_REVENUE_HEAD = N_(
    "Your team's revenue is what the sales department "
    "answers for; split the plan into daily activities."
)
_R_LEAD_TO_QL_HEAD = N_(
    "The team's lead-to-qualified-lead conversion shows how well incoming requests are handled."
)
_R_PIPELINE = N_(
    "The value of new opportunities tells you early whether next month's plan is reachable."
)
_R_TEAM_MEETINGS = N_("Your team's meetings per day: an activity you can plan and check every day.")
_R_TEAM_CALLS = N_("Your team's calls per day: the simplest activity to plan and check.")
_R_TEAM_PROPOSALS = N_("Proposals sent by the team show whether the pipeline keeps filling.")
_R_TEAM_RESPONSE = N_("How fast the team answers requests is discipline you can check every day.")
_R_OPPORTUNITIES = N_("New opportunities show whether the team keeps the pipeline full.")
_R_CYCLE = N_("A shorter cycle brings the same revenue sooner.")
_R_LEAD_TO_CUSTOMER = N_("Shows how the whole funnel works, marketing and sales together.")

_R_REVENUE_OWNER = N_(
    "Revenue is the result the whole business works for; watch it against the plan."
)
_R_GROSS_MARGIN = N_("Margin shows whether sales earn money, not just turnover.")
_R_NET_MARGIN = N_("What is left after all costs: the business's bottom line.")
_R_CAC_OWNER = N_("What a new customer costs you, marketing and sales together.")
_R_CLV = N_(
    "What a customer brings over the whole relationship; "
    "it tells you how much you can spend to win one."
)
_R_ROI_OWNER = N_("Shows what each unit of the marketing budget brings back.")
_R_RETENTION_OWNER = N_("Customers who stay bring revenue without new acquisition costs.")
_R_CHURN = N_("Shows how many customers you lose, so you can find out why.")
_R_GROWTH = N_("Compares revenue with the previous period: is the business growing?")
_R_LEADS_OWNER = N_(
    "Leads are the daily lever at the top of the funnel: if they drop today, revenue drops later."
)
_R_INVOICES_OWNER = N_(
    "Invoices issued each day show early whether this month's revenue is on track."
)
_R_OWNER_SELLS = N_("You sell yourself: this is a daily activity you fully control.")
_R_OWNER_DEALS = N_(
    "Deals are the result of your own selling; you can count them even without a CRM."
)
_R_NPS_OWNER = N_("Shows whether customers would recommend you: loyalty that drives repeat sales.")
_R_CPL_OWNER = N_("What one lead costs: keeps the marketing spend honest.")


ROLE_FITS: Mapping[Role, tuple[Fit, ...]] = {
    Role.MARKETER: (
        _fit("leads", 10, _R_LEADS_MARKETER),
        _fit("cost_per_lead", 8, _R_CPL),
        _fit("website_traffic", 7, _R_TRAFFIC),
        _fit("visitor_to_lead", 6, _R_VISITOR_TO_LEAD),
        _fit("ad_ctr", 6, _R_AD_CTR),
        _fit("marketing_roi", 6, _R_ROI_MARKETER, needs=DataSource.AD_ACCOUNTS),
        _fit("lead_quality", 5, _R_LEAD_QUALITY),
        _fit("cost_per_acquisition", 5, _R_CPA),
        _fit("email_ctr", 4, _R_EMAIL_CTR),
        _fit("social_engagement", 4, _R_ENGAGEMENT),
        _fit("new_followers", 3, _R_FOLLOWERS),
        _fit("funnel_conversion", 3, _R_FUNNEL, businesses=_SELF_SERVICE),
    ),
    Role.HEAD_OF_MARKETING: (
        _fit("marketing_roi", 10, _R_ROI_HEAD),
        _fit("leads", 8, _R_LEADS_HEAD),
        _fit("cost_per_lead", 7, _R_CPL),
        _fit("customer_acquisition_cost", 7, _R_CAC_HEAD),
        _fit("nps", 6, _R_NPS_HEAD),
        _fit("lead_quality", 6, _R_LEAD_QUALITY),
        _fit("website_traffic", 5, _R_TRAFFIC),
        _fit("visitor_to_lead", 5, _R_VISITOR_TO_LEAD),
        _fit("cost_per_acquisition", 5, _R_CPA),
        _fit("ad_ctr", 4, _R_AD_CTR),
        _fit("email_ctr", 4, _R_EMAIL_CTR),
        _fit("social_engagement", 4, _R_ENGAGEMENT),
        _fit("market_share", 4, _R_MARKET_SHARE),
        _fit("retention_rate", 3, _R_RETENTION_HEAD),
        _fit("new_followers", 3, _R_FOLLOWERS),
        _fit("funnel_conversion", 3, _R_FUNNEL, businesses=_SELF_SERVICE),
    ),
    Role.SALES_MANAGER: (
        _fit("cold_calls", 8, _R_CALLS),
        _fit("meetings", 8, _R_MEETINGS),
        _fit("lead_to_qualified", 9, _R_LEAD_TO_QL),
        _fit("closed_deals", 7, _R_DEALS_MANAGER),
        _fit("proposals_sent", 6, _R_PROPOSALS),
        _fit("inbound_requests_processed", 6, _R_REQUESTS),
        _fit("revenue", 6, _R_REVENUE_MANAGER),
        _fit("lead_response_time", 5, _R_RESPONSE),
        _fit("call_to_meeting", 5, _R_CALL_TO_MEETING),
        _fit("invoices_issued", 5, _R_INVOICES),
        _fit("average_deal_size", 4, _R_AVERAGE_DEAL),
        _fit("win_rate", 4, _R_WIN_RATE),
        _fit("new_customers", 4, _R_NEW_CUSTOMERS),
        _fit("payment_collection", 3, _R_COLLECTION),
    ),
    Role.HEAD_OF_SALES: (
        _fit("revenue", 10, _R_REVENUE_HEAD),
        _fit("lead_to_qualified", 8, _R_LEAD_TO_QL_HEAD),
        _fit("average_deal_size", 7, _R_AVERAGE_DEAL),
        _fit("pipeline_value", 7, _R_PIPELINE),
        _fit("meetings", 6, _R_TEAM_MEETINGS),
        _fit("closed_deals", 6, _R_DEALS_MANAGER),
        _fit("win_rate", 6, _R_WIN_RATE),
        _fit("cold_calls", 5, _R_TEAM_CALLS),
        _fit("proposals_sent", 5, _R_TEAM_PROPOSALS),
        _fit("lead_response_time", 5, _R_TEAM_RESPONSE),
        _fit("opportunities", 5, _R_OPPORTUNITIES),
        _fit("lead_to_customer", 5, _R_LEAD_TO_CUSTOMER),
        _fit("new_customers", 5, _R_NEW_CUSTOMERS),
        _fit("invoices_issued", 4, _R_INVOICES),
        _fit("inbound_requests_processed", 4, _R_REQUESTS),
        _fit("call_to_meeting", 4, _R_CALL_TO_MEETING),
        _fit("sales_cycle_length", 4, _R_CYCLE),
        _fit("payment_collection", 4, _R_COLLECTION),
    ),
    Role.OWNER: (
        _fit("revenue", 10, _R_REVENUE_OWNER),
        _fit("gross_margin", 8, _R_GROSS_MARGIN),
        _fit("customer_acquisition_cost", 7, _R_CAC_OWNER),
        _fit("customer_lifetime_value", 6, _R_CLV),
        _fit("marketing_roi", 6, _R_ROI_OWNER),
        _fit("retention_rate", 6, _R_RETENTION_OWNER),
        _fit("net_margin", 6, _R_NET_MARGIN),
        _fit("new_customers", 6, _R_NEW_CUSTOMERS),
        _fit("leads", 6, _R_LEADS_OWNER),
        _fit("meetings", 6, _R_OWNER_SELLS, max_team=2),
        _fit("revenue_growth", 5, _R_GROWTH),
        _fit("invoices_issued", 5, _R_INVOICES_OWNER),
        _fit("cold_calls", 5, _R_OWNER_SELLS, max_team=2),
        _fit("average_deal_size", 5, _R_AVERAGE_DEAL),
        _fit("lead_to_customer", 5, _R_LEAD_TO_CUSTOMER),
        _fit("churn_rate", 4, _R_CHURN),
        _fit("nps", 4, _R_NPS_OWNER),
        _fit("proposals_sent", 4, _R_OWNER_SELLS, max_team=2),
        _fit("closed_deals", 4, _R_OWNER_DEALS, max_team=2),
        _fit("payment_collection", 4, _R_COLLECTION),
        _fit("cost_per_lead", 4, _R_CPL_OWNER),
        _fit("funnel_conversion", 4, _R_FUNNEL),
        _fit("market_share", 3, _R_MARKET_SHARE),
    ),
}
"""Per role: the KPIs it controls, with base weights and reasons (in catalog terms)."""

GOAL_KPIS: Mapping[Goal, frozenset[str]] = {
    Goal.MORE_LEADS: frozenset({
        "leads", "website_traffic", "visitor_to_lead", "cost_per_lead", "ad_ctr", "lead_quality",
    }),
    Goal.MORE_SALES: frozenset({
        "closed_deals", "revenue", "lead_to_qualified", "call_to_meeting", "meetings", "cold_calls",
        "win_rate", "lead_to_customer", "funnel_conversion", "new_customers",
    }),
    Goal.BIGGER_DEALS: frozenset({
        "average_deal_size", "pipeline_value", "proposals_sent", "win_rate",
    }),
    Goal.RETENTION: frozenset({"retention_rate", "churn_rate", "customer_lifetime_value", "nps"}),
    Goal.LOWER_ACQUISITION_COST: frozenset({
        "customer_acquisition_cost", "cost_per_lead", "cost_per_acquisition", "marketing_roi",
        "lead_quality", "ad_ctr",
    }),
    Goal.BRAND_AWARENESS: frozenset({
        "website_traffic", "social_engagement", "new_followers", "market_share",
    }),
    Goal.PROFITABILITY: frozenset({
        "gross_margin", "net_margin", "marketing_roi", "average_deal_size",
        "customer_acquisition_cost", "payment_collection",
    }),
    Goal.TEAM_DISCIPLINE: frozenset({
        "cold_calls", "meetings", "proposals_sent", "invoices_issued", "lead_response_time",
        "inbound_requests_processed",
    }),
}
"""Per goal: the KPIs that serve it (+``GOAL_BONUS`` each)."""

BUSINESS_KPIS: Mapping[BusinessType, frozenset[str]] = {
    BusinessType.B2B: frozenset({
        "meetings", "proposals_sent", "pipeline_value", "win_rate", "sales_cycle_length",
        "lead_to_qualified",
    }),
    BusinessType.B2C: frozenset({"ad_ctr", "social_engagement", "cost_per_acquisition", "nps"}),
    BusinessType.ECOMMERCE: frozenset({
        "funnel_conversion", "website_traffic", "cost_per_acquisition", "average_deal_size",
        "retention_rate",
    }),
    BusinessType.SERVICES: frozenset({"meetings", "retention_rate", "nps", "lead_response_time"}),
    BusinessType.RETAIL: frozenset({"average_deal_size", "nps", "retention_rate", "new_customers"}),
}
"""Per business type: KPIs that matter more there (+``BUSINESS_BONUS``)."""

CHANNEL_KPIS: Mapping[SalesChannel, frozenset[str]] = {
    SalesChannel.ONLINE: frozenset({
        "lead_response_time", "visitor_to_lead", "website_traffic", "funnel_conversion",
    }),
    SalesChannel.PHONE: frozenset({
        "cold_calls", "call_to_meeting", "lead_response_time", "inbound_requests_processed",
    }),
    SalesChannel.FIELD: frozenset({"meetings", "proposals_sent"}),
    SalesChannel.RETAIL_STORE: frozenset({"average_deal_size", "new_customers"}),
    SalesChannel.MARKETPLACE: frozenset({"cost_per_acquisition", "ad_ctr", "revenue"}),
    SalesChannel.MIXED: frozenset(),
}
"""Per sales channel: KPIs that matter more there (+``CHANNEL_BONUS``)."""

EXCLUSIVE: tuple[frozenset[str], ...] = (frozenset({"retention_rate", "churn_rate"}),)
"""KPIs that mirror each other: at most one of each group is advised."""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One advised KPI.

    Attributes:
        kpi: The catalog entry.
        rank: 1 for the best fit.
        score: The table score (for transparency and tests).
        reason: Why it suits the role (a message to show under the KPI).
        role: The role it was chosen for.
        serves_goals: The user's goals it serves.
    """

    kpi: Kpi
    rank: int
    score: int
    reason: Message
    role: Role
    serves_goals: frozenset[Goal]

    @property
    def kpi_id(self) -> str:
        """The KPI's id."""
        return self.kpi.id

    @property
    def leading(self) -> bool:
        """True for a daily lever, False for an outcome."""
        return self.kpi.leading


@dataclass(frozen=True, slots=True)
class StartCollecting:
    """A KPI that would suit the user once they collect some data.

    Attributes:
        kpi: The KPI.
        missing: Requirement groups not covered; any one source of a group would do.
        reason: Why the KPI would suit the role.
        message: "To track {kpi}, start collecting data from {sources}." ready to render.
    """

    kpi: Kpi
    missing: tuple[frozenset[DataSource], ...]
    reason: Message
    message: Message


@dataclass(frozen=True, slots=True)
class RecommendationSet:
    """The advice for one profile.

    Attributes:
        profile: The answers it was made for.
        items: 0 to 5 KPIs, best first (3 to 5 whenever the data allows).
        start_collecting: Up to 3 KPIs that would fit with more data.
        notes: Explanations to show after the list (why so few, why no daily lever, ...).
    """

    profile: Profile
    items: tuple[Recommendation, ...]
    start_collecting: tuple[StartCollecting, ...] = ()
    notes: tuple[Message, ...] = field(default_factory=tuple)

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        """The advised KPI ids, best first."""
        return tuple(r.kpi.id for r in self.items)


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------

_ORDER: dict[str, int] = {k.id: i for i, k in enumerate(all_kpis())}


@dataclass(frozen=True, slots=True)
class _Candidate:
    fit: Fit
    kpi: Kpi
    score: int
    goals: frozenset[Goal]

    @property
    def key(self) -> tuple[int, int]:
        return (-self.score, _ORDER[self.kpi.id])


def _requirements(fit: Fit, kpi: Kpi) -> tuple[frozenset[DataSource], ...]:
    extra = (frozenset({fit.needs}),) if fit.needs is not None else ()
    return kpi.requires + tuple(g for g in extra if g not in kpi.requires)


def _missing(
    fit: Fit, kpi: Kpi, available: frozenset[DataSource]
) -> tuple[frozenset[DataSource], ...]:
    missing = list(missing_sources(kpi, available))
    if fit.needs is not None and fit.needs not in available:
        missing.append(frozenset({fit.needs}))
    # "web analytics" alone is enough for "CRM or web analytics or ad accounts; web analytics".
    return minimal_groups(missing)


def _candidates(profile: Profile, available: frozenset[DataSource]) -> list[_Candidate]:
    result = []
    for fit in ROLE_FITS[profile.role]:
        if not fit.applies(profile):
            continue
        kpi = get_kpi(fit.kpi_id)
        if _missing(fit, kpi, available):
            continue
        goals = frozenset(g for g in profile.goals if kpi.id in GOAL_KPIS[g])
        score = fit.weight + GOAL_BONUS * len(goals)
        if kpi.id in BUSINESS_KPIS[profile.business]:
            score += BUSINESS_BONUS
        if kpi.id in CHANNEL_KPIS[profile.channel]:
            score += CHANNEL_BONUS
        result.append(_Candidate(fit, kpi, score, goals))
    result.sort(key=lambda c: c.key)
    return result


def _excluded(kpi_id: str, chosen: Iterable[str]) -> bool:
    chosen = set(chosen)
    return any(kpi_id in group and (group - {kpi_id}) & chosen for group in EXCLUSIVE)


def target_count(profile: Profile) -> int:
    """How many KPIs to advise: 3, one more per goal beyond the first, at most 5."""
    return max(MIN_KPIS, min(MAX_KPIS, 2 + len(profile.goals)))


def max_levers(n: int) -> int:
    """At most half the set (rounded up) are levers: 2 of 3 or 4, 3 of 5; the rest are results."""
    return (n + 1) // 2


def _select(ranked: Sequence[_Candidate], n: int) -> list[_Candidate]:
    chosen: list[_Candidate] = []

    def take(c: _Candidate, max_leading: int) -> None:
        if len(chosen) >= n or c in chosen or _excluded(c.kpi.id, (x.kpi.id for x in chosen)):
            return
        if c.kpi.leading and sum(x.kpi.leading for x in chosen) >= max_leading:
            return
        chosen.append(c)

    # A set needs a lever to act on every day and a result to judge the levers by.
    lever = next((c for c in ranked if c.kpi.leading and c.kpi.loggable_daily), None)
    outcome = next((c for c in ranked if not c.kpi.leading), None)
    for c in (lever, outcome):
        if c is not None:
            take(c, max_levers(n))
    for c in ranked:
        take(c, max_levers(n))
    # Not enough results to balance the set: fill with levers rather than leave it short.
    for c in ranked:
        take(c, n)
    chosen.sort(key=lambda c: c.key)
    return chosen


def _recommendation(c: _Candidate, rank: int, role: Role) -> Recommendation:
    return Recommendation(
        kpi=c.kpi, rank=rank, score=c.score, reason=Message(c.fit.reason), role=role,
        serves_goals=c.goals,
    )


# --------------------------------------------------------------------------------------------
# Messages about data
# --------------------------------------------------------------------------------------------

# Translators: joins data source names that are alternatives: "A, B or C" is built as
# "{left}, {right}" for A and B, then "{left} or {right}" for the last one.
_LIST = N_("{left}, {right}")
# Translators: see "{left}, {right}": the last of several alternatives.
_OR = N_("{left} or {right}")
# Translators: joins groups of data sources that are all needed: "ad accounts or accounting,
# and also your CRM or order system, web analytics or ad accounts".
_AND = N_("{left}, and also {right}")
_START = N_("To track {kpi}, start collecting data from {sources}.")
_NOTE_FEW_DATA = NN_(
    "Only {count} KPI fits the data you have; for more, start collecting the data below.",
    "Only {count} KPIs fit the data you have; for more, start collecting the data below.",
)
_NOTE_FEW = NN_(
    "Only {count} KPI fits the data you have. Activities such as calls, meetings and invoices "
    "can always be counted by hand; for more KPIs, start collecting the data below.",
    "Only {count} KPIs fit the data you have. Activities such as calls, meetings and invoices "
    "can always be counted by hand; for more KPIs, start collecting the data below.",
)
_NOTE_NONE = N_(
    "None of the KPIs for your role can be computed from the "
    "data you have yet. Start collecting the data below."
)
_NOTE_NO_LEADING = N_(
    "None of these can be moved and logged every day. Add a data source to get a daily lever."
)
_NOTE_NO_OUTCOME = N_(
    "There is no result metric here yet: add a data source to see where your daily work leads."
)
_NOTE_FOCUS = NN_(
    "We keep it to {count} KPI: with more of them, attention and motivation get spread thin.",
    "We keep it to {count} KPIs: with more of them, attention and motivation get spread thin.",
)


def _join(template: str, parts: Sequence[Message]) -> Message:
    result = parts[0]
    for part in parts[1:]:
        result = Message(template, {"left": result, "right": part})
    return result


def sources_message(groups: Sequence[frozenset[DataSource]]) -> Message:
    """Data needs in words, for running text: "ad accounts or accounting, and also your CRM or
    order system, web analytics (…) or ad accounts".

    Sources within a group are alternatives; every group is needed. The names are the
    in-sentence ones (:func:`~kpi_core.advice.profile.source_in_text`), not the button labels.
    """
    ordered = list(DataSource)
    return _join(
        _AND,
        [_alternatives([source_in_text(s) for s in sorted(g, key=ordered.index)]) for g in groups],
    )


def _alternatives(parts: Sequence[Message]) -> Message:
    """"A", "A or B", "A, B or C"."""
    if len(parts) == 1:
        return parts[0]
    return Message(_OR, {"left": _join(_LIST, parts[:-1]), "right": parts[-1]})


def _start_collecting(profile: Profile, chosen: Sequence[str]) -> tuple[StartCollecting, ...]:
    everything = frozenset(ASKABLE_DATA_SOURCES) | {DataSource.MANUAL}
    have = profile.available_sources()
    ideal = _select(_candidates(profile, everything), target_count(profile))
    result = []
    for c in ideal:
        missing = _missing(c.fit, c.kpi, have)
        if not missing or c.kpi.id in chosen:
            continue
        result.append(
            StartCollecting(
                kpi=c.kpi,
                missing=missing,
                reason=Message(c.fit.reason),
                message=Message(
                    _START, {"kpi": c.kpi.name_message, "sources": sources_message(missing)}
                ),
            )
        )
    return tuple(result[:MAX_START_COLLECTING])


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def kpis_for_role(role: Role) -> tuple[Kpi, ...]:
    """The KPIs a role's scoring table considers (what the role controls), in catalog order."""
    ids = {fit.kpi_id for fit in ROLE_FITS[role]}
    return tuple(k for k in all_kpis() if k.id in ids)


def recommend(profile: Profile) -> RecommendationSet:
    """Advise 3 to 5 KPIs for ``profile`` (fewer only when its data allows no more).

    Deterministic: the same profile always gets the same advice.

    Args:
        profile: The questionnaire's answers.

    Returns:
        The ranked KPIs with reasons, KPIs to start collecting data for, and notes.
    """
    available = profile.available_sources()
    ranked = _candidates(profile, available)
    n = target_count(profile)
    chosen = _select(ranked, n)
    items = tuple(_recommendation(c, i, profile.role) for i, c in enumerate(chosen, start=1))

    notes: list[Message] = []
    singular, plural = _NOTE_FOCUS
    if not items:
        notes.append(Message(_NOTE_NONE))
    elif len(items) < MIN_KPIS:
        # Mention counting by hand only where the role has KPIs that can be counted by hand.
        by_hand = any(
            fit.applies(profile) and has_data(get_kpi(fit.kpi_id), {DataSource.MANUAL})
            for fit in ROLE_FITS[profile.role]
        )
        few_one, few_many = _NOTE_FEW if by_hand else _NOTE_FEW_DATA
        notes.append(Message(few_one, plural=few_many, count=len(items)))
    else:
        notes.append(Message(singular, plural=plural, count=len(items)))
    if items and not any(r.leading for r in items):
        notes.append(Message(_NOTE_NO_LEADING))
    if items and all(r.leading for r in items):
        notes.append(Message(_NOTE_NO_OUTCOME))

    return RecommendationSet(
        profile=profile,
        items=items,
        start_collecting=_start_collecting(profile, [r.kpi.id for r in items]),
        notes=tuple(notes),
    )


def alternatives(
    profile: Profile, kpi_id: str, chosen: Iterable[str] | None = None
) -> tuple[Recommendation, ...]:
    """KPIs that could replace ``kpi_id`` in the user's set (the "swap" button).

    Only KPIs of the same role table whose data the user has and that are not already chosen.
    KPIs of the same kind (lever for a lever, result for a result) come first, so a swap keeps
    the set balanced; then by score, then catalog order.

    Args:
        profile: The user's answers.
        kpi_id: The KPI to replace.
        chosen: The user's current KPI ids; by default, :func:`recommend`'s choice.

    Raises:
        UnknownKpi: ``kpi_id`` is not in the catalog.
    """
    replaced = get_kpi(kpi_id)
    current = list(chosen) if chosen is not None else list(recommend(profile).kpi_ids)
    keep = [k for k in current if k != kpi_id]
    options = [
        c
        for c in _candidates(profile, profile.available_sources())
        if c.kpi.id != kpi_id and c.kpi.id not in current and not _excluded(c.kpi.id, keep)
    ]
    options.sort(key=lambda c: (c.kpi.leading is not replaced.leading, *c.key))
    return tuple(_recommendation(c, i, profile.role) for i, c in enumerate(options, start=1))
