"""The renderer on its own: effects in, messages out, with no transport and no database.

bot.presentation.render is the one place that decides what a user sees for each effect
and in what order; the adapters' tests (test_sender, test_console, the e2e suites) check
that they deliver it. Here: which message each effect becomes, what rides on it, what
stays silent, and that stored data is gathered only when its turn comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.presentation.i18n import translate
from bot.presentation.messages import File, Message, Still, Voice
from bot.presentation.render import View, question, render, texts
from bot.presentation.render import chart as chart_messages
from bot.presentation.render import export as export_messages
from bot.presentation.texts import EXPORT_CAPTION, PROGRESS_EMPTY
from flows.effects import (
    Animate,
    Choice,
    Effect,
    ForgetUser,
    RecordCheckIn,
    ReminderPause,
    Say,
    SendExport,
    ShowChart,
    ShowMyData,
    Speak,
    SpeakGuided,
    Stale,
    Stopped,
)
from flows.ladder import Stage
from flows.model import Answer, CheckIn, Reach, Rung, Side
from flows.session import Assessment, Cursor, LadderRecord, Session, State

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEXT = (Choice("next", "Next"),)


@dataclass(frozen=True)
class Drawn:
    png: bytes = b"PNG"
    summary: str = "Pain, last 7 days: easing."
    points: int = 3


@dataclass(frozen=True)
class Exported:
    csv: bytes = b"timestamp,exercise\n"
    html: bytes = b"<html></html>"


@dataclass
class FakeStored:
    """Stored data that records when it is asked for."""

    drawn: Drawn = field(default_factory=Drawn)
    asked: list[str] = field(default_factory=list)

    def now(self) -> datetime:
        return T0

    async def chart(self, user_id: int, session: Session, now: datetime) -> Drawn:
        self.asked.append(f"chart {user_id} {now:%Y-%m-%d}")
        return self.drawn

    async def export(self, user_id: int, session: Session, now: datetime) -> Exported:
        self.asked.append(f"export {user_id}")
        return Exported()

    async def counts(self, user_id: int) -> Mapping[str, int]:
        self.asked.append(f"counts {user_id}")
        return {"users": 1, "checkins": 4, "screenings": 9, "rung_changes": 1}


async def shown(
    effects: list[Effect], view: View | None = None, stored: FakeStored | None = None
) -> list[Message]:
    view = view or View(7, Session())
    return [m async for m in render(effects, view, stored or FakeStored())]


async def test_adjacent_texts_are_joined_up_to_the_question_and_records_are_silent() -> None:
    check_in = RecordCheckIn(CheckIn(T0, Rung.SIDE_GLIDE, Answer.NO_CHANGE, 4, Reach.THIGH))
    question_ = Say("Ready?", choices=(Choice("start", "Start now"),), seq=3)
    effects: list[Effect] = [
        Say("Saved."),
        check_in,
        ReminderPause(None),
        question_,
        Say("After."),
        Stale(),
        Stopped(hold="see_pt", reason="x"),
        ForgetUser(),
    ]
    first, second = await shown(effects)
    assert first.text == "Saved.\n\nReady?"
    assert [[b.data for b in row] for row in first.rows] == [["3:start"]]
    assert (first.voice, first.animation, first.still, first.file) == (None, None, None, None)
    assert second == Message("After.")  # a message with buttons ends a join


async def test_a_voice_note_rides_on_its_message_only_with_voice_on() -> None:
    step = Say("Lean in.", choices=NEXT, seq=2, voice=Speak("Lean in."))
    guided = SpeakGuided(rung=Rung.SIDE_GLIDE, side="left")
    (voiced, alone) = await shown([step, guided], View(7, Session(), voice=True))
    assert voiced.voice == Voice(Speak("Lean in."), "en") and voiced.text == "Lean in."
    assert alone == Message("", voice=Voice(guided, "en"))  # a voice note on its own
    (silent,) = await shown([step, guided], View(7, Session(), voice=False))
    assert silent.voice is None and silent.text == "Lean in."


async def test_the_sets_animation_carries_the_message_and_its_voice_note_follows() -> None:
    motion = Animate(rung=Rung.SIDE_GLIDE, side="right")
    card = Say("Side glide.", choices=NEXT, voice=Speak("Side glide."), animation=motion)
    (both,) = await shown([card], View(7, Session(), voice=True, pictures=True))
    assert both.animation == motion and both.voice is not None and both.still is None
    (no_pictures,) = await shown([card], View(7, Session(), voice=True, pictures=False))
    assert no_pictures.animation is None and no_pictures.voice is not None


async def test_a_learn_step_without_its_voice_note_carries_its_still() -> None:
    at_step = Session(
        cursor=Cursor(state=State.STEP, step=3, seq=5),
        assessment=Assessment(side=Side.LEFT),
        ladder=LadderRecord(stage=Stage.SIDE_GLIDE),
    )
    step = Say("Step 3.", choices=NEXT, seq=5, voice=Speak("Step 3."))
    (pictured,) = await shown([step], View(7, at_step, voice=False, pictures=True))
    assert pictured.still == Still(Rung.SIDE_GLIDE, 3, Side.RIGHT)  # the wall shoulder
    (voiced,) = await shown([step], View(7, at_step, voice=True, pictures=True))
    assert voiced.still is None and voiced.voice is not None  # the note is the step
    (old,) = await shown([Say("Step 3.", choices=NEXT, seq=4)], View(7, at_step, pictures=True))
    assert old.still is None  # not the question on screen
    (text,) = await shown([step], View(7, at_step, pictures=False))
    assert text.still is None


async def test_chart_export_and_mydata_come_in_the_turns_order_gathered_when_reached() -> None:
    stored = FakeStored()
    view = View(7, Session())
    effects: list[Effect] = [
        Say("Here it is."),
        ShowChart(),
        SendExport(),
        ShowMyData(),
        Say("Again?", choices=NEXT),
    ]
    messages = render(effects, view, stored)
    first = await anext(messages)
    assert first.text == "Here it is." and stored.asked == []  # nothing gathered yet
    rest = [m async for m in messages]
    assert stored.asked == ["chart 7 2026-03-02", "export 7", "counts 7"]
    picture, csv, html, mydata, again = rest
    assert picture.text == Drawn().summary
    assert picture.file == File("chart", "progress.png", b"PNG")
    assert csv.text == translate("en", EXPORT_CAPTION)
    assert csv.file == File("checkins", "sideglide-checkins-2026-03-02.csv", Exported().csv)
    assert html.text == "" and html.file is not None
    assert html.file.name == "sideglide-report-2026-03-02.html" and html.file.kind == "report"
    # not onboarded yet: no starting point claimed (bot.presentation.messages.mydata)
    assert "questions (9)" in mydata.text and "check-ins" not in mydata.text
    assert again.text == "Again?" and again.rows  # never joined across the files


async def test_an_empty_chart_says_why_first() -> None:
    stored = FakeStored(drawn=Drawn(points=0))
    empty, picture = await shown([ShowChart()], stored=stored)
    assert empty == Message(translate("en", PROGRESS_EMPTY))
    assert picture.file is not None and picture.file.kind == "chart"


def test_a_pts_chart_and_files_name_the_patient() -> None:
    (picture,) = chart_messages(Drawn(points=0), "en", for_name="Anna Maria")
    assert picture.text == f"Anna Maria\n{Drawn().summary}"  # no "no check-ins yet" line
    csv, html = export_messages(Exported(), "en", T0, for_name="Anna Maria")
    assert (csv.text, html.text) == ("Anna Maria", "Anna Maria")
    assert csv.file is not None and csv.file.name == "Anna-checkins-2026-03-02.csv"
    assert html.file is not None and html.file.name == "Anna-report-2026-03-02.html"
    (odd,) = export_messages(Exported(), "en", T0, for_name="../")[:1]
    assert odd.file is not None and odd.file.name == "patient-checkins-2026-03-02.csv"


def test_a_question_asked_on_its_own_is_one_whole_message() -> None:
    ping = Say("Time for a set.", choices=(Choice("start", "Start now"),), reminder=True)
    message = question([ReminderPause(None), ping, Say("more")], "en")
    assert message is not None and message.text == "Time for a set."
    assert [b.data for row in message.rows for b in row] == ["r:start"]
    long = Say("q" * 390, prefix="p" * 30, choices=NEXT, seq=2)
    whole = question([long], "en")
    assert whole is not None and whole.text.startswith("p" * 30) and whole.rows
    assert (
        question([RecordCheckIn(CheckIn(T0, Rung.SIDE_GLIDE, Answer.WORSE, 5, Reach.THIGH))], "en")
        is None
    )


def test_a_pts_act_shows_the_patient_texts_only() -> None:
    effects: list[Effect] = [
        Say("Your PT set it.", voice=Speak("x")),
        Say("Start?", choices=NEXT, animation=Animate(rung=Rung.PRESS_UPS)),
        Speak("y"),
    ]
    (message,) = texts(effects, "en")
    assert message.text == "Your PT set it.\n\nStart?" and message.rows
    assert (message.voice, message.animation, message.still) == (None, None, None)
