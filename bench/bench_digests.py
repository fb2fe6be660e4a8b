"""How long do planning and building the morning digests take for many people?

Seeds N people (default 100,000), each in a team of their own with 5 KPIs (calls, meetings,
proposals, deals, revenue), an April 2025 plan and a month of entries (every working day from
1 to 29 April: 21 days × 5 values), then measures, on the morning of Wednesday 30 April 2025:

1. **plan** — one :class:`kpi_core.services.deliveries.Planner` pass: every person's digest
   and reminder for today and tomorrow, inserted with insert-or-ignore; then a pass with
   nothing changed, and the first pass of a restarted planner (it re-checks every pending row);
2. **build** — digests built the way the dispatcher does it
   (:func:`kpi_core.services.deliveries.build_digests`, batches of ``--chunk`` people per unit
   of work: the period's sums, the report day's values and a logged-days mask per batch, each
   one set-based query), then rendered in English (:mod:`bot.ui.digests`). With ``--sample``
   smaller than N, only that many people's digests are built and the total for N is
   extrapolated from the measured rate (said so in the output).

It prints wall time, per-digest time and the peak memory of the process (``ru_maxrss``; with
``--tracemalloc`` also the Python heap peak of the build, which slows it down). SQLite (a
throw-away file) always; PostgreSQL too when 127.0.0.1:5432 answers (a throw-away database,
dropped afterwards). Seeding is not part of the figures.

    .venv/bin/python bench/bench_digests.py --people 100000 --no-pg   # a few minutes
    .venv/bin/python bench/bench_digests.py --people 5000             # a quick look
    .venv/bin/python bench/bench_digests.py --people 20000 --no-pg --tracemalloc
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.calendars import HolidaysCalendarProvider  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.storage import make_engine, uow_factory, upgrade  # noqa: E402
from bot.storage import tables as t  # noqa: E402
from bot.ui import digests as render  # noqa: E402
from kpi_core.services import deliveries  # noqa: E402
from kpi_core.services.deliveries import Planner  # noqa: E402

KPIS = ("cold_calls", "meetings", "proposals_sent", "closed_deals", "revenue")
TARGETS = {"cold_calls": 420, "meetings": 63, "proposals_sent": 42, "closed_deals": 21,
           "revenue": 2_100_000}
DAILY = {"cold_calls": 20, "meetings": 3, "proposals_sent": 2, "closed_deals": 1,
         "revenue": 100_000}
START, END = date(2025, 4, 1), date(2025, 4, 30)
TODAY = date(2025, 4, 30)
NOW = datetime(2025, 4, 30, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Europe/Kaliningrad")


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _working_days() -> list[date]:
    calendar = HolidaysCalendarProvider().for_country("RU")
    day, days = START, []
    while day < TODAY:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(engine: Engine, users: int) -> None:
    """Bulk-insert people, teams, plans, KPI assignments and entries (Core, in batches)."""
    created = datetime(2025, 3, 31, tzinfo=UTC)
    days = _working_days()
    step = 2000
    with engine.begin() as conn:
        for first in range(0, users, step):
            ids = range(first + 1, min(first + step, users) + 1)
            conn.execute(insert(t.users), [
                {"id": i, "telegram_id": 10**9 + i, "language": "en",
                 "timezone": ZONES[i % len(ZONES)], "country": "RU",
                 "working_weekdays": "0,1,2,3,4",
                 "digest_time": dtime(9, 0), "reminder_time": dtime(18, 0),
                 "display_name": f"P{i}", "active": True, "onboarded": True,
                 "created_at": created} for i in ids])
            conn.execute(insert(t.teams), [
                {"id": i, "name": f"T{i}", "owner_user_id": i, "created_at": created}
                for i in ids])
            conn.execute(insert(t.memberships), [
                {"team_id": i, "user_id": i, "role": "owner", "weight": Decimal(1)}
                for i in ids])
            conn.execute(insert(t.plans), [
                {"id": i, "team_id": i, "period_start": START, "period_end": END,
                 "currency": "RUB", "created_by": i, "created_at": created} for i in ids])
            conn.execute(insert(t.plan_targets), [
                {"plan_id": i, "kpi_id": k, "target": Decimal(v)}
                for i in ids for k, v in TARGETS.items()])
            conn.execute(insert(t.kpi_assignments), [
                {"user_id": i, "team_id": i, "kpi_id": k, "position": n}
                for i in ids for n, k in enumerate(KPIS)])
        at = datetime(2025, 4, 1, 15, tzinfo=UTC)

        def entries() -> Iterator[dict[str, Any]]:
            for i in range(1, users + 1):
                for d in days:
                    for k in KPIS:
                        yield {"user_id": i, "kpi_id": k, "day": d,
                               "value": Decimal(DAILY[k] + (i + d.day) % 3),
                               "version": 1, "entered_by": i, "entered_at": at}

        for batch in _chunks(entries(), 50_000):
            conn.execute(insert(t.entries), batch)


def _fixed_columns() -> None:
    # Fail early if the schema moved (the seed writes the tables directly).
    for table, column in ((t.users, "working_weekdays"), (t.kpi_assignments, "position"),
                          (t.entries, "entered_at"), (t.plan_targets, "target")):
        assert column in table.c, f"{table.name}.{column} is gone: update the bench"


def bench(engine: Engine, users: int, chunk: int, trace: bool, sample: int) -> None:
    upgrade(engine)
    begin = time.perf_counter()
    seed(engine, users)
    print(f"  seeded {users:,} people, {users * 5 * len(_working_days()):,} entries "
          f"in {time.perf_counter() - begin:.1f} s")
    calendars = HolidaysCalendarProvider()
    new_uow = uow_factory(engine, FixedClock())
    planner = Planner(new_uow, calendars, FixedClock())
    begin = time.perf_counter()
    stats = planner.plan_once()
    plan_s = time.perf_counter() - begin
    print(f"  plan:  {plan_s:7.2f} s  {stats.inserted:,} deliveries "
          f"({stats.inserted / plan_s:,.0f}/s)")
    begin = time.perf_counter()
    stats = planner.plan_once()
    print(f"  plan again (nothing changed): {time.perf_counter() - begin:.2f} s")
    planner.forget()
    begin = time.perf_counter()
    stats = planner.plan_once()
    print(f"  plan after a restart (every pending row re-checked): "
          f"{time.perf_counter() - begin:.2f} s")

    t_en = translator("en")
    read = uow_factory(engine, FixedClock(), read_only=True)
    built = chars = 0
    build_s = render_s = 0.0
    people = min(sample, users)
    if trace:
        tracemalloc.start()
    for first in range(0, people, chunk):
        begin = time.perf_counter()
        with read() as uow:
            ids = range(first + 1, min(first + chunk, people) + 1)
            batch = list(uow.users.get_many(ids))
            found = deliveries.build_digests(uow, calendars, batch, TODAY, NOW)
        middle = time.perf_counter()
        for d in found.values():
            chars += len(render.digest(t_en, d).text)
        render_s += time.perf_counter() - middle
        build_s += middle - begin
        built += len(found)
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    each = build_s / built
    print(f"  build: {build_s:7.2f} s  {built:,} digests, {each * 1000:.2f} ms each, "
          f"{built / build_s:,.0f}/s")
    print(f"  render (English): {render_s:.2f} s, {render_s / built * 1000:.2f} ms each, "
          f"{chars / built:.0f} characters on average")
    total = plan_s + each * users
    note = "measured" if people == users else f"extrapolated from {people:,} built"
    print(f"  plan + build for {users:,} people: {total:.1f} s ({note}); "
          f"with rendering {total + render_s / built * users:.1f} s")
    if heap is not None:
        print(f"  build heap peak (tracemalloc): {heap:,.0f} MB")
    print(f"  process peak RSS so far: {_rss_mb():,.0f} MB")
    with engine.connect() as conn:
        sample_id = conn.execute(select(t.users.c.id).limit(1)).scalar()
    assert sample_id is not None


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine() -> Iterator[Engine | None]:
    try:
        import psycopg

        admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
        name = f"kpi_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"PostgreSQL: not reachable ({type(exc).__name__}); skipped")
        yield None
        return
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", "--users", dest="users", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000,
                        help="build the digests of this many people (extrapolate to all)")
    parser.add_argument("--chunk", type=int, default=1000, help="people per batch")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the heap")
    args = parser.parse_args(argv)
    _fixed_columns()
    print(f"Morning digests for {args.users:,} people, 5 KPIs, a month of entries")
    if not args.no_sqlite:
        print("SQLite (file):")
        with sqlite_engine() as engine:
            bench(engine, args.users, args.chunk, args.tracemalloc, args.sample)
    if not args.no_pg:
        with postgres_engine() as engine:
            if engine is not None:
                print("PostgreSQL:")
                bench(engine, args.users, args.chunk, args.tracemalloc, args.sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
