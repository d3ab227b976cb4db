"""The flow validator walks the whole graph: no dangling targets, dead ends or orphans."""

from __future__ import annotations

from flows.engine import ALL_STATES
from flows.graph import explore


def test_the_conversation_graph_has_no_dead_ends_or_unreachable_states() -> None:
    graph = explore(limit=200_000)
    assert graph.problems() == []
    assert graph.seen_states == set(ALL_STATES)
    diagram = graph.mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert "check_reach --> halted" in diagram
