"""Check the conversation graph by walking it, and draw it.

The graph is not kept by hand: `explore` presses every button the engine
offers from every reachable session, so the validator sees exactly what users
can reach. Dangling targets raise inside the engine; dead ends (a state with no
button and no way on) and unreachable states are reported here.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flows import ladder
from flows.engine import ALL_STATES, Outcome, advance, choices
from flows.events import Command, Event, Other, Press, ReminderDue, ReminderPress, Text
from flows.model import Side
from flows.safety import may_offer_exercise
from flows.session import Session, State
from flows.states import SPECS, Kind

# states a user leaves with a command rather than a button, by design
COMMAND_EXITS = frozenset({State.NEW, State.IDLE, State.REDFLAG})
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
_INPUT_SAMPLES = 3
# pain values behave alike; languages too (the graph is the same in each)
_SKIPPED_VALUES = frozenset(
    {str(i) for i in (1, 2, 3, 4, 5, 7, 8, 9)}
    | {"calf", "back_centre"}
    | {"es", "de", "ru", "UTC-8", "UTC-5", "UTC-3", "UTC+1", "UTC+2", "UTC+3", "UTC+8"}
    | {"every2", "every4", "07:00-22:00", "09:00-20:00"}
)
_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# every event comes two hours after the last, so the "anything new?" check is always due
_STEP = timedelta(hours=2)


@dataclass
class Graph:
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, label, to)
    seen_states: set[State] = field(default_factory=set)
    sessions: int = 0

    def problems(self) -> list[str]:
        out = [f"unreachable state: {s}" for s in sorted(ALL_STATES - self.seen_states)]
        leaving = {a for a, _, b in self.edges if a != b}
        out += [f"dead end: {s}" for s in sorted(self.seen_states - leaving - COMMAND_EXITS)]
        return out

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for a, label, b in sorted(self.edges):
            if a != b:
                lines.append(f"    {_node(a)} --> {_node(b)}: {label}")
        return "\n".join(lines)


def _node(state: str) -> str:
    return str(state).replace(".", "_")


Visit = Callable[[Session, Event, Outcome, datetime], None]


def explore(limit: int = 50_000, visit: Visit | None = None) -> Graph:
    """Press every offered button and send every command from every reachable session.

    `visit` sees each transition (before, event, outcome, time): the safety tests
    use it to check their promises on every path, not only on random ones.
    """
    graph = Graph()
    start = Session()
    queue: deque[Session] = deque([start])
    seen: set[tuple[object, ...]] = {_key(start)}
    per_state: Counter[State] = Counter()
    while queue and graph.sessions < limit:
        s = queue.popleft()
        graph.sessions += 1
        graph.seen_states.add(s.state)
        events: list[tuple[str, Event]] = [
            (c.value, Press(s.seq, c.value)) for c in choices(s) if c.value not in _SKIPPED_VALUES
        ]
        events += [("/" + name, Command(name)) for name in EXPLORE_COMMANDS]
        events.append(("ping: start", ReminderPress("start")))
        events.append(("ping due", ReminderDue()))
        if per_state[s.state] < _INPUT_SAMPLES:
            # what is typed instead of a tap only ever re-asks: a few sessions per state
            # show every wording of that without walking it from all of them
            events += [
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
            ]
        per_state[s.state] += 1
        for label, event in events:
            now = _NOW + _STEP * graph.sessions
            out = advance(s, event, now)
            if visit is not None:
                visit(s, event, out, now)
            nxt = out.session
            graph.edges.add((s.state, label, nxt.state))
            # the seq counter only makes sessions look new; compare without it
            key = _key(nxt)
            if key not in seen:
                seen.add(key)
                queue.append(nxt)
    return graph


def _key(s: Session) -> tuple[object, ...]:
    """Sessions that behave alike for the graph: which side of one-sided pain, which
    reach within leg or back, counts past 1 and wording do not change which states are
    reachable; answers kept from a question left behind only matter in that question."""
    kind = SPECS[s.state].kind
    if kind == Kind.DETOUR:
        # a side question returns the session it left unchanged: where it returns to,
        # and whether a set may be resumed, is all that tells two detours apart
        return (
            s.state,
            s.cursor.return_to,
            may_offer_exercise(s),
            s.one_sided,
            s.reminders.tz is None,
            s.reminders.mode,
            s.reminders.paused,
            s.safety.hold,
            s.ladder.recovered,
            len(s.psfs.picking),  # the activities' question changes as they are picked
            s.psfs.rating if s.state == State.PSFS_RATE else None,
            s.pending.owed,  # a detour returns to the owed question
        )
    checking = s.state in _CHECK_STATES
    return (
        s.state,
        s.cursor.flag if s.state == State.SCREEN else None,
        s.cursor.step if s.state == State.STEP else None,
        s.ladder.stage,
        s.rung in s.ladder.learned,  # learn mode (steps) or quick mode (one card)
        s.assessment.side if not s.assessment.onboarded or s.one_sided else Side.CENTRE,
        s.safety.red_flag is None,
        s.safety.hold,
        s.ladder.recovered,
        s.safety.screened,
        s.assessment.onboarded,
        s.safety.checked_at is None,
        s.ladder.stall,
        s.ladder.ref_reach is not None
        and ladder.where(s.ladder.ref_reach, s.ladder.ref_pain or 0),
        s.assessment.tried if not s.assessment.onboarded else None,
        s.cursor.after_screening if s.state == State.SCREEN else None,
        (s.pending.answer, s.pending.pain, s.pending.reach is None) if checking else (),
        (s.pending.asking, s.pending.asked) if checking else (),
        s.pending.owed if s.state in _CHECK_STATES else s.pending.owed is not None,
        s.pending.reading if checking else None,
        (s.heard.signs, s.heard.back, s.heard.answer, s.heard.pain is None, s.heard.reach,
         s.heard.press, s.heard.owed) if s.state in _HEARD_STATES else (),
    )  # fmt: skip


_HEARD_STATES = frozenset({State.SIGN, State.CHECK_HEARD})
_CHECK_STATES = frozenset(
    {
        State.CHECK_ANSWER,
        State.CHECK_PAIN,
        State.CHECK_REACH,
        State.CHECK_CONFIRM,
        State.EPISODE_PAIN,
        State.STOP_WHY,
        State.PRESET_REACH,
        *_HEARD_STATES,
    }
)
