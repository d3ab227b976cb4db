"""Random event sequences against the safety promises, whatever commands come between.

- Once exercises are held (a "worse" answer, a halt by reach or pain, a red-flag yes,
  nothing left to try), no exercise step, voice or guided set is shown and no reminder
  or nudge may go out until a PT's "go on" (or, for a red flag, a clean re-screen); a
  PT's prescription, arriving at any moment, never lifts a hold.
- A recovered user whose pain comes back is never halted by that alone.
- Nothing crashes, and every session survives persistence.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flows.engine import COMMAND_NAMES, advance, choices
from flows.events import (
    Command,
    Event,
    Other,
    Prescribed,
    Press,
    ReminderDue,
    ReminderPress,
    Text,
)
from flows.model import Prescription, Rung, Side
from flows.session import Hold, Session, State
from tests.flowkit import T0, Script, safety_problems

# "pick the i-th offered button" keeps random walks on real paths; raw presses test forgeries
# (four distinct strategies: one_of would merge equal ones and lose the weight)
action = st.one_of(
    *[st.tuples(st.just("choose"), st.integers(0, n)) for n in (9, 10, 11, 12)],
    st.tuples(st.just("cmd"), st.sampled_from(["exercise", "checkin", "stop", "safety"])),
    st.tuples(st.just("cmd"), st.sampled_from([*COMMAND_NAMES, "nope", "start@bot"])),
    st.tuples(st.just("text"), st.sampled_from(["", "hello", "7", "11", "Europe/Berlin"])),
    st.tuples(st.just("press"), st.tuples(st.integers(-2, 400), st.text(max_size=10))),
    st.tuples(st.just("other"), st.sampled_from(["sticker", "photo", "voice", "location"])),
    st.tuples(st.just("reminder"), st.sampled_from(["start", "snooze", "skip", "bogus"])),
    st.tuples(st.just("wait"), st.sampled_from([0.5, 2, 30])),
    st.tuples(st.just("due"), st.just(0)),  # a reminder falls due (owed: it asks that)
    # a physical therapist's prescription, through a share: it must never lift a hold
    st.tuples(
        st.just("rx"),
        st.tuples(
            st.sampled_from([r for r in Rung if r != Rung.SEE_PT]),
            st.sampled_from([None, Side.LEFT, Side.RIGHT]),
            st.sampled_from([None, 5, 15]),
        ),
    ),
)


def to_event(session: Session, kind: str, arg: Any) -> Event | None:
    if kind == "choose":
        offered = choices(session)
        if offered:
            return Press(session.seq, offered[int(arg) % len(offered)].value)
        return Command("exercise")
    if kind == "cmd":
        return Command(str(arg))
    if kind == "text":
        return Text(str(arg))
    if kind == "press":
        seq, value = arg
        return Press(seq, value)
    if kind == "other":
        return Other(str(arg))
    if kind == "reminder":
        return ReminderPress(str(arg))
    if kind == "due":
        return ReminderDue()
    if kind == "rx":
        rung, wall, reps = arg
        return Prescribed(Prescription(rung, wall, reps), pt_id=77)
    return None  # time passes


def _starts() -> dict[str, Session]:
    onboarded = Script().onboard(reach="calf")
    mid_set = Script().onboard(reach="thigh").press("start", "next")
    recovered = Script().onboard().press("start").steps().checkin("all_gone", "0", "none")
    halted = Script().onboard().press("start").steps().press("worse")
    flagged = Script().cmd("start").press("ok", "no", "yes")
    back_only = Script().onboard(reach="back_side", tried="none").press("start").steps()
    owed = Script().onboard(reach="thigh", pain="4").press("start").steps()
    confirm = Script().onboard(reach="thigh", pain="4").press("start").steps()
    confirm.press("no_change", "8", "foot")  # the one confirming question, owed
    return {
        "owed": owed.session,
        "confirm": confirm.session,
        "new": Session(),
        "offer": onboarded.session,
        "mid_set": mid_set.session,
        "recovered": recovered.session,
        "halted": halted.session,
        "red_flag": flagged.session,
        "back_only": back_only.session,
    }


STARTS = _starts()


def _worse_press(before: Session, event: Event) -> bool:
    """A tap that says the pain got worse (the stop rule's own button)."""
    if not isinstance(event, Press):
        return False
    if event.value == "worse":
        return True
    return (
        before.state == State.CHECK_CONFIRM
        and before.pending.asking == "worse"
        and event.value == "yes"
    )


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(STARTS)), st.lists(action, max_size=80))
@example("halted", [("choose", 0), ("choose", 0), ("cmd", "exercise")])
@example("mid_set", [("cmd", "stop"), ("choose", 0), ("cmd", "safety"), ("cmd", "exercise")])
@example("halted", [("rx", (Rung.SIDE_GLIDE, Side.LEFT, 12)), ("cmd", "exercise")])
@example("red_flag", [("rx", (Rung.PRESS_UPS, None, None)), ("cmd", "exercise")])
@example("mid_set", [("rx", (Rung.PRESS_UPS, None, 8)), ("choose", 0), ("choose", 0)])
@example("confirm", [("cmd", "stop"), ("cmd", "exercise"), ("reminder", "start")])
@example("owed", [("cmd", "safety"), *[("choose", 1)] * 10, ("cmd", "exercise"), ("due", 0)])
def test_held_means_no_exercise_no_reminder_no_nudge_until_a_pt_or_a_clean_screen(
    start: str,
    actions: list[tuple[str, Any]],
) -> None:
    s, now = STARTS[start], T0 + timedelta(hours=1)
    for kind, arg in actions:
        event = to_event(s, kind, arg)
        if event is None:
            now += timedelta(hours=float(arg))
            continue
        now += timedelta(minutes=1)
        out = advance(s, event, now)
        assert safety_problems(s, event, out, now) == []
        if out.session.ladder.recovered:
            assert advance(out.session, ReminderDue(), now).effects == ()
        s = out.session
        assert Session.from_dict(s.to_dict()) == s


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["recovered", "recovered_later"]),
    st.lists(action, max_size=60),
)
def test_pain_back_after_recovery_is_never_a_stop_by_itself(
    start: str,
    actions: list[tuple[str, Any]],
) -> None:
    s, now = STARTS["recovered"], T0 + timedelta(hours=1)
    if start == "recovered_later":
        now += timedelta(days=3)
    for kind, arg in actions:
        event = to_event(s, kind, arg)
        if event is None:
            now += timedelta(hours=float(arg))
            continue
        now += timedelta(minutes=1)
        out = advance(s, event, now)
        if s.ladder.recovered and s.safety.hold is None and not _worse_press(s, event):
            assert out.session.safety.hold != Hold.STOP_RULE, (s.state, event)
        s = out.session
