"""Where each exercise is shown: the room, the camera, the arrows; and the render job.

A physical therapist's view of each exercise:
- the side glide from behind at three-quarters, from the side away from the wall, a
  little above shoulder height: the back of the head, both feet, the far hand on its
  hip and the wall with the shoulder against it are all in sight; the wall is on the
  right of the picture for the RIGHT shoulder (from behind, the person's right is the
  picture's right);
- lying face down (prone lying, on elbows, press-ups) from the side and a little
  above, head to the right: the hips stay on the mat while the chest rises;
- the hips off centre from beyond the feet and above, so the hips' move to the
  person's right is a move to the right of the picture, the way a person reads it;
- the flexion stretch from in front and above: the face, the hooked top knee, the
  hand behind the neck and the top shoulder turning back, away from the camera.

A job is plain data (JSON) for bot/animation/blender.py, which runs under Blender's
Python: every bone's frame in every frame of the loop, the static room, the arrows'
paths and which one shows when, and the pause sign. Its hash is the picture's key.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.animation import figure as fig
from bot.animation import skeleton as sk
from bot.animation.poses import (
    COVER,
    LOOPS,
    STEPS,
    Arrow,
    Beat,
    Motion,
    Pose,
    Sign,
    Still,
)
from bot.animation.skeleton import Bones, Vec
from flows.model import Rung, Side

# the side each motion is written for in the table; the other is its mirror
WRITTEN_FOR: dict[Motion, Side] = {
    Motion.SIDE_GLIDE: Side.RIGHT,  # the shoulder on the wall
    Motion.HIPS_OFF_CENTRE: Side.RIGHT,  # the way the hips move
    Motion.FLEXION_ROTATION: Side.LEFT,  # the side lain on
}
SIDED = frozenset(WRITTEN_FOR)


def mirror_for(motion: Motion, side: Side | None) -> bool:
    """Whether `side` (flows.catalogue.step_side's) is the mirror of the table's side;
    None (no side known, e.g. centre pain without a prescription) shows the table's."""
    written = WRITTEN_FOR.get(motion)
    return written is not None and side in (Side.LEFT, Side.RIGHT) and side != written


@dataclass(frozen=True, slots=True)
class Prop:
    """A box of the room: centre, half sizes, colour."""

    centre: Vec
    half: Vec
    colour: str


@dataclass(frozen=True, slots=True)
class View:
    camera: Vec
    target: Vec
    lens_mm: float
    props: tuple[Prop, ...]
    shadow_from: Vec  # the direction the light comes from (world), for the shadows
    # where each arrow is drawn: the point it follows and the offset from it
    arrows: dict[Arrow, tuple[Callable[[Bones], Vec], Vec]]


FLOOR = Prop((0.0, 0.6, -0.01), (6.0, 6.0, 0.01), fig.FLOOR)


def _mat(centre_x: float, centre_y: float, half_x: float, half_y: float) -> Prop:
    return Prop((centre_x, centre_y, fig.MAT / 2), (half_x, half_y, fig.MAT / 2), fig.MAT_COLOUR)


WALL = Prop((sk.WALL_X + 0.06, 0.0, 2.0), (0.06, 8.0, 2.0), fig.WALL)
SKIRTING = Prop((sk.WALL_X - 0.006, 0.0, 0.045), (0.008, 8.0, 0.045), fig.SKIRTING)


def _neck(b: Bones) -> Vec:
    return b["chest"].at(0.0, 0.0, fig.CHEST)


def _beside_neck(b: Bones) -> Vec:
    """Level with the base of the neck, beside the body on the side away from the hips'
    move: seen from beyond the feet, a rise there is a rise in the picture."""
    neck = _neck(b)
    return (-0.42, 0.36, neck[2] + 0.08)


def _pelvis(b: Bones) -> Vec:
    return b["pelvis"].o


def _around_spine(b: Bones) -> Vec:
    """The top elbow's place on a circle about the spine a quarter wider than its own,
    so the turn's arrow goes round just outside the arm."""
    spine = b["chest"].at(0.0, 0.0, fig.CHEST - fig.SHOULDER_DROP)
    return sk.add(spine, sk.mul(sk.sub(b["forearm_r"].o, spine), 1.3))


def _hip_level(b: Bones) -> Vec:
    """The pelvis, at a fixed height: the glide is a sideways move (the pelvis sinks a
    little as the knees give, which an arrow would show as a move down)."""
    return (b["pelvis"].o[0], b["pelvis"].o[1], 0.90)


def _feet(b: Bones) -> Vec:
    return sk.lerp(b["foot_r"].o, b["foot_l"].o, 0.5)


PRONE_VIEW = View(
    camera=(2.1, 0.05, 1.25),
    target=(0.0, 0.05, 0.26),
    lens_mm=38,
    props=(FLOOR, _mat(0.0, 0.1, 0.36, 1.05)),
    shadow_from=(0.25, -0.35, 1.0),
    arrows={
        Arrow.CHEST_UP: (_neck, (0.30, 0.34, 0.05)),
        Arrow.CHEST_DOWN: (_neck, (0.30, 0.34, 0.05)),
    },
)
VIEWS: dict[Motion, View] = {
    Motion.PRONE_LYING: PRONE_VIEW,
    Motion.PRONE_ON_ELBOWS: PRONE_VIEW,
    Motion.PRESS_UP: PRONE_VIEW,
    Motion.HIPS_OFF_CENTRE: View(
        camera=(0.0, -1.45, 1.95),
        target=(0.0, 0.38, 0.12),
        lens_mm=34,
        props=(FLOOR, _mat(0.0, 0.1, 0.42, 1.05)),
        shadow_from=(0.0, -0.3, 1.0),
        arrows={
            Arrow.HIPS_RIGHT: (_pelvis, (0.0, -0.12, 0.16)),
            Arrow.HIPS_BACK_LEFT: (_pelvis, (0.0, -0.12, 0.16)),
            Arrow.CHEST_UP: (_beside_neck, (0.0, 0.0, 0.0)),
            Arrow.CHEST_DOWN: (_beside_neck, (0.0, 0.0, 0.0)),
        },
    ),
    Motion.SIDE_GLIDE: View(
        camera=(-1.75, -2.75, 1.50),
        target=(-0.24, 0.05, 0.97),
        lens_mm=46,
        props=(FLOOR, WALL, SKIRTING),
        shadow_from=(-0.5, -0.4, 1.0),
        arrows={
            Arrow.HIPS_TO_WALL: (_hip_level, (0.0, -0.24, 0.0)),
            Arrow.HIPS_FROM_WALL: (_hip_level, (0.0, -0.24, 0.0)),
            Arrow.STEP_AWAY: (_feet, (0.0, -0.22, -0.05)),
        },
    ),
    Motion.FLEXION_ROTATION: View(
        camera=(1.55, -1.45, 1.45),
        target=(0.05, 0.22, 0.20),
        lens_mm=35,
        props=(FLOOR, _mat(0.05, 0.1, 0.45, 1.05)),
        shadow_from=(0.3, -0.3, 1.0),
        arrows={
            Arrow.SHOULDER_BACK: (_around_spine, (0.0, 0.0, 0.0)),
            Arrow.SHOULDER_FORWARD: (_around_spine, (0.0, 0.0, 0.0)),
        },
    ),
}

ARROW_MIN_M = 0.30  # a short movement (the hips' few inches) still gets a readable arrow
ARROW_FROM = 0.1


def ease(u: float) -> float:
    """Slow in, slow out: how far along a movement the body is at u (0..1) of its time."""
    return 0.5 - 0.5 * math.cos(math.pi * min(max(u, 0.0), 1.0))


def arrow_path(view: View, arrow: Arrow, start: Pose, end: Pose) -> list[Vec]:
    """The arrow of one movement: the path its point takes, lifted clear of the body,
    stretched about its middle to at least ARROW_MIN_M."""
    point, offset = view.arrows[arrow]
    path = [sk.add(point(sk.solve(start, end, i / 8)), offset) for i in range(9)]
    total = sum(sk.length(sk.sub(b, a)) for a, b in itertools.pairwise(path))
    if total < ARROW_MIN_M:
        middle = sk.lerp(path[0], path[-1], 0.5)
        k = ARROW_MIN_M / max(total, 1e-6)
        path = [sk.add(middle, sk.mul(sk.sub(p, middle), k)) for p in path]
    return path


# --- the render job ---------------------------------------------------------------------


def _r(v: float) -> float:
    return round(v, 5) + 0.0  # + 0.0: never "-0.0" in the JSON


def _vec(v: Vec, mirror: bool) -> list[float]:
    return [_r(-v[0] if mirror else v[0]), _r(v[1]), _r(v[2])]


def _bones(bones: Bones, mirror: bool) -> dict[str, list[list[float]]]:
    if mirror:
        bones = sk.mirrored(bones)
    return {
        name: [_vec(f.o, False), _vec(f.x, False), _vec(f.y, False), _vec(f.z, False)]
        for name, f in sorted(bones.items())
    }


def _room(view: View, mirror: bool) -> dict[str, Any]:
    return {
        "camera": {
            "location": _vec(view.camera, mirror),
            "target": _vec(view.target, mirror),
            "lens_mm": view.lens_mm,
        },
        "shadow_from": _vec(view.shadow_from, mirror),
        "props": [
            {"centre": _vec(p.centre, mirror), "half": list(p.half), "colour": p.colour}
            for p in view.props
        ],
        "parts": [
            {
                "bone": p.bone,
                "shape": p.shape,
                "colour": p.colour,
                "at": list(p.at),
                "size": list(p.size),
                "to": list(p.to),
                "clip": list(p.clip) if p.clip else None,
            }
            for p in fig.PARTS
        ],
        "colours": {
            "background": fig.BACKGROUND,
            "arrow": fig.ARROW,
            "sign": fig.SIGN,
            "sign_fill": fig.SIGN_FILL,
        },
        "size": [fig.WIDTH_PX, fig.HEIGHT_PX],
    }


@dataclass(frozen=True, slots=True)
class FramePlan:
    """What one frame shows (the tests read the plan to know what to look for)."""

    start: Pose
    end: Pose
    t: float  # eased progress from start to end
    sign: Sign
    arrow: int | None  # index of the arrow path shown
    fill: float  # the hold bar, 0..1


def loop_plan(motion: Motion) -> tuple[list[FramePlan], list[tuple[Beat, Pose]]]:
    """Every frame of a loop, and for each arrow beat its (beat, start pose)."""
    loop = LOOPS[motion]
    beats = loop.beats
    count = round(loop.seconds * fig.FPS)
    arrows: list[tuple[Beat, Pose]] = []
    arrow_of: dict[int, int] = {}
    for i, beat in enumerate(beats):
        if beat.sign == Sign.ARROW and beat.arrow is not None:
            arrow_of[i] = len(arrows)
            arrows.append((beat, beats[i - 1].pose))
    plans = []
    for k in range(count):
        t = k / fig.FPS
        start_s = 0.0
        for i, beat in enumerate(beats):
            if t < start_s + beat.seconds or i == len(beats) - 1:
                u = (t - start_s) / beat.seconds
                # the arrow shows while the movement can be seen: not in its first and
                # last tenth, where the slow start and finish barely move the body
                shown = arrow_of.get(i) if ARROW_FROM <= u <= 1 - ARROW_FROM else None
                plans.append(
                    FramePlan(
                        beats[i - 1].pose,
                        beat.pose,
                        ease(u),
                        beat.sign,
                        shown,
                        min(max(u, 0.0), 1.0) if beat.sign == Sign.HOLD else 0.0,
                    )
                )
                break
            start_s += beat.seconds
    return plans, arrows


def loop_job(motion: Motion, side: Side | None) -> dict[str, Any]:
    """The render job of one animation, for one side."""
    mirror = mirror_for(motion, side)
    view = VIEWS[LOOPS[motion].view]
    plans, arrows = loop_plan(motion)
    paths = [
        [_vec(p, mirror) for p in arrow_path(view, beat.arrow, start, beat.pose)]
        for beat, start in arrows
        if beat.arrow is not None
    ]
    frames = [
        {
            "bones": _bones(sk.solve(p.start, p.end, p.t), mirror),
            "arrow": p.arrow,
            "sign": p.sign.value if p.sign in (Sign.HOLD, Sign.STAY) else None,
            "fill": _r(p.fill),
        }
        for p in plans
    ]
    return {**_room(view, mirror), "arrows": paths, "frames": frames}


def still_for(rung: Rung, step: int) -> tuple[Motion, Still]:
    """The table's still of one learn-mode step (numbered from 1)."""
    return STEPS[rung][step - 1]


def still_job(rung: Rung, step: int, side: Side | None) -> dict[str, Any]:
    motion, still = still_for(rung, step)
    mirror = mirror_for(motion, side)
    view = VIEWS[motion]
    paths = []
    if still.sign == Sign.ARROW and still.arrow is not None and still.came_from is not None:
        paths.append(
            [_vec(p, mirror) for p in arrow_path(view, still.arrow, still.came_from, still.pose)]
        )
    frame = {
        "bones": _bones(sk.solve(still.pose), mirror),
        "arrow": 0 if paths else None,
        "sign": still.sign.value if still.sign in (Sign.HOLD, Sign.STAY) else None,
        "fill": 0.5 if still.sign == Sign.HOLD else 0.0,
    }
    return {**_room(view, mirror), "arrows": paths, "frames": [frame]}


def cover(motion: Motion) -> tuple[Rung, int]:
    """The step whose still stands for a whole animation (README, report)."""
    return COVER[motion]
