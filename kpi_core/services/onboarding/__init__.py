"""Onboarding and the commands that change its results: use cases over the unit of work.

Callers keep one import, ``from kpi_core.services import onboarding as use``, and call
``use.begin(uow, deps, who)``, ``use.press(uow, deps, who, use.ButtonPress(token, action,
args))`` and so on (the calling convention of :mod:`kpi_core.services.common`). Each reply is
a :class:`Reply` value; the adapters turn it into words and buttons.

The package, by what a reader looks for:

* :mod:`.views` — the reply and the screens it can show, and the button actions;
* :mod:`.plan` — the plan and its daily quotas from the questionnaire's answers (pure);
* :mod:`.context` — the per-update context and the conversation state helpers;
* :mod:`.records` — the person's team, plan and KPI set as stored;
* :mod:`.conversation` — ``/start``, ``/cancel``, redraws and routing what is sent;
* :mod:`.questionnaire` — answering a question, in whichever flow asked it;
* :mod:`.review` — the KPI set on review (onboarding's result screen and ``/kpis``);
* :mod:`.targets` — ``/kpis`` → targets: a target for every KPI, with its daily quota;
* :mod:`.join` — joining a team from an invite link;
* :mod:`.menus` — ``/plan`` and ``/settings`` and the edits they open;
* :mod:`.delete` — ``/delete_me``; :mod:`.language` — ``/language``.
"""

from __future__ import annotations

from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding.context import (
    EXPIRED,
    FLOW_DELETE,
    FLOW_EDIT,
    FLOW_JOIN,
    FLOW_KPIS,
    FLOW_MENU,
    FLOW_ONBOARDING,
    FLOW_PAUSED,
)
from kpi_core.services.onboarding.conversation import (
    OTHER_STATE_CHAT_IDS,
    begin,
    cancel,
    current,
    located,
    nudge,
    press,
    remember_screen,
    takes_text,
    typed,
)
from kpi_core.services.onboarding.delete import open_delete
from kpi_core.services.onboarding.join import join
from kpi_core.services.onboarding.language import set_language
from kpi_core.services.onboarding.menus import EDITS, open_plan, open_settings
from kpi_core.services.onboarding.plan import build_profile
from kpi_core.services.onboarding.review import PAGE_SIZE, open_kpis
from kpi_core.services.onboarding.views import (
    Action,
    ButtonPress,
    CatalogView,
    DeleteView,
    FinishedView,
    FunnelParam,
    KpiCard,
    NoticeView,
    PlanSummary,
    PlanView,
    QuestionView,
    Quota,
    Reply,
    ReviewView,
    SettingsView,
    SwapView,
    SwitchTeamView,
    TargetLine,
    TargetsView,
    View,
)

__all__ = [
    "EDITS",
    "EXPIRED",
    "FLOW_DELETE",
    "FLOW_EDIT",
    "FLOW_JOIN",
    "FLOW_KPIS",
    "FLOW_MENU",
    "FLOW_ONBOARDING",
    "FLOW_PAUSED",
    "OTHER_STATE_CHAT_IDS",
    "PAGE_SIZE",
    "Action",
    "ButtonPress",
    "CatalogView",
    "DeleteView",
    "Deps",
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
    "SwitchTeamView",
    "TargetLine",
    "TargetsView",
    "View",
    "Who",
    "begin",
    "build_profile",
    "cancel",
    "current",
    "join",
    "located",
    "nudge",
    "open_delete",
    "open_kpis",
    "open_plan",
    "open_settings",
    "press",
    "remember_screen",
    "set_language",
    "takes_text",
    "typed",
]

