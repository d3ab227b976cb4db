"""The conversation engine: `advance(session, event, now) -> Outcome`.

Pure and deterministic: no I/O, no clock of its own, no randomness. What each
state asks and where each answer leads is its entry in a table (flows.states;
the tables are installed below, from one list); this module routes events to
those entries, runs the commands (a table of their own, with where each may
lead), and reports every change of the reminders' pause (flows.safety) as an
effect, so no path can change a hold without the reminders table hearing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from flows import checkin, heard, onboarding, owed, psfs, pt, remind, safety, sets, settings
from flows import texts as t
from flows.catalogue import exercise_name
from flows.effects import (
    Choice,
    Effect,
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
    ReminderAction,
    ReminderPause,
    Reminders,
    Say,
    SendExport,
    ShowChart,
    ShowMyData,
    Speak,
    SpeakGuided,
    Stale,
    Stopped,
)
from flows.events import (
    Cleared,
    Command,
    Event,
    Other,
    Prescribed,
    Press,
    ReminderDue,
    ReminderPress,
    Text,
    Unreachable,
)
from flows.heard import hear
from flows.ladder import DEFAULT_STALL_AFTER
from flows.owed import OWED_STATES
from flows.session import Hold, PendingCheckIn, Session, State
from flows.states import (
    SAME,
    SPECS,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    Target,
    answer,
    enter,
    install,
    is_busy,
    leads,
    no_buttons,
    prompt,
    reprompt,
    rest,
    spec,
    typed,
    typed_answer,
)

__all__ = ["ALL_STATES", "COMMAND_NAMES", "Outcome", "Rules", "advance", "choices", "is_busy"]


@dataclass(frozen=True, slots=True)
class Rules:
    """What a deployment may tune (SIDEGLIDE_PROGRESS_AFTER)."""

    stall_after: int = DEFAULT_STALL_AFTER
    voice: bool = True  # False: this deployment makes no voice notes (SIDEGLIDE_TTS=off)


def _first_words(s: Session, text: str, ctx: Ctx) -> Outcome:
    """Someone typing to the bot for the first time is welcomed."""
    return enter(s, State.WELCOME)


STATES: dict[State, Spec] = {
    State.NEW: Spec(
        ask=lambda s: Question(t.SEND_START),
        buttons=no_buttons,
        answers=(),
        typed=typed(_first_words, State.WELCOME),
    ),
}

# the one list of the modules that own states
install(
    STATES,
    onboarding.STATES,
    sets.STATES,
    checkin.STATES,
    pt.STATES,
    heard.STATES,
    settings.STATES,
    psfs.STATES,
    remind.STATES,
)
ALL_STATES: frozenset[State] = frozenset(SPECS)


def advance(session: Session, event: Event, now: datetime, rules: Rules | None = None) -> Outcome:
    rules = rules or Rules()
    ctx = Ctx(now=now, stall_after=rules.stall_after)
    out = _dispatch(session, event, ctx) if rules.voice else _without_voice(session, event, ctx)
    if any(isinstance(e, ForgetUser) for e in out.effects):
        return out  # the schedule goes with everything else
    out = _keep_owed(event, out)
    out = _after_turn(session, out, ctx)
    before, after = safety.reminder_pause(session), safety.reminder_pause(out.session)
    if before != after:
        out = Outcome(out.session, (*out.effects, ReminderPause(after.value if after else None)))
    return out


def _keep_owed(event: Event, out: Outcome) -> Outcome:
    """An owed question is never walked around (flows.owed): a turn that comes to rest
    while one is owed asks it, and a command that answered something else asks it again."""
    s = owed.track(out.session)
    out = Outcome(s, out.effects)
    question = owed.owed(s)
    if question is None:
        return out
    if spec(s).kind == Kind.REST:
        return owed.ask(s, out.effects)
    if isinstance(event, Command) and s.state == question and not _asks(out.effects):
        return Outcome(s, (*out.effects, *prompt(s, t.OWED_AGAIN)))
    return out


def _asks(effects: tuple[Effect, ...]) -> bool:
    return any(isinstance(e, Say) and e.choices and not e.reminder for e in effects)


def _after_turn(before: Session, out: Outcome, ctx: Ctx) -> Outcome:
    """What follows any turn: a PT's prescription waiting for the set to end is applied,
    a stop is reported (to whoever the user shares with), and the PSFS is offered."""
    s, effects = out.session, list(out.effects)
    pending = s.assessment.rx_pending
    if pending is not None and not is_busy(s) and owed.owed(s) is None:
        s, moved = pt.apply_prescription(s, pending)
        effects += moved
    hold_before, hold_after = safety.exercise_hold(before), safety.exercise_hold(s)
    if hold_after is not None and hold_after != hold_before:
        effects.append(Stopped(hold=hold_after.value, reason=_stop_reason(s, hold_after, effects)))
    if any(isinstance(e, RecordCheckIn) for e in effects) and safety.may_offer_exercise(s):
        s, hint = psfs.hint_after_checkin(s, ctx.now)
        if hint is not None:  # before the last word (what comes next), which stays last
            says = [i for i, e in enumerate(effects) if isinstance(e, Say)]
            effects.insert(says[-1] if says else len(effects), hint)
    return Outcome(s, tuple(effects))


def _stop_reason(s: Session, hold: Hold, effects: list[Effect]) -> str:
    moves = [e for e in effects if isinstance(e, RecordRungChange)]
    return safety.hold_reason(s, hold, moves[-1].reason if moves else None)


def _without_voice(before: Session, event: Event, ctx: Ctx) -> Outcome:
    """A deployment without voice: the flow runs as for a user with voice off (no note,
    no "hands-free" promise), no button offers voice, and /voice says why. The user's
    own preference is kept for a deployment that has voice."""
    if event == Command("voice"):
        return Outcome(before, (Say(t.NO_VOICE),))
    out = _dispatch(replace(before, voice=False), event, ctx)
    shown: list[Effect] = []
    for e in out.effects:
        if isinstance(e, (Speak, SpeakGuided)):
            continue
        if isinstance(e, Say):
            e = replace(e, voice=None, choices=tuple(c for c in e.choices if c.value != "voice"))
        shown.append(e)
    return Outcome(replace(out.session, voice=before.voice), tuple(shown))


def choices(s: Session) -> tuple[Choice, ...]:
    """The buttons valid for the session now (for adapters and the flow validator)."""
    return spec(s).buttons(s)


def _dispatch(s: Session, event: Event, ctx: Ctx) -> Outcome:
    return _ON_EVENT[type(event)](s, event, ctx)


def _on_command(s: Session, event: Event, ctx: Ctx) -> Outcome:
    assert isinstance(event, Command)
    return _command(s, event.name, ctx)


def _on_press(s: Session, event: Event, ctx: Ctx) -> Outcome:
    assert isinstance(event, Press)
    if event.seq != s.seq or event.value not in {c.value for c in choices(s)}:
        return Outcome(s, (Stale(),))
    return answer(owed.answering(s), event.value, ctx)


def _on_words(s: Session, event: Event, ctx: Ctx) -> Outcome:
    heard = hear(s, event, ctx)  # the user's own words: warning signs first (flows.heard)
    if heard is not None:
        return heard
    if isinstance(event, Other):
        return reprompt(s, t.NOT_TEXT)
    assert isinstance(event, Text)
    s = owed.answering(s)
    out = typed_answer(s, event.text, ctx)
    return out if out is not None else reprompt(s, t.PLEASE_BUTTONS)


def _on_reminder_press(s: Session, event: Event, ctx: Ctx) -> Outcome:
    assert isinstance(event, ReminderPress)
    return _reminder_press(s, event.action, ctx)


def _on_reminder_due(s: Session, event: Event, ctx: Ctx) -> Outcome:
    return _reminder_due(s)


def _on_prescribed(s: Session, event: Event, ctx: Ctx) -> Outcome:
    assert isinstance(event, Prescribed)
    if s.state == State.NEW:
        return Outcome(s, ())  # nobody here any more (after /forget): store nothing
    return pt.prescribe(s, event.prescription, event.pt_id, ctx)


def _on_cleared(s: Session, event: Event, ctx: Ctx) -> Outcome:
    assert isinstance(event, Cleared)
    if s.state == State.NEW:
        return Outcome(s, ())
    return pt.lift(s, event.prescription, event.pt_id, event.pt_name, ctx)


def _on_unreachable(s: Session, event: Event, ctx: Ctx) -> Outcome:
    return Outcome(replace(s, safety=replace(s.safety, blocked=True)), ())


_ON_EVENT: dict[type, Callable[[Session, Event, Ctx], Outcome]] = {
    Command: _on_command,
    Press: _on_press,
    Text: _on_words,
    Other: _on_words,
    ReminderPress: _on_reminder_press,
    ReminderDue: _on_reminder_due,
    Prescribed: _on_prescribed,
    Cleared: _on_cleared,
    Unreachable: _on_unreachable,
}


# --- commands ----------------------------------------------------------------------------

Handler = Callable[[Session, Ctx], Outcome]


def _command(s: Session, name: str, ctx: Ctx) -> Outcome:
    if s.state == State.NEW:
        return _command_before_start(s, name, ctx)
    command = COMMANDS.get(name)
    if command is None:
        return _reprompt_or_say(s, t.UNKNOWN_COMMAND)
    return command.run(s, ctx)


def _command_before_start(s: Session, name: str, ctx: Ctx) -> Outcome:
    """Nothing is stored before /start (nor after /forget): commands only answer."""
    if name == "start":
        return enter(s, State.WELCOME)
    if name == "help":
        return Outcome(s, (Say(t.HELP), Say(t.HELP_PT), Say(t.SEND_START)))
    if name == "mydata":
        return Outcome(s, (ShowMyData(),))
    if name == "forget":
        return Outcome(s, (Say(t.NOTHING_STORED),))
    return Outcome(s, (Say(t.SEND_START),))


def _reprompt_or_say(s: Session, text: str) -> Outcome:
    if choices(s):
        return reprompt(s, text)
    return Outcome(s, (Say(text),))


def _cmd_start(s: Session, ctx: Ctx) -> Outcome:
    s = replace(
        s, safety=replace(s.safety, blocked=False)
    )  # back after blocking the bot: the pings come again
    if s.state == State.IDLE:
        return Outcome(s, (Say(t.WELCOME_BACK), Say(t.IDLE_HINT)))
    if s.state == State.WELCOME:  # nothing answered yet: no "welcome back", the welcome
        return enter(s, s.state)
    return enter(s, s.state, prefix=t.WELCOME_BACK)


def _cmd_checkin(s: Session, ctx: Ctx) -> Outcome:
    if owed.owed(s) is not None:
        return owed.ask(s)
    if s.state in (State.CHECK_ANSWER, State.CHECK_PAIN, State.CHECK_REACH, State.CHECK_CONFIRM):
        return enter(s, s.state, prefix=t.IN_A_SET)
    return sets.checkin_command(s, ctx)


def _cmd_stop(s: Session, ctx: Ctx) -> Outcome:
    if owed.owed(s) is not None:
        return owed.ask(s)  # /stop never discards an owed question (design.md)
    if s.state in (State.STEP, State.SET_CARD, State.SET_PRESS):
        return enter(s, State.STOP_WHY)  # did the pain get worse? asked once
    if spec(s).kind == Kind.IN_SET or s.state == State.OFFER:
        s = replace(s, pending=PendingCheckIn())
        return rest(s, (Say(t.STOPPED),))
    return Outcome(s, (Say(t.NOTHING_RUNNING),))


def _cmd_safety(s: Session, ctx: Ctx) -> Outcome:
    """The screening again; a clean one returns to the owed question, if any."""
    after = State.IDLE if s.assessment.onboarded else State.ASSESS_SIDE
    return onboarding.start_screening(s, after, t.SCREEN_AGAIN)


def _show(s: Session, shown: Effect) -> Outcome:
    """/progress, /export, /mydata: what they show, then the question on screen again (a
    command typed half-way never leaves a bare prompt)."""
    if choices(s):
        return Outcome(s, (shown, *prompt(s, _again(s))))
    return Outcome(s, (shown,))


def _again(s: Session) -> str:
    """What a question asked again after another command says first, so it reads as the
    same question coming back, not as a new one."""
    if owed.owed(s) == s.state:
        return t.OWED_AGAIN
    kind = spec(s).kind
    if kind == Kind.QUESTIONS:
        return t.FINISH_QUESTIONS
    if kind == Kind.IN_SET:
        return t.IN_A_SET
    return t.WHERE_WE_WERE


def _cmd_help(s: Session, ctx: Ctx) -> Outcome:
    if choices(s):
        return Outcome(
            s,
            (
                Say(t.HELP),
                Say(t.HELP_PT),
                *[e for e in prompt(s, _again(s)) if isinstance(e, Say)],
            ),
        )
    return Outcome(s, (Say(t.HELP), Say(t.HELP_PT)))


def _cmd_voice(s: Session, ctx: Ctx) -> Outcome:
    s = replace(s, voice=not s.voice)
    said = Say(t.VOICE_ON if s.voice else t.VOICE_OFF)
    if choices(s):  # the question on screen again, now with (or without) its voice note
        return Outcome(s, (said, *prompt(s, _again(s))))
    return Outcome(s, (said,))


def _cmd_remind(s: Session, ctx: Ctx) -> Outcome:
    """Reminders remind of a set: before onboarding, onboarding comes first."""
    if not s.assessment.onboarded or s.safety.red_flag:
        gated = sets.gate(s)
        if gated is not None:
            return gated
    return settings.detour(s, State.REMIND_MENU)


def _cmd_psfs(s: Session, ctx: Ctx) -> Outcome:
    """Rating activities comes after the first questions (it is about the back's effect)."""
    if not s.assessment.onboarded:
        gated = sets.gate(s)
        if gated is not None:
            return gated
    return psfs.start(s)


@dataclass(frozen=True, slots=True)
class Cmd:
    """A command's row: what runs, and every state it may lead to (SAME: the question on
    screen stays, shown again or not)."""

    run: Handler
    to: frozenset[Target]


COMMANDS: dict[str, Cmd] = {
    "start": Cmd(_cmd_start, leads(SAME, State.WELCOME)),
    "exercise": Cmd(lambda s, c: sets.before_set(s, c), sets.WAY_IN),
    "checkin": Cmd(
        _cmd_checkin, leads(OWED_STATES, SAME, sets.GATED, State.CHECK_ANSWER, State.CHECK_WHICH)
    ),
    "stop": Cmd(_cmd_stop, leads(OWED_STATES, State.STOP_WHY, State.IDLE, SAME)),
    "safety": Cmd(_cmd_safety, leads(State.SCREEN)),
    "help": Cmd(_cmd_help, leads(SAME)),
    "voice": Cmd(_cmd_voice, leads(SAME)),
    "settings": Cmd(lambda s, c: settings.detour(s, State.SETTINGS), leads(State.SETTINGS)),
    "language": Cmd(lambda s, c: settings.detour(s, State.LANGUAGE), leads(State.LANGUAGE)),
    "forget": Cmd(
        lambda s, c: settings.detour(s, State.FORGET_CONFIRM), leads(State.FORGET_CONFIRM)
    ),
    "progress": Cmd(lambda s, c: _show(s, ShowChart()), leads(SAME)),
    "export": Cmd(lambda s, c: _show(s, SendExport()), leads(SAME)),
    "mydata": Cmd(lambda s, c: _show(s, ShowMyData()), leads(SAME)),
    "remind": Cmd(_cmd_remind, leads(sets.GATED, State.REMIND_MENU)),
    "psfs": Cmd(_cmd_psfs, leads(sets.GATED, State.PSFS_PICK, State.PSFS_RATE)),
}
COMMAND_NAMES: tuple[str, ...] = tuple(COMMANDS)


# --- reminders ---------------------------------------------------------------------------


def _reminder_due(s: Session) -> Outcome:
    """Word a due ping, or say nothing when flows.safety says a ping would be wrong; while
    a question is owed, the ping asks it instead of offering a set."""
    if not safety.may_remind(s):
        return Outcome(s, ())
    if owed.owed(s) is not None:
        return owed.ask(s, prefix=t.OWED_PING)
    if is_busy(s):
        return Outcome(s, ())
    buttons = (
        Choice("start", t.B_START),
        Choice("snooze", t.B_SNOOZE),
        Choice("skip", t.B_SKIP),
    )
    exercise = exercise_name(s.exercise)
    return Outcome(s, (Say(t.PING, {"exercise": exercise}, choices=buttons, reminder=True),))


def _reminder_press(s: Session, action: str, ctx: Ctx) -> Outcome:
    if s.state == State.NEW:
        return Outcome(s, (Stale(),))  # an old ping of a forgotten user: store nothing
    if action == "start":
        return sets.before_set(s, ctx)
    if action == "snooze":
        return Outcome(s, (Reminders(ReminderAction.SNOOZE), Say(t.SNOOZED)))
    if action == "skip":
        return Outcome(s, (Reminders(ReminderAction.SKIP), Say(t.SKIPPED)))
    return Outcome(s, (Stale(),))
