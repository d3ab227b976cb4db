"""Render time of each exercise's animation: drawn and encoded from nothing (cold), and
served from the cache (warm), in the same run; the file sizes and loop lengths too.

Run: .venv/bin/python bench/bench_animation.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.animation.motions import Motion, frames
from bot.animation.service import AnimationService, Drawing
from flows.model import Side

SIDES = {
    Motion.HIPS_OFF_CENTRE: Side.RIGHT,
    Motion.SIDE_GLIDE: Side.RIGHT,
    Motion.FLEXION_ROTATION: Side.LEFT,
}


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = AnimationService(Path(tmp))
        head = ("animation", "frames", "cold ms", "cached ms", "ratio", "KB")
        print("{:18} {:>6} {:>9} {:>10} {:>8} {:>6}".format(*head))
        for motion in Motion:
            side = SIDES.get(motion)
            drawing = Drawing(motion, side, Side.LEFT if side else None)
            started = time.perf_counter()
            path = await service.render(drawing)
            cold = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            for _ in range(100):
                await service.render(drawing)
            cached = (time.perf_counter() - started) * 1000 / 100
            count = len(frames(motion, side, Side.LEFT if side else None))
            size = path.stat().st_size / 1024
            print(
                f"{motion.value:18} {count:6d} {cold:9.0f} {cached:10.3f} "
                f"{cached / cold:8.5f} {size:6.0f}"
            )


if __name__ == "__main__":
    asyncio.run(main())
