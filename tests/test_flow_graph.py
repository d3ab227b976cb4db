"""The conversation graph is read from the declarations (flows.states' tables): no
dangling targets, dead ends or orphans, and the diagram in the docs is theirs. The walk
holds the code to the tables (a handler never leads where its row does not say) and,
on every path it walks, a hold keeps every exercise, reminder and nudge away."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import graph
from flows.engine import ALL_STATES, advance
from flows.events import Command, Press
from flows.session import Session, State
from flows.states import SPECS, Ctx
from tests.flowkit import walk

DIAGRAM = Path(__file__).resolve().parents[1] / "docs" / "conversation-diagram.md"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_declared_graph_has_no_dangling_targets_dead_ends_or_orphans() -> None:
    assert graph.problems() == []
    diagram = graph.mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert "check_reach --> halted: any" in diagram
    assert "check_answer --> check_pain: worse" in diagram
    assert "any --> settings: /settings" in diagram


def test_a_state_nothing_leads_to_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = SPECS[State.CHECK_WHICH]
    # /checkin is the only way to "did you just finish a set?": without it, an orphan
    from flows.engine import COMMANDS

    command = COMMANDS["checkin"]
    monkeypatch.setitem(COMMANDS, "checkin", replace(command, to=command.to - {State.CHECK_WHICH}))
    assert "unreachable state: check.which" in graph.problems()
    assert entry is SPECS[State.CHECK_WHICH]


def test_the_docs_show_the_diagram_of_the_declarations() -> None:
    """`make diagram` writes it; a change of a table without it fails here."""
    assert DIAGRAM.read_text().strip() == graph.diagram_page().strip()


def test_a_handler_leading_where_its_row_does_not_say_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = advance(Session(), Command("start"), NOW).session  # the welcome, with its "OK"
    press = Press(s.seq, "ok")
    ctx = Ctx(now=NOW, stall_after=3)
    assert graph.undeclared(s, press, ctx) is None
    entry = SPECS[State.WELCOME]
    row = replace(entry.answers[0], to=frozenset({State.IDLE}))
    monkeypatch.setitem(SPECS, State.WELCOME, replace(entry, answers=(row,)))
    assert "welcome --ok--> screen" in (graph.undeclared(s, press, ctx) or "")


# the walk is computed once per worker: keep every test that reads it on one worker
@pytest.mark.slow
@pytest.mark.xdist_group("walk")
def test_the_walk_reaches_every_state_and_every_transition_is_declared() -> None:
    w = walk()
    assert w.graph.seen_states == set(ALL_STATES)
    assert [b for b in w.broken if b.startswith("undeclared")] == []


@pytest.mark.slow
@pytest.mark.xdist_group("walk")
def test_on_every_path_a_hold_keeps_exercise_reminders_and_nudges_away() -> None:
    """Every button and command from every session walked (flows.graph), not a sample."""
    assert walk().broken == []
