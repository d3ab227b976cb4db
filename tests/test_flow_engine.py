"""Every branch of the conversation, over the pure engine."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time
from typing import Any

import pytest

from flows import ladder, screening
from flows import texts as t
from flows.catalogue import EXERCISES, PRESS_UP_CAUTION, SIDE_GLIDE
from flows.effects import (
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    ReminderAction,
    ReminderPause,
    Reminders,
    Say,
    SetSchedule,
    Speak,
    SpeakGuided,
    Stale,
)
from flows.engine import ALL_STATES, Rules, advance, choices, is_busy
from flows.events import Other, Press, ReminderDue, ReminderPress
from flows.ladder import Stage
from flows.model import Answer, Reach, RemindMode, Rung, Side, Window
from flows.remind import parse_times, parse_window, schedule_of
from flows.schedule import Schedule
from flows.session import Hold, Session, State
from flows.states import SPECS
from tests.flowkit import T0, Script


def now(s: Script) -> Session:
    """The session as it is now: mypy keeps what an earlier assert narrowed
    `s.session.state` to across the calls that changed it; a call's result it does not."""
    return s.session


def test_start_welcomes_with_disclaimer_then_screens_every_red_flag() -> None:
    s = Script().cmd("start")
    assert s.session.state == State.WELCOME
    assert "coach, not a doctor" in s.texts()[0]
    s.press("ok")
    asked = []
    while now(s).state == State.SCREEN:
        say = s.says()[-1]
        assert [c.value for c in say.choices] == ["yes", "no"]
        asked.append(s.session.cursor.flag)
        s.press("no")
    assert asked == [f.id for f in screening.RED_FLAGS]
    assert now(s).state == State.ASSESS_SIDE and s.session.safety.screened
    recorded = s.all_of(RecordScreening)
    assert len(recorded) == len(screening.RED_FLAGS)
    assert not any(r.yes for r in recorded)


@pytest.mark.parametrize("flag", screening.RED_FLAGS, ids=lambda f: f.id)
def test_any_red_flag_yes_stops_and_blocks_exercise(flag: screening.RedFlag) -> None:
    s = Script().cmd("start").press("ok")
    while s.session.cursor.flag != flag.id:
        s.press("no")
    s.press("yes")
    assert s.session.state == State.REDFLAG
    advice = screening.EMERGENCY_ADVICE if flag.emergency else screening.URGENT_ADVICE
    assert s.texts() == [advice]
    assert ReminderPause("redflag") in s.effects
    assert RecordScreening(question=flag.id, yes=True) in s.effects
    for cmd in ("exercise", "checkin", "start", "remind"):
        s.cmd(cmd)
        assert s.session.state == State.REDFLAG
        assert not s.all_of(SpeakGuided)
    s.type("please let me exercise")
    assert s.texts() == [advice]


def test_safety_rescreen_clears_a_red_flag() -> None:
    s = Script().cmd("start").press("ok", "yes")
    assert s.session.safety.red_flag == "bladder"
    s.cmd("safety")
    assert s.session.state == State.SCREEN and s.session.cursor.flag == "bladder"
    while s.session.state == State.SCREEN:
        s.press("no")
    assert s.session.safety.red_flag is None
    assert s.session.state == State.ASSESS_SIDE
    assert ReminderPause(None) in s.effects


def test_assessment_saves_baseline_and_picks_the_side_glide_after_both_press_ups() -> None:
    s = Script().screened().press("left")
    assert s.session.state == State.ASSESS_WALL
    s.press("no", "calf", "7")
    assert now(s).state == State.ASSESS_TRIED
    s.press("both", "same")
    assert (s.session.assessment.baseline_reach, s.session.assessment.baseline_pain) == (
        Reach.CALF,
        7,
    )
    assert (s.session.ladder.ref_reach, s.session.ladder.ref_pain) == (Reach.CALF, 7)
    assert s.session.ladder.stage == Stage.SIDE_GLIDE and now(s).state == State.OFFER
    assert ladder.START_GLIDE in s.texts()
    assert (
        RecordRungChange(from_rung=None, to_rung=Rung.SIDE_GLIDE, reason=ladder.START_GLIDE)
        in s.effects
    )


@pytest.mark.parametrize(
    ("tried", "stage"),
    [("none", Stage.PRESS_UPS), ("press", Stage.HIPS_OFF_CENTRE), ("both", Stage.SIDE_GLIDE)],
)
def test_starting_stage(tried: str, stage: Stage) -> None:
    assert Script().onboard(tried=tried).session.ladder.stage == stage


@pytest.mark.parametrize("side", ["both", "centre"])
def test_central_pain_explains_and_starts_press_ups(side: str) -> None:
    s = Script().screened().press(side)
    assert t.CENTRAL_NOTE in s.texts()
    assert s.session.state == State.ASSESS_REACH
    s.press("back_centre", "5")
    assert s.session.ladder.stage == Stage.PRESS_UPS
    assert ladder.START_CENTRAL in s.texts()


@pytest.mark.parametrize(
    ("side", "wall", "expected"),
    [("left", "no", "RIGHT"), ("right", "no", "LEFT"), ("left", "left", "LEFT")],
)
def test_side_glide_names_the_wall_shoulder(side: str, wall: str, expected: str) -> None:
    s = Script().screened().press(side, wall, "thigh", "5", "both", "same", "start")
    assert s.session.state == State.STEP and s.session.cursor.step == 1
    step = s.says()[-1]
    assert f"{expected} shoulder toward the wall" in step.text
    assert step.params["n"] == 1 and step.params["total"] == len(SIDE_GLIDE.steps)
    assert [c.value for c in step.choices] == ["next", "repeat", "stop"]
    s.steps().checkin("centralizing", "4", "thigh").wait(3).cmd("exercise").press("nothing")
    card = s.says()[-1]
    assert now(s).state == State.SET_CARD and f"{expected} shoulder to the wall" in card.text


def test_a_learn_set_is_one_voice_note_per_step_with_its_buttons() -> None:
    s = Script().onboard().press("start")
    assert not s.of(SpeakGuided) and not s.of(Speak)  # nothing pushed beside the steps
    assert s.says()[0].params == {"reps": 10}  # the intro names the dose
    seen = []
    while s.session.state == State.STEP:
        say = s.says()[-1]
        assert say.voice == Speak(say.text, say.params)  # the message IS the voice note
        assert [c.value for c in say.choices] == ["next", "repeat", "stop"]
        seen.append(say.text)
        s.press("next")
    assert len(seen) == len(SIDE_GLIDE.steps) == 8
    assert s.session.state == State.CHECK_ANSWER
    assert s.says()[-1].prefix == t.LEARNED_VOICE  # next time, hands-free
    assert [c.value for c in s.says()[-1].choices] == [a.value for a in t.LEG_ANSWERS]
    assert Rung.SIDE_GLIDE in s.session.ladder.learned


def test_a_repeat_set_is_one_card_with_the_guided_note_and_done_leads_to_the_check_in() -> None:
    s = Script().onboard().press("start").steps().checkin("centralizing", "4", "thigh")
    s.wait(3).cmd("exercise").press("nothing")
    assert s.session.state == State.SET_CARD
    (card,) = [x for x in s.says() if x.choices]
    assert card.voice == SpeakGuided(rung=Rung.SIDE_GLIDE, side="right")
    assert "RIGHT shoulder to the wall" in card.text and card.params == {"reps": 10}
    assert [c.value for c in card.choices] == ["done", "steps", "stop"]
    sets = s.session.ladder.sets_done
    s.press("done")
    assert now(s).state == State.CHECK_ANSWER and s.session.ladder.sets_done == sets + 1
    assert s.says()[-1].prefix == t.SET_DONE


def test_show_me_the_steps_goes_back_to_learn_mode_and_stop_asks_why() -> None:
    s = Script().onboard().press("start").steps().checkin("centralizing", "4", "thigh")
    s.wait(3).cmd("exercise").press("nothing", "steps")
    assert s.session.state == State.STEP and s.session.cursor.step == 1
    s.steps()
    assert s.says()[-1].prefix == t.SET_DONE  # learned already: no "next time" again
    s.checkin("centralizing", "4", "thigh").wait(3).cmd("exercise").press("nothing", "stop")
    assert now(s).state == State.STOP_WHY


def test_voice_off_sends_no_note_with_the_card_or_the_steps() -> None:
    s = Script().onboard().cmd("voice").press("start")
    assert not s.session.voice and all(x.voice is None for x in s.says())
    s.steps()
    assert s.says()[-1].prefix == t.LEARNED
    s.checkin("centralizing", "4", "thigh").wait(3).cmd("exercise").press("nothing")
    assert s.session.state == State.SET_CARD and all(x.voice is None for x in s.says())


def test_repeat_step() -> None:
    s = Script().onboard().press("start", "next")
    assert s.session.cursor.step == 2
    seq = s.session.seq
    s.press("repeat")
    assert s.session.cursor.step == 2 and s.session.seq == seq + 1
    s.cmd("voice")
    assert not s.session.voice and t.VOICE_OFF in s.texts()
    s.press("next")
    assert all(x.voice is None for x in s.says())
    s.cmd("voice")
    assert s.session.voice


def test_press_up_exercises_show_the_caution_on_their_first_set_only() -> None:
    s = Script().onboard(tried="none").press("start")
    assert PRESS_UP_CAUTION in s.texts()
    s.steps().checkin("centralizing", "3", "buttock")
    s.wait(3).do_set()
    assert PRESS_UP_CAUTION not in [x.text for x in s.all_of(Say)[-12:]]


def test_the_set_right_after_onboarding_skips_the_check_and_later_sets_ask_it() -> None:
    s = Script().onboard().press("start")
    assert s.session.state == State.STEP  # screened a few minutes ago
    s.steps().checkin("centralizing", "5", "thigh")
    s.cmd("exercise")
    assert now(s).state == State.SET_CARD  # the screening is under an hour old
    s = Script().onboard().press("start").steps().checkin("centralizing", "5", "thigh")
    s.wait(1).cmd("exercise")
    assert s.session.state == State.PRESET
    s.press("nothing")
    assert now(s).state == State.SET_CARD
    s.steps().checkin("centralizing", "5", "thigh").cmd("exercise")
    assert now(s).state == State.SET_CARD  # "nothing new" minutes ago counts


def test_something_new_screens_then_asks_where_and_further_is_the_stop_rule() -> None:
    s = Script().onboard(reach="thigh").press("later").wait(2).cmd("exercise").press("new")
    assert s.session.state == State.SCREEN
    while s.session.state == State.SCREEN:
        s.press("no")
    assert s.session.state == State.PRESET_REACH
    s.press("calf")
    assert s.session.safety.hold == Hold.STOP_RULE and s.session.state == State.HALTED
    assert ladder.R_SPREAD_BEFORE_SET in s.texts()
    assert ReminderPause("worse") in s.effects
    assert (
        RecordRungChange(
            from_rung=Rung.SIDE_GLIDE, to_rung=Rung.SEE_PT, reason=ladder.R_SPREAD_BEFORE_SET
        )
        in s.effects
    )
    s = Script().onboard(reach="thigh").press("later").wait(2).cmd("exercise").press("new")
    while s.session.state == State.SCREEN:
        s.press("no")
    s.press("buttock")
    assert s.session.state == State.STEP


# --- check-ins ---------------------------------------------------------------------------


def glide_user(reach: str = "calf", pain: str = "6", **rules: Any) -> Script:
    return Script(rules=Rules(**rules)).onboard(reach=reach, pain=pain).press("start").steps()


def test_easing_continues_and_reassures_about_back_pain() -> None:
    s = glide_user().press("centralizing")
    assert s.says()[-1].prefix == t.CENTRALIZING_NOTE
    s.press("5", "thigh")
    checkin = s.of(RecordCheckIn)[0].checkin
    assert (checkin.rung, checkin.answer, checkin.pain, checkin.reach) == (
        Rung.SIDE_GLIDE,
        Answer.CENTRALIZING,
        5,
        Reach.THIGH,
    )
    assert ladder.R_PROGRESS_GLIDE in s.texts()
    assert (s.session.ladder.stage, s.session.state) == (Stage.SIDE_GLIDE, State.IDLE)
    assert (s.session.ladder.ref_reach, s.session.ladder.ref_pain, s.session.ladder.stall) == (
        Reach.THIGH,
        5,
        0,
    )


def test_leg_pain_gone_on_the_side_glide_goes_back_to_press_ups() -> None:
    s = glide_user().checkin("leg_gone", "3", "back_side")
    assert s.session.ladder.stage == Stage.BACK_PRESS_UPS and s.session.rung == Rung.PRESS_UPS
    assert ladder.R_LEG_GONE_FROM_GLIDE in s.texts()
    change = RecordRungChange(
        from_rung=Rung.SIDE_GLIDE, to_rung=Rung.PRESS_UPS, reason=ladder.R_LEG_GONE_FROM_GLIDE
    )
    assert change in s.effects


def test_back_pain_answers_after_the_leg_pain_went() -> None:
    s = glide_user().checkin("leg_gone", "3", "back_side").wait(3).do_set()
    assert [c.value for c in choices(s.session)] == [a.value for a in t.BACK_ANSWERS]
    assert s.says()[-1].text == t.ASK_ANSWER_BACK
    s.checkin("back_easing", "1", "back_side")  # pain down by 2: progress
    assert ladder.R_PROGRESS in s.texts() and s.session.ladder.stall == 0


def test_a_checkin_part_way_through_a_set_is_a_checkin() -> None:
    s = Script().onboard(reach="calf").press("start", "next")
    s.cmd("checkin").checkin("centralizing", "5", "thigh")
    # design.md: a check-in belongs to a set: /checkin in a set ends it, counted
    assert s.session.ladder.sets_done == 1 and len(s.all_of(RecordCheckIn)) == 1


def test_worse_stops_at_once_pauses_reminders_and_needs_a_pt_restart() -> None:
    s = glide_user().press("worse")
    assert s.session.safety.hold == Hold.STOP_RULE  # in the same turn
    assert ReminderPause("worse") in s.effects
    assert (
        RecordRungChange(from_rung=Rung.SIDE_GLIDE, to_rung=Rung.SEE_PT, reason=ladder.R_WORSE)
        in s.effects
    )
    assert s.says()[-1].prefix == t.WORSE_NOTE
    s.press("8", "foot")
    assert s.session.state == State.HALTED
    assert ladder.R_WORSE in s.texts()
    # one record of the stop, one check-in for the record
    assert len(s.all_of(RecordCheckIn)) == 1
    assert len([c for c in s.all_of(RecordRungChange) if c.to_rung == Rung.SEE_PT]) == 1
    s.cmd("exercise")
    assert s.session.state == State.HALTED
    assert s.says()[-1].prefix == t.HELD_WHY["stop"]
    assert [c.value for c in s.says()[-1].choices] == ["pt_ok"]
    assert advance(s.session, ReminderDue(), T0).effects == ()


def test_the_pt_restart_asks_which_exercise_and_which_shoulder() -> None:
    s = glide_user().checkin("worse", "8", "foot").press("pt_ok")
    assert s.session.state == State.PT_EXERCISE and s.session.safety.hold == Hold.STOP_RULE
    assert [c.value for c in choices(s.session)] == [r.value for r in EXERCISES]
    s.press("side_glide")
    assert now(s).state == State.PT_WALL and s.session.safety.hold is not None
    s.press("left")
    assert s.session.safety.hold is None and s.session.state == State.OFFER
    assert s.session.glide_shoulder == Side.LEFT  # the PT reversed it
    assert ReminderPause(None) in s.effects
    assert (
        RecordRungChange(from_rung=Rung.SEE_PT, to_rung=Rung.SIDE_GLIDE, reason=ladder.R_PT_GO_ON)
        in s.effects
    )
    s = glide_user().checkin("worse", "8", "foot").press("pt_ok", "press_ups")
    assert s.session.ladder.stage == Stage.BACK_PRESS_UPS  # after the side glide
    assert s.session.state == State.OFFER and s.session.ladder.stall == 0


def test_numbers_that_say_worse_ask_once_and_no_keeps_the_answer_tapped() -> None:
    s = glide_user(reach="thigh", pain="4").checkin("centralizing", "4", "foot")
    assert s.session.state == State.CHECK_CONFIRM
    q = s.says()[-1]
    assert q.text == ladder.Q_SPREAD and [c.value for c in q.choices] == ["yes", "no"]
    assert not s.of(RecordCheckIn)
    s.press("no")
    (record,) = s.of(RecordCheckIn)
    assert record.checkin.answer == Answer.CENTRALIZING
    assert s.session.safety.hold is None and s.session.ladder.stall == 1  # no progress either
    s = glide_user(reach="thigh", pain="4").checkin("no_change", "6", "thigh")
    assert s.says()[-1].text == ladder.Q_LEG_WORSE
    assert s.says()[-1].params == {"before": 4, "now": 6}
    s.press("yes")
    (record,) = s.of(RecordCheckIn)
    assert record.checkin.answer == Answer.WORSE
    assert s.session.state == State.HALTED and ReminderPause("worse") in s.effects


def test_more_back_pain_is_not_the_stop_rule() -> None:
    s = glide_user(reach="back_side", pain="3").checkin("no_change", "6", "back_side")
    assert s.session.state == State.IDLE and s.session.safety.hold is None


def test_all_pain_gone_is_one_confirming_tap_instead_of_two_numbers() -> None:
    s = glide_user().press("all_gone")
    assert s.session.state == State.CHECK_CONFIRM and s.says()[-1].text == ladder.Q_ALL_GONE
    assert [c.value for c in s.says()[-1].choices] == ["yes", "no"]
    s.press("yes")  # two taps in all: no 0-10 score, no reach
    (record,) = s.of(RecordCheckIn)
    checkin = record.checkin
    assert (checkin.answer, checkin.pain, checkin.reach) == (Answer.ALL_GONE, 0, Reach.NONE)
    assert s.session.ladder.recovered and now(s).state == State.RECOVERED
    s = glide_user().press("all_gone", "no")  # some pain left: which answer fits?
    assert s.session.state == State.CHECK_ANSWER
    assert "all_gone" not in [c.value for c in choices(s.session)]
    s.press("centralizing", "4", "thigh")
    (record,) = s.of(RecordCheckIn)
    assert (record.checkin.answer, record.checkin.pain) == (Answer.CENTRALIZING, 4)


def test_no_pain_with_another_answer_asks_whether_all_pain_is_gone() -> None:
    s = glide_user().checkin("centralizing", "0", "none")
    assert s.session.state == State.CHECK_CONFIRM
    s.press("no")  # then the numbers were wrong: asked once more
    assert now(s).state == State.CHECK_PAIN and s.says()[-1].prefix == t.AGAIN_NUMBERS
    s.press("2", "back_side")
    assert now(s).state == State.IDLE and not s.session.ladder.recovered


def test_leg_pain_gone_with_the_pain_still_in_the_leg_is_asked() -> None:
    s = glide_user().checkin("leg_gone", "3", "thigh")
    assert s.says()[-1].text == ladder.Q_LEG_GONE
    s.press("no")  # only the back hurts: which part?
    assert s.session.state == State.CHECK_REACH
    assert [c.value for c in choices(s.session)] == ["back_side", "back_centre"]
    s.press("back_side")
    assert s.session.ladder.stage == Stage.BACK_PRESS_UPS
    s = glide_user().checkin("leg_gone", "3", "thigh").press("yes")
    assert s.session.state == State.CHECK_ANSWER
    assert "leg_gone" not in [c.value for c in choices(s.session)]


def test_all_gone_congratulates_stops_reminders_and_offers_one_more_set() -> None:
    s = glide_user().checkin("all_gone", "0", "none")
    assert ladder.R_ALL_GONE in s.texts()
    assert ReminderPause("done") in s.effects
    assert s.session.state == State.RECOVERED
    assert [c.value for c in s.says()[-1].choices] == ["more", "done"]
    s.press("more")
    assert now(s).state == State.SET_CARD  # the pain was checked a minute ago


def test_recovered_then_pain_back_days_later_is_a_new_starting_point() -> None:
    s = Script().onboard(reach="calf", tried="press").press("start").steps()
    s.checkin("centralizing", "5", "thigh")  # hips off centre helped
    assert s.session.ladder.helped == Stage.HIPS_OFF_CENTRE
    s.wait(3).do_set().checkin("all_gone", "0", "none").press("done")
    assert s.session.ladder.recovered and s.session.ladder.helped == Stage.HIPS_OFF_CENTRE
    s.session = replace(
        s.session, ladder=replace(s.session.ladder, stage=Stage.SIDE_GLIDE)
    )  # say a PT had moved them on
    s.wait(72).cmd("exercise").press("nothing")
    assert s.session.state == State.PRESET_REACH and s.says()[-1].text == t.EPISODE_REACH
    s.press("thigh", "6")
    assert not s.session.ladder.recovered and s.session.safety.hold is None
    assert s.session.ladder.stage == Stage.HIPS_OFF_CENTRE  # the exercise that last helped
    assert (s.session.ladder.ref_reach, s.session.ladder.ref_pain) == (Reach.THIGH, 6)
    assert now(s).state == State.SET_CARD and ReminderPause(None) in s.effects
    change = RecordRungChange(
        from_rung=Rung.SIDE_GLIDE, to_rung=Rung.HIPS_OFF_CENTRE, reason=ladder.R_NEW_EPISODE
    )
    assert change in s.effects


def test_a_stall_moves_up_and_any_progress_resets_it() -> None:
    s = glide_user(reach="calf", pain="6")
    s.checkin("no_change", "6", "calf")
    assert s.session.ladder.stall == 1 and ladder.R_FAIR_TRIAL in s.texts()
    s.wait(3).do_set().checkin("centralizing", "6", "thigh")  # closer: progress
    assert s.session.ladder.stall == 0
    for n in (1, 2):
        s.wait(3).do_set().checkin("no_change", "6", "thigh")
        assert s.session.ladder.stall == n and s.session.ladder.stage == Stage.SIDE_GLIDE
    s.wait(3).do_set().checkin("no_change", "5", "thigh")  # down by 1: not progress
    assert s.session.ladder.stage == Stage.FLEXION_ROTATION and s.session.ladder.stall == 0
    assert ladder.R_STALL_TO_FLEXION in s.texts()
    s.wait(3).cmd("exercise").press("nothing")
    assert s.session.state == State.STEP  # a new exercise: its steps first
    s.steps().checkin("no_change", "5", "thigh").wait(3).cmd("exercise").press("nothing")
    (card,) = [x for x in s.says() if x.choices]
    assert card.voice == SpeakGuided(rung=Rung.FLEXION_ROTATION, side="left")


def test_the_stall_count_is_configurable() -> None:
    s = glide_user(stall_after=1).checkin("no_change", "6", "calf")
    assert s.session.ladder.stage == Stage.FLEXION_ROTATION


def test_the_ladder_ends_with_see_a_pt() -> None:
    s = Script().onboard(tried="none").press("start").steps()
    climbed = []
    for _ in range(4 * 3):
        s.checkin("no_change", "6", "thigh")
        climbed.append(s.session.ladder.stage)
        if s.session.state == State.HALTED:
            break
        s.wait(3).do_set()
    assert climbed[2] == Stage.HIPS_OFF_CENTRE
    assert climbed[5] == Stage.SIDE_GLIDE
    assert climbed[8] == Stage.FLEXION_ROTATION
    assert s.session.safety.hold == Hold.SEE_PT and len(climbed) == 12
    assert ladder.R_STALL_SEE_PT in s.texts() and ReminderPause("see_pt") in s.effects
    s.cmd("exercise")
    assert s.session.state == State.HALTED and s.says()[-1].prefix == t.HELD_WHY["see_pt"]
    s.press("pt_ok", "press_ups")
    assert s.session.safety.hold is None and s.session.ladder.stage == Stage.BACK_PRESS_UPS


def test_central_pain_goes_from_press_ups_to_a_pt() -> None:
    s = Script().onboard(side="centre", reach="back_centre").press("start")
    for _ in range(3):
        s.steps().checkin("no_change", "5", "back_centre")
        if s.session.state != State.HALTED:
            s.wait(3).cmd("exercise")
            if s.session.state == State.PRESET:
                s.press("nothing")
    assert s.session.safety.hold == Hold.SEE_PT and ladder.R_STALL_CENTRAL in s.texts()


def test_checkin_command_at_any_time_and_typed_pain() -> None:
    s = Script().onboard().press("later")
    assert s.session.state == State.IDLE
    s.cmd("checkin")
    assert now(s).state == State.CHECK_WHICH  # "did you just finish a set?"
    s.press("set")
    assert now(s).state == State.CHECK_ANSWER
    s.press("no_change").type(" 7 ")
    assert s.session.pending.pain == 7 and now(s).state == State.CHECK_REACH


# --- bad input -----------------------------------------------------------------------------


def test_free_text_where_a_button_is_expected_reprompts_with_buttons() -> None:
    s = Script().onboard().press("start")
    before = s.session
    s.type("what now?")
    assert s.session == before
    (say,) = s.says()
    assert say.note == t.PLEASE_BUTTONS and say.prefix == t.STEP_PREFIX
    assert [c.value for c in say.choices] == ["next", "repeat", "stop"]
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
    assert s.says()[-1].prefix == t.UNKNOWN_COMMAND and s.session.state == State.OFFER


def test_help_lists_commands_and_keeps_buttons() -> None:
    s = Script().onboard().press("start").cmd("help")
    assert s.texts()[0] == t.HELP and s.says()[-1].choices


def test_stop_outside_a_set_is_harmless() -> None:
    s = Script().onboard().press("later").cmd("stop")
    assert s.texts() == [t.NOTHING_RUNNING]


def test_detours_return_to_the_same_step() -> None:
    s = Script().onboard().press("start", "next", "next")
    s.cmd("language")
    assert s.session.state == State.LANGUAGE
    s.press("de")
    assert s.session.language == "de" and (s.session.state, s.session.cursor.step) == (
        State.STEP,
        3,
    )
    s.cmd("settings").press("voice", "close")
    assert (s.session.state, s.session.cursor.step, s.session.voice) == (State.STEP, 3, False)


def test_settings_change_the_wall_shoulder() -> None:
    s = Script().onboard(side="right").press("later").cmd("settings")
    assert s.says()[-1].params["shoulder"] == "LEFT"
    s.press("wall", "right")
    assert s.session.assessment.wall_shoulder == Side.RIGHT
    assert s.says()[0].text == t.WALL_SAVED
    s.press("close")
    assert s.session.state == State.IDLE
    # centre pain: no shoulder until a clinician names one, then it is named everywhere
    s = Script().onboard(side="centre", reach="back_centre").cmd("settings")
    assert s.says()[-1].text == t.SETTINGS_NO_WALL
    s.press("wall", "left")
    assert s.session.glide_shoulder == Side.LEFT and s.says()[0].params["shoulder"] == "LEFT"


def test_forget_needs_confirmation() -> None:
    s = Script().onboard()
    s.cmd("forget").press("no")
    assert s.session.assessment.onboarded and s.session.state == State.OFFER
    s.cmd("forget").press("yes")
    assert ForgetUser() in s.effects
    assert s.session == Session(language="en")


def test_before_start_nothing_but_start_begins_a_conversation() -> None:
    for command in ("exercise", "checkin", "remind", "language", "settings", "safety"):
        out = advance(Session(), __import__("flows.events").events.Command(command), T0)
        said = [e.text if isinstance(e, Say) else e for e in out.effects]
        assert out.session == Session() and said == [t.SEND_START]
    assert advance(Session(), ReminderPress("start"), T0).effects == (Stale(),)
    assert Script().type("hello").session.state == State.WELCOME


def test_commands_before_onboarding_start_onboarding() -> None:
    s = Script().cmd("start").press("ok").cmd("remind")
    assert s.session.state == State.SCREEN


def test_start_mid_conversation_resumes_the_same_question() -> None:
    s = Script().onboard().press("start", "next")
    s.cmd("start")
    assert (s.session.state, s.session.cursor.step) == (State.STEP, 2)
    assert s.says()[-1].note == t.WELCOME_BACK


def test_reminder_ping_and_its_buttons() -> None:
    s = Script().onboard().press("later")
    out = advance(s.session, ReminderDue(), T0)
    (ping,) = out.effects
    assert isinstance(ping, Say) and ping.reminder
    assert [c.value for c in ping.choices] == ["start", "snooze", "skip"]
    s.send(ReminderPress("snooze"))
    assert Reminders(ReminderAction.SNOOZE) in s.effects
    s.send(ReminderPress("start"))
    assert s.session.state == State.STEP and is_busy(s.session)
    assert advance(s.session, ReminderDue(), T0).effects == ()


def test_commands_half_way_through_the_questions_keep_the_answers_given() -> None:
    s = Script().cmd("start").press("ok", "no", "no")
    asked = s.session.cursor.flag
    assert s.session.state == State.SCREEN
    for command in ("exercise", "checkin", "remind"):
        s.cmd(command)
        assert (s.session.state, s.session.cursor.flag) == (State.SCREEN, asked), command
        assert s.says()[-1].prefix == t.FINISH_QUESTIONS
    while s.session.state == State.SCREEN:
        s.press("no")
    s.press("left")
    s.cmd("exercise")
    assert s.session.state == State.ASSESS_WALL and s.session.assessment.side == Side.LEFT


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
    s.session = replace(
        s.session,
        reminders=replace(
            s.session.reminders,
            mode=RemindMode(mode) if mode else None,
            every=4,
            paused=paused,
        ),
    )
    s.checkin("centralizing", "4", "thigh")
    announcements = (t.NEXT_SET, t.NEXT_SET_EVERY, t.NEXT_SET_FIXED)
    said = [say for say in s.says() if say.text in announcements]
    assert [say.text for say in said] == [msgid]
    assert said[0].params.get("hours") == hours
    assert said[-1] == s.says()[-1]  # the last word: no second "use /exercise" after it


def test_remind_pause_and_resume_are_the_users_own_pause() -> None:
    s = Script().onboard().press("later").cmd("remind").press("setup", "UTC", "every3")
    s.press("08:00-21:00")
    (saved,) = s.of(SetSchedule)
    assert saved.paused is None
    s.press("pause")
    assert ReminderPause("user") in s.effects and s.session.reminders.paused
    s.cmd("remind").press("resume")
    assert ReminderPause(None) in s.effects


def test_leaving_remind_half_way_keeps_no_half_schedule() -> None:
    from flows import remind

    s = Script().onboard().press("later").cmd("remind").press("setup", "UTC", "fixed")
    assert s.session.state == State.REMIND_TIMES
    s.cmd("exercise").cmd("remind")
    assert now(s).state == State.REMIND_MENU and s.says()[-1].text == remind.ASK_NONE
    s.press("setup", "every4", "07:00-22:00")
    (saved,) = s.of(SetSchedule)
    assert (saved.mode, saved.every_hours, saved.start, saved.end) == (
        "every",
        4,
        "07:00",
        "22:00",
    )


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
    if s.session.state == State.ASSESS_WALL:
        s.press("no")
    s.press(reach)
    assert (s.session.state == State.ASSESS_BOTH_LEGS) is asked


def test_pain_down_both_legs_is_the_red_flag() -> None:
    s = Script().screened().press("both", "thigh", "yes")
    assert s.session.state == State.REDFLAG and s.session.safety.red_flag == "both_legs"
    assert RecordScreening(question="both_legs", yes=True) in s.effects
    assert ReminderPause("redflag") in s.effects
    s = Script().screened().press("both", "thigh", "no")
    assert s.session.state == State.ASSESS_PAIN and s.session.safety.red_flag is None


def test_press_ups_that_made_the_leg_worse_stop_before_the_first_set() -> None:
    s = Script().screened().press("left", "no", "thigh", "6", "press", "worse")
    assert s.session.state == State.HALTED and s.session.safety.hold == Hold.STOP_RULE
    assert ladder.TRIED_WORSE in s.texts() and ladder.START_HIPS not in s.texts()
    assert (
        RecordRungChange(from_rung=None, to_rung=Rung.SEE_PT, reason=ladder.TRIED_WORSE)
        in s.effects
    )
    s.cmd("exercise")
    assert s.session.state == State.HALTED


# --- the states and the session ------------------------------------------------------------


def test_every_state_has_one_entry_with_a_question() -> None:
    assert set(State) == set(ALL_STATES) == set(SPECS)
    onboarded = Script().onboard().session
    for state in State:
        question = SPECS[state].ask(
            replace(onboarded, cursor=replace(onboarded.cursor, state=state, flag="bladder"))
        )
        assert question.text


def test_session_round_trips_through_json() -> None:
    s = glide_user().press("centralizing", "5")
    data = json.loads(json.dumps(s.session.to_dict()))
    assert Session.from_dict(data) == s.session
    assert Session.from_dict({"state": "idle", "unknown": 1}).state == State.IDLE


# rows as the first version (session v1) saved them
V1_MID_SET = (
    '{"state": "ex.side_glide.3", "seq": 21, "language": "en", "voice": true, "side": "left",'
    ' "wall_shoulder": null, "baseline_reach": "calf", "baseline_pain": 6, "onboarded": true,'
    ' "tried": "both", "screened": true, "red_flag": null, "after_screening": null, "halted":'
    ' false, "rung": "side_glide", "rung_sets": 0, "no_change": 0, "stall": 0, "last_reach":'
    ' "calf", "sets_done": 0, "checked_in": false, "recovered": false, "pending_answer": null,'
    ' "pending_pain": null, "tz": null, "remind_mode": null, "remind_every": 3,'
    ' "remind_window": "08:00-21:00", "remind_times": "", "remind_paused": false,'
    ' "return_to": null, "v": 1}'
)
V1_HALTED = V1_MID_SET.replace('"ex.side_glide.3"', '"halted"').replace(
    '"halted": false', '"halted": true'
)


def test_rows_saved_by_the_first_version_still_load() -> None:
    s = Session.from_dict(json.loads(V1_MID_SET))
    assert (s.state, s.cursor.step, s.ladder.stage) == (State.STEP, 3, Stage.SIDE_GLIDE)
    assert (s.ladder.ref_reach, s.ladder.ref_pain) == (Reach.CALF, 6)
    assert s.safety.checked_at is None  # so the next set asks "anything new?" first
    out = advance(s, Press(s.seq, "next"), T0)
    assert out.session.cursor.step == 4
    held = Session.from_dict(json.loads(V1_HALTED))
    assert held.safety.hold == Hold.STOP_RULE and held.state == State.HALTED
    see_pt = Session.from_dict(
        json.loads(V1_MID_SET.replace('"rung": "side_glide"', '"rung": "see_pt"'))
    )
    assert see_pt.safety.hold == Hold.SEE_PT
    screening_row = Session.from_dict(
        json.loads(V1_MID_SET.replace('"ex.side_glide.3"', '"screen.fever"'))
    )
    assert (screening_row.state, screening_row.cursor.flag) == (State.SCREEN, "fever")


# a row as the ladder's version (session v2, flat) saved it: "worse" tapped, pain next
V2_WORSE_TAPPED = (
    '{"state": "check.pain", "seq": 28, "flag": "bones", "step": 8, "language": "en",'
    ' "voice": true, "side": "left", "wall_shoulder": null, "baseline_reach": "calf",'
    ' "baseline_pain": 6, "onboarded": true, "tried": "both", "screened": true,'
    ' "red_flag": null, "after_screening": null, "hold": "stop", "checked_at":'
    ' "2026-03-01T09:12:00+00:00", "blocked": false, "stage": "side_glide", "stall": 0,'
    ' "ref_reach": "calf", "ref_pain": 6, "helped": null, "rung_sets": 1, "sets_done": 1,'
    ' "recovered": false, "checked_in_at": null, "pending_answer": "worse", "pending_pain":'
    ' null, "pending_reach": null, "asking": null, "asked": [], "tz": null, "remind_mode":'
    ' null, "remind_every": 3, "remind_window": "08:00-21:00", "remind_times": "",'
    ' "remind_paused": false, "return_to": null, "v": 2}'
)


def test_rows_saved_flat_by_the_ladder_version_load_into_the_records() -> None:
    s = Session.from_dict(json.loads(V2_WORSE_TAPPED))
    assert (s.state, s.cursor.seq, s.cursor.step) == (State.CHECK_PAIN, 28, 8)
    assert (s.assessment.side, s.assessment.baseline_reach) == (Side.LEFT, Reach.CALF)
    assert s.safety.hold == Hold.STOP_RULE and s.safety.checked_at == T0.replace(minute=12)
    assert (s.ladder.stage, s.ladder.ref_pain, s.pending.answer) == (
        Stage.SIDE_GLIDE,
        6,
        Answer.WORSE,
    )
    assert str(s.reminders.window) == "08:00-21:00"
    out = advance(s, Press(s.seq, "8"), T0)
    assert out.session.state == State.CHECK_REACH and out.session.pending.pain == 8
    assert Session.from_dict(s.to_dict()) == s  # and it saves as records from now on
    assert s.to_dict()["v"] == 3 and "cursor" in s.to_dict()


def test_reminder_choices_stored_as_text_read_back_typed_and_are_stored_as_before() -> None:
    """Sessions written before the window and the times were typed hold them as text
    ("07:00-22:00", "08:00,12:30"): they read as the typed values, and a session is
    written back in that same text, which every version reads."""
    stored = Session(language="de").to_dict()
    stored["reminders"] = {
        "tz": "Europe/Berlin",
        "mode": "fixed",
        "every": 2,
        "window": "07:00-22:00",
        "times": "08:00,12:30",
        "paused": False,
    }
    s = Session.from_dict(json.loads(json.dumps(stored)))
    assert s.reminders.window == Window(time(7), time(22))
    assert s.reminders.times == (time(8), time(12, 30))
    assert schedule_of(s) == Schedule(
        "Europe/Berlin",
        mode=RemindMode.FIXED,
        every_hours=2,
        start=time(7),
        end=time(22),
        fixed_times=(time(8), time(12, 30)),
    )
    assert s.to_dict()["reminders"] == stored["reminders"]
    assert Session().to_dict()["reminders"]["window"] == "08:00-21:00"


def test_typed_hours_and_times_are_read_once_into_typed_values() -> None:
    assert parse_window("8.00 to 21h00") == Window(time(8), time(21))
    assert parse_window("21:00-08:00") is None and parse_window("25:00-26:00") is None
    assert parse_times("18:00; 8:15 18:00") == (time(8, 15), time(18))
    assert parse_times("8:15, noon") is None
    s = Script().onboard().press("later").cmd("remind").press("setup", "UTC", "every3")
    s.type("7:30 - 20:00")
    assert s.session.reminders.window == Window(time(7, 30), time(20))
    assert schedule_of(s.session).start == time(7, 30)


def test_without_voice_configured_no_note_no_voice_button_and_voice_says_why() -> None:
    s = Script(rules=Rules(voice=False)).onboard().press("start")
    assert all(x.voice is None for x in s.says()) and not s.of(Speak)
    s.cmd("settings")
    assert "voice" not in [c.value for c in s.says()[-1].choices]
    s.cmd("voice")
    assert s.texts() == [t.NO_VOICE] and s.session.voice  # the preference is kept
