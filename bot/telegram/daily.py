"""The daily loop in Telegram: /log, /today, typed results, its buttons, /link and /unlink.

Each handler parses the update, makes one call to a use case of
:mod:`kpi_core.services.daily_loop` (one transaction, which also records the update so that a
repeated delivery does nothing), renders the reply with :mod:`bot.ui.daily_render` and sends
it. The conversation state lives in the database; nothing is kept in PTB's memory.

Typed text in a private chat comes here first (:func:`receive_text`, registered ahead of
onboarding): while an onboarding question is open, or for someone who is not set up, the use
case says it is not the loop's, and the text goes on to onboarding's own handler.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from telegram import Message as TgMessage
from telegram import Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import translator
from bot.telegram import keyboards
from bot.telegram import onboarding as onboarding_handlers
from bot.telegram.context import BotContext
from bot.ui import callbacks, daily_render
from bot.ui.render import Menu, esc
from kpi_core.messages import Message
from kpi_core.services import daily, daily_loop
from kpi_core.services.common import Who

log = logging.getLogger(__name__)

DAILY_GROUP = 1
"""Handler group of the daily loop's commands and buttons (after onboarding's group 0)."""
REACTIVATE_GROUP = 2
TEXT_GROUP = 0
"""Typed text is first offered to the daily loop, in onboarding's group (see module docs)."""
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
NEW_TEXT = PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
"""Only new messages log numbers: an edited message must not be logged a second time."""


def who(update: Update, context: BotContext) -> Who:
    """The person and chat of an update."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    return Who(chat.id, user.id, context.language, user.first_name or "")


async def _call(
    update: Update, context: BotContext, use_case: Callable[..., daily_loop.DailyReply],
    *args: Any,
) -> daily_loop.DailyReply:
    """One use case, one unit of work, in a worker thread; the update id comes along when the
    middleware left recording it to this transaction."""
    services = context.services
    reply = await context.run_sync(
        use_case, services.uow_factory(), onboarding_handlers.deps(context), who(update, context),
        *args, update_id=context.deferred_update_id,
    )
    context.deferred_update_id = None
    context.served = reply.handled
    context.language = reply.language
    return reply


async def _present(update: Update, context: BotContext, reply: daily_loop.DailyReply) -> None:
    """Answer the pressed button (if any), then show the reply's screen."""
    t = translator(reply.language)
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(BadRequest):  # too old to answer: nothing is waiting for it
            await query.answer(t.render(reply.toast) if reply.toast else None,
                               show_alert=reply.alert)
        if reply.strip_buttons and isinstance(query.message, TgMessage):
            with contextlib.suppress(BadRequest):
                await query.edit_message_reply_markup(None)
    menu = daily_render.show(t, reply)
    if menu is not None:
        await _show(update, context, menu, edit=reply.edit)


async def _show(update: Update, context: BotContext, menu: Menu, *, edit: bool = False) -> None:
    """Send ``menu`` (or edit the pressed message in place)."""
    markup = keyboards.inline(menu)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(menu.text, parse_mode=ParseMode.HTML,
                                          reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message:
                return
            log.debug("Could not edit the message (%s); sending a new one", exc.message)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, menu.text, parse_mode=ParseMode.HTML,
                                   reply_markup=markup)


async def _say(update: Update, context: BotContext, text: str) -> None:
    await _show(update, context, Menu(esc(text)))


# -- commands ----------------------------------------------------------------------------------
async def log_command(update: Update, context: BotContext) -> None:
    """/log: buttons for each KPI; ``/log yesterday``; ``/log calls 35, meetings 4``."""
    reply = await _call(update, context, daily_loop.log_command, " ".join(context.args or []))
    await _present(update, context, reply)


async def today_command(update: Update, context: BotContext) -> None:
    """/today: today's quota per KPI and what is left this period."""
    await _present(update, context, await _call(update, context, daily_loop.today))


async def link_command(update: Update, context: BotContext) -> None:
    """/link in a group: send the team digest here (team owner or admin only)."""
    chat = update.effective_chat
    assert chat is not None
    if await _anonymous(update, context):
        return
    reply = await _call_in_group(update, context, daily_loop.link_group, chat.title or "")
    await _present(update, context, reply)


async def press_group_option(update: Update, context: BotContext) -> None:
    """A button under a linked group's digest options (``g:lb``, ``g:ms``)."""
    query = update.callback_query
    assert query is not None
    try:
        option = callbacks.decode(query.data).part(0)
    except callbacks.InvalidCallback:
        option = ""
    await _present(update, context, await _call_in_group(update, context,
                                                         daily_loop.group_option, option))


async def _anonymous(update: Update, context: BotContext) -> bool:
    """A command sent on behalf of a chat (an anonymous group admin, a channel): Telegram does
    not say who sent it, and who may do what goes by the person's own Telegram id."""
    message = update.effective_message
    if message is None or message.sender_chat is None:
        return False
    await _say(update, context, context.t._(
        "You are posting on behalf of the group, so I cannot tell who you are, and only the "
        "team's owner or an admin may do this. Send the command from your own account (turn "
        "off “Remain anonymous” for a moment)."))
    return True


async def unlink_command(update: Update, context: BotContext) -> None:
    """/unlink in a group: stop the team digest here."""
    if await _anonymous(update, context):
        return
    await _present(update, context, await _call_in_group(update, context, daily_loop.unlink_group))


async def _call_in_group(
    update: Update, context: BotContext, use_case: Callable[..., daily_loop.DailyReply],
    *args: Any,
) -> daily_loop.DailyReply:
    """A group command: the reply speaks the sender's language (set by the middleware)."""
    return await context.run_sync(use_case, context.services.uow_factory(),
                                  onboarding_handlers.deps(context), who(update, context), *args)


async def private_only(update: Update, context: BotContext) -> None:
    """/log or /today in a group: they work in a private chat."""
    await _say(update, context, context.t._("Send this command to me in a private chat."))


# -- buttons -----------------------------------------------------------------------------------
async def press_button(update: Update, context: BotContext) -> None:
    """Every ``d:`` button: parsed into what was pressed; the use case decides if it is valid."""
    query = update.callback_query
    assert query is not None
    pressed = callbacks.daily_press(query.data)
    if isinstance(pressed, daily_loop.Snooze) and query.message is not None:
        pressed = replace(pressed, message_id=query.message.message_id)
    reply = await _call(update, context, daily_loop.press, pressed)
    if not reply.handled:  # not a person the bot knows: nothing to apply the press to
        reply = daily_loop.DailyReply(None, reply.language, toast=Message(daily_loop.EXPIRED))
    await _present(update, context, reply)


# -- free text ---------------------------------------------------------------------------------
async def receive_text(update: Update, context: BotContext) -> None:
    """A typed line: a number asked for, a reply to the reminder, a quick form, or a hint."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    reply_to = message.reply_to_message
    to_bot = (reply_to is not None and reply_to.from_user is not None
              and reply_to.from_user.id == context.bot.id)
    reply = await _call(update, context, daily_loop.typed, message.text,
                        reply_to.message_id if to_bot and reply_to else None)
    if reply.repeated:
        return
    if not reply.handled:
        await onboarding_handlers.answer_text(update, context)
        return
    await _present(update, context, reply)


# -- the chat's state --------------------------------------------------------------------------
async def reactivate_user(update: Update, context: BotContext) -> None:
    """A person who blocked the bot writes again: reminders and digests resume."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE or update.message is None:
        return
    if context.served:
        return  # the daily loop's use case did it in the update's own transaction
    await context.run_sync(daily.reactivate, context.services.uow_factory(), user.id)


_GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
_IN = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED)


async def bot_membership(update: Update, context: BotContext) -> None:
    """The bot was added to a group (it says what it can do there and offers /link) or
    removed from one (the team digest stops there)."""
    change = update.my_chat_member
    if change is None or change.chat.id > 0:
        return
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in _GONE:
        await context.run_sync(daily.deactivate_chat, context.services.uow_factory(),
                               change.chat.id)
    elif new in _IN and old in _GONE:
        await _present(update, context, await _call_in_group(update, context,
                                                             daily_loop.group_added))


async def group_migrated(update: Update, context: BotContext) -> None:
    """The group became a supergroup: the team link and pending digests follow its new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await context.run_sync(daily.group_migrated, context.services.uow_factory(), old, new)


def register_text(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the typed-text handler ahead of onboarding's (same group, registered first)."""
    app.add_handler(MessageHandler(NEW_TEXT, receive_text), TEXT_GROUP)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the daily loop's commands and buttons (group :data:`DAILY_GROUP`)."""
    group = DAILY_GROUP
    app.add_handler(CommandHandler("log", log_command, filters=PRIVATE), group)
    app.add_handler(CommandHandler("today", today_command, filters=PRIVATE), group)
    app.add_handler(CommandHandler(["log", "today", "progress"], private_only,
                                   filters=GROUPS), group)
    app.add_handler(CommandHandler("link", link_command, filters=GROUPS), group)
    app.add_handler(CommandHandler("unlink", unlink_command, filters=GROUPS), group)
    app.add_handler(CallbackQueryHandler(press_button, pattern=callbacks.pattern("d")), group)
    app.add_handler(CallbackQueryHandler(press_group_option, pattern=callbacks.pattern("g")),
                    group)
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), group)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated), group)
    app.add_handler(TypeHandler(Update, reactivate_user), REACTIVATE_GROUP)
