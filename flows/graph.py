"""The conversation graph, read from the declarations; and a walk that holds them to it.

Where a state leads is declared in its table (flows.states: a row per answer,
with every state it may lead to; flows.engine.COMMANDS for the commands), so
the validator and the Mermaid diagram read the tables and walk nothing
(h11's `_state.py` is the model: one table, a script draws it). `explore`
stays as a property test: it presses every button and sends every command from
the sessions it reaches, and `undeclared` says when a handler led somewhere its
row does not declare, so the tables cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, get_args, get_type_hints

from flows import owed
from flows.clinician import graph as desk_graph
from flows.edges import reachable
from flows.effects import Say
from flows.engine import ALL_STATES, COMMANDS, Outcome, advance, choices
from flows.events import Command, Event, Other, Press, ReminderDue, ReminderPress, Text
from flows.ladder import DEFAULT_STALL_AFTER, Stage
from flows.model import Reach, Side
from flows.session import (
    WALK_COUNT,
    WALK_IGNORE,
    WALK_IN,
    Assessment,
    Cursor,
    Hold,
    LadderRecord,
    SafetyRecord,
    Session,
    State,
)
from flows.states import BACK, SAME, SPECS, Ctx, Target, answer, typed_answer

# states a user leaves with a command rather than a button, by design
COMMAND_EXITS = frozenset({State.NEW, State.IDLE, State.REDFLAG})
ANY_STATE = "any"  # the diagram's node for what a command does from any state
_BACK_NODE = "back"


# --- the declared graph ---------------------------------------------------------------


def declared_edges() -> set[tuple[str, str, str]]:
    """(from, label, to) for every declared answer and command; SAME loops are left out
    (the question asked again), BACK is the node "back" (where a side question began)."""
    edges: set[tuple[str, str, str]] = set()
    for state, entry in SPECS.items():
        rows = [(row.label, row.to) for row in entry.answers]
        if entry.typed is not None:
            rows.append(("typed", entry.typed.to))
        for label, targets in rows:
            edges |= {(state, label, str(t)) for t in targets if t != SAME}
    for name, command in COMMANDS.items():
        edges |= {(ANY_STATE, "/" + name, str(t)) for t in command.to if t != SAME}
    return edges


def problems() -> list[str]:
    """Dangling targets, states nothing leads to, and dead ends, from the tables alone."""
    edges = declared_edges()
    targets = {b for _, _, b in edges}
    out = [f"dangling target: {t}" for t in sorted(targets - set(ALL_STATES) - {_BACK_NODE})]
    reached = _reachable(edges)
    out += [f"unreachable state: {s}" for s in sorted(ALL_STATES - reached)]
    leaving = {a for a, _, b in edges if a != b}
    out += [f"dead end: {s}" for s in sorted(set(ALL_STATES) - leaving - COMMAND_EXITS)]
    return out


def _reachable(edges: set[tuple[str, str, str]]) -> set[str]:
    from_any = {b for a, _, b in edges if a == ANY_STATE}
    return reachable(edges, {State.NEW, *from_any})


def mermaid() -> str:
    """The diagram docs/conversation-diagram.md shows (`make diagram` writes it)."""
    lines = ["stateDiagram-v2"]
    for a, label, b in sorted(declared_edges()):
        if a != b:
            lines.append(f"    {_node(a)} --> {_node(b)}: {label}")
    return "\n".join(lines)


def diagram_page() -> str:
    """docs/conversation-diagram.md, as `make diagram` writes it (a test keeps it current)."""
    return (
        "# The conversation, as declared\n\n"
        "Generated from the state tables (`flows/states.py` and the `STATES` of each module\n"
        "in `flows/`, the commands in `flows/engine.py`) by `make diagram`; a test fails\n"
        "when it is out of date. An edge is an answer (a button value, `any` for every value\n"
        "a question offers, `typed` for a typed answer) or a command (from `any` state);\n"
        "`back` is where a side question was opened from. Questions asked again are left\n"
        "out.\n\n"
        f"```mermaid\n{mermaid()}\n```\n\n"
        "## The physical therapist's side\n\n"
        "Generated from `SCREENS` in `flows/clinician/desk.py`. A PT's buttons carry their\n"
        "place, so this side keeps no state: an edge is an answer leading to the next\n"
        "screen or to an act bot.sharing carries out (a chart, a prescription, a revoke...);\n"
        "`outside` is how a screen opens (a command, a link, a letter about a patient).\n\n"
        f"```mermaid\n{desk_graph.mermaid()}\n```\n"
    )


def _node(state: str) -> str:
    return str(state).replace(".", "_")


# --- holding the code to the tables ------------------------------------------------------


def undeclared(before: Session, event: Event, ctx: Ctx, after: State | None = None) -> str | None:
    """The handler `event` reaches in `before`, run alone: where it led, when its row does
    not declare that state (None: declared, or not an answer or a command). `after`, the
    state the whole turn came to, spares the second run when the row declares it."""
    run, targets = _row(before, event)
    if run is None:
        return None
    allowed = _resolve(targets, before)
    if after in allowed:
        return None
    led = run(ctx).session.state
    if led in allowed:
        return None
    return f"{before.state} --{_label(event)}--> {led}, declared: {sorted(allowed)}"


def _row(s: Session, event: Event) -> tuple[Callable[[Ctx], Outcome] | None, frozenset[Target]]:
    if isinstance(event, Press) and event.seq == s.seq:
        if event.value not in {c.value for c in choices(s)}:
            return None, frozenset()
        row = SPECS[s.state].on(event.value)
        answering = owed.answering(s)
        return (lambda ctx: answer(answering, event.value, ctx)), row.to
    if isinstance(event, Text) and SPECS[s.state].typed is not None:
        typed = SPECS[s.state].typed
        assert typed is not None
        answering = owed.answering(s)

        def run(ctx: Ctx) -> Outcome:
            return typed_answer(answering, event.text, ctx) or Outcome(s, ())

        return run, typed.to | {SAME}
    if isinstance(event, Command) and event.name in COMMANDS and s.state != State.NEW:
        command = COMMANDS[event.name]
        return (lambda ctx: command.run(s, ctx)), command.to
    return None, frozenset()


def _resolve(targets: Iterable[Target], s: Session) -> set[State]:
    out: set[State] = set()
    for target in targets:
        if target == SAME:
            out.add(s.state)
        elif target == BACK:
            out |= {s.cursor.return_to or State.IDLE, s.heard.back or State.CHECK_ANSWER}
            out.add(State.WELCOME)  # a side question opened before /start
        else:
            out.add(State(target))
    return out


def _label(event: Event) -> str:
    if isinstance(event, Press):
        return event.value
    if isinstance(event, Command):
        return "/" + event.name
    return type(event).__name__


# --- the walk ----------------------------------------------------------------------------

EXPLORE_COMMANDS = (
    "start",
    "exercise",
    "checkin",
    "safety",
    "stop",
    "settings",
    "language",
    "forget",
    "remind",
    "help",
    "voice",
    "psfs",
)
_SAMPLES = 3  # sessions per state and group a side question or typed words are sent from
# the commands that carry the conversation on (the others are side questions)
_ONWARD = frozenset({"start", "exercise", "checkin", "stop"})
# pain values behave alike; languages too (the graph is the same in each), and activities
_SKIPPED_VALUES = frozenset(
    {str(i) for i in (1, 2, 3, 4, 5, 7, 8, 9)}
    | {"calf", "back_centre"}
    | {"es", "de", "ru", "UTC-8", "UTC-5", "UTC-3", "UTC+1", "UTC+2", "UTC+3", "UTC+8"}
    | {"every2", "every4", "07:00-22:00", "09:00-20:00"}
    | {"bend", "lift", "sleep", "dress", "drive", "house", "work"}  # three activities do
)
_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# every event comes two hours after the last, so the "anything new?" check is always due
_STEP = timedelta(hours=2)
# what is typed instead of a tap only ever re-asks: a few sessions per state show every
# wording of that without walking it from all of them
_TYPED: tuple[tuple[str, Event], ...] = (
    ("text", Text("hello")),
    ("typed 11", Text("11")),
    ("sticker", Other("sticker")),
    ("/frobnicate", Command("frobnicate")),
    # the user's own words (flows.heard): a warning sign, a check-in, a set's word
    ("words: a warning sign", Text("my bladder is leaking")),
    ("words: worse", Text("worse, pain 7, down to my calf")),
    ("words: easing", Text("better, pain 3, in my buttock")),
    ("words: all gone", Text("all gone")),
    ("words: pain", Text("about a seven")),
    ("words: reach", Text("in my thigh")),
    ("words: yes", Text("yes")),
    ("words: next", Text("next")),
    ("voice note", Other("voice")),
    ("voice note unclear", Other("voice_unclear")),
    ("voice note too long", Other("voice_long")),
)


@dataclass
class Walk:
    """What a walk met: the transitions taken, the states seen, the sessions walked."""

    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, label, to)
    seen_states: set[State] = field(default_factory=set)
    sessions: int = 0


Visit = Callable[[Session, Event, Outcome, datetime], None]


def explore(limit: int = 12_000, visit: Visit | None = None) -> Walk:
    """Press every offered button and send every command from the sessions reached, up to
    `limit` sessions; sessions alike for the walk (`walk_key`) are walked once.

    The walk starts from a new user and from the `seeds`, the groups taking turns. In
    each group a session that came with a message the group had not seen goes first
    (the next step of an exercise, the next of the first
    questions), then the others breadth first: so a bounded walk shows every message a
    path leads to before it spends itself on combinations. A side question (/settings,
    /language, /forget, /remind, /psfs, /help, /voice, /safety) returns the session it
    left unchanged, and what is typed instead of a tap re-asks or asks about the words:
    they are sent from a few sessions of each state in each group, which show all they
    do. `visit` sees each
    transition (before, event, outcome, time): the safety tests check their promises
    with it on every path walked.
    """
    walk = Walk()
    seeds_ = seeds()
    groups = [_Group([Session()]), *(_Group(group) for group in seeds_)]
    seen: set[object] = {walk_key(s) for g in groups for s in g.rest}
    tick = 0
    while any(groups) and walk.sessions < limit:
        tick += 1
        # the new user's group every other turn (the first questions are the longest
        # way in), the seeds' groups in turn between
        group = groups[0] if tick % 2 and groups[0] else groups[1 + tick // 2 % len(seeds_)]
        if not group:
            continue
        s = group.next()
        walk.sessions += 1
        walk.seen_states.add(s.state)
        sample = group.per_state[s.state] < _SAMPLES
        group.per_state[s.state] += 1
        for label, event in _events(s, sample):
            now = _NOW + _STEP * walk.sessions
            out = advance(s, event, now)
            if visit is not None:
                visit(s, event, out, now)
            walk.edges.add((s.state, label, out.session.state))
            said = set(_said(out)) - group.shown
            group.shown |= said
            key = walk_key(out.session)
            if key not in seen:
                seen.add(key)
                (group.fresh if said else group.rest).append(out.session)
    return walk


def _said(out: Outcome) -> list[object]:
    """What a turn showed, as far as novelty goes: each message's text and wording, at
    this stage of the ladder (a check-in at each stage leads to its own turns)."""
    stage = out.session.ladder.stage
    return [(e.text, e.prefix, e.note, stage) for e in out.effects if isinstance(e, Say)]


class _Group:
    """Sessions waiting, from one start: those that showed something new, and the others
    breadth first, taking turns (so neither starves the other)."""

    def __init__(self, start: Iterable[Session]) -> None:
        self.fresh: deque[Session] = deque()
        self.rest: deque[Session] = deque(start)
        self.shown: set[object] = set()  # what this group's sessions were shown
        self.per_state: Counter[State] = Counter()  # sessions walked, by state
        self._turn = False

    def __bool__(self) -> bool:
        return bool(self.fresh or self.rest)

    def next(self) -> Session:
        self._turn = not self._turn
        first, second = (self.fresh, self.rest) if self._turn else (self.rest, self.fresh)
        return first.popleft() if first else second.popleft()


def seeds() -> list[list[Session]]:
    """Besides a new user: users who finished the first questions, a group for each stage
    of the ladder and kind of pain (with and without a prescribed wall shoulder, the
    exercise learned or not); and for each kind of pain, a group one step from each of
    the ladder's turns (back after recovering, a set on screen one check-in short of a
    stall, held) at every stage. So a bounded walk shows every exercise's every step,
    card and voice note for every side, and every turn of the ladder, without climbing
    to it."""
    sides = (Side.LEFT, Side.RIGHT, Side.CENTRE)
    out = [
        [
            _onboarded(stage, side, wall=wall, learned=learned)
            for wall in (None, Side.LEFT)
            for learned in (False, True)
        ]
        for stage in Stage
        for side in sides
    ]
    for side in sides:
        ready = [_onboarded(stage, side, wall=None, learned=True) for stage in Stage]
        out += [
            [replace(s, ladder=replace(s.ladder, recovered=True)) for s in ready],
            [
                replace(s, safety=replace(s.safety, hold=hold))
                for s in ready
                for hold in (Hold.STOP_RULE, Hold.SEE_PT)
            ],
        ]
        # a set on screen, one check-in short of a stall: a group each, as each stage
        # stalls its own way; the walk taps the lowest pain first: no change from before
        out += [
            [
                replace(
                    s,
                    cursor=replace(s.cursor, state=State.SET_CARD),
                    ladder=replace(s.ladder, stall=DEFAULT_STALL_AFTER - 1, ref_pain=0),
                )
            ]
            for s in ready
        ]
    return out


def _onboarded(stage: Stage, side: Side, *, wall: Side | None, learned: bool) -> Session:
    return Session(
        cursor=Cursor(state=State.IDLE),
        assessment=Assessment(
            side=side,
            wall_shoulder=wall,
            baseline_reach=Reach.BUTTOCK,
            baseline_pain=6,
            onboarded=True,
        ),
        safety=SafetyRecord(screened=True),
        ladder=LadderRecord(
            stage=stage,
            ref_reach=Reach.BUTTOCK,
            ref_pain=6,
            learned=(stage.exercise,) if learned else (),
        ),
    )


def _events(s: Session, sample: bool) -> list[tuple[str, Event]]:
    """Every button and the commands that carry the conversation on; from a sample of
    each state's sessions, the side questions and what is typed instead of a tap too."""
    events: list[tuple[str, Event]] = [
        (c.value, Press(s.seq, c.value)) for c in choices(s) if c.value not in _SKIPPED_VALUES
    ]
    events += [("/" + name, Command(name)) for name in EXPLORE_COMMANDS if name in _ONWARD]
    events += [("ping: start", ReminderPress("start")), ("ping due", ReminderDue())]
    if sample:
        events += [("/" + name, Command(name)) for name in EXPLORE_COMMANDS if name not in _ONWARD]
        events += _TYPED
    return events


def walk_key(s: Session) -> object:
    """Sessions that behave alike for the walk, derived from the session's own fields:
    every field counts as it is, except what its declaration marks (flows.session:
    WALK_IGNORE never changes where a session can go, WALK_COUNT only as none or some,
    WALK_IN only in its states), and a time only as set or not (the walk's clock moves
    two hours a step). A new field counts unless marked, so it can only grow the walk,
    never shrink it silently."""
    norm = _normalizer(Session)
    assert norm is not None
    return norm(s, s.state)


_Norm = Callable[[Any, State], object]
_NORMS: dict[type, _Norm | None] = {}


def _normalizer(cls: type) -> _Norm | None:
    """How a dataclass counts for the walk, built once from its fields' declarations and
    types; None: its values count as they are."""
    if cls in _NORMS:
        return _NORMS[cls]
    hints = get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if not f.metadata.get(WALK_IGNORE)]
    parts = [_part(f.metadata, hints[f.name]) for f in fields]
    norm: _Norm | None = None
    if len(fields) < len(dataclasses.fields(cls)) or any(parts):
        get = attrgetter(*(f.name for f in fields))

        def norm(value: Any, state: State) -> object:
            values = get(value) if len(fields) > 1 else (get(value),)
            return tuple(
                v if part is None else part(v, state)
                for v, part in zip(values, parts, strict=True)
            )

    _NORMS[cls] = norm
    return norm


def _part(meta: Mapping[str, object], hint: object) -> _Norm | None:
    scope = meta.get(WALK_IN)
    if isinstance(scope, frozenset):
        return lambda v, state: v if state in scope else bool(v)
    if meta.get(WALK_COUNT):
        return lambda v, state: min(v, 1)
    kinds = [k for k in get_args(hint) or (hint,) if k is not type(None)]
    if datetime in kinds:
        return lambda v, state: v is not None  # the walk's clock moves: only "set" counts
    nested = [_normalizer(k) for k in kinds if isinstance(k, type) and dataclasses.is_dataclass(k)]
    inner = nested[0] if nested else None
    if inner is None:
        return None
    return lambda v, state: None if v is None else inner(v, state)
