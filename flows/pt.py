"""Held until a physical therapist says go on: which exercise they want, which shoulder.

Only "my PT says go on" lifts the stop rule or "see a PT" (a red flag needs a
clean re-screen instead, flows.onboarding). The PT's choice of exercise and
wall shoulder is what the ladder continues from.
"""

from __future__ import annotations

from dataclasses import replace

from flows import ladder, owed, safety
from flows import texts as t
from flows.catalogue import exercise_name
from flows.effects import Choice, Effect, RecordPrescription, RecordRungChange, Say
from flows.ladder import Stage
from flows.model import Prescription, Rung, Side
from flows.onboarding import wall_value
from flows.owed import OWED_STATES
from flows.session import Hold, Session, State
from flows.sets import new_exercise
from flows.states import (
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    fixed,
    is_busy,
    leads,
    on,
    on_any,
    spec,
)

# after the side glide, straight press-ups are the ones that clear the back pain
_AFTER_GLIDE = frozenset({Stage.SIDE_GLIDE, Stage.BACK_PRESS_UPS, Stage.FLEXION_ROTATION})


def _pt_says_go_on(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.PT_EXERCISE)


def _stage_for(s: Session, rung: Rung) -> Stage:
    if rung == Rung.PRESS_UPS:
        return Stage.BACK_PRESS_UPS if s.ladder.stage in _AFTER_GLIDE else Stage.PRESS_UPS
    return Stage(rung.value)


def _exercise(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = new_exercise(s, _stage_for(s, Rung(value)))
    if s.ladder.stage == Stage.SIDE_GLIDE:
        return enter(s, State.PT_WALL)
    return go_on(s)


def go_on(s: Session) -> Outcome:
    """The hold is lifted: exercises and (through flows.safety) reminders go on."""
    stage = s.stage_now
    s = replace(s, safety=replace(s.safety, hold=None))
    s = new_exercise(s, stage)
    s = replace(s, ladder=replace(s.ladder, rung_sets=0))
    record = RecordRungChange(
        from_rung=Rung.SEE_PT, to_rung=stage.exercise, reason=ladder.R_PT_GO_ON
    )
    said = Say(t.PT_SET, {"exercise": exercise_name(stage.exercise)})
    if owed.owed(s) is not None:  # the question owed comes before any set
        return owed.ask(s, (record, said))
    return enter(s, State.OFFER, (record, said))


def _pt_wall_buttons(s: Session) -> tuple[Choice, ...]:
    """ "The usual" only where there is one: one-sided pain (design.md: for centre or
    both-sided pain the shoulder comes from a clinician only)."""
    usual = (Choice("no", t.B_PT_WALL_USUAL),) if s.one_sided else ()
    return (*usual, Choice("left", t.B_PT_WALL_LEFT), Choice("right", t.B_PT_WALL_RIGHT))


def _pt_wall(s: Session, value: str, ctx: Ctx) -> Outcome:
    return go_on(replace(s, assessment=replace(s.assessment, wall_shoulder=wall_value(value))))


# what `go_on` leads to: the new exercise offered, or the question owed before it
WENT_ON = leads(State.OFFER, OWED_STATES)

STATES: dict[State, Spec] = {
    State.HALTED: Spec(
        ask=lambda s: Question(t.HELD),
        buttons=fixed(Choice("pt_ok", t.B_PT_OK)),
        answers=(on("pt_ok", _pt_says_go_on, State.PT_EXERCISE),),
        kind=Kind.HOLD,
    ),
    State.PT_EXERCISE: Spec(
        ask=lambda s: Question(t.ASK_PT_EXERCISE),
        buttons=fixed(*(Choice(rung.value, label) for rung, label in t.EXERCISE_BUTTONS.items())),
        answers=(on_any(_exercise, State.PT_WALL, WENT_ON),),
        kind=Kind.HOLD,
    ),
    State.PT_WALL: Spec(
        ask=lambda s: Question(t.ASK_PT_WALL),
        buttons=_pt_wall_buttons,
        answers=(on_any(_pt_wall, WENT_ON),),
        kind=Kind.HOLD,
    ),
}


# --- a prescription from the user's PT (through a live share, bot.sharing) -------------


def prescribe(s: Session, rx: Prescription, pt_id: int, ctx: Ctx) -> Outcome:
    """The PT's prescription: recorded at once, applied now or, during a set, when the
    set and its check-in end. A hold (the stop rule, a warning sign) stays: the
    prescription sets what comes after it, never lifts it."""
    record = RecordPrescription(prescription=rx, pt_id=pt_id)
    said: list[Effect] = [Say(t.PT_RX, {"exercise": exercise_name(rx.rung)})]
    if rx.reps is not None:
        said.append(Say(t.PT_RX_REPS, {"reps": rx.reps}))
    if rx.wall is not None:
        said.append(Say(t.PT_RX_WALL_LEFT if rx.wall == Side.LEFT else t.PT_RX_WALL_RIGHT))
    if is_busy(s) or owed.owed(s) is not None:
        s = replace(s, assessment=replace(s.assessment, rx_pending=rx))
        wait = t.PT_RX_AFTER_SET if owed.owed(s) is None else t.PT_RX_AFTER_OWED
        return Outcome(s, (record, *said, Say(wait)))
    s, moved = apply_prescription(s, rx)
    hold = safety.exercise_hold(s)
    if hold is not None:
        after = Say(t.PT_RX_RED_FLAG if hold == Hold.RED_FLAG else t.PT_RX_HELD)
    else:
        after = Say(t.PT_RX_NEXT)
    effects = (record, *moved, *said, after)
    if choices_of(s):
        return enter(s, s.state, effects)  # the question on screen, asked anew for the change
    return Outcome(s, effects)


def lift(s: Session, rx: Prescription, pt_id: int, pt_name: str, ctx: Ctx) -> Outcome:
    """A PT who follows the patient lifts a hold from the card (design.md): the stop rule
    or "see a PT" only, never a warning sign (that needs a clean re-screen); recorded as
    the PT's prescription, with the PT's name in what the patient reads."""
    hold = safety.exercise_hold(s)
    if hold is None or hold == Hold.RED_FLAG:
        # nothing to lift (the patient went on since the card), or a warning sign: nothing
        # changes, and the clinic tells the PT which
        return Outcome(s, ())
    stage = _stage_for(s, rx.rung)
    s = new_exercise(replace(s, safety=replace(s.safety, hold=None)), stage)
    s = replace(
        s,
        ladder=replace(s.ladder, rung_sets=0),
        assessment=replace(
            s.assessment,
            prescribed=rx,
            rx_pending=None,
            wall_shoulder=rx.wall or s.assessment.wall_shoulder,
        ),
    )
    effects: tuple[Effect, ...] = (
        RecordPrescription(prescription=rx, pt_id=pt_id),
        RecordRungChange(from_rung=Rung.SEE_PT, to_rung=stage.exercise, reason=ladder.R_PT_LIFTED),
        Say(t.PT_LIFTED, {"pt": pt_name, "exercise": exercise_name(stage.exercise)}),
    )
    if owed.owed(s) is not None:
        return owed.ask(s, effects)
    return enter(s, State.OFFER, effects)


def apply_prescription(s: Session, rx: Prescription) -> tuple[Session, tuple[Effect, ...]]:
    stage = _stage_for(s, rx.rung)
    moved: tuple[Effect, ...] = ()
    ladder_now = s.ladder
    if stage != s.ladder.stage:
        moved = (
            RecordRungChange(from_rung=s.rung, to_rung=rx.rung, reason=ladder.R_PT_PRESCRIBED),
        )
        ladder_now = replace(new_exercise(s, stage).ladder, rung_sets=0)
    assessment = replace(
        s.assessment,
        prescribed=rx,
        rx_pending=None,
        wall_shoulder=rx.wall or s.assessment.wall_shoulder,
    )
    return replace(s, assessment=assessment, ladder=ladder_now), moved


def choices_of(s: Session) -> tuple[Choice, ...]:
    return spec(s).buttons(s)
