"""A voice note into the words it says, or into the reason it could not be heard.

bot.voice.stt does the listening; this module only fetches the note from
Telegram and chooses the event: the transcript as a Text (the conversation
reads it exactly as typed words), or Other("voice...") when recognition is
off or not in this user's language, the note is too long, or nothing came of
it (flows.heard words each answer). The audio lives in memory only, for as
long as it is transcribed; neither it nor the transcript is logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Message
from telegram.error import TelegramError

from bot.presentation.i18n import pick_language
from bot.services import Services
from bot.voice.stt import MAX_BYTES, MAX_SECONDS
from flows.events import Event, Other, Text
from flows.heard import VOICE_OFF, VOICE_TOO_LONG, VOICE_UNCLEAR

log = logging.getLogger(__name__)

MAX_TEXT_IN = 4096


async def voice_event(
    services: Services, message: Message | None, user_id: int, language_code: str | None
) -> Event:
    """Call with the user's lock held: their language is read from their session."""
    speech = services.speech
    voice = message.voice if message is not None else None
    if speech is None or voice is None:
        return Other(VOICE_OFF)
    session = await services.coach.session(user_id)
    language = session.language if session is not None else pick_language(language_code)
    if not speech.speaks(language):
        return Other(VOICE_OFF)
    if _seconds(voice.duration) > MAX_SECONDS or (voice.file_size or 0) > MAX_BYTES:
        return Other(VOICE_TOO_LONG)
    try:
        file = await voice.get_file()
        audio = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.info("could not fetch a voice note: %s", type(exc).__name__)
        return Other(VOICE_UNCLEAR)
    if len(audio) > MAX_BYTES:
        return Other(VOICE_TOO_LONG)
    try:
        said = await speech.transcribe(audio, language)
    except Exception as exc:  # an undecodable file: the user is asked again, never stuck
        log.info("could not transcribe a voice note: %s", type(exc).__name__)
        return Other(VOICE_UNCLEAR)
    finally:
        del audio
    return Text(said[:MAX_TEXT_IN]) if said.strip() else Other(VOICE_UNCLEAR)


def _seconds(duration: int | timedelta | None) -> float:
    """PTB gives durations as int seconds or as a timedelta, by its settings."""
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return float(duration or 0)
