"""One calm figure, drawn by matplotlib, frame by frame: the side glide seen from behind.

Seen from behind, as a physical therapist watches a sideways shift, the user's right
is on the right of the picture, so no mirror-image confusion can arise. Everything is
drawn for the wall on the RIGHT and mirrored for the LEFT: the x axis is symmetric
about 0 and the frame an even number of pixels wide, so the mirrored drawing is the
exact mirror image of the other, pixel for pixel up to antialiasing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from flows.model import Side

WIDTH_PX, HEIGHT_PX = 480, 480  # even: the mirror axis falls between two pixel columns
FPS = 12
HALF_WIDTH = 1.0  # drawing units either side of the mirror axis

SKIN = "#e8b995"
SHIRT = "#3a6ea5"
TROUSERS = "#35495e"
PAINFUL = "#f2a7a7"  # a soft colour on the painful leg
WALL = "#b9b2a6"
FLOOR = "#8d8577"
ARROW = "#d35400"
BACKGROUND = "#fbfaf7"
MAT = "#efe9df"


@dataclass(frozen=True, slots=True)
class Timing:
    """One repetition: glide in, hold, release slowly, rest; the loop repeats it."""

    glide_s: float = 1.6
    hold_s: float = 2.5  # the protocol's 2-3 s hold
    release_s: float = 1.6
    rest_s: float = 0.6

    @property
    def total_s(self) -> float:
        return self.glide_s + self.hold_s + self.release_s + self.rest_s

    def shift(self, t: float) -> float:
        """How far the hips have glided toward the wall, 0..1, at time t of the loop."""
        return bump(t % self.total_s, self.glide_s, self.hold_s, self.release_s)

    def moving_in(self, t: float) -> bool:
        return (t % self.total_s) < self.glide_s + self.hold_s


def _ease(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(x, 0.0), 1.0))


def bump(t: float, in_s: float, hold_s: float, out_s: float) -> float:
    """0..1 over one movement measured from its start: ease in, hold at 1, ease back out,
    then 0 (the rest). Every figure's timing is built from this one shape."""
    if t < in_s:
        return _ease(t / in_s)
    if t < in_s + hold_s:
        return 1.0
    if t < in_s + hold_s + out_s:
        return 1.0 - _ease((t - in_s - hold_s) / out_s)
    return 0.0


def _canvas() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_PX / 100, HEIGHT_PX / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-HALF_WIDTH, HALF_WIDTH)
    ax.set_ylim(0, 2 * HALF_WIDTH * HEIGHT_PX / WIDTH_PX)
    ax.set_axis_off()
    fig.patch.set_facecolor(BACKGROUND)
    return fig, ax


def _pixels(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    return rgba[:, :, :3].copy()


def _limb(
    ax: Axes, a: tuple[float, float], b: tuple[float, float], colour: str, width: float, z: int = 4
) -> None:
    ax.plot(
        [a[0], b[0]], [a[1], b[1]], color=colour, linewidth=width, solid_capstyle="round", zorder=z
    )


def _pelvis(
    ax: Axes, centre: float, y: float, width: float, height: float = 0.16, z: int = 3
) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (centre - width / 2, y - 0.07),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.06",
            color=TROUSERS,
            zorder=z,
        )
    )


def _mat(ax: Axes) -> None:
    """The exercise mat under a figure seen from above."""
    ax.add_patch(Rectangle((-0.8, 0.10), 1.6, 1.80, color=MAT, zorder=0))


def side_glide_frame(t: float, wall: Side, painful: Side | None, timing: Timing) -> np.ndarray:
    """One RGB frame (HEIGHT_PX x WIDTH_PX x 3, uint8) of the side glide at time t.

    `wall` is the shoulder on the wall (the drawing puts the wall on that side of the
    picture); `painful` gets the soft colour on its leg.
    """
    fig, ax = _canvas()
    s = 1.0 if wall == Side.RIGHT else -1.0  # +x is toward the wall
    glide = timing.shift(t)

    def x(v: float) -> float:
        return s * v

    # the wall, the floor
    ax.add_patch(Rectangle((min(x(0.62), x(1.05)), 0.0), 0.43, 2.0, color=WALL, zorder=0))
    ax.plot([-HALF_WIDTH, HALF_WIDTH], [0.12, 0.12], color=FLOOR, linewidth=3, zorder=1)

    # where the body is: shoulders against the wall stay; the hips glide toward it
    shoulder_y, hip_y, foot_y = 1.42, 0.86, 0.14
    wall_shoulder_x, other_shoulder_x = 0.56, 0.16
    hip_centre = 0.18 + 0.18 * glide  # under the rib cage at the end of the glide
    foot_far, foot_near = -0.06, 0.24  # feet apart from the wall

    def leg(foot: float, hip: float, side: Side) -> None:
        colour = PAINFUL if painful == side else TROUSERS
        ax.plot(
            [x(hip), x(foot)],
            [hip_y, foot_y],
            color=colour,
            linewidth=22,
            solid_capstyle="round",
            zorder=2,
        )

    near_side, far_side = wall, (Side.LEFT if wall == Side.RIGHT else Side.RIGHT)
    leg(foot_near, hip_centre + 0.09, near_side)
    leg(foot_far, hip_centre - 0.09, far_side)

    # pelvis and trunk: the trunk leans from the glided hips up to the shoulders
    _pelvis(ax, x(hip_centre), hip_y, 0.30)
    mid_shoulder = (wall_shoulder_x + other_shoulder_x) / 2
    trunk = [
        (x(hip_centre - 0.14), hip_y + 0.05),
        (x(hip_centre + 0.14), hip_y + 0.05),
        (x(wall_shoulder_x), shoulder_y),
        (x(other_shoulder_x), shoulder_y),
    ]
    ax.fill([p[0] for p in trunk], [p[1] for p in trunk], color=SHIRT, zorder=4)
    ax.add_patch(Circle((x(mid_shoulder), shoulder_y + 0.17), 0.12, color=SKIN, zorder=5))

    # the arm at the wall: elbow bent and tucked into the side, shoulder on the wall
    elbow = (wall_shoulder_x - 0.02, shoulder_y - 0.30)
    ax.plot(
        [x(wall_shoulder_x), x(elbow[0])],
        [shoulder_y, elbow[1]],
        color=SHIRT,
        linewidth=14,
        solid_capstyle="round",
        zorder=6,
    )
    ax.plot(
        [x(elbow[0]), x(elbow[0] - 0.05)],
        [elbow[1], elbow[1] + 0.14],
        color=SKIN,
        linewidth=11,
        solid_capstyle="round",
        zorder=6,
    )
    # the other hand on the far hip
    far_hip = (hip_centre - 0.15, hip_y + 0.04)
    far_elbow = (other_shoulder_x - 0.16, (shoulder_y + hip_y) / 2 + 0.04)
    ax.plot(
        [x(other_shoulder_x), x(far_elbow[0])],
        [shoulder_y, far_elbow[1]],
        color=SHIRT,
        linewidth=14,
        solid_capstyle="round",
        zorder=6,
    )
    ax.plot(
        [x(far_elbow[0]), x(far_hip[0])],
        [far_elbow[1], far_hip[1]],
        color=SKIN,
        linewidth=11,
        solid_capstyle="round",
        zorder=6,
    )

    # the direction: toward the wall while gliding in and holding, back when releasing
    start, end = (-0.30, 0.10) if timing.moving_in(t) else (0.10, -0.30)
    ax.add_patch(
        FancyArrowPatch(
            (x(start), 0.50),
            (x(end), 0.50),
            arrowstyle="-|>",
            mutation_scale=26,
            linewidth=4,
            color=ARROW,
            zorder=7,
        )
    )
    return _pixels(fig)


def side_glide_frames(
    wall: Side, painful: Side | None, timing: Timing = Timing()
) -> list[np.ndarray]:
    count = round(timing.total_s * FPS)
    return [side_glide_frame(i / FPS, wall, painful, timing) for i in range(count)]


# --- lying face down, seen from the side: hips on the floor, the upper body rising ------


@dataclass(frozen=True, slots=True)
class Rise:
    """How the upper body rises in one loop: up, held, down, rest; `angle` at the top."""

    angle: float  # degrees of the trunk from the floor at the top
    up_s: float
    hold_s: float
    down_s: float
    rest_s: float
    elbows: bool = False  # propped on the forearms rather than on straight arms

    @property
    def total_s(self) -> float:
        return self.up_s + self.hold_s + self.down_s + self.rest_s

    def lift(self, t: float) -> float:
        return bump(t % self.total_s, self.up_s, self.hold_s, self.down_s)

    def rising(self, t: float) -> bool:
        return (t % self.total_s) < self.up_s + self.hold_s


PRONE_LYING = Rise(angle=2.0, up_s=2.5, hold_s=0.5, down_s=2.5, rest_s=0.5)  # breathing only
PRONE_ON_ELBOWS = Rise(angle=20.0, up_s=1.6, hold_s=3.0, down_s=1.6, rest_s=0.8, elbows=True)
PRESS_UP = Rise(angle=38.0, up_s=1.4, hold_s=1.5, down_s=1.6, rest_s=0.7)  # pause 1-2 s


def prone_frame(t: float, rise: Rise) -> np.ndarray:
    """The press-up family from the side, head to the right: the hips stay on the floor."""
    fig, ax = _canvas()
    floor = 0.62
    ax.plot(
        [-HALF_WIDTH, HALF_WIDTH], [floor - 0.04, floor - 0.04], color=FLOOR, linewidth=3, zorder=1
    )
    hip = (-0.12, floor + 0.07)
    angle = math.radians(rise.angle * rise.lift(t))
    trunk = 0.58
    shoulder = (hip[0] + trunk * math.cos(angle), hip[1] + trunk * math.sin(angle))
    _limb(ax, (-0.86, floor + 0.04), hip, TROUSERS, 24, 2)  # legs and feet stay down
    _limb(ax, hip, shoulder, SHIRT, 34, 3)
    neck = (shoulder[0] + 0.10 * math.cos(angle), shoulder[1] + 0.10 * math.sin(angle))
    ax.add_patch(Circle((neck[0] + 0.05, neck[1] + 0.04), 0.09, color=SKIN, zorder=5))
    if rise.elbows or rise.angle < 5:
        elbow = (shoulder[0], floor + 0.02) if rise.elbows else (shoulder[0] - 0.2, floor + 0.05)
        hand = (elbow[0] + 0.26, floor + 0.02) if rise.elbows else (hip[0] + 0.02, floor + 0.05)
        _limb(ax, shoulder, elbow, SHIRT, 13, 4)
        _limb(ax, elbow, hand, SKIN, 11, 4)
    else:  # hands flat under the shoulders, arms straightening as the chest rises
        hand = (hip[0] + trunk * 0.86, floor + 0.02)
        elbow = (
            (shoulder[0] + hand[0]) / 2 + 0.04 * (1 - rise.lift(t)),
            (shoulder[1] + hand[1]) / 2,
        )
        _limb(ax, shoulder, elbow, SHIRT, 13, 4)
        _limb(ax, elbow, hand, SKIN, 11, 4)
    if rise.angle >= 5:
        up = rise.rising(t)
        mid = ((hip[0] + shoulder[0]) / 2, (hip[1] + shoulder[1]) / 2)
        base = (mid[0] - 0.04, mid[1] + 0.14)
        tip = (base[0], base[1] + (0.24 if up else -0.24))
        ax.add_patch(
            FancyArrowPatch(
                base if up else tip,
                tip if up else base,
                arrowstyle="-|>",
                mutation_scale=24,
                linewidth=4,
                color=ARROW,
                zorder=7,
            )
        )
    return _pixels(fig)


def prone_frames(rise: Rise) -> list[np.ndarray]:
    return [prone_frame(i / FPS, rise) for i in range(round(rise.total_s * FPS))]


# --- press-ups with the hips off centre, seen from above and behind ---------------------


@dataclass(frozen=True, slots=True)
class OffCentre:
    """Shift the hips, one press-up staying shifted, then back for the loop to close."""

    shift_s: float = 1.4
    up_s: float = 1.2
    hold_s: float = 1.5  # pause 1-2 s at the top
    down_s: float = 1.4
    back_s: float = 1.0

    @property
    def total_s(self) -> float:
        return self.shift_s + self.up_s + self.hold_s + self.down_s + self.back_s

    def at(self, t: float) -> tuple[float, float]:
        """(hips shifted 0..1, chest lifted 0..1) at time t."""
        t %= self.total_s
        pressing = self.up_s + self.hold_s + self.down_s
        shift = bump(t, self.shift_s, pressing, self.back_s)
        lift = (
            bump(t - self.shift_s, self.up_s, self.hold_s, self.down_s)
            if t >= self.shift_s
            else 0.0
        )
        return shift, lift


def hips_off_centre_frame(
    t: float, toward: Side, painful: Side | None, plan: OffCentre
) -> np.ndarray:
    """Face down, seen from above with the head at the top: the user's right is on the
    right of the picture. `toward` is the way the hips move (away from the pain)."""
    fig, ax = _canvas()
    s = 1.0 if toward == Side.RIGHT else -1.0
    shift, lift = plan.at(t)
    dx = 0.20 * shift
    _mat(ax)
    hip_y, shoulder_y = 0.82, 1.50 - 0.18 * lift  # the chest rising looks shorter from above
    for side, foot_x, hip_x in ((Side.LEFT, -0.16, -0.10), (Side.RIGHT, 0.16, 0.10)):
        colour = PAINFUL if painful == side else TROUSERS
        hx = s * dx + hip_x
        _limb(ax, (foot_x, 0.22), (hx, hip_y), colour, 20, 2)
    _pelvis(ax, s * dx, hip_y, 0.34)
    trunk = [
        (s * dx - 0.15, hip_y + 0.06),
        (s * dx + 0.15, hip_y + 0.06),
        (0.24, shoulder_y),
        (-0.24, shoulder_y),
    ]
    ax.fill([p[0] for p in trunk], [p[1] for p in trunk], color=SHIRT, zorder=4)
    ax.add_patch(Circle((0.0, shoulder_y + 0.15), 0.11, color=SKIN, zorder=5))
    for sign in (-1.0, 1.0):  # hands flat under the shoulders
        _limb(
            ax,
            (sign * 0.24, shoulder_y),
            (sign * 0.30, shoulder_y - 0.16 + 0.05 * lift),
            SHIRT,
            12,
            6,
        )
    if shift < 1.0 or lift == 0.0:
        start, end = (0.0, s * 0.42) if (t % plan.total_s) < plan.shift_s else (s * 0.42, 0.0)
        ax.add_patch(
            FancyArrowPatch(
                (start, 0.55),
                (end, 0.55),
                arrowstyle="-|>",
                mutation_scale=26,
                linewidth=4,
                color=ARROW,
                zorder=7,
            )
        )
    return _pixels(fig)


def hips_off_centre_frames(toward: Side, painful: Side | None) -> list[np.ndarray]:
    plan = OffCentre()
    return [
        hips_off_centre_frame(i / FPS, toward, painful, plan)
        for i in range(round(plan.total_s * FPS))
    ]


# --- the flexion with rotation stretch, lying on one side, seen from above --------------

ROTATION_S = (2.0, 2.5, 2.0, 0.8)  # turn back, hold, return, rest (no dose in the sources)


def flexion_rotation_frame(t: float, lying_on: Side) -> np.ndarray:
    """Lying on one side, seen from above, head at the top: the bottom leg straight, the
    top knee bent with its foot behind the bottom knee, the top hand behind the neck,
    the top shoulder turning back toward the floor (the arrow)."""
    turn_s, hold_s, back_s, rest_s = ROTATION_S
    period = turn_s + hold_s + back_s + rest_s
    u = t % period
    turn = bump(u, turn_s, hold_s, back_s)
    fig, ax = _canvas()
    s = 1.0 if lying_on == Side.LEFT else -1.0  # the back faces this way (+x: LEFT side down)
    _mat(ax)
    hip, shoulder = (0.0, 0.82), (0.0, 1.42)
    _limb(ax, (s * 0.04, 0.18), (0.0, hip[1]), TROUSERS, 20, 2)  # bottom leg, straight
    knee = (-s * 0.34, 0.58)
    _limb(ax, (0.0, hip[1]), knee, "#4a6078", 20, 3)  # top thigh, knee bent forward
    _limb(ax, knee, (s * 0.02, 0.50), "#4a6078", 18, 3)  # top foot behind the bottom knee
    _pelvis(ax, 0.0, hip[1], 0.32, height=0.15, z=4)
    width = 0.22 + 0.16 * turn  # the shoulders open out as the top one turns back
    trunk = [
        (-0.15, hip[1] + 0.05),
        (0.15, hip[1] + 0.05),
        (s * width, shoulder[1]),
        (-s * 0.10, shoulder[1]),
    ]
    ax.fill([p[0] for p in trunk], [p[1] for p in trunk], color=SHIRT, zorder=5)
    ax.add_patch(Circle((0.0, shoulder[1] + 0.16), 0.11, color=SKIN, zorder=6))
    elbow = (s * (width + 0.10), shoulder[1] + 0.10)
    _limb(ax, (s * width, shoulder[1]), elbow, SHIRT, 12, 7)  # top hand behind the neck
    _limb(ax, elbow, (s * 0.06, shoulder[1] + 0.12), SKIN, 10, 7)
    _limb(ax, (-s * 0.10, shoulder[1] - 0.05), (-s * 0.30, 0.95), SKIN, 10, 7)  # on the knee
    going = u < turn_s + hold_s
    a, b = (s * 0.20, 1.72), (s * 0.55, 1.50)
    ax.add_patch(
        FancyArrowPatch(
            a if going else b,
            b if going else a,
            connectionstyle="arc3,rad=-0.35" if s > 0 else "arc3,rad=0.35",
            arrowstyle="-|>",
            mutation_scale=24,
            linewidth=4,
            color=ARROW,
            zorder=8,
        )
    )
    return _pixels(fig)


def flexion_rotation_frames(lying_on: Side) -> list[np.ndarray]:
    period = sum(ROTATION_S)
    return [flexion_rotation_frame(i / FPS, lying_on) for i in range(round(period * FPS))]
