"""Every picture ahead of time: the shipped media (`make docs-images`), the cache
(`sideglide render-media`) and the README's stills.

`render_media` renders what bot/animation/media is missing (every animation, every
learn-mode step's still, for both sides) and removes files no key names any more, in
two Blender processes (the machines we measure on have 2 cores). `draw_all` fills
the cache from the shipped media (rendering only what is not shipped), as
`render-media` did when the pictures were drawn at start.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.animation import render
from bot.animation.motions import SIDED, every_variant
from bot.animation.poses import COVER, STEPS, Motion
from bot.animation.render import Target
from bot.animation.scene import WRITTEN_FOR
from bot.animation.service import MEDIA, AnimationService, Drawing, StepStill

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
    """Every animation a user can get, in the cache; those already there are kept."""
    started = time.perf_counter()
    drawings = [Drawing(m, side, painful) for m, side, painful in every_variant()]
    cached = sum(service.path(d).is_file() for d in drawings)
    done = 0
    if progress is not None:
        progress(0, len(drawings))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="draw") as pool:
        for _ in pool.map(service.render_now, drawings):
            done += 1
            if progress is not None:
                progress(done, len(drawings))
    return DrawReport(len(drawings), len(drawings) - cached, cached, time.perf_counter() - started)


def every_still() -> list[StepStill]:
    """Each learn-mode step of each exercise, for both sides when the exercise has one."""
    out: list[StepStill] = []
    for rung, steps in STEPS.items():
        for n, (motion, _) in enumerate(steps, 1):
            sides = list(render.SIDES) if motion in SIDED else [None]
            out.extend(StepStill(rung, n, side) for side in sides)
    return out


def every_target() -> list[Target]:
    """Everything the media folder holds: every animation, then every still."""
    loops = [Drawing(m, side).target for m, side, _ in every_variant()]
    return loops + [s.target for s in every_still()]


def _frames(target: Target) -> int:
    return len(target.job["frames"])


def render_media(
    folder: Path = MEDIA,
    python: str | None = None,
    workers: int = 2,
    prune: bool = True,
    seconds: dict[str, float] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Render every missing picture into `folder` and (prune) remove stale ones:
    (made, removed). `seconds` gets each one's render time. Raises RenderError without
    a renderer."""
    python = python or render.renderer_python()
    if python is None:
        raise render.RenderError("no renderer: `make docs-images` installs .venv/render")
    targets = every_target()
    missing = [t for t in targets if not (folder / t.name).is_file()]
    # balance the batches by frames: the biggest job goes to the lightest batch
    batches: list[list[Target]] = [[] for _ in range(max(1, workers))]
    for target in sorted(missing, key=_frames, reverse=True):
        min(batches, key=lambda b: sum(map(_frames, b))).append(target)
    made: list[Path] = []
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        for paths in pool.map(
            lambda b: render.render(b, folder, python, seconds) if b else [], batches
        ):
            made.extend(paths)
    removed = []
    if prune:
        wanted = {t.name for t in targets}
        for path in sorted(folder.glob("*")):
            if path.suffix in (".mp4", ".png") and path.name not in wanted:
                path.unlink()
                removed.append(path)
    return made, removed


def cover(motion: Motion) -> StepStill:
    """The still that stands for an animation, for the side the table is written for
    (the README's: a user whose LEFT side hurts puts the RIGHT shoulder on the wall,
    moves the hips to the RIGHT and lies on the LEFT side)."""
    rung, step = COVER[motion]
    return StepStill(rung, step, WRITTEN_FOR.get(motion))


def write_stills(folder: Path, service: AnimationService | None = None) -> list[Path]:
    """One PNG still per animation, `<motion>.png` (the README's pictures), from the
    shipped media or rendered."""
    service = service or AnimationService(Path(tempfile.gettempdir()) / "sideglide-stills")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for motion in Motion:
        still = cover(motion)
        source = service.cached(still) or service.render_now(still)
        if source is None:
            raise render.RenderError(f"no still for {motion.value} and no renderer")
        path = folder / f"{motion.value}.png"
        shutil.copyfile(source, path)
        out.append(path)
    return out
