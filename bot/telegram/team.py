"""``/team`` in Telegram: the team, its invite link, a new link, removing someone.

Thin handlers over :mod:`kpi_core.services.team`; replies are shown with
:func:`bot.telegram.onboarding.present`, which also delivers the message to the person who was
removed. The buttons (``tm:...``) carry no authority: the use case checks the presser's
membership on every press, and a refused press is answered with the reason.
"""

from __future__ import annotations

from contextlib import suppress

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import translator
from bot.telegram.context import BotApplication, BotContext
from bot.telegram.onboarding import CONVERSATION_GROUP, answer_query, expire_button, present, run
from bot.ui import callbacks
from kpi_core.services import team as use_team

PREFIX = "tm"


async def show_team(update: Update, context: BotContext) -> None:
    """/team: who is in the team, the invite link and buttons to manage it."""
    await present(update, context, await run(context, use_team.open_team, update))


async def press_team_button(update: Update, context: BotContext) -> None:
    """A button of the /team screen: checked server-side, then the screen is redrawn."""
    query = update.callback_query
    assert query is not None
    try:
        cb = callbacks.decode(query.data)
    except callbacks.InvalidCallback:
        await expire_button(update, context)
        return
    reply = await run(context, use_team.press, update, cb.part(0), cb.part(1))
    if reply.error is not None:  # refused: say why right where they pressed
        with suppress(BadRequest):  # too old to answer: the edited screen still says why
            await query.answer(translator(reply.language).render(reply.error), show_alert=True)
    else:
        await answer_query(update, reply)
    await present(update, context, reply, edit=True)


def register(app: BotApplication) -> None:
    """Add /team and its buttons (group 0)."""
    group = CONVERSATION_GROUP
    app.add_handler(CommandHandler("team", show_team, filters=filters.ChatType.PRIVATE), group)
    app.add_handler(
        CallbackQueryHandler(press_team_button, pattern=callbacks.pattern(PREFIX)), group
    )
