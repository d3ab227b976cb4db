"""One user's place in the conversation, persisted as JSON between updates.

States and every enum are persisted as their strings. `from_dict` reads rows
written by every earlier version (state ids like `ex.side_glide.3`, the
`halted` flag, the `see_pt` rung), so an upgrade never strands a user.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flows.ladder import Stage
from flows.model import Answer, Reach, Rung, Side

SESSION_VERSION = 2


class State(StrEnum):
    """Every question the conversation can be waiting on."""

    NEW = "new"
    WELCOME = "welcome"
    SCREEN = "screen"  # one red-flag question: which one is `Session.flag`
    REDFLAG = "redflag"
    ASSESS_SIDE = "assess.side"
    ASSESS_WALL = "assess.wall"
    ASSESS_REACH = "assess.reach"
    ASSESS_BOTH_LEGS = "assess.both_legs"
    ASSESS_PAIN = "assess.pain"
    ASSESS_TRIED = "assess.tried"
    ASSESS_TRIED_RESULT = "assess.tried_result"
    OFFER = "offer"
    IDLE = "idle"
    PRESET = "preset"
    PRESET_REACH = "preset.reach"
    EPISODE_PAIN = "episode.pain"
    STEP = "step"  # one exercise step: which one is `Session.step`
    STOP_WHY = "stop.why"
    CHECK_ANSWER = "check.answer"
    CHECK_PAIN = "check.pain"
    CHECK_REACH = "check.reach"
    CHECK_CONFIRM = "check.confirm"  # the one confirming question: `Session.asking`
    HALTED = "halted"  # exercises held (Session.hold says why) until "my PT says go on"
    PT_EXERCISE = "pt.exercise"
    PT_WALL = "pt.wall"
    RECOVERED = "recovered"
    SETTINGS = "settings"
    SETTINGS_WALL = "settings.wall"
    FORGET_CONFIRM = "forget.confirm"
    LANGUAGE = "language"
    REMIND_MENU = "remind.menu"
    REMIND_TZ = "remind.tz"
    REMIND_KIND = "remind.kind"
    REMIND_WINDOW = "remind.window"
    REMIND_TIMES = "remind.times"


class Hold(StrEnum):
    """Why exercises are held (the red flag is `Session.red_flag`, see flows.safety)."""

    RED_FLAG = "redflag"
    STOP_RULE = "stop"  # worse / spreading: until "my PT says go on"
    SEE_PT = "see_pt"  # nothing left to try here: until "my PT says go on"


@dataclass(frozen=True, slots=True)
class Session:
    state: State = State.NEW
    seq: int = 0  # bumped whenever a new question is shown: older buttons go stale
    flag: str | None = None  # the red-flag question on screen (State.SCREEN)
    step: int = 1  # the exercise step on screen (State.STEP), from 1
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
    after_screening: State | None = None  # where a passed screening leads
    hold: Hold | None = None  # the stop rule or "see a PT": exercises wait for a PT
    checked_at: datetime | None = None  # last screening or "anything new?" answer
    blocked: bool = False  # the user blocked the bot: no pings until they /start again
    # the ladder
    stage: Stage | None = None
    stall: int = 0  # check-ins in a row without progress on this exercise
    ref_reach: Reach | None = None  # the previous check-in on this exercise
    ref_pain: int | None = None
    helped: Stage | None = None  # the exercise that last moved the pain
    rung_sets: int = 0  # sets done on this exercise
    sets_done: int = 0
    recovered: bool = False
    checked_in_at: datetime | None = None  # the last check-in: where the pain was, then
    # a check-in in progress
    pending_answer: Answer | None = None
    pending_pain: int | None = None
    pending_reach: Reach | None = None
    asking: str | None = None  # the confirming question on screen (flows.ladder.Ask)
    asked: tuple[str, ...] = ()  # confirming questions already answered this check-in
    # reminder settings as the user chose them (the reminders table is the ticker's copy)
    tz: str | None = None
    remind_mode: str | None = None  # "every" | "fixed"; None until set up
    remind_every: int = 3
    remind_window: str = "08:00-21:00"
    remind_times: str = ""  # "08:00,12:00"
    remind_paused: bool = False
    # where /language, /forget and friends return to
    return_to: State | None = None

    @property
    def one_sided(self) -> bool:
        return self.side in (Side.LEFT, Side.RIGHT)

    @property
    def rung(self) -> Rung | None:
        """The exercise of the current stage (what check-ins, charts and reports name)."""
        return self.stage.exercise if self.stage is not None else None

    @property
    def glide_shoulder(self) -> Side:
        """The shoulder that touches the wall: opposite the painful side, unless prescribed."""
        if self.wall_shoulder is not None:
            return self.wall_shoulder
        return Side.RIGHT if self.side == Side.LEFT else Side.LEFT

    @property
    def halted(self) -> bool:
        return self.hold == Hold.STOP_RULE

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        data["v"] = SESSION_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Tolerant of unknown and missing keys, and of every earlier version's rows."""
        data = _upgrade(dict(data))
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if value is not None and f.name in _ENUMS:
                value = _ENUMS[f.name](value)
            elif value is not None and f.name in ("checked_at", "checked_in_at"):
                value = datetime.fromisoformat(value)
            elif f.name == "asked":
                value = tuple(value or ())
            kwargs[f.name] = value
        return cls(**kwargs)


_ENUMS: dict[str, type] = {
    "state": State,
    "side": Side,
    "wall_shoulder": Side,
    "baseline_reach": Reach,
    "ref_reach": Reach,
    "pending_reach": Reach,
    "stage": Stage,
    "helped": Stage,
    "pending_answer": Answer,
    "hold": Hold,
    "after_screening": State,
    "return_to": State,
}
# v1's after_screening "exercise": the set came next (now after "where is the pain now?")
_V1_STATES = {"exercise": State.PRESET_REACH, "see_pt": State.HALTED}


def _v1_state(value: str | None, data: dict[str, Any]) -> str | None:
    """A version-1 state id: `ex.<rung>.<n>` and `screen.<flag>` carried their cursor."""
    if value is None:
        return None
    if value in _V1_STATES:
        return _V1_STATES[value]
    head, _, rest = value.partition(".")
    if head == "ex":
        rung, _, n = rest.partition(".")
        data.setdefault("stage", rung)
        data["step"] = int(n) if n.isdigit() else 1
        return State.STEP
    if head == "screen" and rest:
        data["flag"] = rest
        return State.SCREEN
    return value


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("v", 1) >= 2:
        return data
    for key in ("state", "return_to", "after_screening"):
        if key in data:
            data[key] = _v1_state(data[key], data)
    rung = data.pop("rung", None)
    if rung == "see_pt":
        data["hold"] = Hold.SEE_PT.value
        rung = Rung.PRESS_UPS.value
    if rung is not None:
        data.setdefault("stage", rung)
    if data.pop("halted", False):
        data["hold"] = Hold.STOP_RULE.value
    if "last_reach" in data:
        data["ref_reach"] = data.pop("last_reach")
        data.setdefault("ref_pain", data.get("baseline_pain"))
    return data
