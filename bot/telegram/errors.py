"""The one error handler: log with the traceback, tell the user in their language.

Domain errors are mapped to helpful replies by the handlers themselves; whatever reaches this
handler is unexpected. The user learns that something went wrong and that what they entered
before is kept (it is in the database), so they can simply try again.

One failure is expected: a 403 ``Forbidden`` on a reply means the person blocked the bot (or
the group removed it) while the update was being handled. That chat is marked inactive, as the
scheduler does for its sends, no more handlers run for the update, and it is logged at INFO.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Conflict, Forbidden, NetworkError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.i18n import resolve_language, translator
from bot.telegram.context import BotApplication, BotContext, Services
from kpi_core.services import daily

log = logging.getLogger(__name__)


def stored_language(services: Services, telegram_id: int) -> str | None:
    """The user's stored language, if they are known."""
    with services.uow_factory() as uow:
        user = uow.users.by_telegram_id(telegram_id)
        return user.language if user is not None else None


async def _language(update: Update, context: BotContext) -> str:
    user = update.effective_user
    fallback = context.language  # Telegram's language_code, else DEFAULT_LANGUAGE
    if user is None:
        return fallback
    try:
        stored = await context.run_sync(stored_language, context.services, user.id)
    except Exception:  # the database may be what failed; still answer
        log.warning("Could not read the language of user %s", user.id, exc_info=True)
        return fallback
    return resolve_language(stored, fallback)


async def _chat_gone(update: Update, context: BotContext, error: Forbidden) -> None:
    """The chat refused our reply: stop sending there (never raises)."""
    chat = update.effective_chat
    if chat is None:
        log.info("Telegram refused a reply to update %s: %s", update.update_id, error.message)
        return
    log.info("Chat %s blocked the bot or removed it: %s", chat.id, error.message)
    try:
        await context.run_sync(daily.deactivate_chat, context.services.uow_factory(), chat.id)
    except Exception:  # the database may be what failed; the next send will tell again
        log.warning("Could not mark chat %s inactive", chat.id, exc_info=True)


async def handle_error(update: object, context: BotContext) -> None:
    """Log an unexpected error and apologise to the user.

    Raises:
        ApplicationHandlerStop: after a ``Forbidden`` reply, so that no later handler group
            replies into the closed chat, or marks the person active again.
    """
    error = context.error
    if isinstance(update, Update) and isinstance(error, Forbidden):
        await _chat_gone(update, context, error)
        raise ApplicationHandlerStop
    try:
        if not isinstance(update, Update):
            # Errors outside an update: polling/network trouble, a background task.
            if isinstance(error, Conflict):
                log.error("Another instance is polling with this token: %s", error)
            elif isinstance(error, NetworkError | TimedOut):
                log.warning("Telegram network error: %s", error)
            else:
                log.error("Unexpected error outside an update", exc_info=error)
            return
        chat = update.effective_chat
        log.error(
            "Error while handling update %s (chat %s)",
            update.update_id,
            chat.id if chat else None,
            exc_info=error,
        )
        if chat is None:
            return
        t = translator(await _language(update, context))
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except Exception:
                log.debug("Could not answer the callback query", exc_info=True)
        await context.bot.send_message(
            chat_id=chat.id,
            text=t._(
                "Sorry, something went wrong on my side. Everything you entered before is "
                "saved — please try again in a moment."
            ),
        )
    except Exception:
        log.exception("The error handler itself failed")


def register(app: BotApplication) -> None:
    """Install the error handler."""
    app.add_error_handler(handle_error)
