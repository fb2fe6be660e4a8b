"""Runs before every handler (group -1): drop repeated updates, pick the user's language.

Telegram may deliver an update more than once (webhook retries, a restart before the offset was
confirmed). Each ``update_id`` is recorded in the database (``UpdateLog.first_time``); a repeat
stops all further handlers. The language is the user's stored choice, else Telegram's
``language_code``, else ``DEFAULT_LANGUAGE``; it is put on ``context.language`` for this update
only (the database is the only memory).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import resolve_language
from bot.telegram.context import BotApplication, BotContext, Services

log = logging.getLogger(__name__)

MIDDLEWARE_GROUP = -1


def admit(
    services: Services, update_id: int, telegram_user_id: int | None
) -> tuple[bool, str | None]:
    """Record ``update_id``; return (first time?, the user's stored language or None)."""
    with services.uow_factory() as uow:
        first = uow.updates.first_time(update_id, services.clock.now())
        uow.commit()
        if not first or telegram_user_id is None:
            return first, None
        user = uow.users.by_telegram_id(telegram_user_id)
        return True, user.language if user is not None else None


def _deferred(update: Update) -> bool:
    """Updates whose handler records them inside its own transaction (the daily loop's typed
    text and buttons: one unit of work per update, the hot path)."""
    query = update.callback_query
    if query is not None:
        return isinstance(query.data, str) and query.data.startswith("d:")
    message = update.message  # new messages only: edits are answered by onboarding
    return (message is not None and message.chat.type == message.chat.PRIVATE
            and message.text is not None and not message.text.startswith("/"))


async def admit_update(update: Update, context: BotContext) -> None:
    """Stop repeated updates; set ``context.language`` for the rest of this update."""
    user = update.effective_user
    if user is not None and _deferred(update):
        context.deferred_update_id = update.update_id
        return  # the language comes from the use case's reply
    first, stored = await context.run_sync(
        admit, context.services, update.update_id, user.id if user else None
    )
    if not first:
        log.info("Update %s was processed before; ignoring the repeat", update.update_id)
        raise ApplicationHandlerStop
    default = context.services.settings.default_language
    telegram_language = resolve_language(user.language_code if user else None, default)
    context.language = resolve_language(stored, telegram_language)


def register(app: BotApplication) -> None:
    """Add the middleware in group -1, ahead of every other handler."""
    app.add_handler(TypeHandler(Update, admit_update), group=MIDDLEWARE_GROUP)
