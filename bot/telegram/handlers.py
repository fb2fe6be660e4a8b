"""The one registration point: every handler of the bot, in order.

Order matters: the middleware (group -1) runs first for every update (repeated updates stop
there; the user's language is set); then onboarding (``/start`` and the questionnaire, including
free-text answers while a questionnaire is open), then the other commands, ``/team``,
``/export`` and ``/import`` (and sent documents), then the
daily loop (logging results, digest buttons); the error handler comes last.
"""

from __future__ import annotations

from bot.telegram import (
    commands,
    daily,
    errors,
    exchange,
    middleware,
    onboarding,
    progress,
    team,
)
from bot.telegram.context import BotApplication


def register(app: BotApplication) -> None:
    """Add every handler to ``app``: middleware, features, error handler."""
    middleware.register(app)
    daily.register_text(app)  # typed text: the daily loop first, then onboarding
    onboarding.register(app)
    commands.register(app)
    team.register(app)
    progress.register(app)
    exchange.register(app)
    daily.register(app)
    errors.register(app)
