"""Drawing the ``/progress`` charts: matplotlib's object API on the Agg canvas, to PNG bytes.

Never ``pyplot``: its global figure registry is not thread-safe, and the bot draws in worker
threads (``context.run_sync``) so that the event loop never waits for a chart. Each chart is
a :class:`~matplotlib.figure.Figure` of its own with a
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`; nothing global (``rcParams``) is
changed. Every text is set in DejaVu Sans, which ships inside matplotlib and has the Cyrillic
letters, ``₽`` and the narrow spaces CLDR puts in numbers and dates — so no reader ever sees a
box, whatever fonts the server has. Texts are never parsed as mathtext (``$1,000`` is money).

Every word comes from the translator: titles, axis labels, the legend, dates in CLDR's short
form (``1 апр.`` / ``1 Apr``), amounts as ``1 234 567 ₽`` / ``₽1,234,567``.

The person's picture has one row per KPI (small multiples): on the left the cumulative actual
against the plan line, the required pace to the period end and the forecast band; on the right
the daily bars against the daily quota. Non-working days are shaded, today is marked.
Its size is fixed by the number of KPIs (:func:`person_size`); the team picture (everyone
against their own target, one panel per KPI) is :data:`TEAM_WIDTH` wide the same way.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from bot.i18n import Translator, translator
from kpi_core.advice.catalog import Unit
from kpi_core.ports import UnitOfWork
from kpi_core.services.charts import ProgressCharts, progress_charts
from kpi_core.services.common import Deps, Who
from kpi_core.tracking.charts import KpiChart, TeamChart, TeamKpiBars
from kpi_core.tracking.progress import Status

__all__ = [
    "DPI",
    "FONT",
    "MAX_KPIS",
    "Drawn",
    "Picture",
    "draw_progress",
    "person_figure",
    "person_size",
    "pictures",
    "png",
    "team_figure",
    "team_size",
]

FONT = "DejaVu Sans"
DPI = 100
WIDTH = 1200
"""Pixels; Telegram shows photos up to 1280 px on a side without scaling them down."""
MAX_KPIS = 5
"""A KPI set has at most five KPIs; more rows would be too small to read on a phone."""

_ACTUAL = "#1f6fb4"
_PLAN = "#7f7f7f"
_REQUIRED = "#e07b00"
_TODAY = "#c0392b"
_SHADE = "#d9d9d9"
_QUOTA = "#2c3e50"
_STATUS_COLOURS = {
    Status.AHEAD: "#2e9e44",
    Status.ON_TRACK: "#1f6fb4",
    Status.BEHIND: "#e07b00",
    Status.CRITICAL: "#c0392b",
}

# gids name what tests (and anyone reading a figure) look for.
GID_SHADE = "non-working"
GID_TODAY = "today"
GID_ACTUAL = "actual"
GID_PLAN = "plan"
GID_REQUIRED = "required"
GID_FORECAST = "forecast"
GID_BAND = "forecast-band"
GID_BARS = "daily"
GID_QUOTA = "quota"
GID_TARGET = "target"
GID_EXPECTED = "expected"


@dataclass(frozen=True, slots=True)
class Picture:
    """A PNG and the caption it is sent with."""

    png: bytes
    caption: str


def person_size(kpis: int) -> tuple[int, int]:
    """Width and height in pixels of a person's picture with ``kpis`` rows."""
    rows = max(1, min(kpis, MAX_KPIS))
    return WIDTH, max(800, 160 + 330 * rows)


def team_size(kpis: int) -> tuple[int, int]:
    """Width and height in pixels of the team picture with ``kpis`` panels."""
    rows = max(1, min(kpis, MAX_KPIS))
    return WIDTH, max(800, 160 + 300 * rows)


def _figure(size: tuple[int, int]) -> Figure:
    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, at its own size (no tight cropping)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# -- the person --------------------------------------------------------------------------------
def person_figure(t: Translator, charts: ProgressCharts) -> Figure:
    """The person's picture: one row per KPI, cumulative on the left, per day on the right."""
    shown = charts.kpis[:MAX_KPIS]
    fig = _figure(person_size(len(shown)))
    grid = fig.subplots(len(shown), 2, squeeze=False, width_ratios=(1.4, 1))
    for chart, (cumulative, daily) in zip(shown, grid, strict=True):
        _cumulative(t, cumulative, chart)
        _daily(t, daily, chart)
    title = t._("Progress on {date}").format(date=t.period(charts.today, charts.today))
    if charts.period is not None:
        title = t._("{title} · plan for {period}").format(
            title=title, period=t.period(charts.period.start, charts.period.end))
    fig.suptitle(title, fontsize=15, fontweight="bold")
    fig.legend(handles=_person_legend(t), loc="outside lower center", ncols=4, frameon=False,
               fontsize=10)
    _fonts(fig)
    return fig


def _person_legend(t: Translator) -> list[Line2D | Patch]:
    return [
        Line2D([], [], color=_ACTUAL, linewidth=2.5, label=t._("Actual, cumulative")),
        Line2D([], [], color=_PLAN, linestyle="--", label=t._("Plan")),
        Line2D([], [], color=_REQUIRED, linestyle=":", linewidth=2,
               label=t._("Required pace to the end")),
        Patch(facecolor=_ACTUAL, alpha=0.18, label=t._("Forecast at the current pace")),
        Patch(facecolor=_ACTUAL, alpha=0.8, label=t._("Logged per day")),
        Line2D([], [], color=_QUOTA, linewidth=2, label=t._("Daily quota")),
        Patch(facecolor=_SHADE, label=t._("Non-working day")),
        Line2D([], [], color=_TODAY, label=t._("Today")),
    ]


def _floats(values: Sequence[Decimal | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _frame(t: Translator, ax: Axes, chart: KpiChart) -> None:
    """Shaded days off, today's line and the dates under the axis."""
    for i, working in enumerate(chart.working):
        if not working:
            ax.axvspan(i - 0.5, i + 0.5, color=_SHADE, alpha=0.6, linewidth=0, zorder=0,
                       gid=GID_SHADE)
    if chart.days[0] <= chart.today <= chart.days[-1]:
        ax.axvline(chart.days.index(chart.today), color=_TODAY, linewidth=1.2, zorder=4,
                   gid=GID_TODAY)
    step = 7 if len(chart.days) > 14 else 2
    positions = list(range(0, len(chart.days), step))
    ax.set_xticks(positions, [t.date(chart.days[i], "d MMM") for i in positions])
    ax.set_xlim(-0.5, len(chart.days) - 0.5)
    ax.set_xlabel(t._("Date"))
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _amounts(t: Translator, ax: Axes, unit: Unit, currency: str, top: float) -> None:
    """Y ticks at round values, labelled as the locale writes amounts."""
    top = top if top > 0 else 1.0
    ticks = [v for v in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top * 1.05)
             if v >= 0]
    ax.set_yticks(ticks, [_amount(t, v, unit, currency) for v in ticks])
    ax.set_ylim(0, max(ticks[-1], top * 1.05))


def _amount(t: Translator, value: float, unit: Unit, currency: str) -> str:
    number = Decimal(str(round(float(value), 6))).normalize()
    if unit is Unit.MONEY:
        return t.money(number, currency)
    return t.number(number)


def _cumulative(t: Translator, ax: Axes, chart: KpiChart) -> None:
    x = list(range(len(chart.days)))
    _frame(t, ax, chart)
    low, high = _floats(chart.forecast_low), _floats(chart.forecast_high)
    ax.fill_between(x, low, high, color=_ACTUAL, alpha=0.18, linewidth=0, gid=GID_BAND)
    ax.plot(x, _floats(chart.forecast), color=_ACTUAL, linestyle="--", linewidth=1,
            gid=GID_FORECAST)
    ax.plot(x, _floats(chart.plan), color=_PLAN, linestyle="--", linewidth=1.5, gid=GID_PLAN)
    ax.plot(x, _floats(chart.required), color=_REQUIRED, linestyle=":", linewidth=2,
            gid=GID_REQUIRED)
    ax.plot(x, _floats(chart.cumulative), color=_ACTUAL, linewidth=2.5, marker="o",
            markersize=3, gid=GID_ACTUAL)
    tops = [v for v in (*chart.plan, *chart.forecast_high, *chart.cumulative) if v is not None]
    _amounts(t, ax, chart.unit, chart.currency, float(max(tops, default=Decimal(0))))
    ax.set_ylabel(t._("Total so far"))
    prog = chart.progress
    title = t._("{kpi}: {actual} of {target}").format(
        kpi=t.render(chart.label), actual=_money_or_number(t, chart, prog.actual),
        target=_money_or_number(t, chart, chart.target))
    if prog.projected is not None:
        title = t._("{title}, forecast {forecast}").format(
            title=title, forecast=_money_or_number(t, chart, prog.projected))
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")


def _money_or_number(t: Translator, chart: KpiChart, value: Decimal) -> str:
    return t.money(value, chart.currency) if chart.unit is Unit.MONEY else t.number(value)


def _daily(t: Translator, ax: Axes, chart: KpiChart) -> None:
    x = list(range(len(chart.days)))
    _frame(t, ax, chart)
    values = [0.0 if v is None else float(v) for v in chart.actual]
    ax.bar(x, values, width=0.7, color=_ACTUAL, alpha=0.8, gid=GID_BARS, zorder=2)
    # The quota is a short target line over each working day's bar (none on a day off).
    quota = [(i, float(q)) for i, (q, working) in enumerate(zip(chart.quota, chart.working,
                                                              strict=True)) if working]
    ax.hlines([q for _, q in quota], [i - 0.45 for i, _ in quota], [i + 0.45 for i, _ in quota],
              color=_QUOTA, linewidth=2, gid=GID_QUOTA, zorder=3)
    top = max([*values, *(float(q) for q in chart.quota)], default=0.0)
    _amounts(t, ax, chart.unit, chart.currency, top)
    ax.set_ylabel(t._("Per day"))
    need = chart.progress.need_per_day
    title = t._("Quota {quota}").format(
        quota=_money_or_number(t, chart, max(chart.quota, default=Decimal(0))))
    if need is not None:
        title = t._("{title}; needed now {need} a day").format(
            title=title, need=_money_or_number(t, chart, need))
    ax.set_title(title, loc="left", fontsize=10)


# -- the team ----------------------------------------------------------------------------------
def team_figure(t: Translator, chart: TeamChart) -> Figure:
    """The team picture: per KPI, each person's actual next to their own target."""
    shown = chart.kpis[:MAX_KPIS]
    fig = _figure(team_size(len(shown)))
    axes = fig.subplots(len(shown), 1, squeeze=False)[:, 0]
    for group, ax in zip(shown, axes, strict=True):
        _team_panel(t, ax, group)
    fig.suptitle(
        t._("Team “{team}” on {date} · plan for {period}").format(
            team=chart.team_name, date=t.period(chart.today, chart.today),
            period=t.period(chart.start, chart.end)),
        fontsize=15, fontweight="bold")
    fig.legend(handles=[
        Patch(facecolor="#cfd8e3", edgecolor="#8a9bb0", label=t._("Own target")),
        Patch(facecolor=_STATUS_COLOURS[Status.ON_TRACK], label=t._("Actual")),
        Line2D([], [], color="black", marker="_", markersize=18, linestyle="none",
               label=t._("Expected by today")),
    ], loc="outside lower center", ncols=3, frameon=False, fontsize=10)
    _fonts(fig)
    return fig


def _team_panel(t: Translator, ax: Axes, group: TeamKpiBars) -> None:
    x = list(range(len(group.members)))
    width = 0.38
    ax.bar([i - width / 2 for i in x], [float(m.target) for m in group.members], width,
           color="#cfd8e3", edgecolor="#8a9bb0", gid=GID_TARGET)
    ax.bar([i + width / 2 for i in x], [float(m.actual) for m in group.members], width,
           color=[_STATUS_COLOURS[m.status] for m in group.members], gid=GID_ACTUAL)
    ax.scatter([i + width / 2 for i in x], [float(m.expected) for m in group.members],
               marker="_", s=600, color="black", zorder=3, gid=GID_EXPECTED)
    for i, m in enumerate(group.members):
        share = f" ({t.percent(m.actual / m.target)})" if m.target else ""
        ax.annotate(_team_amount(t, group, m.actual) + share, (i + width / 2, float(m.actual)),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=9)
    ax.set_xticks(x, [m.name for m in group.members])
    top = max([float(v) for m in group.members for v in (m.target, m.actual, m.expected)],
              default=0.0)
    _amounts(t, ax, group.unit, group.currency, top * 1.1)
    ax.set_ylabel(t._("Total so far"))
    ax.set_title(t.render(group.label), loc="left", fontsize=12, fontweight="bold")
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _team_amount(t: Translator, group: TeamKpiBars, value: Decimal) -> str:
    return t.money(value, group.currency) if group.unit is Unit.MONEY else t.number(value)


# -- both --------------------------------------------------------------------------------------
def _fonts(fig: Figure) -> None:
    """Every text in DejaVu Sans, never read as mathtext (see the module docs)."""
    for ax in fig.axes:
        ax.tick_params(labelfontfamily=FONT)
    for text in fig.findobj(Text):
        text.set_fontfamily(FONT)
        text.set_parse_math(False)


def pictures(t: Translator, charts: ProgressCharts) -> list[Picture]:
    """The PNGs ``/progress`` sends, with their captions: the person's, then the team's."""
    found = []
    if charts.kpis:
        caption = t.ngettext("Your progress on {n} KPI", "Your progress on {n} KPIs",
                             len(charts.kpis)).format(n=t.number(len(charts.kpis)))
        if len(charts.kpis) > MAX_KPIS:
            caption += "\n" + t._("The first {n} are shown.").format(n=t.number(MAX_KPIS))
        found.append(Picture(png(person_figure(t, charts)), caption))
    if charts.team is not None:
        caption = t._("Team “{team}”: everyone against their own target").format(
            team=charts.team.team_name)
        found.append(Picture(png(team_figure(t, charts.team)), caption))
    return found


@dataclass(frozen=True, slots=True)
class Drawn:
    """What ``/progress`` sends: the pictures and why something is missing, if it is."""

    language: str
    today: date
    pictures: list[Picture]
    notice: str | None


def draw_progress(
    uow: UnitOfWork, deps: Deps, who: Who, *, team_only: bool = False,
    language: str | None = None,
) -> Drawn:
    """Load the charts (one read-only unit of work) and draw them; blocking, for a worker
    thread (the bot) or the terminal (the console, ``kpi-coach chart``).

    Args:
        language: Draw in this language instead of the person's stored one.
    """
    charts = progress_charts(uow, deps, who, team_only=team_only)
    t = translator(language or charts.language)
    why = t.render(charts.notice) if charts.notice is not None else None
    return Drawn(t.language, charts.today, pictures(t, charts), why)
