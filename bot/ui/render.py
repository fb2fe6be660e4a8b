"""Words and buttons for the screens of :mod:`kpi_core.services.onboarding`.

The use cases return views (values); this module turns one into a :class:`Menu` — HTML text
plus rows of :class:`Button` (label, callback data) — in the user's language. The Telegram
handlers make inline keyboards of the rows (:mod:`bot.telegram.keyboards`); the console prints
them as numbered options. One rendering, two front ends.

Reusable pieces for other features (the daily loop): :func:`kpi_name`, :func:`kpi_short`,
:func:`kpi_card`, :func:`quota_line`, :func:`period_text`, :func:`zone_label`,
:func:`working_days_text`, :func:`people_text`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import quote

from babel import Locale
from babel.lists import format_list

from bot.calendars import country_name
from bot.i18n import SUPPORTED_LANGUAGES, Translator
from bot.timezone_lookup import utc_offset_label
from bot.ui import callbacks
from kpi_core.advice.catalog import Aggregation, Kpi, Unit, aggregation_label, get_kpi
from kpi_core.advice.profile import Role, label
from kpi_core.advice.questionnaire import WEEKDAYS, Kind
from kpi_core.messages import NP_, Message
from kpi_core.model import TeamRole
from kpi_core.parsing.timezones import city_for_zone
from kpi_core.planning.calendar import Period
from kpi_core.services.membership import (
    INVITE_PREFIX,
    BoardView,
    ConfirmRemoveView,
    ConfirmTransferView,
    MemberLine,
    TeamView,
    WeightsView,
    headcount,
)
from kpi_core.services.onboarding import (
    Action,
    ButtonPress,
    CatalogView,
    DeleteView,
    FinishedView,
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
from kpi_core.services.share_views import (
    DayOffPreview,
    DaysOffView,
    SharePromptView,
    TargetsShareView,
)

CHECK = "✓ "

# -- callback data of the conversation menus -------------------------------------------------
# A button of a conversation menu is ``prefix:token:action[:args]`` (see bot.ui.callbacks):
# the prefix says which kind of menu drew it, the domain names only the action.
PREFIX_QUESTION = "q"
PREFIX_REVIEW = "r"
PREFIX_MENU = "m"
PREFIX_DELETE = "del"
MENU_PREFIXES = (PREFIX_QUESTION, PREFIX_REVIEW, PREFIX_MENU, PREFIX_DELETE)
"""The prefixes whose presses go to ``kpi_core.services.onboarding.press``."""


def press_of(data: str | None) -> ButtonPress:
    """The press a conversation menu's button stands for.

    Raises:
        InvalidCallback: not a conversation menu's button (malformed, forged, another prefix).
    """
    cb = callbacks.decode(data)
    if cb.prefix not in MENU_PREFIXES or len(cb.parts) < 2 or not cb.parts[0] or not cb.parts[1]:
        raise callbacks.InvalidCallback(f"not a conversation menu's button: {data!r}")
    return ButtonPress(cb.parts[0], cb.parts[1], cb.parts[2:])


def _q(token: str, action: str, *args: str | int) -> str:
    return callbacks.menu(PREFIX_QUESTION, token, action, *args)


def _r(token: str, action: str, *args: str | int) -> str:
    return callbacks.menu(PREFIX_REVIEW, token, action, *args)


def _m(token: str, action: str, *args: str | int) -> str:
    return callbacks.menu(PREFIX_MENU, token, action, *args)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: its label and its callback data, or a link to open instead."""

    label: str
    data: str = ""
    url: str | None = None


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Menu:
    """A message to show: HTML text, inline buttons, and whether to offer location sharing;
    ``photo`` (a PNG) goes right after the text, with ``caption`` (a scheduled digest with
    its progress chart)."""

    text: str
    rows: Rows = ()
    location: bool = False
    photo: bytes | None = None
    caption: str = ""


def esc(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


ROW_CHARS = 36
"""About what fits across a phone screen: a row of several buttons with longer labels in all
gets cut ("Петропавловск-Кам…"), so a label that does not fit goes onto a row of its own."""


def _rows(buttons: Sequence[Button], columns: int) -> list[tuple[Button, ...]]:
    columns = max(1, columns)
    rows: list[tuple[Button, ...]] = []
    row: list[Button] = []
    for button in buttons:
        width = sum(len(b.label) for b in row) + len(button.label)
        if row and (len(row) == columns or width > ROW_CHARS):
            rows.append(tuple(row))
            row = []
        row.append(button)
    if row:
        rows.append(tuple(row))
    return rows


# ---------------------------------------------------------------------------------------------
# Reusable pieces
# ---------------------------------------------------------------------------------------------


def kpi_name(t: Translator, kpi: Kpi) -> str:
    """The KPI's full name in the user's language (plain text)."""
    return t.render(kpi.name_message)


def kpi_short(t: Translator, kpi: Kpi) -> str:
    """The KPI's short label for buttons (plain text)."""
    return t.render(kpi.short_message)


def amount(t: Translator, value: object, currency: str | None) -> str:
    """Money when there is a currency, else a number (plain text)."""
    from decimal import Decimal

    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return t.money(number, currency) if currency else t.number(number)


def people_text(t: Translator, count: int) -> str:
    """"10 people" / "10 человек"."""
    return t.ngettext("{count} person", "{count} people", count).format(count=t.number(count))


def working_days_text(t: Translator, count: int) -> str:
    """"22 working days" / "22 рабочих дня"."""
    return t.ngettext("{count} working day", "{count} working days", count).format(
        count=t.number(count)
    )


def period_text(t: Translator, period: Period) -> str:
    """A date range: "1–30 April 2025" / "1–30 апреля 2025 г." (see :meth:`Translator.period`)."""
    return t.period(period.start, period.end)


def zone_label(t: Translator, zone: str, now: datetime) -> str:
    """"Moscow (UTC+3)": the zone's city in the user's language and its offset now."""
    city = city_for_zone(zone)
    place = t._(city.name) if city else zone
    try:
        offset = utc_offset_label(zone, now)
    except (KeyError, ValueError, OSError):
        return place
    if city is None and zone.startswith("Etc/"):
        return offset  # a bare offset zone: "UTC+5" says it all
    return t._("{place} ({offset})").format(place=place, offset=offset)


def time_text(t: Translator, value: time | None) -> str:
    """``09:00``, or "off"."""
    return t.time(value) if value is not None else t.pgettext("reminder", "off")


def quota_line(t: Translator, quota: Quota | None, kpi: Kpi) -> str:
    """The daily-quota line of a KPI card (plain text)."""
    if quota is None:
        if kpi.aggregation is Aggregation.SUM:
            return t._("Daily quota: no target yet — set one in /kpis → 🎯 Targets; until then, "
                       "log it daily and watch the trend.")
        return t._("Daily quota: none — it is a rate, judged over the whole period.")
    per_person = amount(t, quota.per_person, quota.currency)
    if quota.people > 1:
        return t._("Daily quota: {per_person} per person ({team} for the team)").format(
            per_person=per_person, team=amount(t, quota.team_daily, quota.currency)
        )
    return t._("Daily quota: {amount}").format(amount=per_person)


def list_text(t: Translator, names: Sequence[str]) -> str:
    """"sales manager, head of department and owner": a list inside a sentence.

    Labels are capitalised like buttons; inside a sentence (after "Who controls it:") they
    are not (acronyms such as "ROI" or "CRM" are left alone).
    """
    def lower(name: str) -> str:
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    words = [lower(n) for n in names]
    return str(format_list(words, locale=t.locale)) if words else ""


def kpi_card(t: Translator, card: KpiCard, index: int | None = None) -> str:
    """A KPI with its formula, why it fits, who controls it and its daily quota (HTML)."""
    name = esc(kpi_name(t, card.kpi))
    title = f"{index}. <b>{name}</b>" if index is not None else f"<b>{name}</b>"
    controllers = list_text(t, [t.render(c) for c in card.controllers])
    formula = t._("Formula: {formula} ({aggregation})").format(
        formula=t.render(card.kpi.formula_message),
        aggregation=t.render(aggregation_label(card.kpi.aggregation)),
    )
    lines = [
        title,
        esc(formula),
        esc(t._("Why: {reason}").format(reason=t.render(card.reason))),
        esc(t._("Who controls it: {who}").format(who=controllers)),
        esc(quota_line(t, card.quota, card.kpi)),
    ]
    return "\n".join(lines)


def plan_text(t: Translator, plan: PlanSummary) -> str:
    """The plan in three lines: what and when, days and people, the daily quota (HTML)."""
    quota = plan.quota
    days = working_days_text(t, quota.working_days)
    lines = [
        t._("Plan for {kpi}: <b>{amount}</b>, {period}").format(
            kpi=esc(kpi_name(t, plan.kpi)),
            amount=esc(amount(t, quota.target, quota.currency)),
            period=esc(period_text(t, plan.period)),
        ),
        # "22 working days, 1 person" says nothing to someone working on their own.
        esc(t._("{days}, {people}").format(days=days, people=people_text(t, quota.people)))
        if quota.people > 1
        else esc(days[:1].upper() + days[1:]),
    ]
    if plan.baseline is not None:
        lines.append(
            esc(t._("Previous period: {amount}").format(
                amount=amount(t, plan.baseline, quota.currency)))
        )
    prorated = prorated_text(t, plan)
    if prorated is not None:
        lines.append(esc(prorated))
    return "\n".join(lines)


def prorated_text(t: Translator, plan: PlanSummary) -> str | None:
    """Why the amount asked is less than the plan: it counts from the day the person started
    (plain text), or ``None`` when it is the whole period."""
    if plan.starts is None or plan.share is None or plan.full_share is None:
        return None
    currency = plan.quota.currency
    values = {
        "day": t.date(plan.starts),
        "share": amount(t, plan.share, currency),
        "full": amount(t, plan.full_share, currency),
    }
    if plan.quota.people > 1:
        text = t._(
            "Your share counts from {day}: {share} of {full} for the whole period (the working "
            "days before it are not counted)."
        )
    else:
        text = t._(
            "The plan counts from {day}: {share} of {full} for the whole period (the working "
            "days before it are not counted)."
        )
    return text.format(**values)


# ---------------------------------------------------------------------------------------------
# Screens
# ---------------------------------------------------------------------------------------------


def zone_confirmation(t: Translator, zone: str, now: datetime) -> str:
    """"Time zone: Moscow (UTC+3)." after a zone was set (plain text)."""
    return t._("Time zone: {value}").format(value=zone_label(t, zone, now))


def _head(t: Translator, reply: Reply, now: datetime) -> list[str]:
    lines = []
    if reply.zone is not None:
        lines.append("🕒 " + esc(zone_confirmation(t, reply.zone, now)))
    if reply.notice is not None:
        lines.append(esc(t.render(reply.notice)))
    if reply.error is not None:
        lines.append("⚠️ " + esc(t.render(reply.error)))
    return lines


def render(
    t: Translator, reply: Reply, now: datetime, bot_username: str | None = None
) -> Menu | None:
    """The message for a use case's reply (``None`` when there is nothing to show).

    ``bot_username`` makes invite links (``https://t.me/<bot>?start=join_<code>``); without
    it (the console) the invite is shown as the ``/start`` command to send.
    """
    view = reply.view
    if view is None:
        if reply.notice is None and reply.error is None:
            return None
        return Menu("\n\n".join(_head(t, reply, now)))
    body = _body(t, view, reply.token, now, bot_username)
    head = _head(t, reply, now)
    text = "\n\n".join([*head, body.text]) if head else body.text
    rows = body.rows if reply.token else _without_menu_buttons(body.rows)
    return Menu(text, rows, body.location)


def _without_menu_buttons(rows: Rows) -> Rows:
    """A screen shown with no conversation open (a saved KPI set, a closed menu): its
    conversation buttons would only answer "this menu has expired", so they are left out;
    links and buttons that carry no token (``/team``, languages) stay."""
    kept = []
    for row in rows:
        buttons = tuple(b for b in row if b.url is not None or not _needs_token(b.data))
        if buttons:
            kept.append(buttons)
    return tuple(kept)


def _needs_token(data: str) -> bool:
    try:
        return callbacks.decode(data).prefix in MENU_PREFIXES
    except callbacks.InvalidCallback:
        return False


def _body(t: Translator, view: View, token: str, now: datetime, bot_username: str | None) -> Menu:
    if isinstance(view, QuestionView):
        return question_menu(t, view, token, now)
    if isinstance(view, ReviewView):
        return review_menu(t, view, token)
    if isinstance(view, SwapView):
        return swap_menu(t, view, token)
    if isinstance(view, CatalogView):
        return catalog_menu(t, view, token)
    if isinstance(view, TargetsView):
        return targets_menu(t, view, token)
    if isinstance(view, FinishedView):
        return finished_menu(t, view, now, bot_username)
    if isinstance(view, TeamView):
        return team_menu(t, view, bot_username)
    if isinstance(view, ConfirmRemoveView):
        return remove_menu(t, view)
    if isinstance(view, ConfirmTransferView):
        return transfer_menu(t, view)
    if isinstance(view, WeightsView):
        return weights_menu(t, view)
    if isinstance(view, TargetsShareView | DaysOffView | DayOffPreview | SharePromptView):
        # Imported here: bot.ui.shares draws with this module's Menu and Button.
        from bot.ui import shares

        if isinstance(view, TargetsShareView):
            return shares.targets_menu(t, view)
        if isinstance(view, DaysOffView):
            return shares.days_off_menu(t, view)
        if isinstance(view, DayOffPreview):
            return shares.preview_menu(t, view)
        return shares.prompt_menu(t, view)
    if isinstance(view, BoardView):
        # Imported here: bot.ui.board draws with this module's Menu and Button.
        from bot.ui.board import board_menu

        return board_menu(t, view)
    if isinstance(view, PlanView):
        return plan_menu(t, view, token)
    if isinstance(view, SettingsView):
        return settings_menu(t, view, token, now)
    if isinstance(view, DeleteView):
        return delete_menu(t, token, view.in_team)
    if isinstance(view, SwitchTeamView):
        return switch_menu(t, view, token)
    assert isinstance(view, NoticeView)
    return Menu(esc(t.render(view.message)))


def _option_label(
    t: Translator, view: QuestionView, label: Message | str, value: str, now: datetime
) -> str:
    if view.screen.question.kind is Kind.ZONE:
        return zone_label(t, value, now)
    return label if isinstance(label, str) else t.render(label)


def question_menu(t: Translator, view: QuestionView, token: str, now: datetime) -> Menu:
    """A questionnaire step: progress, question, hint, options, Back/Skip/Done."""
    shown = view.screen
    lines = []
    if not view.editing:
        lines.append(f"<i>{esc(t.render(shown.progress))}</i>")
    lines.append(f"<b>{esc(t.render(shown.prompt))}</b>")
    if shown.hint is not None:
        lines.append(esc(t.render(shown.hint)))
    action = Action.TOGGLE if shown.can_done else Action.CHOOSE
    options = [
        Button(
            (CHECK if o.selected else "") + _option_label(t, view, o.label, o.value, now),
            _q(token, action, i),
        )
        for i, o in enumerate(shown.options)
    ]
    rows = _rows(options, shown.columns)
    nav = []
    if shown.can_back or view.editing:  # Back from an edit returns to its menu
        nav.append(Button("‹ " + t.pgettext("button", "Back"), _q(token, Action.BACK)))
    if shown.can_skip:
        nav.append(Button(t.pgettext("button", "Skip") + " ›", _q(token, Action.SKIP)))
    if shown.can_done:
        nav.append(Button(t.pgettext("button", "Done") + " ✓", _q(token, Action.DONE)))
    if nav:
        rows.append(tuple(nav))
    return Menu("\n".join(lines), tuple(rows), shown.wants_location)


def review_menu(t: Translator, view: ReviewView, token: str) -> Menu:
    """The advised (or saved) KPI set with plan, quotas, warnings and edit buttons."""
    title = t._("Here is what I suggest tracking") if view.onboarding else t._("Your KPIs")
    parts = [f"<b>{esc(title)}</b>"]
    if view.plan is not None:
        parts.append(plan_text(t, view.plan))
    parts.extend(kpi_card(t, card, i) for i, card in enumerate(view.cards, start=1))
    parts.extend("⚠️ " + esc(t.render(w)) for w in view.warnings)
    parts.extend(f"<i>{esc(t.render(n))}</i>" for n in view.notes)
    editable = [c for c in view.cards if c.kpi.id != view.plan_kpi]
    if view.plan_kpi is not None and editable:
        locked = next(c.kpi for c in view.cards if c.kpi.id == view.plan_kpi)
        parts.append(esc(t._("Your plan is set on “{kpi}”, so it stays in the set; "
                             "/plan changes the plan.").format(kpi=kpi_name(t, locked))))
    if editable and (view.can_add or view.can_remove):
        parts.append(esc(t._("🔄 swaps a KPI for another one, ✖ removes it, "
                             "➕ adds one from the catalog.")))
    elif view.can_add:
        parts.append(esc(t._("➕ adds a KPI from the catalog.")))
    rows: list[tuple[Button, ...]] = []
    for card in editable:
        row = [Button("🔄 " + kpi_short(t, card.kpi), _r(token, Action.SWAP, card.kpi.id))]
        if view.can_remove:
            row.append(Button("✖", _r(token, Action.REMOVE, card.kpi.id)))
        rows.append(tuple(row))
    if view.can_add:
        rows.append(
            (Button("➕ " + t.pgettext("button", "Add from the catalog"), _r(token, Action.ADD)),)
        )
    if not view.onboarding and view.can_targets:
        rows.append((Button("🎯 " + t.pgettext("button", "Targets"), _r(token, Action.TARGETS)),))
    last = []
    if view.can_back:
        last.append(Button("‹ " + t.pgettext("button", "Back"), _r(token, Action.BACK_TO)))
    accept = (
        t.pgettext("button", "Looks good, save") if view.onboarding
        else t.pgettext("button", "Save")
    )
    last.append(Button("✅ " + accept, _r(token, Action.ACCEPT)))
    rows.append(tuple(last))
    return Menu("\n\n".join(parts), tuple(rows))


def swap_menu(t: Translator, view: SwapView, token: str) -> Menu:
    """Alternatives for one KPI."""
    parts = [
        "<b>"
        + esc(t._("What should replace “{kpi}”?").format(kpi=kpi_name(t, view.card.kpi)))
        + "</b>"
    ]
    for option in view.options:
        parts.append(f"<b>{esc(kpi_name(t, option.kpi))}</b>\n{esc(t.render(option.reason))}")
    rows = [
        (Button(kpi_short(t, o.kpi), _r(token, Action.PICK, o.kpi.id)),)
        for o in view.options
    ]
    rows.append((Button("‹ " + t.pgettext("button", "Back"), _r(token, Action.BACK_TO)),))
    return Menu("\n\n".join(parts), tuple(rows))


SOURCES: dict[str, tuple[str, str]] = {
    "plan": NP_("target source", "the plan"),
    "funnel": NP_("target source", "worked out from the plan"),
    "last": NP_("target source", "last period"),
    "typed": NP_("target source", "set by you"),
}
"""Where a target comes from, as the targets screen says it."""

PARAMS: dict[str, tuple[str, str]] = {
    "avg_deal": NP_("funnel", "Average deal"),
    "call_to_meeting": NP_("funnel", "Call → meeting"),
    "meeting_to_proposal": NP_("funnel", "Meeting → proposal"),
    "proposal_to_deal": NP_("funnel", "Proposal → deal"),
    "qualified_to_deal": NP_("funnel", "Qualified lead → deal"),
    "lead_to_qualified": NP_("funnel", "Lead → qualified lead"),
}
"""The funnel's parameters by name."""


def _target_line(t: Translator, index: int, line: TargetLine) -> str:
    name = esc(kpi_name(t, line.kpi))
    head = f"{index}. <b>{name}</b>"
    if line.target is None:
        return head + "\n" + esc(t._("No target yet: ✏ sets one."))
    source = t.pgettext(*SOURCES[line.source or "typed"])
    if line.rate:
        value = t._("{rate} assumed ({source})").format(rate=t.percent(line.target), source=source)
        return head + "\n" + esc(value)
    value = t._("Target: {amount} ({source})").format(
        amount=amount(t, line.target, line.currency), source=source
    )
    return head + "\n" + esc(value) + "\n" + esc(quota_line(t, line.quota, line.kpi))


def _param_value(t: Translator, name: str, value: object, currency: str | None) -> str:
    from decimal import Decimal

    if value is None:
        return t._("not set")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount(t, number, currency) if name == "avg_deal" else t.percent(number)


def targets_menu(t: Translator, view: TargetsView, token: str) -> Menu:
    """``/kpis`` → targets: each KPI's target and its daily quota, the funnel's parameters,
    buttons to change them, and Save."""
    if view.period is not None:
        title = t._("Targets for {period}").format(period=period_text(t, view.period))
    else:
        title = t._("Targets")
    parts = [f"<b>{esc(title)}</b>"]
    parts.extend(_target_line(t, i, line) for i, line in enumerate(view.lines, start=1))
    if view.params:
        funnel = [esc(t._("The funnel the targets are worked out with:"))]
        for param in view.params:
            value = _param_value(t, param.name, param.value, param.currency)
            mark = "" if param.typed or param.value is None else " " + t._("(default)")
            funnel.append("• " + esc(f"{t.pgettext(*PARAMS[param.name])}: {value}{mark}"))
        parts.append("\n".join(funnel))
    if not view.can_edit:
        parts.append(esc(t._("The targets belong to your team: only its owner can change them.")))
    rows: list[tuple[Button, ...]] = []
    editing = view.editing
    if editing is not None:
        parts.append("✏️ <b>" + esc(_editing_prompt(t, view, editing)) + "</b>")
        rows.append(
            (Button(t.pgettext("button", "Use the suggested value"), _r(token, Action.RESET)),)
        )
        rows.append((Button("‹ " + t.pgettext("button", "Back"), _r(token, Action.BACK_TO)),))
        return Menu("\n\n".join(parts), tuple(rows))
    if view.can_edit:
        buttons = [
            Button("✏ " + kpi_short(t, line.kpi), _r(token, Action.EDIT_TARGET, line.kpi.id))
            for line in view.lines
            if not line.rate and line.source != "plan" and line.kpi.aggregation is Aggregation.SUM
        ]
        buttons += [
            Button("✏ " + t.pgettext(*PARAMS[p.name]), _r(token, Action.EDIT_PARAM, p.name))
            for p in view.params
        ]
        rows.extend(_rows(buttons, 2))
        parts.append(esc(t._("✏ changes a target or the funnel; the daily quotas follow. "
                             "Nothing is saved until Save.")))
    last = [Button("‹ " + t.pgettext("button", "Back"), _r(token, Action.BACK_TO))]
    if view.can_edit:
        last.append(Button("✅ " + t.pgettext("button", "Save"), _r(token, Action.ACCEPT)))
    rows.append(tuple(last))
    return Menu("\n\n".join(parts), tuple(rows))


def _editing_prompt(t: Translator, view: TargetsView, editing: str) -> str:
    if editing == "avg_deal":
        return t._("Type your average deal, like 45,000.")
    if editing in PARAMS:
        return t._("Type the conversion “{name}”, like 20%.").format(
            name=t.pgettext(*PARAMS[editing])
        )
    line = next((li for li in view.lines if li.kpi.id == editing), None)
    name = kpi_name(t, line.kpi) if line else editing
    return t._("Type the target for “{kpi}” for the whole period, like 120.").format(kpi=name)


def catalog_menu(t: Translator, view: CatalogView, token: str) -> Menu:
    """A page of the catalog."""
    header = t._("Choose a KPI to add (page {page} of {pages}):").format(
        page=t.number(view.page + 1), pages=t.number(view.pages)
    )
    parts = [f"<b>{esc(header)}</b>"]
    parts.extend(
        f"<b>{esc(kpi_name(t, k))}</b>\n{esc(t.render(k.description_message))}" for k in view.kpis
    )
    buttons = [Button(kpi_short(t, k), _r(token, Action.PICK, k.id)) for k in view.kpis]
    rows = _rows(buttons, 2)
    nav = []
    if view.page > 0:
        nav.append(Button("‹ " + t.pgettext("button", "Previous"),
                          _r(token, Action.PAGE, view.page - 1)))
    if view.page + 1 < view.pages:
        nav.append(Button(t.pgettext("button", "Next") + " ›",
                          _r(token, Action.PAGE, view.page + 1)))
    if nav:
        rows.append(tuple(nav))
    rows.append(
        (Button("‹ " + t.pgettext("button", "Back to the list"), _r(token, Action.BACK_TO)),)
    )
    return Menu("\n\n".join(parts), tuple(rows))


def finished_menu(
    t: Translator, view: FinishedView, now: datetime, bot_username: str | None = None
) -> Menu:
    """Onboarding (or joining a team) done: what was saved and what happens next."""
    count = len(view.cards)
    if view.joined_team is not None:
        parts = [
            "<b>"
            + esc(t._("Welcome to the team “{team}”!").format(team=view.joined_team))
            + "</b>",
            esc(t._("Owner: {name}").format(name=view.owner or "")),
        ]
    else:
        parts = [
            "<b>"
            + esc(t.ngettext("All set! I saved {count} KPI.", "All set! I saved {count} KPIs.",
                             count).format(count=t.number(count)))
            + "</b>"
        ]
    if view.plan is not None:
        parts.append(plan_text(t, view.plan))
        if view.joined_team is not None:  # their own number: the owner saw it on the review
            parts[-1] += "\n" + esc(quota_line(t, view.plan.quota, view.plan.kpi))
    names = list_text(t, [kpi_name(t, c.kpi) for c in view.cards])
    parts.append(esc(t._("You track: {kpis}.").format(kpis=names)))
    zone = zone_label(t, view.timezone, now)
    if view.digest is not None and view.reminder is not None:
        schedule = t._(
            "Every working day at {digest} I will send you the morning digest with the day's "
            "quota, and at {reminder} remind you to log the results. Time zone: {zone}."
        ).format(digest=t.time(view.digest), reminder=t.time(view.reminder), zone=zone)
    elif view.digest is not None:
        schedule = t._(
            "Every working day at {digest} I will send you the morning digest. Time zone: {zone}."
        ).format(digest=t.time(view.digest), zone=zone)
    elif view.reminder is not None:
        schedule = t._(
            "Every working day at {reminder} I will remind you to log the results. "
            "Time zone: {zone}."
        ).format(reminder=t.time(view.reminder), zone=zone)
    else:
        schedule = t._("Reminders are off; turn them on any time in /settings.")
    parts.append(esc(schedule))
    parts.append(esc(t._("/today shows today's quota and progress, /log records results. "
                         "/help lists everything.")))
    rows: Rows = ()
    if view.invite_code is not None:
        planned = view.planned or 0
        link = invite_link(bot_username, view.invite_code)
        parts.append(
            "👥 "
            + esc(t.ngettext("The plan is for {count} person.", "The plan is for {count} people.",
                             planned).format(count=t.number(planned)))
            + " "
            + esc(t._("Forward this invite link to your colleagues: after a few quick questions "
                      "each of them gets their own daily quota."))
            + "\n"
            + esc(link)
        )
        rows = _share_row(t, link, bot_username)
    return Menu("\n\n".join(parts), rows)


def invite_link(bot_username: str | None, code: str) -> str:
    """``https://t.me/<bot>?start=join_<code>``, or ``/start join_<code>`` without a username."""
    if not bot_username:
        return f"/start {INVITE_PREFIX}{code}"
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{code}"


def _share_row(t: Translator, link: str, bot_username: str | None) -> Rows:
    """A button that opens Telegram's "share" dialog with the link (only with a real link)."""
    if not bot_username:
        return ()
    text = t._("Join our team in KPI Coach: the plan, daily quotas and progress in one chat.")
    url = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"
    return ((Button("📤 " + t.pgettext("button", "Share the invite link"), url=url),),)


def _role_text(t: Translator, member: MemberLine) -> str:
    """"owner", "admin", or the person's job ("sales manager") in a sentence."""
    if member.team_role is TeamRole.OWNER:
        return t.pgettext("team role", "owner")
    if member.team_role is TeamRole.ADMIN:
        return t.pgettext("team role", "admin")
    if member.role in {r.value for r in Role}:
        name = t.render(label(Role(str(member.role))))
        return name[:1].lower() + name[1:]
    return t.pgettext("team role", "member")


def member_line(t: Translator, member: MemberLine) -> str:
    """"Boris — sales manager, since 10 April" (plain text)."""
    role = _role_text(t, member)
    if member.joined_on is None:
        return t._("{name} — {role}").format(name=member.name, role=role)
    return t._("{name} — {role}, since {date}").format(
        name=member.name, role=role, date=t.date(member.joined_on)
    )


def team_menu(t: Translator, view: TeamView, bot_username: str | None = None) -> Menu:
    """``/team``: the members, the head count, the invite link and what the owner may do."""
    joined = len(view.members)
    lines = [
        "<b>" + esc(t._("Team “{name}”").format(name=view.name)) + "</b>",
        esc(t._("Owner: {name}").format(name=view.owner)),
        esc(t.render(headcount(joined, view.planned))),
    ]
    board = (Button("📊 " + t.pgettext("button", "Team board"), callbacks.encode("tm", "board")),)
    if not view.manage:
        return Menu("\n".join(lines), (board,))
    parts = ["\n".join(lines)]
    parts.append("\n".join(
        f"{i}. {esc(member_line(t, m))}" for i, m in enumerate(view.members, start=1)
    ))
    rows: list[tuple[Button, ...]] = []
    new_link = Button("🔄 " + t.pgettext("button", "New link"), callbacks.encode("tm", "new"))
    if view.invite_code is not None:
        link = invite_link(bot_username, view.invite_code)
        terms = []
        if view.single_use:
            terms.append(t._("It lets one person in."))
        if view.invite_expires_at is not None:
            terms.append(t._("It works until {moment}.").format(
                moment=t.datetime(view.invite_expires_at)))
        parts.append(
            esc(t._("Forward this invite link to your colleagues: after a few quick questions "
                    "each of them gets their own daily quota."))
            + "\n"
            + esc(link)
            + ("\n" + esc(" ".join(terms)) if terms else "")
        )
        rows.extend(_share_row(t, link, bot_username))
        rows.append((new_link,
                     Button("1️⃣ " + t.pgettext("button", "Single-use"),
                            callbacks.encode("tm", "one")),
                     Button("🚫 " + t.pgettext("button", "Revoke"), callbacks.encode("tm", "off"))))
    else:
        parts.append(esc(t._("There is no invite link now: nobody can join. 🔄 makes a new one.")))
        rows.append((new_link,))
    removable = [m for m in view.members if m.removable]
    owner_buttons = any(m.promotable or m.demotable or m.transferable for m in view.members)
    if owner_buttons:
        parts.append(esc(t._("A new link stops the old one from working; ✖ removes someone "
                             "from the team, ⭐ makes them an admin (they can invite and "
                             "remove members), 👑 hands the team over to them.")))
    elif removable:
        parts.append(esc(t._("A new link stops the old one from working; "
                             "✖ removes someone from the team.")))
    elif view.invite_code is not None:
        parts.append(esc(t._("A new link stops the old one from working.")))
    for m in view.members:
        row = []
        if m.removable:
            row.append(Button("✖ " + m.name, callbacks.encode("tm", "rm", m.membership_id)))
        if m.promotable:
            row.append(Button("⭐ " + t.pgettext("button", "Make admin"),
                              callbacks.encode("tm", "adm", m.membership_id)))
        if m.demotable:
            row.append(Button("☆ " + t.pgettext("button", "Make member"),
                              callbacks.encode("tm", "mem", m.membership_id)))
        if m.transferable:
            row.append(Button("👑", callbacks.encode("tm", "own", m.membership_id)))
        if row:
            rows.append(tuple(row))
    days_off = Button("🏖 " + t.pgettext("button", "Days off"), callbacks.encode("tm", "do"))
    if view.can_share:
        weights = Button("⚖ " + t.pgettext("button", "Weights"), callbacks.encode("tm", "wts"))
        rows.append((*board, weights))
        own = Button("🎯 " + t.pgettext("button", "Own targets"), callbacks.encode("tm", "pt"))
        rows.append((own, days_off))
    else:
        rows.append((*board, days_off))
    return Menu("\n\n".join(parts), tuple(rows))


def weights_menu(t: Translator, view: WeightsView) -> Menu:
    """``/team`` → ⚖: each member's weight and the daily need it gives them, before saving."""
    kpi = get_kpi(view.kpi)
    currency = view.currency if kpi.unit is Unit.MONEY else None
    lines = ["<b>" + esc(t._("How the plan for “{kpi}” is shared, a day per person").format(
        kpi=kpi_name(t, kpi))) + "</b>"]
    for i, line in enumerate(view.lines, start=1):
        need = (amount(t, line.daily, currency) if line.daily is not None
                else t._("does not track it"))
        lines.append(esc(t._("{number}. {name} ×{weight} — {need}").format(
            number=i, name=line.name, weight=t.number(line.weight), need=need)))
    if view.vacant is not None:
        lines.append(esc(t.ngettext(
            "{count} seat not taken yet — {need} for it",
            "{count} seats not taken yet — {need} for each", view.vacant_seats,
        ).format(count=t.number(view.vacant_seats), need=amount(t, view.vacant, currency))))
    lines.append("")
    lines.append(esc(t._("A weight of 2 carries twice the share of a weight of 1. ➖ and ➕ "
                         "change it by {step}; nothing is saved until ✅ Save.").format(
                             step=t.number(view.step))))
    rows: list[tuple[Button, ...]] = [
        (Button("➖ " + line.name, callbacks.encode("tm", "w-", line.membership_id)),
         Button("➕ " + line.name, callbacks.encode("tm", "w+", line.membership_id)))
        for line in view.lines
    ]
    last = [Button("‹ " + t.pgettext("button", "Back"), callbacks.encode("tm", "back"))]
    if view.changed:
        last.append(Button("✅ " + t.pgettext("button", "Save"), callbacks.encode("tm", "wsv")))
    rows.append(tuple(last))
    return Menu("\n".join(lines), tuple(rows))


def transfer_menu(t: Translator, view: ConfirmTransferView) -> Menu:
    """"Hand the team over to Anna?"."""
    text = esc(t._(
        "Hand the team “{team}” over to {name}? They become its owner: the plan, the targets "
        "and the team are theirs to manage. You stay in the team as an admin."
    ).format(name=view.member.name, team=view.team))
    rows = ((
        Button(t.pgettext("button", "Yes, hand over"),
               callbacks.encode("tm", "owny", view.member.membership_id)),
        Button(t.pgettext("button", "No"), callbacks.encode("tm", "back")),
    ),)
    return Menu(text, rows)


def remove_menu(t: Translator, view: ConfirmRemoveView) -> Menu:
    """"Remove Boris from the team?"."""
    text = esc(
        t._(
            "Remove {name} from the team “{team}”? What they logged stays with them; they will "
            "no longer get the team's plan and quotas."
        ).format(name=view.member.name, team=view.team)
    )
    rows = (
        (
            Button(t.pgettext("button", "Yes, remove"),
                   callbacks.encode("tm", "rmy", view.member.membership_id)),
            Button(t.pgettext("button", "No"), callbacks.encode("tm", "back")),
        ),
    )
    return Menu(text, rows)


def plan_menu(t: Translator, view: PlanView, token: str) -> Menu:
    """``/plan``: the plan and buttons to change it."""
    close = (Button(t.pgettext("button", "Close"), _m(token, Action.CLOSE)),)
    if view.plan is None:
        if view.can_edit:
            text = esc(t._("There is no plan yet. Finish the setup with /start first."))
        else:
            text = esc(t._("Your team has no plan for this period yet: "
                           "its owner sets it in /plan."))
        return Menu(text, (close,))
    title = t._("Your plan") if view.can_edit else t._("Your team's plan")
    parts = [
        f"<b>{esc(title)}</b>",
        plan_text(t, view.plan),
        esc(quota_line(t, view.plan.quota, view.plan.kpi)),
    ]
    if not view.can_edit:
        parts.append(esc(t._("The plan is set by the team's owner; your share follows it.")))
        return Menu("\n\n".join(parts), (close,))
    rows: list[tuple[Button, ...]] = [
        (
            Button(t.pgettext("button", "Change the amount"), _m(token, "amount")),
            Button(t.pgettext("button", "Change the period"), _m(token, "period")),
        ),
    ]
    if view.can_resize:
        rows.append((Button(t.pgettext("button", "Change the team size"), _m(token, "people")),))
    rows.append(close)
    return Menu("\n\n".join(parts), tuple(rows))


def language_name(code: str) -> str:
    """The language's own name: "English", "Русский"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


SPEAKING: dict[str, tuple[str, str]] = {
    # Translators: how to say "I speak ..." of each language: "по-русски", "по-английски".
    "en": NP_("speak in", "English"),
    "ru": NP_("speak in", "Russian"),
}
"""How "I will speak …" names each language (Russian says "говорю по-русски")."""


def language_switched(t: Translator) -> str:
    """"Done — I will speak English from now on.", in the new language ``t``."""
    pair = SPEAKING.get(t.language)
    name = t.pgettext(*pair) if pair else language_name(t.language)
    return t._("Done — I will speak {language} from now on.").format(language=name)


def weekdays_text(t: Translator, weekdays: frozenset[int]) -> str:
    """"Mon, Tue, Wed, Thu and Fri" in the user's language."""
    names = [t.pgettext(*WEEKDAYS[d]) for d in sorted(weekdays)]
    return str(format_list(names, locale=t.locale))


def settings_menu(t: Translator, view: SettingsView, token: str, now: datetime) -> Menu:
    """``/settings``: the current settings and a button for each."""
    title = t._("Your settings")
    lines = [
        f"<b>{esc(title)}</b>",
        esc(t._("Language: {value}").format(value=language_name(view.language))),
        esc(t._("Time zone: {value}").format(value=zone_label(t, view.timezone, now))),
        esc(t._("Holiday calendar: {value}").format(value=country_name(view.country, t.language))),
        esc(t._("Working days: {value}").format(value=weekdays_text(t, view.weekdays))),
        esc(t._("Morning digest: {value}").format(value=time_text(t, view.digest))),
        esc(t._("Evening reminder: {value}").format(value=time_text(t, view.reminder))),
        esc(t._("Chart in the morning digest: {value}").format(
            value=t.pgettext("setting", "on") if view.digest_chart
            else t.pgettext("setting", "off"))),
    ]

    def b(label: str, action: str) -> Button:
        return Button(label, _m(token, action))

    rows = (
        (
            Button(t.pgettext("button", "Language"), callbacks.encode("lang", "pick")),
            b(t.pgettext("button", "Time zone"), "timezone"),
        ),
        (
            b(t.pgettext("button", "Holiday calendar"), "country"),
            b(t.pgettext("button", "Working days"), "weekdays"),
        ),
        (
            b(t.pgettext("button", "Morning digest"), "digest"),
            b(t.pgettext("button", "Evening reminder"), "reminder"),
        ),
        (b(t.pgettext("button", "📈 Turn the digest chart off") if view.digest_chart
           else t.pgettext("button", "📈 Turn the digest chart on"), Action.CHART),),
        (b(t.pgettext("button", "Close"), "close"),),
    )
    return Menu("\n".join(lines), rows)


def switch_menu(t: Translator, view: SwitchTeamView, token: str) -> Menu:
    """An invite from another team: leave the current one for it?"""
    text = esc(t._(
        "You are in the team “{current}”. Join the team “{new}” instead? You will leave "
        "“{current}”; what you logged stays with you."
    ).format(current=view.current, new=view.new))
    rows = ((
        Button(t.pgettext("button", "Yes, join “{team}”").format(team=view.new),
               callbacks.menu(PREFIX_MENU, token, Action.SWITCH)),
        Button(t.pgettext("button", "No, stay"), callbacks.menu(PREFIX_MENU, token, Action.STAY)),
    ),)
    return Menu(text, rows)


def delete_menu(t: Translator, token: str, in_team: bool = False) -> Menu:
    """``/delete_me``: the confirmation (in a team: what stays in its totals)."""
    text = esc(
        t._(
            "Erase everything I know about you: your answers, plans, KPIs, logged results and "
            "reminders? The figures you reported stay in your team's totals, without your "
            "name. This cannot be undone."
        ) if in_team else t._(
            "Erase everything I know about you: your answers, plans, KPIs, logged results and "
            "reminders? This cannot be undone."
        )
    )
    rows = (
        (
            Button(t.pgettext("button", "Yes, erase everything"),
                   callbacks.menu(PREFIX_DELETE, token, Action.ERASE)),
            Button(t.pgettext("button", "No, keep it"),
                   callbacks.menu(PREFIX_DELETE, token, Action.KEEP)),
        ),
    )
    return Menu(text, rows)


def language_menu(t: Translator) -> Menu:
    """The language picker (stateless buttons: they are valid at any time)."""
    text = esc(t._("Choose the language:"))
    rows = (
        tuple(
            Button(language_name(code), callbacks.encode("lang", code))
            for code in SUPPORTED_LANGUAGES
        ),
    )
    return Menu(text, rows)


def plain(text: str) -> str:
    """HTML → what the person reads (for the console)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
