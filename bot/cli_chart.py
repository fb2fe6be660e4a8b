"""``kpi-coach chart``: the ``/progress`` picture as a PNG file, for an owner who runs the bot.

The same use case and drawing as the bot (:func:`bot.charts.draw_progress`), over the bot's
database::

    kpi-coach chart --user 123456789 --out progress.png          # your KPIs
    kpi-coach chart --user 123456789 --team --out team.png --lang ru
    kpi-coach chart --user 123456789 --date 2025-04-30           # as it stood that evening

``--user`` is the Telegram id of the person whose charts to draw; ``--team`` draws their
team's chart instead, which needs them to be its owner or an admin (as in Telegram). Exit code
0 when a file was written, 1 when there was nothing to draw (the reason is printed).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.calendars import HolidaysCalendarProvider
from bot.charts import draw_progress
from bot.clock import SystemClock
from bot.i18n import SUPPORTED_LANGUAGES
from bot.settings import load_settings
from kpi_core.ports import Clock
from kpi_core.services.common import Deps, Who


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``chart`` subcommand."""
    parser = subparsers.add_parser(
        "chart",
        help="draw a person's progress chart (or their team's) into a PNG file",
        description="Draw the /progress chart of a person, or of their team, into a PNG file.",
    )
    parser.add_argument("--user", type=int, required=True,
                        help="the person's Telegram id (as in the bot's database)")
    parser.add_argument("--team", action="store_true",
                        help="the team's chart (the person must be its owner or an admin)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the PNG (default: progress.png or team.png)")
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, default=None,
                        help="language (default: the person's own)")
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="draw as of this day, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--database-url", default=None,
        help="SQLAlchemy URL (default: DATABASE_URL or the SQLite file in DATA_DIR)",
    )
    parser.set_defaults(handler=run_chart)


class _EndOf:
    """A clock stopped at 11:00 UTC on ``day``: it is ``day`` in every zone from UTC-11 to
    UTC+12, and whatever was logged that day counts (the charts go by days, not hours)."""

    def __init__(self, day: date) -> None:
        self._at = datetime.combine(day, time(11, 0), UTC)

    def now(self) -> datetime:
        return self._at


def run_chart(args: argparse.Namespace) -> int:
    """Write the chart; print its path (or why there is none)."""
    from bot.storage import prepare_database, uow_factory

    settings = load_settings()
    engine = prepare_database(args.database_url or settings.resolved_database_url())
    try:
        clock: Clock = SystemClock() if args.date is None else _EndOf(args.date)
        drawn = draw_progress(uow_factory(engine, clock)(),
                              Deps(clock, HolidaysCalendarProvider()),
                              Who(args.user, args.user, args.lang or settings.default_language),
                              team_only=args.team, language=args.lang)
    finally:
        engine.dispose()
    if not drawn.pictures:
        print(drawn.notice or "", file=sys.stderr)
        return 1
    out: Path = args.out or Path("team.png" if args.team else "progress.png")
    out.write_bytes(drawn.pictures[0].png)
    print(out)
    return 0
