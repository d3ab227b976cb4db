"""Pre-render every voice note (`sideglide render-audio`), so no user waits for ffmpeg.

The CLI gathers the texts (every instruction step per language, and the guided sets)
and calls render_all; this module only drives the service and reports progress.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.config import Settings
from bot.presentation.i18n import SUPPORTED
from bot.voice.guided import GuidedJob
from bot.voice.script import all_clips, all_guided
from bot.voice.service import VoiceService

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderReport:
    total: int  # distinct notes asked for
    ok: int
    failed: int
    synthesized: int  # made now (cache misses)
    cached: int  # already on disk
    elapsed_s: float


async def render_all(
    service: VoiceService,
    items: Iterable[tuple[str, str]],
    guided: Iterable[GuidedJob] = (),
    progress: Progress | None = None,
    *,
    workers: int = 2,
) -> RenderReport:
    """Make every (text, lang) clip and every guided set; duplicates are done once.

    `workers` notes are in flight at once: two on this 2-core machine keeps both cores
    busy with ffmpeg without queueing a user's live request behind a long batch.
    """
    started = time.perf_counter()
    # Longest first: guided sets take ~10x a step clip, and starting them last would leave
    # one worker finishing a guided set alone while the other idles.
    jobs: list[tuple[str, str] | GuidedJob] = [*dict.fromkeys(guided), *dict.fromkeys(items)]
    total = len(jobs)
    hits0, misses0 = service.hits, service.misses
    queue: asyncio.Queue[tuple[str, str] | GuidedJob] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    done = ok = 0
    if progress is not None:
        progress(0, total)

    async def worker() -> None:
        nonlocal done, ok
        while not queue.empty():
            job = queue.get_nowait()
            if isinstance(job, GuidedJob):
                made = await service.guided_set(job.lang, list(job.setup_texts), job.reps)
            else:
                made = await service.clip(*job)
            done += 1
            ok += made is not None
            if progress is not None:
                progress(done, total)

    await asyncio.gather(*(worker() for _ in range(max(1, workers))))
    return RenderReport(
        total=total,
        ok=ok,
        failed=total - ok,
        synthesized=service.misses - misses0,
        cached=service.hits - hits0,
        elapsed_s=time.perf_counter() - started,
    )


def progress_bar(
    stream: TextIO | None = None, *, width: int = 10, unit: str = "clips"
) -> Progress:
    """A callback drawing `[#####.....] 12/40 clips` on one line of stderr."""

    def draw(done: int, total: int) -> None:
        out = stream if stream is not None else sys.stderr
        filled = width if total <= 0 else width * done // total
        end = "\n" if done >= total else ""
        out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {unit}{end}")
        out.flush()

    return draw


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
