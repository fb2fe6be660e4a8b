"""What the onboarding use cases return: a :class:`Reply` holding one of the views.

The adapters (Telegram, console) turn a view into words and buttons; nothing here formats
text. A button is named by its *action* (:class:`Action`) and its arguments; how an action
travels inside a button (callback prefixes, 64 bytes) is the adapter's business
(:mod:`bot.ui.render`), and a press comes back as a :class:`ButtonPress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from kpi_core.advice.catalog import Kpi
from kpi_core.advice.questionnaire import Screen
from kpi_core.advice.recommend import Recommendation
from kpi_core.messages import Message
from kpi_core.planning.calendar import Period
from kpi_core.services.membership import (
    BoardView,
    ConfirmRemoveView,
    ConfirmTransferView,
    Notification,
    TeamView,
    WeightsView,
)
from kpi_core.services.share_views import (
    DayOffPreview,
    DaysOffView,
    SharePromptView,
    TargetsShareView,
)

__all__ = [
    "Action",
    "ButtonPress",
    "CatalogView",
    "DeleteView",
    "FinishedView",
    "FunnelParam",
    "KpiCard",
    "NoticeView",
    "PlanSummary",
    "PlanView",
    "QuestionView",
    "Quota",
    "Reply",
    "ReviewView",
    "SettingsView",
    "SwapView",
    "TargetLine",
    "TargetsView",
    "View",
]


class Action:
    """The actions a button of a conversation menu stands for.

    They are short because a button carries them; the menu token (see
    :class:`ButtonPress`) tells which screen drew the button.
    """

    # a question of the questionnaire (argument: the option's index on screen)
    CHOOSE = "c"
    TOGGLE = "t"
    DONE = "d"
    BACK = "b"
    SKIP = "s"
    # the KPI review, its swap and catalog screens (argument: a KPI id or a page)
    ACCEPT = "ok"
    BACK_TO = "back"
    SWAP = "sw"
    REMOVE = "rm"
    ADD = "add"
    PICK = "pick"
    PAGE = "pg"
    # /kpis → targets (argument: a KPI id, or a funnel parameter)
    TARGETS = "tg"
    EDIT_TARGET = "te"
    EDIT_PARAM = "pe"
    RESET = "rs"
    # /plan and /settings (the edits are the keys of ``menus.EDITS``)
    CLOSE = "close"
    CHART = "chart"
    """/settings: turn the digest's chart on or off (no question: one press)."""
    # /delete_me
    ERASE = "yes"
    KEEP = "no"
    # an invite from another team
    SWITCH = "go"
    STAY = "stay"


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A button pressed on a conversation menu.

    Attributes:
        token: The token of the menu the button was drawn on; a press with another token is
            stale (an old message, a forged button).
        action: One of :class:`Action`'s values (or an edit of ``/plan`` and ``/settings``).
        args: The action's arguments, untrusted like the rest.
    """

    token: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int = 0) -> str:
        """Argument ``index`` or ``""``."""
        return self.args[index] if index < len(self.args) else ""


@dataclass(frozen=True, slots=True)
class Quota:
    """A KPI's period target split into daily quotas.

    Attributes:
        target: The team's target for the period.
        per_person: The headline daily quota of one person.
        team_daily: The team's daily quota.
        people: People sharing the target.
        working_days: Working days in the period.
        currency: ISO code for money, ``None`` for counts.
    """

    target: Decimal
    per_person: Decimal
    team_daily: Decimal
    people: int
    working_days: int
    currency: str | None


@dataclass(frozen=True, slots=True)
class KpiCard:
    """One KPI as the result screen shows it."""

    kpi: Kpi
    reason: Message
    controllers: tuple[Message, ...]
    quota: Quota | None


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """The plan: what, how much, when, and how it splits.

    Attributes:
        starts: When the person starts after the period began (onboarding mid-month): the
            first day their share counts from; ``None`` when it is the whole period.
        share: With ``starts``: what is asked of the person from that day to the end (the
            working days before it are nobody's), against ``full_share``, their share of the
            whole period.
    """

    kpi: Kpi
    quota: Quota
    period: Period
    baseline: Decimal | None
    starts: date | None = None
    share: Decimal | None = None
    full_share: Decimal | None = None


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question of the questionnaire (onboarding or an edit)."""

    screen: Screen
    editing: bool = False


@dataclass(frozen=True, slots=True)
class ReviewView:
    """The advised (or saved) KPI set with the plan, quotas and warnings."""

    cards: tuple[KpiCard, ...]
    plan: PlanSummary | None
    warnings: tuple[Message, ...]
    notes: tuple[Message, ...]
    onboarding: bool
    can_back: bool
    can_add: bool
    can_remove: bool
    plan_kpi: str | None = None
    """The KPI the person's own plan is set on: it can be neither swapped nor removed (the
    plan would be left without anyone tracking it)."""
    can_targets: bool = False
    """``/kpis``: offer the targets screen."""


@dataclass(frozen=True, slots=True)
class SwapView:
    """Alternatives for one KPI of the set."""

    card: KpiCard
    options: tuple[Recommendation, ...]


@dataclass(frozen=True, slots=True)
class CatalogView:
    """One page of the catalog, to add a KPI."""

    kpis: tuple[Kpi, ...]
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One KPI on the targets screen.

    Attributes:
        kpi: The KPI.
        target: Its target for the period (for a conversion: the rate assumed), or ``None``.
        source: Where the target comes from: ``"plan"``, ``"funnel"`` (worked out from the
            plan), ``"last"`` (last period's actual), ``"typed"``; ``None`` without one.
        quota: The daily quota the target implies (``None`` for a rate or no target).
        currency: ISO code for money, ``None`` for counts and rates.
        rate: The KPI is a conversion (a share, not summed over days).
    """

    kpi: Kpi
    target: Decimal | None
    source: str | None
    quota: Quota | None
    currency: str | None = None
    rate: bool = False


@dataclass(frozen=True, slots=True)
class FunnelParam:
    """A parameter of the funnel the targets are worked out with.

    Attributes:
        name: ``"avg_deal"`` or a conversion (``"call_to_meeting"`` ...).
        value: Its value (a share in (0, 1] for a conversion), or ``None`` when not set.
        typed: The person set it (else it is the default).
        currency: For the average deal: the plan's currency.
    """

    name: str
    value: Decimal | None
    typed: bool
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class TargetsView:
    """``/kpis`` → targets: each KPI's target for the period and the daily quota it implies,
    before it is saved.

    Attributes:
        lines: The KPIs of the set, in order.
        params: The funnel's parameters that the targets depend on.
        period: The plan's period, if there is a plan.
        editing: The KPI id or parameter name being typed, if any.
        can_edit: The person may change the targets (not a member of someone else's team).
    """

    lines: tuple[TargetLine, ...]
    params: tuple[FunnelParam, ...]
    period: Period | None
    editing: str | None = None
    can_edit: bool = True


@dataclass(frozen=True, slots=True)
class FinishedView:
    """Onboarding (or joining a team) finished: what was saved and what happens next.

    Attributes:
        invite_code: For the owner of a team of more than one: the code of the invite link
            to forward to the others.
        planned: The planned head count (with ``invite_code``).
        joined_team: For someone who joined a team: its name.
        owner: For someone who joined a team: the owner's name.
    """

    cards: tuple[KpiCard, ...]
    plan: PlanSummary | None
    digest: time | None
    reminder: time | None
    timezone: str
    invite_code: str | None = None
    planned: int | None = None
    joined_team: str | None = None
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class PlanView:
    """``/plan``: the current plan and buttons to change it.

    Attributes:
        plan: The plan, with the person's own daily quota.
        can_edit: The person may change the plan (not a member of someone else's team).
        can_resize: The person may change how many people share it (an owner or a head).
    """

    plan: PlanSummary | None
    can_edit: bool = True
    can_resize: bool = False


@dataclass(frozen=True, slots=True)
class SettingsView:
    """``/settings``: the person's settings and buttons to change each."""

    language: str
    timezone: str
    country: str
    weekdays: frozenset[int]
    digest: time | None
    reminder: time | None
    digest_chart: bool = False
    """The morning digest carries the progress chart (the 📈 button turns it on and off)."""


@dataclass(frozen=True, slots=True)
class DeleteView:
    """``/delete_me``: are you sure?

    Attributes:
        in_team: Some team of theirs stays: what they reported there stays in its totals,
            without their name (the confirmation says so).
    """

    in_team: bool = False


@dataclass(frozen=True, slots=True)
class SwitchTeamView:
    """An invite from another team while in one: leave ``current`` for ``new``?"""

    current: str
    new: str


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A message without buttons (cancelled, erased, a hint)."""

    message: Message


View = (
    QuestionView | ReviewView | SwapView | CatalogView | TargetsView | FinishedView | PlanView
    | SettingsView | DeleteView | NoticeView | TeamView | ConfirmRemoveView | ConfirmTransferView
    | BoardView | SwitchTeamView | WeightsView | TargetsShareView | DaysOffView | DayOffPreview
    | SharePromptView
)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a use case asks the adapter to show.

    Attributes:
        view: The screen to show (with buttons carrying ``token``), or ``None``.
        token: The menu token the view's buttons must carry.
        notice: A line to show before the view ("Saved.", "This menu has expired").
        error: Why the last answer could not be used (shown with the same step again).
        stale: The pressed button was from an old or forged menu.
        moved: The screen changed to another step (not just a tick or an error).
        closed: The conversation ended (no menu stays open).
        offered_location_done: The person just left a step that offered to share their
            location: the adapter withdraws that offer.
        language: The language to render in (it changes with /language).
        handled: False when there was no conversation for this input (let others handle it).
        screen_ref: The adapter's reference to the message that showed the menu before this
            reply, as it gave it to :func:`remember_screen` (opaque here).
        notify: Messages for other people's chats (the owner: someone joined the team).
        zone: The time zone just set (from a button, a typed city or a shared location), for
            the adapter to confirm it: a city typed or a location shared does not show which
            zone it gave.
    """

    view: View | None
    token: str = ""
    notice: Message | None = None
    error: Message | None = None
    stale: bool = False
    moved: bool = True
    closed: bool = False
    offered_location_done: bool = False
    language: str = "en"
    handled: bool = True
    screen_ref: int | None = None
    notify: tuple[Notification, ...] = ()
    zone: str | None = None
