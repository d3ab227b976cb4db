"""Flow effects out to Telegram: messages with inline keyboards, voice notes, files.

Sending never raises into the handler: a user who blocked the bot (403) or a
Telegram error is logged (without the user's health data) and the next effect
is still tried, because the turn is already saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.presentation.i18n import render
from bot.presentation.messages import Joined, Message, merge_says, render_joined, render_say
from bot.services import Services
from flows.effects import Effect, Say, Speak, SpeakGuided
from flows.session import Session

log = logging.getLogger(__name__)


class Blocked(Exception):
    """The user blocked the bot: stop sending to them in this turn."""


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    if not message.rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in message.rows
        ]
    )


class Sender:
    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self._upload_locks: dict[str, asyncio.Lock] = {}

    async def text(self, chat_id: int, message: Message) -> None:
        await self.bot.send_message(chat_id, message.text, reply_markup=keyboard(message))

    async def effects(self, chat_id: int, session: Session, effects: Sequence[Effect]) -> None:
        lang = session.language
        try:
            voice = session.voice and self.services.voice is not None
            for effect in merge_says(effects, voice, lang):
                if isinstance(effect, Joined):
                    await self.guard(
                        self.text(chat_id, render_joined(effect, lang)), "sendMessage"
                    )
                elif isinstance(effect, Say):
                    await self.guard(self.text(chat_id, render_say(effect, lang)), "sendMessage")
                elif isinstance(effect, Speak) and session.voice:
                    await self.guard(
                        self.speak(chat_id, lang, render(lang, effect.text, effect.params))
                    )
                elif isinstance(effect, SpeakGuided) and session.voice:
                    await self.guard(self.guided(chat_id, lang, effect))
        except Blocked:
            log.info("user blocked the bot; skipping the rest of this turn")
            hub = self.services.extras.get("reminders")
            if hub is not None:
                await hub.user_blocked(chat_id)

    async def guard(self, coro: object, method: str = "send") -> None:
        metrics = self.services.metrics
        try:
            await coro  # type: ignore[misc]
        except Forbidden as exc:
            if metrics is not None:
                metrics.count_send(method, "blocked")
            raise Blocked from exc
        except TelegramError as exc:
            log.warning("send failed: %s", type(exc).__name__)
            if metrics is not None:
                metrics.count_send(method, "error")
        else:
            if metrics is not None:
                metrics.count_send(method, "ok")

    # --- voice --------------------------------------------------------------------

    async def speak(self, chat_id: int, lang: str, text: str) -> None:
        voice = self.services.voice
        if voice is None:
            return
        before = (voice.hits, voice.misses, voice.failures)
        clip = await voice.clip(text, lang)
        self._count_tts(before)
        if clip is not None:
            await self.send_clip(chat_id, clip)

    def _count_tts(self, before: tuple[int, int, int]) -> None:
        voice, metrics = self.services.voice, self.services.metrics
        if metrics is None or voice is None:
            return
        after = (voice.hits, voice.misses, voice.failures)
        for result, b, a in zip(("hit", "miss", "failure"), before, after, strict=True):
            for _ in range(a - b):
                metrics.count_tts_cache(result)

    async def guided(self, chat_id: int, lang: str, effect: SpeakGuided) -> None:
        voice = self.services.voice
        if voice is None:
            return
        from bot.voice.script import guided_inputs

        setup, reps = guided_inputs(effect, lang)
        clip = await voice.guided_set(lang, setup, reps)
        if clip is not None:
            await self.send_clip(chat_id, clip)

    async def send_clip(self, chat_id: int, clip: object) -> None:
        """Upload a clip once, then re-send it by Telegram file_id (cached in the database)."""
        key: str = clip.key  # type: ignore[attr-defined]
        path: Path = clip.path  # type: ignore[attr-defined]
        duration: int = clip.duration_s  # type: ignore[attr-defined]
        store = self.services.store
        lock = self._upload_locks.setdefault(key, asyncio.Lock())
        async with lock:
            file_id = await store.file_id(key)
            if file_id is not None:
                try:
                    await self.bot.send_voice(chat_id, voice=file_id, duration=duration)
                    return
                except BadRequest:
                    log.info("cached voice file id rejected; uploading again")
            data = await asyncio.to_thread(path.read_bytes)
            msg = await self.bot.send_voice(
                chat_id,
                voice=InputFile(data, filename=f"{key[:40]}.ogg", attach=True),
                duration=duration,
            )
            if msg.voice is not None:
                await store.save_file_id(key, msg.voice.file_id, self.services.coach.clock())
