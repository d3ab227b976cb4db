"""The conversation engine: `advance(session, event, now) -> Outcome`.

Pure and deterministic: no I/O, no clock of its own, no randomness. Every
state's question and buttons are derived from the session alone (`prompt`),
which is what makes restarts resume exactly, re-prompts trivial and stale
buttons detectable (their `seq` or value no longer matches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flows import catalogue, remind, screening
from flows import texts as t
from flows.catalogue import EXERCISES, REPS
from flows.effects import (
    Choice,
    Effect,
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    Reminders,
    Say,
    SendExport,
    ShowChart,
    ShowMyData,
    Speak,
    SpeakGuided,
    Stale,
)
from flows.events import (
    Command,
    Event,
    Other,
    Press,
    ReminderDue,
    ReminderPress,
    Text,
)
from flows.i18n import Msg
from flows.model import Answer, CheckIn, Reach, Rung, Side
from flows.rules import Rules, Verdict, decide, exercise_name, starting_rung
from flows.session import Session


@dataclass(frozen=True, slots=True)
class Outcome:
    session: Session
    effects: tuple[Effect, ...]


STATIC_STATES: tuple[str, ...] = (
    "new",
    "welcome",
    "redflag",
    "assess.side",
    "assess.wall",
    "assess.reach",
    "assess.both_legs",
    "assess.pain",
    "assess.tried",
    "assess.tried_result",
    "offer",
    "idle",
    "preset",
    "check.answer",
    "check.pain",
    "check.reach",
    "halted",
    "see_pt",
    "recovered",
    "forget.confirm",
    "language",
)
ALL_STATES: frozenset[str] = frozenset(
    STATIC_STATES
    + tuple(screening.state_id(f) for f in screening.RED_FLAGS)
    + tuple(catalogue.all_step_states())
    + remind.STATES
)
# states whose question may be left open while the user does something else
IN_SET_PREFIXES = ("ex.", "check.", "preset")
PAIN_STATES = ("assess.pain", "check.pain")


def advance(session: Session, event: Event, now: datetime, rules: Rules | None = None) -> Outcome:
    rules = rules or Rules()
    if isinstance(event, Command):
        return _command(session, event, now)
    if isinstance(event, Press):
        if event.seq != session.seq or event.value not in _values(session):
            return Outcome(session, (Stale(),))
        return _choose(session, event.value, now, rules)
    if isinstance(event, Text):
        return _text(session, event.text, now, rules)
    if isinstance(event, Other):
        return _reprompt(session, t.NOT_TEXT)
    if isinstance(event, ReminderPress):
        return _reminder_press(session, event.action, now)
    if isinstance(event, ReminderDue):
        return _reminder_due(session)
    raise TypeError(f"unknown event {event!r}")


def is_busy(session: Session) -> bool:
    """In the middle of a set or check-in: a reminder now would interrupt."""
    return session.state.startswith(IN_SET_PREFIXES)


# --- prompts: what each state shows ------------------------------------------------


def prompt(s: Session, prefix: str | None = None) -> list[Effect]:
    """The question of the current state, with its buttons bound to `s.seq`."""
    state = s.state
    if state.startswith("remind."):
        say = remind.prompt(s)
        return [replace(say, prefix=prefix or say.prefix)]
    choices = _choices(s)
    note: str | None = None
    params: dict[str, object] = {}
    columns = 1
    speak: list[Effect] = []
    if state == "welcome":
        text = t.WELCOME
    elif state.startswith("screen."):
        text = screening.BY_ID[state.removeprefix("screen.")].question
        columns = 2
    elif state == "redflag":
        flag = screening.BY_ID.get(s.red_flag or "")
        text = (
            screening.EMERGENCY_ADVICE
            if flag is None or flag.emergency
            else screening.URGENT_ADVICE
        )
    elif state == "assess.side":
        text, columns = t.ASK_SIDE, 2
    elif state == "assess.wall":
        text = t.ASK_WALL
    elif state in ("assess.reach", "check.reach"):
        text = t.ASK_REACH if state == "assess.reach" else t.ASK_REACH_NOW
        columns = 2
    elif state in PAIN_STATES:
        text = t.ASK_PAIN if state == "assess.pain" else t.ASK_PAIN_NOW
        columns = 6
    elif state == "assess.both_legs":
        text, columns = t.ASK_BOTH_LEGS, 2
    elif state == "assess.tried":
        text = t.ASK_TRIED
    elif state == "assess.tried_result":
        text = t.ASK_TRIED_RESULT
    elif state == "offer":
        text = t.OFFER if s.sets_done else t.OFFER_FIRST
        params["exercise"] = exercise_name(_rung(s))
        columns = 2
    elif state == "preset":
        text = t.PRESET
    elif state.startswith("ex."):
        rung, n = _step(s)
        ex = EXERCISES[rung]
        side = catalogue.step_side(rung, s.side, s.glide_shoulder)
        text = ex.steps[n - 1].for_side(side)
        params.update(reps=REPS, n=n, total=len(ex.steps))
        note, prefix = prefix, t.STEP_PREFIX
        columns = 2
        if s.voice:
            speak.append(Speak(text, {"reps": REPS}))
    elif state == "check.answer":
        text = t.ASK_ANSWER
    elif state == "halted":
        text = t.HALTED
    elif state == "see_pt":
        text = t.SEE_PT
    elif state == "recovered":
        text = t.RECOVERED
    elif state == "forget.confirm":
        text = t.ASK_FORGET
    elif state == "language":
        text, columns = t.ASK_LANGUAGE, 2
    elif state == "idle":
        text = t.IDLE_HINT
    else:  # "new": nothing has been said yet
        text = t.WELCOME
    return [*speak, Say(text, params, choices, columns, prefix, s.seq, note=note)]


def _choices(s: Session) -> tuple[Choice, ...]:
    state = s.state
    if state.startswith("remind."):
        return remind.choices(s)
    if state == "welcome":
        return (Choice("ok", t.B_OK),)
    if state.startswith("screen.") or state == "assess.both_legs":
        return (Choice("yes", t.B_YES), Choice("no", t.B_NO))
    if state == "assess.side":
        return tuple(Choice(side.value, label) for side, label in t.SIDE_LABELS.items())
    if state == "assess.wall":
        return (
            Choice("no", t.B_WALL_NO),
            Choice("left", t.B_WALL_LEFT),
            Choice("right", t.B_WALL_RIGHT),
        )
    if state == "assess.reach":
        return tuple(
            Choice(r.value, label) for r, label in t.REACH_LABELS.items() if r != Reach.NONE
        )
    if state == "check.reach":
        return tuple(Choice(r.value, label) for r, label in t.REACH_LABELS.items())
    if state in PAIN_STATES:
        return tuple(Choice(str(i), str(i), literal=True) for i in range(11))
    if state == "assess.tried":
        return (
            Choice("none", t.B_TRIED_NONE),
            Choice("press", t.B_TRIED_PRESS),
            Choice("both", t.B_TRIED_BOTH),
        )
    if state == "assess.tried_result":
        return (
            Choice("helped", t.B_TRIED_HELPED),
            Choice("same", t.B_TRIED_SAME),
            Choice("worse", t.B_TRIED_WORSE),
        )
    if state == "offer":
        return (Choice("start", t.B_START), Choice("later", t.B_LATER))
    if state == "preset":
        return (Choice("nothing", t.B_NOTHING_NEW), Choice("new", t.B_SOMETHING_NEW))
    if state.startswith("ex."):
        rung, n = _step(s)
        last = n == len(EXERCISES[rung].steps)
        return (
            Choice("next", t.B_DONE if last else t.B_NEXT),
            Choice("repeat", t.B_REPEAT),
            Choice("stop", t.B_STOP),
            Choice("voice", t.B_VOICE_OFF if s.voice else t.B_VOICE_ON),
        )
    if state == "check.answer":
        return tuple(Choice(a.value, label) for a, label in t.ANSWER_LABELS.items())
    if state in ("halted", "see_pt"):
        return (Choice("pt_ok", t.B_PT_OK),)
    if state == "recovered":
        return (Choice("more", t.B_MORE), Choice("done", t.B_DONE_FOR_NOW))
    if state == "forget.confirm":
        return (Choice("yes", t.B_FORGET), Choice("no", t.B_KEEP))
    if state == "language":
        return tuple(Choice(code, name, literal=True) for code, name in t.LANGUAGES.items())
    return ()


def _values(s: Session) -> set[str]:
    return {c.value for c in _choices(s)}


def choices(s: Session) -> tuple[Choice, ...]:
    """The buttons valid for the session now (for adapters and the flow validator)."""
    return _choices(s)


# --- moving between states -------------------------------------------------------


def _enter(
    s: Session, state: str, before: Sequence[Effect] = (), prefix: str | None = None
) -> Outcome:
    if state not in ALL_STATES:
        raise ValueError(f"dangling flow target {state!r}")
    s = replace(s, state=state, seq=s.seq + 1)
    return Outcome(s, (*before, *prompt(s, prefix)))


def _reprompt(s: Session, prefix: str) -> Outcome:
    """A new message saying what is expected, with the same (still valid) buttons."""
    if s.state in ("new", "idle"):
        return Outcome(s, (Say(t.IDLE_HINT if s.state == "idle" else t.WELCOME),))
    if not _choices(s):
        return Outcome(s, tuple(prompt(s)))
    return Outcome(s, tuple(e for e in prompt(s, prefix) if isinstance(e, Say)))


def _rung(s: Session) -> Rung:
    return s.rung or Rung.PRESS_UPS


def _step(s: Session) -> tuple[Rung, int]:
    parsed = catalogue.parse_state_id(s.state)
    if parsed is None:
        raise ValueError(f"not an exercise state: {s.state!r}")
    return parsed


# --- commands ---------------------------------------------------------------------

Handler = Callable[[Session, datetime], Outcome]


def _command(s: Session, cmd: Command, now: datetime) -> Outcome:
    handler = _COMMANDS.get(cmd.name)
    if handler is None:
        return _reprompt_or_say(s, t.UNKNOWN_COMMAND)
    return handler(s, now)


def _reprompt_or_say(s: Session, text: str) -> Outcome:
    if _choices(s):
        return _reprompt(s, text)
    return Outcome(s, (Say(text),))


def _cmd_start(s: Session, now: datetime) -> Outcome:
    if s.state == "new":
        return _enter(s, "welcome")
    if s.state == "idle":
        return Outcome(s, (Say(t.WELCOME_BACK), Say(t.IDLE_HINT)))
    return _enter(s, s.state, prefix=t.WELCOME_BACK)


def _gate(s: Session) -> Outcome | None:
    """What must happen before any exercise or check-in, in order of priority."""
    if s.state == "new":
        return _enter(s, "welcome")
    if s.state == "welcome" or s.state.startswith(("screen.", "assess.")):
        # half-way through the questions: keep the answers given, ask the next one again
        return _enter(s, s.state, prefix=t.FINISH_QUESTIONS)
    if s.red_flag:
        return _enter(s, "redflag")
    if not s.screened:
        after = "assess.side" if not s.onboarded else "exercise"
        return _start_screening(replace(s, after_screening=after), None)
    if not s.onboarded:
        return _enter(s, "assess.side")
    if s.halted:
        return _enter(s, "halted")
    if s.rung == Rung.SEE_PT:
        return _enter(s, "see_pt")
    if is_busy(s):
        return _enter(s, s.state, prefix=t.IN_A_SET)
    return None


def _cmd_exercise(s: Session, now: datetime) -> Outcome:
    gated = _gate(s)
    if gated is not None:
        return gated
    return _before_set(s)


def _cmd_checkin(s: Session, now: datetime) -> Outcome:
    if s.state.startswith("check."):
        return _enter(s, s.state, prefix=t.IN_A_SET)
    if s.state.startswith(("ex.", "preset")):
        return _enter(s, "check.answer")
    gated = _gate(s)
    if gated is not None:
        return gated
    return _enter(s, "check.answer")


def _cmd_stop(s: Session, now: datetime) -> Outcome:
    if is_busy(s) or s.state == "offer":
        return _enter(
            replace(s, pending_answer=None, pending_pain=None), "idle", (Say(t.STOPPED),)
        )
    return Outcome(s, (Say(t.NOTHING_RUNNING),))


def _cmd_safety(s: Session, now: datetime) -> Outcome:
    after = "idle" if s.onboarded else "assess.side"
    return _start_screening(replace(s, after_screening=after), t.SCREEN_AGAIN)


def _cmd_help(s: Session, now: datetime) -> Outcome:
    if _choices(s):
        return Outcome(s, (Say(t.HELP), *[e for e in prompt(s) if isinstance(e, Say)]))
    return Outcome(s, (Say(t.HELP),))


def _cmd_voice(s: Session, now: datetime) -> Outcome:
    s = replace(s, voice=not s.voice)
    return Outcome(s, (Say(t.VOICE_ON if s.voice else t.VOICE_OFF),))


def _detour(s: Session, state: str) -> Outcome:
    """Open a side question (language, forget) that returns to where the user was."""
    back = s.return_to if s.state.startswith(_DETOURS) else s.state
    return _enter(replace(s, return_to=back), state)


_DETOURS = ("language", "forget.confirm", "remind.")


def _cmd_remind(s: Session, now: datetime) -> Outcome:
    """Reminders remind of a set: before onboarding, onboarding comes first."""
    if not s.onboarded or s.red_flag:
        gated = _gate(s)
        if gated is not None:
            return gated
    return _detour(s, "remind.menu")


def _remind_step(s: Session, step: remind.Step) -> Outcome:
    s, effects, nxt = step
    if nxt is None:
        return _return(s, effects)
    return _enter(s, nxt, effects)


_COMMANDS: dict[str, Handler] = {
    "start": _cmd_start,
    "exercise": _cmd_exercise,
    "checkin": _cmd_checkin,
    "stop": _cmd_stop,
    "safety": _cmd_safety,
    "help": _cmd_help,
    "voice": _cmd_voice,
    "language": lambda s, now: _detour(s, "language"),
    "forget": lambda s, now: _detour(s, "forget.confirm"),
    "progress": lambda s, now: Outcome(s, (ShowChart(),)),
    "export": lambda s, now: Outcome(s, (SendExport(),)),
    "mydata": lambda s, now: Outcome(s, (ShowMyData(),)),
    "remind": _cmd_remind,
}
COMMAND_NAMES: tuple[str, ...] = tuple(_COMMANDS)


# --- free text --------------------------------------------------------------------


def _text(s: Session, text: str, now: datetime, rules: Rules) -> Outcome:
    if s.state == "new":
        return _enter(s, "welcome")
    if s.state in PAIN_STATES:
        stripped = text.strip()
        if stripped.isdigit() and 0 <= int(stripped) <= 10:
            return _choose(s, str(int(stripped)), now, rules)
    if s.state == "redflag":
        return Outcome(s, tuple(prompt(s)))
    if s.state.startswith("remind."):
        step = remind.text(s, text)
        if isinstance(step, str):
            return _reprompt(s, step)
        return _remind_step(s, step)
    return _reprompt(s, t.PLEASE_BUTTONS)


# --- button choices ---------------------------------------------------------------


def _choose(s: Session, value: str, now: datetime, rules: Rules) -> Outcome:
    state = s.state
    if state == "welcome":
        return _start_screening(replace(s, after_screening="assess.side"), None)
    if state.startswith("screen."):
        return _screen_answer(s, state.removeprefix("screen."), value == "yes")
    if state.startswith("assess."):
        return _assess(s, state, value)
    if state == "offer":
        if value == "start":
            return _before_set(s)
        return _enter(s, "idle", (Say(t.LATER),))
    if state == "preset":
        if value == "nothing":
            return _begin_set(s)
        return _start_screening(replace(s, after_screening="exercise"), None)
    if state.startswith("ex."):
        return _exercise_choice(s, value)
    if state.startswith("check."):
        return _checkin(s, state, value, now, rules)
    if state in ("halted", "see_pt"):
        return _pt_restart(s)
    if state == "recovered":
        if value == "more":
            return _before_set(replace(s, recovered=False))
        return _enter(s, "idle", (Say(t.TAKE_CARE),))
    if state == "forget.confirm":
        if value == "yes":
            return Outcome(Session(language=s.language), (ForgetUser(), Say(t.FORGOTTEN)))
        return _return(s, (Say(t.FORGET_KEPT),))
    if state.startswith("remind."):
        return _remind_step(s, remind.choose(s, value))
    if state == "language":
        s = replace(s, language=value)
        return _return(s, (Say(t.LANGUAGE_SET),))
    raise ValueError(f"no choices in state {state!r}")  # pragma: no cover - guarded by _values


def _return(s: Session, before: Sequence[Effect]) -> Outcome:
    back = s.return_to or "idle"
    if back == "new":  # a detour taken before /start: carry on with the welcome
        back = "welcome"
    return _enter(replace(s, return_to=None), back, before)


# --- screening --------------------------------------------------------------------


def _start_screening(s: Session, prefix: str | None) -> Outcome:
    first = screening.RED_FLAGS[0]
    return _enter(s, screening.state_id(first), prefix=prefix or t.SCREEN_INTRO)


def _screen_answer(s: Session, flag_id: str, yes: bool) -> Outcome:
    record = RecordScreening(flag_id, yes)
    if yes:
        s = replace(s, red_flag=flag_id, screened=False)
        return _enter(s, "redflag", (record, Reminders("pause", "redflag")))
    nxt = screening.next_flag(flag_id)
    if nxt is not None:
        return _enter(s, screening.state_id(nxt), (record,))
    cleared = s.red_flag is not None
    after = s.after_screening or "assess.side"
    s = replace(s, screened=True, red_flag=None, after_screening=None)
    effects: list[Effect] = [record]
    if cleared:
        effects.append(Reminders("resume", "redflag"))
    if after == "exercise":
        effects.append(Say(t.SCREEN_PASSED))
        return _begin_set(s, effects)
    if after == "idle" or s.onboarded:
        return _enter(s, "idle", (*effects, Say(t.SCREEN_PASSED_IDLE)))
    return _enter(s, "assess.side", effects, prefix=t.SCREEN_PASSED)


# --- assessment -------------------------------------------------------------------


def _assess(s: Session, state: str, value: str) -> Outcome:
    if state == "assess.side":
        side = Side(value)
        s = replace(s, side=side)
        if side in (Side.LEFT, Side.RIGHT):
            return _enter(s, "assess.wall")
        return _enter(replace(s, wall_shoulder=None), "assess.reach", (Say(t.CENTRAL_NOTE),))
    if state == "assess.wall":
        shoulder = None if value == "no" else Side(value)
        return _enter(replace(s, wall_shoulder=shoulder), "assess.reach")
    if state == "assess.reach":
        reach = Reach(value)
        s = replace(s, baseline_reach=reach, last_reach=reach)
        if s.side == Side.BOTH and reach.rank <= Reach.THIGH.rank:
            # pain on both sides reaching a leg may be the red flag the screening asked
            # about in other words: ask it again, plainly, before any exercise
            return _enter(s, "assess.both_legs")
        return _enter(s, "assess.pain")
    if state == "assess.both_legs":
        if value == "yes":
            return _screen_answer(s, "both_legs", True)
        return _enter(s, "assess.pain")
    if state == "assess.pain":
        s = replace(s, baseline_pain=int(value))
        if s.one_sided:
            return _enter(s, "assess.tried")
        return _finish_onboarding(s, "none")
    if state == "assess.tried":
        if value == "none":
            return _finish_onboarding(s, value)
        return _enter(replace(s, tried=value), "assess.tried_result")
    if state == "assess.tried_result":
        if value != "worse":
            return _finish_onboarding(s, s.tried or "none")
        # protocol.md's stop rule: an exercise that made the leg worse is not tried
        # again here, and the next one up is not a guess to make without a PT
        # (the rung is still recorded: it is where a PT's "go on" picks up)
        s, effects = _onboarded(s, s.tried or "none", explain=False)
        effects = (*effects, Say(t.TRIED_WORSE), Reminders("pause", "worse"))
        return _enter(replace(s, halted=True), "halted", effects)
    raise ValueError(state)  # pragma: no cover


def _finish_onboarding(s: Session, tried: str) -> Outcome:
    s, effects = _onboarded(s, tried)
    return _enter(s, "offer", effects)


def _onboarded(
    s: Session, tried: str, *, explain: bool = True
) -> tuple[Session, tuple[Effect, ...]]:
    """The baseline is saved and the starting rung chosen (and said why, if `explain`)."""
    rung = starting_rung(tried in ("press", "both"), tried == "both", s.one_sided)
    if not s.one_sided:
        reason = t.START_CENTRAL
    else:
        reason = {Rung.PRESS_UPS: t.START_PRESS, Rung.HIPS_OFF_CENTRE: t.START_HIPS}.get(
            rung, t.START_GLIDE
        )
    reach = s.baseline_reach or Reach.NONE
    s = replace(s, rung=rung, onboarded=True, rung_sets=0, no_change=0, stall=0)
    saved = Say(t.BASELINE_SAVED, {"pain": s.baseline_pain, "reach": Msg(t.REACH_LABELS[reach])})
    record = RecordRungChange(None, rung, reason)
    return s, ((saved, record, Say(reason)) if explain else (saved, record))


# --- the set ----------------------------------------------------------------------


def _before_set(s: Session) -> Outcome:
    """The one-tap "anything new?" check precedes every set after the first.

    A check-in counts as a first set too: /checkin part-way through set one must not
    let the next set start without the check.
    """
    gated = _gate(s)
    if gated is not None:
        return gated
    if s.sets_done > 0 or s.checked_in:
        return _enter(s, "preset")
    return _begin_set(s)


def _begin_set(s: Session, before: Sequence[Effect] = ()) -> Outcome:
    rung = _rung(s)
    ex = EXERCISES[rung]
    intro: list[Effect] = [*before, Say(ex.intro, {"reps": REPS})]
    if ex.press_up and s.rung_sets == 0:
        intro.append(Say(catalogue.PRESS_UP_CAUTION))
    if s.voice:
        shoulder = s.glide_shoulder.value if rung == Rung.SIDE_GLIDE and s.one_sided else None
        intro.append(SpeakGuided(rung, shoulder))
    return _enter(replace(s, rung=rung), catalogue.state_id(rung, 1), intro)


def _exercise_choice(s: Session, value: str) -> Outcome:
    rung, n = _step(s)
    if value == "next":
        if n < len(EXERCISES[rung].steps):
            return _enter(s, catalogue.state_id(rung, n + 1))
        s = replace(s, sets_done=s.sets_done + 1, rung_sets=s.rung_sets + 1)
        return _enter(s, "check.answer", prefix=t.SET_DONE)
    if value == "repeat":
        return _enter(s, s.state)
    if value == "stop":
        return _enter(s, "idle", (Say(t.STOPPED),))
    s = replace(s, voice=not s.voice)
    return _enter(s, s.state, (Say(t.VOICE_ON if s.voice else t.VOICE_OFF),))


# --- the check-in -----------------------------------------------------------------


def _checkin(s: Session, state: str, value: str, now: datetime, rules: Rules) -> Outcome:
    if state == "check.answer":
        answer = Answer(value)
        note = {Answer.CENTRALIZING: t.CENTRALIZING_NOTE, Answer.WORSE: t.WORSE_NOTE}.get(answer)
        return _enter(replace(s, pending_answer=answer), "check.pain", prefix=note)
    if state == "check.pain":
        return _enter(replace(s, pending_pain=int(value)), "check.reach")
    return _finish_checkin(s, Reach(value), now, rules)


def _finish_checkin(s: Session, reach: Reach, now: datetime, rules: Rules) -> Outcome:
    answer = s.pending_answer or Answer.NO_CHANGE
    pain = s.pending_pain if s.pending_pain is not None else 0
    rung = _rung(s)
    record = RecordCheckIn(CheckIn(at=now, rung=rung, answer=answer, pain=pain, reach=reach))
    d = decide(
        rung=rung,
        one_sided=s.one_sided,
        answer=answer,
        reach=reach,
        previous_reach=s.last_reach or s.baseline_reach,
        no_change=s.no_change,
        stall=s.stall,
        rules=rules,
    )
    s = replace(
        s,
        pending_answer=None,
        pending_pain=None,
        last_reach=reach,
        checked_in=True,
        no_change=d.no_change,
        stall=d.stall,
        rung=d.rung,
        rung_sets=0 if d.rung != rung else s.rung_sets,
    )
    effects: list[Effect] = [record]
    if d.rung != rung:
        effects.append(RecordRungChange(rung, d.rung, d.reason))
    effects.append(Say(d.reason, d.params))
    if d.verdict == Verdict.HALT:
        effects.append(Reminders("pause", "worse"))
        return _enter(replace(s, halted=True), "halted", effects)
    if d.verdict == Verdict.RECOVERED:
        effects.append(Reminders("stop", "recovered"))
        return _enter(replace(s, recovered=True), "recovered", effects)
    if d.verdict == Verdict.SEE_PT:
        effects.append(Reminders("pause", "see_pt"))
        return _enter(s, "see_pt", effects)
    if s.recovered:
        s = replace(s, recovered=False)
    effects.append(_next_set(s, d.rung))
    return _enter(s, "idle", effects)


def _next_set(s: Session, rung: Rung) -> Say:
    """When the next set is due, as the user's own reminders say (2-3 h by default)."""
    params: dict[str, object] = {"exercise": exercise_name(rung)}
    if s.remind_mode is None or s.remind_paused:
        return Say(t.NEXT_SET, params)
    if s.remind_mode == "every":
        return Say(t.NEXT_SET_EVERY, {**params, "hours": s.remind_every})
    return Say(t.NEXT_SET_FIXED, params)


def _pt_restart(s: Session) -> Outcome:
    effects: list[Effect] = [Say(t.PT_RESTART)]
    if s.rung == Rung.SEE_PT:
        effects.append(RecordRungChange(Rung.SEE_PT, Rung.PRESS_UPS, t.PT_RESTART))
        s = replace(s, rung=Rung.PRESS_UPS, rung_sets=0)
        effects.append(Reminders("resume", "see_pt"))
    else:
        effects.append(Reminders("resume", "worse"))
    s = replace(s, halted=False, no_change=0, stall=0)
    return _enter(s, "offer", effects)


# --- reminders --------------------------------------------------------------------


def _reminder_due(s: Session) -> Outcome:
    """Word a due ping, or say nothing when a ping would be wrong right now."""
    if not s.onboarded or s.red_flag or s.halted or s.recovered or s.rung == Rung.SEE_PT:
        return Outcome(s, ())
    if is_busy(s):
        return Outcome(s, ())
    choices = (
        Choice("start", t.B_START),
        Choice("snooze", t.B_SNOOZE),
        Choice("skip", t.B_SKIP),
    )
    ping = Say(t.PING, {"exercise": exercise_name(_rung(s))}, choices, reminder=True)
    return Outcome(s, (ping,))


def _reminder_press(s: Session, action: str, now: datetime) -> Outcome:
    if action == "start":
        return _cmd_exercise(s, now)
    if action == "snooze":
        return Outcome(s, (Reminders("snooze"), Say(t.SNOOZED)))
    if action == "skip":
        return Outcome(s, (Reminders("skip"), Say(t.SKIPPED)))
    return Outcome(s, (Stale(),))
