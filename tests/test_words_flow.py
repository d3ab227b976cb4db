"""The user's own words in the conversation (flows.heard): what a sign, a check-in in
words, a set's word and a voice note lead to, and the safety promises on random paths."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import bootstrap
from bot.console.console import Console
from flows import heard, screening
from flows import texts as t
from flows.effects import RecordCheckIn, RecordScreening, ReminderPause, Say, Stopped
from flows.engine import advance, choices
from flows.events import Command, Event, Other, Press, ReminderDue, Text
from flows.model import Answer, Reach
from flows.session import Session, State
from tests.flowkit import T0, Script, safety_problems
from tests.test_console import ONBOARD, console_settings

GROIN_AND_BLADDER = "my groin has gone numb and I can't control my bladder"


def now(s: Script) -> Session:
    """The session as it is now: mypy keeps what an earlier assert narrowed
    `s.session.state` to across the calls that changed it; a call's result it does not."""
    return s.session


def at_checkin() -> Script:
    return Script().onboard().press("start").steps()


def one_say(s: Script) -> Say:
    (say,) = s.says()
    return say


def shows(say: Say, msgid: str) -> bool:
    """The message opens with `msgid` (a note above the question, or its prefix)."""
    return msgid in (say.note, say.prefix)


# --- a warning sign in words ---------------------------------------------------------------


def test_a_warning_sign_typed_at_the_check_in_asks_that_signs_question_first() -> None:
    s = at_checkin()
    s.type(GROIN_AND_BLADDER)
    say = one_say(s)
    assert s.session.state == State.SIGN
    assert say.text == screening.BY_ID["bladder"].question and say.prefix == heard.SIGN_INTRO
    assert [c.value for c in say.choices] == ["yes", "no"]
    assert s.of(RecordCheckIn) == [] and s.of(RecordScreening) == []


def test_yes_is_the_red_flag_stop_exactly_as_the_screenings_yes() -> None:
    by_words = at_checkin().type(GROIN_AND_BLADDER).press("yes")
    screened = at_checkin().cmd("safety").press("yes")
    for s in (by_words, screened):
        assert s.session.state == State.REDFLAG
        assert s.session.safety.red_flag == "bladder"
        assert s.of(RecordScreening) == [RecordScreening(question="bladder", yes=True)]
        assert ReminderPause("redflag") in s.effects
        assert any(isinstance(e, Stopped) for e in s.effects)
    assert by_words.texts()[-1] == screened.texts()[-1] == screening.EMERGENCY_ADVICE
    # nothing of the check-in the words interrupted is lost: it is owed after a re-screen
    assert by_words.session.pending.owed == State.CHECK_ANSWER


def test_every_sign_named_is_asked_in_turn_then_back_to_where_the_user_was() -> None:
    s = at_checkin().type(GROIN_AND_BLADDER)
    s.press("no")
    assert one_say(s).text == screening.BY_ID["saddle"].question
    s.press("no")
    assert s.session.state == State.CHECK_ANSWER
    assert shows(one_say(s), heard.SIGN_BACK)
    assert s.session.pending.owed == State.CHECK_ANSWER


def test_after_no_what_else_was_said_is_understood() -> None:
    s = at_checkin().type("I fell down the stairs and it's worse, pain 7, down to my calf")
    assert one_say(s).text == screening.BY_ID["trauma"].question
    s.press("no")
    assert s.session.state == State.CHECK_HEARD
    say = one_say(s)
    assert say.text == heard.HEARD[(True, True, True)] and say.prefix == heard.SIGN_BACK
    assert say.params["pain"] == 7


def test_a_typed_yes_stops_but_only_a_tap_goes_on() -> None:
    s = at_checkin().type("I have a fever")
    s.type("yes")
    assert s.session.state == State.REDFLAG and s.session.safety.red_flag == "fever"
    s = at_checkin().type("I have a fever").type("no")
    assert s.session.state == State.SIGN  # the question again, its buttons
    assert shows(one_say(s), t.PLEASE_BUTTONS)


def test_a_sign_is_asked_anywhere_and_an_ordinary_text_never_blocks() -> None:
    for script in (
        Script().cmd("start").press("ok"),  # the screening itself
        Script().onboard(),  # the offer
        Script().onboard().press("start"),  # a step
        Script().onboard().press("later"),  # idle
        Script().onboard().cmd("language"),  # a side question
    ):
        before = script.session.state
        script.type("i'm on steroids for my asthma")
        assert script.session.state == State.SIGN, before
        script.press("no")
        assert script.session.state == before
    s = at_checkin().type("hello")
    assert s.session.state == State.CHECK_ANSWER and shows(one_say(s), t.PLEASE_BUTTONS)


def test_the_sign_question_is_owed_until_answered() -> None:
    s = at_checkin().type(GROIN_AND_BLADDER)
    for event in (Command("stop"), Command("exercise"), ReminderDue(), Command("checkin")):
        s.send(event)
        assert s.session.state == State.SIGN, event
    s.cmd("help")
    assert (
        s.session.state == State.SIGN and s.says()[-1].text == screening.BY_ID["bladder"].question
    )


def test_after_a_red_flag_only_a_graver_sign_is_asked() -> None:
    s = at_checkin().type("I have a fever").press("yes")
    s.type("I had cancer years ago")
    assert s.session.state == State.REDFLAG  # the advice again
    s.type("now I can't control my bladder")
    assert now(s).state == State.SIGN
    s.press("yes")
    assert s.session.safety.red_flag == "bladder"
    assert s.texts()[-1] == screening.EMERGENCY_ADVICE


# --- a check-in in words -------------------------------------------------------------------


def test_worse_in_words_is_repeated_and_stored_only_when_confirmed() -> None:
    s = at_checkin().type("worse, spreading down my leg, pain 7, reaching the calf")
    say = one_say(s)
    assert s.session.state == State.CHECK_HEARD
    assert say.text == heard.HEARD[(True, True, True)]
    assert say.params == {
        "answer": heard.ANSWER_WORDS[Answer.WORSE],
        "pain": 7,
        "reach": t.REACH_LABELS[Reach.CALF],
    }
    assert s.session.safety.hold is None and s.of(RecordCheckIn) == []
    s.press("yes")
    assert now(s).state == State.HALTED and s.session.halted
    (record,) = s.of(RecordCheckIn)
    assert (record.checkin.answer, record.checkin.pain, record.checkin.reach) == (
        Answer.WORSE,
        7,
        Reach.CALF,
    )


def test_worse_alone_stops_at_the_tap_and_asks_the_numbers_for_the_record() -> None:
    s = at_checkin().type("worse").press("yes")
    assert s.session.state == State.CHECK_PAIN and s.session.halted
    assert shows(one_say(s), t.WORSE_NOTE)
    s = at_checkin().type("it's worse, 8").press("yes")
    assert s.session.state == State.CHECK_REACH and s.session.halted
    assert s.texts()[0] == heard.WORSE_PAUSED


def test_no_to_what_was_heard_asks_the_question_again() -> None:
    s = at_checkin().type("worse").press("no")
    assert s.session.state == State.CHECK_ANSWER and s.session.safety.hold is None
    assert shows(one_say(s), heard.HEARD_AGAIN)
    assert s.session.pending.owed == State.CHECK_ANSWER


def test_a_typed_yes_confirms_a_worse_never_an_easing() -> None:
    s = at_checkin().type("worse").type("yes")
    assert s.session.halted
    s = at_checkin().type("better, 3, in my buttock").type("yes")
    assert s.session.state == State.CHECK_HEARD and s.of(RecordCheckIn) == []


def test_easing_in_words_records_the_same_as_the_taps() -> None:
    words = at_checkin().type("better, pain 3, in my buttock").press("yes")
    taps = at_checkin().press("centralizing", "3", "buttock")
    assert words.session.state == taps.session.state == State.IDLE
    at = words.session.ladder.checked_in_at
    assert words.session.ladder == replace(taps.session.ladder, checked_in_at=at)
    assert words.session.pending == taps.session.pending
    ((said,), (tapped,)) = (words.of(RecordCheckIn), taps.of(RecordCheckIn))
    assert replace(said.checkin, at=tapped.checkin.at) == tapped.checkin


def test_all_gone_in_words_is_a_confirmed_recovery() -> None:
    s = at_checkin().type("all gone").press("yes")
    assert s.session.state == State.RECOVERED
    (record,) = s.of(RecordCheckIn)
    assert (record.checkin.answer, record.checkin.pain) == (Answer.ALL_GONE, 0)


def test_numbers_and_places_in_words_at_the_later_questions() -> None:
    s = at_checkin().press("no_change")
    s.type("7")  # a plain number answers at once, as before
    assert s.session.state == State.CHECK_REACH and s.session.pending.pain == 7
    s = at_checkin().press("no_change").type("about a seven").press("yes")
    assert s.session.state == State.CHECK_REACH and s.session.pending.pain == 7
    s.type("it's in my thigh")
    assert one_say(s).text == heard.HEARD[(False, False, True)]
    s.press("yes")
    assert s.of(RecordCheckIn)


def test_an_answer_is_needed_first_at_the_answer_question() -> None:
    s = at_checkin().type("about a 5")
    assert s.session.state == State.CHECK_ANSWER and shows(one_say(s), heard.ANSWER_FIRST)


def test_a_worse_typed_later_in_the_check_in_still_stops() -> None:
    s = at_checkin().press("centralizing").type("actually it got worse, its spreading")
    assert s.session.state == State.CHECK_HEARD
    s.press("yes")
    assert s.session.halted


def test_worse_at_rest_and_in_a_set() -> None:
    s = Script().onboard().press("later").type("my leg is worse today")
    assert s.session.state == State.CHECK_HEARD
    s.press("yes")
    assert s.session.halted
    s = Script().onboard().press("start").type("stop, its getting worse")
    assert s.session.state == State.CHECK_HEARD
    s.press("yes")
    assert s.session.halted


def test_worse_is_not_taken_up_after_a_recovery_or_a_stop() -> None:
    s = at_checkin().type("all gone").press("yes").press("done").type("its worse")
    assert s.session.state != State.CHECK_HEARD  # pain back after recovery: a new episode
    s = at_checkin().press("worse", "7", "calf").type("its even worse")
    assert s.session.state == State.HALTED


# --- a set's words -------------------------------------------------------------------------


def test_a_sets_words_do_what_its_buttons_do() -> None:
    for word, value in (("next", "next"), ("again", "repeat"), ("Stop.", "stop")):
        by_word = Script().onboard().press("start").type(word)
        by_tap = Script().onboard().press("start").press(value)
        assert by_word.session == by_tap.session, word
        assert by_word.effects == by_tap.effects, word
    s = at_checkin().press("centralizing", "5", "buttock").wait(3)
    s.cmd("exercise")
    if s.session.state == State.PRESET:
        s.press("nothing")
    assert s.session.state == State.SET_CARD
    s.type("done")
    assert now(s).state == State.CHECK_ANSWER


def test_stop_why_takes_a_spoken_worse() -> None:
    s = Script().onboard().press("start").type("stop")
    assert s.session.state == State.STOP_WHY
    s.type("yes it got worse")
    assert s.session.halted


# --- voice notes ----------------------------------------------------------------------------


def test_without_recognition_a_voice_note_is_answered_once() -> None:
    s = Script().onboard()
    s.send(Other(heard.VOICE_OFF))
    assert shows(one_say(s), heard.NO_LISTEN)
    assert s.session.heard.told_voice
    s.send(Other(heard.VOICE_OFF))
    assert shows(one_say(s), t.NOT_TEXT)
    s.press("later")
    s.send(Other(heard.VOICE_OFF))
    assert heard.NO_LISTEN not in s.texts()
    assert Session.from_dict(s.session.to_dict()).heard.told_voice


def test_a_note_not_heard_or_too_long_says_so_with_the_question() -> None:
    s = at_checkin()
    s.send(Other(heard.VOICE_UNCLEAR))
    assert shows(one_say(s), heard.NOT_HEARD) and s.session.state == State.CHECK_ANSWER
    s.send(Other(heard.VOICE_TOO_LONG))
    assert shows(one_say(s), heard.TOO_LONG)
    s = Script().onboard().press("later")
    s.send(Other(heard.VOICE_UNCLEAR))
    assert s.texts() == [heard.NOT_HEARD, t.IDLE_HINT]


# --- the console takes the same words ------------------------------------------------------


async def test_the_console_takes_the_same_words(tmp_path: Path) -> None:
    lines = [*ONBOARD, "1", "next", "again", *["1"] * 7]
    lines += ["worse, pain 7, reaching the calf", "1", "/quit"]
    out = io.StringIO()
    built = await bootstrap.build(console_settings(tmp_path))
    try:
        await Console(built.services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
        text = out.getvalue()
        assert "Step 2 of 8" in text
        assert "You said: worse or spreading, pain 7, reaching Below the knee. Right?" in text
        session = await built.services.coach.session(1)
        assert session is not None and session.halted
    finally:
        await bootstrap.close(built)


# --- safety on random paths -----------------------------------------------------------------

TEXTS = [
    "hello",
    "7",
    "next",
    "again",
    "done",
    "stop",
    "yes",
    "no",
    "worse",
    "worse, pain 8, down to my foot",
    "better, 3, in my buttock",
    "all gone",
    "the same",
    "about a seven",
    "in my thigh",
    GROIN_AND_BLADDER,
    "I have a fever",
    "my mum had cancer",
]
ACTIONS = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS)),
    st.tuples(st.just("choose"), st.integers(0, 10)),
    st.tuples(st.just("cmd"), st.sampled_from(["exercise", "checkin", "stop", "safety", "help"])),
    st.tuples(
        st.just("other"),
        st.sampled_from([heard.VOICE_OFF, heard.VOICE_UNCLEAR, heard.VOICE_TOO_LONG]),
    ),
    st.tuples(st.just("due"), st.just("")),
    st.tuples(st.just("wait"), st.sampled_from(["2"])),
)


def _event(s: Session, kind: str, arg: object) -> Event | None:
    if kind == "text":
        return Text(str(arg))
    if kind == "choose":
        offered = choices(s)
        return Press(s.seq, offered[int(str(arg)) % len(offered)].value) if offered else None
    if kind == "cmd":
        return Command(str(arg))
    if kind == "other":
        return Other(str(arg))
    if kind == "due":
        return ReminderDue()
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(ACTIONS, max_size=60))
def test_words_keep_every_safety_promise(actions: list[tuple[str, object]]) -> None:
    s, now = Script().onboard().press("start").steps().session, T0 + timedelta(hours=1)
    for kind, arg in actions:
        event = _event(s, kind, arg)
        if event is None:
            now += timedelta(hours=2)
            continue
        now += timedelta(minutes=1)
        before = s
        out = advance(s, event, now)
        assert safety_problems(before, event, out, now) == []
        # nothing is stored from words before their tap: a check-in record follows a press
        if any(isinstance(e, RecordCheckIn) for e in out.effects) and isinstance(event, Text):
            # only a word that stops: a typed yes to "is it worse?" or to a heard "worse"
            confirmed_worse = before.state == State.CHECK_HEARD and before.heard.answer == "worse"
            assert confirmed_worse or before.state == State.CHECK_CONFIRM, (before.state, event)
        # a sign named is asked before anything else
        named = isinstance(event, Text) and event.text in (GROIN_AND_BLADDER, "I have a fever")
        if named and before.state not in (State.NEW, State.REDFLAG, State.SIGN):
            assert out.session.state == State.SIGN, before.state
        s = out.session
        assert Session.from_dict(s.to_dict()) == s
