"""The ``kpi-coach`` command line: one parser, subcommands registered by their modules.

Each module in ``SUBCOMMAND_MODULES`` exposes ``register(subparsers)`` that adds its
subcommand(s) and sets ``handler`` (a callable taking the parsed namespace and returning an exit
code). Bad arguments exit with code 2 and a clear message (argparse's behaviour).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "bot.cli_calc",      # quota, funnel
    "bot.cli_catalog",   # kpis
    "bot.storage.cli",   # db upgrade|downgrade|current
    "bot.runner",        # run
    "bot.console",       # console
    "bot.cli_chart",     # chart
    "bot.cli_exchange",  # export, import
)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="kpi-coach",
        description="KPI Coach: KPI advice, daily quotas and reminders, in Telegram and here.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kpi-coach`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
