"""Words and buttons for ``/team`` → 🎯 individual targets and 🏖 days off
(:mod:`kpi_core.services.share_views`): what each person's daily need becomes, before ✅."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.ui import callbacks
from bot.ui.render import Button, Menu, amount, esc, kpi_name
from kpi_core.advice.catalog import Unit, get_kpi
from kpi_core.model import DayOffKind, DayOffShare
from kpi_core.services.share_views import (
    DayOffPreview,
    DaysOffView,
    NeedLine,
    SharePromptView,
    TargetsShareView,
)

__all__ = ["days_off_menu", "preview_menu", "prompt_menu", "targets_menu"]


def _back(t: Translator, action: str = "back") -> Button:
    return Button("‹ " + t.pgettext("button", "Back"), callbacks.encode("tm", action))


def _save(t: Translator, action: str) -> Button:
    return Button("✅ " + t.pgettext("button", "Save"), callbacks.encode("tm", action))


def _need(t: Translator, line: NeedLine, currency: str | None) -> str:
    """``Anna — 45 454,55 ₽ → 47 619,05 ₽ a day`` (or one figure when it does not change)."""
    if line.after is None:
        return t._("{name} — does not track it").format(name=line.name)
    after = amount(t, line.after, currency)
    if line.before is None or line.before == line.after:
        return t._("{name} — {need} a day").format(name=line.name, need=after)
    return t._("{name} — {before} → {after} a day").format(
        name=line.name, before=amount(t, line.before, currency), after=after)


def targets_menu(t: Translator, view: TargetsShareView) -> Menu:
    """🎯: each member's target for the period (their own, or a share of the rest)."""
    kpi = get_kpi(view.kpi)
    currency = view.currency if kpi.unit is Unit.MONEY else None
    lines = ["<b>" + esc(t._("Individual targets for “{kpi}”: plan {plan}").format(
        kpi=kpi_name(t, kpi), plan=amount(t, view.plan, currency))) + "</b>"]
    for i, line in enumerate(view.lines, start=1):
        total = amount(t, line.total or Decimal(0), currency)
        which = (t._("own target {total}").format(total=total) if line.personal is not None
                 else t._("share {total}").format(total=total))
        lines.append(esc(f"{i}. {_need(t, line.need, currency)} ({which})"))
    if view.vacant is not None:
        lines.append(esc(t._("Seats not taken yet and days before people joined — {total}").format(
            total=amount(t, view.vacant, currency))))
    if view.unassigned is not None:
        lines.append(esc(t._("Nobody carries {total} of the plan: raise a target or give "
                             "someone a share again.").format(
                                 total=amount(t, view.unassigned, currency))))
    lines.append("")
    lines.append(esc(t._("✏️ gives someone their own target for the period; the rest of the "
                         "plan is shared by everyone else by weight and working days. ↩ makes "
                         "it a share again. Nothing is saved until ✅ Save.")))
    rows: list[tuple[Button, ...]] = []
    for line in view.lines:
        row = [Button("✏️ " + line.name, callbacks.encode("tm", "pte", line.membership_id))]
        if line.personal is not None:
            row.append(Button("↩ " + t.pgettext("button", "Share"),
                              callbacks.encode("tm", "ptr", line.membership_id)))
        rows.append(tuple(row))
    if view.more_kpis:
        rows.append((Button("➡ " + t.pgettext("button", "Next KPI"),
                            callbacks.encode("tm", "ptk")),))
    last = [_back(t)]
    if view.changed:
        last.append(_save(t, "ptsv"))
    rows.append(tuple(last))
    return Menu("\n".join(lines), tuple(rows))


def _kind(t: Translator, kind: DayOffKind) -> str:
    if kind is DayOffKind.SICK:
        return t._("sick leave")
    if kind is DayOffKind.OTHER:
        return t._("day off")
    return t._("vacation")


def _span(t: Translator, first: object, last: object) -> str:
    from datetime import date

    assert isinstance(first, date)
    assert isinstance(last, date)
    return t.date(first) if first == last else t.period(first, last)


def days_off_menu(t: Translator, view: DaysOffView) -> Menu:
    """🏖: who is away when; a button per member."""
    lines = ["<b>" + esc(t._("Days off")) + "</b>"]
    for line in view.lines:
        if not line.ranges:
            lines.append(esc(t._("{name}: no days off").format(name=line.name)))
            continue
        spans = []
        for first, last, kind, share in line.ranges:
            how = (t._("the plan is reduced") if share is DayOffShare.REDUCE
                   else t._("the team covers"))
            spans.append(t._("{days} ({kind}, {how})").format(
                days=_span(t, first, last), kind=_kind(t, kind), how=how))
        lines.append(esc(t._("{name}: {days}").format(name=line.name, days="; ".join(spans))))
    lines.append("")
    lines.append(esc(t._("🏖 marks someone's vacation or sick days: on those days they get no "
                         "reminders and no quota, and you choose who carries their share. "
                         "🗑 removes their days off from today on.")))
    rows: list[tuple[Button, ...]] = []
    for line in view.lines:
        row = [Button("🏖 " + line.name, callbacks.encode("tm", "dom", line.membership_id))]
        if line.ranges:
            row.append(Button("🗑", callbacks.encode("tm", "dcl", line.membership_id)))
        rows.append(tuple(row))
    rows.append((_back(t),))
    return Menu("\n".join(lines), tuple(rows))


def preview_menu(t: Translator, view: DayOffPreview) -> Menu:
    """Days off not saved yet: what they do to everyone's daily need."""
    days = t.ngettext("{count} working day", "{count} working days", view.working).format(
        count=t.number(view.working))
    lines = ["<b>" + esc(t._("{name}: {kind} {days}").format(
        name=view.name, kind=_kind(t, view.kind), days=_span(t, view.first, view.last)))
        + "</b>", esc(t._("That is {days} off.").format(days=days))]
    if view.share is DayOffShare.REDUCE:
        lines.append(esc(t._("Their share of those days is taken off the plan.")))
    else:
        lines.append(esc(t._("Their share of those days goes to the rest of the team.")))
    if view.kpi is not None and view.needs:
        kpi = get_kpi(view.kpi)
        currency = view.currency if kpi.unit is Unit.MONEY else None
        lines.append("")
        lines.append(esc(t._("Daily need for “{kpi}” once saved:").format(kpi=kpi_name(t, kpi))))
        lines.extend(esc(_need(t, need, currency)) for need in view.needs)
        if (view.plan_before is not None and view.plan_after is not None
                and view.plan_before != view.plan_after):
            lines.append(esc(t._("Team plan: {before} → {after}").format(
                before=amount(t, view.plan_before, currency),
                after=amount(t, view.plan_after, currency))))
    lines.append("")
    lines.append(esc(t._("Nothing is saved until ✅ Save.")))
    kind = Button("🔁 " + t.pgettext("button", "Vacation / sick / other"),
                  callbacks.encode("tm", "dok"))
    if view.share is DayOffShare.REDUCE:
        share = Button("👥 " + t.pgettext("button", "Team covers"), callbacks.encode("tm", "dsh"))
    else:
        share = Button("📉 " + t.pgettext("button", "Reduce the plan"),
                       callbacks.encode("tm", "dsh"))
    rows: list[tuple[Button, ...]] = [(kind,)]
    if view.may_reduce:
        rows.append((share,))
    rows.append((_back(t, "do"), _save(t, "dsv")))
    return Menu("\n".join(lines), tuple(rows))


def prompt_menu(t: Translator, view: SharePromptView) -> Menu:
    """A question waiting for typed text, with ‹ Back."""
    return Menu(esc(t.render(view.message)), ((_back(t, view.back),),))
