"""Animations on disk, each made once: keyed by a hash of what drew it.

The key covers the drawing code itself, so changing a figure makes new files instead
of serving stale ones. Rendering takes a few seconds of CPU, so it runs in a thread
and a reply never waits for it (bot.telegram.sender sends the text meanwhile).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from bot.animation import encode, figure, motions
from bot.animation.motions import Motion
from flows.effects import Animate
from flows.model import Side

_CODE = hashlib.sha256(
    b"".join(Path(m.__file__ or "").read_bytes() for m in (figure, encode, motions))
).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Drawing:
    motion: Motion
    side: Side | None = None
    painful: Side | None = None

    @property
    def key(self) -> str:
        spec = {"m": self.motion.value, "s": self.side, "p": self.painful, "code": _CODE}
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]
        return f"anim-{self.motion.value}-{digest}"


def drawing_for(motion: Animate) -> Drawing:
    """The drawing a flow's Animate effect asks for."""
    return Drawing(
        motions.FOR_RUNG.get(motion.rung, Motion.PRESS_UP),
        Side(motion.side) if motion.side else None,
        Side(motion.painful) if motion.painful else None,
    )


class AnimationService:
    def __init__(self, cache_dir: Path) -> None:
        self.dir = Path(cache_dir) / "animations"
        self._making: dict[str, asyncio.Future[Path]] = {}
        self.made = 0  # rendered by this process (the rest came from disk)

    def path(self, drawing: Drawing) -> Path:
        return self.dir / f"{drawing.key}.mp4"

    def cached(self, drawing: Drawing) -> Path | None:
        path = self.path(drawing)
        return path if path.is_file() else None

    def render_now(self, drawing: Drawing) -> Path:
        """Blocking: draw and encode (a few seconds); atomic, so a reader never sees half."""
        path = self.path(drawing)
        if path.is_file():
            return path
        self.dir.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.stem}.{os.getpid()}.part")
        encode.encode_mp4(
            motions.frames(drawing.motion, drawing.side, drawing.painful), figure.FPS, part
        )
        part.replace(path)
        self.made += 1
        return path

    async def render(self, drawing: Drawing) -> Path:
        """The file, made in a thread if missing; concurrent asks share one rendering."""
        found = self.cached(drawing)
        if found is not None:
            return found
        running = self._making.get(drawing.key)
        if running is None:
            running = asyncio.ensure_future(asyncio.to_thread(self.render_now, drawing))
            self._making[drawing.key] = running
            running.add_done_callback(lambda _: self._making.pop(drawing.key, None))
        return await asyncio.shield(running)
