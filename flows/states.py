"""One entry per state: its question, its buttons, and what each answer does.

Everything that asks "what does this state do?" reads the same entry: the
prompt, the buttons, the stale-button check, the dispatch of a press or a
typed answer, `is_busy` and the graph validator. The entries are registered
by the modules that own them (onboarding, sets, checkin, pt, settings, remind).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from flows import numbers
from flows import texts as t
from flows.effects import Choice, Effect, Say, Speak, SpeakGuided
from flows.model import Reach
from flows.session import Session, State


class Kind(StrEnum):
    QUESTIONS = "questions"  # onboarding: finish these before anything else
    IN_SET = "in_set"  # a set or its check-in: a reminder now would interrupt
    DETOUR = "detour"  # a side question that returns to where the user was
    HOLD = "hold"  # exercises held: left by a button or a command
    REST = "rest"  # nothing is running


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a handler may know besides the session: the time and the configured rules."""

    now: datetime
    stall_after: int


@dataclass(frozen=True, slots=True)
class Outcome:
    session: Session
    effects: tuple[Effect, ...]


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    columns: int = 1
    prefix: str | None = None  # shown above the text ("Step 2 of 8")
    voice: Speak | SpeakGuided | None = None  # the message is also this voice note


Ask = Callable[[Session], Question]
Buttons = Callable[[Session], tuple[Choice, ...]]
OnPress = Callable[[Session, str, Ctx], Outcome]
OnText = Callable[[Session, str, Ctx], "Outcome | None"]


@dataclass(frozen=True, slots=True)
class Spec:
    ask: Ask
    buttons: Buttons
    on_press: OnPress
    kind: Kind = Kind.REST
    on_text: OnText | None = None  # typed answers; None (or returning None): "use the buttons"


SPECS: dict[State, Spec] = {}


def register(state: State, spec: Spec) -> None:
    if state in SPECS:
        raise ValueError(f"{state} is described twice")
    SPECS[state] = spec


def spec(s: Session) -> Spec:
    return SPECS[s.state]


def fixed(*choices: Choice) -> Buttons:
    return lambda s: choices


def no_buttons(s: Session) -> tuple[Choice, ...]:
    return ()


def is_busy(s: Session) -> bool:
    """In the middle of a set: a reminder now would interrupt. An owed question on
    screen is not busy: a reminder due then asks it again (flows.owed)."""
    return spec(s).kind == Kind.IN_SET and s.pending.owed != s.state


def prompt(s: Session, prefix: str | None = None) -> list[Effect]:
    """The current question with its buttons bound to `s.seq` (and its voice note)."""
    q = spec(s).ask(s)
    note, head = (prefix, q.prefix) if q.prefix else (None, prefix)
    say = Say(
        q.text,
        q.params,
        choices=spec(s).buttons(s),
        columns=q.columns,
        prefix=head,
        seq=s.seq,
        note=note,
        voice=q.voice if s.voice else None,
    )
    return [say]


def enter(
    s: Session, state: State, before: Sequence[Effect] = (), prefix: str | None = None
) -> Outcome:
    """Show `state`'s question as a new prompt: older buttons go stale."""
    if state not in SPECS:
        raise ValueError(f"dangling flow target {state!r}")
    s = replace(s, cursor=replace(s.cursor, state=state, seq=s.seq + 1))
    return Outcome(s, (*before, *prompt(s, prefix)))


def rest(s: Session, before: Sequence[Effect]) -> Outcome:
    """Nothing more to ask: idle, and the last message already says what comes next."""
    s = replace(s, cursor=replace(s.cursor, state=State.IDLE, seq=s.seq + 1))
    return Outcome(s, tuple(before) or tuple(prompt(s)))


def reprompt(s: Session, why: str) -> Outcome:
    """A new message saying what is expected, with the same (still valid) buttons."""
    if not spec(s).buttons(s):
        return Outcome(s, tuple(prompt(s)))
    return Outcome(s, tuple(e for e in prompt(s, why) if isinstance(e, Say)))


# --- answers several questions share ---------------------------------------------------


def pain_question(text: str, on_press: OnPress, kind: Kind) -> Spec:
    """A 0-10 question: eleven buttons, and a typed number is that pain (not a button)."""
    return Spec(
        ask=lambda s: Question(text, columns=6),
        buttons=fixed(*(Choice(str(i), str(i), literal=True) for i in range(11))),
        on_press=on_press,
        kind=kind,
        on_text=_typed_pain,
    )


def typed_scale(s: Session, text: str, ctx: Ctx) -> Outcome | None:
    """A typed answer to a 0-10 question: a whole number 0-10 in any script's digits is
    that value; any other try at a number ("11", "6.5", "²") is told what fits."""
    value = numbers.in_range(text, 0, 10)
    if value is not None:
        return spec(s).on_press(s, str(value), ctx)
    if numbers.looks_numeric(text):
        return reprompt(s, t.WHOLE_NUMBER)
    return None


_typed_pain = typed_scale


def reach_buttons(*, with_none: bool, only: frozenset[Reach] | None = None) -> tuple[Choice, ...]:
    return tuple(
        Choice(r.value, label)
        for r, label in t.REACH_LABELS.items()
        if (with_none or r != Reach.NONE) and (only is None or r in only)
    )
