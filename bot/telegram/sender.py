"""Flow effects out to Telegram: the renderer's messages delivered as Bot API calls.

What a turn shows, and in what order, is bot.presentation.render's; here each `Message`
becomes a call (send_message, send_voice, send_animation, send_photo, send_document)
with its inline keyboard, media are uploaded once and re-sent by file id, and the send
policy decides what happens when Telegram refuses (bot/telegram/policy.py retries).

Sending never raises into the handler: a user who blocked the bot (403) or a
Telegram error is logged (without the user's health data) and the next effect
is still tried, because the turn is already saved: a turn's later messages never
depend on an earlier one's success.

A picture or a voice note that carries a message (its text the caption, its buttons
attached) is the only place that message would have been. So when Telegram refuses
the media (400: a file id it no longer knows, a file it will not take) or answers
with something PTB cannot read (an animation without its width, a cut-off answer),
the same text and buttons go out as a plain message: a refused picture never strands
a set without its buttons. A media send that timed out after it was written is not
replaced (bot/telegram/policy.py): it may have arrived, and then the text would be
its second copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, aclosing
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram import Message as TgMessage
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.animation.figure import HEIGHT_PX, WIDTH_PX
from bot.animation.service import Drawing, drawing_for, step_still
from bot.presentation.messages import Message, Voice
from bot.presentation.render import Drawn, Exported, View, render
from bot.progress.report import UserData
from bot.services import Services
from bot.sharing.clinic import SEND_WITHIN
from bot.sharing.letters import Letter
from bot.voice.cache import Clip
from bot.voice.script import voice_note
from flows.effects import Animate, Effect
from flows.session import Session

log = logging.getLogger(__name__)

# the sharing side's last check before a letter about a patient leaves (Clinic.leaving)
Gate = Callable[[Letter], AbstractAsyncContextManager[bool]]

T = TypeVar("T")


class Blocked(Exception):
    """The user blocked the bot: stop sending to them in this turn."""


class Unreadable(TelegramError):
    """Telegram answered a send with something PTB could not read: a message that does
    not parse (an animation without its width), or a body that is not JSON."""


async def readable(call: Awaitable[T]) -> T:
    """The answer of a Bot API call, or Unreadable when PTB could not make it out.

    PTB parses a send's answer into a Message inside the call: a field missing there
    surfaces as a TypeError or KeyError, a body that is not JSON as a bare
    TelegramError("Invalid server response"); both mean Telegram did answer.
    """
    try:
        return await call
    except TelegramError as exc:
        if type(exc) is TelegramError:
            raise Unreadable(f"unreadable answer: {exc.message}") from exc
        raise
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise Unreadable(f"unreadable answer: {type(exc).__name__}") from exc


REFUSED = (BadRequest, Unreadable)  # media Telegram will not take, or took unreadably


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    if not message.rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in message.rows
        ]
    )


CAPTION_MAX = 1024  # Telegram's limit for a voice note's caption


class Sender:
    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        # what /progress, /export and /mydata show; the clock read when they are asked
        self.stored = UserData(
            services.history,
            services.clinic.shares,
            services.conversations,
            lambda: services.coach.clock(),
        )
        self._upload_locks: dict[str, asyncio.Lock] = {}
        self._sent: dict[int, int] = {}  # messages sent per chat: has the user moved on?
        self._later: set[asyncio.Task[None]] = set()

    async def text(self, chat_id: int, message: Message) -> None:
        await readable(
            self.bot.send_message(chat_id, message.text, reply_markup=keyboard(message))
        )
        self._sent[chat_id] = self._sent.get(chat_id, 0) + 1

    async def effects(
        self, chat_id: int, session: Session, effects: Sequence[Effect], user_id: int | None = None
    ) -> bool:
        """Send what the turn shows; False when the user turned out to have blocked us.
        `user_id`: whose stored data a chart, an export or /mydata shows (the chat's)."""
        view = View(
            chat_id if user_id is None else user_id,
            session,
            voice=session.voice and self.services.voice is not None,
            pictures=self.services.animations is not None,
        )
        try:
            async with aclosing(render(effects, view, _Showing(self, chat_id))) as messages:
                async for message in messages:
                    await self.deliver(chat_id, message)
        except Blocked:
            log.info("user blocked the bot; skipping the rest of this turn")
            return False
        return True

    async def deliver(self, chat_id: int, message: Message) -> None:
        """One rendered message as the Bot API call it needs. A Telegram error is logged
        and counted; Blocked when the user blocked the bot."""
        if message.file is not None:
            await self.send_file(chat_id, message)
        elif message.animation is not None and self.services.animations is not None:
            await self.guard(self.animated(chat_id, message, message.animation), "sendAnimation")
        elif message.voice is not None and message.text:
            await self.guard(self.voiced(chat_id, message, message.voice), "sendVoice")
        elif message.voice is not None:
            await self.guard(self.speak(chat_id, message.voice))
        elif message.still is not None:
            await self.guard(self.pictured(chat_id, message), "sendPhoto")
        else:
            await self.guard(self.text(chat_id, message), "sendMessage")

    async def letters(self, letters: Sequence[Letter], gate: Gate | None = None) -> None:
        """The sharing side's messages, often to someone other than the user who acted:
        one who blocked the bot is skipped, the rest still go. `gate` checks each
        letter's access again just before it leaves and marks it on its way meanwhile."""
        for letter in letters:
            if gate is None:
                await self._letter(letter)
                continue
            async with gate(letter) as allowed:
                if not allowed:
                    log.info("a letter about a patient was not sent: the share has ended")
                    continue
                try:  # its mark says "on its way" for SEND_LIMIT: it never sends after that
                    async with asyncio.timeout(SEND_WITHIN):
                        await self._letter(letter)
                except TimeoutError:
                    log.warning("a letter about a patient was given up: its send took too long")

    async def _letter(self, letter: Letter) -> None:
        try:
            await self.deliver(letter.chat_id, letter.message)
        except Blocked:
            log.info("a share's other side blocked the bot; skipped")

    async def send_file(self, chat_id: int, message: Message) -> None:
        """A chart as a picture, its text the caption (refused: the text and buttons go
        alone); the others as documents (refused: not replaced by the caption, which
        announces a file)."""
        file = message.file
        assert file is not None
        upload = InputFile(file.data, filename=file.name)
        caption = message.text[:CAPTION_MAX] or None
        if file.kind == "chart":
            photo = self.bot.send_photo(
                chat_id, upload, caption=caption, reply_markup=keyboard(message)
            )
            await self.guard(self.media_or_text(chat_id, photo, message, "sendPhoto"), "sendPhoto")
        else:
            document = self.bot.send_document(chat_id, upload, caption=caption)
            await self.guard(readable(document), "sendDocument")

    async def voiced(self, chat_id: int, message: Message, attached: Voice) -> None:
        """The message as a voice note (its text the caption, its buttons attached) when
        the note is ready; otherwise the text at once and the note after it, if the user
        has not moved on by then. A reply never waits for speech synthesis."""
        voice = self.services.voice
        assert voice is not None
        before = (voice.hits, voice.misses, voice.failures)
        clip = await voice_note(voice, attached.note, attached.lang, make=False)
        self._count_tts(before)
        if clip is not None and len(message.text) <= CAPTION_MAX:
            try:
                await self.send_clip(chat_id, clip, message)
            except REFUSED as exc:
                await self._fall_back(chat_id, message, "sendVoice", exc)
            return
        await self.text(chat_id, message)
        self._later_note(chat_id, attached)

    def _later_note(self, chat_id: int, attached: Voice) -> None:
        task = asyncio.create_task(self._follow(chat_id, attached, self._sent[chat_id]))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def animated(self, chat_id: int, message: Message, motion: Animate) -> None:
        """The set's first message as its animation (caption and buttons on it), and the
        message's voice note after it. An animation not yet drawn is drawn for next time
        while the text goes out: a reply never waits for rendering either."""
        animations = self.services.animations
        assert animations is not None
        attached = message.voice
        drawing = drawing_for(motion)
        path = animations.cached(drawing)
        if path is None or len(message.text) > CAPTION_MAX:
            task = asyncio.create_task(self._draw(drawing))
            self._later.add(task)
            task.add_done_callback(self._later.discard)
            if attached is not None:
                await self.voiced(chat_id, message, attached)
            else:
                await self.text(chat_id, message)
            return
        try:
            await self.send_animation(chat_id, drawing.key, path, message)
        except REFUSED as exc:
            # the message as text; its voice note, if any, follows as it would have
            await self._fall_back(chat_id, message, "sendAnimation", exc)
        voice = self.services.voice
        if attached is not None and voice is not None:
            clip = await voice_note(voice, attached.note, attached.lang, make=False)
            if clip is not None:
                await self.send_clip(chat_id, clip)
            else:
                self._later_note(chat_id, attached)

    async def media_or_text(
        self, chat_id: int, send: Awaitable[object], message: Message, method: str
    ) -> None:
        """A media send that carries `message`; refused, the message goes as text."""
        try:
            await readable(send)
        except REFUSED as exc:
            await self._fall_back(chat_id, message, method, exc)

    async def _fall_back(
        self, chat_id: int, message: Message, method: str, exc: Exception
    ) -> None:
        log.warning("%s refused (%s); its text and buttons sent without it", method, exc)
        self.services.metrics.count_send(method, "fallback")
        await self.text(chat_id, message)

    async def _draw(self, drawing: Drawing) -> None:
        animations = self.services.animations
        assert animations is not None
        try:
            await animations.render(drawing)
        except Exception:
            log.exception("an animation could not be drawn")

    async def pictured(self, chat_id: int, message: Message) -> None:
        """The step's picture with its text as the caption and its buttons; a still not in
        the media, a long text or a refused photo: the text and buttons alone."""
        animations = self.services.animations
        still = step_still(message.still) if message.still is not None else None
        path = animations.cached(still) if animations is not None and still else None
        if still is None or path is None or len(message.text) > CAPTION_MAX:
            await self.text(chat_id, message)
            return
        markup = keyboard(message)

        def send(media: str | InputFile) -> Awaitable[TgMessage]:
            return self.bot.send_photo(
                chat_id, photo=media, caption=message.text, reply_markup=markup
            )

        def file_id(msg: TgMessage) -> str | None:
            return msg.photo[-1].file_id if msg.photo else None

        try:
            await self._once(chat_id, still.key, path, ".png", send, file_id)
        except REFUSED as exc:
            await self._fall_back(chat_id, message, "sendPhoto", exc)

    async def send_animation(self, chat_id: int, key: str, path: Path, message: Message) -> None:
        """The set's animation with the message's caption and buttons on it."""
        markup = keyboard(message)

        def send(media: str | InputFile) -> Awaitable[TgMessage]:
            return self.bot.send_animation(
                chat_id,
                animation=media,
                caption=message.text,
                reply_markup=markup,
                width=WIDTH_PX,
                height=HEIGHT_PX,
            )

        def file_id(msg: TgMessage) -> str | None:
            return msg.animation.file_id if msg.animation is not None else None

        await self._once(chat_id, key, path, ".mp4", send, file_id)

    async def _follow(self, chat_id: int, attached: Voice, mark: int) -> None:
        voice = self.services.voice
        assert voice is not None
        try:
            before = (voice.hits, voice.misses, voice.failures)
            # cached for next time either way
            clip = await voice_note(voice, attached.note, attached.lang)
            self._count_tts(before)
            if clip is None or self._sent.get(chat_id, 0) != mark:
                return  # no voice, or a newer message is on screen: a late note would confuse
            await self.guard(self.send_clip(chat_id, clip), "sendVoice")
        except Blocked:
            log.info("user blocked the bot before a voice note followed")
        except Exception:
            log.exception("a voice note that follows its text failed")

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for voice notes still following their texts; at shutdown those not sent
        within `timeout` are dropped (the text they follow is already there)."""
        if not self._later:
            return
        _, pending = await asyncio.wait(list(self._later), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

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

    async def speak(self, chat_id: int, note: Voice) -> None:
        """A voice note on its own: made now if it is not cached (no text to go first)."""
        voice = self.services.voice
        if voice is None:
            return
        before = (voice.hits, voice.misses, voice.failures)
        clip = await voice_note(voice, note.note, note.lang)
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

    async def send_clip(self, chat_id: int, clip: Clip, message: Message | None = None) -> None:
        """A voice note; with `message`, its text is the caption and its buttons attached."""
        caption = message.text if message is not None else None
        markup = keyboard(message) if message is not None else None

        def send(media: str | InputFile) -> Awaitable[TgMessage]:
            return self.bot.send_voice(
                chat_id,
                voice=media,
                duration=clip.duration_s,
                caption=caption,
                reply_markup=markup,
            )

        def file_id(msg: TgMessage) -> str | None:
            return msg.voice.file_id if msg.voice is not None else None

        await self._once(chat_id, clip.key, clip.path, ".ogg", send, file_id)

    async def _once(
        self,
        chat_id: int,
        key: str,
        path: Path,
        suffix: str,
        send: Callable[[str | InputFile], Awaitable[TgMessage]],
        file_id_of: Callable[[TgMessage], str | None],
    ) -> None:
        """Upload a file once, then re-send it by the Telegram file_id kept in the
        database; a file id Telegram no longer knows is uploaded again."""
        store = self.services.voice_files
        async with self._upload_locks.setdefault(key, asyncio.Lock()):
            known = await store.file_id(key)
            if known is not None:
                try:
                    await readable(send(known))
                    self._sent[chat_id] = self._sent.get(chat_id, 0) + 1
                    return
                except BadRequest:
                    log.info("a cached file id was rejected; uploading again")
            data = await asyncio.to_thread(path.read_bytes)
            msg = await readable(
                send(InputFile(data, filename=f"{key[:40]}{suffix}", attach=True))
            )
            self._sent[chat_id] = self._sent.get(chat_id, 0) + 1
            new_id = file_id_of(msg)
            if new_id is not None:
                await store.save_file_id(key, new_id, self.services.coach.clock())


class _Showing:
    """The user's stored data for the renderer (bot.presentation.render.Stored), with
    Telegram's "sending a photo..." or "sending a file..." while a chart or the export
    is made."""

    def __init__(self, sender: Sender, chat_id: int) -> None:
        self.sender = sender
        self.chat_id = chat_id

    def now(self) -> datetime:
        return self.sender.stored.now()

    async def chart(self, user_id: int, session: Session, now: datetime) -> Drawn:
        await self._action(ChatAction.UPLOAD_PHOTO)
        return await self.sender.stored.chart(user_id, session, now)

    async def export(self, user_id: int, session: Session, now: datetime) -> Exported:
        await self._action(ChatAction.UPLOAD_DOCUMENT)
        return await self.sender.stored.export(user_id, session, now)

    async def counts(self, user_id: int) -> Mapping[str, int]:
        return await self.sender.stored.counts(user_id)

    async def _action(self, action: str) -> None:
        await self.sender.guard(self.sender.bot.send_chat_action(self.chat_id, action))
