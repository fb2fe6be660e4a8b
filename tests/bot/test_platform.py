"""The Telegram platform layer: middleware, errors, menus, wiring, logging, the run command."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.i18n import translator
from bot.logging_setup import REDACTED, RedactSecretsFilter, configure_logging
from bot.runner import run_command
from bot.scheduler.dispatcher import BotSender
from bot.telegram.app import PerChatUpdateProcessor
from bot.telegram.context import BotContext, Services
from bot.telegram.menus import COMMANDS
from kpi_core.model import User
from tests.bot.conftest import make_test_settings
from tests.bot.harness import TEST_TOKEN, BotHarness

ERROR_TEXT = (
    "Sorry, something went wrong on my side. Everything you entered before is saved — please "
    "try again in a moment."
)


def add_first(harness: BotHarness, handler: BaseHandler[Any, Any, Any]) -> None:
    """Add a test-only handler ahead of the feature handlers (right after the middleware)."""
    harness.app.add_handler(handler, group=0)
    group = harness.app.handlers[0]
    group.insert(0, group.pop())


async def reply_language(update: Update, context: BotContext) -> None:
    """Echo the language the middleware chose."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"lang={context.language}")


async def explode(update: Update, context: BotContext) -> None:
    """A handler with a bug."""
    raise RuntimeError("boom in a handler")


# --- middleware: repeated updates ------------------------------------------------------------


async def test_a_repeated_update_is_processed_once_even_after_a_restart(
    harness: BotHarness,
) -> None:
    add_first(harness, CommandHandler("lang", reply_language))
    update = {
        "update_id": 555,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": 10, "type": "private", "first_name": "A"},
            "from": {"id": 10, "is_bot": False, "first_name": "A", "language_code": "en"},
            "text": "/lang",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    await harness.process(update)
    await harness.process(update)  # a webhook retry
    assert harness.sent_texts(10) == ["lang=en"]

    await harness.restart()  # the log of processed updates is in the database
    add_first(harness, CommandHandler("lang", reply_language))
    await harness.process(update)
    assert harness.sent_texts(10) == ["lang=en"]

    await harness.send(10, "/lang")  # a new update id goes through
    assert harness.sent_texts(10) == ["lang=en", "lang=en"]


# --- middleware: language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [("ru-RU", "ru"), ("ru", "ru"), ("en", "en"), ("en-GB", "en"), ("de", "en"), (None, "en")],
)
async def test_language_comes_from_telegram_when_nothing_is_stored(
    harness: BotHarness, language_code: str | None, expected: str
) -> None:
    add_first(harness, CommandHandler("lang", reply_language))
    await harness.send(20, "/lang", language_code=language_code)
    assert harness.sent_texts(20) == [f"lang={expected}"]


async def test_the_stored_choice_wins_over_telegrams_language(
    harness: BotHarness, services: Services
) -> None:
    with services.uow_factory() as uow:
        uow.users.add(User(telegram_id=30, language="ru"))
        uow.users.add(User(telegram_id=31, language="en"))
        uow.commit()
    add_first(harness, CommandHandler("lang", reply_language))
    await harness.send(30, "/lang", language_code="en")
    await harness.send(31, "/lang", language_code="ru-RU")
    assert harness.sent_texts(30) == ["lang=ru"]
    assert harness.sent_texts(31) == ["lang=en"]


async def test_default_language_applies_to_unsupported_telegram_languages(
    database_url: str, services: Services
) -> None:
    settings = make_test_settings(database_url, default_language="ru")
    h = BotHarness(
        settings, Services(services.uow_factory, services.clock, services.calendars, settings)
    )
    await h.start()
    try:
        add_first(h, CommandHandler("lang", reply_language))
        await h.send(40, "/lang", language_code="de")
        await h.send(41, "/lang", language_code="en-US")
        assert h.sent_texts(40) == ["lang=ru"]
        assert h.sent_texts(41) == ["lang=en"]
    finally:
        await h.close()


async def test_updates_without_a_user_pass_the_middleware(harness: BotHarness) -> None:
    await harness.process(
        {
            "channel_post": {
                "message_id": 1,
                "date": 1_764_000_000,
                "chat": {"id": -1001, "type": "channel", "title": "News"},
                "text": "hello",
            }
        }
    )
    assert harness.errors == []


# --- the error handler -----------------------------------------------------------------------


@pytest.mark.parametrize("language_code", ["en", "ru"])
async def test_an_error_is_logged_with_traceback_and_the_user_told_in_their_language(
    harness: BotHarness, caplog: pytest.LogCaptureFixture, language_code: str
) -> None:
    add_first(harness, CommandHandler("boom", explode))
    harness.raise_errors = False
    with caplog.at_level(logging.ERROR, logger="bot.telegram.errors"):
        await harness.send(50, "/boom", language_code=language_code)

    expected = translator(language_code)._(ERROR_TEXT)
    assert harness.sent_texts(50) == [expected]
    if language_code == "ru":
        assert expected != ERROR_TEXT
        assert "сохранено" in expected
    [record] = [r for r in caplog.records if r.name == "bot.telegram.errors"]
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
    assert "boom in a handler" in caplog.text
    assert "Traceback" in caplog.text
    assert TEST_TOKEN not in caplog.text
    assert [type(e) for e in harness.errors] == [RuntimeError]


async def test_the_error_reply_uses_the_stored_language(
    harness: BotHarness, services: Services
) -> None:
    with services.uow_factory() as uow:
        uow.users.add(User(telegram_id=51, language="ru"))
        uow.commit()
    add_first(harness, CommandHandler("boom", explode))
    harness.raise_errors = False
    await harness.send(51, "/boom", language_code="en")
    assert harness.sent_texts(51) == [translator("ru")._(ERROR_TEXT)]


async def test_a_failing_button_press_is_answered_and_explained(harness: BotHarness) -> None:
    from telegram.ext import CallbackQueryHandler

    add_first(harness, CommandHandler("lang", reply_language))
    await harness.send(52, "/lang")
    add_first(harness, CallbackQueryHandler(explode, pattern="^zz:"))
    harness.raise_errors = False
    harness.clear()
    await harness.press(52, "zz:1")
    assert [c.method for c in harness.calls] == ["answerCallbackQuery", "sendMessage"]
    assert harness.sent_texts(52) == [ERROR_TEXT]


async def test_the_error_handler_never_raises_even_when_telegram_refuses(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    add_first(harness, CommandHandler("boom", explode))
    harness.raise_errors = False
    harness.request.fail(400, "Bad Request: chat not found", chat_id=53, method="sendMessage")
    with caplog.at_level(logging.ERROR):
        await harness.send(53, "/boom")
    assert "The error handler itself failed" in caplog.text
    assert [type(e) for e in harness.errors] == [RuntimeError]


# --- the command menu ------------------------------------------------------------------------


async def test_the_command_menu_is_published_in_english_and_russian(harness: BotHarness) -> None:
    names = [name for name, _ in COMMANDS]
    assert names == [
        "start",
        "today",
        "log",
        "progress",
        "plan",
        "kpis",
        "team",
        "export",
        "import",
        "settings",
        "language",
        "help",
        "privacy",
        "restart",
        "delete_me",
        "cancel",
    ]
    english = harness.request.commands("")
    russian = harness.request.commands("ru")
    assert [c["command"] for c in english] == names
    assert [c["command"] for c in russian] == names
    assert [c["description"] for c in english] == [d for _, d in COMMANDS]
    ru = translator("ru")
    assert [c["description"] for c in russian] == [ru._(d) for _, d in COMMANDS]
    for (_, source), item in zip(COMMANDS, russian, strict=True):
        assert item["description"] != source, f"{source!r} is not translated"
        assert 1 <= len(item["description"]) <= 256
    calls = harness.calls_to("setMyCommands")
    assert sorted(str(c.params.get("language_code", "")) for c in calls) == ["", "ru"]


# --- wiring ----------------------------------------------------------------------------------


async def test_the_bot_calls_the_configured_api_url(database_url: str, services: Services) -> None:
    settings = make_test_settings(database_url, telegram_api_url="http://127.0.0.1:8081/")
    h = BotHarness(
        settings, Services(services.uow_factory, services.clock, services.calendars, settings)
    )
    await h.start()
    try:
        add_first(h, CommandHandler("lang", reply_language))
        await h.send(60, "/lang")
        assert h.calls[0].url == f"http://127.0.0.1:8081/bot{TEST_TOKEN}/getMe"
        assert h.calls_to("sendMessage")[0].url == (
            f"http://127.0.0.1:8081/bot{TEST_TOKEN}/sendMessage"
        )
        assert all(c.url.startswith(f"http://127.0.0.1:8081/bot{TEST_TOKEN}/") for c in h.calls)
    finally:
        await h.close()


async def test_the_harness_echoes_telegram_and_refuses_unknown_methods(
    harness: BotHarness,
) -> None:
    bot = harness.app.bot
    first = await bot.send_message(70, "<b>Plan</b> &amp; more", parse_mode="HTML")
    second = await bot.send_message(70, "two")
    assert (first.message_id, second.message_id) == (1, 2)
    assert harness.sent_texts(70) == ["Plan & more", "two"]
    from telegram.error import BadRequest, NetworkError

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("two", chat_id=70, message_id=2)
    with pytest.raises(NetworkError, match="does not simulate 'sendDice'"):
        await bot.send_dice(70)


async def test_updates_of_one_chat_run_in_order_and_chats_run_in_parallel() -> None:
    processor = PerChatUpdateProcessor(8)
    events: list[str] = []

    def update(chat_id: int, update_id: int) -> Update:
        return Update.de_json(
            {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "date": 0,
                    "chat": {"id": chat_id, "type": "private", "first_name": "x"},
                    "text": "hi",
                },
            },
            None,
        )

    async def work(name: str) -> None:
        events.append(f"start {name}")
        await asyncio.sleep(0.01)
        events.append(f"end {name}")

    await asyncio.gather(
        processor.process_update(update(1, 1), work("a1")),
        processor.process_update(update(1, 2), work("a2")),
        processor.process_update(update(2, 3), work("b1")),
    )
    assert events.index("end a1") < events.index("start a2")  # same chat: one after the other
    assert events.index("start b1") < events.index("end a1")  # other chat: alongside
    assert processor._locks == {}  # nothing left behind


# --- logging and the run command -------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)
    logging.captureWarnings(False)


def test_the_token_is_redacted_from_messages_arguments_and_tracebacks() -> None:
    token = "123456789:AAHsecret-part_XYZ"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter([token, None]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", token)
        logger.warning("encoded: %s", "bot123456789%3AAAHsecret-part_XYZ/getMe")
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{token}/getUpdates")
        except ConnectionError:
            logger.exception("polling failed")
        logger.warning("nothing secret: %d items", 3)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert token not in text
    assert "AAHsecret" not in text
    assert text.count(REDACTED) == 3  # message, argument, exception text
    assert "https://api.telegram.org/bot[REDACTED]/getMe" in text
    assert "nothing secret: 3 items" in text
    assert "ConnectionError" in text  # the traceback is kept, only the secret goes


def test_configure_logging_quietens_http_libraries_and_redacts(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", [TEST_TOKEN], stream=stream)
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert logging.getLogger().level == logging.DEBUG
    logging.getLogger("httpx").info("GET https://api.telegram.org/bot%s/getMe", TEST_TOKEN)
    logging.getLogger("bot.test").info("token %s", TEST_TOKEN)
    text = stream.getvalue()
    assert "getMe" not in text  # httpx INFO is below WARNING
    assert f"token {REDACTED}" in text
    assert TEST_TOKEN not in text


@pytest.mark.parametrize(
    ("language", "phrase"), [("en", "Send /newbot"), ("ru", "Отправьте /newbot")]
)
def test_run_without_a_token_explains_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
    language: str,
    phrase: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DEFAULT_LANGUAGE", language)
    assert run_command(argparse.Namespace()) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err
    assert "https://t.me/BotFather" in err
    assert "export TELEGRAM_BOT_TOKEN=" in err
    assert ".env" in err
    assert phrase in err


def test_the_operator_language_falls_back_to_lang(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DEFAULT_LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert run_command(argparse.Namespace()) == 2
    assert "Как получить токен" in capsys.readouterr().err


async def test_post_init_starts_and_post_shutdown_stops_the_scheduler(
    bot_settings: Any, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.scheduler import runtime

    events: list[str] = []

    def start(services: Any, bot: Any, markup: Any) -> Any:
        events.append("start")
        return runtime.Scheduler(services, BotSender(bot, markup))

    async def stop(scheduler: Any) -> None:
        events.append("stop")

    monkeypatch.setattr(runtime, "start_background", start)
    monkeypatch.setattr(runtime, "stop_background", stop)
    disposed: list[bool] = []
    with_dispose = Services(
        services.uow_factory,
        services.clock,
        services.calendars,
        bot_settings,
        dispose=lambda: disposed.append(True),
    )
    quiet = BotHarness(bot_settings, with_dispose)  # the default: no loops in bot tests
    await quiet.start()
    await quiet.close()
    assert events == []
    h = BotHarness(bot_settings, with_dispose, background=True)
    await h.start()
    assert events == ["start"]
    await h.close()
    assert events == ["start", "stop"]
    assert disposed == [True, True]
