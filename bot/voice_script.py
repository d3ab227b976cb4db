"""What the voice says: step texts and guided-set scripts per exercise, and `render-audio`.

The flow emits abstract Speak / SpeakGuided effects; this module turns them
into exact, translated texts, the same ones `render-audio` pre-renders, so a
pre-rendered cache is hit by real users.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

from bot.config import Settings
from bot.i18n import SUPPORTED, _, render
from bot.voice.guided import GuidedReps
from bot.voice.render import GuidedJob, progress_bar, render_all
from flows.catalogue import EXERCISES, REPS, step_side
from flows.effects import SpeakGuided
from flows.i18n import N_
from flows.model import Rung, Side

WORD_HOLD = N_("Hold")
WORD_TWO = N_("two")
WORD_THREE = N_("three")
WORD_RELEASE = N_("and release")
WORD_SET_DONE = N_("That was ten. Well done. Now tell me where the pain is.")
# the steps spoken before the counted repetitions start
SETUP_STEPS = {
    Rung.PRESS_UPS: 3,
    Rung.HIPS_OFF_CENTRE: 3,
    Rung.SIDE_GLIDE: 4,
    Rung.FLEXION_ROTATION: 2,
}


def guided_inputs(effect: SpeakGuided, lang: str) -> tuple[list[str], GuidedReps]:
    ex = EXERCISES[effect.rung]
    shoulder = Side(effect.wall_shoulder) if effect.wall_shoulder else None
    variant = shoulder if effect.rung == Rung.SIDE_GLIDE else None
    setup = [
        render(lang, step.for_side(variant), {"reps": REPS})
        for step in ex.steps[: SETUP_STEPS[effect.rung]]
    ]
    outro: tuple[str, ...] = (_(lang, WORD_SET_DONE),)
    if effect.rung == Rung.SIDE_GLIDE:
        outro = (render(lang, ex.steps[-1].text, {"reps": REPS}), *outro)
    reps = GuidedReps(
        cue=_(lang, ex.rep_cue),
        hold=_(lang, WORD_HOLD),
        counts=(_(lang, WORD_TWO), _(lang, WORD_THREE)),
        release=_(lang, WORD_RELEASE),
        reps=REPS,
        hold_s=3.0,
        outro=outro,
    )
    return setup, reps


def all_clips(lang: str) -> Iterator[tuple[str, str]]:
    """Every step text a user of `lang` can hear, each side variant included."""
    for rung, ex in EXERCISES.items():
        for step in ex.steps:
            for painful in (None, Side.LEFT, Side.RIGHT):
                side = step_side(rung, painful, Side.RIGHT if painful == Side.LEFT else Side.LEFT)
                yield render(lang, step.for_side(side), {"reps": REPS}), lang


def all_guided(lang: str) -> Iterator[GuidedJob]:
    for rung in EXERCISES:
        shoulders: tuple[str | None, ...] = (None,)
        if rung == Rung.SIDE_GLIDE:
            shoulders = (Side.LEFT.value, Side.RIGHT.value)
        for shoulder in shoulders:
            setup, reps = guided_inputs(SpeakGuided(rung, shoulder), lang)
            yield GuidedJob(lang, tuple(setup), reps)


def render_audio_command(settings: Settings, langs: list[str] | None) -> int:
    """`sideglide render-audio`: warm the cache so the first users wait for nothing."""
    chosen = langs or list(SUPPORTED)
    unknown = [lang for lang in chosen if lang not in SUPPORTED]
    if unknown:
        print(
            f"unknown language: {', '.join(unknown)} (choose from {', '.join(SUPPORTED)})",
            file=sys.stderr,
        )
        return 2
    if settings.SIDEGLIDE_TTS == "off":
        print("SIDEGLIDE_TTS is off: nothing to render", file=sys.stderr)
        return 0
    from bot.voice.service import VoiceService

    with VoiceService(settings.SIDEGLIDE_AUDIO_CACHE, settings.SIDEGLIDE_TTS) as voice:
        items = [clip for lang in chosen for clip in all_clips(lang)]
        guided = [job for lang in chosen for job in all_guided(lang)]
        print(
            f"rendering {len(set(items)) + len(guided)} voice notes for {', '.join(chosen)} "
            f"into {settings.SIDEGLIDE_AUDIO_CACHE} ({voice.backend_name})",
            file=sys.stderr,
        )
        report = asyncio.run(render_all(voice, items, guided, progress_bar()))
    print(
        f"done in {report.elapsed_s:.1f} s: {report.ok} ready "
        f"({report.synthesized} new, {report.cached} already cached), {report.failed} failed",
        file=sys.stderr,
    )
    return 0 if report.failed == 0 else 1
