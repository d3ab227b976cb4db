"""Helpers to script the pure engine like a user: press buttons by value, type, command."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar

from flows import graph as flowgraph
from flows import safety
from flows.effects import (
    Effect,
    ForgetUser,
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    ReminderPause,
    Reminders,
    Say,
    SetSchedule,
    Speak,
    SpeakGuided,
)
from flows.engine import Outcome, Rules, advance, choices
from flows.events import Cleared, Command, Event, Press, ReminderDue, Text
from flows.session import Session, State
from flows.states import Ctx

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
E = TypeVar("E")


@dataclass
class Script:
    session: Session = field(default_factory=Session)
    rules: Rules = field(default_factory=Rules)
    now: datetime = T0
    effects: list[Effect] = field(default_factory=list)
    log: list[Effect] = field(default_factory=list)

    def send(self, event: Event) -> Outcome:
        self.now += timedelta(minutes=1)
        out = advance(self.session, event, self.now, self.rules)
        self.session = out.session
        self.effects = list(out.effects)
        self.log.extend(out.effects)
        return out

    def cmd(self, name: str) -> Script:
        self.send(Command(name))
        return self

    def type(self, text: str) -> Script:
        self.send(Text(text))
        return self

    def press(self, *values: str) -> Script:
        for value in values:
            offered = [c.value for c in choices(self.session)]
            assert value in offered, f"{value!r} not offered in {self.session.state}: {offered}"
            self.send(Press(self.session.seq, value))
        return self

    def says(self) -> list[Say]:
        return [e for e in self.effects if isinstance(e, Say)]

    def texts(self) -> list[str]:
        return [s.text for s in self.says()]

    def of(self, kind: builtins.type[E]) -> list[E]:
        return [e for e in self.effects if isinstance(e, kind)]

    def all_of(self, kind: builtins.type[E]) -> list[E]:
        return [e for e in self.log if isinstance(e, kind)]

    # common paths -------------------------------------------------------------
    def screened(self) -> Script:
        self.cmd("start").press("ok")
        while self.session.state == State.SCREEN:
            self.press("no")
        return self

    def onboard(
        self, side: str = "left", reach: str = "thigh", pain: str = "6", tried: str = "both"
    ) -> Script:
        self.screened().press(side)
        if self.session.state == State.ASSESS_WALL:
            self.press("no")
        self.press(reach)
        if self.session.state == State.ASSESS_BOTH_LEGS:
            self.press("no")
        self.press(pain)
        if self.session.state == State.ASSESS_TRIED:
            self.press(tried)
        if self.session.state == State.ASSESS_TRIED_RESULT:
            self.press("same")
        return self

    def wait(self, hours: float) -> Script:
        self.now += timedelta(hours=hours)
        return self

    def do_set(self) -> Script:
        """From anywhere idle: /exercise, answer the pre-set check, walk every step."""
        self.cmd("exercise")
        if self.session.state == State.PRESET:
            self.press("nothing")
        self.steps()
        return self

    def steps(self) -> Script:
        """Through the set: every step in learn mode, or Done on a repeat set's card."""
        if self.session.state == State.SET_CARD:
            return self.press("done")
        while self.session.state == State.STEP:
            self.press("next")
        return self

    def checkin(self, answer: str, pain: str = "4", reach: str = "thigh") -> Script:
        """The three questions; "all pain gone" is one confirming tap instead of two numbers
        (yes when pain 0 and no reach are meant; no leaves the answer question on screen)."""
        if self.session.state == State.CHECK_WHICH:  # /checkin outside a set: it was one
            self.press("set")
        assert self.session.state == State.CHECK_ANSWER, self.session.state
        if answer == "all_gone":
            self.press(answer)
            return self.press("yes" if (pain, reach) == ("0", "none") else "no")
        return self.press(answer, pain, reach)


# --- the whole graph, walked once per test run -----------------------------------------


@dataclass
class Walk:
    """What `flows.graph.explore` saw on every transition, kept small enough to share.

    turns: the shown effects of each distinct turn (the message checks render them);
    broken: every safety promise a transition broke (see `safety_problems`).
    """

    graph: flowgraph.Walk
    turns: dict[str, tuple[Effect, ...]]
    broken: list[str]


def safety_problems(before: Session, event: Event, out: Outcome, now: datetime) -> list[str]:
    """A hold keeps every exercise, reminder and nudge away; only a PT or a re-screen lifts it."""
    problems = []
    held_before = safety.exercise_hold(before) is not None
    held_after = safety.exercise_hold(out.session) is not None
    pt_go_on = (
        before.state in (State.PT_EXERCISE, State.PT_WALL) and before.safety.red_flag is None
    )
    clean_screen = before.state == State.SCREEN and isinstance(event, Press)
    pt_lifted = isinstance(event, Cleared) and before.safety.red_flag is None
    lifted_by = (
        pt_lifted
        or any(isinstance(e, ForgetUser) for e in out.effects)
        or (isinstance(event, Press) and (pt_go_on or (clean_screen and event.value == "no")))
    )
    where = f"after {event} in {before.state}"
    problems += owed_problems(before, out, where)
    if held_before and not held_after and not lifted_by:
        problems.append(f"hold lifted {where}")
    if held_after:
        if out.session.state == State.STEP:
            problems.append(f"a step shown while held, {where}")
        if any(isinstance(e, (Speak, SpeakGuided)) for e in out.effects):
            problems.append(f"an exercise spoken while held, {where}")
        if advance(out.session, ReminderDue(), now).effects:
            problems.append(f"a ping while held, {where}")
        if safety.may_nudge(out.session):
            problems.append(f"a nudge allowed while held, {where}")
    return problems


SET_STATES = frozenset({State.STEP, State.SET_CARD, State.SET_PRESS})


def owed_problems(before: Session, out: Outcome, where: str) -> list[str]:
    """Issue 23: while a question is owed no set step, card or set voice note is shown;
    a pain reading between sets never changes the stall count."""
    problems = []
    if out.session.pending.owed is not None:
        if out.session.state in SET_STATES:
            problems.append(f"a set shown while {out.session.pending.owed} is owed, {where}")
        if any(isinstance(e, (Speak, SpeakGuided)) for e in out.effects):
            problems.append(f"a set spoken while {out.session.pending.owed} is owed, {where}")
    readings = [
        e for e in out.effects if isinstance(e, RecordCheckIn) and e.checkin.answer == "reading"
    ]
    # a change of exercise in the same turn (a PT's prescription waiting for the reading to
    # end) resets the count by design: only the reading itself must leave it alone
    moved = any(isinstance(e, RecordRungChange) for e in out.effects)
    if readings and not moved and out.session.ladder.stall != before.ladder.stall:
        problems.append(f"a pain reading changed the stall count, {where}")
    return problems


_SILENT = (RecordCheckIn, RecordScreening, Reminders, ReminderPause, SetSchedule)


@cache
def walk() -> Walk:
    turns: dict[str, tuple[Effect, ...]] = {}
    broken: list[str] = []

    def visit(before: Session, event: Event, out: Outcome, now: datetime) -> None:
        shown = tuple(e for e in out.effects if not isinstance(e, _SILENT))
        turns.setdefault(repr(shown), shown)
        broken.extend(safety_problems(before, event, out, now))
        ctx = Ctx(now=now, stall_after=Rules().stall_after)
        wrong = flowgraph.undeclared(before, event, ctx, out.session.state)
        if wrong is not None:
            broken.append(f"undeclared transition: {wrong}")

    return Walk(flowgraph.explore(visit=visit), turns, broken)
