"""The bot token never reaches log output; JSON logs are one parseable object per line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bot.ops import logs
from bot.ops.logs import REDACTED, set_user_ref_key, setup_logging, user_ref

TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
SECRET = "webhook-secret-Zq81"
URL = f"http://127.0.0.1:9/bot{TOKEN}/sendMessage"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    key = logs._user_ref_key
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, lvl in quiet.items():
        logging.getLogger(name).setLevel(lvl)
    logs._user_ref_key = key


def capture(json_lines: bool = False, quiet_http: bool = True) -> io.StringIO:
    out = io.StringIO()
    setup_logging(
        "DEBUG", json=json_lines, secrets=[TOKEN, SECRET], stream=out, quiet_http=quiet_http
    )
    return out


@pytest.mark.parametrize("json_lines", [False, True])
def test_token_in_args_inside_url_is_redacted(json_lines: bool) -> None:
    out = capture(json_lines)
    logging.getLogger("bot.test").info("POST %s failed", URL)
    text = out.getvalue()
    assert TOKEN not in text
    assert f"/bot{REDACTED}/sendMessage" in text


@pytest.mark.parametrize(
    "spelling",
    [
        quote(TOKEN, safe=""),  # 123456789%3AAAH...
        quote(TOKEN, safe="").replace("%3A", "%3a"),
        TOKEN,
    ],
)
def test_token_redacted_in_every_spelling(spelling: str) -> None:
    out = capture()
    logging.getLogger("bot.test").warning("GET https://x.test/?u=%s&v=1", spelling)
    text = out.getvalue()
    assert spelling not in text
    assert "AAHfiqksKZ8WmR2zSjiQ7" not in text
    assert f"?u={REDACTED}&v=1" in text


def test_other_configured_secrets_and_msg_itself_are_redacted() -> None:
    out = capture()
    logging.getLogger("x").error(f"header was {SECRET}")  # secret in msg, no args
    assert SECRET not in out.getvalue()
    assert f"header was {REDACTED}" in out.getvalue()


@pytest.mark.parametrize("json_lines", [False, True])
def test_token_redacted_in_exception_traceback(json_lines: bool) -> None:
    out = capture(json_lines)

    def send() -> None:
        raise ConnectionError(f"could not reach {URL}")

    try:
        send()
    except ConnectionError:
        logging.getLogger("bot.send").exception("send failed")
    text = out.getvalue()
    assert TOKEN not in text
    assert "Traceback" in text
    assert "ConnectionError: could not reach" in text
    assert REDACTED in text


def test_token_shaped_strings_are_redacted_even_if_not_configured() -> None:
    out = io.StringIO()
    setup_logging("INFO", secrets=(), stream=out)
    other = "987654321:ZZfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
    logging.getLogger("x").info("url http://127.0.0.1:9/bot%s/getMe", other)
    assert other not in out.getvalue()
    assert f"/bot{REDACTED}/getMe" in out.getvalue()


def test_short_secrets_do_not_shred_ordinary_text() -> None:
    out = io.StringIO()
    setup_logging("INFO", secrets=["a", ""], stream=out)
    logging.getLogger("x").info("a cat sat on a mat")
    assert "a cat sat on a mat" in out.getvalue()


def test_httpx_request_lines_are_quiet_by_default_and_redacted_when_enabled() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    out = capture()
    with httpx.Client(transport=transport) as client:
        client.post(URL)
    assert "HTTP Request" not in out.getvalue()

    out = capture(quiet_http=False)
    with httpx.Client(transport=transport) as client:
        client.post(URL)
    text = out.getvalue()
    assert "HTTP Request: POST" in text  # httpx really logged the URL...
    assert TOKEN not in text  # ...and the filter scrubbed it
    assert f"/bot{REDACTED}/sendMessage" in text


def test_json_lines_parse_with_fields_and_redacted_extras() -> None:
    out = capture(json_lines=True)
    log = logging.getLogger("bot.reminders.hub")
    log.info("reminder sent", extra={"user": user_ref(42), "attempt": 2, "url": URL})
    try:
        raise ValueError("multi\nline")
    except ValueError:
        log.exception("boom")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert {"ts", "level", "logger", "msg"} <= first.keys()
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.reminders.hub"
    assert first["msg"] == "reminder sent"
    assert first["ts"].endswith("+00:00")
    assert first["attempt"] == 2
    assert first["user"] == user_ref(42)
    assert first["url"] == f"http://127.0.0.1:9/bot{REDACTED}/sendMessage"
    assert second["level"] == "ERROR"
    assert "ValueError: multi\nline" in second["exc"]


def test_plain_format_is_one_readable_line() -> None:
    out = io.StringIO()
    setup_logging("INFO", stream=out)
    logging.getLogger("bot.app").info("started in %s mode", "polling")
    logging.getLogger("bot.app").debug("not shown at INFO")
    (line,) = out.getvalue().splitlines()
    assert line.endswith(" INFO bot.app: started in polling mode")


def test_setup_replaces_previous_handlers_and_rejects_bad_level() -> None:
    first, second = io.StringIO(), io.StringIO()
    setup_logging("INFO", stream=first)
    setup_logging("warning", stream=second)
    logging.getLogger("x").warning("once")
    assert first.getvalue() == ""
    assert "once" in second.getvalue()
    with pytest.raises(ValueError, match="LOUD"):
        setup_logging("LOUD")


def test_user_ref_is_stable_short_and_hides_the_id() -> None:
    set_user_ref_key(TOKEN)
    ref = user_ref(123456789)
    assert ref == user_ref(123456789)
    assert ref != user_ref(123456780)
    assert "123456789" not in ref
    assert len(ref) <= 16
    set_user_ref_key("another key")
    assert user_ref(123456789) != ref
    with pytest.raises(ValueError):
        set_user_ref_key(b"")


# --- no update's content, at any level ---------------------------------------------------

TYPED = "my zebra sciatica flares at night"
UPDATE: dict[str, Any] = {
    "update_id": 7,
    "message": {"message_id": 1, "date": 0, "text": TYPED, "chat": {"id": 42}},
}


@pytest.mark.parametrize("json_lines", [False, True])
def test_ptbs_critical_line_about_an_unreadable_update_keeps_its_words_not_the_update(
    json_lines: bool,
) -> None:
    """What PTB's own webhook server logged, the user's words included."""
    out = capture(json_lines)
    logging.getLogger("telegram.ext.Updater").critical(
        "Something went wrong processing the data received from Telegram. "
        "Received data was *not* processed! Received data was: %r",
        UPDATE,
    )
    text = out.getvalue()
    assert "Something went wrong processing the data" in text
    assert "zebra" not in text and logs.WITHHELD in text


def test_an_update_in_any_form_from_any_logger_at_any_level_is_withheld() -> None:
    from telegram import Update

    out = capture()
    update = Update.de_json(
        {
            **UPDATE,
            "message": {
                **UPDATE["message"],
                "chat": {"id": 42, "type": "private"},
            },
        },
        None,
    )
    for level in (logging.DEBUG, logging.INFO, logging.ERROR, logging.CRITICAL):
        logging.getLogger("some.library").log(level, "got %s", update)
        logging.getLogger("some.library").log(level, "got %s", json.dumps(UPDATE))
        logging.getLogger("some.library").log(level, UPDATE)
        logging.getLogger("some.library").log(level, "got %(u)s", {"u": UPDATE})
        logging.getLogger("telegram.ext.Application").log(level, "Processing update %s", update)
    logging.getLogger("bot.test").info("sent", extra={"payload": update.message})
    text = out.getvalue()
    assert "zebra" not in text, text
    assert text.count(logs.WITHHELD) >= 16
    # ordinary lines are untouched
    logging.getLogger("bot.test").info("an update that could not be read (%d bytes)", 120)
    assert "an update that could not be read (120 bytes)" in out.getvalue()
