"""The flow validator walks the whole graph: no dangling targets, dead ends or orphans,
and on every path it walks, a hold keeps every exercise, reminder and nudge away."""

from __future__ import annotations

import pytest

from flows.engine import ALL_STATES
from tests.flowkit import walk

# the walk is computed once per worker: keep every test that reads it on one worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("walk")]


def test_the_graph_has_no_dead_ends_or_unreachable_states() -> None:
    graph = walk().graph
    assert graph.problems() == []
    assert graph.seen_states == set(ALL_STATES)
    diagram = graph.mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert "check_reach --> halted" in diagram
    assert "check_answer --> check_pain: worse" in diagram


def test_on_every_path_a_hold_keeps_exercise_reminders_and_nudges_away() -> None:
    """Every button and command from every reachable session (flows.graph), not a sample."""
    assert walk().broken == []
