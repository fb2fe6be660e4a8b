"""Who the user is: the answers that KPI advice depends on.

The enum values are stable strings: they are stored in conversation state (JSON) and in the
database, so never rename a value; add a new member instead. Every member has a human label
(a ``pgettext`` msgid) for questionnaire buttons: ``label(Role.MARKETER)`` returns a
:class:`~kpi_core.messages.Message`.

``DataSource.MANUAL`` (counting by hand in a notebook or a spreadsheet) is always available:
the questionnaire does not ask about it (see :data:`ASKABLE_DATA_SOURCES`) and
:meth:`Profile.available_sources` adds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kpi_core.errors import DomainError
from kpi_core.messages import N_, NP_, Message


class Role(StrEnum):
    """The user's job: it decides which numbers they control and answer for."""

    OWNER = "owner"
    HEAD_OF_SALES = "head_of_sales"
    SALES_MANAGER = "sales_manager"
    HEAD_OF_MARKETING = "head_of_marketing"
    MARKETER = "marketer"


class BusinessType(StrEnum):
    """What kind of business the user works in."""

    B2B = "b2b"
    B2C = "b2c"
    ECOMMERCE = "ecommerce"
    SERVICES = "services"
    RETAIL = "retail"


class SalesChannel(StrEnum):
    """Where most sales happen."""

    ONLINE = "online"
    PHONE = "phone"
    FIELD = "field"
    RETAIL_STORE = "retail_store"
    MARKETPLACE = "marketplace"
    MIXED = "mixed"


class Goal(StrEnum):
    """What the user wants to improve in the coming months."""

    MORE_LEADS = "more_leads"
    MORE_SALES = "more_sales"
    BIGGER_DEALS = "bigger_deals"
    RETENTION = "retention"
    LOWER_ACQUISITION_COST = "lower_acquisition_cost"
    BRAND_AWARENESS = "brand_awareness"
    PROFITABILITY = "profitability"
    TEAM_DISCIPLINE = "team_discipline"


class DataSource(StrEnum):
    """Where numbers come from. A KPI is only advised when its data can be had."""

    CRM = "crm"
    WEB_ANALYTICS = "web_analytics"
    AD_ACCOUNTS = "ad_accounts"
    EMAIL_PLATFORM = "email_platform"
    SOCIAL_NETWORKS = "social_networks"
    SURVEYS = "surveys"
    ACCOUNTING = "accounting"
    MARKET_RESEARCH = "market_research"
    MANUAL = "manual"


class Controller(StrEnum):
    """Who can move a KPI by their own work (the responsibility split)."""

    MARKETER = "marketer"
    SALES_MANAGER = "sales_manager"
    HEAD = "head"
    OWNER = "owner"


ASKABLE_DATA_SOURCES: tuple[DataSource, ...] = tuple(
    s for s in DataSource if s is not DataSource.MANUAL
)
"""Data sources the questionnaire asks about; counting by hand is always possible."""

ROLE_CONTROLLER: Mapping[Role, Controller] = {
    Role.OWNER: Controller.OWNER,
    Role.HEAD_OF_SALES: Controller.HEAD,
    Role.SALES_MANAGER: Controller.SALES_MANAGER,
    Role.HEAD_OF_MARKETING: Controller.HEAD,
    Role.MARKETER: Controller.MARKETER,
}
"""Which controller a role is. Both heads are ``HEAD``; the recommendation tables tell them
apart."""

# Keyed by (enum class, value): StrEnum members of different enums with the same value
# ("owner", "marketer") compare equal and would overwrite each other in a plain dict.
# Translators: context "role" is a button in the questionnaire: "Who are you?"
_LABEL_LIST: tuple[tuple[StrEnum, tuple[str, str]], ...] = (
    (Role.OWNER, NP_("role", "Business owner")),
    (Role.HEAD_OF_SALES, NP_("role", "Head of sales")),
    (Role.SALES_MANAGER, NP_("role", "Sales manager")),
    (Role.HEAD_OF_MARKETING, NP_("role", "Head of marketing")),
    (Role.MARKETER, NP_("role", "Marketer")),
    (BusinessType.B2B, NP_("business", "B2B: selling to companies")),
    (BusinessType.B2C, NP_("business", "B2C: selling to people")),
    (BusinessType.ECOMMERCE, NP_("business", "Online store")),
    (BusinessType.SERVICES, NP_("business", "Services")),
    (BusinessType.RETAIL, NP_("business", "Retail shops")),
    (SalesChannel.ONLINE, NP_("channel", "Website and messengers")),
    (SalesChannel.PHONE, NP_("channel", "Phone")),
    (SalesChannel.FIELD, NP_("channel", "In-person meetings")),
    (SalesChannel.RETAIL_STORE, NP_("channel", "In a shop")),
    (SalesChannel.MARKETPLACE, NP_("channel", "Marketplaces")),
    (SalesChannel.MIXED, NP_("channel", "Several channels")),
    (Goal.MORE_LEADS, NP_("goal", "More leads")),
    (Goal.MORE_SALES, NP_("goal", "More sales")),
    (Goal.BIGGER_DEALS, NP_("goal", "Bigger deals")),
    (Goal.RETENTION, NP_("goal", "Keep customers longer")),
    (Goal.LOWER_ACQUISITION_COST, NP_("goal", "Cheaper customer acquisition")),
    (Goal.BRAND_AWARENESS, NP_("goal", "Brand awareness")),
    (Goal.PROFITABILITY, NP_("goal", "Higher profit")),
    (Goal.TEAM_DISCIPLINE, NP_("goal", "A disciplined sales team")),
    (DataSource.CRM, NP_("data source", "CRM or order system")),
    (DataSource.WEB_ANALYTICS, NP_("data source", "Web analytics")),
    (DataSource.AD_ACCOUNTS, NP_("data source", "Ad accounts")),
    (DataSource.EMAIL_PLATFORM, NP_("data source", "Email newsletter service")),
    (DataSource.SOCIAL_NETWORKS, NP_("data source", "Social network statistics")),
    (DataSource.SURVEYS, NP_("data source", "Customer surveys")),
    (DataSource.ACCOUNTING, NP_("data source", "Accounting")),
    (DataSource.MARKET_RESEARCH, NP_("data source", "Market research")),
    (DataSource.MANUAL, NP_("data source", "Counting by hand")),
    (Controller.MARKETER, NP_("controller", "Marketer")),
    (Controller.SALES_MANAGER, NP_("controller", "Sales manager")),
    (Controller.HEAD, NP_("controller", "Head of department")),
    (Controller.OWNER, NP_("controller", "Owner")),
)
_LABELS: dict[tuple[type, str], tuple[str, str]] = {
    (type(member), member.value): pair for member, pair in _LABEL_LIST
}


# Translators: context "data source in a sentence" is the same data source inside running
# text ("To track Leads, start collecting data from ad accounts or accounting."),
# so it is not capitalised and may give examples that do not fit on a button.
_IN_TEXT: dict[DataSource, tuple[str, str]] = {
    DataSource.CRM: NP_("data source in a sentence", "your CRM or order system"),
    DataSource.WEB_ANALYTICS: NP_(
        "data source in a sentence", "web analytics (Yandex Metrica, Google Analytics)"
    ),
    DataSource.AD_ACCOUNTS: NP_("data source in a sentence", "ad accounts"),
    DataSource.EMAIL_PLATFORM: NP_("data source in a sentence", "an email newsletter service"),
    DataSource.SOCIAL_NETWORKS: NP_("data source in a sentence", "social network statistics"),
    DataSource.SURVEYS: NP_("data source in a sentence", "customer surveys"),
    DataSource.ACCOUNTING: NP_("data source in a sentence", "accounting"),
    DataSource.MARKET_RESEARCH: NP_("data source in a sentence", "market research"),
    DataSource.MANUAL: NP_("data source in a sentence", "counting by hand"),
}


def source_in_text(source: DataSource) -> Message:
    """Return how a data source is named inside a sentence (not capitalised, unlike :func:`label`).

    Args:
        source: A data source.

    Returns:
        A message with the context ``data source in a sentence``.
    """
    context, msgid = _IN_TEXT[source]
    return Message(msgid, context=context)


def label(member: Role | BusinessType | SalesChannel | Goal | DataSource | Controller) -> Message:
    """Return the human label of an enum member (a ``pgettext`` message for a button).

    Args:
        member: A member of one of this module's enums.

    Returns:
        A message with the context (``role``, ``business``, ``channel``, ``goal``,
        ``data source``, ``controller``) and the English label as msgid.
    """
    context, msgid = _LABELS[(type(member), member.value)]
    return Message(msgid, context=context)


class InvalidProfile(DomainError):
    """A profile that cannot be used (for example a team of zero people)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """The questionnaire's answers.

    Attributes:
        role: The user's job.
        business: The kind of business.
        channel: Where most sales happen.
        goals: What the user wants to improve (may be empty).
        data_sources: Where the user can take numbers from (``MANUAL`` need not be listed).
        team_size: People in the user's team, the user included (at least 1).
    """

    role: Role
    business: BusinessType
    channel: SalesChannel
    goals: frozenset[Goal] = field(default_factory=frozenset)
    data_sources: frozenset[DataSource] = field(default_factory=frozenset)
    team_size: int = 1

    def __post_init__(self) -> None:
        if (
            isinstance(self.team_size, bool)
            or not isinstance(self.team_size, int)
            or self.team_size < 1
        ):
            raise InvalidProfile(
                Message(N_("The team size must be a whole number, at least 1."))
            )

    @property
    def controller(self) -> Controller:
        """The controller this role is (both heads are ``Controller.HEAD``)."""
        return ROLE_CONTROLLER[self.role]

    def available_sources(self) -> frozenset[DataSource]:
        """The user's data sources plus ``MANUAL``, which everyone has."""
        return self.data_sources | {DataSource.MANUAL}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with stable, sorted lists (for state and storage)."""
        return {
            "role": self.role.value,
            "business": self.business.value,
            "channel": self.channel.value,
            "goals": sorted(g.value for g in self.goals),
            "data_sources": sorted(s.value for s in self.data_sources),
            "team_size": self.team_size,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Rebuild a profile from :meth:`to_dict` output.

        Raises:
            InvalidProfile: a value is missing or not one of the known ones.
        """
        try:
            return cls(
                role=Role(data["role"]),
                business=BusinessType(data["business"]),
                channel=SalesChannel(data["channel"]),
                goals=frozenset(Goal(g) for g in _strings(data.get("goals", ()))),
                data_sources=frozenset(
                    DataSource(s) for s in _strings(data.get("data_sources", ()))
                ),
                team_size=int(data.get("team_size", 1)),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidProfile(Message(N_("The saved answers could not be read."))) from exc


def _strings(values: Iterable[object]) -> list[str]:
    if isinstance(values, str):
        raise TypeError("expected a list of strings")
    return [str(v) for v in values]
