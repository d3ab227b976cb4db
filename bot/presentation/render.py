"""Effects in, messages out: the one place that decides what a user sees, in what order.

The engine's effects (flows.effects) become `Message`s (bot.presentation.messages):
text and buttons, a voice note, the set's animation, a step's still, a chart or a
document. Every adapter shows a turn through `render` and only delivers what it
yields: bot.telegram.sender makes Bot API calls of them (and keeps the send policy:
retries, media refused -> the same text), bot.console prints them. A reminder's ping
and a question a sharing screen asks again are one message (`question`); the turn a
physical therapist's act gives the patient is read, not heard (`texts`); the chart and
the files a PT asks for are worded as the patient's own (`chart`, `export`).

Shown per effect:
- `Say`: adjacent texts joined (bot.presentation.messages.merge_says), each message
  ending at one with buttons; its voice note (voice on), the set's animation or the
  step's still (pictures on) ride on it.
- `Speak`, `SpeakGuided`: a voice note on its own (voice on).
- `ShowChart`: "no check-ins yet" when empty, then the chart with its summary.
- `SendExport`: the check-ins (CSV, with the caption), then the report (HTML).
- `ShowMyData`: what is stored, in words.
- Nothing for the records and reminder changes (flows.effects.RECORDS and
  REMINDER_CHANGES: stored by the coach), `Stopped` (the PT's alert:
  bot.sharing.clinic), `Stale` (the tapped button's answer) or `ForgetUser` (done by
  the coach, and by the console for the files it wrote).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.presentation.i18n import translate
from bot.presentation.messages import (
    File,
    Joined,
    Message,
    Still,
    Voice,
    merge_says,
    mydata,
    render_joined,
    render_say,
)
from bot.presentation.texts import EXPORT_CAPTION, PROGRESS_EMPTY
from flows.catalogue import step_side
from flows.effects import Effect, Say, SendExport, ShowChart, ShowMyData, Speak, SpeakGuided
from flows.model import Rung
from flows.session import Session, State


class Drawn(Protocol):
    """A chart made for a reader (bot.progress.report.Progress)."""

    @property
    def png(self) -> bytes: ...
    @property
    def summary(self) -> str: ...
    @property
    def points(self) -> int: ...


class Exported(Protocol):
    """The check-ins and the report (bot.progress.report.Export)."""

    @property
    def csv(self) -> bytes: ...
    @property
    def html(self) -> bytes: ...


class Stored(Protocol):
    """The user's stored data, gathered when an effect shows it (bot.progress.report.
    UserData; the Telegram adapter's also says "sending a photo..." meanwhile)."""

    def now(self) -> datetime: ...
    async def chart(self, user_id: int, session: Session, now: datetime) -> Drawn: ...
    async def export(self, user_id: int, session: Session, now: datetime) -> Exported: ...
    async def counts(self, user_id: int) -> Mapping[str, int]: ...


@dataclass(frozen=True, slots=True)
class View:
    """Whom a turn is shown to, and what the adapter can show them."""

    user_id: int
    session: Session  # after the turn: the language, the question on screen
    voice: bool = False  # voice notes can be made (the user's choice, and a voice service)
    pictures: bool = False  # animations and stills can be shown

    @property
    def lang(self) -> str:
        return self.session.language


async def render(
    effects: Sequence[Effect], view: View, stored: Stored
) -> AsyncGenerator[Message, None]:
    """The turn's messages, in order. Lazy: stored data is gathered (and a chart drawn)
    only when its turn comes, after the messages before it were delivered."""
    lang = view.lang
    for shown in merge_says(effects, view.voice, lang):
        if isinstance(shown, Joined):
            yield _joined(shown, view)
        elif isinstance(shown, Say):  # a reminder's: a message of its own, never joined
            yield render_say(shown, lang)
        elif isinstance(shown, (Speak, SpeakGuided)):
            yield Message("", voice=Voice(shown, lang))
        elif isinstance(shown, ShowChart):
            now = stored.now()
            for message in chart(await stored.chart(view.user_id, view.session, now), lang):
                yield message
        elif isinstance(shown, SendExport):
            now = stored.now()
            files = await stored.export(view.user_id, view.session, now)
            for message in export(files, lang, now):
                yield message
        elif isinstance(shown, ShowMyData):
            counts = await stored.counts(view.user_id)
            yield mydata(lang, counts, view.session.assessment.onboarded)


def _joined(joined: Joined, view: View) -> Message:
    """Joined texts, with what the last one carries: its animation (pictures on), else
    its voice note (voice on), else the still of the step it asks about."""
    message = render_joined(joined, view.lang)
    last = joined.says[-1]
    animation = last.animation if view.pictures else None
    voice = Voice(last.voice, view.lang) if view.voice and last.voice is not None else None
    if animation is not None or voice is not None:
        return replace(message, animation=animation, voice=voice)
    if view.pictures and last.choices and last.seq == view.session.seq:
        return replace(message, still=step_on_screen(view.session))
    return message


def step_on_screen(session: Session) -> Still | None:
    """The learn-mode step the user is at (State.STEP), drawn for their side: its still
    goes with the step's message when no voice note carries it (design.md: a set)."""
    if session.state != State.STEP:
        return None
    rung = session.rung or Rung.PRESS_UPS
    side = step_side(rung, session.assessment.side, session.glide_shoulder)
    return Still(rung, session.cursor.step, side)


def question(effects: Sequence[Effect], lang: str) -> Message | None:
    """The question a turn asks, as one message arriving on its own (a reminder's ping,
    the owed question under a sharing screen): the first text, whole, with its buttons;
    None when the turn says nothing."""
    says = [e for e in effects if isinstance(e, Say)]
    return render_say(says[0], lang) if says else None


def texts(effects: Sequence[Effect], lang: str) -> list[Message]:
    """A turn as texts only, no voice and no pictures: what a physical therapist's act
    (a prescription, a lifted hold) shows the patient, who reads it when they come."""
    out = []
    for shown in merge_says(effects, voice=False, lang=lang):
        if isinstance(shown, Joined):
            out.append(render_joined(shown, lang))
        elif isinstance(shown, Say):
            out.append(render_say(shown, lang))
    return out


def chart(drawn: Drawn, lang: str, for_name: str | None = None) -> list[Message]:
    """/progress: the chart with its summary as the caption, after a word on why it is
    empty when nothing is charted yet. `for_name`: a PT's, the patient named first."""
    picture = File("chart", "progress.png", drawn.png)
    if for_name is not None:
        return [Message(f"{for_name}\n{drawn.summary}", file=picture)]
    empty = [] if drawn.points else [Message(translate(lang, PROGRESS_EMPTY))]
    return [*empty, Message(drawn.summary, file=picture)]


def export(
    files: Exported, lang: str, now: datetime, for_name: str | None = None
) -> list[Message]:
    """/export: the check-ins (CSV) and the report (HTML), dated. `for_name`: a PT's,
    each file named after the patient and captioned with their name (design.md)."""
    day = f"{now:%Y-%m-%d}"
    if for_name is None:
        return [
            Message(
                translate(lang, EXPORT_CAPTION),
                file=File("checkins", f"sideglide-checkins-{day}.csv", files.csv),
            ),
            Message("", file=File("report", f"sideglide-report-{day}.html", files.html)),
        ]
    first = file_stem(for_name)
    return [
        Message(for_name, file=File("checkins", f"{first}-checkins-{day}.csv", files.csv)),
        Message(for_name, file=File("report", f"{first}-report-{day}.html", files.html)),
    ]


def file_stem(name: str) -> str:
    """A patient's first name as a file name (letters and digits of any script kept), so
    a PT can tell whose file it is: "Anna-report-2026-12-06.html"."""
    first = (name.split() or ["patient"])[0]
    kept = "".join(ch for ch in first if ch.isalnum() or ch in "-_")[:32]
    return kept or "patient"
