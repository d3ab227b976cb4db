"""The Bot API's wire format, whatever carries it: paths, method names, fields, answers.

Why a module of its own: the HTTP server and the in-process transport must read a
request and shape an answer identically, or a test would pass on one and not on the
other. Everything here is pure: no state, no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.fakebotapi.records import JSON

IMPLEMENTED = (
    "getMe",
    "getUpdates",
    "sendMessage",
    "sendVoice",
    "sendPhoto",
    "sendDocument",
    "sendAnimation",
    "sendChatAction",
    "answerCallbackQuery",
    "setMyCommands",
    "setWebhook",
    "deleteWebhook",
    "getFile",
)
_CANONICAL = {name.lower(): name for name in IMPLEMENTED}


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Parameters PTB sends as plain strings; every other one it sends as JSON (json.dumps).
_STRING_FIELDS = words(
    "text caption parse_mode callback_query_id url secret_token action file_id language_code "
    "ip_address business_connection_id message_effect_id voice photo document"
)

HTTP_PHRASES = {
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
NOT_FOUND: JSON = {"ok": False, "error_code": 404, "description": "Not Found"}
UNAUTHORIZED: JSON = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)

_METHOD_PATH = re.compile(r"/bot([^/]+)/([^/]+)")
_FILE_PATH = re.compile(r"/file/bot([^/]+)/(.+)")


@dataclass(frozen=True)
class Route:
    """Where a request path leads: a method call, or a file download."""

    kind: str  # "method" or "file"
    token: str
    target: str  # the method name as requested, or the file_path


def route(path: str) -> Route | None:
    """``/bot<token>/<method>`` or ``/file/bot<token>/<file_path>``; None for anything else."""
    if match := _METHOD_PATH.fullmatch(path):
        return Route("method", match[1], match[2])
    if match := _FILE_PATH.fullmatch(path):
        return Route("file", match[1], match[2])
    return None


def canonical(method: str) -> str:
    """Telegram method names are case-insensitive; record them in their documented case."""
    return _CANONICAL.get(method.lower(), method)


def is_chat_send(method: str) -> bool:
    """A method that puts something in a chat: what a block refuses, what ends a turn."""
    return method.startswith("send")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (limits and entity offsets are in UTF-16 units)."""
    return len(text.encode("utf-16-le")) // 2


def methods_set(methods: str | Iterable[str]) -> frozenset[str] | None:
    """Method names for a rule; None (any method) for "*"."""
    names = [methods] if isinstance(methods, str) else list(methods)
    if "*" in names:
        return None
    return frozenset(canonical(m) for m in names)


def decode_field(name: str, value: Any) -> Any:
    """Turn a form field back into the value PTB encoded (strings raw, the rest JSON)."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a string PTB sent as is (a chat's @username, say)


@dataclass(frozen=True)
class Answer:
    """What the fake answers one request: a status and a body, or no answer at all."""

    status: int | None  # None: the connection is dropped (a reset, or a stall's end)
    body: bytes = b""
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, payload: Any) -> Answer:
        return cls(status, json.dumps(payload).encode())


DROPPED = Answer(None)
