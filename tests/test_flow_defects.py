"""Issue 12's numbered defects, each replayed through `flows.advance` as a user would.

Written against behaviour only (states and button values as strings), so the same
file also runs against the first version's engine, where each of these failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flows import ladder, screening
from flows import texts as t
from flows.catalogue import EXERCISES
from flows.effects import RecordCheckIn, Say, Speak, SpeakGuided
from flows.engine import advance, choices
from flows.events import ReminderDue
from flows.model import Reach
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
        # the user's own untimed phases (lying, propping) are on the card, not in the note
        for step in ex.steps[ex.phases :]:
            assert step.text.format(reps=REPS) in spoken, (rung, step.text)
        for step in ex.steps[: ex.phases]:
            assert step.text.format(reps=REPS) not in spoken, (rung, step.text)
    glide = " ".join(guided_inputs(SpeakGuided(rung=Rung.SIDE_GLIDE, side="right"), "en")[0])
    assert "under your rib cage" in glide and "closer to the wall" in glide
    assert "swing your hips away" in glide


def test_the_first_version_had_these_states_too() -> None:
    """A sanity check for this file's string comparisons: the kit speaks both versions."""
    s = Script().onboard()
    assert isinstance(s.says()[-1], Say) and s.session.state == "offer"


# --- issue 23: the check-in owed ----------------------------------------------------------

STEPS_OR_CARDS = ("step", "set.card", "set.press")


def no_set_in(s: Script) -> None:
    assert s.session.state not in STEPS_OR_CARDS, s.session.state
    assert not s.of(Speak) and not s.of(SpeakGuided)


def worse_numbers(s: Script) -> Script:
    """A set whose numbers say worse (thigh -> foot, 4 -> 8): the one confirming question."""
    s.press("no_change", "8", "foot")
    assert s.session.state == "check.confirm"
    return s


def test_23_1_an_owed_question_is_asked_again_before_any_set() -> None:
    from flows.events import Prescribed, ReminderPress
    from flows.model import Prescription, Rung

    walks: dict[str, Callable[[Script], object]] = {
        "stop": lambda s: s.cmd("stop").cmd("exercise"),
        "settings": lambda s: s.cmd("settings").press("close").cmd("exercise"),
        "language": lambda s: s.cmd("language").press("de").cmd("exercise"),
        "psfs": lambda s: s.cmd("psfs").press("cancel").cmd("exercise"),
        "help": lambda s: s.cmd("help").cmd("voice").cmd("progress").cmd("exercise"),
        "ping": lambda s: s.send(ReminderPress("start")) and s,
        "checkin": lambda s: s.cmd("checkin"),
    }
    for name, walk_around in walks.items():
        s = worse_numbers(glide_set(reach="thigh", pain="4"))
        walk_around(s)
        assert s.session.state == "check.confirm", name
        no_set_in(s)
        s.press("yes")  # worse: the stop rule, recorded, and the PT sees it
        assert s.session.halted, name
        assert len(s.all_of(RecordCheckIn)) == 1, name
    # a clean /safety returns to the question, never to "use /exercise"
    s = worse_numbers(glide_set(reach="thigh", pain="4")).cmd("safety")
    while s.session.state == "screen":
        s.press("no")
    assert s.session.state == "check.confirm" and t.SCREEN_PASSED_IDLE not in s.texts()
    # a PT's prescription waits for the answer; a ping asks it instead of offering a set
    s = worse_numbers(glide_set(reach="thigh", pain="4"))
    s.send(Prescribed(Prescription(Rung.PRESS_UPS), pt_id=9))
    assert s.session.state == "check.confirm" and s.session.assessment.rx_pending is not None
    assert t.PT_RX_AFTER_OWED in s.texts()
    ping = advance(s.session, ReminderDue(), s.now)
    assert [e.text for e in ping.effects if isinstance(e, Say)] == [ladder.Q_SPREAD]
    assert ping.session.state == "check.confirm"


def test_23_1_the_set_check_in_and_stop_part_way_are_owed_too() -> None:
    s = glide_set().cmd("stop").cmd("exercise")
    assert s.session.state == "check.answer"
    no_set_in(s)
    s = Script().onboard().press("start", "next", "stop").cmd("stop").cmd("exercise")
    assert s.session.state == "stop.why"
    no_set_in(s)
    s.press("just")  # "just stopped" owes nothing: the next set may start
    s.cmd("exercise")
    assert s.session.state in ("preset", "step", "set.card")


def test_23_1_where_the_pain_reaches_after_something_new_is_owed() -> None:
    s = glide_set().press("centralizing", "5", "thigh").wait(3).cmd("exercise").press("new")
    while s.session.state == "screen":
        s.press("no")
    assert s.session.state == "preset.reach"
    s.cmd("stop").cmd("exercise")
    assert s.session.state == "preset.reach"
    no_set_in(s)
    s.press("thigh")
    assert s.session.state in STEPS_OR_CARDS  # answered: the set goes on


def set_later(s: Script) -> Script:
    s.wait(3).cmd("exercise")
    if s.session.state == "preset":
        s.press("nothing")
    return s.steps()


def checkins(s: Script, stage_answers: list[tuple[str, str, str]]) -> list[str]:
    said = []
    for answer, pain, reach in stage_answers:
        set_later(s)
        s.press(answer, pain, reach)
        said.append(s.texts()[0])
    return said


def test_23_2_steady_improvement_is_read_as_improvement() -> None:
    s = glide_set(reach="thigh", pain="7")
    s.press("centralizing", "6", "thigh")
    said = [s.texts()[0]]
    said += checkins(s, [("centralizing", "5", "thigh"), ("centralizing", "4", "thigh")])
    assert said == [ladder.R_PROGRESS_GLIDE] * 3
    assert s.session.rung == "side_glide" and not s.session.halted
    # back pain easing one point at a time on the straight press-ups after the side glide
    set_later(s)
    s.press("leg_gone", "6", "back_side")
    assert s.session.ladder.stage == "back_press_ups"
    said = checkins(s, [("back_easing", str(p), "back_side") for p in (5, 4, 3, 2)])
    assert said == [ladder.R_PROGRESS] * 4 and not s.session.halted


def test_23_3_check_ins_without_a_set_never_count_toward_a_stall() -> None:
    s = Script().onboard(tried="none").press("later")
    for _ in range(9):
        s.now += timedelta(hours=1)
        s.cmd("checkin").press("reading", "6", "thigh")
    assert s.session.rung == "press_ups" and s.session.ladder.stall == 0
    assert s.session.ladder.sets_done == 0
    readings = s.all_of(RecordCheckIn)
    assert len(readings) == 9 and all(r.checkin.answer == "reading" for r in readings)


def test_23_3_a_reading_is_held_to_the_stop_rule() -> None:
    s = Script().onboard(tried="none").press("later")
    s.cmd("checkin").press("reading", "6", "foot")
    assert s.session.state == "check.confirm"
    s.press("yes")
    assert s.session.halted


def test_23_4_a_single_no_pain_reading_is_not_a_recovery() -> None:
    s = glide_set(reach="thigh", pain="3").press("no_change", "0", "none")
    assert s.session.state == "check.confirm"  # "is all your pain gone?"
    s.press("no").press("0", "none")  # asked once more: still no pain, stored as a reading
    assert not s.session.ladder.recovered
    set_again(s)
    s.press("no_change", "8", "foot")
    assert s.session.state == "check.confirm" and ladder.R_NEW_EPISODE not in s.texts()
    s.press("yes")
    assert s.session.halted


def test_23_5_a_prescribed_shoulder_is_named_for_centre_pain() -> None:
    from flows.effects import Animate
    from flows.events import Prescribed
    from flows.model import Prescription, Rung, Side

    s = Script().onboard(side="centre", reach="back_centre").press("later")
    s.send(Prescribed(Prescription(Rung.SIDE_GLIDE, wall=Side.LEFT), pt_id=9))
    assert s.session.glide_shoulder == Side.LEFT
    s.cmd("exercise")
    if s.session.state == "preset":
        s.press("nothing")
    shown: list[str] = []
    animations = [e.animation for e in s.says() if e.animation is not None]
    while s.session.state == "step":
        shown.append(s.says()[-1].text)
        s.press("next")
    glide = EXERCISES[Rung.SIDE_GLIDE]
    assert glide.steps[0].left in shown and glide.steps[0].text not in shown
    assert animations and all(isinstance(a, Animate) and a.side == "left" for a in animations)
    s.press("no_change", "4", "back_centre")
    s.wait(3).cmd("exercise")
    if s.session.state == "preset":
        s.press("nothing")
    assert s.session.state == "set.card"
    card = s.says()[-1]
    assert card.text == glide.card.left and card.voice == SpeakGuided(
        rung=Rung.SIDE_GLIDE, side="left"
    )
    # /settings shows the wall shoulder for them too
    s.press("stop").press("just").cmd("settings")
    assert "wall" in offered(s) and s.says()[-1].params["shoulder"] == "LEFT"


def test_23_6_the_press_up_card_names_every_phase_and_the_note_times_none_of_them() -> None:
    from bot.voice.script import guided_inputs
    from flows.model import Rung
    from flows.trend import NUDGE_START

    card = EXERCISES[Rung.PRESS_UPS].card.text
    assert "few minutes" in card and "about 5 minutes" in card and "{reps}" in card
    setup, reps = guided_inputs(SpeakGuided(rung=Rung.PRESS_UPS), "en")
    spoken = " ".join([*setup, *reps.words()])
    assert "few minutes" not in spoken and "5 minutes" not in spoken
    assert "couple of minutes" not in " ".join(NUDGE_START)
    # a repeat press-up set: the card, "Now the press-ups" (the note), Done: three taps
    s = Script().onboard(tried="none").press("start")
    s.steps().press("centralizing", "5", "thigh").wait(3).cmd("exercise")
    if s.session.state == "preset":
        s.press("nothing")
    assert s.session.state == "set.card" and not s.of(SpeakGuided)
    assert s.says()[-1].voice is None and "press" in offered(s)
    s.press("press")
    assert s.session.state == "set.press"
    assert s.says()[-1].voice == SpeakGuided(rung=Rung.PRESS_UPS)
    s.press("done")
    assert s.session.state == "check.answer"


def test_23_7_a_clean_safety_after_a_stop_says_the_exercises_stay_paused() -> None:
    s = glide_set().press("worse", "7", "foot").cmd("safety")
    while s.session.state == "screen":
        s.press("no")
    assert t.SCREEN_PASSED_IDLE not in s.texts() and t.SCREEN_CLEAN in s.texts()
    assert s.session.state == "halted" and s.session.halted


def test_23_8_the_answers_keep_one_order_and_typed_numbers_mean_numbers() -> None:
    s = glide_set()
    assert offered(s)[0] == "worse" and offered(s)[-1] == "all_gone"
    s = glide_set().press("centralizing", "4", "buttock")
    set_again(s)
    s.press("leg_gone", "3", "back_side")
    set_again(s)
    assert offered(s)[0] == "worse" and offered(s)[-1] == "all_gone"
    s = glide_set().press("no_change")
    for bad in ("11", "-1", "6.5", "²", "①"):
        s.type(bad)
        assert s.session.state == "check.pain" and s.says()[0].prefix == t.WHOLE_NUMBER, bad
        assert s.session.pending.pain is None
    s.type("٧")  # Arabic-Indic seven
    assert s.session.pending.pain == 7 and s.session.state == "check.reach"


def test_23_9_more_sets_than_planned_never_reads_n_of_m() -> None:
    from flows.trend import NUDGE_BEYOND, adherence_nudge

    nudge = adherence_nudge(7, 3)
    assert nudge is not None and (nudge.msgid, nudge.plural) == NUDGE_BEYOND
    assert "{planned}" not in nudge.msgid


def test_23_10_words() -> None:
    from bot.presentation.i18n import translations
    from bot.progress.chart import T_PSFS
    from bot.voice.script import WORD_PAUSE
    from flows.remind import B_PAUSE

    assert WORD_PAUSE != B_PAUSE
    assert translations("de").gettext(WORD_PAUSE) != "Pausieren"
    assert translations("es").gettext(WORD_PAUSE) != "Pausar"
    ru = translations("ru").gettext
    assert ru(t.REACH_LABELS[Reach.THIGH]) != "Бедро"
    assert "кортикостероид" in ru(screening.BY_ID["bones"].question)
    es_po = Path("locales/es/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    assert "estés listo" not in es_po
    assert "face down" in t.ASK_TRIED and "PSFS" not in T_PSFS
