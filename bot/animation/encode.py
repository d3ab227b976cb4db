"""Frames to a silent H.264 MP4 that Telegram plays as a looping animation.

ffmpeg via subprocess, as for the voice notes: raw RGB frames on stdin, yuv420p out
(what phones decode), no audio stream, the moov atom first so playback starts at once.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class AnimationError(RuntimeError):
    pass


def encode_mp4(frames: Sequence[np.ndarray], fps: int, dst: Path) -> None:
    if not frames:
        raise AnimationError("no frames to encode")
    height, width, _ = frames[0].shape
    cmd = [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        str(fps),
        "-i",
        "pipe:0",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "slow",
        "-crf",
        "28",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(dst),
    ]
    data = b"".join(np.ascontiguousarray(f, dtype=np.uint8).tobytes() for f in frames)
    done = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if done.returncode != 0:
        raise AnimationError(f"ffmpeg failed: {done.stderr.decode(errors='replace')[-300:]}")
