"""Jobs to files: the key of each picture, the renderer's interpreter, ffmpeg.

A picture's key is the hash of everything that decides its pixels: the render job
(every bone in every frame, the room, the camera, the arrows, the colours), the
renderer's source (blender.py), the renderer's release and the encoder's settings.
Changing a pose, a colour or the renderer therefore names a new file, and a shipped
file whose key no longer matches is simply not found (and a test says so).

Rendering runs in a child process with its own interpreter: bpy 5.0.1 needs numpy < 2
and carries 900 MB, so it lives in .venv/render (`make test` and `make docs-images`
install it), not in the bot's venv, and a crash or a leak of Blender's stays out of
the bot. Without that interpreter nothing is rendered; the shipped media still are
served (bot.animation.service).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.animation import figure, scene
from bot.animation.poses import Motion
from flows.model import Rung, Side

RENDERER = "5.0.1"  # bpy's release; pyproject's `render` extra pins the same
BLENDER_SCRIPT = Path(__file__).with_name("blender.py")
ROOT = Path(__file__).resolve().parents[2]
RENDER_VENV = ROOT / ".venv" / "render"
CRF = 21
ENCODE = [
    "-c:v",
    "libx264",
    "-preset",
    "slow",
    "-crf",
    str(CRF),
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
]
TIMEOUT_S = 900
SIDES = (Side.LEFT, Side.RIGHT)


class RenderError(RuntimeError):
    pass


@cache
def _renderer_source() -> str:
    return hashlib.sha256(BLENDER_SCRIPT.read_bytes()).hexdigest()


def key_of(job: dict[str, Any], kind: str) -> str:
    """The hash that names a picture (see the module's docstring)."""
    text = json.dumps(job, sort_keys=True, separators=(",", ":"))
    spec = json.dumps(
        [kind, RENDERER, _renderer_source(), ENCODE, PALETTE, figure.FPS],
        separators=(",", ":"),
    )
    return hashlib.sha256((spec + text).encode()).hexdigest()[:16]


def drawn_side(motion: Motion, side: Side | None) -> str:
    """The side a picture is drawn for: its own for a sided exercise (the table's side
    when none is known), "any" for the press-up family."""
    written = scene.WRITTEN_FOR.get(motion)
    if written is None:
        return "any"
    return (side if side in (Side.LEFT, Side.RIGHT) else written).value


@dataclass(frozen=True, slots=True)
class Target:
    """One file to render: an animation (MP4) or a step's still (PNG)."""

    name: str  # the file's name, its key in it
    kind: str  # "loop" or "still"
    job: dict[str, Any]


@cache
def loop_target(motion: Motion, side: str) -> Target:
    job = scene.loop_job(motion, None if side == "any" else Side(side))
    return Target(f"{motion.value}-{side}-{key_of(job, 'loop')}.mp4", "loop", job)


@cache
def still_target(rung: Rung, step: int, side: str) -> Target:
    job = scene.still_job(rung, step, None if side == "any" else Side(side))
    return Target(f"{rung.value}-{step}-{side}-{key_of(job, 'still')}.png", "still", job)


def renderer_python() -> str | None:
    """The interpreter that can import bpy: this one, or the render venv's; None when
    neither is there (the bot then serves the shipped media only)."""
    if importlib.util.find_spec("bpy") is not None:
        return sys.executable
    candidate = RENDER_VENV / "bin" / "python"
    return str(candidate) if candidate.is_file() else None


def render(
    targets: Sequence[Target],
    folder: Path,
    python: str,
    seconds: dict[str, float] | None = None,
) -> list[Path]:
    """Render each target into `folder` (one child process for all of them, so Blender
    starts once); each file appears whole or not at all. `seconds`, if given, gets each
    file's render time (Blender's, before encoding)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="render-") as tmp_name:
        tmp = Path(tmp_name)
        batch = []
        for i, target in enumerate(targets):
            job_path = tmp / f"job{i}.json"
            job_path.write_text(json.dumps(target.job), encoding="utf-8")
            batch.append({"job": str(job_path), "out": str(tmp / f"frames{i}")})
        (tmp / "batch.json").write_text(json.dumps(batch), encoding="utf-8")
        done = subprocess.run(
            [python, str(BLENDER_SCRIPT), str(tmp / "batch.json")],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RenderError(f"the renderer failed: {done.stderr[-800:]}")
        if not done.stdout.startswith(f"bpy {RENDERER}"):
            raise RenderError(f"renderer {RENDERER} expected, got {done.stdout[:40]!r}")
        if seconds is not None:
            for line in done.stderr.splitlines():
                if line.startswith("done "):
                    _, index, took = line.split()
                    seconds[targets[int(index)].name] = float(took)
        out = []
        for i, target in enumerate(targets):
            frames = tmp / f"frames{i}"
            dst = folder / target.name
            part = tmp / f"part{i}{dst.suffix}"
            if target.kind == "loop":
                encode_frames(frames, figure.FPS, part)
            else:
                quantize(frames / "0000.png", part)
            shutil.move(part, dst)
            out.append(dst)
        return out


PALETTE = (
    "split[a][b];[a]palettegen=max_colors=96:stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a"
)


def quantize(src: Path, dst: Path) -> None:
    """A still as a 96-colour PNG: a third of the size, no visible loss at this size."""
    _ffmpeg(["-i", str(src), "-vf", PALETTE, "-f", "image2", "-c:v", "png", str(dst)])


def _ffmpeg(args: list[str]) -> None:
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"ffmpeg failed: {done.stderr.decode(errors='replace')[-300:]}")


def encode_frames(frames: Path, fps: int, dst: Path) -> None:
    """PNG frames to a silent H.264 MP4 that Telegram plays as a looping animation:
    yuv420p (what phones decode), no audio stream, the moov atom first."""
    _ffmpeg(
        [
            "-framerate",
            str(fps),
            "-i",
            str(frames / "%04d.png"),
            "-an",
            *ENCODE,
            "-f",
            "mp4",
            str(dst),
        ]
    )
