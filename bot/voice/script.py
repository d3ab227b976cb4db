"""What the voice says: step texts and guided-set scripts per exercise, and `render-audio`.

The flow emits abstract Speak / SpeakGuided effects; this module turns them
into exact, translated texts, the same ones `render-audio` pre-renders, so a
pre-rendered cache is hit by real users.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.presentation.i18n import _, translate
from bot.voice.cache import Clip
from bot.voice.guided import GuidedJob, GuidedReps
from bot.voice.service import VoiceService
from flows.catalogue import EXERCISES, PRESS_UP_CAUTION, REPS, Kind, step_side
from flows.effects import Speak, SpeakGuided
from flows.i18n import N_
from flows.model import Rung, Side

WORD_HOLD = N_("Hold")
WORD_PAUSE = N_("Pause at the top")  # not the reminders' "Pause" button
WORD_TWO = N_("two")
WORD_THREE = N_("three")
WORD_RELEASE = N_("and release")
WORD_LOWER = N_("and down")
WORD_SET_DONE = N_("That was the last one. Well done. Now tell me where the pain is.")
WORD_DONE = N_("Well done. Now tell me where the pain is.")
# the word at the end position and the one that ends it, as each exercise's text has it
_HOLD_WORDS = {
    Rung.SIDE_GLIDE: (WORD_HOLD, WORD_RELEASE),
    Rung.PRESS_UPS: (WORD_PAUSE, WORD_LOWER),
    Rung.HIPS_OFF_CENTRE: (WORD_PAUSE, WORD_LOWER),
}


def guided_script(effect: SpeakGuided) -> tuple[list[str], list[str], list[str]]:
    """(before the counting, the counting's words, after it), as msgids in order.

    Every text the set shows is spoken, cautions included: the intro, the cautions,
    each step up to "do 10", then the counted repetitions, then the finishing steps.
    """
    ex = EXERCISES[effect.rung]
    side = Side(effect.side) if effect.side else None
    cautions = [PRESS_UP_CAUTION] if ex.press_up else []
    cautions += [ex.caution] if ex.caution else []
    # an exercise with the user's own untimed phases (lying, propping) is guided from the
    # step after them: its note follows the card's button, never timing those phases
    before = [*cautions] if ex.phases else [ex.intro, *cautions]
    after: list[str] = []
    for step in ex.steps[ex.phases :]:
        (after if step.kind == Kind.FINISH else before).append(step.for_side(side))
    after.append(WORD_SET_DONE if ex.counted else WORD_DONE)
    hold, release = _HOLD_WORDS.get(effect.rung, (WORD_HOLD, WORD_RELEASE))
    counts = [WORD_TWO, WORD_THREE][: max(0, round(ex.hold_s) - 1)]
    counting = [ex.rep_cue or "", hold, *counts, release] if ex.counted else []
    return before, counting, after


def guided_inputs(effect: SpeakGuided, lang: str) -> tuple[list[str], GuidedReps]:
    ex = EXERCISES[effect.rung]
    before, counting, after = guided_script(effect)
    dose = effect.reps or ex.reps or REPS  # a PT's dose is spoken and counted too
    setup = [translate(lang, text, {"reps": dose}) for text in before]
    outro = tuple(translate(lang, text, {"reps": dose}) for text in after)
    if counting:
        cue, hold, *counts, release = (_(lang, word) for word in counting)
        reps = GuidedReps(
            cue=cue,
            hold=hold,
            counts=tuple(counts),
            release=release,
            reps=dose,
            hold_s=ex.hold_s,
            outro=outro,
        )
    else:  # no dose in the sources: the steps are spoken, nothing is counted
        reps = GuidedReps(cue="", hold="", counts=(), release="", reps=0, outro=outro)
    return setup, reps


# (painful side, wall shoulder) pairs a user can have, a prescribed reversed side included,
# and centre pain with or without a prescribed shoulder
_SIDES = [(p, w) for p in (None, Side.LEFT, Side.RIGHT) for w in (Side.LEFT, Side.RIGHT, None)]


def all_clips(lang: str) -> Iterator[tuple[str, str]]:
    """Every step text a user of `lang` can hear, each side variant included."""
    for rung, ex in EXERCISES.items():
        for step in ex.steps:
            for painful, wall in _SIDES:
                side = step_side(rung, painful, wall)
                yield translate(lang, step.for_side(side), {"reps": REPS}), lang


def all_guided(lang: str) -> Iterator[GuidedJob]:
    for rung in EXERCISES:
        sides = {step_side(rung, painful, wall) for painful, wall in _SIDES}
        for side in sorted(sides, key=lambda x: x.value if x else ""):
            setup, reps = guided_inputs(
                SpeakGuided(rung=rung, side=side.value if side else None), lang
            )
            yield GuidedJob(lang, tuple(setup), reps)


async def voice_note(
    voice: VoiceService, effect: Speak | SpeakGuided, lang: str, *, make: bool = True
) -> Clip | None:
    """The clip an effect asks for: one step's text, or the whole guided set.

    Both adapters send what this returns (Telegram uploads it, the console prints
    its path), so the two never word a note differently. make=False: from the
    cache only, or None.
    """
    if isinstance(effect, Speak):
        return await voice.clip(translate(lang, effect.text, effect.params), lang, make=make)
    setup, reps = guided_inputs(effect, lang)
    return await voice.guided_set(lang, setup, reps, make=make)
