"""Logging for operators: plain or JSON lines, with secrets scrubbed on the way out.

The bot token is the one secret that leaks by accident: httpx logs every request URL
(``https://api.telegram.org/bot<token>/sendMessage``) and network exceptions repeat it in
their text and tracebacks. Rather than trust every call site, a filter on the root
handlers rewrites each record before any handler formats it.

Health data (pain scores, answers, red flags) is never passed to a logger at all; code
that needs to correlate a user's log lines uses :func:`user_ref` instead of the id.
Libraries are another matter: python-telegram-bot logs whole updates and call
parameters at DEBUG (those loggers are capped at INFO), and an update its own webhook
server could not parse at CRITICAL, the user's words included. So a second filter,
:class:`ContentFilter`, withholds an update's content from every record, at every
level, whichever logger wrote it.
"""

from __future__ import annotations

import hashlib
import hmac
import json as jsonlib
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTED",
    "WITHHELD",
    "ContentFilter",
    "InvalidBodyFilter",
    "JsonFormatter",
    "RedactingFilter",
    "set_user_ref_key",
    "setup_logging",
    "user_ref",
]

REDACTED = "[REDACTED]"
WITHHELD = "[content withheld]"

# Shorter "secrets" would shred ordinary words in every line; they are too weak to be
# worth hiding anyway.
MIN_SECRET_LENGTH = 4

# Anything shaped like a Telegram bot token (``<bot id>:<35 chars>``), configured or not:
# a token pasted into a URL by a library we did not configure still gets caught.
_TOKEN_SHAPE = r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}"

_PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers that print request URLs (and so the token) at INFO.
_URL_LOGGERS = ("httpx", "httpcore")

# Loggers that print whole payloads at DEBUG: every update (what users typed and
# tapped), every Bot API call's parameters and result (the texts we send back,
# which repeat their answers), every SQL statement with its parameters. DEBUG is
# for our own code; these stay at INFO at most.
_PAYLOAD_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "aiosqlite",
)

# python-telegram-bot's messages whose arguments are an update, a request's parameters
# or a body from Telegram: the arguments never reach a handler (ContentFilter).
_PAYLOAD_MESSAGES = frozenset(
    {
        "Webhook received data: %s",
        "Something went wrong processing the data received from Telegram. "
        "Received data was *not* processed! Received data was: %r",
        "Processing update %s",
        "Dropping pending update: %s",
        "Calling Bot API endpoint `%s` with parameters `%s`",
    }
)
# an update as JSON text, whoever logs it
_UPDATE_JSON = re.compile(r"""["']update_id["']\s*:""")

# python-telegram-bot's message for a non-JSON answer (see InvalidBodyFilter).
_PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"
_PTB_INVALID_JSON = 'Can not load invalid JSON data: "%s"'

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


def _variants(secret: str) -> set[str]:
    """Spellings of a secret as it may appear in logs: raw and URL-encoded."""
    out = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    # Percent-encoding is case-insensitive (%3A vs %3a); cover both spellings.
    out |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), v) for v in set(out)}
    return out


class RedactingFilter(logging.Filter):
    """Replace secrets in message, args, extras, exception and stack text.

    The record is rewritten in place (message rendered, args cleared, exception text
    pre-rendered) so every handler after this one sees only the scrubbed version.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        words: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH:
                words |= _variants(secret)
        # Longest first, so a secret that contains another is replaced whole.
        alternatives = [re.escape(w) for w in sorted(words, key=len, reverse=True)]
        alternatives.append(_TOKEN_SHAPE)
        self._pattern = re.compile("|".join(alternatives))

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not lose the line or its secret
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
            # Formatters re-render from exc_info only when exc_text is empty, but a
            # formatter of another kind might not: drop the live exception.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def _is_content(value: object) -> bool:
    """An update, or anything Telegram sent or we send it: PTB's objects (Update,
    Message, CallbackQuery...; recognised without importing PTB, which ops must not),
    an update as a mapping, or an update as JSON text."""
    if isinstance(value, (str, bytes, bytearray)):
        text = value if isinstance(value, str) else bytes(value).decode("utf-8", "replace")
        return _UPDATE_JSON.search(text) is not None
    if isinstance(value, dict):
        return "update_id" in value or any(_is_content(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_content(v) for v in value)
    module = type(value).__module__ or ""
    return module.split(".")[0] == "telegram" and hasattr(value, "to_dict")


class ContentFilter(logging.Filter):
    """No record carries an update's content, at any level, from any logger.

    PTB's messages known to carry a payload keep their words and lose their arguments;
    any other record loses the arguments (or the message) that look like an update
    or a Telegram object. The record still says that something happened.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._withhold(record)
        except Exception:  # a record this cannot read is not let through as it is
            record.msg, record.args = f"{record.name}: {WITHHELD}", None
        return True

    def _withhold(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg in _PAYLOAD_MESSAGES and record.args:
            count = len(record.args) if isinstance(record.args, tuple) else 1
            record.msg = str(record.msg).replace("%r", "%s")
            record.args = (WITHHELD,) * count
        elif _is_content(record.msg):
            record.msg, record.args = WITHHELD, None
        if isinstance(record.args, tuple) and any(_is_content(a) for a in record.args):
            record.args = tuple(WITHHELD if _is_content(a) else a for a in record.args)
        elif isinstance(record.args, dict) and _is_content(record.args):
            record.args = {k: WITHHELD if _is_content(v) else v for k, v in record.args.items()}
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRS and _is_content(value):
                setattr(record, key, WITHHELD)


class InvalidBodyFilter(logging.Filter):
    """PTB logs any answer that is not JSON whole, with a traceback, at ERROR.

    Such bodies are error pages from Telegram's front end (a 502 from nginx) or a
    cut-off answer, and a cut-off answer to sendMessage repeats the text we sent,
    which can carry a user's health answers. The failure itself still reaches the
    caller as a NetworkError (retried for sends); the log keeps one line with the
    body's size and none of its content.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == _PTB_INVALID_JSON and record.args:
            body = record.args[0] if isinstance(record.args, tuple) else ""
            record.msg = "Telegram answered with a body that is not JSON (%d bytes)"
            record.args = (len(str(body)),)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return jsonlib.dumps(entry, default=str, ensure_ascii=False)


def setup_logging(
    level: str = "INFO",
    json: bool = False,
    secrets: Iterable[str] = (),
    *,
    stream: TextIO | None = None,
    quiet_http: bool = True,
) -> logging.Handler:
    """Install one stderr handler on the root logger, replacing any earlier ones.

    Returns the handler so tests (and callers adding more handlers) can reuse its
    redacting filter. ``quiet_http`` raises httpx/httpcore to WARNING: their INFO lines
    are one per API call and carry the token in the URL.
    """
    numeric = logging.getLevelNamesMapping().get(level.strip().upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r} (use DEBUG, INFO, WARNING or ERROR)")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter(_PLAIN_FORMAT))
    handler.addFilter(ContentFilter())  # first: it needs the record's arguments unrendered
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if quiet_http else logging.NOTSET)
    for name in _PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    # APScheduler logs two lines at INFO for every run of the 10 s reminder tick: noise
    # that buries what matters; its warnings and errors still show
    logging.getLogger("apscheduler").setLevel(max(numeric, logging.WARNING))
    ptb_request = logging.getLogger(_PTB_REQUEST_LOGGER)
    for old_filter in list(ptb_request.filters):
        if isinstance(old_filter, InvalidBodyFilter):
            ptb_request.removeFilter(old_filter)
    ptb_request.addFilter(InvalidBodyFilter())
    return handler


_user_ref_key: bytes = os.urandom(32)


def set_user_ref_key(key: str | bytes) -> None:
    """Make :func:`user_ref` stable across restarts (the default key is per process).

    Any secret the operator already keeps works, e.g. the bot token: the HMAC output
    reveals nothing about its key.
    """
    global _user_ref_key
    material = key.encode() if isinstance(key, str) else key
    if not material:
        raise ValueError("user_ref key must not be empty")
    _user_ref_key = hashlib.sha256(b"sideglide-user-ref\0" + material).digest()


def user_ref(user_id: int) -> str:
    """A short keyed hash of a Telegram user id, for correlating log lines.

    Telegram ids are small integers, so a plain hash could be reversed by trying them
    all; the secret key prevents that.
    """
    digest = hmac.new(_user_ref_key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return "u-" + digest[:12]
