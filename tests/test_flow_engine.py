"""Every branch of the conversation, over the pure engine."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flows import screening
from flows import texts as t
from flows.catalogue import EXERCISES, PRESS_UP_CAUTION, SIDE_GLIDE
from flows.effects import (
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    Reminders,
    Say,
    Speak,
    SpeakGuided,
    Stale,
)
from flows.engine import ALL_STATES, advance, choices, is_busy
from flows.events import Other, Press, ReminderDue, ReminderPress
from flows.model import Answer, Reach, Rung, Side
from flows.rules import (
    R_ALL_GONE,
    R_CENTRALIZING,
    R_LADDER_DONE,
    R_LEG_GONE_FROM_GLIDE,
    R_NO_CHANGE_UP,
    R_NO_CHANGE_WAIT,
    R_SPREAD,
    R_STALL,
    R_WORSE,
    Rules,
)
from flows.session import Session
from tests.flowkit import T0, Script


def test_start_welcomes_with_disclaimer_then_screens_every_red_flag() -> None:
    s = Script().cmd("start")
    assert s.session.state == "welcome"
    assert "coach, not a doctor" in s.texts()[0]
    s.press("ok")
    asked = []
    while s.session.state.startswith("screen."):
        say = s.says()[-1]
        assert [c.value for c in say.choices] == ["yes", "no"]
        asked.append(s.session.state)
        s.press("no")
    assert asked == [screening.state_id(f) for f in screening.RED_FLAGS]
    assert s.session.state == "assess.side"
    assert s.session.screened
    recorded = s.all_of(RecordScreening)
    assert len(recorded) == len(screening.RED_FLAGS)
    assert not any(r.yes for r in recorded)  # type: ignore[attr-defined]


@pytest.mark.parametrize("flag", screening.RED_FLAGS, ids=lambda f: f.id)
def test_any_red_flag_yes_stops_and_blocks_exercise(flag: screening.RedFlag) -> None:
    s = Script().cmd("start").press("ok")
    while s.session.state != screening.state_id(flag):
        s.press("no")
    s.press("yes")
    assert s.session.state == "redflag"
    advice = screening.EMERGENCY_ADVICE if flag.emergency else screening.URGENT_ADVICE
    assert s.texts() == [advice]
    assert Reminders("pause", "redflag") in s.effects
    assert RecordScreening(flag.id, True) in s.effects
    for cmd in ("exercise", "checkin", "start", "remind"):
        s.cmd(cmd)
        assert s.session.state == "redflag"
        assert not s.all_of(SpeakGuided)
    s.type("please let me exercise")
    assert s.texts() == [advice]


def test_safety_rescreen_clears_a_red_flag() -> None:
    s = Script().cmd("start").press("ok", "yes")
    assert s.session.red_flag == "bladder"
    s.cmd("safety")
    assert s.session.state == "screen.bladder"
    while s.session.state.startswith("screen."):
        s.press("no")
    assert s.session.red_flag is None
    assert s.session.state == "assess.side"
    assert Reminders("resume", "redflag") in s.effects


def test_assessment_saves_baseline_and_picks_the_side_glide_after_both_press_ups() -> None:
    s = Script().screened().press("left")
    assert s.session.state == "assess.wall"
    s.press("no", "calf", "7")
    assert s.session.state == "assess.tried"
    s.press("both", "same")
    assert s.session.baseline_reach == Reach.CALF
    assert s.session.baseline_pain == 7
    assert s.session.rung == Rung.SIDE_GLIDE
    assert s.session.state == "offer"
    assert t.START_GLIDE in s.texts()
    assert RecordRungChange(None, Rung.SIDE_GLIDE, t.START_GLIDE) in s.effects


@pytest.mark.parametrize(
    ("tried", "rung"),
    [("none", Rung.PRESS_UPS), ("press", Rung.HIPS_OFF_CENTRE), ("both", Rung.SIDE_GLIDE)],
)
def test_starting_rung(tried: str, rung: Rung) -> None:
    assert Script().onboard(tried=tried).session.rung == rung


@pytest.mark.parametrize("side", ["both", "centre"])
def test_central_pain_explains_and_starts_press_ups(side: str) -> None:
    s = Script().screened().press(side)
    assert t.CENTRAL_NOTE in s.texts()
    assert s.session.state == "assess.reach"
    s.press("back_centre", "5")
    assert s.session.rung == Rung.PRESS_UPS
    assert t.START_CENTRAL in s.texts()


@pytest.mark.parametrize(
    ("side", "wall", "expected"),
    [("left", "no", "RIGHT"), ("right", "no", "LEFT"), ("left", "left", "LEFT")],
)
def test_side_glide_names_the_wall_shoulder(side: str, wall: str, expected: str) -> None:
    s = Script().screened().press(side, wall, "thigh", "5", "both", "same", "start")
    assert s.session.state == "ex.side_glide.1"
    step = s.says()[-1]
    assert f"{expected} shoulder toward the wall" in step.text
    assert step.params["n"] == 1 and step.params["total"] == len(SIDE_GLIDE.steps)
    assert [c.value for c in step.choices] == ["next", "repeat", "stop", "voice"]


def test_a_full_side_glide_set_one_step_per_message_with_voice() -> None:
    s = Script().onboard().press("start")
    assert SpeakGuided(Rung.SIDE_GLIDE, "right") in s.effects
    assert s.says()[0].params == {"reps": 10}  # the intro names the dose
    seen = []
    while s.session.state.startswith("ex."):
        speaks = s.of(Speak)
        say = s.says()[-1]
        assert len(speaks) == 1 and speaks[0].text == say.text  # type: ignore[attr-defined]
        seen.append(say.text)
        s.press("next")
    assert len(seen) == len(SIDE_GLIDE.steps) == 8
    assert s.session.state == "check.answer"
    assert s.says()[-1].prefix == t.SET_DONE
    assert [c.value for c in s.says()[-1].choices] == [a.value for a in Answer]


def test_repeat_step_and_stop() -> None:
    s = Script().onboard().press("start", "next")
    assert s.session.state == "ex.side_glide.2"
    seq = s.session.seq
    s.press("repeat")
    assert s.session.state == "ex.side_glide.2" and s.session.seq == seq + 1
    s.press("stop")
    assert s.session.state == "idle"
    assert t.STOPPED in s.texts()


def test_voice_toggle_in_the_exercise() -> None:
    s = Script().onboard().press("start", "voice")
    assert not s.session.voice
    assert not s.of(Speak)
    assert t.VOICE_OFF in s.texts()
    s.press("next")
    assert not s.of(Speak)
    s.cmd("voice")
    assert s.session.voice


def test_press_up_rung_shows_the_caution_on_its_first_set_only() -> None:
    s = Script().onboard(tried="none").press("start")
    assert PRESS_UP_CAUTION in s.texts()
    while s.session.state.startswith("ex."):
        s.press("next")
    s.checkin("centralizing").do_set()
    assert PRESS_UP_CAUTION not in [x.text for x in s.all_of(Say)[-20:]]


def test_every_set_after_the_first_asks_anything_new() -> None:
    s = Script().onboard().press("start")
    while s.session.state.startswith("ex."):
        s.press("next")
    s.checkin("centralizing")
    s.cmd("exercise")
    assert s.session.state == "preset"
    s.press("new")
    assert s.session.state == "screen.bladder"
    while s.session.state.startswith("screen."):
        s.press("no")
    assert s.session.state == "ex.side_glide.1"


# --- check-in branches ---------------------------------------------------------------


def glide_user(**rules: int) -> Script:
    s = Script(rules=Rules(**rules)).onboard(reach="calf").press("start")
    while s.session.state.startswith("ex."):
        s.press("next")
    return s


def test_centralizing_continues_and_reassures_about_back_pain() -> None:
    s = glide_user().press("centralizing")
    assert s.says()[-1].prefix == t.CENTRALIZING_NOTE
    s.press("5", "thigh")
    checkin = s.of(RecordCheckIn)[0].checkin  # type: ignore[attr-defined]
    assert (checkin.rung, checkin.answer, checkin.pain, checkin.reach) == (
        Rung.SIDE_GLIDE,
        Answer.CENTRALIZING,
        5,
        Reach.THIGH,
    )
    assert R_CENTRALIZING in s.texts()
    assert s.session.rung == Rung.SIDE_GLIDE
    assert s.session.state == "idle"


def test_leg_pain_gone_on_the_side_glide_switches_back_to_press_ups() -> None:
    s = glide_user().checkin("leg_gone", "3", "back_side")
    assert s.session.rung == Rung.PRESS_UPS
    assert R_LEG_GONE_FROM_GLIDE in s.texts()
    assert RecordRungChange(Rung.SIDE_GLIDE, Rung.PRESS_UPS, R_LEG_GONE_FROM_GLIDE) in s.effects


def test_a_checkin_part_way_through_the_first_set_still_brings_the_check_before_the_next() -> None:
    s = Script().onboard(reach="calf").press("start", "next")  # step 2 of set one
    s.cmd("checkin").checkin("centralizing", "5", "thigh")
    assert s.session.sets_done == 0
    s.cmd("exercise")
    assert s.session.state == "preset"


def test_the_reach_alone_can_say_the_leg_pain_has_gone_on_the_side_glide() -> None:
    s = glide_user().checkin("centralizing", "3", "back_side")  # "easing", but only back now
    assert s.session.rung == Rung.PRESS_UPS
    assert RecordRungChange(Rung.SIDE_GLIDE, Rung.PRESS_UPS, R_LEG_GONE_FROM_GLIDE) in s.effects


def test_pain_reaching_further_down_stops_whatever_the_button_said() -> None:
    s = glide_user().checkin("centralizing", "4", "foot")
    assert s.session.state == "halted" and s.session.halted
    assert R_SPREAD in s.texts() and R_CENTRALIZING not in s.texts()
    assert Reminders("pause", "worse") in s.effects
    assert s.session.rung == Rung.SIDE_GLIDE  # nothing moved up: a PT decides


def test_worse_stops_at_once_pauses_reminders_and_needs_a_pt_restart() -> None:
    s = glide_user().press("worse")
    assert s.says()[-1].prefix == t.WORSE_NOTE
    s.press("8", "foot")
    assert s.session.state == "halted" and s.session.halted
    assert R_WORSE in s.texts()
    assert Reminders("pause", "worse") in s.effects
    s.cmd("exercise")
    assert s.session.state == "halted"
    assert t.HALTED in s.texts()
    assert [c.value for c in s.says()[-1].choices] == ["pt_ok"]
    assert advance(s.session, ReminderDue(), T0).effects == ()
    s.press("pt_ok")
    assert Reminders("resume", "worse") in s.effects
    assert s.session.state == "offer" and not s.session.halted


def test_all_gone_congratulates_stops_reminders_and_offers_maintenance() -> None:
    s = glide_user().checkin("all_gone", "0", "none")
    assert R_ALL_GONE in s.texts()
    assert Reminders("stop", "recovered") in s.effects
    assert s.session.state == "recovered"
    assert [c.value for c in s.says()[-1].choices] == ["more", "done"]
    s.press("more")
    assert s.session.state == "preset"


def test_no_change_three_times_moves_up_the_ladder() -> None:
    s = glide_user()
    s.checkin("no_change", "6", "calf")
    assert R_NO_CHANGE_WAIT in s.texts()
    assert s.session.no_change == 1
    s.do_set().checkin("no_change", "6", "calf")
    assert s.session.rung == Rung.SIDE_GLIDE
    s.do_set().checkin("no_change", "6", "calf")
    assert s.session.rung == Rung.FLEXION_ROTATION
    assert R_NO_CHANGE_UP in s.texts()
    assert s.session.no_change == 0
    s.do_set()
    assert s.session.state == "check.answer"
    assert s.all_of(SpeakGuided)[-1] == SpeakGuided(Rung.FLEXION_ROTATION, None)


def test_no_change_counter_resets_on_any_other_answer() -> None:
    s = glide_user()
    s.checkin("no_change", reach="calf").do_set().checkin("no_change", reach="calf")
    s.do_set().checkin("centralizing", reach="thigh")
    assert s.session.no_change == 0
    s.do_set().checkin("no_change", reach="buttock")
    assert s.session.rung == Rung.SIDE_GLIDE


def test_progress_after_is_configurable() -> None:
    s = glide_user(progress_after=1).checkin("no_change", reach="calf")
    assert s.session.rung == Rung.FLEXION_ROTATION


def test_side_glide_stall_moves_to_flexion_with_rotation() -> None:
    s = glide_user()  # baseline: calf
    s.checkin("centralizing", reach="thigh")  # closer: no stall
    assert s.session.stall == 0
    s.do_set().checkin("centralizing", reach="thigh")
    s.do_set().checkin("centralizing", reach="thigh")
    assert s.session.stall == 2 and s.session.rung == Rung.SIDE_GLIDE
    s.do_set().checkin("centralizing", reach="thigh")
    assert s.session.rung == Rung.FLEXION_ROTATION
    assert R_STALL in s.texts()


def test_the_ladder_ends_with_see_a_pt() -> None:
    s = Script().onboard(tried="none").press("start")
    while s.session.state.startswith("ex."):
        s.press("next")
    climbed = []
    for _ in range(4 * 3):
        s.checkin("no_change", reach="thigh")
        climbed.append(s.session.rung)
        if s.session.state == "see_pt":
            break
        s.do_set()
    assert climbed[2] == Rung.HIPS_OFF_CENTRE
    assert climbed[5] == Rung.SIDE_GLIDE
    assert climbed[8] == Rung.FLEXION_ROTATION
    assert climbed[-1] == Rung.SEE_PT and len(climbed) == 12
    assert R_LADDER_DONE in s.texts()
    s.cmd("exercise")
    assert s.session.state == "see_pt"
    s.press("pt_ok")
    assert s.session.rung == Rung.PRESS_UPS


def test_central_pain_ladder_goes_from_press_ups_to_a_pt() -> None:
    s = Script().onboard(side="centre", reach="back_centre").press("start")
    for _ in range(3):
        while s.session.state.startswith("ex."):
            s.press("next")
        s.checkin("no_change", reach="back_centre")
        if s.session.state != "see_pt":
            s.do_set()
    assert s.session.rung == Rung.SEE_PT


def test_checkin_command_at_any_time() -> None:
    s = Script().onboard().press("later")
    assert s.session.state == "idle"
    s.cmd("checkin")
    assert s.session.state == "check.answer"
    s.checkin("centralizing", "4", "thigh")
    assert len(s.all_of(RecordCheckIn)) == 1


def test_checkin_accepts_a_typed_pain_number() -> None:
    s = glide_user().press("no_change").type(" 7 ")
    assert s.session.pending_pain == 7 and s.session.state == "check.reach"


# --- bad input -------------------------------------------------------------------------


def test_free_text_where_a_button_is_expected_reprompts_with_buttons() -> None:
    s = Script().onboard().press("start")
    before = s.session
    s.type("what now?")
    assert s.session == before
    (say,) = s.says()
    assert say.note == t.PLEASE_BUTTONS and say.prefix == t.STEP_PREFIX
    assert [c.value for c in say.choices] == ["next", "repeat", "stop", "voice"]
    assert say.seq == before.seq  # old keyboard stays valid too
    s.send(Other("sticker"))
    assert s.says()[0].note == t.NOT_TEXT


def test_stale_and_forged_buttons_are_ignored() -> None:
    s = Script().onboard().press("start")
    old_seq = s.session.seq
    s.press("next")
    before = s.session
    assert s.send(Press(old_seq, "next")).effects == (Stale(),)
    assert s.send(Press(before.seq, "delete_everything")).effects == (Stale(),)
    assert s.send(Press(before.seq + 5, "next")).effects == (Stale(),)
    assert s.session == before


def test_unknown_command_explains_and_keeps_the_question() -> None:
    s = Script().onboard()
    s.cmd("frobnicate")
    assert s.says()[-1].prefix == t.UNKNOWN_COMMAND
    assert s.session.state == "offer"


def test_help_lists_commands_and_keeps_buttons() -> None:
    s = Script().onboard().press("start").cmd("help")
    assert s.texts()[0] == t.HELP
    assert s.says()[-1].choices


def test_stop_pauses_a_set_and_is_harmless_otherwise() -> None:
    s = Script().onboard().press("start").cmd("stop")
    assert s.session.state == "idle"
    s.cmd("stop")
    assert s.texts() == [t.NOTHING_RUNNING]


def test_language_detour_returns_to_the_same_step() -> None:
    s = Script().onboard().press("start", "next", "next")
    s.cmd("language")
    assert s.session.state == "language"
    s.press("de")
    assert s.session.language == "de"
    assert s.session.state == "ex.side_glide.3"


def test_forget_needs_confirmation() -> None:
    s = Script().onboard()
    s.cmd("forget").press("no")
    assert s.session.onboarded and s.session.state == "offer"
    s.cmd("forget").press("yes")
    assert ForgetUser() in s.effects
    assert s.session == Session(language="en")


def test_new_user_typing_anything_gets_the_welcome() -> None:
    s = Script().type("hello")
    assert s.session.state == "welcome"


def test_exercise_before_onboarding_starts_onboarding() -> None:
    s = Script().cmd("exercise")
    assert s.session.state == "welcome"
    s = Script().cmd("start").press("ok").cmd("remind")
    assert s.session.state.startswith("screen.")


def test_start_mid_conversation_resumes_the_same_question() -> None:
    s = Script().onboard().press("start", "next")
    s.cmd("start")
    assert s.session.state == "ex.side_glide.2"
    assert s.says()[-1].note == t.WELCOME_BACK


def test_reminder_ping_and_its_buttons() -> None:
    s = Script().onboard().press("later")
    out = advance(s.session, ReminderDue(), T0)
    (ping,) = out.effects
    assert isinstance(ping, Say) and ping.reminder
    assert [c.value for c in ping.choices] == ["start", "snooze", "skip"]
    s.send(ReminderPress("snooze"))
    assert Reminders("snooze") in s.effects
    s.send(ReminderPress("start"))
    assert s.session.state == "ex.side_glide.1"
    assert is_busy(s.session)
    assert advance(s.session, ReminderDue(), T0).effects == ()


def test_session_round_trips_through_json() -> None:
    s = glide_user().press("centralizing", "5")
    data = s.session.to_dict()
    import json

    assert Session.from_dict(json.loads(json.dumps(data))) == s.session
    assert Session.from_dict({"state": "idle", "unknown": 1}).state == "idle"


def test_every_state_is_known_and_every_exercise_has_steps() -> None:
    assert {"welcome", "check.answer", "ex.side_glide.8"} <= ALL_STATES
    for rung in (Rung.PRESS_UPS, Rung.HIPS_OFF_CENTRE, Rung.SIDE_GLIDE, Rung.FLEXION_ROTATION):
        assert len(EXERCISES[rung].steps) >= 4
    assert Session(side=Side.LEFT).glide_shoulder == Side.RIGHT
    assert choices(Session(state="check.pain"))[10].label == "10"


def test_leaving_remind_half_way_keeps_no_half_schedule() -> None:
    from flows import remind
    from flows.effects import SetSchedule

    s = Script().onboard().press("later").cmd("remind").press("setup", "UTC", "fixed")
    assert s.session.state == "remind.times"
    s.cmd("exercise").cmd("remind")
    assert s.session.state == "remind.menu"
    assert s.says()[-1].text == remind.ASK_NONE
    s.press("setup", "every4", "07:00-22:00")
    (saved,) = s.of(SetSchedule)
    assert (saved.mode, saved.every_hours, saved.start, saved.end) == (
        "every",
        4,
        "07:00",
        "22:00",
    )
    s.type("nonsense")  # a typed answer in the menu: re-prompted, nothing changes
    assert s.session.remind_mode == "every"


def test_commands_half_way_through_the_questions_keep_the_answers_given() -> None:
    s = Script().cmd("start").press("ok", "no", "no")
    asked = s.session.state
    assert asked.startswith("screen.")
    for command in ("exercise", "checkin", "remind"):
        s.cmd(command)
        assert s.session.state == asked, command
        assert s.says()[-1].prefix == t.FINISH_QUESTIONS
    while s.session.state.startswith("screen."):
        s.press("no")
    s.press("left")
    asked = s.session.state
    assert asked.startswith("assess.")
    s.cmd("exercise")
    assert s.session.state == asked and s.session.side is not None


@pytest.mark.parametrize(
    ("mode", "paused", "msgid", "hours"),
    [
        (None, False, t.NEXT_SET, None),
        ("every", False, t.NEXT_SET_EVERY, 4),
        ("fixed", False, t.NEXT_SET_FIXED, None),
        ("every", True, t.NEXT_SET, None),  # paused reminders promise nothing
    ],
)
def test_the_next_set_is_announced_as_the_users_reminders_will_come(
    mode: str | None, paused: bool, msgid: str, hours: int | None
) -> None:
    s = glide_user()
    s.session = replace(s.session, remind_mode=mode, remind_every=4, remind_paused=paused)
    s.checkin("centralizing", "4", "thigh")
    announcements = (t.NEXT_SET, t.NEXT_SET_EVERY, t.NEXT_SET_FIXED)
    said = [say for say in s.says() if say.text in announcements]
    assert [say.text for say in said] == [msgid]
    assert said[0].params.get("hours") == hours


@pytest.mark.parametrize(
    ("side", "reach", "asked"),
    [
        ("both", "thigh", True),
        ("both", "foot", True),
        ("both", "buttock", False),
        ("left", "foot", False),
        ("centre", "calf", False),
    ],
)
def test_both_sides_with_leg_pain_asks_about_both_legs_again(
    side: str, reach: str, asked: bool
) -> None:
    s = Script().screened().press(side)
    if s.session.state == "assess.wall":
        s.press("no")
    s.press(reach)
    assert (s.session.state == "assess.both_legs") is asked


def test_pain_down_both_legs_is_the_red_flag_and_no_is_the_assessment_going_on() -> None:
    s = Script().screened().press("both", "thigh")
    s.press("yes")
    assert s.session.state == "redflag" and s.session.red_flag == "both_legs"
    assert RecordScreening("both_legs", True) in s.effects
    assert Reminders("pause", "redflag") in s.effects
    assert screening.EMERGENCY_ADVICE in s.texts()
    s.cmd("exercise")
    assert s.session.state == "redflag"  # no exercise offered
    s = Script().screened().press("both", "thigh", "no")
    assert s.session.state == "assess.pain" and s.session.red_flag is None


def test_press_ups_that_made_the_leg_worse_stop_before_the_first_set() -> None:
    s = Script().screened().press("left", "no", "thigh", "6", "press", "worse")
    assert s.session.state == "halted" and s.session.halted and s.session.onboarded
    assert t.TRIED_WORSE in s.texts() and t.START_HIPS not in s.texts()
    assert Reminders("pause", "worse") in s.effects
    assert RecordRungChange(None, Rung.HIPS_OFF_CENTRE, t.START_HIPS) in s.effects
    assert not any(say.choices and say.text == t.OFFER_FIRST for say in s.says())
    s.cmd("exercise")
    assert s.session.state == "halted"  # nothing until a PT says go on


@pytest.mark.parametrize(
    ("tried", "result", "rung"),
    [
        ("press", "helped", Rung.HIPS_OFF_CENTRE),
        ("both", "same", Rung.SIDE_GLIDE),
    ],
)
def test_press_ups_that_did_not_make_it_worse_start_as_before(
    tried: str, result: str, rung: Rung
) -> None:
    s = Script().screened().press("left", "no", "thigh", "6", tried)
    assert s.session.state == "assess.tried_result"
    s.press(result)
    assert s.session.state == "offer" and s.session.rung == rung and not s.session.halted
