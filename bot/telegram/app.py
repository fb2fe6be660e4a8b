"""Build the python-telegram-bot ``Application``: the one place where the bot is wired.

``build_application(settings, services)`` returns an application that talks to
``{TELEGRAM_API_URL}/bot<token>/<method>``, rate-limits its sends (AIORateLimiter), handles
updates of different chats concurrently but those of one chat in order, and starts/stops the
scheduler loops in ``post_init``/``post_shutdown``. There is no PTB persistence and no JobQueue:
all state lives in our database.

Tests pass ``request=`` (an offline ``BaseRequest``, see ``tests/bot/harness.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import ApplicationBuilder, BaseUpdateProcessor
from telegram.ext import ContextTypes as _ContextTypes
from telegram.request import BaseRequest

from bot.scheduler import runtime
from bot.scheduler.ratelimit import TelegramRateLimiter
from bot.settings import Settings
from bot.telegram import handlers, keyboards, menus
from bot.telegram.context import SERVICES_KEY, BotApplication, BotContext, Services
from bot.timezone_lookup import gazetteer

__all__ = ["BotApplication", "PerChatUpdateProcessor", "build_application"]

log = logging.getLogger(__name__)

# Updates of different chats run concurrently; this bounds how many at once.
MAX_CONCURRENT_UPDATES = 32
# Retries after a 429 (the rate limiter waits retry_after, then tries again).
MAX_SEND_RETRIES = 5
RUN_BACKGROUND_KEY = "run_background"
SCHEDULER_KEY = "scheduler"
"""Where the running :class:`~bot.scheduler.runtime.Scheduler` is kept in ``bot_data``."""


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently, but one at a time per chat (per user without a chat).

    Two quick taps on the same button, or a message sent while the previous one is still being
    handled, then see each other's database writes instead of racing on conversation state.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiters: dict[object, int] = {}

    @staticmethod
    def _key(update: object) -> object:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        """Await ``coroutine`` once no other update of the same chat is being processed."""
        key = self._key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiters[key] -= 1
            if self._waiters[key] == 0:  # nobody else queued: forget the lock
                del self._waiters[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def _post_init(app: BotApplication) -> None:
    """Publish the command menus and start the scheduler loops."""
    await menus.set_commands(app.bot)
    if app.bot_data.get(RUN_BACKGROUND_KEY, True):
        # Build the city gazetteer now, in a thread, so the first person to type a city does
        # not wait for it (about a second); a running bot is what needs it.
        asyncio.get_running_loop().run_in_executor(None, gazetteer)
        services = app.bot_data.get(SERVICES_KEY)
        if isinstance(services, Services):
            app.bot_data[SCHEDULER_KEY] = runtime.start_background(services, app.bot,
                                                                   keyboards.inline)
        else:
            log.warning("No services: the scheduler is not started")


async def _post_shutdown(app: BotApplication) -> None:
    """Stop the scheduler loops and release the database."""
    try:
        scheduler = app.bot_data.pop(SCHEDULER_KEY, None)
        if isinstance(scheduler, runtime.Scheduler):
            await runtime.stop_background(scheduler)
    finally:
        services = app.bot_data.get(SERVICES_KEY)
        if isinstance(services, Services) and services.dispose is not None:
            services.dispose()


def build_application(
    settings: Settings,
    services: Services,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    run_background: bool = True,
) -> BotApplication:
    """Build the application with every handler registered (see ``handlers.register``).

    Args:
        settings: Configuration; ``telegram_bot_token`` must be set.
        services: Ports for the handlers; stored in ``bot_data["services"]``.
        request: HTTP transport for Bot API calls (tests: an offline request).
        get_updates_request: Transport for ``getUpdates``; defaults to ``request`` when given.
        run_background: Start the scheduler loops in ``post_init`` (tests may drive them
            directly instead).
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    api = settings.telegram_api_url
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(_ContextTypes(context=BotContext))
        .rate_limiter(
            # AIORateLimiter that also reports each 429 to the scheduler's own limiter.
            TelegramRateLimiter(
                overall_max_rate=settings.send_rate_per_second,
                overall_time_period=1,
                group_max_rate=settings.group_messages_per_minute,
                group_time_period=60,
                max_retries=MAX_SEND_RETRIES,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .job_queue(None)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
        builder = builder.get_updates_request(get_updates_request or request)
    elif get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app: BotApplication = builder.build()
    app.bot_data[SERVICES_KEY] = services
    app.bot_data[RUN_BACKGROUND_KEY] = run_background
    handlers.register(app)
    return app
