"""What the engine asks the outside world to do, as plain data.

Texts are msgids (see flows.i18n); adapters translate and format them with
`params`. Choices attach an inline keyboard to the message they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.model import CheckIn, Rung


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str  # msgid, or a literal when `literal` is set (e.g. "7", "Deutsch")
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    columns: int = 1
    prefix: str | None = None  # msgid shown first, e.g. "please use the buttons"
    seq: int = 0  # the prompt generation the buttons belong to
    reminder: bool = False  # buttons are reminder actions, not tied to seq
    note: str | None = None  # msgid shown before the prefix ("welcome back", "please tap")
    plural: str | None = None  # plural msgid: `text` is the singular, `count` picks the form
    count: int = 0


@dataclass(frozen=True, slots=True)
class Speak:
    """A voice note of one msgid (translated, then synthesized by the adapter)."""

    text: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpeakGuided:
    """The hands-free guided-set voice note for a rung."""

    rung: Rung
    wall_shoulder: str | None = None


@dataclass(frozen=True, slots=True)
class Stale:
    """A button that no longer belongs to the current question: acknowledge, ignore."""


@dataclass(frozen=True, slots=True)
class RecordCheckIn:
    checkin: CheckIn


@dataclass(frozen=True, slots=True)
class RecordRungChange:
    from_rung: Rung | None
    to_rung: Rung
    reason: str  # msgid of the reason the user was given


@dataclass(frozen=True, slots=True)
class RecordScreening:
    question: str
    yes: bool


@dataclass(frozen=True, slots=True)
class Reminders:
    """pause / resume / stop the user's reminder schedule, with a reason."""

    action: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ShowChart:
    pass


@dataclass(frozen=True, slots=True)
class SendExport:
    pass


@dataclass(frozen=True, slots=True)
class ShowMyData:
    pass


@dataclass(frozen=True, slots=True)
class ForgetUser:
    """Delete every row about the user; the adapter must not save the session after."""


@dataclass(frozen=True, slots=True)
class SetSchedule:
    """Save the user's reminder schedule (the adapter validates it into a Schedule)."""

    tz: str
    mode: str
    every_hours: int
    start: str
    end: str
    fixed_times: tuple[str, ...]


Effect = (
    Say
    | Speak
    | SpeakGuided
    | Stale
    | RecordCheckIn
    | RecordRungChange
    | RecordScreening
    | Reminders
    | ShowChart
    | SendExport
    | ShowMyData
    | ForgetUser
    | SetSchedule
)
