"""Commands after onboarding: /plan, /kpis, /settings, /language, /help, /privacy, /delete_me
(``/team`` lives in :mod:`bot.telegram.team`).

Each handler runs one use case of :mod:`kpi_core.services.onboarding` and shows the reply with
:func:`bot.telegram.onboarding.present`; the menus' buttons are handled by
:func:`bot.telegram.onboarding.press_button` (prefixes ``m``, ``r``, ``del``). The language
buttons (``lang:<code>``) carry no token: choosing a language is valid at any time.
"""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import SUPPORTED_LANGUAGES, translator
from bot.telegram import keyboards, menus
from bot.telegram.context import BotApplication, BotContext
from bot.telegram.onboarding import CONVERSATION_GROUP, answer_query, expire_button, present, run
from bot.ui import callbacks, render
from kpi_core.services import onboarding as use

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


async def show_plan(update: Update, context: BotContext) -> None:
    """/plan: the plan and its quotas, with buttons to change the amount or the period."""
    await present(update, context, await run(context, use.open_plan, update))


async def show_kpis(update: Update, context: BotContext) -> None:
    """/kpis: the KPI set, with swap, remove and add."""
    await present(update, context, await run(context, use.open_kpis, update))


async def show_settings(update: Update, context: BotContext) -> None:
    """/settings: language, time zone, calendar, working days, digest and reminder."""
    await present(update, context, await run(context, use.open_settings, update))


async def show_languages(update: Update, context: BotContext) -> None:
    """/language: the language picker."""
    menu = render.language_menu(context.t)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, menu.text, parse_mode=ParseMode.HTML,
                                   reply_markup=keyboards.inline(menu))


async def choose_language(update: Update, context: BotContext) -> None:
    """A language button: store the choice, then show the current screen in that language."""
    query = update.callback_query
    assert query is not None
    code = callbacks.decode(query.data).part(0)
    if code == "pick":  # the Language button of /settings
        await query.answer()
        menu = render.language_menu(context.t)
        await query.edit_message_text(menu.text, parse_mode=ParseMode.HTML,
                                      reply_markup=keyboards.inline(menu))
        return
    if code not in SUPPORTED_LANGUAGES:
        await expire_button(update, context)
        return
    reply = await run(context, use.set_language, update, code)
    await answer_query(update, reply)
    await _localise_command_menu(context, update, code)
    on_menu = query.message is not None and query.message.message_id == reply.screen_ref
    if reply.view is not None and on_menu:
        await present(update, context, reply, edit=True)
        return
    t = translator(code)
    await query.edit_message_text(render.language_switched(t))
    if reply.view is not None:
        await present(update, context, reply)


async def _localise_command_menu(context: BotContext, update: Update, language: str) -> None:
    """The "/" menu of this chat in the chosen language (Telegram's own language may differ)."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await context.bot.set_my_commands(menus.bot_commands(language),
                                          scope=BotCommandScopeChat(chat.id))
    except TelegramError:
        log.warning("Could not set the command menu of chat %s", chat.id, exc_info=True)


async def show_help(update: Update, context: BotContext) -> None:
    """/help: what the bot can do."""
    t = context.t
    text = t._(
        "I help you track a few KPIs that matter and reach your plan day by day.\n\n"
        "/start — set up (or continue the setup)\n"
        "/today — today's quota and progress\n"
        "/log — record today's results\n"
        "/progress — charts of your progress (owners and admins: the team's too)\n"
        "/plan — view or change the plan; the daily quotas follow\n"
        "/kpis — view, swap, remove or add KPIs\n"
        "/team — who is in your team; the invite link for colleagues\n"
        "/export — your entries (or your team's) as an XLSX or CSV file\n"
        "/import — past entries from a CSV or XLSX file\n"
        "/settings — time zone, holiday calendar, working days, reminder times\n"
        "/language — English or Russian\n"
        "/privacy — what I store and how to delete it\n"
        "/restart — go through the setup again\n"
        "/delete_me — erase everything about you\n"
        "/cancel — close the current menu"
    )
    await _reply_text(update, context, text)


async def show_privacy(update: Update, context: BotContext) -> None:
    """/privacy: what is stored, why, and how to delete it."""
    t = context.t
    text = t._(
        "What I store: your Telegram id and first name, your language, time zone, holiday "
        "calendar, working days and reminder times; your answers to the setup questions; your "
        "plan, KPIs and the results you log, with their history.\n\n"
        "Why: to work out your daily quotas, send the morning digest and the evening reminder "
        "at your local time, and show your progress. Nothing is shared with anyone outside "
        "your team, and nothing is used for advertising.\n\n"
        "To erase everything about you, send /delete_me. The figures you reported for a team "
        "stay in its totals, without your name."
    )
    await _reply_text(update, context, text)


async def confirm_delete(update: Update, context: BotContext) -> None:
    """/delete_me: ask before erasing everything."""
    await present(update, context, await run(context, use.open_delete, update))


async def _reply_text(update: Update, context: BotContext, text: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text)


def register(app: BotApplication) -> None:
    """Add the command handlers (group 0)."""
    group = CONVERSATION_GROUP
    for name, handler in (
        ("plan", show_plan),
        ("kpis", show_kpis),
        ("settings", show_settings),
        ("language", show_languages),
        ("help", show_help),
        ("privacy", show_privacy),
        ("delete_me", confirm_delete),
    ):
        app.add_handler(CommandHandler(name, handler, filters=PRIVATE), group)
    app.add_handler(CallbackQueryHandler(choose_language, pattern=callbacks.pattern("lang")), group)
