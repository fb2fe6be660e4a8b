"""The bot's command menu ("/" list in Telegram), published per language at start-up.

``COMMANDS`` is the single list of public commands, in menu order, with English descriptions
(msgids). The default scope gets English; users whose Telegram speaks Russian get Russian
(``language_code="ru"``). Add a command here when you add its handler.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand

from bot.i18n import translator
from kpi_core.messages import N_

log = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, str], ...] = (
    # Translators: descriptions in Telegram's command menu; at most 256 characters, short is best.
    ("start", N_("Start or resume setup")),
    ("today", N_("Today's plan and progress")),
    ("log", N_("Log today's results")),
    ("progress", N_("Progress charts")),
    ("plan", N_("Set or change the plan")),
    ("kpis", N_("Your KPIs")),
    ("team", N_("Your team and its invite link")),
    ("export", N_("Your entries as an XLSX or CSV file")),
    ("import", N_("Import past entries from a file")),
    ("settings", N_("Time zone, reminders, working days")),
    ("language", N_("Change the language")),
    ("help", N_("What the bot can do")),
    ("privacy", N_("What is stored and how to delete it")),
    ("restart", N_("Go through the setup again")),
    ("delete_me", N_("Erase everything about me")),
    ("cancel", N_("Cancel the current step")),
)
"""(command, English description) in menu order."""

MENU_LANGUAGES: tuple[str | None, ...] = (None, "ru")
"""``None`` is the default scope (English); other entries are Telegram language codes."""


def bot_commands(language: str) -> list[BotCommand]:
    """The command menu translated into ``language``."""
    t = translator(language)
    return [BotCommand(command, t._(description)) for command, description in COMMANDS]


async def set_commands(bot: Bot) -> None:
    """Publish the menu for every language; a failure is logged, never fatal."""
    for code in MENU_LANGUAGES:
        try:
            await bot.set_my_commands(bot_commands(code or "en"), language_code=code)
        except Exception:
            log.exception("Could not publish the command menu for %s", code or "default")
