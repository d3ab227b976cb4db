"""Turning a flow `Say` into text and button rows, the same for Telegram and the console."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import _, render
from flows.effects import Say
from flows.events import Event, Press, ReminderPress

MAX_TEXT = 4096  # Telegram's limit for one message


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()


def render_say(say: Say, lang: str) -> Message:
    parts = []
    if say.note:
        parts.append(render(lang, say.note, say.params))
    if say.prefix:
        parts.append(render(lang, say.prefix, say.params))
    parts.append(render(lang, say.text, say.params))
    text = "\n\n".join(parts)[:MAX_TEXT]
    buttons = [
        Button(
            c.label if c.literal else _(lang, c.label),
            f"r:{c.value}" if say.reminder else f"{say.seq}:{c.value}",
        )
        for c in say.choices
    ]
    cols = max(1, say.columns)
    rows = tuple(tuple(buttons[i : i + cols]) for i in range(0, len(buttons), cols))
    return Message(text, rows)


def parse_callback(data: str | None) -> Event | None:
    """Callback data back into an event; None for anything we never produced."""
    if not data or len(data) > 64:
        return None
    head, sep, value = data.partition(":")
    if not sep or not value:
        return None
    if head == "r":
        return ReminderPress(value)
    if head.isdigit() and len(head) <= 12:
        return Press(int(head), value)
    return None
