"""``/progress``: the person's progress charts as one PNG, and the team's for a manager.

One worker-thread call does both the use case (:func:`kpi_core.services.charts.progress_charts`,
one read-only unit of work) and the drawing (:func:`bot.charts.pictures`, matplotlib's Agg
canvas): rendering takes a few hundred milliseconds of CPU and must never hold the event loop.

Why one picture with small multiples rather than a media group of one PNG per KPI: a person has
three to five KPIs, and one image with a row per KPI reads at a glance, sends with one
``sendPhoto`` (a media group is up to ten messages for Telegram's rate limits) and carries one
caption. The team chart, for owners and admins, follows as a second photo; ``/progress team``
sends it alone (a member is told who may see it).
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler, filters

from bot.charts import draw_progress
from bot.telegram.context import BotApplication, BotContext
from bot.telegram.onboarding import deps
from kpi_core.services.common import Who

__all__ = ["register", "show_progress"]

PROGRESS_GROUP = 1
"""With the daily loop's commands (after onboarding's group 0)."""


async def show_progress(update: Update, context: BotContext) -> None:
    """/progress: the person's charts (and the team's for its owner or an admin);
    ``/progress team``: the team's alone."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    args = context.args or []
    team_only = bool(args) and args[0].lower() in ("team", "команда")
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    who = Who(chat.id, user.id, context.language, user.first_name or "")
    drawn = await context.run_sync(draw_progress, context.services.uow_factory(),
                                   deps(context), who, team_only=team_only)
    context.language = drawn.language
    for picture in drawn.pictures:
        await context.bot.send_photo(chat.id, picture.png, caption=picture.caption)
    if drawn.notice is not None:
        await context.bot.send_message(chat.id, drawn.notice)


def register(app: BotApplication) -> None:
    """Add /progress (private chats only)."""
    app.add_handler(CommandHandler("progress", show_progress, filters=filters.ChatType.PRIVATE),
                    PROGRESS_GROUP)
