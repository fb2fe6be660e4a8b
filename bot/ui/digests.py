"""The scheduler's messages as menus: evening reminders, morning digests, team digests."""

from __future__ import annotations

from datetime import datetime

from babel.lists import format_list

from bot.i18n import Translator
from bot.ui.daily_render import (
    STATUS_ICON,
    bar,
    data,
    day_code,
    label,
    long_date,
    short_date,
    standing_block,
    standing_value,
    status_text,
    value_text,
)
from bot.ui.render import Button, Menu, esc
from kpi_core.services.deliveries import ReminderView
from kpi_core.tracking.digest import PersonDigest, TeamDigest, TeamKpiLine

# -- callback data -----------------------------------------------------------------------------


def reminder(t: Translator, view: ReminderView) -> Menu:
    """The evening reminder: what to log, how to reply, buttons to log or snooze."""
    names = [label(t, i.label_message) for i in view.loggables]
    text = "\n".join([
        "🕕 " + esc(t._("Time to log today's results: {names}.").format(
            names=format_list(names, locale=t.locale))),
        esc(t._("Reply to this message with the numbers in this order, separated by commas, "
                "or tap a KPI:")),
        f"<code>{esc(', '.join(names))}</code>",
    ])
    buttons = [Button(label(t, i.label_message), data("k", i.metric_id, day_code(view.day)))
               for i in view.loggables]
    rows = [tuple(buttons[i:i + 3]) for i in range(0, len(buttons), 3)]
    rows.append((Button(t.pgettext("button", "⏰ Remind me in an hour"),
                        data("z", day_code(view.day))),))
    return Menu(text, tuple(rows))


def digest(t: Translator, d: PersonDigest) -> Menu:
    """The morning digest."""
    title = t._("Good morning! {day}").format(day=long_date(t, d.today))
    lines = [f"☀️ <b>{esc(title)}</b>"]
    if not d.has_plan:
        lines.append(esc(t._("There is no plan for this period yet: set one with /plan.")))
    if d.report_day is not None:
        lines.append(esc(t._("Results of {day}:").format(day=long_date(t, d.report_day))))
        if not d.reported:
            lines.append(esc(t._("Nothing was logged that day. You can still add it with "
                                 "/log.")))
    word = t.pgettext("when", "that day")
    blocks = [standing_block(t, s, day_word=word if d.report_day else None, show_today=True)
              for s in d.standings]
    if blocks:
        lines += ["", "\n\n".join(blocks)]
    if d.streak > 0:
        lines += ["", esc("🔥 " + t.ngettext(
            "{count} working day in a row with results logged.",
            "{count} working days in a row with results logged.",
            d.streak,
        ).format(count=t.number(d.streak)))]
    rows = ((Button(t.pgettext("button", "📋 Today"), data("t")),),)
    return Menu("\n".join(lines), rows)


def team_digest(t: Translator, d: TeamDigest) -> Menu:
    """The team digest for a linked group: team totals and everyone's standing."""
    title = t._("Team digest “{team}”, {day}").format(team=d.team_name, day=long_date(t, d.today))
    lines = [f"📊 <b>{esc(title)}</b>"]
    if not d.has_plan:
        lines.append(esc(t._("There is no plan for this period yet.")))
    if d.lines:
        lines += ["", esc(t._("The team so far:"))]
        lines += [_team_line(t, line) for line in d.lines]
    if d.people:
        lines += ["", esc(t._("People:"))]
        for number, person in enumerate(d.people, 1):
            icon = STATUS_ICON[person.status] if person.status else "▫️"
            parts = []
            for s in person.standings:
                if s.progress is not None and s.cumulative:
                    parts.append(t._("{kpi} {actual} of {target}").format(
                        kpi=label(t, s.label), actual=standing_value(t, s, s.progress.actual, s.currency),
                        target=standing_value(t, s, s.progress.target, s.currency)))
                elif s.progress is not None:
                    parts.append(t._("{kpi} {value}").format(
                        kpi=label(t, s.label), value=standing_value(t, s, s.progress.actual, s.currency)))
            detail = "; ".join(parts) if parts else t._("no targets")
            lines.append(f"{number}. {icon} <b>{esc(person.name)}</b> — {esc(detail)}")
        missing = [p.name for p in d.people if not p.reported]
        if missing and d.report_day is not None:
            lines += ["", esc(t._("No results for {day} yet: {names}.").format(
                day=short_date(t, d.report_day), names=format_list(missing, locale=t.locale)))]
    return Menu("\n".join(lines))


def _team_line(t: Translator, line: TeamKpiLine) -> str:
    name = f"<b>{esc(label(t, line.label))}</b>"
    p = line.progress
    if p is None:
        if line.period_value is None:
            return name + esc(": " + t._("no data yet"))
        return name + esc(": " + value_text(t, line.unit, line.period_value, line.currency))
    value = value_text(t, line.unit, p.actual, line.currency)
    target = value_text(t, line.unit, p.target, line.currency)
    if p.cumulative:
        facts = [t._("{value} of {target}").format(value=value, target=target),
                 bar(t, p.completion)]
        if p.projected is not None:
            facts.append(t._("forecast {value}").format(
                value=value_text(t, line.unit, p.projected, line.currency)))
    else:
        facts = [t._("{value} (target {target})").format(value=value, target=target)]
    facts.append(status_text(t, p.status))
    return name + esc(": " + " · ".join(facts))


def moment(t: Translator, at: datetime) -> str:
    """A time of day in the person's zone (``19:05``)."""
    return t.time(at)
