"""How long does drawing a /progress chart take, and how much memory?

Draws the picture of a month of one KPI (revenue, April 2025 in Russia, logged up to 17 April:
``example()`` of ``tools/chart_example.py``) ten times in each language, from the series to the
PNG bytes (:func:`bot.charts.person_figure` + :func:`bot.charts.png`), and prints the median, the
fastest and the slowest; the same for the two-KPI picture of the README and for building the
series alone. The goal: under one second for a month of one KPI. Memory: the Python heap's
peak during one render (``tracemalloc``, measured on a separate run, since tracing slows it
down) and the process's peak resident size (``ru_maxrss``, matplotlib included).

    .venv/bin/python bench/bench_chart.py
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

from chart_example import example  # noqa: E402

from bot.charts import person_figure, png  # noqa: E402
from bot.i18n import translator  # noqa: E402

RUNS = 10


def timed(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float]) -> None:
    print(f"{name:<34} median {statistics.median(times) * 1000:7.1f} ms   "
          f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   (n={len(times)})")


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    png(person_figure(translator("en"), example("en", 1)))  # warm up: fonts, caches
    for language in ("en", "ru"):
        t = translator(language)
        one, two = example(language, 1), example(language, 2)
        report(f"series, 1 KPI ({language})", timed(lambda lang=language: example(lang, 1)))
        report(f"figure + PNG, 1 KPI ({language})",
               timed(lambda t=t, c=one: png(person_figure(t, c))))
        report(f"figure + PNG, 2 KPIs ({language})",
               timed(lambda t=t, c=two: png(person_figure(t, c))))
    size = len(png(person_figure(translator("ru"), example("ru", 1))))
    tracemalloc.start()
    png(person_figure(translator("ru"), example("ru", 1)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"PNG size, 1 KPI: {size / 1024:.0f} KiB (1200×800)")
    print(f"Python heap peak of one render (tracemalloc): {peak / 2**20:.1f} MiB")
    print(f"process peak RSS (ru_maxrss): {rss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
