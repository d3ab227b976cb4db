"""What the user owes before any set: the one answer to "what is owed now?".

After a completed set its check-in is owed; so is a confirming question once
asked, "did it get worse or spread?" after Stop part-way, and "where does the
pain reach now?" after "something new" (design.md, "Owed questions"); and a
warning sign's question or a "You said: worse... Right?" that words brought up
(flows.heard keeps the question owed before them, owed again after). While
one is owed no set starts, a reminder asks it instead of offering a set, a
PT's prescription waits, and every command that shows or changes something
else asks it again afterwards. Only answering it (or /forget) ends it.

The owed question is the state that asks it, kept in `PendingCheckIn.owed`
beside the answers already given, so going back to it loses nothing. The
engine calls `track` after every turn and `answering` before a button or a
typed answer reaches the question on screen; nothing else writes the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flows import texts as t
from flows.effects import Effect
from flows.session import Session, State
from flows.states import Outcome, enter

# the questions that stay owed once shown (a pain reading's own questions, asked on
# request outside a set, are not owed: only their confirming question is)
OWED_STATES = frozenset(
    {
        State.CHECK_ANSWER,
        State.CHECK_PAIN,
        State.CHECK_REACH,
        State.CHECK_CONFIRM,
        State.STOP_WHY,
        State.PRESET_REACH,
        State.EPISODE_PAIN,
        # the user's own words (flows.heard): a warning sign's question, and a check-in
        # or a "worse" in words waiting for its confirming tap
        State.SIGN,
        State.CHECK_HEARD,
    }
)
_READING_OWN = frozenset({State.CHECK_PAIN, State.CHECK_REACH})


def owed(s: Session) -> State | None:
    """The question the user owes now, or None."""
    return s.pending.owed


def track(s: Session) -> Session:
    """After a turn: an owed kind of question on screen is the one owed from now on."""
    if s.state not in OWED_STATES or (s.pending.reading and s.state in _READING_OWN):
        return s
    if s.pending.owed == s.state:
        return s
    return replace(s, pending=replace(s.pending, owed=s.state))


def answering(s: Session) -> Session:
    """A button or typed answer for the owed question on screen: it is being answered
    (if the answer leads to another owed question, `track` records that one)."""
    if s.pending.owed is not None and s.pending.owed == s.state:
        return replace(s, pending=replace(s.pending, owed=None))
    return s


def ask(s: Session, before: Sequence[Effect] = (), prefix: str | None = t.OWED_AGAIN) -> Outcome:
    """The owed question, asked again as a new message (older buttons go stale)."""
    state = s.pending.owed
    if state is None:
        raise ValueError("nothing is owed")
    return enter(s, state, before, prefix=prefix)
