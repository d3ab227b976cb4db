"""One user's place in the conversation, persisted as JSON between updates."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flows.model import Answer, Reach, Rung, Side

SESSION_VERSION = 1


@dataclass(frozen=True, slots=True)
class Session:
    state: str = "new"
    seq: int = 0  # bumped whenever a new question is shown: older buttons go stale
    language: str = "en"
    voice: bool = True
    # assessment
    side: Side | None = None
    wall_shoulder: Side | None = None  # a clinician's prescription, if the user has one
    baseline_reach: Reach | None = None
    baseline_pain: int | None = None
    onboarded: bool = False
    tried: str | None = None  # press-ups already tried: "press" or "both" (hips off centre)
    # safety
    screened: bool = False
    red_flag: str | None = None  # id of the question answered "yes"
    after_screening: str | None = None  # where a passed screening leads
    halted: bool = False  # a "worse / spreading" check-in pauses exercises
    # the ladder
    rung: Rung | None = None
    rung_sets: int = 0
    no_change: int = 0
    stall: int = 0
    last_reach: Reach | None = None
    sets_done: int = 0
    checked_in: bool = False  # any check-in so far, even one that cut a set short
    recovered: bool = False
    # a check-in in progress
    pending_answer: Answer | None = None
    pending_pain: int | None = None
    # reminder settings as the user chose them (the reminders table is the ticker's copy)
    tz: str | None = None
    remind_mode: str | None = None  # "every" | "fixed"; None until set up
    remind_every: int = 3
    remind_window: str = "08:00-21:00"
    remind_times: str = ""  # "08:00,12:00"
    remind_paused: bool = False
    # where /language, /forget and friends return to
    return_to: str | None = None

    @property
    def one_sided(self) -> bool:
        return self.side in (Side.LEFT, Side.RIGHT)

    @property
    def glide_shoulder(self) -> Side:
        """The shoulder that touches the wall: opposite the painful side, unless prescribed."""
        if self.wall_shoulder is not None:
            return self.wall_shoulder
        return Side.RIGHT if self.side == Side.LEFT else Side.LEFT

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["v"] = SESSION_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Tolerant of unknown keys and missing ones, so older rows keep loading."""
        enums: dict[str, type] = {
            "side": Side,
            "wall_shoulder": Side,
            "baseline_reach": Reach,
            "last_reach": Reach,
            "rung": Rung,
            "pending_answer": Answer,
        }
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if value is not None and f.name in enums:
                value = enums[f.name](value)
            kwargs[f.name] = value
        return cls(**kwargs)
