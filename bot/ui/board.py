"""``/team`` → 📊: the team board in the viewer's language, short enough for a phone.

What the board shows is decided in :mod:`kpi_core.tracking.board` (and, for a member, narrowed
in :mod:`kpi_core.services.board`); this module only words it: the one number for today first,
then the team's totals, the funnel (marketing, then sales), the people and who has not logged
yesterday. Numbers, money and percentages come from the :class:`~bot.i18n.Translator`
(``1 234,56 ₽`` in Russian), KPI names in a sentence are in the translation's quotes («…»).
"""

from __future__ import annotations

from decimal import Decimal

from babel.lists import format_list

from bot.i18n import Translator
from bot.ui import callbacks
from bot.ui.daily_render import STATUS_ICON, label, long_date, value_text
from bot.ui.digests import sentence_start, team_kpi_line
from bot.ui.render import Button, Menu, esc
from kpi_core.advice.catalog import Unit
from kpi_core.services.membership import BoardView
from kpi_core.tracking.board import Board, MarketingPart, MemberKpi, MemberRow, SalesPart

__all__ = ["board_menu"]


def board_menu(t: Translator, view: BoardView) -> Menu:
    """The board, with a way back to the team."""
    b = view.board
    title = t._("Team board “{team}”, {day}").format(team=b.team_name, day=long_date(t, b.today))
    lines = [f"📊 <b>{esc(title)}</b>"]
    lines += _need(t, b)
    if not b.has_plan:
        lines.append(esc(t._("There is no plan for this period yet.")))
    if b.totals:
        lines += ["", esc(t._("The team so far:"))]
        lines += [team_kpi_line(t, line) for line in b.totals]
    funnel = _funnel(t, b)
    if funnel:
        lines += ["", esc(t._("Funnel this period:")), *funnel]
    if b.members:
        lines += ["", esc(t._("People:") if view.everyone else t._("Your figures:"))]
        lines += [_member(t, f"{number}. " if view.everyone else "", row)
                  for number, row in enumerate(b.members, 1)]
    missing = _missing(t, b)
    if missing:
        lines += ["", esc(missing)]
    if not view.everyone:
        lines += ["", esc(t._("You see the team's totals and your own figures; the owner and "
                              "admins see everyone's."))]
    back = Button("‹ " + t.pgettext("button", "Back"), callbacks.encode("tm", "back"))
    return Menu("\n".join(lines), ((back,),))


def _need(t: Translator, b: Board) -> list[str]:
    """The one number: what today needs of the main KPI, and what it is made of."""
    n = b.need
    if n is None:
        return []
    amount = value_text(t, n.unit, n.amount, n.currency)
    head = t._("Today the team needs {amount} of “{kpi}” to stay on plan.").format(
        amount=amount, kpi=label(t, n.label))
    lines = ["🎯 " + esc(head)]
    # Translators: what is left of the plan, spread over the working days left (today too).
    rest = t.ngettext("{amount} left over {count} working day.",
                      "{amount} left over {count} working days.", n.days_left).format(
        amount=value_text(t, n.unit, n.remaining, n.currency), count=t.number(n.days_left))
    if n.done_today > 0:
        rest += " " + t._("Logged today so far: {amount}.").format(
            amount=value_text(t, n.unit, n.done_today, n.currency))
    lines.append(esc(sentence_start(rest)))
    return lines


def _funnel(t: Translator, b: Board) -> list[str]:
    """The marketing part, then the sales part: each one line, or two."""
    lines = []
    if b.marketing is not None:
        lines.append(_marketing(t, b.marketing, _currency(b)))
    if b.sales is not None:
        lines += _sales(t, b.sales, _currency(b))
    return lines


def _currency(b: Board) -> str:
    return next((line.currency for line in b.totals), "RUB")


def _count(value: Decimal) -> int:
    """The plural form's count: a whole number (a count is logged in whole units)."""
    return int(value.to_integral_value())


def _share(t: Translator, fraction: Decimal) -> str:
    """A conversion: ``80%``, ``33.3%`` (a decimal only when it is not whole)."""
    return value_text(t, Unit.PERCENT, fraction, "")


def _marketing(t: Translator, m: MarketingPart, currency: str) -> str:
    facts = [t.ngettext("{count} lead", "{count} leads", _count(m.leads)).format(
        count=t.number(m.leads))]
    if m.spend is not None:
        facts.append(t._("spend {amount}").format(amount=t.money(m.spend, currency)))
    if m.cost_per_lead is not None:
        facts.append(t._("{amount} per lead").format(amount=t.money(m.cost_per_lead, currency)))
    name = t.pgettext("area", "Marketing")
    return f"📣 <b>{esc(name)}</b>: " + esc(" · ".join(facts))


def _sales(t: Translator, s: SalesPart, currency: str) -> list[str]:
    # Each stage the team logs, with the share of the stage before it that reached it.
    deals_from = s.qualified_to_deal if s.qualified is not None else s.lead_to_deal
    stages: list[tuple[str, Decimal | None]] = []
    if s.leads is not None:
        stages.append((t.ngettext("{count} lead", "{count} leads", _count(s.leads)).format(
            count=t.number(s.leads)), None))
    if s.qualified is not None:
        stages.append((t.ngettext("{count} qualified lead", "{count} qualified leads",
                                  _count(s.qualified)).format(count=t.number(s.qualified)),
                       s.lead_to_qualified))
    if s.deals is not None:
        stages.append((t.ngettext("{count} deal", "{count} deals", _count(s.deals)).format(
            count=t.number(s.deals)), deals_from))
    parts = []
    for i, (text, share) in enumerate(stages):
        if share is not None and i > 0:
            # Translators: a funnel stage and the share of the stage before it that reached it.
            text = t._("{stage} ({share})").format(stage=text, share=_share(t, share))
        parts.append(text)
    facts = []
    if s.qualified is not None and s.lead_to_deal is not None:
        facts.append(t._("lead → deal {share}").format(share=_share(t, s.lead_to_deal)))
    if s.revenue is not None:
        facts.append(t._("revenue {amount}").format(amount=t.money(s.revenue, currency)))
    if s.average_deal is not None:
        facts.append(t._("average deal {amount}").format(
            amount=t.money(s.average_deal, currency)))
    sales = t.pgettext("area", "Sales")
    name = f"🤝 <b>{esc(sales)}</b>: "
    if len(stages) < 2:  # one stage is no chain: it goes with the money
        return [name + esc(" · ".join([*parts, *facts]))]
    lines = [name + esc(" → ".join(parts))]
    if facts:
        lines.append(esc(sentence_start(" · ".join(facts))))
    return lines


def _member(t: Translator, place: str, row: MemberRow) -> str:
    icon = STATUS_ICON[row.status] if row.status else "▫️"
    parts = [_member_kpi(t, k) for k in row.kpis]
    detail = "; ".join(p for p in parts if p) or t._("no targets")
    return f"{place}{icon} <b>{esc(row.name)}</b> — {esc(detail)}"


def _member_kpi(t: Translator, k: MemberKpi) -> str:
    """"Revenue ₽40,000 of ₽100,000 (40%) ✅, forecast ₽88,000"; a level: "Lead → QL 72%
    (target 80%) ⚠️"."""
    name = label(t, k.label)
    if k.actual is None:
        return ""
    actual = value_text(t, k.unit, k.actual, k.currency)
    if k.target is None or k.status is None:
        return t._("{kpi} {value}").format(kpi=name, value=actual)
    target = value_text(t, k.unit, k.target, k.currency)
    icon = STATUS_ICON[k.status]
    if not k.cumulative:
        return t._("{kpi} {value} (target {target}) {status}").format(
            kpi=name, value=actual, target=target, status=icon)
    text = t._("{kpi} {actual} of {target} ({share}) {status}").format(
        kpi=name, actual=actual, target=target,
        share=t.percent(k.completion or Decimal(0)), status=icon)
    if k.forecast is not None:
        text += ", " + t._("forecast {value}").format(
            value=value_text(t, k.unit, k.forecast, k.currency))
    return text


def _missing(t: Translator, b: Board) -> str:
    """Who has not logged yesterday (a member sees how many, not who)."""
    if b.worked_yesterday == 0:
        return ""  # yesterday was nobody's working day: nobody is missing
    if b.missing_count == 0:
        return t._("Everyone logged yesterday. 👏")
    if b.missing:
        return t._("Not logged yesterday: {names}.").format(
            names=format_list(list(b.missing), locale=t.locale))
    return t.ngettext("{count} person has not logged yesterday.",
                      "{count} people have not logged yesterday.",
                      b.missing_count).format(count=t.number(b.missing_count))

