"""A fake Telegram Bot API server for end-to-end tests.

Why it exists: the bot must be tested the way Telegram sees it - real HTTP, the exact
encoding python-telegram-bot uses, Telegram's error codes and answers - on a machine with
no internet. The real bot is pointed at this server with ``base_url`` /
``base_file_url``; tests then play the users (send texts, press buttons) and read what the
bot sent, and can make Telegram misbehave (429, 5xx, blocked users, resets, stalls).

Everything here runs on the event loop that started the server: call its methods from
that loop only (pytest-asyncio tests do). Waiting helpers are driven by one "something
changed" event, so a check and the wait that follows it can never miss a change; they
also re-check on a short interval, for conditions on state the fake does not own.

The fake implements the methods the bot uses, and fails loudly on the rest:
- a method it does not implement answers 404 "Not Found", as Telegram does for an
  unknown method;
- ``parse_mode`` answers 400: the fake does not render markup, so a bot that starts
  using it gets a failing test instead of a silently wrong text;
- only inline keyboards are accepted (and echoed in the returned Message);
- files are sent as uploads or by file_id, not by URL;
- uploaded photos are not decoded: every photo is reported as 1280x960 (and smaller
  copies), whatever its bytes.

Typical use::

    async with FakeBotAPI() as tg:               # 127.0.0.1, ephemeral port
        bot = Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url)
        tg.send_text(42, "/start")               # user 42 types /start
        msg = await tg.wait_for_message(42)      # the bot's next message to chat 42
        tg.press_button(42, msg, "Yes")          # taps the inline button labelled Yes
        tg.fail("sendMessage", 429, retry_after=1)   # the next send is rate limited
        held = tg.hold("sendMessage")                # the next send waits for the test...
        tg.release(held)                             # ...and is answered now
        assert len(tg.delivered(42)) == ...          # deliveries, vs tg.calls(): attempts
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import random
import re
import secrets
import socket
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
ChatKey = int | str

# --------------------------------------------------------------------------- records


class WaitTimeout(AssertionError, TimeoutError):
    """A wait helper gave up; an AssertionError so pytest shows it as a failed expectation."""


class ApiError(Exception):
    """An answer Telegram gives as ``{"ok": false, ...}``; raised inside method handlers."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part, exactly as the client sent it."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (
            f"UploadedFile(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={self.size})"
        )


@dataclass(eq=False)
class Call:
    """One HTTP request to a Bot API method, whatever its outcome (attempts, not deliveries)."""

    method: str
    token: str = field(repr=False)
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float  # time.monotonic() when the request arrived
    http_method: str = "POST"
    encoding: str = "empty"  # "form", "multipart" or "empty" (any other body: no fields)
    status: int | None = None  # HTTP status answered; None while pending, reset or stalled
    response: Any = field(default=None, repr=False)  # the JSON answered, if any
    answered_at: float | None = None  # time.monotonic() when the answer was made
    fault: Fault | None = None  # set when the answer was an injected fault or a block

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> ChatKey | None:
        return _chat_key(self.params.get("chat_id"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (the parsed JSON, not a PTB object)."""
        if isinstance(self.response, dict):
            return self.response.get("result")
        return None


@dataclass(eq=False)
class Fault:
    """An injected failure (or a block): what the client got instead of a normal answer."""

    kind: str  # "429", "500", "502", "http" (other statuses), "reset", "stall", "blocked"
    method: str
    status: int | None  # None for reset / stall: no HTTP answer at all
    description: str | None
    retry_after: int | None
    chat_id: ChatKey | None
    at: float
    call: Call = field(repr=False)


@dataclass(eq=False)
class StoredFile:
    """A file the fake knows by file_id: uploaded bytes, or a placeholder id."""

    file_id: str
    file_unique_id: str
    kind: str  # "voice", "photo", "document" or "sticker"
    file_path: str
    data: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    sizes: list[StoredFile] = field(default_factory=list, repr=False)  # photo variants

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)


@dataclass(eq=False)
class SentMessage:
    """A message the bot delivered to a chat."""

    chat_id: ChatKey
    message_id: int
    kind: str  # "text", "voice", "photo" or "document"
    text: str | None  # the text, or the caption of media
    reply_markup: JSON | None  # the inline keyboard as sent
    method: str
    call: Call = field(repr=False)
    raw: JSON = field(repr=False)  # the Bot API Message as the fake returned it
    file: StoredFile | None = None  # for media: the file (largest size for photos)
    uploaded: bool = False  # True when the bytes came with this request (not a file_id)
    at: float = 0.0

    @property
    def caption(self) -> str | None:
        return None if self.kind == "text" else self.text

    @property
    def buttons(self) -> list[list[JSON]]:
        """Rows of the inline keyboard (empty when there is none)."""
        markup = self.raw.get("reply_markup") or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [str(b.get("text", "")) for row in self.buttons for b in row]

    @property
    def callback_datas(self) -> list[str]:
        return [
            str(b["callback_data"]) for row in self.buttons for b in row if "callback_data" in b
        ]

    def callback_data(self, label: str) -> str:
        """The callback_data of the button labelled ``label`` (exact, else unique substring)."""
        return str(_find_button(self.raw, label)["callback_data"])

    @property
    def data(self) -> bytes | None:
        return None if self.file is None else self.file.data

    @property
    def filename(self) -> str | None:
        return None if self.file is None else self.file.filename


@dataclass(eq=False)
class CallbackPress:
    """A button press sent as a user; ``answer`` fills in when the bot answers the query."""

    id: str
    user_id: int
    chat_id: ChatKey
    message_id: int | None
    data: str
    update: JSON = field(default_factory=dict, repr=False)
    answer: dict[str, Any] | None = None
    answered_at: float | None = None

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook, by deliver_webhook or auto-delivery."""

    url: str
    update_id: int | None
    secret_token: str | None
    status: int | None  # None when the connection failed
    body: str
    error: str | None
    at: float


@dataclass(eq=False)
class FaultRule:
    """A queued failure; consumed in order. ``cancel()`` retires it early."""

    methods: frozenset[str] | None  # None: any method
    kind: str  # "http", "reset" or "stall"
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    chat_id: ChatKey | None = None
    remaining: int | None = 1  # None: forever
    stall_seconds: float = 30.0
    html_body: bool = False
    hits: int = 0
    active: bool = True

    def cancel(self) -> None:
        self.active = False

    def _matches(self, method: str, chat: ChatKey | None) -> bool:
        if not self.active or self.remaining == 0:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        return self.chat_id is None or self.chat_id == chat

    def _consume(self) -> None:
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1


@dataclass(eq=False)
class DelayRule:
    """A queued slow answer (``delay``) or a held one (``hold``, until ``release``)."""

    methods: frozenset[str] | None
    seconds: float
    remaining: int | None = 1
    chat_id: ChatKey | None = None
    hits: int = 0
    active: bool = True
    released: bool = False  # set by FakeBotAPI.release: held calls are answered now

    def cancel(self) -> None:
        self.active = False


@dataclass(eq=False)
class RandomFaults:
    methods: frozenset[str] | None
    p: float
    kinds: tuple[str, ...]
    rng: random.Random = field(repr=False)
    stall_seconds: float = 30.0
    retry_after: int = 1
    hits: int = 0
    active: bool = True

    def cancel(self) -> None:
        self.active = False


# --------------------------------------------------------------------------- constants


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DEFAULT_EXCLUDED_UPDATES = _words("chat_member message_reaction message_reaction_count")
_CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
_MEDIA_KINDS = ("voice", "photo", "document")
# Parameters PTB sends as plain strings; every other one it sends as JSON (json.dumps).
_STRING_FIELDS = _words(
    "text caption parse_mode callback_query_id url secret_token action file_id "
    "language_code ip_address business_connection_id message_effect_id voice photo document"
)
_FILE_PREFIX = {"voice": "AwAC", "photo": "AgAC", "document": "BQAC", "sticker": "CAAC"}
_FILE_DIR = {
    "voice": ("voice", ".oga"),
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "sticker": ("stickers", ".webp"),
}
_PHOTO_SIZE = (1280, 960)  # what every uploaded photo is said to measure
_PHOTO_STEPS = (90, 320, 800)
_MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for a bot's upload; aiohttp answers 413
_BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_NOT_FOUND: JSON = {"ok": False, "error_code": 404, "description": "Not Found"}
# How long a waiting helper waits when the test does not say. Only a guard against a
# hang: on a loaded shared CI machine a reply can take seconds, and a test must fail
# because something did not happen, never because it happened slowly.
WAIT_TIMEOUT = 30.0
# How often wait_for re-checks its predicate when the fake sees no change: a test may
# wait on state outside the fake (a database row, a file), which no change announces.
POLL_INTERVAL = 0.025

_HTTP_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# --------------------------------------------------------------------------- small helpers


def _chat_key(value: Any) -> ChatKey | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text or None


def _normalize(name: str, value: Any) -> Any:
    """Turn a form field back into the value PTB encoded (strings raw, the rest JSON)."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a string PTB sent as is (a chat's @username, say)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _methods_set(methods: str | Iterable[str] | None) -> frozenset[str] | None:
    if methods is None:
        return None
    names = [methods] if isinstance(methods, str) else list(methods)
    if "*" in names:
        return None
    return frozenset(_canonical(m) for m in names)


def _update_type(update: JSON) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _inline_buttons(raw: JSON) -> list[JSON]:
    return [b for row in (raw.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def _find_button(raw: JSON, label: str) -> JSON:
    buttons = _inline_buttons(raw)
    exact = [b for b in buttons if b.get("text") == label]
    if not exact:
        exact = [b for b in buttons if label.casefold() in str(b.get("text", "")).casefold()]
    if len(exact) != 1:
        labels = [b.get("text") for b in buttons]
        found = "no" if not exact else "several"
        raise LookupError(f"{found} button matches {label!r}; buttons: {labels}")
    button: JSON = exact[0]
    if "callback_data" not in button:
        raise LookupError(f"button {label!r} has no callback_data: {button}")
    return button


def _markup_summary(markup: JSON | None) -> str:
    if not markup:
        return ""
    rows = [" | ".join(str(b.get("text")) for b in row) for row in markup["inline_keyboard"]]
    return "  [" + " / ".join(rows) + "]"


def _guess_mime(filename: str | None, fallback: str) -> str:
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    return fallback


def _bot_command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram adds to a text starting with /command[@bot]."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?(?=\s|$)", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]


# --------------------------------------------------------------------------- method names

_HANDLER_NAMES = (
    "getMe",
    "getUpdates",
    "sendMessage",
    "sendVoice",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "answerCallbackQuery",
    "setMyCommands",
    "setWebhook",
    "deleteWebhook",
    "getFile",
)
_CANONICAL = {name.lower(): name for name in _HANDLER_NAMES}


def _canonical(method: str) -> str:
    """Telegram method names are case-insensitive; record them in their documented case."""
    return _CANONICAL.get(method.lower(), method)


def _is_chat_send(method: str) -> bool:
    return method.startswith("send")


# --------------------------------------------------------------------------- the server


class FakeBotAPI:
    """An in-process Telegram Bot API: serves the bot, records everything, plays users."""

    def __init__(
        self,
        *,
        valid_token: str | None = None,
        host: str = "127.0.0.1",
        bot_username: str = "sideglide_test_bot",
        bot_first_name: str = "Side Glide Coach",
    ) -> None:
        self.valid_token = valid_token
        self.host = host
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._instance = secrets.token_hex(3)

        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._internal_errors: list[BaseException] = []

        self._calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = {}
        self._faults: list[Fault] = []
        self._tokens: list[str] = []
        self._downloads: list[str] = []
        self._sent: dict[ChatKey, list[SentMessage]] = {}
        self._all_sent: list[SentMessage] = []
        self._bot_by_id: dict[tuple[ChatKey, int], SentMessage] = {}
        self._user_messages: dict[tuple[ChatKey, int], JSON] = {}
        self._cursors: dict[ChatKey, int] = {}
        self._next_mid: dict[ChatKey, int] = {}
        self._log: dict[ChatKey, list[str]] = {}
        self._users: dict[int, JSON] = {}
        self._chats: dict[ChatKey, JSON] = {}

        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._presses: dict[str, CallbackPress] = {}
        self._query_ids = itertools.count(4_382_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._blocked: set[ChatKey] = set()
        self._rules: list[FaultRule] = []
        self._delays: list[DelayRule] = []
        self._random: list[RandomFaults] = []
        self.webhook = WebhookState()
        self.webhook_deliveries: list[WebhookDelivery] = []

        handlers: dict[str, Callable[[Call], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getFile": self._get_file,
        }
        for kind in _MEDIA_KINDS:
            handlers["send" + kind.capitalize()] = self._media_sender(kind)
        self._handlers = handlers

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port (the one it had, on a restart) and serve."""
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._on_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)
        app.router.add_route("*", "/{tail:.*}", self._on_not_found)
        # access_log=None: request paths contain the token, which must never be logged.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # a restart binds the port it had, so a bot configured with it reconnects
        sock.bind((self.host, self._port or 0))
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        self._closing = False
        self._session = aiohttp.ClientSession()
        self._worker = asyncio.create_task(self._webhook_worker(), name="fakebotapi-webhook")
        return self

    async def stop(self) -> None:
        """Answer pending long polls, stop serving, close the client; safe to call twice."""
        if self._runner is None:
            return
        self._closing = True
        self._bump()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None and self._internal_errors:
            raise RuntimeError("the fake Bot API itself failed") from self._internal_errors[0]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For Bot(base_url=...) / TELEGRAM_BASE_URL: PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tokens(self) -> list[str]:
        """Every distinct token used, in first-use order."""
        return list(self._tokens)

    # ------------------------------------------------------------------ change signalling

    def _bump(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, seconds: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def _sleep(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Sleep that ends early when the server stops (so stop() stays prompt), or as
        soon as ``until()`` is true; ``seconds`` may be infinite."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing and not (until is not None and until()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._wait_change(None if remaining == float("inf") else remaining)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = WAIT_TIMEOUT,
        what: str | Callable[[], str] = "condition",
    ) -> Any:
        """Wait until ``predicate()`` returns something truthy and return it.

        The predicate is re-checked at once after every change the fake sees (calls,
        updates, deliveries...), and every POLL_INTERVAL seconds besides, so it may read
        any state, here or elsewhere (the bot's database, say).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                detail = what() if callable(what) else what
                raise WaitTimeout(f"timed out after {timeout}s waiting for {detail}")
            await self._wait_change(min(remaining, POLL_INTERVAL))

    # ------------------------------------------------------------------ HTTP plumbing

    async def _on_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(_NOT_FOUND, status=404)

    async def _on_file(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if self.valid_token is not None and token != self.valid_token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        self._downloads.append(path)
        self._bump()
        stored = self._files_by_path.get(path)
        if stored is None or stored.data is None:
            return web.json_response(_NOT_FOUND, status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile], str]:
        """The fields of a form or multipart body, as PTB sends them; other bodies carry none."""
        raw: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        encoding = "empty"
        ctype = request.content_type
        if request.body_exists and ctype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = UploadedFile(value.filename, value.content_type, data)
                else:
                    raw[key] = value
            encoding = "multipart" if ctype == "multipart/form-data" else "form"
        else:
            await request.read()
        params = {key: _normalize(key, value) for key, value in raw.items()}
        return params, files, encoding

    def _answer(self, call: Call, status: int, payload: JSON) -> web.Response:
        call.status = status
        call.response = payload
        call.answered_at = time.monotonic()
        self._bump()
        return web.json_response(payload, status=status)

    def _error(self, call: Call, error: ApiError) -> web.Response:
        payload: JSON = {"ok": False, "error_code": error.status, "description": error.description}
        if error.parameters:
            payload["parameters"] = error.parameters
        return self._answer(call, error.status, payload)

    async def _on_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = _canonical(request.match_info["method"])
        at = time.monotonic()
        params, files, encoding = await self._read_params(request)
        call = Call(method, token, params, files, at, request.method, encoding)
        self._calls.append(call)
        self._calls_by_method.setdefault(method, []).append(call)
        if token not in self._tokens:
            self._tokens.append(token)
        self._bump()
        if self.valid_token is not None and token != self.valid_token:
            return self._error(call, ApiError(401, "Unauthorized"))
        handler = self._handlers.get(method)
        if handler is None:  # what Telegram answers for a method it does not know
            return self._answer(call, 404, dict(_NOT_FOUND))
        if params.get("parse_mode"):
            return self._error(
                call,
                ApiError(
                    400,
                    f"Bad Request: parse_mode {params['parse_mode']!r} is not supported by the "
                    "fake Bot API (tests/fakebotapi): it does not render markup",
                ),
            )
        delay = self._take_delay(call)
        if delay is not None:
            await self._sleep(delay.seconds, lambda: delay.released)
        injected = self._take_fault(call)
        if injected is not None:
            return await self._inject(request, call, injected)
        chat = call.chat_id
        if _is_chat_send(method) and chat is not None and chat in self._blocked:
            error = ApiError(403, "Forbidden: bot was blocked by the user")
            self._record_fault(call, "blocked", 403, error.description, None)
            return self._error(call, error)
        try:
            result = await handler(call)
        except ApiError as exc:
            return self._error(call, exc)
        except Exception as exc:  # a bug in the fake: answer, and fail the test on exit
            self._internal_errors.append(exc)
            return self._error(call, ApiError(500, f"Internal Server Error: fake: {exc!r}"))
        return self._answer(call, 200, {"ok": True, "result": result})

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str | Iterable[str],
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Answer the next ``times`` matching calls with a Telegram error (None = forever).

        ``method`` may be a name, a list of names or "*". Rules are consumed in the order
        they were added. The answer is Telegram's shape, e.g. for 429:
        ``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after
        1", "parameters": {"retry_after": 1}}``. PTB raises RetryAfter only when
        retry_after is at least 1.
        """
        if description is None:
            phrase = _HTTP_PHRASES.get(status, "Error")
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429 and retry_after is not None
                else phrase
            )
        rule = FaultRule(
            _methods_set(method),
            "http",
            status=status,
            description=description,
            retry_after=retry_after,
            chat_id=_chat_key(chat_id),
            remaining=times,
        )
        self._rules.append(rule)
        return rule

    def reset(
        self, method: str | Iterable[str], times: int | None = 1, chat_id: ChatKey | None = None
    ) -> FaultRule:
        """Close the connection without any answer (the method is not executed)."""
        rule = FaultRule(
            _methods_set(method), "reset", chat_id=_chat_key(chat_id), remaining=times
        )
        self._rules.append(rule)
        return rule

    def stall(
        self,
        method: str | Iterable[str],
        seconds: float = 30.0,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Hold the request ``seconds`` then drop the connection: a client timeout.

        The method is not executed, so a client retry is not a duplicate.
        """
        rule = FaultRule(
            _methods_set(method),
            "stall",
            chat_id=_chat_key(chat_id),
            remaining=times,
            stall_seconds=seconds,
        )
        self._rules.append(rule)
        return rule

    def delay(
        self,
        method: str | Iterable[str],
        seconds: float,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> DelayRule:
        """Answer the next ``times`` matching calls normally, but ``seconds`` late."""
        rule = DelayRule(_methods_set(method), seconds, times, _chat_key(chat_id))
        self._delays.append(rule)
        return rule

    def hold(
        self,
        method: str | Iterable[str],
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> DelayRule:
        """Keep the next ``times`` matching calls unanswered until ``release(rule)``.

        The call is recorded on arrival (``wait_for_calls`` sees it, ``status`` None) and
        executed normally once released. A test can so act while a request is provably
        in flight, instead of guessing a delay long enough for a slow machine.
        """
        return self.delay(method, float("inf"), times, chat_id)

    def release(self, rule: DelayRule) -> None:
        """Answer now the calls ``rule`` holds (a hold, or a delay cut short); retire it."""
        rule.released = True
        rule.cancel()
        self._bump()

    def fault_rate(
        self,
        methods: str | Iterable[str],
        p: float,
        kinds: Iterable[str] = ("429", "500", "502", "reset", "stall"),
        seed: int | None = None,
        stall_seconds: float = 30.0,
        retry_after: int = 1,
    ) -> RandomFaults:
        """Fail a share ``p`` of matching calls with a random kind (seeded, reproducible).

        Kinds: "429" (with retry_after), any other status code as a string ("500", "503"),
        "502" (an nginx HTML page, as Telegram's front end sends), "reset", "stall".
        Explicit fail/reset/stall rules are checked first.
        """
        kinds_tuple = tuple(kinds)
        for kind in kinds_tuple:
            if kind not in ("reset", "stall") and not kind.isdigit():
                raise ValueError(f"unknown fault kind {kind!r}")
        rule = RandomFaults(
            _methods_set(methods),
            p,
            kinds_tuple,
            random.Random(seed),
            stall_seconds,
            retry_after,
        )
        self._random.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Retire every fail/reset/stall/delay/fault_rate rule (blocks stay)."""
        for rule in self._rules:
            rule.cancel()
        for delay in self._delays:
            delay.cancel()
        for rnd in self._random:
            rnd.cancel()
        self._rules.clear()
        self._delays.clear()
        self._random.clear()

    def block_user(self, chat_id: ChatKey, notify: bool = False) -> None:
        """Every send to this chat answers 403 "Forbidden: bot was blocked by the user".

        ``notify=True`` also queues the my_chat_member update (status "kicked") Telegram
        sends. A message or press from that user unblocks, as the Telegram app does.
        """
        key = _chat_key(chat_id)
        if key is None:
            raise ValueError("chat_id is required")
        self._blocked.add(key)
        if notify and isinstance(key, int):
            self._push_kicked_update(key)
        self._bump()

    def is_blocked(self, chat_id: ChatKey) -> bool:
        return _chat_key(chat_id) in self._blocked

    def _push_kicked_update(self, user_id: int) -> None:
        bot = self._bot_user(self._tokens[-1] if self._tokens else "")
        self.push_update(
            {
                "my_chat_member": {
                    "chat": self._private_chat(user_id),
                    "from": self._user_obj(user_id),
                    "date": int(time.time()),
                    "old_chat_member": {"user": bot, "status": "member"},
                    "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
                }
            }
        )

    def _take_delay(self, call: Call) -> DelayRule | None:
        for rule in self._delays:
            if not rule.active or rule.remaining == 0:
                continue
            if rule.methods is not None and call.method not in rule.methods:
                continue
            if rule.chat_id is not None and rule.chat_id != call.chat_id:
                continue
            rule.hits += 1
            if rule.remaining is not None:
                rule.remaining -= 1
            return rule
        return None

    def _take_fault(self, call: Call) -> FaultRule | None:
        for rule in self._rules:
            if rule._matches(call.method, call.chat_id):
                rule._consume()
                return rule
        for rnd in self._random:
            if not rnd.active or (rnd.methods is not None and call.method not in rnd.methods):
                continue
            if rnd.rng.random() >= rnd.p:
                continue
            rnd.hits += 1
            kind = rnd.rng.choice(rnd.kinds)
            if kind in ("reset", "stall"):
                return FaultRule(None, kind, stall_seconds=rnd.stall_seconds)
            status = int(kind)
            if status == 429:
                return FaultRule(
                    None,
                    "http",
                    status=429,
                    description=f"Too Many Requests: retry after {rnd.retry_after}",
                    retry_after=rnd.retry_after,
                )
            return FaultRule(
                None,
                "http",
                status=status,
                description=_HTTP_PHRASES.get(status, "Error"),
                html_body=status == 502,
            )
        return None

    def _record_fault(
        self,
        call: Call,
        kind: str,
        status: int | None,
        description: str | None,
        retry_after: int | None,
    ) -> Fault:
        fault = Fault(
            kind, call.method, status, description, retry_after, call.chat_id, call.at, call
        )
        call.fault = fault
        self._faults.append(fault)
        self._bump()
        return fault

    async def _inject(
        self, request: web.Request, call: Call, rule: FaultRule
    ) -> web.StreamResponse:
        if rule.kind in ("reset", "stall"):
            self._record_fault(call, rule.kind, None, None, None)
            if rule.kind == "stall":
                await self._sleep(rule.stall_seconds)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        status = rule.status or 500
        kind = str(status) if status in (429, 500, 502) else "http"
        self._record_fault(call, kind, status, rule.description, rule.retry_after)
        if rule.html_body:
            call.status = status
            call.response = _NGINX_502
            call.answered_at = time.monotonic()
            self._bump()
            return web.Response(status=status, text=_NGINX_502, content_type="text/html")
        params = {"retry_after": rule.retry_after} if rule.retry_after is not None else None
        return self._error(call, ApiError(status, rule.description or "Error", params))

    # ------------------------------------------------------------------ bot identity, chats

    def _bot_user(self, token: str) -> JSON:
        head = token.split(":", 1)[0]
        bot_id = int(head) if head.isdigit() else 1_000_001
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _user_obj(
        self, user_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> JSON:
        new = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        user = self._users.setdefault(user_id, {**new, "language_code": "en"})
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return dict(user)

    def _private_chat(self, user_id: int) -> JSON:
        user = self._user_obj(user_id)
        chat: JSON = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        self._chats[user_id] = chat
        return dict(chat)

    def _chat_object(self, chat: int) -> JSON:
        known = self._chats.get(chat)
        if known is not None:
            return dict(known)
        if chat > 0:
            return {"id": chat, "type": "private", "first_name": f"User{chat}"}
        return {"id": chat, "type": "group", "title": f"Group {chat}"}

    def _alloc_message_id(self, chat: ChatKey) -> int:
        mid = self._next_mid.get(chat, 1)
        self._next_mid[chat] = mid + 1
        return mid

    def _chat_instance(self, chat: ChatKey) -> str:
        return str(zlib.crc32(f"{self._instance}:{chat}".encode()) * 1_000_003)

    def _log_line(self, chat: ChatKey, line: str) -> None:
        self._log.setdefault(chat, []).append(line)

    # ------------------------------------------------------------------ Bot API methods

    async def _get_me(self, call: Call) -> JSON:
        return {
            **self._bot_user(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: Call) -> list[JSON]:
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._bump()  # an older long poll still waiting now answers 409, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._take_batch(limit)
            if batch:
                return batch
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            await self._wait_change(remaining)

    def _confirm(self, offset: int) -> None:
        before = len(self._pending)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        if len(self._pending) != before:
            self._bump()

    def _is_allowed(self, update: JSON, allowed: list[str] | None) -> bool:
        kind = _update_type(update)
        if allowed is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in allowed

    def _take_batch(self, limit: int) -> list[JSON]:
        kept = [u for u in self._pending if self._is_allowed(u, self._allowed_updates)]
        if len(kept) != len(self._pending):
            self._pending = kept  # Telegram never delivers types the bot opted out of
            self._bump()
        return copy.deepcopy(kept[:limit])

    async def _send_message(self, call: Call) -> JSON:
        chat = self._require_chat(call)
        text = call.params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._check_markup(call.params.get("reply_markup"))
        msg = self._store_bot_message(call, chat, "text", {"text": text}, text, markup)
        return msg.raw

    def _media_sender(self, kind: str) -> Callable[[Call], Any]:
        async def send(call: Call) -> JSON:
            chat = self._require_chat(call)
            p = call.params
            caption = str(p["caption"]) if p.get("caption") else None
            if caption is not None and _utf16_len(caption) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            markup = self._check_markup(p.get("reply_markup"))
            stored, uploaded = self._resolve_media(call, kind)
            content = self._media_content(kind, stored)
            if caption:
                content["caption"] = caption
            msg = self._store_bot_message(
                call, chat, kind, content, caption, markup, stored, uploaded
            )
            return msg.raw

        return send

    async def _send_chat_action(self, call: Call) -> bool:
        self._require_chat(call)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _answer_callback_query(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        press = self._presses.get(query_id)
        if press is None or press.answer is not None:
            raise ApiError(400, _BAD_QUERY)
        text = call.params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        press.answer = dict(call.params)
        press.answered_at = time.monotonic()
        return True

    async def _set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        cleaned = []
        for item in commands:
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
            cleaned.append({"command": command, "description": description})
        scope = json.dumps(call.params.get("scope") or {"type": "default"}, sort_keys=True)
        self._commands[scope, str(call.params.get("language_code") or "")] = cleaned
        return True

    async def _set_webhook(self, call: Call) -> bool:
        p = call.params
        url = str(p.get("url") or "")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        allowed = p.get("allowed_updates")
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = WebhookState(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=[str(a) for a in allowed] if allowed else None,
        )
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] or None
        self._poll_generation += 1
        self._bump()
        return True

    async def _delete_webhook(self, call: Call) -> bool:
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = WebhookState()
        self._bump()
        return True

    async def _get_file(self, call: Call) -> JSON:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        result: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.size is not None:
            result["file_size"] = stored.size
        return result

    # ------------------------------------------------------------------ validation helpers

    def _require_chat(self, call: Call) -> int:
        chat = call.chat_id
        if chat is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _check_markup(self, markup: Any) -> JSON | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            raise ApiError(
                400,
                "Bad Request: the fake Bot API (tests/fakebotapi) supports inline keyboards "
                f"only, not {sorted(markup)}",
            )
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup")
        buttons = [button for row in rows for button in row]
        if len(buttons) > 100:
            raise ApiError(400, "Bad Request: too many inline keyboard buttons")
        for button in buttons:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed")
            if len([a for a in ("callback_data", "url") if a in button]) != 1:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard",
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _reply_target(self, chat: ChatKey, params: dict[str, Any]) -> JSON | None:
        """The message a send replies to (PTB 22 sends every reply as reply_parameters)."""
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            return None
        raw = self._current_raw(chat, int(reply.get("message_id") or 0))
        if raw is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        target = copy.deepcopy(raw)
        target.pop("reply_to_message", None)
        return target

    def _current_raw(self, chat: ChatKey, mid: int) -> JSON | None:
        msg = self._bot_by_id.get((chat, mid))
        if msg is not None:
            return msg.raw
        return self._user_messages.get((chat, mid))

    # ------------------------------------------------------------------ files

    def _new_file(
        self,
        kind: str,
        data: bytes | None,
        filename: str | None = None,
        mime_type: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        n = next(self._file_ids)
        folder, ext = _FILE_DIR[kind]
        if kind == "document" and filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id or f"{_FILE_PREFIX[kind]}-{self._instance}-{n:06d}",
            file_unique_id=f"AgAD{self._instance}{n:06d}",
            kind=kind,
            file_path=f"{folder}/file_{n}{ext}",
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _resolve_media(self, call: Call, kind: str) -> tuple[StoredFile, bool]:
        """The file a send carries: an upload (stored now) or a file_id (known or not)."""
        value = call.params.get(kind)
        attached = isinstance(value, str) and value.startswith("attach://")
        upload = call.files.get(value[len("attach://") :] if attached else kind)
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_upload(kind, upload, call.params), True
        if attached:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if not isinstance(value, str) or not value:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: the fake Bot API (tests/fakebotapi) does not fetch files by URL"
            )
        known = self._files.get(value)
        if known is not None:
            if known.kind != kind:
                raise ApiError(400, "Bad Request: type of file mismatch")
            return known, False
        # an id from another run (a cache that outlived the fake): accepted, as Telegram would
        stored = self._new_file(kind, None, file_id=value)
        if kind == "photo":
            self._photo_sizes(stored, *_PHOTO_SIZE)
        return stored, False

    def _store_upload(self, kind: str, upload: UploadedFile, params: dict[str, Any]) -> StoredFile:
        ctype = upload.content_type
        if ctype == "application/octet-stream":
            ctype = None
        if kind == "photo":
            stored = self._new_file("photo", upload.data, upload.filename, "image/jpeg")
            self._photo_sizes(stored, *_PHOTO_SIZE)
            return stored
        if kind == "voice":
            mime = ctype or "audio/ogg"
        else:
            mime = ctype or _guess_mime(upload.filename, "application/octet-stream")
        stored = self._new_file(kind, upload.data, upload.filename, mime)
        duration = params.get("duration")
        stored.duration = None if duration is None else int(duration)
        return stored

    def _photo_sizes(self, largest: StoredFile, width: int, height: int) -> None:
        """Telegram keeps several scaled copies; the last (largest) is the original."""
        side = max(width, height)
        sizes: list[StoredFile] = []
        for step in _PHOTO_STEPS:
            if step >= side:
                break
            variant = self._new_file("photo", largest.data, largest.filename, "image/jpeg")
            variant.width = max(1, round(width * step / side))
            variant.height = max(1, round(height * step / side))
            sizes.append(variant)
        largest.width, largest.height = width, height
        sizes.append(largest)
        for variant in sizes:
            variant.sizes = sizes

    def _media_content(self, kind: str, stored: StoredFile) -> JSON:
        """The Message field (voice, photo or document) describing ``stored``."""

        def base(f: StoredFile) -> JSON:
            out: JSON = {"file_id": f.file_id, "file_unique_id": f.file_unique_id}
            if f.size is not None:
                out["file_size"] = f.size
            return out

        if kind == "photo":
            return {
                "photo": [{**base(s), "width": s.width, "height": s.height} for s in stored.sizes]
            }
        obj = base(stored)
        if kind == "voice":
            obj["duration"] = stored.duration or 0
        if stored.mime_type:
            obj["mime_type"] = stored.mime_type
        if kind == "document" and stored.filename:
            obj["file_name"] = stored.filename
        return {kind: obj}

    def file(self, file_id: str) -> StoredFile:
        """What the fake knows about ``file_id`` (KeyError if nothing)."""
        return self._files[file_id]

    @property
    def files(self) -> dict[str, StoredFile]:
        return dict(self._files)

    @property
    def downloads(self) -> list[str]:
        """file_paths requested under /file/bot<token>/, in order."""
        return list(self._downloads)

    # ------------------------------------------------------------------ bot messages

    def _store_bot_message(
        self,
        call: Call,
        chat: int,
        kind: str,
        content: JSON,
        text: str | None,
        markup: JSON | None,
        stored: StoredFile | None = None,
        uploaded: bool = False,
    ) -> SentMessage:
        reply_to = self._reply_target(chat, call.params)
        mid = self._alloc_message_id(chat)
        raw: JSON = {
            "message_id": mid,
            "from": self._bot_user(call.token),
            "chat": self._chat_object(chat),
            "date": int(time.time()),
            **copy.deepcopy(content),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if markup:
            raw["reply_markup"] = copy.deepcopy(markup)
        msg = SentMessage(
            chat_id=chat,
            message_id=mid,
            kind=kind,
            text=text,
            reply_markup=copy.deepcopy(markup) if markup else None,
            method=call.method,
            call=call,
            raw=raw,
            file=stored,
            uploaded=uploaded,
            at=time.monotonic(),
        )
        self._sent.setdefault(chat, []).append(msg)
        self._all_sent.append(msg)
        self._bot_by_id[(chat, mid)] = msg
        label = "" if kind == "text" else f"[{kind}] "
        self._log_line(chat, f"bot #{mid}: {label}{text or ''}{_markup_summary(markup)}")
        self._bump()
        return msg

    # ------------------------------------------------------------------ simulated users

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update; assigns the next update_id (any given one is replaced)."""
        stored = copy.deepcopy(dict(update))
        stored.pop("update_id", None)
        if len(stored) != 1:
            raise ValueError("an update carries exactly one field besides update_id")
        json.dumps(stored)  # fail here, not in the bot, if it cannot be sent
        stored = {"update_id": self._next_update_id, **stored}
        self._next_update_id += 1
        self._pending.append(stored)
        self._bump()
        return stored

    def _user_message(
        self,
        user_id: int,
        content: JSON,
        chat_id: ChatKey | None,
        chat_type: str,
        first_name: str | None,
        language_code: str | None,
        summary: str,
    ) -> JSON:
        user = self._user_obj(user_id, first_name, language_code)
        chat_key, chat = self._user_chat(user_id, chat_id, chat_type)
        self._blocked.discard(chat_key)
        mid = self._alloc_message_id(chat_key)
        msg: JSON = {
            "message_id": mid,
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self._user_messages[(chat_key, mid)] = msg
        self._log_line(chat_key, f"user {user_id} #{mid}: {summary}")
        return self.push_update({"message": msg})

    def _user_chat(
        self, user_id: int, chat_id: ChatKey | None, chat_type: str
    ) -> tuple[ChatKey, JSON]:
        if chat_type == "private":
            if chat_id is not None and _chat_key(chat_id) != user_id:
                raise ValueError("a private chat's id is the user's id")
            return user_id, self._private_chat(user_id)
        key = _chat_key(chat_id)
        if key is None:
            raise ValueError(f"chat_id is required for a {chat_type} chat")
        chat = self._chats.get(key)
        if chat is None or chat.get("type") != chat_type:
            chat = {"id": key, "type": chat_type, "title": f"Group {key}"}
            self._chats[key] = chat
        return key, dict(chat)

    def send_text(
        self,
        user_id: int,
        text: str,
        language_code: str | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
    ) -> JSON:
        """The user types ``text``; returns the queued update.

        A leading /command gets the bot_command entity Telegram adds (length of the command
        word, "@botname" included). ``language_code`` None keeps the user's last one ("en"
        for a new user).
        """
        content: JSON = {"text": text}
        entities = _bot_command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(
            user_id, content, chat_id, chat_type, first_name, language_code, text
        )

    def _pressed_message(self, user_id: int, message: SentMessage | int) -> tuple[ChatKey, JSON]:
        """The chat and the Message a press is on (an int is in the user's private chat)."""
        if isinstance(message, SentMessage):
            chat, mid = message.chat_id, message.message_id
        else:
            chat, mid = user_id, int(message)
        raw = self._current_raw(chat, mid)
        if raw is None:
            raise LookupError(f"no message {mid} in chat {chat}")
        return chat, raw

    def press(
        self,
        user_id: int,
        message: SentMessage | int,
        callback_data: str,
        *,
        check: bool = True,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> CallbackPress:
        """The user taps an inline button; queues a callback_query update.

        ``message`` is a SentMessage or a message_id in the user's private chat. With
        ``check`` the button must exist on that message.
        """
        chat, raw = self._pressed_message(user_id, message)
        mid = int(raw["message_id"])
        buttons = _inline_buttons(raw)
        if check and callback_data not in [b.get("callback_data") for b in buttons]:
            raise ValueError(
                f"message {mid} has no button with callback_data {callback_data!r}; "
                f"it has {[b['callback_data'] for b in buttons if 'callback_data' in b]}"
            )
        query_id = str(next(self._query_ids))
        user = self._user_obj(user_id, first_name, language_code)
        self._blocked.discard(chat)
        press = CallbackPress(query_id, user_id, chat, mid, callback_data)
        self._presses[query_id] = press
        label = next(
            (b.get("text") for b in buttons if b.get("callback_data") == callback_data),
            callback_data,
        )
        self._log_line(chat, f"user {user_id} pressed [{label}] on #{mid}")
        press.update = self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": copy.deepcopy(raw),
                    "chat_instance": self._chat_instance(chat),
                    "data": callback_data,
                }
            }
        )
        return press

    def press_button(
        self, user_id: int, message: SentMessage | int, label: str, **kwargs: Any
    ) -> CallbackPress:
        """Press by button text (exact, else a unique case-insensitive substring)."""
        _, raw = self._pressed_message(user_id, message)
        data = str(_find_button(raw, label)["callback_data"])
        return self.press(user_id, message, data, **kwargs)

    def send_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        stored = self._new_file("sticker", None)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeStickers",
        }
        return self._user_message(
            user_id,
            {"sticker": sticker},
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[sticker {emoji}]",
        )

    def send_photo_message(
        self,
        user_id: int,
        data: bytes | None = None,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """The user sends a ``width`` x ``height`` photo; with ``data`` getFile serves it."""
        stored = self._new_file("photo", data, None, "image/jpeg")
        self._photo_sizes(stored, width, height)
        content = self._media_content("photo", stored)
        if caption:
            content["caption"] = caption
        return self._user_message(
            user_id,
            content,
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[photo] {caption or ''}",
        )

    def send_voice_message(
        self,
        user_id: int,
        data: bytes | None = None,
        duration: int = 1,
        mime_type: str = "audio/ogg",
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        stored = self._new_file("voice", data, None, mime_type)
        stored.duration = duration
        content = self._media_content("voice", stored)
        return self._user_message(
            user_id, content, chat_id, chat_type, first_name, language_code, "[voice]"
        )

    def send_document_message(
        self,
        user_id: int,
        data: bytes = b"",
        file_name: str = "file.txt",
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        mime = mime_type or _guess_mime(file_name, "application/octet-stream")
        stored = self._new_file("document", data, file_name, mime)
        content = self._media_content("document", stored)
        if caption:
            content["caption"] = caption
        return self._user_message(
            user_id,
            content,
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[document {file_name}] {caption or ''}",
        )

    def send_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        return self._user_message(
            user_id,
            {"location": {"latitude": latitude, "longitude": longitude}},
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[location {latitude},{longitude}]",
        )

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        language_code: str | None = None,
    ) -> JSON:
        """The user shares a contact; by default their own (contact.user_id == user_id)."""
        user = self._user_obj(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or user["first_name"],
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        return self._user_message(
            user_id,
            {"contact": contact},
            chat_id,
            chat_type,
            None,
            language_code,
            "[contact]",
        )

    def edited_message(
        self,
        user_id: int,
        message_id: int,
        text: str,
        chat_id: ChatKey | None = None,
    ) -> JSON:
        """The user edits one of their own messages; queues an edited_message update."""
        chat = user_id if chat_id is None else _chat_key(chat_id) or user_id
        original = self._user_messages.get((chat, message_id))
        if original is None:
            raise LookupError(f"user message {message_id} not found in chat {chat}")
        edited = copy.deepcopy(original)
        edited["text"] = text
        edited.pop("entities", None)
        entities = _bot_command_entities(text)
        if entities:
            edited["entities"] = entities
        edited["edit_date"] = int(time.time())
        self._user_messages[(chat, message_id)] = edited
        self._log_line(chat, f"user {user_id} edited #{message_id}: {text}")
        return self.push_update({"edited_message": edited})

    def channel_post(self, chat_id: int, text: str, title: str = "Channel") -> JSON:
        chat = {"id": chat_id, "type": "channel", "title": title}
        self._chats[chat_id] = chat
        mid = self._alloc_message_id(chat_id)
        post = {
            "message_id": mid,
            "sender_chat": dict(chat),
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        self._user_messages[(chat_id, mid)] = post
        self._log_line(chat_id, f"channel #{mid}: {text}")
        return self.push_update({"channel_post": post})

    # ------------------------------------------------------------------ webhook

    async def deliver_webhook(
        self,
        url: str,
        update: JSON,
        secret_token: str | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, str]:
        """POST one update to a webhook as Telegram does; returns (status, body text).

        An update without update_id gets the next one (it is not queued for getUpdates).
        Connection errors propagate (aiohttp.ClientError / TimeoutError).
        """
        body = dict(update)
        if "update_id" not in body:
            body = {"update_id": self._next_update_id, **body}
            self._next_update_id += 1
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        session = self._session
        own_session = session is None
        if session is None:
            session = aiohttp.ClientSession()
        update_id = body.get("update_id")
        try:
            async with session.post(
                url,
                data=json.dumps(body),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append(
                WebhookDelivery(
                    url, update_id, secret_token, None, "", repr(exc), time.monotonic()
                )
            )
            self._bump()
            raise
        finally:
            if own_session:
                await session.close()
        self.webhook_deliveries.append(
            WebhookDelivery(url, update_id, secret_token, status, text, None, time.monotonic())
        )
        self._bump()
        return status, text

    async def _webhook_worker(self) -> None:
        """Deliver queued updates to the registered webhook, in order, one at a time."""
        backoff = 0.05
        while not self._closing:
            hook = self.webhook
            if not (hook.url and self._pending):
                await self._wait_change(None)
                continue
            update = self._pending[0]
            if not self._is_allowed(update, self._allowed_updates):
                self._pending.pop(0)
                self._bump()
                continue
            error: str | None = None
            try:
                status, body = await self.deliver_webhook(hook.url, update, hook.secret_token)
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {body[:100]}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc!r}"
            if error is None:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                self._bump()
                backoff = 0.05
            else:
                self.webhook.last_error_date = int(time.time())
                self.webhook.last_error_message = error
                await self._sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    # ------------------------------------------------------------------ asserts: reading

    def calls(self, method: str | None = None, *, chat_id: ChatKey | None = None) -> list[Call]:
        """Every request (attempts, faulted or not), optionally for one method / chat."""
        pool = self._calls if method is None else self._calls_by_method.get(_canonical(method), [])
        key = _chat_key(chat_id)
        return [c for c in pool if key is None or c.chat_id == key]

    def faults(self, method: str | None = None) -> list[Fault]:
        """Injected failures and blocks, in order."""
        name = None if method is None else _canonical(method)
        return [f for f in self._faults if name is None or f.method == name]

    def sent_to(self, chat_id: ChatKey) -> list[SentMessage]:
        """Messages delivered to a chat, in order."""
        return list(self._sent.get(_chat_key(chat_id) or 0, []))

    def delivered(self, chat_id: ChatKey | None = None) -> list[SentMessage]:
        """Every delivered message (or one chat's): compare with calls() to spot retries."""
        if chat_id is not None:
            return self.sent_to(chat_id)
        return list(self._all_sent)

    def last_message(self, chat_id: ChatKey) -> SentMessage | None:
        messages = self._sent.get(_chat_key(chat_id) or 0)
        return messages[-1] if messages else None

    def unread(self, chat_id: ChatKey) -> list[SentMessage]:
        """Messages after this chat's read cursor (not consumed)."""
        key = _chat_key(chat_id) or 0
        return list(self._sent.get(key, [])[self._cursors.get(key, 0) :])

    def mark_read(self, chat_id: ChatKey) -> list[SentMessage]:
        """Consume everything unread in the chat and return it."""
        key = _chat_key(chat_id) or 0
        unread = self.unread(key)
        self._cursors[key] = len(self._sent.get(key, []))
        return unread

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for a scope (default scope) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True), language_code
        return copy.deepcopy(self._commands.get(key, []))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (getUpdates offset or webhook 2xx)."""
        return copy.deepcopy(self._pending)

    def awaiting_reply(self, since_poll: int = 0) -> set[ChatKey]:
        """Chats whose update the bot has fetched and not answered yet: mid-turn.

        Reads the newest getUpdates answer that carried updates (among the polls from
        index ``since_poll``, e.g. one bot process's): a chat of that batch counts while
        no send to it has arrived since that answer was made.
        """
        polls = self._calls_by_method.get("getUpdates", [])[since_poll:]
        batch = next((c for c in reversed(polls) if c.ok and c.result), None)
        if batch is None or batch.answered_at is None:
            return set()
        handed_out = batch.answered_at
        chats: set[ChatKey] = set()
        for update in batch.result:
            body = update.get("message") or (update.get("callback_query") or {}).get("message")
            chat = _chat_key(((body or {}).get("chat") or {}).get("id"))
            if chat is not None:
                chats.add(chat)
        for call in reversed(self._calls):  # in order of arrival: newest first
            if call.at < handed_out or not chats:
                break
            if _is_chat_send(call.method) and call.chat_id is not None:
                chats.discard(call.chat_id)
        return chats

    def is_confirmed(self, update: JSON | int) -> bool:
        update_id = int(update["update_id"]) if isinstance(update, dict) else int(update)
        if update_id >= self._next_update_id:
            return False
        return all(u["update_id"] != update_id for u in self._pending)

    def transcript(self, chat_id: ChatKey) -> str:
        """Both sides of a chat as text, for failure messages."""
        lines = self._log.get(_chat_key(chat_id) or 0, [])
        return "\n".join(lines) if lines else "(nothing in this chat)"

    # ------------------------------------------------------------------ asserts: waiting

    async def wait_for_message(
        self,
        chat_id: ChatKey,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = WAIT_TIMEOUT,
        *,
        kind: str | None = None,
    ) -> SentMessage:
        """The next unread bot message in the chat (matching ``predicate`` / ``kind``).

        Each chat has a read cursor: the returned message and any unmatched ones before
        it count as read, like scrolling down a chat. Raises WaitTimeout with the chat's
        transcript when nothing matches in time.
        """
        key = _chat_key(chat_id) or 0

        def find() -> SentMessage | None:
            messages = self._sent.get(key, [])
            for index in range(self._cursors.get(key, 0), len(messages)):
                msg = messages[index]
                if (kind is None or msg.kind == kind) and (predicate is None or predicate(msg)):
                    self._cursors[key] = index + 1
                    return msg
            return None

        result: SentMessage = await self.wait_for(
            find,
            timeout,
            lambda: f"a bot message in chat {key}; transcript:\n{self.transcript(key)}",
        )
        return result

    async def wait_for_messages(
        self,
        chat_id: ChatKey,
        count: int,
        timeout: float = WAIT_TIMEOUT,
    ) -> list[SentMessage]:
        """The next ``count`` (at least 1) unread messages of the chat, consumed."""
        key = _chat_key(chat_id) or 0

        def find() -> list[SentMessage] | None:
            unread = self.unread(key)
            if len(unread) < count:
                return None
            self._cursors[key] = self._cursors.get(key, 0) + count
            return unread[:count]

        result: list[SentMessage] = await self.wait_for(
            find,
            timeout,
            lambda: f"{count} bot messages in chat {key}; transcript:\n{self.transcript(key)}",
        )
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = WAIT_TIMEOUT,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """All calls of ``method`` (matching ``predicate``) once there are ``count`` (>= 1).

        Returns when the request has arrived, which may be before it is answered; use
        ``predicate=lambda c: c.status is not None`` to wait for answers.
        """

        def find() -> list[Call] | None:
            pool = self._calls_by_method.get(_canonical(method), [])
            found = [c for c in pool if predicate is None or predicate(c)]
            return found if len(found) >= count else None

        result: list[Call] = await self.wait_for(
            find,
            timeout,
            lambda: f"{count} call(s) of {method}; got {len(self.calls(method))}",
        )
        return result

    async def wait_for_answer(
        self,
        press: CallbackPress,
        timeout: float = WAIT_TIMEOUT,
    ) -> JSON:
        """The bot's answerCallbackQuery parameters for this press."""
        result: JSON = await self.wait_for(
            lambda: press.answer, timeout, f"an answer to callback query {press.id}"
        )
        return result

    async def wait_for_confirmed(
        self,
        update: JSON | int,
        timeout: float = WAIT_TIMEOUT,
    ) -> None:
        """Until the bot has acknowledged the update (next getUpdates offset, or webhook 2xx).

        PTB acknowledges when it fetches the next batch, not when a handler finishes.
        """
        await self.wait_for(lambda: self.is_confirmed(update), timeout, f"update {update!r}")

    async def expect_no_message(self, chat_id: ChatKey, within: float = 0.3) -> None:
        """Fail if the bot sends anything new to the chat within ``within`` seconds."""
        key = _chat_key(chat_id) or 0
        await asyncio.sleep(within)
        unread = self.unread(key)
        if unread:
            raise AssertionError(
                f"expected no message in chat {key}, got {len(unread)}; transcript:\n"
                f"{self.transcript(key)}"
            )
