"""What every handler gets: the services (ports) and a typed ``CallbackContext``.

``Services`` is stored once in ``application.bot_data`` by
:func:`bot.telegram.app.build_application`. Handlers receive a :class:`BotContext`
(``ContextTypes(context=BotContext)``) and use::

    async def show_today(update: Update, context: BotContext) -> None:
        \"\"\"Show today's quota.\"\"\"
        view = await context.run_sync(today_view, context.services, update.effective_user.id)
        await update.effective_message.reply_text(context.t._("Today"))

Database work is synchronous (SQLAlchemy); ``run_sync`` runs it in a worker thread so it never
blocks the event loop. ``context.language`` is set for every update by the middleware
(stored choice, else Telegram's ``language_code``, else ``DEFAULT_LANGUAGE``); nothing here is
persistent - state lives in the database, never in ``user_data``/``chat_data``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeAlias, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import SystemClock
from bot.i18n import Translator, resolve_language, translator
from bot.settings import Settings
from kpi_core.ports import CalendarProvider, Clock, UnitOfWork

__all__ = ["SERVICES_KEY", "AppBot", "BotApplication", "BotContext", "Services", "SystemClock"]

SERVICES_KEY = "services"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Services:
    """The outside world as the Telegram adapter sees it (ports plus configuration).

    Attributes:
        uow_factory: Opens a new unit of work (one transaction); use as a context manager.
        clock: The current instant (aware UTC); tests pass a manual clock.
        calendars: Production calendars by country code.
        settings: The operator's configuration.
        dispose: Called once at application shutdown (e.g. ``engine.dispose``), if given.
    """

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    calendars: CalendarProvider
    settings: Settings
    dispose: Callable[[], None] | None = None


AppBot: TypeAlias = ExtBot[int]
"""The bot of the application: an ``ExtBot`` whose rate limiter (``AIORateLimiter``) takes an
``int`` as ``rate_limit_args`` (the number of retries after a 429)."""

# PTB's own types for user_data/chat_data/bot_data when ContextTypes gets only ``context``.
# We keep no state there; bot_data holds the Services (read through BotContext.services).
_Data: TypeAlias = dict[Any, Any]


class BotContext(CallbackContext[AppBot, _Data, _Data, _Data]):
    """The ``CallbackContext`` of KPI Coach: services, the user's language and helpers."""

    def __init__(
        self,
        application: BotApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._language: str | None = None
        self._telegram_language: str | None = None
        self.deferred_update_id: int | None = None
        """Set by the middleware when the update's handler records it in its own unit of work
        (the daily loop's: one transaction per update); ``None`` once recorded."""
        self.served = False
        """A use case of the daily loop served this update (it also marked a returning person
        active again), so the later handlers need not open another unit of work."""

    @classmethod
    def from_update(
        cls,
        update: object,
        # As in CallbackContext.from_update, whose signature an override may not narrow.
        application: Application[Any, Any, Any, Any, Any, Any],
    ) -> BotContext:
        """Build the context and remember Telegram's ``language_code`` as a fallback."""
        context: BotContext = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user:
            context._telegram_language = update.effective_user.language_code
        return context

    @property
    def services(self) -> Services:
        """The services of this application."""
        services: Services = self.bot_data[SERVICES_KEY]
        return services

    @property
    def language(self) -> str:
        """The current user's language ("en"/"ru"): set by the middleware for every update.

        Before the middleware ran (or in an error handler) it falls back to Telegram's
        ``language_code`` and then to ``DEFAULT_LANGUAGE``, without touching the database.
        """
        if self._language is not None:
            return self._language
        default = self.services.settings.default_language
        return resolve_language(self._telegram_language, default)

    @language.setter
    def language(self, value: str) -> None:
        self._language = resolve_language(value, self.services.settings.default_language)

    @property
    def t(self) -> Translator:
        """The translator for the current user's language."""
        return translator(self.language)

    async def run_sync(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run blocking ``fn`` (database work) in a worker thread and return its result."""
        return await asyncio.to_thread(fn, *args, **kwargs)


BotApplication: TypeAlias = Application[AppBot, BotContext, _Data, _Data, _Data, None]
"""The application as :func:`bot.telegram.app.build_application` builds it (no JobQueue).

Annotate ``register(app: BotApplication)`` functions and anything else that gets the app."""
