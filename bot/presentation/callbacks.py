"""Button data, both ways, for every adapter: "<seq>:<value>", "r:<action>" or "p:<...>".

Telegram caps callback data at 64 bytes; a button of a question carries the
prompt's sequence number so an old keyboard is recognised as stale, a
reminder's buttons carry their action only (a ping is not a question), and the
sharing screens' buttons (bot.sharing) carry "p:" and what bot.sharing checks.
"""

from __future__ import annotations

from flows.effects import Choice, Say
from flows.events import Event, Press, ReminderPress, SharePress
from flows.numbers import whole

MAX_DATA = 64  # Telegram's limit for callback_data, in bytes
_REMINDER = "r"
_SHARING = "p"


def encode(say: Say, choice: Choice) -> str:
    head = _REMINDER if say.reminder else str(say.seq)
    return f"{head}:{choice.value}"


def decode(data: str | None) -> Event | SharePress | None:
    """Button data back into an event; None for anything we never produced."""
    if not data or len(data.encode()) > MAX_DATA:
        return None
    head, sep, value = data.partition(":")
    if not sep or not value:
        return None
    if head == _REMINDER:
        return ReminderPress(value)
    if head == _SHARING:
        return SharePress(value)
    seq = whole(head) if head.isascii() else None
    if seq is not None:
        return Press(seq, value)
    return None
