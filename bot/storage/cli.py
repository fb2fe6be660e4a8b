"""``kpi-coach db upgrade [REV] | downgrade [REV] | current`` for operators.

The database is the one the bot uses: ``DATABASE_URL``, else the SQLite file under
``DATA_DIR``. ``upgrade`` also runs at bot start-up, so this is mostly for deployments that
migrate in a separate step, for rolling back, and for checking where a database stands.
"""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy import make_url


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``db`` command and its subcommands."""
    db = subparsers.add_parser(
        "db",
        help="database migrations (upgrade, downgrade, current)",
        description="Manage the database schema. Uses DATABASE_URL or the SQLite file in DATA_DIR.",
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True

    up = actions.add_parser("upgrade", help="apply migrations (default: all pending)")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default head)")
    up.set_defaults(handler=_upgrade)

    down = actions.add_parser("downgrade", help="revert migrations (default: the last one)")
    down.add_argument(
        "revision", nargs="?", default="-1", help="target revision, -N, or base (default -1)"
    )
    down.set_defaults(handler=_downgrade)

    cur = actions.add_parser("current", help="show the revision the database is at")
    cur.set_defaults(handler=_current)


def _database_url() -> str:
    from bot.settings import load_settings

    return load_settings().resolved_database_url()


def _safe(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid URL>"


def _run(action: str, revision: str | None) -> int:
    from bot.storage import db

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    # "Running upgrade 0001 -> 0002, ..." lines, without Alembic's plugin chatter.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    url = _database_url()
    try:
        if action == "upgrade":
            assert revision is not None
            db.upgrade(url, revision)
        elif action == "downgrade":
            assert revision is not None
            db.downgrade(url, revision)
        at = db.current(url)
    except Exception as exc:  # an operator tool: say what failed, no traceback wall
        print(f"kpi-coach db {action}: {exc}", file=sys.stderr)
        return 1
    heads = set(db.head_revisions())
    shown = ", ".join(f"{rev} (head)" if rev in heads else rev for rev in at) or "empty (base)"
    print(f"{_safe(url)}: {shown}")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    return _run("upgrade", args.revision)


def _downgrade(args: argparse.Namespace) -> int:
    return _run("downgrade", args.revision)


def _current(args: argparse.Namespace) -> int:
    return _run("current", None)
