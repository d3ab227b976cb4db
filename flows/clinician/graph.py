"""The PT's conversation graph, read from `desk.SCREENS`; and a walk that holds it to it.

As for the patient's (flows.graph): the validator and the diagram read the
table and walk nothing; `walk` presses every value each screen offers, and
values it never offers, at every place and with every answer storage can give
about the patient, so tests/test_desk.py can check each reply against its row
and the rules that must hold whatever was pressed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from flows import texts as t
from flows.clinician import texts as st
from flows.clinician.desk import (
    SCREENS,
    Asked,
    Desk,
    Facts,
    Reply,
    Screen,
    Target,
    Tell,
    Wall,
    answer,
    taking,
)
from flows.edges import reachable
from flows.session import Hold

OUTSIDE = "outside"  # the diagram's node for a command, a link or a letter


def _name(target: Target) -> str:
    return target.value if isinstance(target, Screen) else target.__name__


def declared_edges() -> set[tuple[str, str, str]]:
    """(from, label, to) for every row; `outside` -> a screen for how it opens."""
    edges = {
        (screen.value, row.label, _name(to))
        for screen, entry in SCREENS.items()
        for row in entry.answers
        for to in row.to
    }
    edges |= {
        (OUTSIDE, entry.entered_by, screen.value)
        for screen, entry in SCREENS.items()
        if entry.entered_by
    }
    return edges


def problems() -> list[str]:
    """Screens without an entry, screens nothing opens, rows leading nowhere."""
    out = [f"no entry: {s.value}" for s in Screen if s not in SCREENS]
    seen = reachable(declared_edges(), {OUTSIDE})
    out += [f"unreachable screen: {s.value}" for s in SCREENS if s.value not in seen]
    out += [
        f"a row of {screen.value} leads nowhere"
        for screen, entry in SCREENS.items()
        for row in entry.answers
        if not row.to
    ]
    return out


def mermaid() -> str:
    lines = ["flowchart LR"]
    for a, label, b in sorted(declared_edges()):
        lines.append(f'    {a} -->|"{label}"| {b}')  # quoted: "/start ..." is text
    return "\n".join(lines)


# --- the walk ----------------------------------------------------------------------------

FORGED = ("", "zzz", "0", "99", "side_glide", "see_pt", "k", "lift", "yes", "UTC+14")


@dataclass(frozen=True, slots=True)
class Pressed:
    desk: Desk
    value: str
    facts: Facts
    reply: Reply

    @property
    def declared(self) -> frozenset[Target] | None:
        """Where the row that took the press says it may lead; None: no row took it."""
        row = taking(self.desk, self.value, self.facts)
        return row.to if row is not None else None

    @property
    def went(self) -> Target:
        return self.reply.desk.screen if isinstance(self.reply, Asked) else type(self.reply)


def every_facts() -> Iterator[Facts]:
    for live, hold, one_sided in itertools.product((True, False), (None, *Hold), (True, False)):
        yield Facts(live=live, hold=hold, one_sided=one_sided)


def places(screen: Screen) -> Iterator[Desk]:
    """Every place a button of `screen` can carry, and some no button carries."""
    ref = "AbCdEfGhIjKlMnOpQrStUv" if screen == Screen.LINK else "7"
    for rung in (None, *t.EXERCISE_BUTTONS):
        for wall in (None, *Wall):
            yield Desk(screen, ref, rung, wall)


def walk() -> Iterator[Pressed]:
    """Every screen x place x facts x (offered and forged values): about 20,000 presses."""
    for screen, entry in SCREENS.items():
        for desk in places(screen):
            for facts in every_facts():
                offered = [c.value for c in entry.buttons(desk, facts)]
                for value in dict.fromkeys((*offered, *FORGED)):
                    yield Pressed(desk, value, facts, answer(desk, value, facts))


def refused(pressed: Pressed) -> bool:
    return isinstance(pressed.reply, Tell) and pressed.reply.text in (
        st.NOT_SHARED,
        st.OLD_BUTTON,
    )
