"""The scheduler's messages as menus: evening reminders, morning digests, team digests.

Russian typography holds here as in every reply: numbers, money and percentages come from
:class:`~bot.i18n.Translator` (non-breaking spaces between digit groups and before ``%`` and
``₽``), quotes are «ёлочки» in the translations, a sentence starts with a capital letter (the
date after "Доброе утро!") and a list after a colon in mid-sentence does not.
"""

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
from kpi_core.advice.catalog import get_kpi
from kpi_core.parsing.quickform import describe_metric
from kpi_core.services.deliveries import ReminderView
from kpi_core.tracking.digest import DayPart, KpiStanding, PersonDigest, TeamDigest, TeamKpiLine


def sentence_start(text: str) -> str:
    """``text`` with a capital first letter: "понедельник, 24 ноября" → "Понедельник, …"."""
    return text[:1].upper() + text[1:]


def in_sentence(t: Translator, name: str) -> str:
    """A KPI label inside a Russian sentence: "Звонки" → "звонки" ("КЛ", "KPI" stay)."""
    if t.language == "ru" and len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def reminder(t: Translator, view: ReminderView) -> Menu:
    """The evening reminder: what to log, how to reply, buttons to log or snooze."""
    names = [label(t, i.label_message) for i in view.loggables]
    text = "\n".join([
        "🕕 " + esc(t._("Time to log today's results: {names}.").format(
            names=format_list([in_sentence(t, n) for n in names], locale=t.locale))),
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


def greeting(t: Translator, part: DayPart) -> str:
    """"Good morning!" at 09:00, "Good afternoon!" at 16:00, "Good evening!" at 19:00."""
    if part is DayPart.AFTERNOON:
        return t._("Good afternoon!")
    if part is DayPart.EVENING:
        return t._("Good evening!")
    return t._("Good morning!")


def digest(t: Translator, d: PersonDigest) -> Menu:
    """The morning digest."""
    # Translators: the greeting ("Good morning!") and the date; the date starts a sentence.
    title = t._("{greeting} {day}").format(greeting=greeting(t, d.greeting),
                                           day=sentence_start(long_date(t, d.today)))
    icon = {DayPart.MORNING: "☀️", DayPart.AFTERNOON: "🌤", DayPart.EVENING: "🌙"}[d.greeting]
    lines = [f"{icon} <b>{esc(title)}</b>"]
    if not d.has_plan:
        lines.append(esc(t._("There is no plan for this period yet: set one with /plan.")))
    if d.report_day is not None:
        lines.append(esc(t._("Results of {day}:").format(day=long_date(t, d.report_day))))
        if not d.reported:
            lines.append(esc(t._("Nothing was logged that day. You can still add it with "
                                 "/log.")))
    word = t.pgettext("when", "that day") if d.report_day else None
    blocks = [_kpi_block(t, s, word, d.has_plan) for s in d.standings]
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


def _kpi_block(t: Translator, s: KpiStanding, day_word: str | None, has_plan: bool) -> str:
    """One KPI of the digest; never a bare header."""
    if s.cumulative:
        block = standing_block(t, s, day_word=day_word, show_today=True)
        if "\n" in block or day_word is not None:
            return block
        if not has_plan:
            return block + "\n" + esc(_no_period(t))
        return block + "\n" + esc(t._("Nothing logged this period yet."))
    return _level_block(t, s, day_word, has_plan)


def _no_period(t: Translator) -> str:
    return t._("It is measured over the plan's period, and there is no plan yet.")


def _level_block(t: Translator, s: KpiStanding, day_word: str | None, has_plan: bool) -> str:
    """A conversion or another level KPI: its value from the inputs (a ratio of sums) against
    the target, or why there is no value yet."""
    name = f"<b>{esc(label(t, s.label))}</b>"
    cur = s.currency
    if day_word is not None and s.day_value is not None:
        head = esc(t._("{kpi}: {value} {day}").format(
            kpi="\x00", value=standing_value(t, s, s.day_value, cur), day=day_word)
        ).replace("\x00", name)
    else:
        head = name
    p = s.progress
    if p is not None:
        body = t._("This period: {value} (target {target}) · {status}").format(
            value=standing_value(t, s, p.actual, cur), target=standing_value(t, s, p.target, cur),
            status=status_text(t, p.status))
    elif s.period_value is not None:
        body = t._("This period: {value} (no target)").format(
            value=standing_value(t, s, s.period_value, cur))
    elif not has_plan:
        body = _no_period(t)
    else:
        names = [in_sentence(t, label(t, describe_metric(m.id)))
                 for m in get_kpi(s.kpi_id).inputs]
        inputs = format_list(names, locale=t.locale)
        if s.target is not None:
            body = t._("Not calculated yet (target {target}): it needs {inputs} logged for the "
                       "same days.").format(target=standing_value(t, s, s.target, cur),
                                            inputs=inputs)
        else:
            body = t._("Not calculated yet: it needs {inputs} logged for the same days.").format(
                inputs=inputs)
    return head + "\n" + esc(body)


def team_digest(t: Translator, d: TeamDigest) -> Menu:
    """The team digest for a linked group: team totals and everyone's standing (the board,
    ``/team`` → 📊, is :mod:`bot.ui.board`)."""
    title = t._("Team digest “{team}”, {day}").format(team=d.team_name,
                                                      day=long_date(t, d.today))
    lines = [f"📊 <b>{esc(title)}</b>"]
    if not d.has_plan:
        lines.append(esc(t._("There is no plan for this period yet.")))
    if d.lines:
        lines += ["", esc(t._("The team so far:"))]
        lines += [team_kpi_line(t, line) for line in d.lines]
    if d.people:
        lines += ["", esc(t._("Leaderboard:") if d.leaderboard else t._("People:"))]
        # The leaderboard ranks by completion (the order they come in); otherwise by name.
        people = d.people if d.leaderboard else tuple(sorted(d.people, key=lambda p: p.name))
        for number, person in enumerate(people, 1):
            icon = STATUS_ICON[person.status] if person.status else "▫️"
            parts = []
            for s in person.standings:
                if s.progress is not None and s.cumulative:
                    parts.append(t._("{kpi} {actual} of {target}").format(
                        kpi=label(t, s.label),
                        actual=standing_value(t, s, s.progress.actual, s.currency),
                        target=standing_value(t, s, s.progress.target, s.currency)))
                elif s.progress is not None:
                    parts.append(t._("{kpi} {value}").format(
                        kpi=label(t, s.label),
                        value=standing_value(t, s, s.progress.actual, s.currency)))
            detail = "; ".join(parts) if parts else t._("no targets")
            place = f"{number}."
            if d.leaderboard:
                place = {1: "🥇", 2: "🥈", 3: "🥉"}.get(number, place)
                streak = d.streaks.get(person.user_id, 0)
                if streak >= 2:
                    detail += " · " + t.ngettext("🔥 {count} day in a row",
                                                 "🔥 {count} days in a row", streak).format(
                        count=t.number(streak))
            lines.append(f"{place} {icon} <b>{esc(person.name)}</b> — {esc(detail)}")
        missing = [p.name for p in people if p.missing]
        if missing and d.report_day is not None and d.missing != "hidden":
            day = short_date(t, d.report_day)
            if d.missing == "counted":
                text = t.ngettext("No results for {day} yet from {count} person.",
                                  "No results for {day} yet from {count} people.",
                                  len(missing)).format(day=day, count=t.number(len(missing)))
            else:
                text = t._("No results for {day} yet: {names}.").format(
                    day=day, names=format_list(missing, locale=t.locale))
            lines += ["", esc(text)]
    return Menu("\n".join(lines))


def team_kpi_line(t: Translator, line: TeamKpiLine) -> str:
    """A team total: "Revenue: ₽65,000 of ₽300,000 · ▓▓░░ 22% · forecast … · ✅ on track"."""
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
        if line.plan_target is not None:
            # Translators: the plan counts people who have not joined yet.
            facts.append(t._("whole-team plan {plan}").format(
                plan=value_text(t, line.unit, line.plan_target, line.currency)))
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
