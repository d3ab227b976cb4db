"""One entry per state: its question, its buttons, and where each answer leads.

Everything that asks "what does this state do?" reads the same entry: the
prompt, the buttons, the stale-button check, the dispatch of a press or a
typed answer, `is_busy`, the graph validator and the diagram. An answer is a
row (`On`): which button values it takes, the named handler that runs, and
every state it may lead to, so where a state leads is read, not walked
(h11's `_state.py` is the model). The modules that own states list them in
a `STATES` mapping; flows.engine installs them from one list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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


class Here(StrEnum):
    """A target that is not one fixed state."""

    SAME = "same"  # the state the answer was given in: the question asked again
    BACK = "back"  # where a side question was opened from (flows.settings.back)


SAME, BACK = Here.SAME, Here.BACK
Target = State | Here
ANY: frozenset[str] = frozenset()  # an answer row for every value the buttons offer


def leads(*targets: Target | Iterable[Target]) -> frozenset[Target]:
    """The states an answer may lead to, from single states and named groups."""
    out: set[Target] = set()
    for target in targets:
        if isinstance(target, (State, Here)):
            out.add(target)
        else:
            out.update(target)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class On:
    """One row of a state's transition table: the button values it answers (ANY: every
    value the state's buttons offer, such as a 0-10 pain), the named handler, and every
    state the handler may lead to (checked against the engine by tests/test_flow_graph)."""

    values: frozenset[str]
    run: OnPress
    to: frozenset[Target]

    @property
    def label(self) -> str:
        return "/".join(sorted(self.values)) or "any"


def on(values: str | Iterable[str], run: OnPress, *to: Target | Iterable[Target]) -> On:
    chosen = frozenset({values} if isinstance(values, str) else values)
    return On(chosen, run, leads(*to))


def on_any(run: OnPress, *to: Target | Iterable[Target]) -> On:
    return On(ANY, run, leads(*to))


@dataclass(frozen=True, slots=True)
class Typed:
    """What a typed answer does (None from `run`: "please use the buttons")."""

    run: OnText
    to: frozenset[Target]


def typed(run: OnText, *to: Target | Iterable[Target]) -> Typed:
    return Typed(run, leads(*to))


@dataclass(frozen=True, slots=True)
class Spec:
    ask: Ask
    buttons: Buttons
    answers: tuple[On, ...]
    kind: Kind = Kind.REST
    typed: Typed | None = None  # typed answers; None (or `run` returning None): the buttons

    def on(self, value: str) -> On:
        """The row that answers `value`: its own, else the state's ANY row."""
        for row in self.answers:
            if value in row.values:
                return row
        for row in self.answers:
            if not row.values:
                return row
        raise KeyError(value)


SPECS: dict[State, Spec] = {}


def install(*tables: Mapping[State, Spec]) -> None:
    """Fill the registry from the owning modules' tables (the one list is in flows.engine)."""
    for table in tables:
        for state, entry in table.items():
            if state in SPECS and SPECS[state] is not entry:
                raise ValueError(f"{state} is described twice")
            SPECS[state] = entry


def spec(s: Session) -> Spec:
    return SPECS[s.state]


def answer(s: Session, value: str, ctx: Ctx) -> Outcome:
    """A pressed button, through its row of the table (the one dispatch)."""
    return spec(s).on(value).run(s, value, ctx)


def typed_answer(s: Session, text: str, ctx: Ctx) -> Outcome | None:
    row = spec(s).typed
    return row.run(s, text, ctx) if row is not None else None


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


def pain_question(text: str, row: On, kind: Kind) -> Spec:
    """A 0-10 question: eleven buttons, and a typed number is that pain (not a button)."""
    return Spec(
        ask=lambda s: Question(text, columns=6),
        buttons=fixed(*(Choice(str(i), str(i), literal=True) for i in range(11))),
        answers=(row,),
        kind=kind,
        typed=typed(typed_scale, row.to, SAME),
    )


def typed_scale(s: Session, text: str, ctx: Ctx) -> Outcome | None:
    """A typed answer to a 0-10 question: a whole number 0-10 in any script's digits is
    that value; any other try at a number ("11", "6.5", "²") is told what fits."""
    value = numbers.in_range(text, 0, 10)
    if value is not None:
        return answer(s, str(value), ctx)
    if numbers.looks_numeric(text):
        return reprompt(s, t.WHOLE_NUMBER)
    return None


def reach_buttons(*, with_none: bool, only: frozenset[Reach] | None = None) -> tuple[Choice, ...]:
    return tuple(
        Choice(r.value, label)
        for r, label in t.REACH_LABELS.items()
        if (with_none or r != Reach.NONE) and (only is None or r in only)
    )
