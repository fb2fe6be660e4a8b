"""The weekly and monthly reports as menus (:class:`~kpi_core.tracking.reports.PeriodReport`).

Typography as in :mod:`bot.ui.digests`: numbers, money and percentages from the
:class:`~bot.i18n.Translator`, «ёлочки» around KPI names in Russian sentences
(«по показателю «Выручка»»), counts through ``ngettext``.
"""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.ui.daily_render import _named, bar, data, label, long_date, value_text
from bot.ui.digests import sentence_start
from bot.ui.render import Button, Menu, esc
from kpi_core.advice.catalog import Direction
from kpi_core.tracking.reports import KpiReport, NextBasis, PeriodReport, ReportKind

__all__ = ["report"]


def report(t: Translator, r: PeriodReport) -> Menu:
    """The report: the period per KPI, the lagging KPIs, the next period's quotas."""
    week = r.kind is ReportKind.WEEK
    if week:
        title = t._("Your week, {period}").format(period=t.period(r.period.start, r.period.end))
    else:
        # Translators: {month} is the month's name and year ("April 2025", «апрель 2025»).
        title = t._("Your month: {month}").format(
            month=t.date(r.period.start, "LLLL yyyy"))
    lines = [("📅 " if week else "🗓 ") + f"<b>{esc(sentence_start(title))}</b>"]
    if not r.has_plan:
        lines.append(esc(t._("There was no plan for this period.")))
    if r.working_days:
        lines.append(esc(t.ngettext(
            "Results logged on {count} of {total} working day.",
            "Results logged on {count} of {total} working days.",
            r.working_days,
        ).format(count=t.number(r.logged_days), total=t.number(r.working_days))))
    if r.streak > 0:
        lines.append(esc("🔥 " + t.ngettext(
            "{count} working day in a row with results logged.",
            "{count} working days in a row with results logged.",
            r.streak,
        ).format(count=t.number(r.streak))))
    blocks = [_kpi_block(t, k, week) for k in r.kpis]
    if blocks:
        lines += ["", "\n\n".join(blocks)]
    lagged = r.lagged
    if lagged:
        lines += ["", "⚠️ " + esc(t._("Behind the plan:"))]
        lines += [_lag_line(t, k) for k in lagged]
    elif any(k.quota for k in r.kpis):
        lines += ["", "🏆 " + esc(t._("No KPI fell behind the plan. Well done!"))]
    rows = ((Button(t.pgettext("button", "📋 Today"), data("t")),),)
    return Menu("\n".join(lines), rows)


def _value(t: Translator, k: KpiReport, value: Decimal) -> str:
    return value_text(t, k.unit, value, k.currency)


def _kpi_block(t: Translator, k: KpiReport, week: bool) -> str:
    """One KPI: the period against its quota, the best day, what the new period needs."""
    name = f"<b>{esc(label(t, k.label))}</b>"
    if k.total is None:
        head = _named(t._("{kpi}: no data yet"), name)
    elif k.quota and k.cumulative:
        head = _named(t._("{kpi}: {value} of {target}"), name, value=_value(t, k, k.total),
                      target=_value(t, k, k.quota)) + esc(" · " + bar(t, k.completion))
    elif k.quota:
        head = _named(t._("{kpi}: {value} (target {target})"), name,
                      value=_value(t, k, k.total), target=_value(t, k, k.quota))
    else:
        head = _named(t._("{kpi}: {value}"), name, value=_value(t, k, k.total))
    lines = [head]
    if k.best_day is not None and k.best_value is not None:
        lines.append(esc(t._("Best day: {day}, {value}").format(
            day=long_date(t, k.best_day), value=_value(t, k, k.best_value))))
    if k.next_quota is not None and k.next_daily is not None:
        lines.append(esc(_next_text(t, k, week, k.next_quota, k.next_daily)))
    return "\n".join(lines)


def _next_text(t: Translator, k: KpiReport, week: bool, need: Decimal, first: Decimal) -> str:
    """What the new week (month) needs: ``need`` over it, ``first`` on the report day."""
    quota, daily = _value(t, k, need), _value(t, k, first)
    if k.next_basis is NextBasis.REPEATED:
        if week:
            return t._("If the plan repeats with the same targets: {quota} this week "
                       "({daily} today).").format(quota=quota, daily=daily)
        return t._("If the plan repeats with the same targets: {quota} this month "
                   "({daily} today).").format(quota=quota, daily=daily)
    if not need and not first:
        return t._("The plan for this KPI is already reached.")
    if week:
        return t._("To stay on plan at this pace: {quota} this week ({daily} today).").format(
            quota=quota, daily=daily)
    return t._("To stay on plan at this pace: {quota} this month ({daily} today).").format(
        quota=quota, daily=daily)


def _lag_line(t: Translator, k: KpiReport) -> str:
    """"• Cold calls: 22 short of the plan (22%)" / «• по показателю «Звонки» — …»."""
    assert k.shortfall is not None
    amount = _value(t, k, k.shortfall)
    percent = t.percent(k.shortfall_ratio or Decimal(0))
    name = esc(label(t, k.label))
    if k.direction is Direction.LOWER_IS_BETTER:
        # Translators: a lower-is-better KPI (response time) was above its target.
        text = t._("• {kpi}: {amount} over the target ({percent})")
    else:
        text = t._("• {kpi}: {amount} short of the plan ({percent})")
    return _named(text, name, amount=amount, percent=percent)
