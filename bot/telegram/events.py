"""Telegram updates into flow events (and nothing else)."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update

from bot.presentation import callbacks
from flows.events import Command, Event, Other, Press, SharePress, Text

MAX_TEXT_IN = 4096
# callback data we never produced: the engine answers it as a stale button
_FORGED = Press(-1, "")


def command_of(message: Message, bot_username: str | None) -> Command | None:
    """A command needs Telegram's bot_command entity at offset 0, like Telegram clients send."""
    text = message.text or ""
    entities = message.entities or ()
    if not any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities):
        return None
    word, _, args = text.partition(" ")
    name, _, target = word[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return Command(name.lower()[:32], args[:200])


def to_event(update: Update, bot_username: str | None = None) -> Event | SharePress | None:
    """None means: not something a user said to us (edits, channel posts, joins...)."""
    if update.callback_query is not None:
        return callbacks.decode(update.callback_query.data) or _FORGED
    message = update.message
    if message is None:
        return None
    cmd = command_of(message, bot_username)
    if cmd is not None:
        return cmd
    if message.text is not None:
        return Text(message.text[:MAX_TEXT_IN])
    return Other(_kind(message))


def _kind(message: Message) -> str:
    for kind in (
        "sticker",
        "photo",
        "voice",
        "video",
        "document",
        "location",
        "contact",
        "animation",
        "audio",
        "video_note",
        "poll",
        "dice",
    ):
        if getattr(message, kind, None):
            return kind
    return "other"
