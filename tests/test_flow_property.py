"""Random event sequences never crash the engine and never offer exercise after a red flag."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.effects import Say, Speak, SpeakGuided
from flows.engine import COMMAND_NAMES, advance, choices
from flows.events import Command, Event, Other, Press, ReminderDue, ReminderPress, Text
from flows.session import Session

NOW = datetime(2026, 5, 1, tzinfo=UTC)

# "pick the i-th offered button" keeps random walks on real paths; raw presses test forgeries
action = st.one_of(
    st.tuples(st.just("choose"), st.integers(0, 12)),
    st.tuples(st.just("choose"), st.integers(0, 12)),
    st.tuples(st.just("choose"), st.integers(0, 12)),
    st.tuples(st.just("cmd"), st.sampled_from([*COMMAND_NAMES, "nope", "start@bot"])),
    st.tuples(st.just("text"), st.text(max_size=50)),
    st.tuples(st.just("press"), st.tuples(st.integers(-2, 400), st.text(max_size=10))),
    st.tuples(st.just("other"), st.sampled_from(["sticker", "photo", "voice", "location"])),
    st.tuples(st.just("reminder"), st.sampled_from(["start", "snooze", "skip", "bogus", "due"])),
)


def to_event(session: Session, kind: str, arg: object) -> Event:
    if kind == "choose":
        offered = choices(session)
        if offered:
            return Press(session.seq, offered[int(arg) % len(offered)].value)  # type: ignore[call-overload]
        return Command("exercise")
    if kind == "cmd":
        return Command(str(arg))
    if kind == "text":
        return Text(str(arg))
    if kind == "press":
        seq, value = arg  # type: ignore[misc]
        return Press(seq, value)
    if kind == "other":
        return Other(str(arg))
    return ReminderDue() if arg == "due" else ReminderPress(str(arg))


@settings(max_examples=400, deadline=None)
@given(st.lists(action, max_size=120))
def test_random_sequences_never_crash_and_respect_red_flags(actions: list) -> None:  # type: ignore[type-arg]
    s = Session()
    for kind, arg in actions:
        event = to_event(s, kind, arg)
        out = advance(s, event, NOW)
        if s.red_flag is not None and out.session.red_flag is not None:
            # while a red flag stands, no exercise step, voice or guided set is offered
            assert not any(isinstance(e, (Speak, SpeakGuided)) for e in out.effects)
            assert not out.session.state.startswith(("ex.", "check.", "preset", "offer"))
            for e in out.effects:
                if isinstance(e, Say):
                    assert {c.value for c in e.choices} <= {"yes", "no", "en", "es", "de", "ru"}
        s = out.session
        # the session always survives persistence
        assert Session.from_dict(s.to_dict()) == s
