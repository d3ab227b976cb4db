"""A set: the way in (what must come first), its steps, and stopping part-way.

Every way into a set passes `before_set`, and the only way to show step 1
is `begin_set`, which asks flows.safety first: an exercise step can never be
shown while a hold stands, whatever path led here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flows import ladder, owed, safety
from flows import texts as t
from flows.catalogue import EXERCISES, REPS, exercise_name, step_side
from flows.effects import Animate, Choice, Effect, RecordRungChange, Say, Speak, SpeakGuided
from flows.i18n import Msg
from flows.ladder import Stage
from flows.model import Answer, Reach, Rung, Side
from flows.onboarding import start_screening
from flows.owed import OWED_STATES
from flows.session import Hold, PendingCheckIn, Session, State
from flows.states import (
    SAME,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    fixed,
    is_busy,
    leads,
    no_buttons,
    on,
    on_any,
    pain_question,
    reach_buttons,
    rest,
    spec,
)

# states that lead on to an exercise step without another check
TOWARD_A_STEP = frozenset({State.PRESET, State.PRESET_REACH, State.EPISODE_PAIN, State.STEP})
# where a set's first message can be: it carries the exercise's animation
SET_START = TOWARD_A_STEP | {State.SET_CARD}


def gate(s: Session) -> Outcome | None:
    """What must happen before any exercise or check-in, in order of priority."""
    if s.state == State.NEW:
        return enter(s, State.WELCOME)
    if spec(s).kind == Kind.QUESTIONS:
        # half-way through the questions: keep the answers given, ask this one again
        return enter(s, s.state, prefix=t.FINISH_QUESTIONS)
    hold = safety.exercise_hold(s)
    if hold == Hold.RED_FLAG:
        return enter(s, State.REDFLAG)
    if not s.safety.screened:
        after = State.PRESET_REACH if s.assessment.onboarded else State.ASSESS_SIDE
        return start_screening(s, after, None)
    if not s.assessment.onboarded:
        return enter(s, State.ASSESS_SIDE)
    if owed.owed(s) is not None:
        return owed.ask(s)
    if hold is not None:
        return held(s)
    return None


def held(s: Session, before: Sequence[Effect] = ()) -> Outcome:
    """The held screen, saying why once."""
    why = t.HELD_WHY[s.safety.hold.value] if s.safety.hold is not None else None
    return enter(s, State.HALTED, before, prefix=why)


def before_set(s: Session, ctx: Ctx) -> Outcome:
    """/exercise, "Start now" and every other way to a set come through here."""
    gated = gate(s)
    if gated is not None:
        return gated
    if is_busy(s):
        return enter(s, s.state, prefix=t.IN_A_SET)
    if safety.check_due(s, ctx.now):
        return animated(s, enter(s, State.PRESET))
    return animated(s, _after_check(s, ctx))


def animated(before: Session, out: Outcome) -> Outcome:
    """The set's first message (the "anything new?" question, or its first step or card)
    carries the exercise's animation, so the set gains no message for it."""
    if not safety.may_offer_exercise(out.session) or out.session.state not in SET_START:
        return out
    s = out.session
    rung = s.exercise
    side = _side(s, rung)
    painful = s.assessment.side if s.one_sided else None
    motion = Animate(
        rung=rung,
        side=side.value if side else None,
        painful=painful.value if painful else None,
    )
    effects = list(out.effects)
    for i, e in enumerate(effects):
        if isinstance(e, Say) and e.choices:
            effects[i] = replace(e, animation=motion)
            break
    return Outcome(s, tuple(effects))


def _after_check(s: Session, ctx: Ctx) -> Outcome:
    if s.ladder.recovered and not _pain_known(s, ctx):
        return enter(s, State.PRESET_REACH)  # has the pain come back?
    return begin_set(s)


def _pain_known(s: Session, ctx: Ctx) -> bool:
    """A check-in this recent already said where the pain is."""
    return (
        s.ladder.checked_in_at is not None
        and ctx.now - s.ladder.checked_in_at < safety.CHECK_FRESH
    )


def begin_set(s: Session, before: Sequence[Effect] = (), *, learn: bool = False) -> Outcome:
    """A set: learn mode (one message per step) the first time an exercise comes, or when
    asked; quick mode (one card, the guided voice note) every later time."""
    if not safety.may_offer_exercise(s) or owed.owed(s) is not None:
        return gate(s) or enter(s, State.IDLE)  # the one guard in front of every set
    stage = s.stage_now
    rung = stage.exercise
    s = replace(s, ladder=replace(s.ladder, stage=stage), cursor=replace(s.cursor, step=1))
    cautions = [Say(caution) for caution in safety.cautions(s, rung)]
    if rung in s.ladder.learned and not learn:
        return enter(s, State.SET_CARD, (*before, *cautions))
    intro = Say(EXERCISES[rung].intro, {"reps": reps_for(s)})
    return enter(s, State.STEP, (*before, intro, *cautions))


def reps_for(s: Session) -> int:
    """The dose the texts name: the PT's, for the exercise they prescribed; else the
    protocol's."""
    rx = s.assessment.prescribed
    if rx is not None and rx.reps is not None and rx.rung == s.rung:
        return rx.reps
    return REPS


def _side(s: Session, rung: Rung) -> Side | None:
    return step_side(rung, s.assessment.side, s.glide_shoulder)


def new_exercise(s: Session, stage: Stage) -> Session:
    """A change of exercise: its stall count starts afresh, and its progress point is the
    last reading (design.md: the reading when the user started this exercise)."""
    return replace(
        s,
        ladder=replace(
            s.ladder,
            stage=stage,
            stall=0,
            rung_sets=0 if stage.exercise != s.rung else s.ladder.rung_sets,
            point_reach=s.ladder.ref_reach,
            point_pain=s.ladder.ref_pain,
        ),
    )


def _done(s: Session, prefix: str | None, *, learned_now: bool = True) -> Outcome:
    """The set is over: count it, then its check-in (owed from now on, flows.owed)."""
    rung = s.exercise
    learned = s.ladder.learned
    if learned_now and rung not in learned:
        learned = (*learned, rung)
    s = replace(
        s,
        ladder=replace(
            s.ladder,
            sets_done=s.ladder.sets_done + 1,
            rung_sets=s.ladder.rung_sets + 1,
            learned=learned,
        ),
    )
    return start_checkin(s, prefix=prefix)


# --- idle and the offer ----------------------------------------------------------------


def _offer_question(s: Session) -> Question:
    text = t.OFFER if s.ladder.sets_done else t.OFFER_FIRST
    return Question(text, {"exercise": exercise_name(s.exercise)}, columns=2)


def _start(s: Session, value: str, ctx: Ctx) -> Outcome:
    return before_set(s, ctx)


def _later(s: Session, value: str, ctx: Ctx) -> Outcome:
    return rest(s, (Say(t.LATER),))


# --- safety before the set -------------------------------------------------------------


def _nothing_new(s: Session, value: str, ctx: Ctx) -> Outcome:
    return _after_check(replace(s, safety=replace(s.safety, checked_at=ctx.now)), ctx)


def _something_new(s: Session, value: str, ctx: Ctx) -> Outcome:
    """Every red-flag question, then "where is it now?"."""
    s = replace(s, safety=replace(s.safety, checked_at=ctx.now))
    return start_screening(s, State.PRESET_REACH, None)


def _where_now(s: Session, value: str, ctx: Ctx) -> Outcome:
    reach = Reach(value)
    if s.ladder.recovered:
        # pain back after recovery is a new episode, never the stop rule
        if reach == Reach.NONE:
            return begin_set(s, (Say(t.NO_PAIN_SET),))
        return enter(replace(s, pending=replace(s.pending, reach=reach)), State.EPISODE_PAIN)
    if safety.spread_since_last(s, reach):
        s, record = safety.hold(s, Hold.STOP_RULE, ladder.R_SPREAD_BEFORE_SET)
        return enter(s, State.HALTED, (record, Say(ladder.R_SPREAD_BEFORE_SET)))
    return begin_set(s)


def _episode_pain(s: Session, value: str, ctx: Ctx) -> Outcome:
    """Pain back after recovery: a new starting point, then the exercise that last helped."""
    reach, pain = s.pending.reach or Reach.NONE, int(value)
    stage = s.ladder.helped or s.stage_now
    before = s.rung
    s = replace(
        s,
        ladder=replace(
            s.ladder, recovered=False, ref_reach=reach, ref_pain=pain, checked_in_at=ctx.now
        ),
        pending=replace(s.pending, reach=None),
    )
    s = new_exercise(s, stage)
    saved = Say(t.EPISODE_SAVED, {"pain": pain, "reach": Msg(t.REACH_LABELS[reach])})
    record = RecordRungChange(
        from_rung=before, to_rung=stage.exercise, reason=ladder.R_NEW_EPISODE
    )
    return begin_set(s, (saved, record, Say(ladder.R_NEW_EPISODE)))


# --- the steps -------------------------------------------------------------------------


def _step_question(s: Session) -> Question:
    rung = s.exercise
    steps = EXERCISES[rung].steps
    n = min(max(s.cursor.step, 1), len(steps))
    text = steps[n - 1].for_side(_side(s, rung))
    params = {"reps": reps_for(s), "n": n, "total": len(steps)}
    return Question(text, params, columns=2, prefix=t.STEP_PREFIX, voice=Speak(text, params))


def _step_buttons(s: Session) -> tuple[Choice, ...]:
    last = s.cursor.step >= len(EXERCISES[s.exercise].steps)
    return (
        Choice("next", t.B_DONE if last else t.B_NEXT),
        Choice("repeat", t.B_REPEAT),
        Choice("stop", t.B_STOP),
    )


def _next_step(s: Session, value: str, ctx: Ctx) -> Outcome:
    if s.cursor.step < len(EXERCISES[s.exercise].steps):
        return enter(replace(s, cursor=replace(s.cursor, step=s.cursor.step + 1)), State.STEP)
    first = s.exercise not in s.ladder.learned
    return _done(s, (t.LEARNED_VOICE if s.voice else t.LEARNED) if first else t.SET_DONE)


def _repeat_step(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.STEP)


def _stopping(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.STOP_WHY)


# --- a repeat set: one card ------------------------------------------------------------


def _guided(s: Session) -> SpeakGuided:
    rung = s.exercise
    side = _side(s, rung)
    reps = reps_for(s)
    return SpeakGuided(
        rung=rung, side=side.value if side else None, reps=None if reps == REPS else reps
    )


def _phased(s: Session) -> bool:
    """An exercise whose first phases (lying, propping) are the user's own and untimed:
    the card names them, and the guided note waits for the press-ups (design.md)."""
    return EXERCISES[s.exercise].phases > 0


def _card_question(s: Session) -> Question:
    rung = s.exercise
    text = EXERCISES[rung].card.for_side(_side(s, rung))
    if _phased(s):
        return Question(text, {"reps": reps_for(s)})
    return Question(
        text,
        {"reps": reps_for(s)},
        prefix=t.CARD_VOICE if s.voice else None,
        voice=_guided(s),
    )


def _card_buttons(s: Session) -> tuple[Choice, ...]:
    press = (Choice("press", t.B_PRESS_UPS),) if _phased(s) else ()
    return (
        *press,
        Choice("done", t.B_DONE),
        Choice("steps", t.B_SHOW_STEPS),
        Choice("stop", t.B_STOP),
    )


def _set_done(s: Session, value: str, ctx: Ctx) -> Outcome:
    return _done(s, t.SET_DONE)


def _press_ups(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.SET_PRESS)


def _show_steps(s: Session, value: str, ctx: Ctx) -> Outcome:
    return animated(s, begin_set(s, learn=True))


def _press_question(s: Session) -> Question:
    """The press-ups after the user's own lying and propping: the guided note from here."""
    return Question(
        t.PRESS_UPS_NOW,
        {"reps": reps_for(s)},
        prefix=t.PRESS_UPS_NOW_VOICE if s.voice else None,
        voice=_guided(s),
    )


def start_checkin(s: Session, prefix: str | None = None) -> Outcome:
    """A set's check-in (owed once shown: flows.owed)."""
    s = replace(s, pending=PendingCheckIn(owed=s.pending.owed))
    return enter(s, State.CHECK_ANSWER, prefix=prefix)


def checkin_command(s: Session, ctx: Ctx) -> Outcome:
    """/checkin: in a set, the set is done; outside one, "did you just finish a set?"
    first, so a reading between sets never counts as a set (design.md)."""
    gated = gate(s)
    if gated is not None:
        return gated
    if s.state in (State.STEP, State.SET_CARD, State.SET_PRESS):
        return _done(s, t.SET_DONE)
    return enter(s, State.CHECK_WHICH)


def _just_did_set(s: Session, value: str, ctx: Ctx) -> Outcome:
    """A set done without the bot: its check-in, counted as a set."""
    return _done(s, None, learned_now=False)


def _reading(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(replace(s, pending=PendingCheckIn(reading=True)), State.CHECK_PAIN)


def stop_rule_now(s: Session, prefix: str) -> Outcome:
    """ "Worse": held in this very turn; pain and reach are then asked for the record (and
    owed: the PT sees the spread)."""
    s, record = safety.hold(s, Hold.STOP_RULE, ladder.R_WORSE)
    s = replace(s, pending=replace(s.pending, answer=Answer.WORSE, reading=False))
    return enter(s, State.CHECK_PAIN, (record,), prefix=prefix)


def _stopped_worse(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(s, pending=replace(s.pending, pain=None, reach=None, asked=()))
    return stop_rule_now(s, t.WORSE_NOTE)


def _stopped(s: Session, value: str, ctx: Ctx) -> Outcome:
    return rest(s, (Say(t.STOPPED),))


# what `gate` may lead to: the welcome, a question of the first ones asked again, the
# warning-sign advice, the screening, the assessment, the owed question, the held screen
GATED = leads(
    State.WELCOME, SAME, State.REDFLAG, State.SCREEN, State.ASSESS_SIDE, OWED_STATES, State.HALTED
)
# what `begin_set` may lead to: step 1 or the card, or whatever must come first
SET_BEGINS = leads(GATED, State.IDLE, State.STEP, State.SET_CARD)
# what `before_set` (every way into a set) may lead to
WAY_IN = leads(SET_BEGINS, SAME, State.PRESET, State.PRESET_REACH)

STATES: dict[State, Spec] = {
    State.IDLE: Spec(ask=lambda s: Question(t.IDLE_HINT), buttons=no_buttons, answers=()),
    State.OFFER: Spec(
        ask=_offer_question,
        buttons=fixed(Choice("start", t.B_START), Choice("later", t.B_LATER)),
        answers=(on("start", _start, WAY_IN), on("later", _later, State.IDLE)),
    ),
    State.PRESET: Spec(
        ask=lambda s: Question(t.PRESET),
        buttons=fixed(Choice("nothing", t.B_NOTHING_NEW), Choice("new", t.B_SOMETHING_NEW)),
        answers=(
            on("nothing", _nothing_new, State.PRESET_REACH, SET_BEGINS),
            on("new", _something_new, State.SCREEN),
        ),
        kind=Kind.IN_SET,
    ),
    State.PRESET_REACH: Spec(
        ask=lambda s: Question(
            t.EPISODE_REACH if s.ladder.recovered else t.PRESET_REACH, columns=2
        ),
        buttons=fixed(*reach_buttons(with_none=True)),
        answers=(on_any(_where_now, SET_BEGINS, State.EPISODE_PAIN, State.HALTED),),
        kind=Kind.IN_SET,
    ),
    State.EPISODE_PAIN: pain_question(
        t.EPISODE_PAIN, on_any(_episode_pain, SET_BEGINS), Kind.IN_SET
    ),
    State.STEP: Spec(
        ask=_step_question,
        buttons=_step_buttons,
        answers=(
            on("next", _next_step, State.STEP, State.CHECK_ANSWER),
            on("repeat", _repeat_step, State.STEP),
            on("stop", _stopping, State.STOP_WHY),
        ),
        kind=Kind.IN_SET,
    ),
    State.SET_CARD: Spec(
        ask=_card_question,
        buttons=_card_buttons,
        answers=(
            on("done", _set_done, State.CHECK_ANSWER),
            on("press", _press_ups, State.SET_PRESS),
            on("steps", _show_steps, SET_BEGINS),
            on("stop", _stopping, State.STOP_WHY),
        ),
        kind=Kind.IN_SET,
    ),
    State.SET_PRESS: Spec(
        ask=_press_question,
        buttons=fixed(Choice("done", t.B_DONE), Choice("stop", t.B_STOP)),
        answers=(
            on("done", _set_done, State.CHECK_ANSWER),
            on("stop", _stopping, State.STOP_WHY),
        ),
        kind=Kind.IN_SET,
    ),
    State.CHECK_WHICH: Spec(
        ask=lambda s: Question(t.ASK_WHICH_CHECKIN, {"exercise": exercise_name(s.exercise)}),
        buttons=fixed(Choice("set", t.B_JUST_DID_SET), Choice("reading", t.B_JUST_READING)),
        answers=(
            on("set", _just_did_set, State.CHECK_ANSWER),
            on("reading", _reading, State.CHECK_PAIN),
        ),
        kind=Kind.IN_SET,
    ),
    State.STOP_WHY: Spec(
        ask=lambda s: Question(t.ASK_STOP_WHY),
        buttons=fixed(Choice("worse", t.B_STOP_WORSE), Choice("just", t.B_STOP_JUST)),
        answers=(
            on("worse", _stopped_worse, State.CHECK_PAIN),
            on("just", _stopped, State.IDLE),
        ),
        kind=Kind.IN_SET,
    ),
}
