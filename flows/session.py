"""One user's place in the conversation: small records, persisted as JSON between updates.

The session is split by what each part is for (the question on screen, the
assessment, safety, the ladder, a check-in in progress, reminder preferences),
so a rule reads and changes one record. pydantic serialises it; every enum is
stored as its string. `from_dict` reads rows written by every earlier version
(the flat session of versions 1 and 2, state ids like `ex.side_glide.3`, the
`halted` flag, the `see_pt` rung), so an upgrade never strands a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, TypeAdapter

from flows.ladder import Ask, Stage, Tried
from flows.model import (
    DEFAULT_WINDOW,
    Answer,
    Prescription,
    Reach,
    RemindMode,
    Rung,
    Side,
    Window,
)

SESSION_VERSION = 3


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
    SET_CARD = "set.card"  # a repeat set on one card, with the guided voice note
    SET_PRESS = "set.press"  # after the lying and propping: the press-ups' guided note
    STOP_WHY = "stop.why"
    CHECK_WHICH = "check.which"  # /checkin outside a set: "did you just finish a set?"
    CHECK_ANSWER = "check.answer"
    CHECK_PAIN = "check.pain"
    CHECK_REACH = "check.reach"
    CHECK_CONFIRM = "check.confirm"  # the one confirming question: `Session.asking`
    CHECK_HEARD = "check.heard"  # "You said: worse, pain 7. Right?" (`Session.heard`)
    SIGN = "sign"  # a warning sign named in words: its question (`Session.heard.signs`)
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
    PSFS_PICK = "psfs.pick"  # which activities the back makes hard (up to three)
    PSFS_RATE = "psfs.rate"  # one activity's 0-10: which one is `Psfs.rating`


class Hold(StrEnum):
    """Why exercises are held (the red flag is `Session.red_flag`, see flows.safety)."""

    RED_FLAG = "redflag"
    STOP_RULE = "stop"  # worse / spreading: until "my PT says go on"
    SEE_PT = "see_pt"  # nothing left to try here: until "my PT says go on"


# How a field matters to the walk over the conversation (flows.graph.walk_key): by
# default as it is. WALK_IGNORE: never changes where a session can go; WALK_COUNT: only
# as none or some; WALK_IN: as it is only in these states (a question's own answers),
# elsewhere only as set or not.
WALK_IGNORE, WALK_COUNT, WALK_IN = "walk_ignore", "walk_count", "walk_in"
_CHECKING = (
    State.CHECK_ANSWER,
    State.CHECK_PAIN,
    State.CHECK_REACH,
    State.CHECK_CONFIRM,
    State.EPISODE_PAIN,
    State.STOP_WHY,
    State.PRESET_REACH,
    State.SIGN,
    State.CHECK_HEARD,
)
_SIDE_QUESTIONS = (
    State.SETTINGS,
    State.SETTINGS_WALL,
    State.LANGUAGE,
    State.FORGET_CONFIRM,
    State.REMIND_MENU,
    State.REMIND_TZ,
    State.REMIND_KIND,
    State.REMIND_WINDOW,
    State.REMIND_TIMES,
    State.PSFS_PICK,
    State.PSFS_RATE,
)


def _in(*states: State) -> dict[str, object]:
    return {WALK_IN: frozenset(states)}


_CHECK, _WORDS = _in(*_CHECKING), _in(State.SIGN, State.CHECK_HEARD)
_RATING = _in(State.PSFS_PICK, State.PSFS_RATE)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The question on screen, and where side questions return."""

    state: State = State.NEW
    # bumped whenever a new question is shown: older buttons go stale
    seq: int = field(default=0, metadata={WALK_IGNORE: True})
    # the red-flag question on screen (State.SCREEN)
    flag: str | None = field(default=None, metadata=_in(State.SCREEN))
    # the exercise step on screen (State.STEP), from 1
    step: int = field(default=1, metadata=_in(State.STEP))
    # where /language, /forget and friends return to
    return_to: State | None = field(default=None, metadata=_in(*_SIDE_QUESTIONS))
    # where a passed screening leads
    after_screening: State | None = field(default=None, metadata=_in(State.SCREEN))


@dataclass(frozen=True, slots=True)
class Assessment:
    side: Side | None = None
    wall_shoulder: Side | None = None  # a clinician's prescription, if the user has one
    baseline_reach: Reach | None = None
    baseline_pain: int | None = None
    onboarded: bool = False
    tried: Tried | None = None  # what was tried before: press-ups, or hips off centre too
    prescribed: Prescription | None = None  # the PT's last prescription, as applied
    rx_pending: Prescription | None = None  # arrived during a set: applied when it ends


@dataclass(frozen=True, slots=True)
class SafetyRecord:
    """What flows.safety reads: red flags, holds, the last check, reachability."""

    screened: bool = False
    # id of the question answered "yes"
    red_flag: str | None = field(default=None, metadata=_in(State.REDFLAG))
    hold: Hold | None = None  # the stop rule or "see a PT": exercises wait for a PT
    checked_at: datetime | None = None  # last screening or "anything new?" answer
    blocked: bool = False  # the user blocked the bot: no pings until they /start again


@dataclass(frozen=True, slots=True)
class LadderRecord:
    stage: Stage | None = None
    stall: int = 0  # check-ins in a row without progress on this exercise
    ref_reach: Reach | None = None  # the previous check-in on this exercise
    ref_pain: int | None = None
    helped: Stage | None = None  # the exercise that last moved the pain
    rung_sets: int = field(default=0, metadata={WALK_COUNT: True})  # sets on this exercise
    sets_done: int = field(default=0, metadata={WALK_COUNT: True})
    recovered: bool = False
    checked_in_at: datetime | None = None  # the last check-in: where the pain was, then
    # the progress point (design.md): the reading when this exercise began, or the
    # check-in that last counted as progress; None: the previous check-in (ref_*)
    point_reach: Reach | None = None
    point_pain: int | None = None
    learned: tuple[Rung, ...] = ()  # exercises whose steps were gone through: quick sets now


@dataclass(frozen=True, slots=True)
class PendingCheckIn:
    answer: Answer | None = field(default=None, metadata=_CHECK)
    pain: int | None = field(default=None, metadata=_CHECK)
    reach: Reach | None = field(default=None, metadata=_CHECK)
    # the confirming question on screen (flows.ladder.Ask)
    asking: Ask | None = field(default=None, metadata=_CHECK)
    # confirming questions already answered this check-in
    asked: tuple[Ask, ...] = field(default_factory=tuple, metadata=_CHECK)
    # a pain reading outside a set (/checkin, "no"), not a set's check-in
    reading: bool = field(default=False, metadata=_CHECK)
    owed: State | None = None  # the question owed (flows.owed): no set starts until answered


@dataclass(frozen=True, slots=True)
class Heard:
    """The user's own words, understood and waiting for a tap (flows.heard).

    Only what was understood is kept, never the text, and nothing here is a
    record: a check-in in words is stored when its confirming tap comes.
    """

    # warning signs named, their questions asked one by one
    signs: tuple[str, ...] = field(default_factory=tuple, metadata=_WORDS)
    # the question the words came to
    back: State | None = field(default=None, metadata=_WORDS)
    # the question owed then (flows.owed), owed again after
    owed: State | None = field(default=None, metadata=_WORDS)
    # a check-in in words: the answer, pain and reach
    answer: Answer | None = field(default=None, metadata=_WORDS)
    pain: int | None = field(default=None, metadata=_WORDS)
    reach: Reach | None = field(default=None, metadata=_WORDS)
    # a set's button said aloud, pressed once the signs are answered
    press: str | None = field(default=None, metadata=_WORDS)
    # "I can't listen to voice notes here" was said (once per user)
    told_voice: bool = field(default=False, metadata={WALK_IGNORE: True})


def _stored_window(value: object) -> object:
    """A window as every version stores it: its text, "08:00-21:00" (checked when the
    user gave it, so read here, not judged again)."""
    if isinstance(value, str):
        start, _, end = value.partition("-")
        return Window(time.fromisoformat(start), time.fromisoformat(end))
    return value


def _stored_times(value: object) -> object:
    """Fixed times as every version stores them: "08:00,12:00" ("" for none)."""
    if isinstance(value, str):
        return tuple(time.fromisoformat(t) for t in value.split(",") if t)
    return value


def _times_text(times: tuple[time, ...]) -> str:
    return ",".join(f"{t:%H:%M}" for t in times)


# typed in memory, stored as the text earlier versions wrote (and still read)
StoredWindow = Annotated[Window, BeforeValidator(_stored_window), PlainSerializer(str)]
StoredTimes = Annotated[
    tuple[time, ...], BeforeValidator(_stored_times), PlainSerializer(_times_text)
]


@dataclass(frozen=True, slots=True)
class ReminderPrefs:
    """Reminder settings as the user chose them: the one place they are kept. The ticker
    derives each user's schedule from here (flows.remind.schedule_of); its table holds
    only its own state (when the next ping is due, a snooze, a lease)."""

    tz: str | None = None
    mode: RemindMode | None = None  # None until set up
    every: int = 3
    window: StoredWindow = DEFAULT_WINDOW
    times: StoredTimes = ()  # sorted, for the fixed mode
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Psfs:
    """The Patient-Specific Functional Scale: the chosen activities and when last rated."""

    activities: tuple[str, ...] = ()  # ids from flows.psfs.ACTIVITIES, at most three
    # the choice being made (State.PSFS_PICK)
    picking: tuple[str, ...] = field(default_factory=tuple, metadata=_RATING)
    # the activity being rated (State.PSFS_RATE), an index
    rating: int = field(default=0, metadata=_RATING)
    # this round's scores so far
    scores: tuple[int, ...] = field(default_factory=tuple, metadata=_RATING)
    rated_at: datetime | None = None
    offered: bool = False  # the first offer, after the first set, was made


@dataclass(frozen=True, slots=True)
class Session:
    cursor: Cursor = field(default_factory=Cursor)
    language: str = "en"
    voice: bool = True
    assessment: Assessment = field(default_factory=Assessment)
    safety: SafetyRecord = field(default_factory=SafetyRecord)
    ladder: LadderRecord = field(default_factory=LadderRecord)
    pending: PendingCheckIn = field(default_factory=PendingCheckIn)
    reminders: ReminderPrefs = field(default_factory=ReminderPrefs)
    psfs: Psfs = field(default_factory=Psfs)
    heard: Heard = field(default_factory=Heard)

    @property
    def state(self) -> State:
        """The question on screen (`cursor.state`): read everywhere, so kept short."""
        return self.cursor.state

    @property
    def seq(self) -> int:
        return self.cursor.seq

    @property
    def one_sided(self) -> bool:
        return self.assessment.side in (Side.LEFT, Side.RIGHT)

    @property
    def rung(self) -> Rung | None:
        """The exercise of the current stage (what check-ins, charts and reports name)."""
        stage = self.ladder.stage
        return stage.exercise if stage is not None else None

    @property
    def stage_now(self) -> Stage:
        """The stage sets and check-ins use: the default rung lives here, and only here."""
        return self.ladder.stage or Stage.PRESS_UPS

    @property
    def exercise(self) -> Rung:
        """The exercise of `stage_now` (straight press-ups before any stage is set)."""
        return self.stage_now.exercise

    @property
    def glide_shoulder(self) -> Side | None:
        """The shoulder that touches the wall, the one answer every side glide text, card,
        voice note and animation reads: a clinician's prescription if there is one, else
        the side opposite one-sided pain; None for centre or both-sided pain with no
        prescription (design.md: never "the painful side away from the wall" then)."""
        if self.assessment.wall_shoulder is not None:
            return self.assessment.wall_shoulder
        if self.assessment.side == Side.LEFT:
            return Side.RIGHT
        if self.assessment.side == Side.RIGHT:
            return Side.LEFT
        return None

    @property
    def halted(self) -> bool:
        return self.safety.hold == Hold.STOP_RULE

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        data["v"] = SESSION_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Tolerant of unknown and missing keys, and of every earlier version's rows."""
        return _ADAPTER.validate_python(_upgrade(dict(data)))


_ADAPTER: TypeAdapter[Session] = TypeAdapter(Session)

# version 2 kept everything flat: where each key now lives (and under which name)
_RECORDS: dict[str, tuple[str, str]] = {
    **{k: ("cursor", k) for k in ("state", "seq", "flag", "step", "return_to", "after_screening")},
    **{
        k: ("assessment", k)
        for k in ("side", "wall_shoulder", "baseline_reach", "baseline_pain", "onboarded", "tried")
    },
    **{k: ("safety", k) for k in ("screened", "red_flag", "hold", "checked_at", "blocked")},
    **{
        k: ("ladder", k)
        for k in (
            "stage",
            "stall",
            "ref_reach",
            "ref_pain",
            "helped",
            "rung_sets",
            "sets_done",
            "recovered",
            "checked_in_at",
        )
    },
    "pending_answer": ("pending", "answer"),
    "pending_pain": ("pending", "pain"),
    "pending_reach": ("pending", "reach"),
    "asking": ("pending", "asking"),
    "asked": ("pending", "asked"),
    "tz": ("reminders", "tz"),
    "remind_mode": ("reminders", "mode"),
    "remind_every": ("reminders", "every"),
    "remind_window": ("reminders", "window"),
    "remind_times": ("reminders", "times"),
    "remind_paused": ("reminders", "paused"),
}
# version 1's after_screening "exercise": the set came next (now after "where is the pain now?")
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


def _from_v1(data: dict[str, Any]) -> dict[str, Any]:
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


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    version = data.pop("v", 1)
    if version >= 3:
        return data
    if version < 2:
        data = _from_v1(data)
    nested: dict[str, Any] = {}
    for key, value in data.items():
        if key in _RECORDS:
            record, name = _RECORDS[key]
            nested.setdefault(record, {})[name] = value
        elif key in ("language", "voice"):
            nested[key] = value
    return nested
