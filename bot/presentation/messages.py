"""What a user is shown, as data: messages with buttons, media and files; and the texts.

The vocabulary of bot.presentation.render (effects in, these messages out), shared by
every adapter: Telegram sends a `Message`, the console prints it. Here too are the
pieces the renderer builds texts with: a flow `Say` translated into text and button
rows, adjacent texts joined, /mydata in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Literal

from bot.presentation import callbacks
from bot.presentation.i18n import _, translate, translate_plural
from bot.presentation.texts import MYDATA, MYDATA_EARLY, MYDATA_MORE, MYDATA_PT, NO_DATA
from flows.effects import (
    RECORDS,
    REMINDER_CHANGES,
    Animate,
    Effect,
    Say,
    Speak,
    SpeakGuided,
)
from flows.model import Rung, Side

MAX_TEXT = 4096  # Telegram's limit for one message


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice note: one msgid spoken, or the guided set, in the reader's language (the
    adapter has it synthesized: bot.voice.script.voice_note)."""

    note: Speak | SpeakGuided
    lang: str


@dataclass(frozen=True, slots=True)
class Still:
    """The picture of the learn-mode step on screen, for the user's side (the adapter
    finds it in the media: bot.animation.service.step_still)."""

    rung: Rung
    step: int  # from 1, as flows.catalogue's steps
    side: Side | None = None


# a chart is shown as a picture; the check-ins and the report are documents
FileKind = Literal["chart", "checkins", "report"]


@dataclass(frozen=True, slots=True)
class File:
    kind: FileKind
    name: str  # the name the reader sees ("Anna-report-2026-12-06.html")
    data: bytes = field(repr=False)


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One message as the user sees it; at most one of its media decides how it goes.

    - `file`: the message is that file (a chart as a picture, else a document), the
      text its caption;
    - `animation`: the message is the set's animation (text as caption, buttons on it),
      and its `voice` note, if any, follows it;
    - `voice` with text: the message is that voice note (text as caption, buttons on
      it); with no text, a voice note on its own;
    - `still`: the message is the step's picture (text as caption, buttons on it);
    - none: a text with its buttons.
    An adapter that cannot show a medium shows the text and buttons (bot.telegram.sender
    says when Telegram refuses one).
    """

    text: str
    rows: Rows = ()
    _: KW_ONLY
    voice: Voice | None = None
    animation: Animate | None = None
    still: Still | None = None
    file: File | None = None


def render_say(say: Say, lang: str) -> Message:
    parts = []
    if say.note:
        parts.append(translate(lang, say.note, say.params))
    if say.prefix:
        parts.append(translate(lang, say.prefix, say.params))
    if say.plural is not None:
        parts.append(translate_plural(lang, say.text, say.plural, say.count, say.params))
    else:
        parts.append(translate(lang, say.text, say.params))
    text = "\n\n".join(parts)[:MAX_TEXT]
    buttons = [
        Button(
            c.label if c.literal else _(lang, c.label),
            callbacks.encode(say, c),
        )
        for c in say.choices
    ]
    cols = max(1, say.columns)
    rows = tuple(tuple(buttons[i : i + cols]) for i in range(0, len(buttons), cols))
    return Message(text, rows)


_SILENT = (*RECORDS, *REMINDER_CHANGES)
# a message a person in pain reads on a phone; longer joins stay separate messages
MAX_JOINED = 400


@dataclass(frozen=True, slots=True)
class Joined:
    """Adjacent texts shown as one message; only the last may carry buttons."""

    says: tuple[Say, ...]


def merge_says(
    effects: Sequence[Effect], voice: bool = True, lang: str = "en"
) -> list[Effect | Joined]:
    """Join adjacent texts into one message, up to the one carrying buttons.

    Fewer messages read better on a phone and halve the Bot API calls of a
    turn; a message with buttons always ends a group, so every question (and
    every exercise step) is still a message of its own, and a join never grows
    past MAX_JOINED characters in the user's language.
    """
    out: list[Effect | Joined] = []
    for effect in _fitted(effects, lang):
        if isinstance(effect, _SILENT):
            continue  # stored by the coach already; nothing to show
        if not voice and isinstance(effect, (Speak, SpeakGuided)):
            continue
        prev = out[-1] if out else None
        if isinstance(effect, Say) and not effect.reminder:
            if (
                isinstance(prev, Joined)
                and not prev.says[-1].choices
                and len(render_joined(Joined((*prev.says, effect)), lang).text) <= MAX_JOINED
            ):
                out[-1] = Joined((*prev.says, effect))
                continue
            out.append(Joined((effect,)))
            continue
        out.append(effect)
    return out


def _fitted(effects: Sequence[Effect], lang: str) -> list[Effect]:
    """A question whose note ("welcome back") makes it too long: the note goes first."""
    out: list[Effect] = []
    for e in effects:
        if isinstance(e, Say) and e.note and len(render_say(e, lang).text) > MAX_JOINED:
            out += [Say(e.note, e.params), replace(e, note=None)]
        elif isinstance(e, Say) and e.prefix and len(render_say(e, lang).text) > MAX_JOINED:
            out += [Say(e.prefix, e.params), replace(e, prefix=None)]
        else:
            out.append(e)
    return out


def render_joined(joined: Joined, lang: str) -> Message:
    messages = [render_say(say, lang) for say in joined.says]
    text = "\n\n".join(m.text for m in messages)[:MAX_TEXT]
    return Message(text, messages[-1].rows)


def mydata(lang: str, counts: Mapping[str, int], onboarded: bool = True) -> Message:
    """/mydata in words, the same in Telegram and the console (never table names); before
    the first questions are done it claims no starting point that does not exist yet."""
    if not counts.get("users"):
        if counts.get("clinicians"):  # a physical therapist who is not a patient here
            return Message(translate(lang, MYDATA_PT, {"shares": counts.get("shares", 0)}))
        return Message(translate(lang, NO_DATA))
    if not onboarded:
        return Message(translate(lang, MYDATA_EARLY, {"screenings": counts.get("screenings", 0)}))
    params = {
        "screenings": counts.get("screenings", 0),
        "checkins": counts.get("checkins", 0),
        "changes": counts.get("rung_changes", 0),
    }
    text = translate(lang, MYDATA, params)
    more = {
        "ratings": counts.get("psfs", 0),
        "prescribed": counts.get("prescriptions", 0),
        "shares": counts.get("shares", 0),
    }
    if any(more.values()):
        text += "\n\n" + translate(lang, MYDATA_MORE, more)
    return Message(text)
