"""The guided set's script: which words are spoken when, so holds and rests are real time.

Pure timing, no audio: given how long each spoken word really lasts, it lays the words
and silences on a timeline. Timed from the START of the "hold" word, the counts fall on
whole seconds and "release" starts no earlier than `hold_s`, so a 3 s hold lasts 3 s
whatever the voice's speed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from bot.voice.encode import Silence


@dataclass(frozen=True)
class GuidedReps:
    """The words (already in the user's language) and the timing of one set.

    cue: said at the start of each rep ("glide", "press up").
    hold: said when the end position is reached ("hold"); counts as "one".
    counts: said during the hold, evenly spaced ("two", "three").
    release: said when the hold is over ("release").
    outro: said after the last rep ("step away from the wall without shifting your hips").
    move_s: time between the cue and "hold", to reach the end position.
    """

    cue: str
    hold: str
    counts: tuple[str, ...]
    release: str
    reps: int = 10
    hold_s: float = 3.0
    rest_s: float = 2.0
    move_s: float = 1.5
    step_gap_s: float = 0.8
    outro: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.reps < 0:
            raise ValueError("reps must be 0 (nothing counted) or more")
        if self.hold_s <= 0 or self.rest_s < 0 or self.move_s < 0 or self.step_gap_s < 0:
            raise ValueError("hold_s must be > 0; rest_s, move_s, step_gap_s >= 0")
        if not all(w.strip() for w in self.words()):
            raise ValueError("every word of a guided set must be non-empty")

    def words(self) -> list[str]:
        """What is spoken besides the set-up; with reps=0 only the outro (no counting)."""
        counting = [self.cue, self.hold, *self.counts, self.release] if self.reps else []
        return [*counting, *self.outro]


@dataclass(frozen=True)
class GuidedJob:
    """One guided-set note to pre-render (same arguments as VoiceService.guided_set)."""

    lang: str
    setup_texts: tuple[str, ...]
    reps: GuidedReps


@dataclass(frozen=True)
class Say:
    text: str


Segment = Say | Silence


def spoken_texts(setup_texts: Sequence[str], reps: GuidedReps) -> list[str]:
    """Every distinct text of the set, in first-use order (each is synthesized once)."""
    return list(dict.fromkeys([*setup_texts, *reps.words()]))


def fingerprint(setup_texts: Sequence[str], reps: GuidedReps) -> str:
    """Every input that changes the audio, as one canonical string for the cache key."""
    payload = {"kind": "guided", "v": 1, "setup": list(setup_texts), "reps": asdict(reps)}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def timeline(
    setup_texts: Sequence[str], reps: GuidedReps, durations: Mapping[str, float]
) -> list[Segment]:
    """The whole note as words and exact pauses, given each text's spoken length in s."""
    out: list[Segment] = []
    for text in setup_texts:
        out += [Say(text), Silence(reps.step_gap_s)]
    for _ in range(reps.reps):
        out += [Say(reps.cue), Silence(reps.move_s)]
        out += _hold(reps, durations)
        out += [Say(reps.release), Silence(reps.rest_s)]
    for text in reps.outro:
        out += [Say(text), Silence(reps.step_gap_s)]
    return out


def _hold(reps: GuidedReps, durations: Mapping[str, float]) -> list[Segment]:
    """ "hold", the counts on their marks, then silence until hold_s has passed."""
    out: list[Segment] = [Say(reps.hold)]
    now = durations[reps.hold]
    step = reps.hold_s / (len(reps.counts) + 1)
    for k, word in enumerate(reps.counts, start=1):
        gap = max(0.0, k * step - now)
        out += [Silence(gap), Say(word)]
        now += gap + durations[word]
    out.append(Silence(max(0.0, reps.hold_s - now)))
    return out


def duration(segments: Sequence[Segment], durations: Mapping[str, float]) -> float:
    return sum(s.seconds if isinstance(s, Silence) else durations[s.text] for s in segments)
