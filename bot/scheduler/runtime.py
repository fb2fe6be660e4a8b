"""Background work started with the bot (owned by the daily-loop work; placeholder until then)."""

from __future__ import annotations

from telegram.ext import Application


async def start_background(app: Application) -> None:  # type: ignore[type-arg]
    """Start the planner and dispatcher loops for ``app``."""


async def stop_background(app: Application) -> None:  # type: ignore[type-arg]
    """Stop the background loops and wait for them."""
