#!/usr/bin/env python3
"""Draw the README's example chart (docs/progress-example.png) with the bot's own code.

A sales manager in Russia on Thursday 17 April 2025, evening, with two KPIs: revenue
(1 000 000 ₽ for April) and cold calls (880), a fixed pseudo-random record of the month so far.
The series are built by :func:`kpi_core.tracking.charts.kpi_chart` from a real quota split on
the ``holidays`` production calendar and drawn by :func:`bot.charts.person_figure`::

    python tools/chart_example.py            # Russian, writes docs/progress-example.png
    python tools/chart_example.py --lang en --out /tmp/progress-en.png
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.calendars import HolidaysCalendar  # noqa: E402
from bot.charts import person_figure, png  # noqa: E402
from bot.i18n import translator  # noqa: E402
from kpi_core.advice.catalog import get_kpi  # noqa: E402
from kpi_core.planning.calendar import Period, WorkSchedule, working_days  # noqa: E402
from kpi_core.planning.quotas import Member, split_plan  # noqa: E402
from kpi_core.services.charts import ProgressCharts  # noqa: E402
from kpi_core.tracking.charts import KpiChart, kpi_chart  # noqa: E402
from kpi_core.tracking.digest import quantum_for  # noqa: E402

START, END, TODAY = date(2025, 4, 1), date(2025, 4, 30), date(2025, 4, 17)


def month_of(kpi_id: str, target: Decimal, typical: float, seed: int) -> KpiChart:
    """One KPI over April 2025 in Russia, logged on every working day up to today."""
    kpi = get_kpi(kpi_id)
    quantum = quantum_for(kpi)
    days = working_days(START, END, WorkSchedule(HolidaysCalendar("RU")))
    share = split_plan(target, [Member(1, tuple(days))], quantum).person(1)
    rng = random.Random(seed)
    actuals = {d: Decimal(round(typical * rng.uniform(0.55, 1.35))) for d in days if d <= TODAY}
    return kpi_chart(
        kpi_id=kpi.id, label=kpi.short_message, unit=kpi.unit, currency="RUB", start=START,
        end=END, working_days=share.working_days,
        quotas={item.day: item.amount for item in share.schedule}, actuals=actuals,
        today=TODAY, today_logged=True, quantum=quantum,
    )


def example(language: str, kpis: int = 2) -> ProgressCharts:
    """The example's charts (``kpis`` = 1: revenue alone, a month of one KPI)."""
    charts = [month_of("revenue", Decimal(1_000_000), 42_000, 7),
              month_of("cold_calls", Decimal(880), 38, 11)][:kpis]
    return ProgressCharts(language, TODAY, Period(START, END), "Anna", tuple(charts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ru", choices=("en", "ru"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "progress-example.png")
    args = parser.parse_args()
    args.out.write_bytes(png(person_figure(translator(args.lang), example(args.lang))))
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
