"""Onboarding in Telegram: /start, /restart, /cancel, the questionnaire and the result screen.

Handlers are thin: parse the update, run one use case of :mod:`kpi_core.services.onboarding`
in a worker thread, and :func:`present` the reply. :func:`present` is shared with
:mod:`bot.telegram.commands`: it edits the pressed menu in place (``editMessageText``), or sends
a new message when the person typed something (and takes the buttons off the previous menu),
offers location sharing at the time zone step, and records which message holds the menu.

Handler groups: everything here is in the default group 0. The free-text, location and
other-message handlers consume a message only when a conversation is open (or the person has
not finished the setup) and then stop later groups (``ApplicationHandlerStop``); otherwise they
let it through, so **the daily loop's free-text handlers belong in group 1 or later**
(:data:`DAILY_GROUP`). Callback data of every feature is parsed by
:mod:`bot.ui.callbacks`; :func:`expire_button` answers data that nobody registered.

Also here, for every private chat: a command that is not in :data:`bot.telegram.menus.COMMANDS`
(nor in :data:`OTHER_COMMANDS`) gets "Unknown command" and the open step again; an edited message
during a question gets a hint (edits are never answers); the setup commands sent in a group get
"send this to me in a private chat". Presses without a chat (inline mode) are only answered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace

from telegram import Message as TgMessage
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.i18n import translator
from bot.telegram import keyboards
from bot.telegram.context import BotApplication, BotContext
from bot.timezone_lookup import (
    canonical_zone,
    city_zone,
    country_code,
    zone_for_location,
    zone_suggestions,
)
from bot.ui import callbacks, render
from kpi_core.advice.questionnaire import Validators
from kpi_core.messages import Message
from kpi_core.services import onboarding as use
from kpi_core.services.membership import Notification, invite_code_from_payload

log = logging.getLogger(__name__)

CONVERSATION_GROUP = 0
"""Group of the conversation handlers (commands, buttons, answers)."""
DAILY_GROUP = 1
"""Where free-text handlers of other features go, after the conversation had its chance."""

MENU_PREFIXES = render.MENU_PREFIXES
PRIVATE = filters.ChatType.PRIVATE


def deps(context: BotContext) -> use.Deps:
    """The use cases' dependencies from the application's services."""
    services = context.services
    supports = getattr(services.calendars, "supports", None)
    validators = Validators(
        zone_name=canonical_zone,
        country_supported=supports if callable(supports) else Validators().country_supported,
        country_code=country_code,
        city_zone=city_zone,
        zone_suggestions=zone_suggestions,
    )
    return use.Deps(clock=services.clock, calendars=services.calendars, validators=validators)


def who(update: Update, context: BotContext) -> use.Who:
    """The person and chat of an update."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None
    assert chat is not None
    return use.Who(chat.id, user.id, context.language, user.first_name or "")


async def run(
    context: BotContext, fn: Callable[..., use.Reply], update: Update, *args: object
) -> use.Reply:
    """Run a use case in a worker thread with a fresh unit of work."""
    return await context.run_sync(
        fn, context.services.uow_factory(), deps(context), who(update, context), *args
    )


async def _strip_buttons(context: BotContext, chat_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    with suppress(BadRequest):  # already without buttons, or gone
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def present(
    update: Update, context: BotContext, reply: use.Reply, *, edit: bool = False
) -> None:
    """Show a use case's reply: edit the pressed menu in place or send a new message; then
    deliver its notifications to other people's chats."""
    await _show(update, context, reply, edit=edit)
    await _notify(context, reply.notify)


async def _show(update: Update, context: BotContext, reply: use.Reply, *, edit: bool) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = translator(reply.language)
    now = context.services.clock.now()
    remove_keyboard = reply.offered_location_done
    if remove_keyboard and reply.zone is not None:
        # The message that takes the location keyboard away says which zone was understood.
        removal = render.zone_confirmation(t, reply.zone, now) + "."
        reply = replace(reply, zone=None)
    else:
        removal = t._("Got it.")
    menu = render.render(t, reply, now, context.bot.username)
    if remove_keyboard:
        edit = False  # a reply keyboard goes away only with a new message
        if menu is None or menu.rows:  # inline buttons and a removal cannot share a message
            await context.bot.send_message(chat.id, removal, reply_markup=keyboards.remove())
            remove_keyboard = False
    if menu is None:
        return
    if menu.location and reply.moved:
        # The reply keyboard comes with its own message; the question stays the last one.
        await context.bot.send_message(
            chat.id,
            t._("📍 You can share your location with the button below — "
                "I will work out the time zone."),
            reply_markup=keyboards.share_location(t),
        )
        edit = False
    message_id = await _edit(update, menu) if edit else None
    if message_id is None:
        markup = keyboards.remove() if remove_keyboard else keyboards.inline(menu)
        sent = await context.bot.send_message(chat.id, menu.text, parse_mode=ParseMode.HTML,
                                              reply_markup=markup)
        message_id = sent.message_id
        if reply.screen_ref != message_id:
            await _strip_buttons(context, chat.id, reply.screen_ref)
    if reply.token and not reply.closed:
        await context.run_sync(
            use.remember_screen, context.services.uow_factory(), deps(context),
            who(update, context), reply.token, message_id,
        )


async def _notify(context: BotContext, notifications: tuple[Notification, ...]) -> None:
    """Tell other people what happened (the owner: someone joined); never fatal."""
    for note in notifications:
        t = translator(note.language)
        text = "\n".join(t.render(line) for line in note.lines)
        try:
            await context.bot.send_message(note.chat_id, text)
        except TelegramError:
            log.warning("Could not notify chat %s", note.chat_id, exc_info=True)


async def _edit(update: Update, menu: render.Menu) -> int | None:
    query = update.callback_query
    message = query.message if query else None
    if query is None or not isinstance(message, TgMessage):
        return None
    try:
        await query.edit_message_text(menu.text, parse_mode=ParseMode.HTML,
                                      reply_markup=keyboards.inline(menu))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.info("Could not edit message %s: %s", message.message_id, exc)
            return None
    return message.message_id


# ---------------------------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------------------------


async def start_onboarding(update: Update, context: BotContext) -> None:
    """/start: begin the setup, or carry on where the person stopped; ``/start join_<code>``
    (an invite link) joins a team."""
    code = invite_code_from_payload(context.args[0]) if context.args else None
    if code is not None:
        await present(update, context, await run(context, use.join, update, code))
        return
    reply = await run(context, use.begin, update)
    if isinstance(reply.view, use.QuestionView) and reply.notice is None:  # a fresh start
        t = translator(reply.language)
        await context.bot.send_message(
            who(update, context).chat_id,
            t._(
                "Hi! I'm KPI Coach. In about two minutes of tapping buttons we will pick a few "
                "KPIs that fit your work, split your plan into daily quotas and set up "
                "reminders. You can go back at any step or stop with /cancel."
            ),
        )
    await present(update, context, reply)


async def restart_onboarding(update: Update, context: BotContext) -> None:
    """/restart: go through the setup again (nothing is deleted until the new set is saved)."""
    reply = await context.run_sync(
        use.begin, context.services.uow_factory(), deps(context), who(update, context), restart=True
    )
    await present(update, context, reply)


async def cancel_conversation(update: Update, context: BotContext) -> None:
    """/cancel: close the open menu; saved data stays."""
    await present(update, context, await run(context, use.cancel, update))


async def press_button(update: Update, context: BotContext) -> None:
    """A button of a conversation menu: apply it, or say the menu has expired."""
    query = update.callback_query
    assert query is not None
    if await _without_chat(update):
        return
    try:
        pressed = render.press_of(query.data)
        reply = await run(context, use.press, update, pressed)
    except callbacks.InvalidCallback:
        reply = _stale(await run(context, use.current, update))
    await answer_query(update, reply)
    if reply.stale and reply.view is not None and _on_current_menu(update, reply):
        # A second tap on a menu that has already moved on (a double tap, a slow network):
        # the message shows the current step, so redraw it in place instead of sending a copy.
        await present(update, context, replace(reply, notice=None), edit=True)
        return
    await present(update, context, reply, edit=not reply.stale)


def _on_current_menu(update: Update, reply: use.Reply) -> bool:
    query = update.callback_query
    message = query.message if query else None
    ref = reply.screen_ref
    return message is not None and ref is not None and message.message_id == ref


async def _without_chat(update: Update) -> bool:
    """A press on a message the bot did not send to a chat (inline mode, a game): there is no
    conversation to apply it to. Answer it so that the client stops waiting."""
    if update.effective_chat is not None and update.effective_user is not None:
        return False
    query = update.callback_query
    if query is not None:
        with suppress(TelegramError):
            await query.answer()
    return True


def _stale(reply: use.Reply) -> use.Reply:
    notice = Message(use.EXPIRED) if reply.view is not None else None
    return replace(reply, stale=True, notice=notice, moved=False)


async def answer_query(update: Update, reply: use.Reply) -> None:
    """Answer the callback query: "This menu has expired" for a stale press."""
    query = update.callback_query
    if query is None:
        return
    text = translator(reply.language)._("This menu has expired.") if reply.stale else None
    try:
        await query.answer(text)
    except BadRequest:
        log.debug("The callback query was too old to answer")


async def expire_button(update: Update, context: BotContext) -> None:
    """Callback data nobody registered (forged, or from an old version): it has expired."""
    if await _without_chat(update):
        return
    reply = _stale(await run(context, use.current, update))
    await answer_query(update, reply)
    if reply.view is not None:
        await present(update, context, reply)


async def answer_text(update: Update, context: BotContext) -> None:
    """Typed text: an answer to the current question, or a hint about what is expected."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    reply = await run(context, use.typed, update, message.text)
    if not reply.handled:
        return  # no conversation: another feature may want the text
    await present(update, context, reply)
    raise ApplicationHandlerStop


async def receive_location(update: Update, context: BotContext) -> None:
    """A shared location: the time zone of the nearest known city."""
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    zone = zone_for_location(message.location.latitude, message.location.longitude)
    reply = await run(context, use.located, update, zone)
    if not reply.handled:
        return
    await present(update, context, reply)
    raise ApplicationHandlerStop


async def nudge_other(update: Update, context: BotContext) -> None:
    """A sticker, photo or voice in the middle of a conversation: say what is expected."""
    reply = await run(context, use.nudge, update)
    if not reply.handled:
        return
    await present(update, context, reply)
    raise ApplicationHandlerStop


async def ignore_edit(update: Update, context: BotContext) -> None:
    """An earlier message edited during a conversation: edits are not answers; say so."""
    reply = await run(context, use.current, update)
    if not isinstance(reply.view, use.QuestionView):
        return  # no question open: whoever else handles edits may have it
    t = translator(reply.language)
    await context.bot.send_message(
        who(update, context).chat_id,
        t._("I don't pick up edits of sent messages. To change an answer, press Back "
            "or send it again as a new message."),
    )
    raise ApplicationHandlerStop


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have: say so, and show the open step again, if any."""
    message = update.effective_message
    assert message is not None
    reply = await run(context, use.current, update)
    t = translator(reply.language if reply.handled else context.language)
    await context.bot.send_message(who(update, context).chat_id,
                                   t._("Unknown command. /help lists the commands."))
    if reply.handled and reply.view is not None:
        await present(update, context, reply)
    raise ApplicationHandlerStop


async def private_only(update: Update, context: BotContext) -> None:
    """/start and the setup commands in a group: they work in a private chat."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id,
                                   context.t._("Send this command to me in a private chat."))


def _known_commands() -> frozenset[str]:
    from bot.telegram.menus import COMMANDS

    return frozenset({name for name, _ in COMMANDS} | set(OTHER_COMMANDS))


OTHER_COMMANDS = ("link", "unlink")
"""Commands that work but are not in the "/" menu (the daily loop's group commands)."""
SETUP_COMMANDS = ("start", "restart", "plan", "kpis", "settings", "language", "delete_me", "cancel")
"""Commands that only make sense in a private chat (answered with a hint in a group)."""

def _unknown_data(data: object) -> bool:
    if not isinstance(data, str):
        return True
    try:
        callbacks.decode(data)
    except callbacks.InvalidCallback:
        return True
    return False


def register(app: BotApplication) -> None:
    """Add the onboarding handlers (group 0; see the module docs).

    Only new messages are answers (``filters.UpdateType.MESSAGE``): an edited message is not
    (PTB hands edits to message handlers by default), it gets a hint instead.
    """
    group = CONVERSATION_GROUP
    new = PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", start_onboarding, filters=new), group)
    app.add_handler(CommandHandler("restart", restart_onboarding, filters=new), group)
    app.add_handler(CommandHandler("cancel", cancel_conversation, filters=new), group)
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(list(SETUP_COMMANDS), private_only, filters=groups), group)
    app.add_handler(
        CallbackQueryHandler(press_button, pattern=callbacks.pattern(*MENU_PREFIXES)), group
    )
    app.add_handler(CallbackQueryHandler(expire_button, pattern=_unknown_data), group)
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, answer_text), group)
    app.add_handler(MessageHandler(new & filters.LOCATION, receive_location), group)
    # A document is an import (bot.telegram.exchange, registered later in this group).
    others = (new & ~filters.TEXT & ~filters.LOCATION & ~filters.COMMAND
              & ~filters.StatusUpdate.ALL & ~filters.Document.ALL)
    app.add_handler(MessageHandler(others, nudge_other), group)
    app.add_handler(MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, ignore_edit), group)
    known = "|".join(sorted(_known_commands()))
    known_re = re.compile(rf"^/(?:{known})(?:@\w+)?(?:\s|$)", re.IGNORECASE)
    unknown = new & filters.COMMAND & ~filters.Regex(known_re)
    app.add_handler(MessageHandler(unknown, unknown_command), group)
