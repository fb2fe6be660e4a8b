"""Words and buttons for the daily loop: log echoes, /today, "Did you mean …?", hints.

The use cases in :mod:`kpi_core.services.daily_loop` return a
:class:`~kpi_core.services.daily_loop.DailyReply`; :func:`show` turns it into a
:class:`~bot.ui.render.Menu` (HTML text plus button rows) in the person's language, for Telegram
and the console alike. The scheduler's messages are in :mod:`bot.ui.digests`, built from the
pieces here. Button data is built and parsed in :mod:`bot.ui.callbacks` (prefix ``d``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from babel.lists import format_list

from bot.i18n import Translator
from bot.ui import callbacks
from bot.ui.render import Button, Menu, esc
from kpi_core.advice.catalog import Unit, get_kpi
from kpi_core.messages import NP_, Message
from kpi_core.parsing.quickform import Loggable, QuickForm, describe_metric
from kpi_core.services.daily import (
    DayReport,
    Logged,
    LogMenu,
    NeedsConfirmation,
    Outlier,
    Undone,
    stamp_of,
)
from kpi_core.services.daily_loop import (
    AskValue,
    Confirm,
    DailyReply,
    DayPicker,
    GroupOptions,
    Hint,
    Refused,
)
from kpi_core.tracking.digest import KpiStanding
from kpi_core.tracking.progress import Status

BAR_WIDTH = 10
PICKER_DAYS = 7

STATUS_ICON = {
    Status.AHEAD: "🚀",
    Status.ON_TRACK: "✅",
    Status.BEHIND: "⚠️",
    Status.CRITICAL: "🔴",
}


# -- callback data (built and parsed in bot.ui.callbacks) -------------------------------------
day_code = callbacks.day_code
data = callbacks.daily


# -- formatting pieces -------------------------------------------------------------------------
def label(t: Translator, message: Message) -> str:
    """A KPI or metric label, plain text."""
    return t.render(message)


def value_text(t: Translator, unit: Unit, value: Decimal, currency: str) -> str:
    """A value in its unit: ``₽120,000``, ``35``, ``72%``, ``5:1``, ``15 min``."""
    if unit is Unit.MONEY:
        return t.money(value, currency)
    if unit is Unit.PERCENT:
        return t.percent(value, 1 if value * 100 != (value * 100).to_integral_value() else 0)
    if unit is Unit.RATIO:
        return t._("{value}:1").format(value=t.number(value, 1))
    if unit is Unit.MINUTES:
        n = int(value.to_integral_value())
        return t.ngettext("{count} min", "{count} min", n).format(count=t.number(value))
    if unit is Unit.DAYS:
        n = int(value.to_integral_value())
        return t.ngettext("{count} day", "{count} days", n).format(count=t.number(value))
    if unit is Unit.YEARS:
        n = int(value.to_integral_value())
        return t.ngettext("{count} year", "{count} years", n).format(count=t.number(value))
    return t.number(value)


def bar(t: Translator, fraction: Decimal | None, width: int = BAR_WIDTH) -> str:
    """A text progress bar: ``▓▓▓▓▓▓░░░░ 64%`` (full beyond 100 %)."""
    share = max(Decimal(0), fraction or Decimal(0))
    filled = min(width, int((share * width).to_integral_value()))
    return "▓" * filled + "░" * (width - filled) + " " + t.percent(share)


def status_text(t: Translator, status: Status) -> str:
    """"🚀 ahead" / "🚀 опережаете"."""
    words = {
        Status.AHEAD: t.pgettext("status", "ahead"),
        Status.ON_TRACK: t.pgettext("status", "on track"),
        Status.BEHIND: t.pgettext("status", "behind"),
        Status.CRITICAL: t.pgettext("status", "critical"),
    }
    return f"{STATUS_ICON[status]} {words[status]}"


def long_date(t: Translator, day: date) -> str:
    """"Wednesday, 9 April" / "среда, 9 апреля"."""
    return t.date(day, "EEEE, d MMMM")


def short_date(t: Translator, day: date) -> str:
    """"9 April" / "9 апреля"."""
    return t.date(day)


def days_text(t: Translator, count: int) -> str:
    """"15 working days" / "15 рабочих дней"."""
    return t.ngettext("{count} working day", "{count} working days", count).format(
        count=t.number(count))


def standing_value(t: Translator, s: KpiStanding | Outlier, value: Decimal, currency: str) -> str:
    return value_text(t, s.unit, value, currency)


# -- a KPI's standing --------------------------------------------------------------------------
def _named(template: str, name_html: str, **params: str) -> str:
    """Format a translated ``{kpi}`` template, escaping everything but the (HTML) name."""
    return esc(template.format(kpi="\x00", **params)).replace("\x00", name_html)


def standing_block(t: Translator, s: KpiStanding, *, day_word: str | None, show_today: bool) -> str:
    """The lines about one KPI (HTML): the day vs its quota, the period, pace and the need."""
    name = f"<b>{esc(label(t, s.label))}</b>"
    lines: list[str] = []
    cur = s.currency
    if day_word is not None:
        # A day off has a quota of nothing: "120 000 of 0" says less than the value alone.
        if s.day_value is not None and s.day_quota is not None and s.day_quota > 0:
            icon = "✅" if s.day_value >= s.day_quota else "▫️"
            lines.append(_named(t._("{kpi}: {value} of {quota} {day}"), name,
                                value=standing_value(t, s, s.day_value, cur),
                                quota=standing_value(t, s, s.day_quota, cur),
                                day=day_word) + f" {icon}")
        elif s.day_value is not None:
            lines.append(_named(t._("{kpi}: {value} {day}"), name,
                                value=standing_value(t, s, s.day_value, cur), day=day_word))
        else:
            lines.append(_named(t._("{kpi}: nothing logged {day}"), name, day=day_word))
    else:
        lines.append(name)
    p = s.progress
    if p is not None and s.cumulative:
        lines.append(esc(t._("{bar} · {actual} of {target}").format(
            bar=bar(t, p.completion), actual=standing_value(t, s, p.actual, cur),
            target=standing_value(t, s, p.target, cur))))
        facts = []
        if p.pace is not None:
            facts.append(t._("pace {pace}").format(pace=t.percent(p.pace)))
        if p.projected is not None:
            facts.append(t._("forecast {value}").format(
                value=standing_value(t, s, p.projected, cur)))
        facts.append(status_text(t, p.status))
        lines.append(esc(" · ".join(facts)))
    elif p is not None:
        lines.append(esc(t._("This period: {value} (target {target}) · {status}").format(
            value=standing_value(t, s, p.actual, cur), target=standing_value(t, s, p.target, cur),
            status=status_text(t, p.status))))
    elif s.period_value is not None:
        lines.append(esc(t._("This period: {value} (no target)").format(
            value=standing_value(t, s, s.period_value, cur))))
    if show_today and s.today_quota is not None:
        if s.today_plan_quota is not None and s.today_plan_quota != s.today_quota:
            lines.append(esc(t._("Today: {quota} (plan {plan}, recalculated to catch up)").format(
                quota=standing_value(t, s, s.today_quota, cur),
                plan=standing_value(t, s, s.today_plan_quota, cur))))
        else:
            lines.append(esc(t._("Today: {quota}").format(
                quota=standing_value(t, s, s.today_quota, cur))))
    elif not show_today and p is not None and s.cumulative and p.need_per_day is not None:
        if p.remaining > 0:
            lines.append(esc(t.ngettext(
                "To reach the target: {amount} a day for the {count} working day left.",
                "To reach the target: {amount} a day for the {count} working days left.",
                p.remaining_days,
            ).format(amount=standing_value(t, s, p.need_per_day, cur),
                     count=t.number(p.remaining_days))))
        else:
            lines.append(esc(t._("Target reached. 🎉")))
    return "\n".join(lines)


# -- /log --------------------------------------------------------------------------------------
def log_menu(t: Translator, menu: LogMenu) -> Menu:
    """/log: a button per KPI (with the value already in), a quick-form hint, other days."""
    when = t._("today") if menu.day == menu.today else short_date(t, menu.day)
    text = "\n".join([
        esc(t._("Which result do you want to log for {day}?").format(day=when)),
        "",
        esc(t._("Or send them in one message, like:")),
        f"<code>{esc(_example(t, [item for item, _ in menu.items]))}</code>",
    ])
    buttons = []
    for item, value in menu.items:
        caption = label(t, item.label_message)
        if value is not None:
            caption = f"{caption}: {t.number(value)} ✓"
        buttons.append(Button(caption, data("k", item.metric_id, day_code(menu.day))))
    rows = [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(t.pgettext("button", "📅 Another day"), data("p")),))
    return Menu(text, tuple(rows))


def _example(t: Translator, items: Sequence[Loggable]) -> str:
    samples = {Unit.MONEY: Decimal(120000), Unit.COUNT: Decimal(12)}
    parts = [
        t._("{name} {value}").format(name=label(t, i.label_message).lower(),
                                      value=t.number(samples.get(i.unit, Decimal(5))))
        for i in items[:4]
    ]
    return ", ".join(parts)


def day_picker(t: Translator, today: date) -> Menu:
    """The last :data:`PICKER_DAYS` days as buttons."""
    buttons = []
    for back in range(PICKER_DAYS):
        day = today - timedelta(days=back)
        if back == 0:
            caption = t.pgettext("day", "Today")
        elif back == 1:
            caption = t.pgettext("day", "Yesterday")
        else:
            caption = t.date(day, "EEE d MMM")
        buttons.append(Button(caption, data("day", day_code(day))))
    rows = tuple(tuple(buttons[i:i + 3]) for i in range(0, len(buttons), 3))
    return Menu(esc(t._("Which day do you want to log results for?")), rows)


def ask_value(
    t: Translator, item: Loggable, day: date, today: date, current: Decimal | None
) -> Menu:
    """Ask for one number after a KPI button was pressed."""
    when = t._("today") if day == today else short_date(t, day)
    text = t._("Send the number for {kpi} ({day}).").format(
        kpi=label(t, item.label_message), day=when)
    if current is not None:
        text += "\n" + t._("Logged so far: {value}. A new number replaces it.").format(
            value=t.number(current))
    return Menu(esc(text))


def logged(t: Translator, result: Logged) -> Menu:
    """The echo of saved values, where the person stands now, and an Undo button."""
    when = t._("today") if result.day == result.today else short_date(t, result.day)
    items = []
    for item in result.items:
        value = value_text(t, item.unit, item.value, result.currency)
        name = label(t, item.label)
        if item.previous is not None and item.previous != item.value:
            items.append(t._("{kpi}: {value} (was {previous})").format(
                kpi=name, value=value,
                previous=value_text(t, item.unit, item.previous, result.currency)))
        else:
            items.append(t._("{kpi}: {value}").format(kpi=name, value=value))
    lines = [esc(t._("✅ Saved for {day}:").format(day=when))]
    lines += [esc("• " + line) for line in items]
    shown = {i.metric_id for i in result.items}
    blocks = [
        standing_block(t, s, day_word=_day_word(t, result.day, result.today), show_today=False)
        for s in result.standings if _touches(s, shown)
    ]
    if blocks:
        lines += ["", "\n\n".join(blocks)]
    undo = Button(t.pgettext("button", "↩️ Undo"),
                  data("u", day_code(result.day), stamp_of(result.stamp)))
    today = Button(t.pgettext("button", "📋 Today"), data("t"))
    return Menu("\n".join(lines), ((undo, today),))


def _day_word(t: Translator, day: date, today: date) -> str:
    if day == today:
        return t.pgettext("when", "today")
    return t._("on {day}").format(day=short_date(t, day))


def _touches(s: KpiStanding, metric_ids: set[str]) -> bool:
    return any(m.id in metric_ids for m in get_kpi(s.kpi_id).inputs)


def undone(t: Translator, result: Undone) -> Menu:
    """What an Undo restored."""
    lines = [esc(t._("↩️ Undone for {day}:").format(day=short_date(t, result.day)))]
    for name, unit, old, new in result.items:
        before = value_text(t, unit, old, result.currency) if old is not None else "—"
        after = (value_text(t, unit, new, result.currency) if new is not None
                 else t.pgettext("value", "removed"))
        lines.append(esc("• " + t._("{kpi}: {old} → {new}").format(
            kpi=label(t, name), old=before, new=after)))
    return Menu("\n".join(lines))


def confirm_outlier(
    t: Translator, pending: NeedsConfirmation, outlier: Outlier, token: str
) -> Menu:
    """"Did you mean …?" for one value far from the person's usual ones."""
    cur = pending.currency
    value = standing_value(t, outlier, outlier.value, cur)
    usual = standing_value(t, outlier, outlier.usual, cur)
    if outlier.value > outlier.usual:
        line = t._("{kpi}: {value} is ten times more than usual for you (about {usual}).")
    else:
        line = t._("{kpi}: {value} is ten times less than usual for you (about {usual}).")
    lines = [esc("🤔 " + line.format(kpi=label(t, outlier.label), value=value, usual=usual))]
    buttons = [Button(t.pgettext("button", "Yes, {value}").format(value=value),
                      data("ok", token, outlier.metric_id))]
    if outlier.suggestion is not None:
        suggestion = standing_value(t, outlier, outlier.suggestion, cur)
        lines.append(esc(t._("Did you mean {value}?").format(value=suggestion)))
        buttons.append(Button(suggestion, data("fix", token, outlier.metric_id)))
    else:
        lines.append(esc(t._("Is that right?")))
    buttons.append(Button(t.pgettext("button", "Type again"), data("re", token, outlier.metric_id)))
    return Menu("\n".join(lines), (tuple(buttons),))


def quick_form_problems(t: Translator, form: QuickForm, loggables: Sequence[Loggable]) -> str:
    """What part of a quick form was not understood, and why (HTML), or ``""``."""
    lines: list[str] = []
    if form.unknown or form.leftovers:
        parts = [f"“{x}”" for x in (*form.unknown, *form.leftovers)]
        lines.append(t._("Not understood: {parts}.").format(
            parts=format_list(parts, locale=t.locale)))
        names = [label(t, i.label_message) for i in loggables]
        lines.append(t._("Your KPIs: {names}.").format(names=format_list(names, locale=t.locale)))
    for typed, kpi_id in form.not_tracked:
        lines.append(t._("“{typed}” ({kpi}) is not among your KPIs.").format(
            typed=typed, kpi=label(t, describe_metric(kpi_id))))
    for typed, kpi_id in form.not_loggable:
        inputs = [label(t, describe_metric(m.id)) for m in get_kpi(kpi_id).inputs]
        lines.append(t._("“{typed}” is computed from its parts: log {parts} instead.").format(
            typed=typed, parts=format_list(inputs, locale=t.locale)))
    for metric_id, problem in form.bad_numbers:
        lines.append(t._("{kpi}: {problem}").format(
            kpi=label(t, describe_metric(metric_id)), problem=t.render(problem)))
    return esc("\n".join(lines))


def refused(t: Translator, screen: Refused) -> Menu:
    """A quick form that could not be read in full: nothing saved, and what was wrong."""
    lines = [esc(t._("Nothing saved: part of the message was not understood.")),
             quick_form_problems(t, screen.form, screen.loggables),
             "", esc(t._("Send the whole line again, corrected, for example:")),
             f"<code>{esc(_example(t, screen.loggables))}</code>"]
    return Menu("\n".join(lines))


def hint(t: Translator, screen: Hint) -> Menu:
    """Text that is not a log entry: how to log, with an example of the person's own KPIs."""
    if screen.reminder:
        # Commas, not "and": the names stand for the positions of the numbers.
        names = ", ".join(label(t, i.label_message) for i in screen.loggables)
        return Menu(esc(t._(
            "Send the numbers in this order, separated by commas: {names}.").format(names=names)))
    lines = [esc(t._("I did not find results to log in this message.")),
             esc(t._("Send them in one line, like:")),
             f"<code>{esc(_example(t, screen.loggables))}</code>",
             esc(t._("Or use /log for buttons, /today for today's quota, /help for the rest."))]
    return Menu("\n".join(lines))


def show(t: Translator, reply: DailyReply) -> Menu | None:
    """The menu for a daily-loop reply (``None`` when there is nothing to show)."""
    screen = reply.screen
    if screen is None:
        return None
    if isinstance(screen, LogMenu):
        return log_menu(t, screen)
    if isinstance(screen, AskValue):
        return ask_value(t, screen.item, screen.day, screen.today, screen.current)
    if isinstance(screen, DayPicker):
        return day_picker(t, screen.today)
    if isinstance(screen, Logged):
        return logged(t, screen)
    if isinstance(screen, Confirm):
        return confirm_outlier(t, screen.pending, screen.pending.outliers[0], screen.token)
    if isinstance(screen, Undone):
        return undone(t, screen)
    if isinstance(screen, DayReport):
        return today_screen(t, screen)
    if isinstance(screen, Refused):
        return refused(t, screen)
    if isinstance(screen, Hint):
        return hint(t, screen)
    if isinstance(screen, GroupOptions):
        return group_options(t, screen)
    return Menu(esc(t.render(screen.message)))


_MISSING = {
    "named": NP_("not reported", "named"),
    "counted": NP_("not reported", "counted"),
    "hidden": NP_("not reported", "not shown"),
}


def group_options(t: Translator, options: GroupOptions) -> Menu:
    """A linked group's digest options (after /link, and after each change)."""
    lines = []
    if options.notice is not None:
        lines += [esc(t.render(options.notice)), ""]
    on_off = t.pgettext("option", "on") if options.leaderboard else t.pgettext("option", "off")
    missing = t.pgettext(*_MISSING.get(options.missing, _MISSING["named"]))
    lines += [
        "<b>" + esc(t._("Team digest options")) + "</b>",
        esc(t._("🏆 Leaderboard with streaks: {value}").format(value=on_off)),
        esc(t._("👤 Who has not reported yet: {value}").format(value=missing)),
        esc(t._("The team's owner or an admin can change them with the buttons below.")),
    ]
    rows = (
        (Button("🏆 " + t.pgettext("button", "Leaderboard: {value}").format(value=on_off),
                callbacks.encode("g", "lb")),),
        (Button("👤 " + t.pgettext("button", "Not reported: {value}").format(value=missing),
                callbacks.encode("g", "ms")),),
    )
    return Menu("\n".join(lines), rows)


# -- /today ------------------------------------------------------------------------------------
def today_screen(t: Translator, report: DayReport) -> Menu:
    """/today: today's quota per KPI and what is left this period."""
    title = t._("Today, {day}").format(day=long_date(t, report.today))
    lines = [f"📋 <b>{esc(title)}</b>"]
    if not report.working_today:
        lines.append(esc(t._("Today is a day off for you — anything you log still counts.")))
    if not report.has_plan:
        lines.append(esc(t._("There is no plan for this period yet: set one with /plan.")))
    blocks = [_today_block(t, s) for s in report.standings]
    if blocks:
        lines += ["", "\n\n".join(blocks)]
    if report.remaining_days is not None and report.period_end is not None:
        lines += ["", esc(t.ngettext(
            "{count} working day left until {end}.", "{count} working days left until {end}.",
            report.remaining_days,
        ).format(count=t.number(report.remaining_days), end=short_date(t, report.period_end)))]
    rows = ((Button(t.pgettext("button", "✍️ Log results"), data("day", day_code(report.today))),),)
    return Menu("\n".join(lines), rows)


def _today_block(t: Translator, s: KpiStanding) -> str:
    name = f"<b>{esc(label(t, s.label))}</b>"
    cur = s.currency
    lines = [name]
    p = s.progress
    if s.cumulative and s.today_quota is not None:
        quota = esc(t._("Today: {quota}").format(quota=standing_value(t, s, s.today_quota, cur)))
        if s.today_plan_quota is not None and s.today_plan_quota != s.today_quota:
            quota = esc(t._("Today: {quota} (plan {plan}, recalculated to catch up)").format(
                quota=standing_value(t, s, s.today_quota, cur),
                plan=standing_value(t, s, s.today_plan_quota, cur)))
        lines.append(quota)
        if s.day_value is not None:
            lines.append(esc(t._("Logged today: {value}").format(
                value=standing_value(t, s, s.day_value, cur))))
    if p is not None and s.cumulative:
        lines.append(esc(t._("{bar} · {left} left of {target}").format(
            bar=bar(t, p.completion), left=standing_value(t, s, p.remaining, cur),
            target=standing_value(t, s, p.target, cur))))
    elif p is not None:
        lines.append(esc(t._("This period: {value} (target {target}) · {status}").format(
            value=standing_value(t, s, p.actual, cur), target=standing_value(t, s, p.target, cur),
            status=status_text(t, p.status))))
    elif s.target is None:
        lines.append(esc(t._("No target for this period.")))
    return "\n".join(lines)


# -- scheduled messages ------------------------------------------------------------------------
