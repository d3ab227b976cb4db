"""The pictures a user is sent: shipped with the code, made again only when they changed.

Every animation and every learn-mode still is rendered ahead of time with Blender and
committed in bot/animation/media, each file named by the key of what it shows
(bot.animation.render.key_of). Why ship them rather than render at start: Blender is
a 374 MB wheel (900 MB installed) that needs numpy < 2, and rendering them all takes
minutes; a fresh clone's `make run` gets every picture at once without it, and the
Docker image carries 1 MB of media instead of a renderer. A test renders one of them
again and checks that every shipped file's key matches the table.

If a key has no shipped file (the table changed and the media were not rendered
again), the picture is rendered in the background into the cache the first time it is
asked for, when the renderer is installed (.venv/render); a reply never waits for it
(bot.telegram.sender sends the text meanwhile). Without the renderer the set simply
starts without its picture, logged once per picture: a picture that shows something
else than the text says would be worse than none, so there is no older drawing to
fall back to.

A sided exercise whose side is not known (centre pain and no clinician's side) gets
no picture either: the text then says "the side your therapist chose", and a picture
would have to choose one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.animation import render
from bot.animation.motions import FOR_RUNG, SIDED, Motion
from bot.animation.poses import COVER, STEPS
from bot.animation.render import Target
from bot.presentation.messages import Still
from bot.presentation.render import step_on_screen
from flows.effects import Animate
from flows.model import Rung, Side
from flows.session import Session

log = logging.getLogger(__name__)

MEDIA = Path(__file__).with_name("media")


def _known(motion: Motion, side: Side | None) -> bool:
    return motion not in SIDED or side in (Side.LEFT, Side.RIGHT)


@dataclass(frozen=True, slots=True)
class Drawing:
    """One animation: an exercise's loop for one side. `painful` is not drawn (no
    colour marks a painful side; the side that matters is `side`)."""

    motion: Motion
    side: Side | None = None
    painful: Side | None = None

    @property
    def drawable(self) -> bool:
        return _known(self.motion, self.side)

    @property
    def target(self) -> Target:
        return render.loop_target(self.motion, render.drawn_side(self.motion, self.side))

    @property
    def key(self) -> str:
        return Path(self.target.name).stem


@dataclass(frozen=True, slots=True)
class StepStill:
    """One learn-mode step's still (steps numbered from 1, as flows.catalogue's)."""

    rung: Rung
    step: int
    side: Side | None = None

    @property
    def motion(self) -> Motion:
        return STEPS[self.rung][self.step - 1][0]

    @property
    def drawable(self) -> bool:
        return 1 <= self.step <= len(STEPS[self.rung]) and _known(self.motion, self.side)

    @property
    def target(self) -> Target:
        side = render.drawn_side(self.motion, self.side)
        return render.still_target(self.rung, self.step, side)

    @property
    def key(self) -> str:
        return Path(self.target.name).stem


def drawing_for(motion: Animate) -> Drawing:
    """The drawing a flow's Animate effect asks for."""
    return Drawing(
        FOR_RUNG.get(motion.rung, Motion.PRESS_UP),
        Side(motion.side) if motion.side else None,
        Side(motion.painful) if motion.painful else None,
    )


def step_still(still: Still) -> StepStill | None:
    """The picture a rendered message's still asks for, if it can be drawn."""
    picture = StepStill(still.rung, still.step, still.side)
    return picture if picture.drawable else None


def still_for(session: Session) -> StepStill | None:
    """The still of the learn-mode step on screen (State.STEP), for this user's side;
    None elsewhere. For a step sent without its voice note (design.md: a set)."""
    still = step_on_screen(session)
    return step_still(still) if still is not None else None


def cover_still(rung: Rung, side: Side | None) -> StepStill | None:
    """The one still that stands for an exercise (the PT's report, the README): the
    step of its animation's main movement."""
    wanted, step = COVER[FOR_RUNG[rung]]
    still = StepStill(wanted, step, side)
    return still if still.drawable else None


_warned: set[str] = set()


class AnimationService:
    def __init__(self, cache_dir: Path, shipped: Path | None = None) -> None:
        self.dir = Path(cache_dir) / "animations"
        self.shipped = shipped if shipped is not None else MEDIA
        self._making: dict[str, asyncio.Future[Path | None]] = {}
        self.made = 0  # rendered by this process (the rest came from disk)

    def path(self, item: Drawing | StepStill) -> Path:
        """Where the cache keeps it (the shipped copy is looked up by the same name)."""
        return self.dir / item.target.name

    def cached(self, item: Drawing | StepStill) -> Path | None:
        """The file, from the cache or the shipped media; None if it has to be made (or
        cannot be: a sided exercise without a side)."""
        if not item.drawable:
            return None
        path = self.path(item)
        if path.is_file():
            return path
        shipped = self.shipped / item.target.name
        return shipped if shipped.is_file() else None

    def render_now(self, item: Drawing | StepStill) -> Path | None:
        """Blocking: the file in the cache, copied from the shipped media or rendered
        (minutes of CPU for an animation); None when it cannot be made here."""
        if not item.drawable:
            return None
        path = self.path(item)
        if path.is_file():
            return path
        self.dir.mkdir(parents=True, exist_ok=True)
        shipped = self.shipped / item.target.name
        if shipped.is_file():
            part = path.with_name(f"{path.stem}.{os.getpid()}.part")
            shutil.copyfile(shipped, part)
            part.replace(path)  # atomic: a reader never sees half a file
            return path
        python = render.renderer_python()
        if python is None:
            if item.target.name not in _warned:
                _warned.add(item.target.name)
                log.warning(
                    "no shipped picture %s and no renderer (bpy, .venv/render): the set "
                    "starts without it; `make docs-images` renders the media again",
                    item.target.name,
                )
            return None
        render.render([item.target], self.dir, python)
        self.made += 1
        return path

    async def render(self, item: Drawing | StepStill) -> Path | None:
        """The file, made in a thread if missing; concurrent asks share one rendering."""
        found = self.cached(item)
        if found is not None or not item.drawable:
            return found
        key = item.key
        running = self._making.get(key)
        if running is None:
            running = asyncio.ensure_future(asyncio.to_thread(self.render_now, item))
            self._making[key] = running
            running.add_done_callback(lambda _: self._making.pop(key, None))
        return await asyncio.shield(running)
