"""Draw every animation ahead of time (`sideglide render-media`), and the README's stills."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import matplotlib.image as mpimg

from bot.animation import figure, motions
from bot.animation.motions import Motion
from bot.animation.service import AnimationService, Drawing
from flows.model import Side

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class DrawReport:
    total: int
    made: int
    cached: int
    elapsed_s: float


def draw_all(
    service: AnimationService, progress: Progress | None = None, workers: int = 2
) -> DrawReport:
    """Every variant a user can get; those already on disk are kept."""
    started = time.perf_counter()
    drawings = [Drawing(m, side, painful) for m, side, painful in motions.every_variant()]
    cached = sum(service.cached(d) is not None for d in drawings)
    done = 0
    if progress is not None:
        progress(0, len(drawings))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="draw") as pool:
        for _ in pool.map(service.render_now, drawings):
            done += 1
            if progress is not None:
                progress(done, len(drawings))
    return DrawReport(len(drawings), len(drawings) - cached, cached, time.perf_counter() - started)


# one still per exercise, for a user whose LEFT side hurts (the RIGHT shoulder to the wall)
STILLS: dict[Motion, tuple[Side | None, float]] = {
    Motion.PRONE_LYING: (None, 0.5),
    Motion.PRONE_ON_ELBOWS: (None, 2.5),
    Motion.PRESS_UP: (None, 2.0),
    Motion.HIPS_OFF_CENTRE: (Side.RIGHT, 3.2),
    Motion.SIDE_GLIDE: (Side.RIGHT, 2.6),
    Motion.FLEXION_ROTATION: (Side.LEFT, 3.0),
}


def write_stills(folder: Path) -> list[Path]:
    """PNG stills made by the same drawing code as the animations (for the README)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for motion, (side, at) in STILLS.items():
        frames = motions.frames(motion, side, Side.LEFT if side else None)
        path = folder / f"{motion.value}.png"
        mpimg.imsave(path, frames[min(len(frames) - 1, round(at * figure.FPS))])
        out.append(path)
    return out
