"""What can happen to a user's conversation, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from flows.model import Prescription


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command, without the slash and any @botname suffix, lower-cased."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class Press:
    """An inline button: `seq` ties it to the prompt it was shown with."""

    seq: int
    value: str


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Other:
    """Anything that is not text: a sticker, photo, voice, location..."""

    kind: str


@dataclass(frozen=True, slots=True)
class ReminderPress:
    """A button on a reminder ping (start / snooze / skip)."""

    action: str


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """The scheduler says a set is due: the flow words the ping."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The transport cannot reach the user (they blocked the bot): pings pause."""


@dataclass(frozen=True, slots=True)
class Prescribed:
    """The user's physical therapist set an exercise (bot.sharing checked the live share)."""

    prescription: Prescription
    pt_id: int


@dataclass(frozen=True, slots=True)
class Cleared:
    """A PT who follows the user lifted a hold from the patient's card (bot.sharing checked
    the live share): the exercise, the shoulder, and who decided."""

    prescription: Prescription
    pt_id: int
    pt_name: str


@dataclass(frozen=True, slots=True)
class SharePress:
    """A button of the sharing screens ("p:..." for a PT, "s:..." for the patient).

    Not a conversation event: bot.sharing answers it, after checking who may do what.
    """

    value: str


Event = (
    Command
    | Press
    | Text
    | Other
    | ReminderPress
    | ReminderDue
    | Unreachable
    | Prescribed
    | Cleared
)
