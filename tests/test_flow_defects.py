"""Issue 12's numbered defects, each replayed through `flows.advance` as a user would.

Written against behaviour only (states and button values as strings), so the same
file also runs against the first version's engine, where each of these failed.
"""

from __future__ import annotations

from flows.effects import Say, Speak, SpeakGuided
from flows.engine import advance, choices
from flows.events import ReminderDue
from tests.flowkit import Script


def offered(s: Script) -> list[str]:
    return [c.value for c in choices(s.session)]


def no_ping(s: Script) -> bool:
    return advance(s.session, ReminderDue(), s.now).effects == ()


def no_exercise_after(s: Script, *commands: str) -> None:
    for command in commands:
        s.cmd(command)
        assert s.session.state != "step" and not s.session.state.startswith("ex."), command
        assert not s.of(Speak) and not s.of(SpeakGuided), command
        assert no_ping(s), command


def glide_set(reach: str = "calf", pain: str = "6") -> Script:
    s = Script().onboard(reach=reach, pain=pain).press("start")
    while s.session.state in ("step", "set.card") or s.session.state.startswith("ex."):
        s.press("done" if s.session.state == "set.card" else "next")
    return s


def set_again(s: Script) -> Script:
    s.now = s.now.replace(hour=s.now.hour + 3)
    s.cmd("exercise")
    if s.session.state == "preset":
        s.press("nothing")
    while s.session.state in ("step", "set.card") or s.session.state.startswith("ex."):
        s.press("done" if s.session.state == "set.card" else "next")
    return s


def test_1_worse_then_stop_or_safety_keeps_the_stop() -> None:
    for command in ("stop", "safety"):
        s = glide_set().press("worse")
        assert no_ping(s)  # paused in the very turn "worse" was tapped
        s.cmd(command)
        if command == "safety":
            while s.session.state in ("screen",) or s.session.state.startswith("screen."):
                s.press("no")
        no_exercise_after(s, "exercise", "checkin", "start", "stop")
        assert s.session.state in ("halted", "check.answer") or s.session.halted


def test_2_stop_in_the_middle_of_a_set_asks_whether_the_pain_got_worse() -> None:
    s = Script().onboard().press("start", "next", "stop")
    assert s.session.state == "stop.why"
    s.press("worse")
    assert s.session.halted and no_ping(s)
    no_exercise_after(s, "exercise")
    s = Script().onboard().press("start", "next").cmd("stop")
    assert s.session.state == "stop.why"
    s.press("just")
    assert s.session.state == "idle" and not s.session.halted


def test_3_pain_from_3_to_9_at_the_same_reach_is_questioned() -> None:
    s = glide_set(reach="thigh", pain="3").press("no_change", "9", "thigh")
    assert s.session.state == "check.confirm"
    assert "from 3 to 9" in s.texts()[-1].format(before=3, now=9)
    s.press("yes")
    assert s.session.halted and no_ping(s)


def test_4_easing_press_ups_that_leave_the_pain_in_the_thigh_move_to_hips_off_centre() -> None:
    s = Script().onboard(reach="thigh", pain="5", tried="none").press("start")
    while s.session.state in ("step", "set.card") or s.session.state.startswith("ex."):
        s.press("done" if s.session.state == "set.card" else "next")
    for _ in range(3):
        assert s.session.rung == "press_ups"
        s.checkin("centralizing", "5", "thigh")
        if s.session.rung != "press_ups":
            break
        set_again(s)
    assert s.session.rung == "hips_off_centre"


def test_5_buttock_to_one_side_of_the_back_is_leg_pain_gone_on_the_side_glide() -> None:
    s = glide_set(reach="buttock", pain="5").checkin("centralizing", "4", "back_side")
    assert s.session.rung == "press_ups"
    assert any("stop side gliding" in text for text in s.texts())


def test_6_leg_pain_easing_at_the_same_reach_continues_the_side_glide() -> None:
    s = glide_set(reach="thigh", pain="8")
    for pain in ("6", "4", "2"):
        s.checkin("no_change", pain, "thigh")
        assert s.session.rung == "side_glide", pain
        set_again(s)


def test_7_a_stalled_side_glide_moves_on_with_see_a_pt_in_the_same_message() -> None:
    s = glide_set(reach="calf", pain="6")
    for _ in range(3):
        s.checkin("no_change", "6", "calf")
        if s.session.rung != "side_glide":
            break
        set_again(s)
    assert s.session.rung == "flexion_rotation"
    moved = [text for text in s.texts() if "flexion with rotation" in text]
    assert moved and "physical therapist" in moved[0]


def test_8_back_only_pain_can_be_easing() -> None:
    s = glide_set(reach="back_side", pain="5")
    labels = [c.label.lower() for c in choices(s.session)]
    assert any("back pain easing" in label for label in labels)
    assert not any(label.startswith("leg pain") for label in labels)


def test_9_contradictions_get_a_question_not_a_guess() -> None:
    s = glide_set().press("all_gone")  # asked at once: no pain anywhere?
    assert s.session.state == "check.confirm" and not s.session.ladder.recovered
    s = glide_set().press("centralizing", "0", "none")  # no pain, yet not "all gone"
    assert s.session.state == "check.confirm" and not s.session.ladder.recovered
    s = glide_set(reach="calf").press("leg_gone", "3", "thigh")
    assert s.session.state == "check.confirm" and s.session.rung == "side_glide"


def test_10_pain_back_after_all_pain_gone_is_not_a_stop() -> None:
    s = glide_set().press("all_gone", "yes")
    assert s.session.ladder.recovered
    s.press("more")
    if s.session.state == "preset":
        s.press("nothing")
    while s.session.state in ("step", "set.card") or s.session.state.startswith("ex."):
        s.press("done" if s.session.state == "set.card" else "next")
    s.press("no_change", "3", "back_side")
    assert not s.session.halted and s.session.state == "idle"
    assert not s.session.ladder.recovered  # a new episode: the plan is live again


def test_11_the_first_set_days_after_onboarding_asks_anything_new_then_where_it_is() -> None:
    s = Script().onboard().press("later")
    s.now = s.now.replace(day=s.now.day + 2)
    s.cmd("exercise")
    assert s.session.state == "preset"
    s.press("new")
    while s.session.state == "screen" or s.session.state.startswith("screen."):
        s.press("no")
    assert s.session.state == "preset.reach"
    assert "reach" in s.says()[-1].text


def test_12_the_wall_shoulder_can_be_changed_after_onboarding() -> None:
    s = Script().onboard(side="left").press("later")
    assert s.session.glide_shoulder == "right"
    s.cmd("settings")
    s.press("wall", "left")
    assert s.session.glide_shoulder == "left"


def test_13_after_worse_the_reminder_menu_explains_and_a_new_schedule_stays_paused() -> None:
    s = glide_set().press("worse", "7", "foot")
    s.cmd("remind").press("setup", "UTC", "every3", "08:00-21:00")
    saved = [e for e in s.effects if type(e).__name__ == "SetSchedule"]
    assert saved and getattr(saved[0], "paused", None) not in (None, False)
    assert "pause" not in offered(s) and "resume" not in offered(s)
    assert no_ping(s)


def test_14_no_invented_content() -> None:
    from flows.catalogue import EXERCISES
    from flows.model import Rung

    flexion = " ".join(step.text for step in EXERCISES[Rung.FLEXION_ROTATION].steps)
    assert "on your side" in flexion and "on your back" not in flexion
    for rung in (Rung.PRESS_UPS, Rung.HIPS_OFF_CENTRE):
        texts = [EXERCISES[rung].intro, *(step.text for step in EXERCISES[rung].steps)]
        assert not any("2-3 seconds" in text for text in texts), rung
        assert any("1-2 seconds" in text for text in texts), rung


def test_15_the_guided_voice_set_speaks_what_the_text_says() -> None:
    from bot.voice.script import guided_inputs
    from flows.catalogue import EXERCISES, REPS
    from flows.model import Rung

    for rung, ex in EXERCISES.items():
        setup, reps = guided_inputs(SpeakGuided(rung=rung, side=None), "en")
        spoken = " ".join([*setup, *reps.words()])
        for step in ex.steps:
            assert step.text.format(reps=REPS) in spoken, (rung, step.text)
    glide = " ".join(guided_inputs(SpeakGuided(rung=Rung.SIDE_GLIDE, side="right"), "en")[0])
    assert "under your rib cage" in glide and "closer to the wall" in glide
    assert "swing your hips away" in glide


def test_the_first_version_had_these_states_too() -> None:
    """A sanity check for this file's string comparisons: the kit speaks both versions."""
    s = Script().onboard()
    assert isinstance(s.says()[-1], Say) and s.session.state == "offer"
