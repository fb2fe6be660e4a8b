"""``kpi-coach export`` and ``kpi-coach import``: the same use cases as ``/export`` and
``/import``, for an owner who runs the bot themselves.

``--user`` is the Telegram id of the person acting: their permissions apply exactly as in
Telegram (``--team`` needs an owner or admin). The database is the bot's (``DATABASE_URL``, else
the SQLite file under ``DATA_DIR``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export`` and ``import``."""
    out = subparsers.add_parser("export", help="write entries to an XLSX or CSV file",
                                description="Write a person's (or their team's) entries, with "
                                            "their history, to a file.")
    out.add_argument("--user", type=int, required=True, help="Telegram id of the person")
    out.add_argument("--team", action="store_true", help="the person's whole team (owner/admin)")
    out.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    out.add_argument("--language", choices=("en", "ru"), default=None,
                     help="headers and number conventions (default: the person's language)")
    out.add_argument("--out", type=Path, default=None,
                     help="file or folder (default: the current folder, a dated name)")
    out.set_defaults(handler=_export)
    into = subparsers.add_parser("import", help="import past entries from an XLSX or CSV file",
                                 description="Check a file row by row, show what would be "
                                             "taken, then import it all or nothing.")
    into.add_argument("file", type=Path)
    into.add_argument("--user", type=int, required=True, help="Telegram id of the person")
    into.add_argument("--own", action="store_true",
                      help="only the person's own entries (default for an owner/admin: the team)")
    into.add_argument("--yes", action="store_true", help="import without asking")
    into.set_defaults(handler=_import)


@dataclass
class _Bot:
    engine: Engine
    new_uow: Callable[[], UnitOfWork]
    deps: Deps


def _services() -> _Bot:
    from bot.calendars import HolidaysCalendarProvider
    from bot.clock import SystemClock
    from bot.settings import load_settings
    from bot.storage import make_engine, uow_factory, upgrade

    engine = make_engine(load_settings().resolved_database_url())
    upgrade(engine)
    return _Bot(engine, uow_factory(engine, SystemClock()),
                Deps(SystemClock(), HolidaysCalendarProvider()))


def _export(args: argparse.Namespace) -> int:
    from bot.exchange.writers import write_csv, write_xlsx
    from bot.i18n import translator
    from kpi_core.errors import DomainError
    from kpi_core.exchange.table import Scope, file_name
    from kpi_core.services import exchange
    from kpi_core.services.common import Who

    bot = _services()
    new_uow, deps = bot.new_uow, bot.deps
    try:
        language = args.language or _language(new_uow, args.user)
        who = Who(args.user, args.user, language)
        scope = Scope.TEAM if args.team else Scope.OWN
        table = exchange.export_table(new_uow(), deps, who, scope)
        path: Path = args.out or Path.cwd()
        if path.is_dir():
            path = path / file_name(table.title, table.made_on, args.format)
        if args.format == "xlsx":
            write_xlsx(table, str(path))
        else:
            with path.open("w", encoding="utf-8-sig", newline="") as out:
                write_csv(table, out)
    except DomainError as exc:
        print(f"kpi-coach export: {translator(args.language or 'en').render(exc.message)}",
              file=sys.stderr)
        return 1
    finally:
        bot.engine.dispose()
    print(f"{path} ({len(table.rows)} rows)")
    return 0


def _language(new_uow: Callable[[], UnitOfWork], telegram_id: int) -> str:
    with new_uow() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        return user.language if user is not None else "en"


def _import(args: argparse.Namespace) -> int:
    from bot.exchange.common import MAX_FILE_BYTES
    from bot.exchange.readers import read_table
    from bot.i18n import translator
    from bot.ui.exchange import imported, preview
    from bot.ui.render import Menu
    from kpi_core.errors import DomainError
    from kpi_core.exchange.table import Scope
    from kpi_core.services import exchange
    from kpi_core.services.common import Who

    if args.file.stat().st_size > MAX_FILE_BYTES:
        print("kpi-coach import: the file is larger than 20 MB", file=sys.stderr)
        return 1
    bot = _services()
    new_uow, deps = bot.new_uow, bot.deps
    try:
        language = _language(new_uow, args.user)
        t = translator(language)
        who = Who(args.user, args.user, language)
        table = read_table(args.file.read_bytes(), args.file.name, language)
        shown = exchange.preview_import(new_uow(), deps, who, table,
                                        Scope.OWN if args.own else None)
        menu: Menu = preview(t, shown)
        print(_plain(menu.text))
        if shown.token is None:
            return 1
        if not args.yes and input("Import? [y/N] ").strip().lower() not in ("y", "yes", "д"):
            exchange.cancel_import(new_uow(), deps, who, shown.token)
            return 1
        print(imported(t, exchange.confirm_import(new_uow(), deps, who, shown.token)))
        return 0
    except DomainError as exc:
        print(f"kpi-coach import: {translator('en').render(exc.message)}", file=sys.stderr)
        return 1
    finally:
        bot.engine.dispose()


def _plain(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
