"""The exercise pictures: the shipped media against the table, and what a person sees.

The MP4s and PNGs in bot/animation/media are decoded again with ffmpeg, so what is
checked is what a phone shows: the other side is the mirror image, the wall is on the
side of the shoulder that leans on it, the hips go toward the wall and come back, the
back of the head (its hair) faces the camera from behind, the hold lasts what the
protocol says, and the arrow shows only while the body moves, pointing the way it
moves. Colours are found by what they are (a cream wall, dark hair, orange), never by
exact values: the lighting shades them.

Rendering itself needs Blender: tests/test_animation_render.py.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.animation import figure, poses, prerender, render, scene, service
from bot.animation import skeleton as sk
from bot.animation.motions import SIDED, Motion, every_variant
from bot.animation.poses import LOOPS, STEPS, Arrow, Sign
from bot.animation.service import AnimationService, Drawing, StepStill, still_for
from flows.catalogue import EXERCISES
from flows.model import Rung, Side
from flows.session import Assessment, Cursor, Session, State

pytestmark = pytest.mark.usefixtures("need_voice_tools")  # ffmpeg and ffprobe

W, H = figure.WIDTH_PX, figure.HEIGHT_PX
MEDIA = service.MEDIA


# --- decoding and finding colours ---------------------------------------------------------


RAW = ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]


def decode(path: Path) -> list[np.ndarray]:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(path), *RAW],
        capture_output=True,
        check=True,
    ).stdout
    size = W * H * 3
    return [
        np.frombuffer(raw[i : i + size], dtype=np.uint8).reshape(H, W, 3).astype(int)
        for i in range(0, len(raw), size)
    ]


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    loaded: dict[str, Any] = json.loads(out)
    return loaded


def channels(f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return f[:, :, 0], f[:, :, 1], f[:, :, 2]


def orange(f: np.ndarray) -> np.ndarray:
    """The arrow."""
    r, g, b = channels(f)
    return np.asarray((r > 185) & (g > 70) & (g < 175) & (b < 95) & (r - g > 60))


def hair(f: np.ndarray) -> np.ndarray:
    """Dark brown: the back of the head (the trousers and the eyes are blue-dark)."""
    r, g, b = channels(f)
    return np.asarray((r < 115) & (r - b > 12) & (r >= g) & (r > 12))


def skin(f: np.ndarray) -> np.ndarray:
    r, g, b = channels(f)
    return np.asarray((r > 140) & (g > 90) & (r - b > 45) & (r - b < 125) & (r - g > 25))


def wall(f: np.ndarray) -> np.ndarray:
    """Cream: warm, light, barely saturated (the floor is cool grey, skin is saturated)."""
    r, g, b = channels(f)
    return np.asarray((r > 150) & (r - b > 12) & (r - b < 60) & (abs(r - g) < 28))


def trousers(f: np.ndarray) -> np.ndarray:
    r, g, b = channels(f)
    return np.asarray((b - r > 14) & (b - r < 65) & (np.maximum(np.maximum(r, g), b) < 125))


def sign(f: np.ndarray) -> np.ndarray:
    """The pause sign's dark grey, in the band at the top of the picture it lives in."""
    r, g, b = channels(f)
    grey = (abs(r - g) < 12) & (abs(g - b) < 14) & (r > 50) & (r < 115)
    out = np.zeros_like(np.asarray(grey))
    out[: H // 4, W // 2 - 60 : W // 2 + 60] = grey[: H // 4, W // 2 - 60 : W // 2 + 60]
    return out


def has_sign(f: np.ndarray) -> bool:
    return int(sign(f).sum()) > 150


def has_arrow(f: np.ndarray) -> bool:
    return int(orange(f).sum()) > 60


def loop_file(motion: Motion, side: Side | None) -> Path:
    return MEDIA / Drawing(motion, side).target.name


_decoded: dict[Path, list[np.ndarray]] = {}


def frames_of(motion: Motion, side: Side | None) -> list[np.ndarray]:
    path = loop_file(motion, side)
    if path not in _decoded:
        _decoded[path] = decode(path)
    return _decoded[path]


def plans(motion: Motion) -> list[scene.FramePlan]:
    return scene.loop_plan(motion)[0]


def mirrored(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean difference, and the share of pixels clearly different, of a and b's mirror."""
    d = np.abs(a - np.fliplr(b))
    return float(d.mean()), float((d.max(axis=2) > 60).mean())


# --- the table ---------------------------------------------------------------------------


def test_every_learn_mode_step_has_its_still_in_the_catalogues_order() -> None:
    for rung, exercise in EXERCISES.items():
        assert len(STEPS[rung]) == len(exercise.steps), rung
    # an arrow in a still names a movement that starts somewhere
    for rung, steps in STEPS.items():
        for n, (_, still) in enumerate(steps, 1):
            if still.sign == Sign.ARROW:
                assert still.arrow is not None and still.came_from is not None, (rung, n)


def test_every_loop_lasts_4_to_8_seconds_and_ends_where_it_starts() -> None:
    for motion, loop in LOOPS.items():
        assert 4.0 <= loop.seconds <= 8.0, motion
        assert loop.beats[-1].pose == loop.beats[0].pose, motion


def test_the_holds_last_what_the_protocol_says() -> None:
    def held(motion: Motion) -> float:
        return sum(b.seconds for b in LOOPS[motion].beats if b.sign == Sign.HOLD)

    assert 2.0 <= held(Motion.SIDE_GLIDE) <= 3.0  # "hold for 2-3 seconds"
    assert 1.0 <= held(Motion.PRESS_UP) <= 2.0  # "pause 1-2 seconds at the top"
    assert 1.0 <= held(Motion.HIPS_OFF_CENTRE) <= 2.0
    # the sources time no hold for these: the pause sign has no bar to fill
    for motion in (Motion.PRONE_ON_ELBOWS, Motion.FLEXION_ROTATION, Motion.PRONE_LYING):
        assert held(motion) == 0.0, motion


def test_the_contacts_hold_in_every_frame() -> None:
    """The hands stay on the floor as the chest rises, the hips stay down, the shoulder
    stays on the wall as the hips glide, the feet stay planted."""
    for p in plans(Motion.PRESS_UP) + plans(Motion.HIPS_OFF_CENTRE):
        bones = sk.solve(p.start, p.end, p.t)
        assert bones["pelvis"].o[2] == pytest.approx(figure.PRONE_HEIGHT + figure.MAT)
        if p.start.right_hand == p.end.right_hand == poses.Hand.UNDER_SHOULDER:
            for side in "rl":
                assert bones[f"hand_{side}"].o[2] == pytest.approx(figure.MAT + 0.028, abs=1e-6)
    for p in plans(Motion.PRONE_ON_ELBOWS):
        if p.start == p.end == poses.ON_ELBOWS:
            bones = sk.solve(p.start)
            for side in "rl":
                elbow = bones[f"forearm_{side}"].o
                assert elbow[2] < figure.MAT + 0.07  # the forearm lies on the mat
    ankles = set()
    for p in plans(Motion.SIDE_GLIDE):
        bones = sk.solve(p.start, p.end, p.t)
        wall_x = sk.WALL_X - figure.SHOULDER_TO_WALL
        assert sk.shoulder(bones, 1.0)[0] == pytest.approx(wall_x, abs=1e-3)
        ankles.add(tuple(round(v, 4) for v in bones["foot_r"].o + bones["foot_l"].o))
    assert len(ankles) == 1


def test_the_hips_off_centre_leave_the_shoulders_where_they_are() -> None:
    flat, shifted = sk.solve(poses.FLAT), sk.solve(poses.HIPS_SHIFTED)
    assert shifted["pelvis"].o[0] - flat["pelvis"].o[0] == pytest.approx(0.10)
    assert scene._neck(shifted)[0] == pytest.approx(scene._neck(flat)[0], abs=1e-3)


def test_the_other_side_is_the_mirrored_pose() -> None:
    """Not the pixels: the LEFT job's left arm is where the RIGHT job's right arm is,
    reflected, and the wall and the camera are reflected with it."""
    right = scene.loop_job(Motion.SIDE_GLIDE, Side.RIGHT)
    left = scene.loop_job(Motion.SIDE_GLIDE, Side.LEFT)
    for k in (0, 30):
        a, b = right["frames"][k]["bones"], left["frames"][k]["bones"]
        for name_r, name_l in (("upper_arm_r", "upper_arm_l"), ("hand_l", "hand_r")):
            assert b[name_l][0] == [-a[name_r][0][0], a[name_r][0][1], a[name_r][0][2]]
    assert left["camera"]["location"][0] == -right["camera"]["location"][0]
    assert left["props"][1]["centre"][0] == -right["props"][1]["centre"][0]  # the wall
    # the side written in the table needs no mirror; None draws nothing for a sided one
    assert not scene.mirror_for(Motion.FLEXION_ROTATION, Side.LEFT)
    assert scene.mirror_for(Motion.FLEXION_ROTATION, Side.RIGHT)


def test_a_key_follows_the_poses_and_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    job = scene.loop_job(Motion.SIDE_GLIDE, Side.RIGHT)
    key = render.key_of(job, "loop")
    assert render.key_of(json.loads(json.dumps(job)), "loop") == key
    moved = scene.loop_job(Motion.SIDE_GLIDE, Side.LEFT)
    assert render.key_of(moved, "loop") != key
    monkeypatch.setattr(render, "RENDERER", "5.1.0")
    assert render.key_of(job, "loop") != key
    monkeypatch.undo()
    glided = replace(poses.GLIDED, hips_shift_cm=12)
    beats = tuple(
        replace(b, pose=glided) if b.pose == poses.GLIDED else b
        for b in LOOPS[Motion.SIDE_GLIDE].beats
    )
    monkeypatch.setitem(LOOPS, Motion.SIDE_GLIDE, replace(LOOPS[Motion.SIDE_GLIDE], beats=beats))
    assert render.key_of(scene.loop_job(Motion.SIDE_GLIDE, Side.RIGHT), "loop") != key


def test_the_renderer_release_is_pinned_in_one_place() -> None:
    text = (render.ROOT / "pyproject.toml").read_text()
    assert f'"bpy=={render.RENDERER}"' in text
    assert f'RENDERER = "{render.RENDERER}"' in render.BLENDER_SCRIPT.read_text()


# --- the shipped media --------------------------------------------------------------------


def test_every_picture_is_shipped_and_matches_the_table() -> None:
    """Fails after a change to the poses, the room or the renderer until `make
    docs-images` renders the media again (each file is named by the hash of its job)."""
    wanted = {t.name for t in prerender.every_target()}
    shipped = {p.name for p in MEDIA.iterdir() if p.suffix in (".mp4", ".png")}
    assert sorted(wanted - shipped) == [], "not rendered: run `make docs-images`"
    assert sorted(shipped - wanted) == [], "stale: run `make docs-images`"
    assert len(wanted) == len(every_variant()) + len(prerender.every_still())
    total = sum((MEDIA / name).stat().st_size for name in shipped)
    assert total < 8_000_000


@pytest.mark.parametrize("variant", every_variant(), ids=lambda v: str(v))
def test_each_loop_is_a_silent_h264_of_4_to_8_seconds_under_500_kb(
    variant: tuple[Motion, Side | None, Side | None],
) -> None:
    motion, side, _ = variant
    path = loop_file(motion, side)
    info = probe(path)
    streams = info["streams"]
    assert isinstance(streams, list)
    assert [s["codec_type"] for s in streams] == ["video"]  # no audio stream
    stream = streams[0]
    assert stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p"
    assert (stream["width"], stream["height"]) == (W, H)
    duration = float(info["format"]["duration"])
    assert 4.0 <= duration <= 8.0
    assert path.stat().st_size < 500_000


@pytest.mark.parametrize("motion", sorted(SIDED))
def test_the_other_side_is_the_exact_mirror_image(motion: Motion) -> None:
    right, left = frames_of(motion, Side.RIGHT), frames_of(motion, Side.LEFT)
    assert len(right) == len(left) > 0
    for i in range(0, len(right), 7):
        mean, share = mirrored(right[i], left[i])
        assert mean < 3.0 and share < 0.01, (i, mean, share)
    # and no picture is symmetric by itself: the mirror is what makes them equal
    assert mirrored(right[len(right) // 2], right[len(right) // 2])[0] > 6


@pytest.mark.parametrize("side", [Side.RIGHT, Side.LEFT])
def test_the_wall_is_on_the_side_of_the_shoulder_on_it(side: Side) -> None:
    """In the lower half of the picture (near the camera; far away the wall recedes
    toward the middle), the cream wall is on that side only."""
    for frame in frames_of(Motion.SIDE_GLIDE, side)[::10]:
        cream = wall(frame)[H // 2 :]
        right, left = int(cream[:, W // 2 :].sum()), int(cream[:, : W // 2].sum())
        near, far = (right, left) if side == Side.RIGHT else (left, right)
        assert near > 4 * max(far, 1) and near > W * H // 12, (near, far)


def _hips_x(frame: np.ndarray, hide: np.ndarray | None = None) -> float:
    """The middle of the hips: a band of the trousers below the waist (less what `hide`
    covers)."""
    mask = trousers(frame)
    rows = np.where(mask.sum(axis=1) >= 12)[0]  # not the thin dark outlines of the arms
    top, bottom = rows.min(), rows.max()
    if hide is not None:
        mask = mask & ~hide
    height = bottom - top
    band = mask[top + height // 12 : top + height // 4]  # the buttocks, below the hand
    return float(np.where(band)[1].mean())


def _around(mask: np.ndarray, by: int = 4) -> np.ndarray:
    """The mask grown by `by` pixels (what an arrow covers, with its outline)."""
    out = mask.copy()
    for dy in range(-by, by + 1):
        for dx in range(-by, by + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


@pytest.mark.parametrize("side", [Side.RIGHT, Side.LEFT])
def test_the_hips_glide_toward_the_wall_and_come_back(side: Side) -> None:
    frames = frames_of(Motion.SIDE_GLIDE, side)
    steps = plans(Motion.SIDE_GLIDE)
    held = [i for i, p in enumerate(steps) if p.sign == Sign.HOLD]
    back = max(i for i, p in enumerate(steps) if p.arrow is not None)  # nearly back
    toward = 1 if side == Side.RIGHT else -1
    assert (_hips_x(frames[held[-1]]) - _hips_x(frames[0])) * toward > 8  # toward the wall
    # coming back, the arrow's way, and at the end of the loop back where it began
    arrow = _around(orange(frames[back]))
    assert (_hips_x(frames[back], arrow) - _hips_x(frames[held[-1]], arrow)) * toward < -6
    assert abs(_hips_x(frames[-1]) - _hips_x(frames[0])) < 2.5


@pytest.mark.parametrize("side", [Side.RIGHT, Side.LEFT])
def test_the_hips_off_centre_move_the_named_way_and_back(side: Side) -> None:
    frames = frames_of(Motion.HIPS_OFF_CENTRE, side)
    steps = plans(Motion.HIPS_OFF_CENTRE)
    shifted = max(i for i, p in enumerate(steps) if p.end == poses.SHIFTED_HANDS_SET)

    def hips(f: np.ndarray) -> float:
        return float(np.where(trousers(f))[1].mean())

    toward = 1 if side == Side.RIGHT else -1
    assert (hips(frames[shifted]) - hips(frames[0])) * toward > 10
    assert abs(hips(frames[-1]) - hips(frames[0])) < 2.5


def _head_box(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hair and the skin pixels around the hair (the head)."""
    ys, xs = np.where(hair(frame))
    cy, cx = int(np.median(ys)), int(np.median(xs))
    box = (slice(max(cy - 28, 0), cy + 28), slice(max(cx - 28, 0), cx + 28))
    return hair(frame)[box], skin(frame)[box]


@pytest.mark.parametrize("side", [Side.RIGHT, Side.LEFT])
def test_from_behind_the_camera_sees_the_back_of_the_head(side: Side) -> None:
    for frame in frames_of(Motion.SIDE_GLIDE, side)[::6]:
        dark, face = _head_box(frame)
        assert dark.sum() > 250 and dark.sum() > 3 * face.sum(), (dark.sum(), face.sum())


@pytest.mark.parametrize("motion", [Motion.PRESS_UP, Motion.PRONE_ON_ELBOWS])
def test_lying_face_down_the_hair_is_on_top_and_the_face_below(motion: Motion) -> None:
    for frame in frames_of(motion, None)[::8]:
        dark, face = _head_box(frame)
        face_ys, _ = np.where(face)
        hair_ys, _ = np.where(dark)
        assert face.sum() > 40  # the face shows, toward the floor and forward
        assert hair_ys.mean() < face_ys.mean(), motion


@pytest.mark.parametrize(
    ("motion", "low", "high"),
    [
        (Motion.SIDE_GLIDE, 2.0, 3.0),
        (Motion.PRESS_UP, 1.0, 2.0),
        (Motion.HIPS_OFF_CENTRE, 1.0, 2.0),
    ],
)
def test_the_pause_sign_shows_for_the_hold_and_the_body_keeps_still(
    motion: Motion, low: float, high: float
) -> None:
    frames = frames_of(motion, Side.RIGHT if motion in SIDED else None)
    signed = [i for i, f in enumerate(frames) if has_sign(f)]
    assert low <= len(signed) / figure.FPS <= high
    assert signed == list(range(signed[0], signed[-1] + 1))  # one unbroken hold
    below = slice(H // 4, H)
    for i in signed[1:]:
        still = np.abs(frames[i][below] - frames[i - 1][below]).max(axis=2) > 40
        assert still.mean() < 0.002, i  # nothing moves under the sign


def _moving(frames: list[np.ndarray], i: int) -> bool:
    """The body moves between this frame and the one before or after (the sign and the
    arrow masked out)."""

    def body(f: np.ndarray) -> np.ndarray:
        out = f.copy()
        out[: H // 4, W // 2 - 60 : W // 2 + 60] = 0
        out[orange(f)] = 0
        return out

    here = body(frames[i])
    for j in (i - 1, i + 1):
        if 0 <= j < len(frames):
            other = body(frames[j])
            # a held frame is an exact copy (its difference is 0); the slowest moving
            # one, the hips seen from beyond the feet as they start, changes a few pixels
            if int((np.abs(here - other).max(axis=2) > 40).sum()) >= 3:
                return True
    return False


@pytest.mark.parametrize("variant", every_variant(), ids=lambda v: str(v))
def test_an_arrow_shows_only_while_the_body_moves(
    variant: tuple[Motion, Side | None, Side | None],
) -> None:
    motion, side, _ = variant
    frames = frames_of(motion, side)
    arrowed = [i for i, f in enumerate(frames) if has_arrow(f)]
    for i in arrowed:
        assert _moving(frames, i), i
    for i, p in enumerate(plans(motion)):
        if p.sign in (Sign.HOLD, Sign.STAY):
            assert i not in arrowed, i
        if p.sign == Sign.ARROW and 0.2 < p.t < 0.8:
            assert i in arrowed, i  # a named movement has its arrow


def _head_end(frame: np.ndarray, axis: int) -> int:
    """Which end of the arrow is its head (the wider end): +1 the far end along `axis`
    (right, or down), -1 the near end."""
    mask = orange(frame)
    ys, xs = np.where(mask)
    coord = xs if axis == 1 else ys
    middle = (coord.min() + coord.max()) / 2
    return 1 if (coord > middle).sum() > (coord < middle).sum() else -1


@pytest.mark.parametrize(
    ("motion", "side", "arrow", "axis", "way"),
    [
        (Motion.SIDE_GLIDE, Side.RIGHT, Arrow.HIPS_TO_WALL, 1, 1),
        (Motion.SIDE_GLIDE, Side.RIGHT, Arrow.HIPS_FROM_WALL, 1, -1),
        (Motion.SIDE_GLIDE, Side.LEFT, Arrow.HIPS_TO_WALL, 1, -1),
        (Motion.HIPS_OFF_CENTRE, Side.RIGHT, Arrow.HIPS_RIGHT, 1, 1),
        (Motion.HIPS_OFF_CENTRE, Side.LEFT, Arrow.HIPS_RIGHT, 1, -1),
        (Motion.PRESS_UP, None, Arrow.CHEST_UP, 0, -1),  # the head up: the top (rows go down)
        (Motion.PRESS_UP, None, Arrow.CHEST_DOWN, 0, 1),
        (Motion.PRONE_ON_ELBOWS, None, Arrow.CHEST_UP, 0, -1),
    ],
)
def test_the_arrow_points_the_way_the_body_moves(
    motion: Motion, side: Side | None, arrow: Arrow, axis: int, way: int
) -> None:
    frames = frames_of(motion, side)
    loop = LOOPS[motion]
    at = [
        i
        for i, p in enumerate(plans(motion))
        if p.sign == Sign.ARROW and 0.3 < p.t < 0.7 and _beat_arrow(loop, p) == arrow
    ]
    assert at
    for i in at:
        assert _head_end(frames[i], axis) == way, i


def _beat_arrow(loop: poses.Loop, plan: scene.FramePlan) -> Arrow | None:
    beats = loop.beats
    for k, beat in enumerate(beats):
        if beat.pose == plan.end and beats[k - 1].pose == plan.start and beat.sign == Sign.ARROW:
            return beat.arrow
    return None


def test_the_stills_are_pngs_of_the_picture_size() -> None:
    for still in prerender.every_still():
        path = MEDIA / still.target.name
        info = probe(path)
        stream = info["streams"][0]
        assert stream["codec_name"] == "png" and (stream["width"], stream["height"]) == (W, H)
        assert path.stat().st_size < 150_000


def test_a_glide_still_shows_the_arrow_and_the_hold_still_the_sign() -> None:
    def image(step: int, side: Side) -> np.ndarray:
        path = MEDIA / StepStill(Rung.SIDE_GLIDE, step, side).target.name
        return decode(path)[0]

    glide, hold = image(5, Side.RIGHT), image(6, Side.RIGHT)
    assert has_arrow(glide) and not has_sign(glide)
    assert has_sign(hold) and not has_arrow(hold)
    mean, share = mirrored(image(5, Side.RIGHT), image(5, Side.LEFT))
    assert mean < 3.0 and share < 0.01


# --- the service ---------------------------------------------------------------------------


def test_a_shipped_animation_is_served_and_copied_into_the_cache(tmp_path: Path) -> None:
    svc = AnimationService(tmp_path)
    glide = Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.LEFT)
    assert svc.cached(glide) == MEDIA / glide.target.name
    assert svc.render_now(glide) == svc.path(glide) and svc.path(glide).is_file()
    assert svc.cached(glide) == svc.path(glide) and svc.made == 0
    # the painful side is not drawn: a prescribed side (pain on the same side) is the
    # same picture
    assert Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.RIGHT).key == glide.key
    assert Drawing(Motion.SIDE_GLIDE, Side.LEFT, Side.RIGHT).key != glide.key


def test_a_sided_exercise_without_a_side_gets_no_picture(tmp_path: Path) -> None:
    svc = AnimationService(tmp_path)
    assert svc.cached(Drawing(Motion.SIDE_GLIDE, None)) is None
    assert svc.render_now(Drawing(Motion.HIPS_OFF_CENTRE, Side.CENTRE)) is None
    assert svc.cached(Drawing(Motion.PRESS_UP, None)) is not None
    assert svc.cached(StepStill(Rung.FLEXION_ROTATION, 1, None)) is None


@pytest.fixture
def nothing_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    empty = tmp_path / "shipped"
    empty.mkdir()
    monkeypatch.setattr(service, "MEDIA", empty)
    monkeypatch.setattr(service, "_warned", set())
    yield empty


def test_without_a_renderer_the_set_goes_on_without_its_picture_logged_once(
    tmp_path: Path,
    nothing_shipped: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(render, "renderer_python", lambda: None)
    svc = AnimationService(tmp_path)
    glide = Drawing(Motion.SIDE_GLIDE, Side.LEFT)
    with caplog.at_level(logging.WARNING, logger="bot.animation.service"):
        assert svc.render_now(glide) is None
        assert svc.render_now(glide) is None
        assert svc.cached(glide) is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


async def test_a_missing_picture_is_rendered_once_in_the_background(
    tmp_path: Path, nothing_shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderer stands in (the real one: test_animation_render.py): concurrent asks
    share one rendering, and the file lands in the cache under its key."""
    calls: list[list[str]] = []

    def fake(targets: list[render.Target], folder: Path, python: str) -> list[Path]:
        calls.append([t.name for t in targets])
        folder.mkdir(parents=True, exist_ok=True)
        for t in targets:
            (folder / t.name).write_bytes(b"\x00\x00\x00\x18ftypmp42")
        return [folder / t.name for t in targets]

    monkeypatch.setattr(render, "renderer_python", lambda: "python-with-bpy")
    monkeypatch.setattr(render, "render", fake)
    import asyncio

    svc = AnimationService(tmp_path)
    glide = Drawing(Motion.SIDE_GLIDE, Side.LEFT)
    first, second = await asyncio.gather(svc.render(glide), svc.render(glide))
    assert first == second == svc.path(glide) and calls == [[glide.target.name]]
    assert svc.made == 1


def test_the_still_of_the_step_on_screen_follows_the_users_side() -> None:
    def at_step(rung_side: Side, step: int, wall: Side | None = None) -> Session:
        from flows.ladder import Stage
        from flows.session import LadderRecord

        return Session(
            cursor=Cursor(state=State.STEP, step=step),
            assessment=Assessment(side=rung_side, wall_shoulder=wall),
            ladder=LadderRecord(stage=Stage.SIDE_GLIDE),
        )

    assert still_for(at_step(Side.LEFT, 3)) == StepStill(Rung.SIDE_GLIDE, 3, Side.RIGHT)
    # a clinician's side for centre pain; and none without it (the text names none)
    assert still_for(at_step(Side.CENTRE, 2, Side.LEFT)) == StepStill(
        Rung.SIDE_GLIDE, 2, Side.LEFT
    )
    assert still_for(at_step(Side.CENTRE, 2)) is None
    assert still_for(Session()) is None  # not at a step


def test_the_readmes_stills_are_one_per_animation(tmp_path: Path) -> None:
    written = prerender.write_stills(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{m.value}.png" for m in Motion)
    for path in written:
        assert (
            path.read_bytes()
            == (MEDIA / prerender.cover(Motion(path.stem)).target.name).read_bytes()
        )


# --- end to end: a set starts with its animation ------------------------------------------


async def test_a_set_starts_with_its_animation_uploaded_once_then_by_file_id(
    tmp_path: Path,
    sqlite_db: Path,
) -> None:
    from flows import texts as t
    from tests.botkit import User, running, settings_for
    from tests.fakebotapi import FakeBotAPI
    from tests.test_e2e_telegram import STEP_BUTTONS, onboard

    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_ANIMATIONS=True)
        async with running(settings):
            first = User(api, 8801)
            await onboard(first)  # left-sided pain: the RIGHT shoulder to the wall
            await first.tap(t.B_START)
            step1 = await first.keyboard()
            assert step1.kind == "animation" and step1.uploaded
            assert "Step 1 of 8" in (step1.caption or "")  # the step's own text and buttons
            assert step1.button_texts == STEP_BUTTONS
            sent = api.calls("sendAnimation")[0]
            uploaded = next(iter(sent.files.values())).data
            assert uploaded == loop_file(Motion.SIDE_GLIDE, Side.RIGHT).read_bytes()
            second = User(api, 8802)
            await onboard(second)
            await second.tap(t.B_START)
            again = await second.keyboard()
            assert again.kind == "animation" and not again.uploaded
            assert again.file is not None and step1.file is not None
            assert again.file.file_id == step1.file.file_id
            assert [bool(c.files) for c in api.calls("sendAnimation")] == [True, False]


async def test_a_picture_that_cannot_be_made_never_holds_the_reply_back(
    tmp_path: Path, sqlite_db: Path, nothing_shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import texts as t
    from tests.botkit import User, running, settings_for
    from tests.fakebotapi import FakeBotAPI
    from tests.test_e2e_telegram import onboard

    monkeypatch.setattr(render, "renderer_python", lambda: None)
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_ANIMATIONS=True)
        async with running(settings):
            user = User(api, 8803)
            await onboard(user)
            await user.tap(t.B_START)
            step1 = await user.keyboard()
            assert step1.kind == "text" and "Step 1 of 8" in (step1.text or "")
            await user.tap("Next")
            step2 = await user.keyboard()
            assert "Step 2 of 8" in (step2.text or "")
        assert api.calls("sendAnimation") == []
