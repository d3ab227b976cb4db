"""First meeting: the welcome, the red-flag questions and the assessment.

The red flags come before anything else and are asked one by one with
explicit Yes / No buttons (protocol.md, Safety). The assessment records the
starting point and picks the first exercise from flows.ladder's START table.
"""

from __future__ import annotations

from dataclasses import replace

from flows import ladder, owed, safety, screening
from flows import texts as t
from flows.effects import Choice, RecordRungChange, RecordScreening, Say
from flows.i18n import Msg
from flows.ladder import Tried, TriedResult
from flows.model import Reach, Side
from flows.owed import OWED_STATES
from flows.session import Hold, Session, State
from flows.states import (
    SAME,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    fixed,
    leads,
    no_buttons,
    on,
    on_any,
    pain_question,
    reach_buttons,
    rest,
    typed,
)

YES_NO = (Choice("yes", t.B_YES), Choice("no", t.B_NO))
WALL_CHOICES = (
    Choice("no", t.B_WALL_NO),
    Choice("left", t.B_WALL_LEFT),
    Choice("right", t.B_WALL_RIGHT),
)


def wall_value(value: str) -> Side | None:
    """The wall question's answer: a prescribed shoulder, or None for the usual side."""
    return Side(value) if value in (Side.LEFT, Side.RIGHT) else None


# --- welcome ---------------------------------------------------------------------------


def _welcomed(s: Session, value: str, ctx: Ctx) -> Outcome:
    return start_screening(s, State.ASSESS_SIDE, None)


# --- the red-flag questions ------------------------------------------------------------


def start_screening(s: Session, after: State, prefix: str | None) -> Outcome:
    first = screening.RED_FLAGS[0]
    s = replace(s, cursor=replace(s.cursor, after_screening=after, flag=first.id))
    return enter(s, State.SCREEN, prefix=prefix or t.SCREEN_INTRO)


def red_flag_yes(s: Session, flag_id: str) -> Outcome:
    """Any yes: no exercise until a clean re-screen (the reminders pause with it)."""
    s = replace(s, safety=replace(s.safety, red_flag=flag_id, screened=False))
    return enter(s, State.REDFLAG, (RecordScreening(question=flag_id, yes=True),))


def _flag_yes(s: Session, value: str, ctx: Ctx) -> Outcome:
    return red_flag_yes(s, s.cursor.flag or screening.RED_FLAGS[0].id)


def _flag_no(s: Session, value: str, ctx: Ctx) -> Outcome:
    flag_id = s.cursor.flag or screening.RED_FLAGS[0].id
    record = RecordScreening(question=flag_id, yes=False)
    nxt = screening.next_flag(flag_id)
    if nxt is not None:
        return enter(replace(s, cursor=replace(s.cursor, flag=nxt.id)), State.SCREEN, (record,))
    return _screened(s, record, ctx)


def _screened(s: Session, record: RecordScreening, ctx: Ctx) -> Outcome:
    """A clean screening: on to what it was asked before, or back to what stands."""
    after = s.cursor.after_screening or State.ASSESS_SIDE
    s = replace(
        s,
        safety=replace(s.safety, screened=True, red_flag=None, checked_at=ctx.now),
        cursor=replace(s.cursor, after_screening=None),
    )
    if after == State.PRESET_REACH:
        return enter(s, State.PRESET_REACH, (record,))
    if s.assessment.onboarded and owed.owed(s) is not None:
        return owed.ask(s, (record, Say(t.SCREEN_CLEAN)))  # back to the question owed
    hold = safety.exercise_hold(s)
    if s.assessment.onboarded and hold is not None:
        # a clean screening lifts a warning sign, never the stop rule: still held
        why = t.HELD_WHY.get(hold.value)
        return enter(s, State.HALTED, (record, Say(t.SCREEN_CLEAN)), prefix=why)
    if after == State.IDLE or s.assessment.onboarded:
        return rest(s, (record, Say(t.SCREEN_PASSED_IDLE)))
    return enter(s, State.ASSESS_SIDE, (record,), prefix=t.SCREEN_PASSED)


def _red_flag_advice(s: Session) -> Question:
    flag = screening.BY_ID.get(s.safety.red_flag or "")
    urgent_only = flag is not None and not flag.emergency
    return Question(screening.URGENT_ADVICE if urgent_only else screening.EMERGENCY_ADVICE)


def _advice_again(s: Session, text: str, ctx: Ctx) -> Outcome:
    """Whatever is typed after a warning sign: the advice again."""
    return Outcome(s, (Say(_red_flag_advice(s).text),))


# --- the assessment --------------------------------------------------------------------


def _side(s: Session, value: str, ctx: Ctx) -> Outcome:
    side = Side(value)
    s = replace(s, assessment=replace(s.assessment, side=side))
    if side in (Side.LEFT, Side.RIGHT):
        return enter(s, State.ASSESS_WALL)
    return enter(
        replace(s, assessment=replace(s.assessment, wall_shoulder=None)),
        State.ASSESS_REACH,
        (Say(t.CENTRAL_NOTE),),
    )


def _reach(s: Session, value: str, ctx: Ctx) -> Outcome:
    reach = Reach(value)
    s = replace(
        s,
        assessment=replace(s.assessment, baseline_reach=reach),
        ladder=replace(s.ladder, ref_reach=reach),
    )
    if s.assessment.side is not None and safety.both_legs_question(s.assessment.side, reach):
        return enter(s, State.ASSESS_BOTH_LEGS)
    return enter(s, State.ASSESS_PAIN)


def _pain(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(
        s,
        assessment=replace(s.assessment, baseline_pain=int(value)),
        ladder=replace(s.ladder, ref_pain=int(value)),
    )
    if s.one_sided:
        return enter(s, State.ASSESS_TRIED)
    return finish(s, Tried.NONE, None)


def _tried(s: Session, value: str, ctx: Ctx) -> Outcome:
    if value == Tried.NONE:
        return finish(s, Tried.NONE, None)
    return enter(
        replace(s, assessment=replace(s.assessment, tried=Tried(value))),
        State.ASSESS_TRIED_RESULT,
    )


def finish(s: Session, tried: Tried, result: TriedResult | None) -> Outcome:
    """The starting point is saved and the first exercise chosen, with the reason."""
    stage, stop, reason = ladder.starting_stage(tried, result, s.one_sided)
    reach = s.assessment.baseline_reach or Reach.NONE
    saved = Say(
        t.BASELINE_SAVED, {"pain": s.assessment.baseline_pain, "reach": Msg(t.REACH_LABELS[reach])}
    )
    s = replace(
        s,
        assessment=replace(s.assessment, onboarded=True),
        ladder=replace(s.ladder, rung_sets=0, stall=0),
    )
    if stop:
        # protocol.md's stop rule: what made the leg worse is not tried again here, and
        # the next exercise up is not a guess to make without a PT
        s, record = safety.hold(s, Hold.STOP_RULE, reason)
        s = replace(s, ladder=replace(s.ladder, stage=stage))
        return enter(s, State.HALTED, (saved, record, Say(reason)))
    s = replace(s, ladder=replace(s.ladder, stage=stage))
    record = RecordRungChange(from_rung=None, to_rung=stage.exercise, reason=reason)
    return enter(s, State.OFFER, (saved, record, Say(reason)))


def _wall(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(s, assessment=replace(s.assessment, wall_shoulder=wall_value(value)))
    return enter(s, State.ASSESS_REACH)


def _both_legs(s: Session, value: str, ctx: Ctx) -> Outcome:
    return red_flag_yes(s, "both_legs")


def _one_leg(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.ASSESS_PAIN)


def _tried_result(s: Session, value: str, ctx: Ctx) -> Outcome:
    return finish(s, s.assessment.tried or Tried.NONE, TriedResult(value))


# where the first questions end: the first exercise offered, or held by the stop rule
FINISHED = frozenset({State.OFFER, State.HALTED})
# what a clean screening leads to (flows.owed's questions when one was owed)
SCREENED = leads(State.PRESET_REACH, OWED_STATES, State.HALTED, State.IDLE, State.ASSESS_SIDE)

STATES: dict[State, Spec] = {
    State.WELCOME: Spec(
        ask=lambda s: Question(t.WELCOME),
        buttons=fixed(Choice("ok", t.B_OK)),
        answers=(on("ok", _welcomed, State.SCREEN),),
        kind=Kind.QUESTIONS,
    ),
    State.SCREEN: Spec(
        ask=lambda s: Question(screening.BY_ID[s.cursor.flag or "bladder"].question, columns=2),
        buttons=fixed(*YES_NO),
        answers=(
            on("yes", _flag_yes, State.REDFLAG),
            on("no", _flag_no, State.SCREEN, SCREENED),
        ),
        kind=Kind.QUESTIONS,
    ),
    State.REDFLAG: Spec(
        ask=_red_flag_advice,
        buttons=no_buttons,
        answers=(),
        kind=Kind.HOLD,
        typed=typed(_advice_again, SAME),
    ),
    State.ASSESS_SIDE: Spec(
        ask=lambda s: Question(t.ASK_SIDE, columns=2),
        buttons=fixed(*(Choice(side.value, label) for side, label in t.SIDE_LABELS.items())),
        answers=(on_any(_side, State.ASSESS_WALL, State.ASSESS_REACH),),
        kind=Kind.QUESTIONS,
    ),
    State.ASSESS_WALL: Spec(
        ask=lambda s: Question(t.ASK_WALL),
        buttons=fixed(*WALL_CHOICES),
        answers=(on_any(_wall, State.ASSESS_REACH),),
        kind=Kind.QUESTIONS,
    ),
    State.ASSESS_REACH: Spec(
        ask=lambda s: Question(t.ASK_REACH, columns=2),
        buttons=fixed(*reach_buttons(with_none=False)),
        answers=(on_any(_reach, State.ASSESS_BOTH_LEGS, State.ASSESS_PAIN),),
        kind=Kind.QUESTIONS,
    ),
    State.ASSESS_BOTH_LEGS: Spec(
        ask=lambda s: Question(t.ASK_BOTH_LEGS, columns=2),
        buttons=fixed(*YES_NO),
        answers=(on("yes", _both_legs, State.REDFLAG), on("no", _one_leg, State.ASSESS_PAIN)),
        kind=Kind.QUESTIONS,
    ),
    State.ASSESS_PAIN: pain_question(
        t.ASK_PAIN, on_any(_pain, State.ASSESS_TRIED, FINISHED), Kind.QUESTIONS
    ),
    State.ASSESS_TRIED: Spec(
        ask=lambda s: Question(t.ASK_TRIED),
        buttons=fixed(
            Choice(Tried.NONE, t.B_TRIED_NONE),
            Choice(Tried.PRESS, t.B_TRIED_PRESS),
            Choice(Tried.BOTH, t.B_TRIED_BOTH),
        ),
        answers=(
            on(Tried.NONE, _tried, FINISHED),
            on((Tried.PRESS, Tried.BOTH), _tried, State.ASSESS_TRIED_RESULT),
        ),
        kind=Kind.QUESTIONS,
    ),
    State.ASSESS_TRIED_RESULT: Spec(
        ask=lambda s: Question(t.ASK_TRIED_RESULT),
        buttons=fixed(
            Choice(TriedResult.HELPED, t.B_TRIED_HELPED),
            Choice(TriedResult.SAME, t.B_TRIED_SAME),
            Choice(TriedResult.WORSE, t.B_TRIED_WORSE),
        ),
        answers=(on_any(_tried_result, FINISHED),),
        kind=Kind.QUESTIONS,
    ),
}
