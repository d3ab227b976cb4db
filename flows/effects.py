"""What the engine asks the outside world to do, as plain data.

Texts are msgids (see flows.i18n); adapters translate and format them with
`params`. Choices attach an inline keyboard to the message they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum
from typing import get_args

from flows.model import CheckIn, Prescription, PsfsRating, RemindMode, Rung


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str  # msgid, or a literal when `literal` is set (e.g. "7", "Deutsch")
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Speak:
    """A voice note of one msgid (translated, then synthesized by the adapter)."""

    text: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakGuided:
    """The hands-free guided-set voice note for a rung, with the steps' side variant."""

    rung: Rung
    side: str | None = None  # flows.catalogue.step_side: wall shoulder, hips' way, side to lie on
    reps: int | None = None  # a PT's dose; None: the exercise's own


@dataclass(frozen=True, slots=True, kw_only=True)
class Animate:
    """The animation a set starts with: the exercise, drawn for this user's side."""

    rung: Rung
    side: str | None = None  # flows.catalogue.step_side: wall shoulder, hips' way, side lain on
    painful: str | None = None  # the leg drawn in the soft colour


@dataclass(frozen=True, slots=True)
class Say:
    """One message: a msgid and its params; everything else by keyword."""

    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    _: KW_ONLY
    choices: tuple[Choice, ...] = ()
    columns: int = 1
    prefix: str | None = None  # msgid shown first, e.g. "please use the buttons"
    seq: int = 0  # the prompt generation the buttons belong to
    reminder: bool = False  # buttons are reminder actions, not tied to seq
    note: str | None = None  # msgid shown before the prefix ("welcome back", "please tap")
    plural: str | None = None  # plural msgid: `text` is the singular, `count` picks the form
    count: int = 0
    # with voice on, this message IS the voice note: the text its caption, the buttons
    # attached (no separate message); the adapter never waits for speech to reply
    voice: Speak | SpeakGuided | None = None
    # the first message of a set is sent as this animation, the text its caption
    animation: Animate | None = None
    # buttons outside the conversation's questions (sharing): "<scope>:<value>", no seq
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Stale:
    """A button that no longer belongs to the current question: acknowledge, ignore."""


@dataclass(frozen=True, slots=True)
class RecordCheckIn:
    checkin: CheckIn


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRungChange:
    from_rung: Rung | None
    to_rung: Rung
    reason: str  # msgid of the reason the user was given


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordScreening:
    question: str
    yes: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordPrescription:
    """The PT's prescription, as applied (the patient's history keeps it)."""

    prescription: Prescription
    pt_id: int


@dataclass(frozen=True, slots=True)
class RecordPsfs:
    ratings: tuple[PsfsRating, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stopped:
    """The exercises just stopped (the stop rule, a warning sign, "see a PT"): whoever
    the user shares with is told at once. `reason` is the msgid the user read."""

    hold: str
    reason: str


class ReminderAction(StrEnum):
    SNOOZE = "snooze"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Reminders:
    """What the user did with a ping: snooze it, or skip this one."""

    action: ReminderAction


@dataclass(frozen=True, slots=True)
class ReminderPause:
    """The session's reminder pause changed (flows.safety.reminder_pause): the reminders
    row stops or starts again its next due time with the turn.

    Emitted by the engine whenever that answer changes in a turn; None = pings may run.
    """

    reason: str | None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSchedule:
    """The user saved a schedule: their reminders start afresh with the turn.

    The schedule itself is the session's (flows.remind.schedule_of reads it, the stores
    too); these fields say what was saved, in words, for whoever reads the effects.
    """

    tz: str
    mode: RemindMode
    every_hours: int
    start: str
    end: str
    fixed_times: tuple[str, ...]
    paused: str | None = None  # the pause the schedule keeps (a change never lifts a hold)


# what is stored, not shown: listed once, read by the coach, the ports and the renderer
Record = RecordCheckIn | RecordRungChange | RecordScreening | RecordPrescription | RecordPsfs
RECORDS: tuple[type[Record], ...] = get_args(Record)
# what changes the reminders' schedule, not shown either
ReminderChange = Reminders | ReminderPause | SetSchedule
REMINDER_CHANGES: tuple[type[ReminderChange], ...] = get_args(ReminderChange)

Effect = (
    Say
    | Speak
    | SpeakGuided
    | Stale
    | RecordCheckIn
    | RecordRungChange
    | RecordScreening
    | RecordPrescription
    | RecordPsfs
    | Stopped
    | Reminders
    | ReminderPause
    | ShowChart
    | SendExport
    | ShowMyData
    | ForgetUser
    | SetSchedule
)
