"""The real ``kpi-coach run`` process against the loopback Bot API."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.botapi_stub import BotApiStub
from tests.e2e.conftest import E2E_TOKEN, BotProcess

pytestmark = pytest.mark.e2e

USER = 4242


def test_bot_starts_answers_start_and_stops_gracefully(
    botapi: BotApiStub, start_bot: Callable[..., BotProcess]
) -> None:
    bot = start_bot()
    bot.wait_ready(botapi)

    # It calls {TELEGRAM_API_URL}/bot<token>/<method> and publishes both command menus.
    assert botapi.calls[0].method == "getMe"
    assert botapi.calls[0].url == f"{botapi.url}/bot{E2E_TOKEN}/getMe"
    assert botapi.telegram.commands("ru")
    assert botapi.telegram.commands("")

    update_id = botapi.enqueue_message(USER, "/start", language_code="en")
    reply = botapi.wait_for_call(
        "sendMessage", lambda c: c.params.get("chat_id") == USER, timeout=30
    )
    assert str(reply.params["text"]).strip()
    botapi.wait_confirmed(update_id, timeout=30)

    assert bot.stop() == 0, bot.output()  # SIGTERM is a clean shutdown
    output = bot.output()
    assert E2E_TOKEN not in output
    assert ":" + E2E_TOKEN.split(":")[1] not in output  # not even the secret half


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Send /newbot"), ("ru", "Отправьте /newbot")],
)
def test_run_without_a_token_explains_botfather_and_fails(
    start_bot: Callable[..., BotProcess], language: str, expected: str
) -> None:
    bot = start_bot(TELEGRAM_BOT_TOKEN=None, DEFAULT_LANGUAGE=language)
    assert bot.wait(timeout=60) == 2
    output = bot.output()
    assert "@BotFather" in output
    assert "https://t.me/BotFather" in output
    assert "export TELEGRAM_BOT_TOKEN=" in output
    assert expected in output
    if language == "ru":
        assert "Send /newbot" not in output  # translated, not the English fallback


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post_update(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", json.dumps(update).encode(), headers, method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0  # not listening yet


def test_webhook_mode_checks_the_secret_and_accepts_a_retried_update(
    botapi: BotApiStub, start_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    port, secret = _free_port(), "e2e-webhook-secret"
    bot = start_bot(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=secret,
    )
    call = botapi.wait_for_call("setWebhook", timeout=30, since=0)
    assert call.params["url"] == f"http://127.0.0.1:{port}/telegram"
    assert call.params["secret_token"] == secret
    update = {
        "update_id": 9001,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "E"},
            "from": {"id": USER, "is_bot": False, "first_name": "E", "language_code": "en"},
            "text": "hello",
        },
    }
    deadline = time.monotonic() + 30
    while (status := _post_update(port, update, "wrong")) not in (403,):
        assert time.monotonic() < deadline, f"webhook not listening ({status}):\n{bot.output()}"
        time.sleep(0.2)
    assert _post_update(port, update, secret) == 200
    assert _post_update(port, update, secret) == 200  # Telegram retried it

    database = tmp_path / "e2e.sqlite3"
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(database) as conn:
            rows = conn.execute(
                "SELECT update_id FROM processed_updates WHERE update_id = 9001"
            ).fetchall()
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert rows == [(9001,)]
    assert bot.stop() == 0, bot.output()
    assert secret not in bot.output()
    assert E2E_TOKEN not in bot.output()
