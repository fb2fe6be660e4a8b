"""``kpi-coach run``: start the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set).

Start-up order: settings → (no token? explain how to get one, exit 2) → logging with the token
redacted → database migrations → services → application → polling/webhook until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from urllib.parse import urlsplit

from pydantic import ValidationError
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.clock import SystemClock
from bot.i18n import resolve_language, translator
from bot.logging_setup import RedactSecretsFilter, configure_logging
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

EXIT_CONFIG_ERROR = 2
EXIT_NETWORK_ERROR = 1
# Retries of the first contact with Telegram (network trouble at boot), not of a bad token.
BOOTSTRAP_RETRIES = 5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run the Telegram bot",
        description=(
            "Run the Telegram bot. Long polling by default; a webhook when WEBHOOK_URL is set. "
            "Configuration comes from the environment and .env (TELEGRAM_BOT_TOKEN, "
            "DATABASE_URL, DEFAULT_LANGUAGE, LOG_LEVEL, ...)."
        ),
    )
    parser.set_defaults(handler=run_command)


def cli_language(settings: Settings | None = None) -> str:
    """Language for messages printed to the operator: DEFAULT_LANGUAGE if set, else LANG."""
    if settings is not None and "default_language" in settings.model_fields_set:
        return settings.default_language
    explicit = os.environ.get("DEFAULT_LANGUAGE")
    if explicit:
        return resolve_language(explicit)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return resolve_language(value)
    return settings.default_language if settings is not None else "en"


def no_token_message(language: str) -> str:
    """How to get a bot token, in ``language``."""
    t = translator(language)
    # Translators: printed in the terminal when the bot is started without a token. Keep the
    # commands, URLs and variable names as they are.
    return t._(
        "TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.\n"
        "\n"
        "To get a token from @BotFather:\n"
        "  1. Open https://t.me/BotFather in Telegram.\n"
        "  2. Send /newbot and choose a name and a username ending in \"bot\".\n"
        "  3. Copy the token BotFather replies with (it looks like 123456789:AAH...).\n"
        "  4. Run: export TELEGRAM_BOT_TOKEN=<your token>\n"
        "     or put the line TELEGRAM_BOT_TOKEN=<your token> into a .env file in this directory.\n"
        "\n"
        "Then start the bot again: kpi-coach run"
    )


def _fail(text: str, code: int) -> int:
    print(text, file=sys.stderr, flush=True)
    return code


def run_command(args: argparse.Namespace) -> int:
    """Run the bot until stopped; return the process exit code."""
    try:
        settings = load_settings()
    except ValidationError as exc:
        t = translator(cli_language())
        # Translators: {details} is pydantic's explanation of which setting is wrong.
        return _fail(t._("The configuration is invalid:\n{details}").format(details=exc), 2)
    t = translator(cli_language(settings))
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        return _fail(no_token_message(t.language), EXIT_CONFIG_ERROR)

    token = settings.telegram_bot_token.get_secret_value()
    webhook_secret = (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    ) or secrets.token_urlsafe(32)
    redact = (token, webhook_secret)
    configure_logging(settings.log_level, redact)

    # Imported here: ``kpi-coach --help`` and the no-token path stay fast and dependency-light.
    from bot.calendars import HolidaysCalendarProvider
    from bot.storage import make_engine, uow_factory, upgrade
    from bot.telegram.app import build_application
    from bot.telegram.context import Services

    database_url = settings.resolved_database_url()
    engine = make_engine(database_url)
    log.info("Applying database migrations")
    upgrade(engine)
    configure_logging(settings.log_level, redact)  # Alembic may have reconfigured logging
    clock = SystemClock()
    services = Services(
        uow_factory=uow_factory(engine, clock),
        clock=clock,
        calendars=HolidaysCalendarProvider(),
        settings=settings,
        dispose=engine.dispose,
    )
    app = build_application(settings, services)
    try:
        if settings.webhook_url:
            log.info("Starting the webhook on %s:%s",
                     settings.webhook_listen, settings.webhook_port)
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            log.info("Starting long polling")
            app.run_polling(
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
    except InvalidToken:
        engine.dispose()
        # Translators: printed in the terminal; keep TELEGRAM_BOT_TOKEN and @BotFather as is.
        return _fail(
            t._(
                "Telegram rejected the token. Check TELEGRAM_BOT_TOKEN: copy it again from "
                "@BotFather (/mybots → your bot → API Token)."
            ),
            EXIT_CONFIG_ERROR,
        )
    except NetworkError as exc:
        engine.dispose()
        # Translators: {url} is the Bot API address, {error} the technical reason.
        text = t._("Could not reach the Telegram Bot API at {url}: {error}")
        reason = RedactSecretsFilter(redact).redact(str(exc))
        return _fail(text.format(url=settings.telegram_api_url, error=reason), EXIT_NETWORK_ERROR)
    log.info("Stopped")
    return 0
