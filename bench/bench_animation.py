"""The exercise pictures: how long Blender takes to render each one, what the files
weigh, and what serving a shipped one costs the bot.

Renders everything `make docs-images` would (every animation, every learn-mode still,
both sides) from nothing into a temporary folder, in two Blender processes as
render_media does, and prints per animation its frames, render seconds (Blender's,
before ffmpeg) and size; then the stills; then the whole run's wall time, which is
the "every variant in under 10 minutes" budget. Needs the render venv (`make
render-venv`).

Run: .venv/bin/python bench/bench_animation.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.animation import prerender, render
from bot.animation.motions import every_variant
from bot.animation.service import MEDIA, AnimationService, Drawing


def main() -> None:
    python = render.renderer_python()
    if python is None:
        sys.exit("no renderer: `make render-venv` installs bpy into .venv/render")
    started = time.perf_counter()
    keys = [Drawing(m, side).target for m, side, _ in every_variant()]
    stills = [s.target for s in prerender.every_still()]
    print(
        f"jobs and keys of {len(keys) + len(stills)} pictures: "
        f"{time.perf_counter() - started:.2f} s (pure Python, once per process)"
    )

    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        made, _ = prerender.render_media(folder, python, workers=2, seconds=seconds)
        wall = time.perf_counter() - started
        print(f"\n{'animation':24} {'frames':>6} {'render s':>9} {'s/frame':>8} {'KB':>5}")
        for target in keys:
            frames = len(target.job["frames"])
            took = seconds[target.name]
            size = (folder / target.name).stat().st_size / 1024
            name = target.name.rsplit("-", 1)[0]
            print(f"{name:24} {frames:6d} {took:9.1f} {took / frames:8.2f} {size:5.0f}")
        still_s = sum(seconds[t.name] for t in stills)
        still_kb = sum((folder / t.name).stat().st_size for t in stills) / 1024
        print(
            f"\n{len(stills)} stills: {still_s:.1f} s of rendering, {still_kb:.0f} KB "
            f"({still_kb / len(stills):.0f} KB each)"
        )
        total_kb = sum(p.stat().st_size for p in made) / 1024
        print(
            f"everything ({len(made)} files, {total_kb / 1024:.1f} MB): {wall:.0f} s wall "
            "in 2 Blender processes"
        )

    with tempfile.TemporaryDirectory() as tmp:
        service = AnimationService(Path(tmp))
        glide = Drawing(*every_variant()[-1][:2])
        service.cached(glide)  # its key, once
        started = time.perf_counter()
        for _ in range(1000):
            assert service.cached(glide) is not None
        lookup = (time.perf_counter() - started) * 1000 / 1000
        print(f"\nserving a shipped animation: {lookup:.3f} ms a lookup ({MEDIA.name}/)")


if __name__ == "__main__":
    main()
