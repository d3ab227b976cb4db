"""Domain vocabulary shared by the flow engine, storage and adapters.

Values are short stable strings because they are persisted and put into
Telegram callback data (64 bytes max); renaming one is a schema migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    CENTRE = "centre"


class RemindMode(StrEnum):
    """How reminders come: every few hours within a daily window, or at fixed times."""

    EVERY = "every"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Window:
    """The daily hours reminders keep to, read once from the user's answer
    (flows.remind.parse_window) and typed from then on. Its text, "08:00-21:00", is how a
    button offers it and how a session has always stored it."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_WINDOW = Window(time(8, 0), time(21, 0))


class Reach(StrEnum):
    """The furthest point the pain reaches, ordered from far (foot) to near (none)."""

    FOOT = "foot"
    CALF = "calf"
    THIGH = "thigh"
    BUTTOCK = "buttock"
    BACK_SIDE = "back_side"
    BACK_CENTRE = "back_centre"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for the foot up to 6 for no pain: a higher rank is more central."""
        return _RANK[self]


_RANK = {reach: i for i, reach in enumerate(Reach)}


class Rung(StrEnum):
    """The progression ladder, in the order the protocol climbs it."""

    PRESS_UPS = "press_ups"
    HIPS_OFF_CENTRE = "hips_off_centre"
    SIDE_GLIDE = "side_glide"
    FLEXION_ROTATION = "flexion_rotation"
    SEE_PT = "see_pt"


class Answer(StrEnum):
    """The check-in answers (design.md: they fit where the pain is, leg or back only)."""

    CENTRALIZING = "centralizing"  # leg pain easing / moving toward the back
    BACK_EASING = "back_easing"  # back pain only, and easing
    LEG_GONE = "leg_gone"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    ALL_GONE = "all_gone"
    READING = "reading"  # a pain reading between sets (/checkin), not a set's check-in


class Trend(StrEnum):
    CENTRALIZING = "centralizing"
    STABLE = "stable"
    PERIPHERALIZING = "peripheralizing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One answered check-in, as stored and as charted/exported."""

    at: datetime  # timezone-aware, UTC
    rung: Rung
    answer: Answer
    pain: int  # 0-10
    reach: Reach


@dataclass(frozen=True, slots=True)
class RungChange:
    """A move on the ladder with the reason the user was given (a message id)."""

    at: datetime
    from_rung: Rung | None
    to_rung: Rung
    reason: str


@dataclass(frozen=True, slots=True)
class Prescription:
    """What a patient's physical therapist set: the exercise, the wall shoulder, the dose.

    `wall` None keeps the shoulder the bot worked out; `reps` None keeps the
    exercise's own dose (the stretch has none in the sources).
    """

    rung: Rung
    wall: Side | None = None
    reps: int | None = None


@dataclass(frozen=True, slots=True)
class PsfsRating:
    """One Patient-Specific Functional Scale answer: an activity (an id from
    flows.psfs.ACTIVITIES, never typed text) and how able the user is, 0-10."""

    at: datetime
    activity: str
    score: int
