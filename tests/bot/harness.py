"""A real test client for the bot: real ``Application``, real ``Update`` objects, no network.

``OfflineRequest`` is a ``telegram.request.BaseRequest`` that never touches the network; its
Bot API is ``FakeTelegram`` (also behind the e2e HTTP stub). It records every Bot API call and
answers like the Bot API would (``getMe`` → the bot user;
``sendMessage``/``editMessageText``/``editMessageReplyMarkup`` → a ``Message`` with a message id
per chat, text and inline keyboard echoed; "message is not modified" / "message to edit not
found" as 400s, like Telegram). An unknown method fails loudly.

``BotHarness`` builds the production application with ``build_application`` and that request,
initialises it, runs ``post_init`` (command menus) and feeds it updates through
``app.process_update`` - the same path polling uses.

Use it through the ``harness`` fixture of ``tests/bot/conftest.py`` (fresh SQLite file database
with migrations applied, a ``ManualClock`` at ``h.clock``, the holidays calendar)::

    async def test_start(harness: BotHarness) -> None:
        await harness.send(42, "/start", language_code="ru")
        assert "KPI" in harness.last_message(42).text
        await harness.press(42, harness.last_buttons(42)[0][0][1])   # first button's data
        await harness.click(42, "Sales manager")                    # or press by its label
        await harness.restart()                                     # new Application, same DB
        await harness.send(42, "12")

Sending (user ids are positive; a private chat's id is the user's id; update ids increase
automatically; ``language_code`` defaults to "en", ``None`` leaves it out):

- ``await h.send(user_id, text, language_code="en", chat_id=None)`` - a text message;
  ``/commands`` get a ``bot_command`` entity. A negative ``chat_id`` makes it a group message.
- ``await h.send_group(chat_id, user_id, text, title="Team")`` - the same, in a group.
- ``await h.press(user_id, data, message_id=None, chat_id=None)`` - a callback query for the
  bot's message ``message_id`` (default: the last bot message in the chat).
- ``await h.click(user_id, label, chat_id=None)`` - press the button labelled ``label`` on the
  last bot message (AssertionError listing the labels when there is no such button).
- ``await h.share_location(user_id, lat, lon)`` - a location message.
- ``await h.bot_added_to_group(chat_id, by_user_id, title="Team")`` - ``my_chat_member`` plus
  the ``new_chat_members`` service message, as Telegram sends them.
- ``await h.process(update_dict)`` - any raw update JSON (``update_id`` filled in if missing).

Every ``send``/``press``/... returns the ``telegram.Update`` it processed. If a handler raised
(the error reached the error handler), the call re-raises that exception so your test fails with
the real traceback; set ``h.raise_errors = False`` to test error handling. ``h.errors`` lists
every error seen.

Reading what the bot did:

- ``h.calls`` - every ``ApiCall(method, params, url, files)`` since the last ``h.clear()``;
  ``params`` are decoded (``reply_markup`` is a dict). ``h.calls_to("sendMessage")`` filters.
- ``h.sent_texts(chat_id)`` - texts of ``sendMessage`` calls to the chat, in order (HTML tags
  removed when ``parse_mode="HTML"``, i.e. what the user reads).
- ``h.last_message(chat_id)`` - the bot's newest message in the chat as Telegram holds it now
  (after edits): ``BotMessage(message_id, text, buttons, ...)``; AssertionError if none.
- ``h.last_buttons(chat_id)`` - that message's inline keyboard as rows of
  ``(text, callback_data)`` (``url`` for link buttons); ``[]`` when it has none.
- ``h.messages(chat_id)`` - every bot message still in the chat (deleted ones are gone).
- ``h.clear()`` - forget recorded calls (Telegram's view of the chats is kept).

Background loops: ``post_init`` publishes the menus but, by default, does not start the scheduler
loops (``bot.scheduler.runtime.start_background``), so that nothing is sent behind a test's back;
``BotHarness(..., background=True)`` starts them, or drive the planner/dispatcher directly.

Lifecycle: ``await h.restart()`` shuts the application down and builds a NEW one on the same
database and the same (simulated) Telegram - proof that state lives in the database.
``await h.close()`` shuts down (the fixture does it for you).

Scripted failures (e.g. to test 403/429 handling): ``h.request.fail(code=403,
description="Forbidden: bot was blocked by the user", chat_id=42, method="sendMessage",
times=1, retry_after=None)``. Note that ``app.bot`` has PTB's AIORateLimiter, which itself
retries a 429 up to 5 times, sleeping ``retry_after`` seconds each time, before ``RetryAfter``
reaches the caller (``rate_limit_args=1`` on a bot method lowers it to one retry; PTB reads 0 as
"the default"). Extra methods: ``h.request.responders["sendPoll"] = fn`` where
``fn(params) -> result`` returns the ``result`` JSON.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings
from bot.telegram.app import BotApplication, build_application
from bot.telegram.context import BotContext, Services

BOT_ID = 777000111
BOT_USERNAME = "kpi_coach_test_bot"
TEST_TOKEN = f"{BOT_ID}:OFFLINE-TEST-TOKEN"

JSON = dict[str, Any]
_TAG = re.compile(r"<[^>]+>")


class UnexpectedApiCall(AssertionError):
    """The bot called a Bot API method the offline request does not know."""


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the server would receive it."""

    method: str
    params: JSON
    url: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as Telegram currently holds it."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: JSON | None = None
    kind: str = "text"  # "text", "photo", "document", "location"
    edited: bool = False

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """The inline keyboard as rows of ``(text, callback_data or url)``."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b["text"], b.get("callback_data", b.get("url"))) for b in row] for row in rows]


@dataclass
class _Failure:
    code: int
    description: str
    chat_id: int | None
    method: str | None
    times: int | None
    retry_after: int | None


def _visible(text: str, parse_mode: object) -> str:
    """What the user reads: HTML markup removed (Telegram parses it)."""
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        return html.unescape(_TAG.sub("", text))
    return text


def _chat_json(chat_id: int, title: str | None = None) -> JSON:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": title or f"Group {chat_id}"}


class FakeTelegram:
    """Telegram's side of the Bot API, in memory: chats, message ids, command menus, failures.

    Shared by :class:`OfflineRequest` (in-process tests) and ``tests/e2e/botapi_stub.py`` (the
    loopback HTTP server). Not thread-safe by itself; the HTTP stub serialises calls.
    """

    def __init__(
        self,
        token: str = TEST_TOKEN,
        *,
        now: Callable[[], datetime] | None = None,
        bot_username: str = BOT_USERNAME,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self._now = now or (lambda: datetime.now(UTC))
        self.calls: list[ApiCall] = []
        self.responders: dict[str, Callable[[JSON], Any]] = {}
        self._failures: list[_Failure] = []
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[int, dict[int, BotMessage]] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self.files: dict[str, bytes] = {}
        """Files people sent, by ``file_id``: ``getFile`` describes them, a download gets them."""

    def handle(self, url: str, params: JSON, files: tuple[str, ...] = ()) -> tuple[int, bytes]:
        """Answer one request to ``url`` (``.../bot<token>/<method>``): HTTP status and body.

        Raises:
            UnexpectedApiCall: for a method this fake does not simulate.
        """
        prefix, _, api_method = url.rpartition("/")
        self.calls.append(ApiCall(api_method, params, url, files))
        if not prefix.endswith("/bot" + self.token):
            return self._error(401, "Unauthorized")
        failure = self._scripted_failure(api_method, params)
        if failure is not None:
            return failure
        try:
            result = self._answer(api_method, params, files)
        except _BadRequest as exc:
            return self._error(400, f"Bad Request: {exc}")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # scripting ----------------------------------------------------------------------------
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
        """Make the next matching call(s) fail like Telegram (``times=None``: until cleared).

        Examples: ``fail(403, "Forbidden: bot was blocked by the user", chat_id=42)``;
        ``fail(429, "Too Many Requests: retry after 1", retry_after=1)``.
        """
        self._failures.append(_Failure(code, description, chat_id, method, times, retry_after))

    def clear_failures(self) -> None:
        """Forget every scripted failure."""
        self._failures.clear()

    def _scripted_failure(self, method: str, params: JSON) -> tuple[int, bytes] | None:
        for failure in self._failures:
            if failure.method is not None and failure.method != method:
                continue
            if failure.chat_id is not None and _as_int(params.get("chat_id")) != failure.chat_id:
                continue
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return self._error(failure.code, failure.description, extra)
        return None

    @staticmethod
    def _error(code: int, description: str, parameters: JSON | None = None) -> tuple[int, bytes]:
        body: JSON = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return code, json.dumps(body).encode()

    # Telegram's side of the chats -----------------------------------------------------------
    def bot_user(self) -> JSON:
        """The ``User`` JSON of the bot (``getMe``)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "KPI Coach",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def next_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by both sides, as in Telegram."""
        value = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = value
        return value

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages still in the chat, oldest first."""
        return sorted(self._messages.get(chat_id, {}).values(), key=lambda m: m.message_id)

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """One bot message, if it exists."""
        return self._messages.get(chat_id, {}).get(message_id)

    def commands(self, language_code: str = "", scope: str = "default") -> list[JSON]:
        """The command menu set with ``setMyCommands`` for a language ("" = default)."""
        return self._commands.get((scope, language_code), [])

    def message_json(self, message: BotMessage) -> JSON:
        """The ``Message`` JSON Telegram would return for ``message``."""
        data: JSON = {
            "message_id": message.message_id,
            "date": int(self._now().timestamp()),
            "chat": _chat_json(message.chat_id),
            "from": self.bot_user(),
        }
        if message.kind == "text":
            data["text"] = message.text
        elif message.kind == "photo":
            data["photo"] = [
                {"file_id": "photo-1", "file_unique_id": "p1", "width": 800, "height": 600}
            ]
        elif message.kind == "document":
            data["document"] = {"file_id": "doc-1", "file_unique_id": "d1"}
        if message.kind != "text" and message.text:
            data["caption"] = message.text
        if message.edited:
            data["edit_date"] = int(self._now().timestamp())
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards only
        return data

    def _store(self, message: BotMessage) -> JSON:
        self._messages.setdefault(message.chat_id, {})[message.message_id] = message
        return self.message_json(message)

    def _existing(self, params: JSON) -> BotMessage:
        if "inline_message_id" in params:
            raise _BadRequest("inline messages are not simulated")
        found = self.message(_chat_id(params), _as_int(params.get("message_id")) or 0)
        if found is None:
            raise _BadRequest("message to edit not found")
        return found

    def _answer(self, method: str, params: JSON, files: tuple[str, ...]) -> Any:
        if method in self.responders:
            return self.responders[method](params)
        if method == "getMe":
            return self.bot_user()
        if method in _TRUE_METHODS:
            if method == "setMyCommands":
                self._commands[_commands_key(params)] = list(params.get("commands", []))
            elif method == "deleteMyCommands":
                self._commands.pop(_commands_key(params), None)
            elif method == "deleteMessage":
                chat = self._messages.get(_chat_id(params), {})
                if chat.pop(_as_int(params.get("message_id")) or 0, None) is None:
                    raise _BadRequest("message to delete not found")
            return True
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                raise _BadRequest("invalid file_id")
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(self.files[file_id]), "file_path": f"documents/{file_id}"}
        if method == "getMyCommands":
            return self._commands.get(_commands_key(params), [])
        if method == "getUpdates":
            return []
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("sendMessage", "sendPhoto", "sendDocument", "sendLocation"):
            chat_id = _chat_id(params)
            kind = {"sendPhoto": "photo", "sendDocument": "document", "sendLocation": "location"}
            text = params.get("text", params.get("caption", ""))
            if method == "sendMessage" and not str(text).strip():
                raise _BadRequest("message text is empty")
            message = BotMessage(
                chat_id=chat_id,
                message_id=self.next_message_id(chat_id),
                text=_visible(str(text), params.get("parse_mode")),
                reply_markup=params.get("reply_markup"),
                kind=kind.get(method, "text"),
            )
            return self._store(message)
        if method in ("editMessageText", "editMessageCaption"):
            old = self._existing(params)
            text = _visible(
                str(params.get("text", params.get("caption", ""))), params.get("parse_mode")
            )
            markup = params.get("reply_markup")
            if text == old.text and markup == old.reply_markup:
                raise _BadRequest(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            return self._store(replace(old, text=text, reply_markup=markup, edited=True))
        if method == "editMessageReplyMarkup":
            old = self._existing(params)
            markup = params.get("reply_markup")
            if markup == old.reply_markup or (not markup and not old.reply_markup):
                raise _BadRequest(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            return self._store(replace(old, reply_markup=markup, edited=True))
        raise UnexpectedApiCall(
            f"OfflineRequest does not simulate {method!r} (params={params!r}); "
            f"add a responder: request.responders[{method!r}] = lambda params: ..."
        )


class _BadRequest(Exception):
    pass


_TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "deleteMessage",
        "setChatMenuButton",
        "deleteWebhook",
        "sendChatAction",
        "setWebhook",
        "setMyDescription",
        "setMyShortDescription",
        "leaveChat",
    }
)


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def _chat_id(params: JSON) -> int:
    chat_id = _as_int(params.get("chat_id"))
    if chat_id is None:
        raise _BadRequest("chat not found")
    return chat_id


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {}
    return (str(scope.get("type", "default")), str(params.get("language_code") or ""))


class OfflineRequest(FakeTelegram, BaseRequest):
    """A ``BaseRequest`` whose Bot API is a :class:`FakeTelegram`: it never touches the network."""

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request in memory (``params`` as Telegram would decode them)."""
        marker = "/documents/"  # PTB quotes the token in file URLs: ":" becomes "%3A"
        if method == "GET" and f"/file/bot{quote(self.token)}{marker}" in url:  # a download
            found = self.files.get(url.split(marker, 1)[1])

            return (200, found) if found is not None else (404, b"Not Found")
        params: JSON = dict(request_data.parameters) if request_data else {}
        files: tuple[str, ...] = ()
        if request_data is not None and request_data.contains_files:
            files = tuple(request_data.multipart_data)
        return self.handle(url, params, files)


class BotHarness:
    """Drives the real application with offline updates; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        *,
        request: OfflineRequest | None = None,
        clock: Any = None,
        background: bool = False,
    ) -> None:
        self.settings = settings
        self.services = services
        self.clock = clock if clock is not None else services.clock
        self.request = request or OfflineRequest(
            settings.telegram_bot_token.get_secret_value()
            if settings.telegram_bot_token
            else TEST_TOKEN,
            now=self.services.clock.now,
        )
        self.background = background
        self.raise_errors = True
        self.errors: list[BaseException] = []
        self._app: BotApplication | None = None
        self._next_update_id = 1000
        self._next_callback_id = 1

    # lifecycle ------------------------------------------------------------------------------
    @property
    def app(self) -> BotApplication:
        """The running application."""
        assert self._app is not None, "the harness is not started"
        return self._app

    @property
    def bot_id(self) -> int:
        """The bot's user id."""
        return self.request.bot_id

    async def start(self) -> BotHarness:
        """Build and initialise a new application, then run its ``post_init``."""
        app = build_application(
            self.settings, self.services, request=self.request, run_background=self.background
        )
        app.add_error_handler(self._record_error)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        self._app = app
        return self

    async def close(self) -> None:
        """Run ``post_shutdown`` and shut the application down."""
        app, self._app = self._app, None
        if app is None:
            return
        await self._settle(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)

    async def restart(self) -> None:
        """Shut down and start a NEW application on the same database and Telegram."""
        await self.close()
        await self.start()

    async def _record_error(self, update: object, context: BotContext) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    @staticmethod
    async def _settle(app: BotApplication) -> None:
        # Handlers with block=False and error handlers run as tasks: wait for them.
        tasks: set[asyncio.Task[Any]] = getattr(app, "_Application__create_task_tasks", set())
        while pending := [t for t in tasks if not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    # sending updates --------------------------------------------------------------------------
    def _new_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id

    def _now(self) -> int:
        return int(self.services.clock.now().timestamp())

    @staticmethod
    def user_json(
        user_id: int, language_code: str | None = "en", first_name: str | None = None
    ) -> JSON:
        """The ``User`` JSON of a person."""
        data: JSON = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
        if language_code is not None:
            data["language_code"] = language_code
        return data

    async def process(self, update: JSON) -> Update:
        """Process one raw update (JSON as Telegram sends it) through the application."""
        data = dict(update)
        data.setdefault("update_id", self._new_update_id())
        tg_update = Update.de_json(data, self.app.bot)
        seen = len(self.errors)
        await self.app.process_update(tg_update)
        await self._settle(self.app)
        if self.raise_errors and len(self.errors) > seen:
            raise self.errors[seen]
        return tg_update

    def _message(
        self,
        user_id: int,
        chat_id: int | None,
        language_code: str | None,
        title: str | None,
        **content: Any,
    ) -> JSON:
        chat = chat_id if chat_id is not None else user_id
        return {
            "message_id": self.request.next_message_id(chat),
            "date": self._now(),
            "chat": _chat_json(chat, title),
            "from": self.user_json(user_id, language_code),
            **content,
        }

    async def send(
        self,
        user_id: int,
        text: str,
        language_code: str | None = "en",
        chat_id: int | None = None,
        *,
        title: str | None = None,
    ) -> Update:
        """A text message from ``user_id`` (private chat unless ``chat_id`` is a group)."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.process(
            {"message": self._message(user_id, chat_id, language_code, title, **content)}
        )

    async def send_group(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        language_code: str | None = "en",
        *,
        title: str = "Team",
    ) -> Update:
        """A text message in a group chat (``chat_id`` must be negative)."""
        assert chat_id < 0, "group chat ids are negative"
        return await self.send(user_id, text, language_code, chat_id, title=title)

    async def share_location(
        self,
        user_id: int,
        lat: float,
        lon: float,
        language_code: str | None = "en",
        chat_id: int | None = None,
    ) -> Update:
        """A location message (e.g. from a "Share location" reply-keyboard button)."""
        location = {"latitude": lat, "longitude": lon}
        return await self.process(
            {"message": self._message(user_id, chat_id, language_code, None, location=location)}
        )

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        language_code: str | None = "en",
        *,
        file_size: int | None = None,
    ) -> Update:
        """A document (a file) in the private chat; ``file_size`` defaults to ``len(data)`` (a
        bigger one pretends the file is that big, as Telegram reports it before any download)."""
        file_id = f"doc-{len(self.request.files) + 1}"
        self.request.files[file_id] = data
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": file_name,
                    "file_size": len(data) if file_size is None else file_size}
        return await self.process(
            {"message": self._message(user_id, None, language_code, None, document=document)}
        )

    async def press(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> Update:
        """Press an inline button with ``data`` on a bot message (default: the last one)."""
        chat = chat_id if chat_id is not None else user_id
        message = (
            self.request.message(chat, message_id) if message_id is not None else self._last(chat)
        )
        if message is None:  # a message Telegram no longer shows; still deliverable
            assert message_id is not None
            message_json: JSON = {
                "message_id": message_id,
                "date": self._now(),
                "chat": _chat_json(chat),
                "from": self.request.bot_user(),
                "text": "",
            }
        else:
            message_json = self.request.message_json(message)
        query = {
            "id": str(self._next_callback_id),
            "from": self.user_json(user_id, language_code),
            "chat_instance": f"ci-{chat}",
            "message": message_json,
            "data": data,
        }
        self._next_callback_id += 1
        return await self.process({"callback_query": query})

    async def click(
        self,
        user_id: int,
        label: str,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> Update:
        """Press the button labelled ``label`` on the bot's last message in the chat."""
        chat = chat_id if chat_id is not None else user_id
        message = self._last(chat)
        for row in message.buttons:
            for text, data in row:
                if text == label:
                    assert data is not None, f"{label!r} is not a callback button"
                    return await self.press(user_id, data, message.message_id, chat, language_code)
        labels = [text for row in message.buttons for text, _ in row]
        raise AssertionError(f"no button {label!r} on the last message; buttons: {labels}")

    async def bot_added_to_group(
        self,
        chat_id: int,
        by_user_id: int,
        title: str = "Team",
        language_code: str | None = "en",
    ) -> Update:
        """Telegram's two updates when someone adds the bot to a group; returns the second."""
        chat = _chat_json(chat_id, title)
        bot = self.request.bot_user()
        await self.process(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": self.user_json(by_user_id, language_code),
                    "date": self._now(),
                    "old_chat_member": {"status": "left", "user": bot},
                    "new_chat_member": {"status": "member", "user": bot},
                }
            }
        )
        return await self.process(
            {
                "message": self._message(
                    by_user_id, chat_id, language_code, title, new_chat_members=[bot]
                )
            }
        )

    # reading ----------------------------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call since the last :meth:`clear`."""
        return self.request.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one Bot API method."""
        return [c for c in self.request.calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls (Telegram's copy of the chats is kept)."""
        self.request.calls.clear()

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts of ``sendMessage`` calls to ``chat_id`` since the last clear, in order."""
        return [
            _visible(str(c.params.get("text", "")), c.params.get("parse_mode"))
            for c in self.calls_to("sendMessage")
            if _as_int(c.params.get("chat_id")) == chat_id
        ]

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages still in the chat, oldest first (edits applied)."""
        return self.request.messages(chat_id)

    def _last(self, chat_id: int) -> BotMessage:
        messages = self.request.messages(chat_id)
        assert messages, f"the bot has no message in chat {chat_id}"
        return messages[-1]

    def last_message(self, chat_id: int) -> BotMessage:
        """The bot's newest message in the chat, as it looks now."""
        return self._last(chat_id)

    def last_buttons(self, chat_id: int) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard of the newest bot message: rows of ``(text, callback_data)``."""
        return self._last(chat_id).buttons

    def button_labels(self, chat_id: int) -> list[str]:
        """All button labels of the newest bot message, flattened."""
        return [text for row in self.last_buttons(chat_id) for text, _ in row]


def texts(calls: Iterable[ApiCall]) -> list[str]:
    """The ``text`` parameter of each call (helper for assertions)."""
    return [str(c.params.get("text", "")) for c in calls]
