"""The conversation engine: `advance(session, event, now) -> Outcome`.

Pure and deterministic: no I/O, no clock of its own, no randomness. What each
state asks and does is in its entry (flows.states, registered by the modules
imported below); this module routes events to those entries, runs the
commands, and reports every change of the reminders' pause (flows.safety) as
an effect, so no path can change a hold without the reminders table hearing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from flows import checkin, onboarding, owed, psfs, pt, remind, safety, sets, settings  # noqa: F401
from flows import texts as t
from flows.catalogue import exercise_name
from flows.effects import (
    Choice,
    Effect,
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
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
from flows.session import Hold, PendingCheckIn, Session, State
from flows.states import (
    SPECS,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    is_busy,
    no_buttons,
    prompt,
    register,
    reprompt,
    rest,
    spec,
)

__all__ = ["ALL_STATES", "COMMAND_NAMES", "Outcome", "Rules", "advance", "choices", "is_busy"]


@dataclass(frozen=True, slots=True)
class Rules:
    """What a deployment may tune (SIDEGLIDE_PROGRESS_AFTER)."""

    stall_after: int = DEFAULT_STALL_AFTER
    voice: bool = True  # False: this deployment makes no voice notes (SIDEGLIDE_TTS=off)


register(
    State.NEW,
    Spec(
        ask=lambda s: Question(t.SEND_START),
        buttons=no_buttons,
        on_press=lambda s, v, c: Outcome(s, (Stale(),)),
        # someone typing to the bot for the first time is welcomed
        on_text=lambda s, text, c: enter(s, State.WELCOME),
    ),
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
    if isinstance(event, Command):
        return _command(s, event.name, ctx)
    if isinstance(event, Press):
        if event.seq != s.seq or event.value not in {c.value for c in choices(s)}:
            return Outcome(s, (Stale(),))
        return spec(s).on_press(owed.answering(s), event.value, ctx)
    if isinstance(event, (Text, Other)):
        heard = hear(s, event, ctx)  # the user's own words: warning signs first (flows.heard)
        if heard is not None:
            return heard
    if isinstance(event, Text):
        s = owed.answering(s)
        on_text = spec(s).on_text
        typed = on_text(s, event.text, ctx) if on_text is not None else None
        return typed if typed is not None else reprompt(s, t.PLEASE_BUTTONS)
    if isinstance(event, Other):
        return reprompt(s, t.NOT_TEXT)
    if isinstance(event, ReminderPress):
        return _reminder_press(s, event.action, ctx)
    if isinstance(event, ReminderDue):
        return _reminder_due(s)
    if isinstance(event, Prescribed):
        if s.state == State.NEW:
            return Outcome(s, ())  # nobody here any more (after /forget): store nothing
        return pt.prescribe(s, event.prescription, event.pt_id, ctx)
    if isinstance(event, Cleared):
        if s.state == State.NEW:
            return Outcome(s, ())
        return pt.lift(s, event.prescription, event.pt_id, event.pt_name, ctx)
    if isinstance(event, Unreachable):
        return Outcome(replace(s, safety=replace(s.safety, blocked=True)), ())
    raise TypeError(f"unknown event {event!r}")


# --- commands ----------------------------------------------------------------------------

Handler = Callable[[Session, Ctx], Outcome]


def _command(s: Session, name: str, ctx: Ctx) -> Outcome:
    if s.state == State.NEW:
        return _command_before_start(s, name, ctx)
    handler = _COMMANDS.get(name)
    if handler is None:
        return _reprompt_or_say(s, t.UNKNOWN_COMMAND)
    return handler(s, ctx)


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


_COMMANDS: dict[str, Handler] = {
    "start": _cmd_start,
    "exercise": lambda s, c: sets.before_set(s, c),
    "checkin": _cmd_checkin,
    "stop": _cmd_stop,
    "safety": _cmd_safety,
    "help": _cmd_help,
    "voice": _cmd_voice,
    "settings": lambda s, c: settings.detour(s, State.SETTINGS),
    "language": lambda s, c: settings.detour(s, State.LANGUAGE),
    "forget": lambda s, c: settings.detour(s, State.FORGET_CONFIRM),
    "progress": lambda s, c: _show(s, ShowChart()),
    "export": lambda s, c: _show(s, SendExport()),
    "mydata": lambda s, c: _show(s, ShowMyData()),
    "remind": _cmd_remind,
    "psfs": _cmd_psfs,
}
COMMAND_NAMES: tuple[str, ...] = tuple(_COMMANDS)


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
        return Outcome(s, (Reminders("snooze"), Say(t.SNOOZED)))
    if action == "skip":
        return Outcome(s, (Reminders("skip"), Say(t.SKIPPED)))
    return Outcome(s, (Stale(),))
