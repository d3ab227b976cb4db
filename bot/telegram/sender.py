"""Flow effects out to Telegram: messages with inline keyboards, voice notes, files.

Sending never raises into the handler: a user who blocked the bot (403) or a
Telegram error is logged (without the user's health data) and the next effect
is still tried, because the turn is already saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.presentation.messages import Joined, Message, merge_says, render_joined, render_say
from bot.services import Services
from bot.voice.cache import Clip
from bot.voice.script import voice_note
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

    async def effects(self, chat_id: int, session: Session, effects: Sequence[Effect]) -> bool:
        """Send what the turn shows; False when the user turned out to have blocked us."""
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
                elif isinstance(effect, (Speak, SpeakGuided)) and session.voice:
                    await self.guard(self.speak(chat_id, lang, effect))
        except Blocked:
            log.info("user blocked the bot; skipping the rest of this turn")
            return False
        return True

    async def guard(self, coro: object, method: str = "send") -> None:
        metrics = self.services.metrics
        try:
            await coro  # type: ignore[misc]
        except Forbidden as exc:
            metrics.count_send(method, "blocked")
            raise Blocked from exc
        except TelegramError as exc:
            log.warning("send failed: %s", type(exc).__name__)
            metrics.count_send(method, "error")
        else:
            metrics.count_send(method, "ok")

    # --- voice --------------------------------------------------------------------

    async def speak(self, chat_id: int, lang: str, effect: Speak | SpeakGuided) -> None:
        voice = self.services.voice
        if voice is None:
            return
        before = (voice.hits, voice.misses, voice.failures)
        clip = await voice_note(voice, effect, lang)
        self._count_tts(before)
        if clip is not None:
            await self.send_clip(chat_id, clip)

    def _count_tts(self, before: tuple[int, int, int]) -> None:
        voice, metrics = self.services.voice, self.services.metrics
        if voice is None:
            return
        hits, misses, failures = before
        for _ in range(voice.hits - hits):
            metrics.count_tts_cache("hit")
        for _ in range(voice.misses - misses):
            metrics.count_tts_cache("miss")
        for _ in range(voice.failures - failures):
            metrics.count_tts_cache("failure")

    async def send_clip(self, chat_id: int, clip: Clip) -> None:
        """Upload a clip once, then re-send it by Telegram file_id (cached in the database)."""
        key, path, duration = clip.key, clip.path, clip.duration_s
        store = self.services.voice_files
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
