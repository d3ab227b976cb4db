"""Check the conversation graph by walking it, and draw it.

The graph is not kept by hand: `explore` presses every button the engine
offers from every reachable session, so the validator sees exactly what users
can reach. Dangling targets raise inside the engine; dead ends (a state with no
button and no way on) and unreachable states are reported here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.engine import ALL_STATES, advance, choices
from flows.events import Command, Event, Press
from flows.session import Session

# states a user leaves with a command rather than a button, by design
COMMAND_EXITS = frozenset({"new", "idle", "redflag"})
EXPLORE_COMMANDS = (
    "start",
    "exercise",
    "checkin",
    "safety",
    "stop",
    "language",
    "forget",
    "remind",
)
# pain values behave alike; languages too (the graph is the same in each)
_SKIPPED_VALUES = frozenset(
    {str(i) for i in range(1, 11)}
    | {"es", "de", "ru", "UTC-8", "UTC-5", "UTC-3", "UTC+1", "UTC+2", "UTC+3", "UTC+8"}
    | {"every2", "every4", "07:00-22:00", "09:00-20:00"}
)
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Graph:
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, label, to)
    seen_states: set[str] = field(default_factory=set)
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
    return state.replace(".", "_")


def explore(limit: int = 50_000) -> Graph:
    graph = Graph()
    start = Session()
    queue: deque[Session] = deque([start])
    seen: set[tuple[object, ...]] = {_key(start)}
    while queue and graph.sessions < limit:
        s = queue.popleft()
        graph.sessions += 1
        graph.seen_states.add(s.state)
        events: list[tuple[str, Event]] = [
            (c.value, Press(s.seq, c.value)) for c in choices(s) if c.value not in _SKIPPED_VALUES
        ]
        events += [("/" + name, Command(name)) for name in EXPLORE_COMMANDS]
        for label, event in events:
            nxt = advance(s, event, _NOW).session
            graph.edges.add((s.state, label, nxt.state))
            # the seq counter only makes sessions look new; compare without it
            key = _key(nxt)
            if key not in seen:
                seen.add(key)
                queue.append(nxt)
    return graph


def _key(s: Session) -> tuple[object, ...]:
    """Sessions that behave alike for the graph: which reach, which flag, counts past 1
    and wording do not change which states are reachable."""
    return (
        s.state,
        s.rung,
        s.one_sided,
        s.red_flag is None,
        s.halted,
        s.recovered,
        s.screened,
        s.onboarded,
        min(s.sets_done, 1),
        min(s.rung_sets, 1),
        s.no_change,
        s.stall,
        s.after_screening,
        s.pending_answer,
        # reminder settings only shape the /remind questions themselves
        (s.tz is None, s.remind_mode, s.remind_paused) if s.state.startswith("remind.") else (),
    )
