"""The /progress pictures as figure objects and as PNGs, in English and Russian."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot import charts as draw
from bot.i18n import translator
from kpi_core.advice.catalog import Unit
from kpi_core.messages import Message
from kpi_core.planning.calendar import Period
from kpi_core.services.charts import ProgressCharts
from kpi_core.tracking.charts import KpiChart, MemberBar, TeamChart, TeamKpiBars
from kpi_core.tracking.progress import Status
from tests.unit.test_charts_data import LOGGED, april, chart

NBSP = "\u00a0"


def april_charts(language: str, *kpis: KpiChart) -> ProgressCharts:
    calls = chart(april(1), april(30), 440, LOGGED, april(9))
    return ProgressCharts(language, april(9), Period(april(1), april(30)), "Anna",
                          kpis or (calls,))


def gids(ax: object, kind: type, gid: str) -> list[object]:
    return [a for a in ax.findobj(kind) if a.get_gid() == gid]  # type: ignore[attr-defined]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def pixels(data: bytes) -> np.ndarray:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return imread(io.BytesIO(data), format="png")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_month_of_one_kpi_has_a_bar_a_day_and_every_line(language: str) -> None:
    fig = draw.person_figure(translator(language), april_charts(language))
    cumulative, daily = fig.axes
    bars = [p for p in daily.patches if isinstance(p, Rectangle) and p.get_gid() == draw.GID_BARS]
    assert len(bars) == 30  # one bar per day of April
    assert [b.get_height() for b in bars[:5]] == [20, 25, 15, 30, 0]
    (quota,) = gids(daily, LineCollection, draw.GID_QUOTA)
    assert len(quota.get_segments()) == 22  # the daily quota over each working day
    lines = {line.get_gid() for line in cumulative.get_lines()}
    assert {draw.GID_ACTUAL, draw.GID_PLAN, draw.GID_REQUIRED, draw.GID_FORECAST,
            draw.GID_TODAY} <= lines
    assert len(gids(cumulative, PolyCollection, draw.GID_BAND)) == 1
    (today,) = [line for line in cumulative.get_lines() if line.get_gid() == draw.GID_TODAY]
    assert list(today.get_xdata()) == [8, 8]  # 9 April is the ninth day


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_shaded_days_are_the_calendars_non_working_days(language: str) -> None:
    may = chart(date(2025, 5, 1), date(2025, 5, 31), 180, {}, date(2025, 5, 15), logged=False)
    fig = draw.person_figure(translator(language), april_charts(language, may))
    for ax in fig.axes:
        shaded = sorted(round(p.get_x() + 0.5) for p in ax.patches if p.get_gid() == draw.GID_SHADE)
        assert [may.days[i] for i in shaded] == list(may.non_working)
        assert {1, 2, 8, 9} <= {may.days[i].day for i in shaded}  # holidays and transfers


def test_english_words_dates_and_amounts() -> None:
    revenue = chart(april(1), april(30), 1_000_000, {april(1): Decimal(50_000)}, april(1))
    revenue = _as_money(revenue)
    fig = draw.person_figure(translator("en"), april_charts("en", revenue))
    cumulative, daily = fig.axes
    assert [t.get_text() for t in cumulative.get_xticklabels()] == [
        "1 Apr", "8 Apr", "15 Apr", "22 Apr", "29 Apr"]
    assert cumulative.get_xlabel() == "Date"
    assert cumulative.get_ylabel() == "Total so far"
    assert daily.get_ylabel() == "Per day"
    assert "₽1,000,000" in [t.get_text() for t in cumulative.get_yticklabels()]
    assert cumulative.get_title(loc="left").startswith("Revenue: ₽50,000 of ₽1,000,000")
    assert fig.get_suptitle() == "Progress on 9 April 2025 · plan for 1–30 April 2025"
    assert "Required pace to the end" in texts(fig)


def test_russian_words_dates_and_amounts() -> None:
    revenue = chart(april(1), april(30), 1_000_000, {april(1): Decimal(50_000)}, april(1))
    revenue = _as_money(revenue)
    fig = draw.person_figure(translator("ru"), april_charts("ru", revenue))
    cumulative, daily = fig.axes
    assert [t.get_text() for t in cumulative.get_xticklabels()] == [
        "1 апр.", "8 апр.", "15 апр.", "22 апр.", "29 апр."]
    assert cumulative.get_xlabel() == "Дата"
    assert cumulative.get_ylabel() == "Итого с начала периода"
    assert daily.get_ylabel() == "В день"
    assert f"1{NBSP}000{NBSP}000{NBSP}₽" in [t.get_text() for t in cumulative.get_yticklabels()]
    assert cumulative.get_title(loc="left").startswith(
        f"Выручка: 50{NBSP}000{NBSP}₽ из 1{NBSP}000{NBSP}000{NBSP}₽")
    assert fig.get_suptitle() == ("Прогресс на 9 апреля 2025\u202fг. · "
                                  "план на 1–30 апреля 2025\u202fг.")
    assert "Нужный темп до конца периода" in texts(fig)
    assert not any(word in " ".join(texts(fig)) for word in ("Total", "Plan", "Today", "Date"))


def _as_money(c: KpiChart) -> KpiChart:
    from dataclasses import replace

    return replace(c, kpi_id="revenue", label=Message("Revenue", context="kpi"), unit=Unit.MONEY)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_text_is_set_in_a_font_with_cyrillic(language: str) -> None:
    fig = draw.person_figure(translator(language), april_charts(language))
    for text in fig.findobj(Text):
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert path.endswith("DejaVuSans.ttf") or path.endswith("DejaVuSans-Bold.ttf"), path
        assert text.get_parse_math() is False


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_png_is_not_blank_and_has_the_promised_size(language: str) -> None:
    data = draw.png(draw.person_figure(translator(language), april_charts(language)))
    image = pixels(data)
    assert image.shape[:2] == (800, 1200)  # height, width
    assert image[..., :3].std() > 0.05  # not one flat colour
    assert (image[..., :3] < 0.5).mean() > 0.01  # dark ink: texts, lines, bars


def test_three_kpis_make_a_taller_picture_of_small_multiples() -> None:
    calls = chart(april(1), april(30), 440, LOGGED, april(9))
    fig = draw.person_figure(translator("en"), april_charts("en", calls, calls, calls))
    assert len(fig.axes) == 6
    assert draw.person_size(3) == (1200, 1150)
    assert pixels(draw.png(fig)).shape[:2] == (1150, 1200)


TEAM = TeamChart("Sales", april(1), april(30), april(9), (
    TeamKpiBars("revenue", Message("Revenue", context="kpi"), Unit.MONEY, "RUB", (
        MemberBar(1, "Anna", Decimal(450_000), Decimal(1_000_000), Decimal("318181.82"),
                  Status.AHEAD),
        MemberBar(2, "Boris", Decimal(150_000), Decimal(1_000_000), Decimal("318181.82"),
                  Status.CRITICAL),
        MemberBar(3, "Вера", Decimal(300_000), Decimal("681818.18"), Decimal(300_000),
                  Status.ON_TRACK),
    )),
))


@pytest.mark.parametrize(("language", "word", "amount"), [
    ("en", "Own target", "₽450,000 (45%)"),
    ("ru", "Собственная цель", f"450{NBSP}000{NBSP}₽ (45{NBSP}%)"),
])
def test_the_team_chart_puts_everyone_against_their_own_target(
    language: str, word: str, amount: str
) -> None:
    fig = draw.team_figure(translator(language), TEAM)
    (ax,) = fig.axes
    targets = [p for p in ax.patches if p.get_gid() == draw.GID_TARGET]
    actuals = [p for p in ax.patches if p.get_gid() == draw.GID_ACTUAL]
    assert [p.get_height() for p in targets] == [1_000_000, 1_000_000, 681_818.18]
    assert [p.get_height() for p in actuals] == [450_000, 150_000, 300_000]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Anna", "Boris", "Вера"]
    assert word in texts(fig)
    assert amount in texts(fig)
    image = pixels(draw.png(fig))
    assert image.shape[:2] == (800, 1200)
    assert image[..., :3].std() > 0.05


def test_pictures_have_translated_captions() -> None:
    pictures = draw.pictures(translator("ru"), ProgressCharts(
        "ru", april(9), Period(april(1), april(30)), "Anna",
        (chart(april(1), april(30), 440, LOGGED, april(9)),), TEAM))
    assert [p.caption for p in pictures] == [
        "Ваш прогресс по 1 показателю", "Команда «Sales»: каждый в сравнении со своей целью"]
    assert all(p.png.startswith(b"\x89PNG") for p in pictures)
