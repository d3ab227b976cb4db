"""The side glide animation: drawn from behind for the user's own side, encoded by ffmpeg.

The encoded MP4 is decoded again with ffmpeg, so what is checked is what a phone shows.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bot.animation.encode import encode_mp4
from bot.animation.figure import (
    BACKGROUND,
    FPS,
    HEIGHT_PX,
    WALL,
    WIDTH_PX,
    Timing,
    hips_off_centre_frames,
    side_glide_frame,
    side_glide_frames,
)
from bot.animation.motions import Motion, every_variant, frames
from bot.animation.service import AnimationService, Drawing
from flows.model import Side

pytestmark = pytest.mark.usefixtures("need_voice_tools")  # ffmpeg and ffprobe


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def mirrored(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean difference, and the share of pixels clearly different, of a and b's mirror."""
    d = np.abs(a.astype(int) - np.fliplr(b).astype(int))
    return float(d.mean()), float((d.max(axis=2) > 40).mean())


def decode(path: Path) -> list[np.ndarray]:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    ).stdout
    frame = WIDTH_PX * HEIGHT_PX * 3
    return [
        np.frombuffer(raw[i : i + frame], dtype=np.uint8).reshape(HEIGHT_PX, WIDTH_PX, 3)
        for i in range(0, len(raw), frame)
    ]


def probe(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    loaded: dict[str, object] = json.loads(out)
    return loaded


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("animation")
    out = {}
    # a left-pain user puts the RIGHT shoulder on the wall, a right-pain user the LEFT
    for name, wall, painful in (
        ("left_pain", Side.RIGHT, Side.LEFT),
        ("right_pain", Side.LEFT, Side.RIGHT),
    ):
        path = folder / f"{name}.mp4"
        encode_mp4(side_glide_frames(wall, painful), FPS, path)
        out[name] = path
        hips = folder / f"hips_{name}.mp4"  # the hips move away from the painful side
        encode_mp4(hips_off_centre_frames(wall, painful), FPS, hips)
        out[f"hips_{name}"] = hips
    return out


def test_a_left_pain_user_sees_the_wall_on_the_right_of_the_picture() -> None:
    frame = side_glide_frame(0.0, Side.RIGHT, Side.LEFT, Timing())
    right_edge, left_edge = frame[HEIGHT_PX // 2, -4], frame[HEIGHT_PX // 2, 3]
    assert np.abs(right_edge.astype(int) - rgb(WALL)).max() <= 2
    assert np.abs(left_edge.astype(int) - rgb(BACKGROUND)).max() <= 2


def test_the_hips_glide_toward_the_wall_and_come_back() -> None:
    timing = Timing()

    def hips_x(t: float) -> float:
        frame = side_glide_frame(t, Side.RIGHT, Side.LEFT, timing)
        row = frame[HEIGHT_PX - int(HEIGHT_PX * 0.86 / 2)]  # through the pelvis (y 0.86 of 2)
        trousers = np.where(np.abs(row.astype(int) - rgb("#35495e")).max(axis=1) <= 6)[0]
        return float(trousers.mean())

    rest, held = hips_x(0.0), hips_x(timing.glide_s + timing.hold_s / 2)
    assert held > rest + 15  # pixels toward the wall (on the right)
    assert abs(hips_x(timing.total_s - 0.01) - rest) < 2  # released: back where it began


@pytest.mark.parametrize("prefix", ["", "hips_"])
def test_a_right_pain_user_sees_the_exact_mirror_image(
    videos: dict[str, Path], prefix: str
) -> None:
    left = decode(videos[f"{prefix}left_pain"])
    right = decode(videos[f"{prefix}right_pain"])
    assert len(left) == len(right) > 0
    for i in range(0, len(left), 9):
        mean, share = mirrored(left[i], right[i])
        assert mean < 1.5 and share < 0.01, (i, mean, share)
    # and it is not symmetric by itself: the mirror is what makes them equal
    mean, _ = mirrored(left[len(left) // 2], left[len(left) // 2])
    assert mean > 2


def test_the_mp4_is_a_silent_h264_loop_of_4_to_8_seconds_under_500_kb(
    videos: dict[str, Path],
) -> None:
    for path in videos.values():
        info = probe(path)
        streams = info["streams"]
        assert isinstance(streams, list)
        assert [s["codec_type"] for s in streams] == ["video"]  # no audio stream
        assert streams[0]["codec_name"] == "h264" and streams[0]["pix_fmt"] == "yuv420p"
        duration = float(info["format"]["duration"])  # type: ignore[index]
        assert 4.0 <= duration <= 8.0
        assert path.stat().st_size < 500_000


def test_the_hold_lasts_as_long_as_the_protocol_says() -> None:
    timing = Timing()
    held = [i / FPS for i in range(round(timing.total_s * FPS)) if timing.shift(i / FPS) == 1.0]
    assert 2.0 <= held[-1] - held[0] + 1 / FPS <= 3.0  # "hold for 2-3 seconds"


def test_hips_off_centre_for_a_right_pain_user_is_the_mirror_image() -> None:
    left_pain = hips_off_centre_frames(Side.RIGHT, Side.LEFT)  # hips move away: RIGHT
    right_pain = hips_off_centre_frames(Side.LEFT, Side.RIGHT)
    assert len(left_pain) == len(right_pain)
    for i in range(0, len(left_pain), 11):
        mean, share = mirrored(left_pain[i], right_pain[i])
        assert mean < 1.5 and share < 0.01, (i, mean, share)
    assert mirrored(left_pain[30], left_pain[30])[0] > 2  # not symmetric on its own


def test_every_exercise_loops_in_4_to_8_seconds() -> None:
    for motion, side, painful in every_variant():
        count = len(frames(motion, side, painful))
        assert 4 * FPS <= count <= 8 * FPS, (motion, count)


def test_an_animation_is_drawn_once_and_its_key_follows_what_drew_it(tmp_path: Path) -> None:
    service = AnimationService(tmp_path)
    glide = Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.LEFT)
    assert service.cached(glide) is None
    path = service.render_now(glide)
    assert service.cached(glide) == path and service.made == 1
    assert service.render_now(glide) == path and service.made == 1
    other = Drawing(Motion.SIDE_GLIDE, Side.LEFT, Side.RIGHT)
    assert other.key != glide.key and service.cached(other) is None
    prescribed = Drawing(Motion.SIDE_GLIDE, Side.LEFT, Side.LEFT)  # reversed by a clinician
    assert prescribed.key not in (glide.key, other.key)


def test_a_prescribed_reversed_side_draws_the_wall_on_the_other_side() -> None:
    usual = side_glide_frame(0.0, Side.RIGHT, Side.LEFT, Timing())
    reversed_ = side_glide_frame(0.0, Side.LEFT, Side.LEFT, Timing())
    assert np.abs(usual[HEIGHT_PX // 2, -4].astype(int) - rgb(WALL)).max() <= 2
    assert np.abs(reversed_[HEIGHT_PX // 2, 3].astype(int) - rgb(WALL)).max() <= 2


async def test_a_set_starts_with_its_animation_uploaded_once_then_by_file_id(
    tmp_path: Path,
) -> None:
    from flows import texts as t
    from tests.botkit import User, running, settings_for
    from tests.fakebotapi import FakeBotAPI
    from tests.test_e2e_telegram import STEP_BUTTONS, onboard

    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, SIDEGLIDE_ANIMATIONS=True)
        # a left-pain user's side glide: RIGHT shoulder to the wall (as render-media makes it)
        AnimationService(settings.SIDEGLIDE_AUDIO_CACHE).render_now(
            Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.LEFT)
        )
        async with running(settings):
            first = User(api, 8801)
            await onboard(first)
            await first.tap(t.B_START)
            step1 = await first.keyboard()
            assert step1.kind == "animation" and step1.uploaded
            assert "Step 1 of 8" in (step1.caption or "")  # the step's own text and buttons
            assert step1.button_texts == STEP_BUTTONS
            second = User(api, 8802)
            await onboard(second)
            await second.tap(t.B_START)
            again = await second.keyboard()
            assert again.kind == "animation" and not again.uploaded
            assert again.file is not None and step1.file is not None
            assert again.file.file_id == step1.file.file_id
            assert [bool(c.files) for c in api.calls("sendAnimation")] == [True, False]


async def test_an_animation_not_drawn_yet_never_holds_the_reply_back(tmp_path: Path) -> None:
    from flows import texts as t
    from tests.botkit import User, running, settings_for
    from tests.fakebotapi import FakeBotAPI
    from tests.test_e2e_telegram import onboard

    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, SIDEGLIDE_ANIMATIONS=True)
        service = AnimationService(settings.SIDEGLIDE_AUDIO_CACHE)
        glide = Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.LEFT)
        async with running(settings):
            user = User(api, 8803)
            await onboard(user)
            await user.tap(t.B_START)
            step1 = await user.keyboard()
            assert step1.kind == "text" and "Step 1 of 8" in (step1.text or "")
            # drawn meanwhile, for the next set
            await api.wait_for(lambda: service.cached(glide) is not None, timeout=120)
