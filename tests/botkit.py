"""Run the real bot in-process against the fake Bot API, and talk to it as a user."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.bootstrap import serve_telegram
from bot.clock import Clock, utcnow
from bot.config import Settings
from tests.dbkit import Db
from tests.fakebotapi import WAIT_TIMEOUT, FakeBotAPI, SentMessage

TOKEN = "123456:TEST-token-for-the-fake-bot-api-0000"


def settings_for(api: FakeBotAPI, tmp: Path, db: Db, **overrides: Any) -> Settings:
    """The bot's settings against the fake, its files in `tmp`, its database `db` (the
    `bot_db` fixture, on each backend, or `sqlite_db`)."""
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "SIDEGLIDE_DB": db,
        "SIDEGLIDE_TTS": "off",
        "SIDEGLIDE_AUDIO_CACHE": tmp / "audio",
        "SIDEGLIDE_HEALTH_LISTEN": "off",
        # drawing takes seconds of CPU: only the tests of animations turn it on
        "SIDEGLIDE_ANIMATIONS": False,
        # scripted users tap faster than any person; the flood test sets its own limit
        "SIDEGLIDE_USER_RATE": 0,
    }
    values.update(overrides)
    return plain_settings(**values)


def plain_settings(**values: Any) -> Settings:
    """Settings from `values` (and the environment), never from a .env file."""
    # pydantic types Settings' __init__ from its fields alone (dataclass_transform), so
    # BaseSettings' own init argument _env_file, real at run time, is unknown to mypy
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running(settings: Settings, clock: Clock = utcnow) -> AsyncIterator[asyncio.Event]:
    """The bot's whole lifetime; leaving the block stops it like SIGTERM would."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve_telegram(settings, stop, ready, clock))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait(
        {task, waiter}, timeout=WAIT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        waiter.cancel()
        task.result()  # raises the start-up error
    if not ready.is_set():
        task.cancel()
        raise TimeoutError("the bot did not start")
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT_TIMEOUT)  # a hang guard, not a time limit


class User:
    """One scripted Telegram user in a private chat with the bot."""

    def __init__(
        self, api: FakeBotAPI, user_id: int, language: str = "en", name: str | None = None
    ) -> None:
        self.api = api
        self.id = user_id
        self.language = language
        self.name = name  # the first name Telegram shows (default "User<id>")
        self.last: SentMessage | None = None

    def say(self, text: str) -> None:
        self.api.send_text(self.id, text, language_code=self.language, first_name=self.name)

    async def expect(
        self, contains: str = "", timeout: float = WAIT_TIMEOUT, kind: str | None = None
    ) -> SentMessage:
        msg = await self.api.wait_for_message(
            self.id, lambda m: contains in (m.text or ""), timeout, kind=kind
        )
        if msg.buttons:
            self.last = msg
        return msg

    async def keyboard(self, timeout: float = WAIT_TIMEOUT) -> SentMessage:
        """The next message that carries buttons."""
        msg = await self.api.wait_for_message(self.id, lambda m: bool(m.buttons), timeout)
        self.last = msg
        return msg

    async def tap(self, label: str, message: SentMessage | None = None) -> None:
        target = message or self.last
        assert target is not None, "no message with buttons yet"
        self.api.press_button(self.id, target, label, language_code=self.language)

    async def answer(self, label: str) -> SentMessage:
        """Wait for the next keyboard, tap `label` on it."""
        msg = await self.keyboard()
        await self.tap(label, msg)
        return msg
