"""How fast can one entry be logged, end to end through the unit of work?

Measures ``SqlUnitOfWork -> EntryRepository.record -> commit`` (an upsert that bumps the
version, plus the history row, in one transaction) against a bare SQLAlchemy Core
``INSERT + COMMIT`` into a table of the same shape, on the same engine, in the same run.
SQLite (a throw-away file, WAL) always; PostgreSQL too when 127.0.0.1:5432 answers (a
throw-away database, dropped afterwards).

    .venv/bin/python bench/bench_entries.py            # default --n 2000
    .venv/bin/python bench/bench_entries.py --n 500 --no-pg

The target: our path at no less than half the bare speed (ratio >= 0.50).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, insert

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.storage import make_engine, uow_factory, upgrade  # noqa: E402
from bot.storage.tables import entries  # noqa: E402
from kpi_core.model import User  # noqa: E402

KPIS = ("calls", "meetings", "proposals", "deals", "revenue")
AT = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
ROUNDS = 4  # interleave the two paths so background noise hits both alike


def _bare_table() -> Table:
    """A copy of ``entries`` (same columns, types, unique key and indexes), no foreign keys."""
    metadata = MetaData()
    table = Table("bench_bare_entries", metadata)
    for column in entries.columns:
        table.append_column(column._copy())
    from sqlalchemy import Index, UniqueConstraint

    table.append_constraint(UniqueConstraint("user_id", "kpi_id", "day"))
    Index("ix_bench_bare_user_day", table.c.user_id, table.c.day)
    Index("ix_bench_bare_day_user", table.c.day, table.c.user_id)
    return table


def _keys(start: int) -> Iterator[tuple[str, date]]:
    """Distinct (KPI, day) keys: each logged value is a new row, as on a normal day."""
    n = start
    while True:
        yield KPIS[n % len(KPIS)], date(2000, 1, 1) + timedelta(days=n // len(KPIS))
        n += 1


def bench(engine: Engine, n: int) -> tuple[float, float]:
    """Return (ours, bare) in entries per second."""
    upgrade(engine)
    bare = _bare_table()
    bare.metadata.create_all(engine)
    new_uow = uow_factory(engine)
    with new_uow() as uow:
        user = uow.users.add(User(telegram_id=uuid.uuid4().int % 10**12))
        uow.commit()
    assert user.id is not None
    user_id = user.id
    ours_keys, bare_keys = _keys(0), _keys(0)
    bare_insert = insert(bare)

    def ours_once() -> None:
        kpi, day = next(ours_keys)
        with new_uow() as uow:
            uow.entries.record(user_id, kpi, day, Decimal("45454.55"), user_id, AT)
            uow.commit()

    def bare_once() -> None:
        kpi, day = next(bare_keys)
        with engine.begin() as conn:
            conn.execute(
                bare_insert,
                {
                    "user_id": user_id,
                    "kpi_id": kpi,
                    "day": day,
                    "value": Decimal("45454.55"),
                    "version": 1,
                    "entered_by": user_id,
                    "entered_at": AT,
                },
            )

    def timed(fn: Callable[[], None], count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            fn()
        return time.perf_counter() - started

    timed(ours_once, 50)  # warm up: pool, statement caches, prepared statements
    timed(bare_once, 50)
    per_round = max(1, n // ROUNDS)
    ours_s = bare_s = 0.0
    for _ in range(ROUNDS):
        bare_s += timed(bare_once, per_round)
        ours_s += timed(ours_once, per_round)
    total = per_round * ROUNDS
    bare.metadata.drop_all(engine)
    return total / ours_s, total / bare_s


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(conninfo: str) -> Iterator[Engine | None]:
    try:
        import psycopg

        admin = psycopg.connect(conninfo + " dbname=postgres connect_timeout=3", autocommit=True)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}".strip())
        yield None
        return
    name = f"kpi_bench_{uuid.uuid4().hex[:10]}"
    params = dict(item.split("=", 1) for item in conninfo.split())
    user, host = params.get("user", "postgres"), params.get("host", "127.0.0.1")
    url = f"postgresql://{user}@{host}:{params.get('port', '5432')}/{name}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="entries per path (default 2000)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument(
        "--pg",
        default="host=127.0.0.1 port=5432 user=postgres",
        help="libpq conninfo of the PostgreSQL server (a throw-away database is created)",
    )
    args = parser.parse_args(argv)
    results: list[tuple[str, float, float]] = []
    with sqlite_engine() as engine:
        results.append(("SQLite (file, WAL)", *bench(engine, args.n)))
    if not args.no_pg:
        with postgres_engine(args.pg) as pg:
            if pg is not None:
                results.append(("PostgreSQL", *bench(pg, args.n)))
    print(f"\n{'database':<20} {'ours/s':>10} {'bare/s':>10} {'ratio':>7}")
    worst = 1.0
    for name, ours, bare in results:
        ratio = ours / bare
        worst = min(worst, ratio)
        print(f"{name:<20} {ours:>10.0f} {bare:>10.0f} {ratio:>7.2f}")
    print(
        "\nours = SqlUnitOfWork -> entries.record (upsert + revision) -> commit;"
        "\nbare = Core INSERT + COMMIT into a table of the same shape; target ratio >= 0.50"
    )
    return 0 if worst >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
