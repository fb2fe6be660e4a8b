"""A loopback stand-in for the Telegram Bot API, for end-to-end tests of the real process.

Standard library only (``http.server`` in a background thread), bound to 127.0.0.1 on a free
port. It speaks the Bot API's HTTP contract: ``POST/GET /bot<token>/<method>`` with
form-encoded, JSON or multipart bodies; answers ``{"ok": true, "result": ...}``; a wrong token
gets 401 ``Unauthorized`` and an unknown method 404, like the real server. Chats, message ids,
edits and command menus are simulated by ``tests.bot.harness.FakeTelegram`` (the same fake the
in-process harness uses). ``getUpdates`` does real long polling: it waits up to ``timeout``
seconds for updates with ``update_id >= offset``; a higher ``offset`` confirms (drops) older ones.

Usage::

    with BotApiStub(token="123:TEST") as api:
        env["TELEGRAM_API_URL"] = api.url          # http://127.0.0.1:<port>
        ...start the bot process...
        api.enqueue_message(42, "/start", language_code="ru")
        call = api.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 42)
        api.enqueue_callback(42, "ob:role:sales")  # presses a button on the last bot message
        api.wait_for_call("editMessageText")       # calls since the last enqueue_* by default

API:

- ``url``, ``token``; ``start()``/``stop()`` or use it as a context manager.
- ``enqueue_update(update_json) -> update_id`` (id filled in when missing);
  ``enqueue_message(user_id, text, language_code="en", chat_id=None)``;
  ``enqueue_callback(user_id, data, message_id=None, chat_id=None)`` (default: the bot's last
  message in the chat); ``enqueue_location(user_id, lat, lon)``.
- ``calls`` (list of ``ApiCall(method, params, url, files)``), ``calls_to(method)``,
  ``mark() -> int`` (current number of calls).
- ``wait_for_call(method, predicate=None, timeout=10.0, since=None) -> ApiCall``: the first
  matching call at index ``>= since`` (default: since the last ``enqueue_*``; ``0`` = ever);
  raises ``TimeoutError`` listing the calls seen.
- ``wait_confirmed(update_id, timeout)``: until the bot confirmed the update (offset passed it).
- ``fail(code, description, chat_id=None, method=None, times=1, retry_after=None)``: scripted
  failures, e.g. ``fail(429, "Too Many Requests: retry after 2", method="sendMessage",
  retry_after=2)`` or ``fail(403, "Forbidden: bot was blocked by the user", chat_id=42,
  times=None)``; ``clear_failures()``.
- ``messages(chat_id)``, ``last_message(chat_id)``: the bot's messages as Telegram holds them;
  ``telegram`` is the underlying :class:`~tests.bot.harness.FakeTelegram`.

Params are decoded as Telegram would: integer fields become ``int``, JSON fields
(``reply_markup``, ``commands``, ``scope``, ...) become dicts/lists, the rest stay strings.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.bot.harness import ApiCall, BotMessage, FakeTelegram, UnexpectedApiCall

JSON = dict[str, Any]

INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "from_chat_id",
        "max_connections",
    }
)
"""Fields decoded as integers when they look like one (``@channel`` chat ids stay strings)."""
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "allowed_updates",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "media",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "is_disabled",
        "latitude",
        "longitude",
        "allow_sending_without_reply",
    }
)
"""Fields whose form value is JSON (objects, arrays, booleans, floats)."""


def decode_form(fields: dict[str, str]) -> JSON:
    """Decode form/multipart values the way the Bot API interprets them."""
    params: JSON = {}
    for key, value in fields.items():
        if key in INT_FIELDS:
            try:
                params[key] = int(value)
                continue
            except ValueError:
                pass
        if key in JSON_FIELDS:
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


class BotApiStub:
    """A Bot API server on 127.0.0.1 for one test; see the module docstring."""

    def __init__(self, token: str = "123:TEST", *, bot_username: str = "kpi_coach_e2e_bot") -> None:
        self.token = token
        self.telegram = FakeTelegram(token, bot_username=bot_username)
        self._lock = threading.Condition()
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._confirmed_below = 0
        self._enqueue_mark = 0
        self._callback_ids = 0
        self._stopping = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL to use as TELEGRAM_API_URL."""
        assert self._server is not None, "the stub is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> BotApiStub:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        stub = self

        class Handler(_Handler):
            owner = stub

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="botapi-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake long polls and shut the server down."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BotApiStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # updates --------------------------------------------------------------------------------------
    def enqueue_update(self, update: JSON) -> int:
        """Queue a raw update for ``getUpdates``; return its ``update_id``."""
        with self._lock:
            data = dict(update)
            if "update_id" not in data:
                data["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(data["update_id"])) + 1
            self._updates.append(data)
            self._enqueue_mark = len(self.telegram.calls)
            self._lock.notify_all()
            return int(data["update_id"])

    def _user(self, user_id: int, language_code: str | None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int) -> JSON:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def _incoming(self, user_id: int, chat_id: int | None, language_code: str | None) -> JSON:
        chat = chat_id if chat_id is not None else user_id
        with self._lock:
            message_id = self.telegram.next_message_id(chat)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat),
            "from": self._user(user_id, language_code),
        }

    def enqueue_message(
        self, user_id: int, text: str, language_code: str | None = "en", chat_id: int | None = None
    ) -> int:
        """Queue a text message (``/commands`` get a ``bot_command`` entity)."""
        message = self._incoming(user_id, chat_id, language_code)
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.enqueue_update({"message": message})

    def enqueue_location(
        self, user_id: int, lat: float, lon: float, language_code: str | None = "en"
    ) -> int:
        """Queue a location message."""
        message = self._incoming(user_id, None, language_code)
        message["location"] = {"latitude": lat, "longitude": lon}
        return self.enqueue_update({"message": message})

    def enqueue_callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> int:
        """Queue a button press on a bot message (default: its last message in the chat)."""
        chat = chat_id if chat_id is not None else user_id
        with self._lock:
            if message_id is None:
                message = self.last_message(chat)
            else:
                found = self.telegram.message(chat, message_id)
                assert found is not None, f"no bot message {message_id} in chat {chat}"
                message = found
            message_json = self.telegram.message_json(message)
            self._callback_ids += 1
            query_id = f"cbq-{self._callback_ids}"
        return self.enqueue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, language_code),
                    "chat_instance": f"ci-{chat}",
                    "message": message_json,
                    "data": data,
                }
            }
        )

    def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed ``update_id`` (asked for an offset above it)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._confirmed_below <= update_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"update {update_id} was not confirmed in {timeout}s")
                self._lock.wait(remaining)

    def _get_updates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 50)
        with self._lock:
            if offset > 0:
                self._confirmed_below = max(self._confirmed_below, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._lock.notify_all()
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._stopping:
                    return ready
                self._lock.wait(remaining)

    # calls ----------------------------------------------------------------------------------------
    def _handle(self, url: str, params: JSON, files: tuple[str, ...]) -> tuple[int, bytes]:
        method = url.rpartition("/")[2]
        if method == "getUpdates" and url.rpartition("/")[0].endswith("/bot" + self.token):
            with self._lock:
                code, body = self.telegram.handle(url, params, files)  # records, scripted failures
                self._lock.notify_all()
            if code != 200:
                return code, body
            updates = self._get_updates(params)
            return 200, json.dumps({"ok": True, "result": updates}).encode()
        with self._lock:
            try:
                code, body = self.telegram.handle(url, params, files)
            except UnexpectedApiCall:
                code, body = (
                    404,
                    json.dumps(
                        {
                            "ok": False,
                            "error_code": 404,
                            "description": "Not Found: method not found",
                        }
                    ).encode(),
                )
            self._lock.notify_all()
        return code, body

    @property
    def calls(self) -> list[ApiCall]:
        """Every request received, in order."""
        with self._lock:
            return list(self.telegram.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Requests of one method."""
        return [c for c in self.calls if c.method == method]

    def mark(self) -> int:
        """The number of calls so far (use as ``since=`` in :meth:`wait_for_call`)."""
        with self._lock:
            return len(self.telegram.calls)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 10.0,
        since: int | None = None,
    ) -> ApiCall:
        """Wait for a matching call at index ``>= since`` (default: since the last enqueue)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            start = self._enqueue_mark if since is None else since
            while True:
                for call in self.telegram.calls[start:]:
                    if call.method == method and (predicate is None or predicate(call)):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.params) for c in self.telegram.calls[start:]]
                    raise TimeoutError(f"no {method} call within {timeout}s; calls seen: {seen}")
                self._lock.wait(min(remaining, 0.5))

    def fail(
        self,
        code: int,
        description: str,
        *,
        chat_id: int | None = None,
        method: str | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
    ) -> None:
        """Script failures like Telegram's (see ``FakeTelegram.fail``)."""
        with self._lock:
            self.telegram.fail(
                code,
                description,
                chat_id=chat_id,
                method=method,
                times=times,
                retry_after=retry_after,
            )

    def clear_failures(self) -> None:
        """Forget scripted failures."""
        with self._lock:
            self.telegram.clear_failures()

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, as Telegram holds them now."""
        with self._lock:
            return self.telegram.messages(chat_id)

    def last_message(self, chat_id: int) -> BotMessage:
        """The bot's newest message in a chat."""
        messages = self.messages(chat_id)
        assert messages, f"the bot has no message in chat {chat_id}"
        return messages[-1]


class _Handler(BaseHTTPRequestHandler):
    owner: BotApiStub
    protocol_version = "HTTP/1.1"
    server_version = "BotApiStub/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet (the URL contains the token)."""

    def _fields(self) -> tuple[dict[str, str], tuple[str, ...]]:
        query = dict(parse_qsl(urlsplit(self.path).query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if not body:
            return query, ()
        if ctype.startswith("application/json"):
            loaded = json.loads(body or b"{}")
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}, ()
        if ctype.startswith("multipart/form-data"):
            header = f"Content-Type: {ctype}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(header + body)
            fields: dict[str, str] = dict(query)
            files: list[str] = []
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                if part.get_filename() is not None:
                    files.append(name)
                else:
                    payload = part.get_payload(decode=True)
                    fields[name] = payload.decode() if isinstance(payload, bytes) else ""
            return fields, tuple(files)
        return {**query, **dict(parse_qsl(body.decode(), keep_blank_values=True))}, ()

    def _reply(self, code: int, body: bytes) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The bot gave up on a long poll (it is stopping); Telegram would not care either.
            self.close_connection = True

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        if not path.startswith("/bot") or path.count("/") != 2:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            self._reply(404, json.dumps(body).encode())
            return
        fields, files = self._fields()
        url = f"http://{self.headers.get('Host', '127.0.0.1')}{path}"
        code, body_bytes = self.owner._handle(url, decode_form(fields), files)
        self._reply(code, body_bytes)

    do_GET = _serve
    do_POST = _serve
