"""After a set: where the pain went, the one confirming question, and the decision.

The questions only collect; `evaluate` measures the answers (flows.ladder.read)
and applies the row flows.ladder.decide picks. Nothing here decides a rule.
"""

from __future__ import annotations

from dataclasses import replace

from flows import ladder, safety
from flows import texts as t
from flows.catalogue import exercise_name
from flows.effects import Choice, Effect, RecordCheckIn, RecordRungChange, Say
from flows.i18n import Msg
from flows.ladder import Ask, Reading, Verdict, Where
from flows.model import Answer, CheckIn, Reach, RemindMode
from flows.session import Hold, PendingCheckIn, Session, State
from flows.sets import WAY_IN, before_set, new_exercise, stop_rule_now
from flows.states import (
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    fixed,
    on,
    on_any,
    pain_question,
    reach_buttons,
    rest,
)

BACK_ONLY = frozenset({Reach.BACK_SIDE, Reach.BACK_CENTRE})


def _asked(s: Session) -> frozenset[Ask]:
    return frozenset(s.pending.asked)


def _before(s: Session) -> tuple[Reach, int]:
    """What this check-in is compared with: the previous one on this exercise."""
    reach = s.ladder.ref_reach or s.assessment.baseline_reach or Reach.NONE
    pain = (
        s.ladder.ref_pain if s.ladder.ref_pain is not None else (s.assessment.baseline_pain or 0)
    )
    return reach, pain


def _point(s: Session) -> tuple[Reach, int]:
    """The progress point: where this exercise began, or the last check-in that was
    progress (design.md); the previous check-in for a session from before there was one."""
    before_reach, before_pain = _before(s)
    reach = s.ladder.point_reach if s.ladder.point_reach is not None else before_reach
    pain = s.ladder.point_pain if s.ladder.point_pain is not None else before_pain
    return reach, pain


def reading(s: Session, stall_after: int) -> Reading:
    before_reach, before_pain = _before(s)
    point_reach, point_pain = _point(s)
    return ladder.read(
        stage=s.stage_now,
        answer=s.pending.answer or Answer.NO_CHANGE,
        reach=s.pending.reach or Reach.NONE,
        pain=s.pending.pain if s.pending.pain is not None else 0,
        before_reach=before_reach,
        before_pain=before_pain,
        point_reach=point_reach,
        point_pain=point_pain,
        one_sided=s.one_sided,
        stall=s.ladder.stall,
        stall_after=stall_after,
        asked=_asked(s),
        recovered=s.ladder.recovered,
    )


def _rules(s: Session) -> tuple[ladder.Row, ...]:
    return ladder.READING_RULES if s.pending.reading else ladder.RULES


# --- the three questions ---------------------------------------------------------------


def _answers(s: Session) -> dict[Answer, str]:
    """design.md: with leg pain (or none before), the leg answers; back only, the back ones."""
    was = ladder.where(*_before(s))
    answers = t.BACK_ANSWERS if was == Where.BACK else t.LEG_ANSWERS
    asked = _asked(s)
    return {
        a: label
        for a, label in answers.items()
        if not (a == Answer.ALL_GONE and Ask.ALL_GONE in asked)
        and not (a == Answer.LEG_GONE and Ask.LEG_GONE in asked)
    }


def _answer_question(s: Session) -> Question:
    was = ladder.where(*_before(s))
    text = t.ASK_ANSWER_BACK if was == Where.BACK else t.ASK_ANSWER
    return Question(text, prefix=t.AGAIN_ANSWER if s.pending.asked else None)


def _answer(s: Session, value: str, ctx: Ctx) -> Outcome:
    answer = Answer(value)
    if answer == Answer.WORSE and s.pending.pain is None:
        return stop_rule_now(s, t.WORSE_NOTE)
    if answer == Answer.ALL_GONE and s.pending.pain is None:
        # one tap confirms "no pain anywhere" instead of a 0-10 score and a reach
        s = replace(s, pending=replace(s.pending, answer=answer, asking=Ask.ALL_GONE))
        return enter(s, State.CHECK_CONFIRM)
    s = replace(s, pending=replace(s.pending, answer=answer))
    if s.pending.pain is not None and s.pending.reach is not None:
        return evaluate(s, ctx)  # asked again after a confirming question: numbers kept
    note = t.CENTRALIZING_NOTE if answer == Answer.CENTRALIZING else None
    return enter(s, State.CHECK_PAIN, prefix=note)


def _pain(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(replace(s, pending=replace(s.pending, pain=int(value))), State.CHECK_REACH)


def _pain_question(s: Session) -> Question:
    return Question(t.ASK_PAIN_READING if s.pending.reading else t.ASK_PAIN_NOW, columns=6)


def _reach_question(s: Session) -> Question:
    again = Ask.LEG_GONE in s.pending.asked and s.pending.answer == Answer.LEG_GONE
    if s.pending.reading:
        return Question(t.ASK_REACH_READING, columns=2)
    return Question(t.AGAIN_REACH if again else t.ASK_REACH_NOW, columns=2)


def _reach_choices(s: Session) -> tuple[Choice, ...]:
    if Ask.LEG_GONE in s.pending.asked and s.pending.answer == Answer.LEG_GONE:
        return reach_buttons(with_none=False, only=BACK_ONLY)
    return reach_buttons(with_none=True)


def _reached(s: Session, value: str, ctx: Ctx) -> Outcome:
    return evaluate(replace(s, pending=replace(s.pending, reach=Reach(value))), ctx)


# --- the one confirming question -------------------------------------------------------

_CONFIRM: dict[Ask, tuple[Choice, Choice]] = {
    Ask.WORSE: (Choice("yes", t.B_IS_WORSE), Choice("no", t.B_NOT_WORSE)),
    Ask.ALL_GONE: (Choice("yes", t.B_NO_PAIN), Choice("no", t.B_SOME_PAIN)),
    Ask.LEG_GONE: (Choice("yes", t.B_STILL_LEG), Choice("no", t.B_ONLY_BACK)),
}


def _asking(s: Session) -> Ask:
    return s.pending.asking or Ask.WORSE


def _confirm_question(s: Session) -> Question:
    # the row that asked is the first match until its question is answered; confirming
    # rows do not depend on the stall count, so the default count finds it too
    row = ladder.decide(reading(s, ladder.DEFAULT_STALL_AFTER), _rules(s))
    before_reach, before_pain = _before(s)
    now_reach = s.pending.reach or Reach.NONE
    params: dict[str, object] = {
        "now": Msg(t.REACH_LABELS[now_reach]),
        "before": Msg(t.REACH_LABELS[before_reach]),
    }
    if row.reason in (ladder.Q_LEG_WORSE, ladder.Q_LEG_WORSE_NOW):
        params = {"before": before_pain, "now": s.pending.pain}
    text = row.reason if row.verdict == Verdict.ASK else ladder.Q_ALL_GONE
    return Question(text, params)


def _confirm(s: Session, value: str, ctx: Ctx) -> Outcome:
    ask = _asking(s)
    s = replace(s, pending=replace(s.pending, asking=None, asked=(*s.pending.asked, ask)))
    yes = value == "yes"
    if ask == Ask.WORSE:
        return evaluate(
            replace(s, pending=replace(s.pending, answer=Answer.WORSE)) if yes else s, ctx
        )
    if ask == Ask.ALL_GONE:
        if yes:
            no_pain = replace(s, pending=replace(s.pending, answer=Answer.ALL_GONE, pain=0))
            return evaluate(
                replace(no_pain, pending=replace(no_pain.pending, reach=Reach.NONE)), ctx
            )
        if s.pending.answer == Answer.ALL_GONE:
            return enter(s, State.CHECK_ANSWER)  # the numbers stand: which answer fits?
        # the answer stands, the numbers said no pain: ask them once more
        return enter(
            replace(s, pending=replace(s.pending, pain=None, reach=None)),
            State.CHECK_PAIN,
            prefix=t.AGAIN_NUMBERS,
        )
    if yes:  # leg gone, yet still in the leg: which answer fits?
        return enter(s, State.CHECK_ANSWER)
    return enter(
        replace(s, pending=replace(s.pending, reach=None)), State.CHECK_REACH
    )  # where in the back?


# --- the decision ----------------------------------------------------------------------


def evaluate(s: Session, ctx: Ctx) -> Outcome:
    """Apply the ladder's row for this check-in: record it, then act on the verdict."""
    r = reading(s, ctx.stall_after)
    row = ladder.decide(r, _rules(s))
    if row.verdict == Verdict.ASK and row.ask is not None:
        return enter(replace(s, pending=replace(s.pending, asking=row.ask)), State.CHECK_CONFIRM)
    reach = s.pending.reach or Reach.NONE
    pain = s.pending.pain if s.pending.pain is not None else 0
    stage = r.stage
    in_set = not s.pending.reading
    answer = r.answer if in_set or r.answer == Answer.WORSE else Answer.READING
    effects: list[Effect] = [
        RecordCheckIn(
            CheckIn(at=ctx.now, rung=stage.exercise, answer=answer, pain=pain, reach=reach)
        )
    ]
    helped = (
        stage if in_set and (r.progress or row.verdict == Verdict.RECOVERED) else s.ladder.helped
    )
    # a set's check-in moves the progress point when it was progress; a reading never does,
    # nor the stall count (design.md)
    point = (reach, pain) if in_set and r.progress else _point(s)
    s = replace(
        s,
        pending=PendingCheckIn(),
        ladder=replace(
            s.ladder,
            ref_reach=reach,
            ref_pain=pain,
            point_reach=point[0],
            point_pain=point[1],
            stall=r.streak if in_set else s.ladder.stall,
            helped=helped,
            checked_in_at=ctx.now,
        ),
    )
    if row.verdict == Verdict.RECORD:
        return rest(s, (*effects, Say(row.reason)))
    if row.verdict in (Verdict.STOP, Verdict.SEE_PT):
        why = Hold.STOP_RULE if row.verdict == Verdict.STOP else Hold.SEE_PT
        if s.safety.hold != why:  # "worse" tapped: held since the tap, recorded then
            s, record = safety.hold(s, why, row.reason)
            effects.append(record)
        return enter(s, State.HALTED, (*effects, Say(row.reason)))
    if row.verdict == Verdict.RECOVERED:
        s = replace(s, ladder=replace(s.ladder, recovered=True, stall=0))
        return enter(s, State.RECOVERED, (*effects, Say(row.reason)))
    nxt = ladder.next_stage(row, stage)
    if row.verdict == Verdict.NEW_EPISODE:
        nxt = s.ladder.helped or stage
        s = replace(s, ladder=replace(s.ladder, recovered=False))
    if nxt != stage:
        effects.append(
            RecordRungChange(from_rung=stage.exercise, to_rung=nxt.exercise, reason=row.reason)
        )
        s = new_exercise(s, nxt)
    effects.append(Say(row.reason, {"exercise": exercise_name(nxt.exercise)}))
    effects.append(next_set(s))
    return rest(s, effects)


def next_set(s: Session) -> Say:
    """When the next set is due, as the user's own reminders say (2-3 h by default)."""
    params: dict[str, object] = {"exercise": exercise_name(s.exercise)}
    if s.reminders.mode is None or not safety.may_remind(s):
        return Say(t.NEXT_SET, params)
    if s.reminders.mode == RemindMode.EVERY:
        return Say(t.NEXT_SET_EVERY, {**params, "hours": s.reminders.every})
    return Say(t.NEXT_SET_FIXED, params)


# --- recovered -------------------------------------------------------------------------


def _more(s: Session, value: str, ctx: Ctx) -> Outcome:
    return before_set(s, ctx)


def _take_care(s: Session, value: str, ctx: Ctx) -> Outcome:
    return rest(s, (Say(t.TAKE_CARE),))


# what `evaluate` may lead to: the ladder's confirming question, or its verdict
EVALUATED = frozenset({State.CHECK_CONFIRM, State.IDLE, State.HALTED, State.RECOVERED})

STATES: dict[State, Spec] = {
    State.CHECK_ANSWER: Spec(
        ask=_answer_question,
        buttons=lambda s: tuple(Choice(a.value, label) for a, label in _answers(s).items()),
        answers=(
            on(Answer.WORSE, _answer, State.CHECK_PAIN, EVALUATED),
            on(Answer.ALL_GONE, _answer, State.CHECK_CONFIRM, EVALUATED, State.CHECK_PAIN),
            on_any(_answer, State.CHECK_PAIN, EVALUATED),
        ),
        kind=Kind.IN_SET,
    ),
    State.CHECK_PAIN: replace(
        pain_question("", on_any(_pain, State.CHECK_REACH), Kind.IN_SET), ask=_pain_question
    ),
    State.CHECK_REACH: Spec(
        ask=_reach_question,
        buttons=_reach_choices,
        answers=(on_any(_reached, EVALUATED),),
        kind=Kind.IN_SET,
    ),
    State.CHECK_CONFIRM: Spec(
        ask=_confirm_question,
        buttons=lambda s: _CONFIRM[_asking(s)],
        answers=(
            on("yes", _confirm, EVALUATED, State.CHECK_ANSWER),
            on("no", _confirm, EVALUATED, State.CHECK_ANSWER, State.CHECK_PAIN, State.CHECK_REACH),
        ),
        kind=Kind.IN_SET,
    ),
    State.RECOVERED: Spec(
        ask=lambda s: Question(t.RECOVERED),
        buttons=fixed(Choice("more", t.B_MORE), Choice("done", t.B_DONE_FOR_NOW)),
        answers=(on("more", _more, WAY_IN), on("done", _take_care, State.IDLE)),
    ),
}
