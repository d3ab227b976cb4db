"""The flow validator walks the whole graph: no dangling targets, dead ends or orphans,
and on every path it walks, a hold keeps every exercise, reminder and nudge away."""

from __future__ import annotations

from datetime import datetime

from flows import safety
from flows.effects import Speak, SpeakGuided
from flows.engine import ALL_STATES, Outcome, advance
from flows.events import Event, ReminderDue
from flows.graph import explore
from flows.session import Session, State
from tests.test_flow_property import _lifts_a_hold


def test_the_graph_has_no_dead_ends_and_holds_are_kept_on_every_path() -> None:
    checked = {"held": 0, "lifted": 0}

    def visit(before: Session, event: Event, out: Outcome, now: datetime) -> None:
        held_before = safety.exercise_hold(before) is not None
        held_after = safety.exercise_hold(out.session) is not None
        if held_before and not held_after:
            assert _lifts_a_hold(before, event, out.effects), (before.state, event)
            checked["lifted"] += 1
        if held_after:
            checked["held"] += 1
            assert out.session.state != State.STEP, (before.state, event)
            assert not any(isinstance(e, (Speak, SpeakGuided)) for e in out.effects)
            assert advance(out.session, ReminderDue(), now).effects == ()
            assert not safety.may_nudge(out.session)

    graph = explore(limit=200_000, visit=visit)
    assert graph.problems() == []
    assert graph.seen_states == set(ALL_STATES)
    assert checked["held"] > 1000 and checked["lifted"] > 10  # the walk did meet holds
    diagram = graph.mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert "check_reach --> halted" in diagram
    assert "check_answer --> check_pain: worse" in diagram
