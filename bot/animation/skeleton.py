"""From a pose in the table (bot.animation.poses) to where every bone of the mannequin is.

The trunk is placed by angles (forward kinematics from the pelvis); each arm and leg
reaches for a named place ("flat on the floor under the shoulder", "on the hip") with a
two-bone solver whose elbow or knee points the way the place says. Naming places
rather than joint angles keeps the table readable and the contacts true: a hand on the
floor stays on the floor while the chest rises, a shoulder leaning on the wall stays on
it while the hips glide.

The other side is the mirror of the POSE: every point reflected through the body's
middle plane (x = 0) and left and right swapped, the bones' frames kept right-handed,
so the renderer draws the mirrored person exactly as it draws the first.

Pure Python (math only): the same numbers come out in the bot's interpreter and in the
renderer's, so a picture's hash never depends on where it was computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.animation import figure as fig
from bot.animation.poses import Body, Foot, Hand, Pose

Vec = tuple[float, float, float]
UP: Vec = (0.0, 0.0, 1.0)


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def mul(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def length(a: Vec) -> float:
    return math.sqrt(dot(a, a))


def unit(a: Vec) -> Vec:
    n = length(a)
    return mul(a, 1.0 / n) if n > 1e-12 else (0.0, 0.0, 1.0)


def lerp(a: Vec, b: Vec, t: float) -> Vec:
    return add(a, mul(sub(b, a), t))


def combine(*terms: tuple[Vec, float]) -> Vec:
    out: Vec = (0.0, 0.0, 0.0)
    for v, k in terms:
        out = add(out, mul(v, k))
    return out


def rotate(v: Vec, axis: Vec, degrees: float) -> Vec:
    """Rodrigues: v turned about the unit `axis` (right-hand rule)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return add(add(mul(v, c), mul(cross(axis, v), s)), mul(axis, dot(axis, v) * (1 - c)))


@dataclass(frozen=True, slots=True)
class Frame:
    """A bone: its joint `o` and its axes (x: the body's right, y: front, z: along it)."""

    o: Vec
    x: Vec
    y: Vec
    z: Vec

    def at(self, dx: float, dy: float, dz: float) -> Vec:
        return combine((self.o, 1.0), (self.x, dx), (self.y, dy), (self.z, dz))

    def turn(self, axis: str, degrees: float) -> Frame:
        """Turned about one of its own axes."""
        if abs(degrees) < 1e-12:
            return self
        k = {"x": self.x, "y": self.y, "z": self.z}[axis]
        return Frame(
            self.o,
            rotate(self.x, k, degrees),
            rotate(self.y, k, degrees),
            rotate(self.z, k, degrees),
        )

    def moved(self, o: Vec) -> Frame:
        return Frame(o, self.x, self.y, self.z)

    def mirrored(self) -> Frame:
        """Reflected through x = 0, the body's right axis flipped to stay right-handed."""

        def m(v: Vec) -> Vec:
            return (-v[0], v[1], v[2])

        return Frame(m(self.o), mul(m(self.x), -1.0), m(self.y), m(self.z))


def aimed(o: Vec, z: Vec, y_hint: Vec) -> Frame:
    """A frame at o whose z points along `z` and whose y is as close to `y_hint` as it can."""
    zz = unit(z)
    y = sub(y_hint, mul(zz, dot(y_hint, zz)))
    if length(y) < 1e-6:
        y = sub(UP, mul(zz, dot(UP, zz))) if abs(dot(UP, zz)) < 0.99 else (0.0, 1.0, 0.0)
    yy = unit(y)
    return Frame(o, cross(yy, zz), yy, zz)


def two_bone(root: Vec, target: Vec, a: float, b: float, hint: Vec) -> tuple[Vec, Vec]:
    """Elbow (or knee) and wrist (or ankle) for a limb of lengths a, b reaching for
    `target`; the middle joint bends toward `hint`. Out of reach: the limb straightens
    and points at the target."""
    d_vec = sub(target, root)
    d = min(max(length(d_vec), abs(a - b) + 1e-4), a + b - 1e-4)
    u = unit(d_vec)
    along = (a * a - b * b + d * d) / (2 * d)
    radius = math.sqrt(max(a * a - along * along, 0.0))
    p = sub(hint, mul(u, dot(hint, u)))
    p = unit(p) if length(p) > 1e-9 else unit(cross(u, (1.0, 0.0, 0.0)))
    middle = add(root, add(mul(u, along), mul(p, radius)))
    return middle, add(root, mul(u, d))


Bones = dict[str, Frame]

SIDES = (("r", 1.0), ("l", -1.0))
ARM = fig.UPPER_ARM + fig.FOREARM


WALL_X = 0.0
FOOT_SPACING = 0.24  # ankle to ankle, standing


def pelvis_frame(pose: Pose) -> Frame:
    """The pelvis in the world: standing facing +y (the wall at the right, x = WALL_X),
    lying face down or on the left side with the head toward +y."""
    if pose.body == Body.STANDING:
        near_x = WALL_X - pose.feet_from_wall_cm / 100 - 0.045
        feet_mid = (near_x - FOOT_SPACING / 2, 0.0, fig.ANKLE_HEIGHT)
        lean = _wall_lean(pose, feet_mid) if pose.shoulder_on_wall else 0.0
        hip_h = fig.THIGH + fig.SHIN - 0.03
        # the body leans as one line from the feet; the hips then glide along x
        base = add(feet_mid, rotate((0.0, 0.0, hip_h), (0.0, 1.0, 0.0), lean))
        centre = add(base, (pose.hips_shift_cm / 100, 0.0, 0.0))
        frame = _tilted(centre, feet_mid)
        # the far leg is the longer way to the pelvis: it bends the knees a little
        # (the pelvis sinks) rather than lifting its foot off the floor
        reach = (fig.THIGH + fig.SHIN) * 0.995
        for _ in range(200):
            ankles = _planted(pose)
            far = max(length(sub(frame.at(s * fig.HIP_HALF, 0, 0), a)) for s, a in ankles)
            if far <= reach:
                break
            frame = _tilted(sub(frame.o, (0.0, 0.0, 0.001)), feet_mid)
        return frame
    if pose.body == Body.FACE_DOWN:
        o = (pose.hips_shift_cm / 100, 0.0, fig.PRONE_HEIGHT + fig.MAT + pose.hips_lift_cm / 100)
        return Frame(o, (1.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0))
    o = (0.0, 0.0, fig.SIDE_HEIGHT + fig.MAT)
    return Frame(o, (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0))


def _tilted(centre: Vec, feet_mid: Vec) -> Frame:
    """A standing pelvis at `centre`, tilted like the legs that come up to it."""
    legs = sub(centre, feet_mid)
    roll = math.degrees(math.atan2(legs[0], legs[2]))
    return Frame(centre, (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)).turn("y", roll)


def _planted(pose: Pose) -> list[tuple[float, Vec]]:
    """Standing: each foot's ankle, (+1 right, -1 left), the right one nearer the wall."""
    near_x = WALL_X - pose.feet_from_wall_cm / 100 - 0.045
    return [
        (1.0, (near_x, 0.0, fig.ANKLE_HEIGHT)),
        (-1.0, (near_x - FOOT_SPACING, 0.0, fig.ANKLE_HEIGHT)),
    ]


def _wall_lean(pose: Pose, feet_mid: Vec) -> float:
    """The lean (degrees toward the wall) at which the straight body's right shoulder
    rests on the wall."""
    lo, hi = 0.0, 40.0
    for _ in range(40):
        mid = (lo + hi) / 2
        hip_h = fig.THIGH + fig.SHIN - 0.03
        centre = add(feet_mid, rotate((0.0, 0.0, hip_h), (0.0, 1.0, 0.0), mid))
        frame = Frame(centre, (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)).turn("y", mid)
        shoulder = _trunk(frame, 0.0, 0.0, 0.0)["chest"].at(
            fig.SHOULDER_HALF, 0.0, fig.CHEST - fig.SHOULDER_DROP
        )
        if shoulder[0] < WALL_X - fig.SHOULDER_TO_WALL:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _trunk(pelvis: Frame, arch: float, bend: float, turn: float) -> Bones:
    """The spine in two joints (low and mid back), each taking half of each angle:
    arch (+ the chest goes back), side bend (+ toward the right), turn (+ the right
    shoulder goes back)."""

    def bent(f: Frame) -> Frame:
        return f.turn("x", arch / 2).turn("y", bend / 2).turn("z", -turn / 2)

    abdomen = bent(pelvis.moved(pelvis.at(0, 0, fig.WAIST)))
    chest = bent(abdomen.moved(abdomen.at(0, 0, fig.ABDOMEN)))
    return {"pelvis": pelvis, "abdomen": abdomen, "chest": chest}


def shoulder(bones: Bones, s: float) -> Vec:
    return bones["chest"].at(s * fig.SHOULDER_HALF, 0.0, fig.CHEST - fig.SHOULDER_DROP)


def hip(bones: Bones, s: float) -> Vec:
    return bones["pelvis"].at(s * fig.HIP_HALF, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Reach:
    """Where a hand or foot goes: its wrist or ankle, the way the elbow or knee points,
    and the hand's or foot's own frame there (z toward the fingers or toes, y out of
    the back of the hand or the top of the foot)."""

    target: Vec
    hint: Vec
    tip: Vec  # fingers / toes direction
    back: Vec  # back of the hand / top of the foot


def _bend_for(pose: Pose, pelvis: Frame, point: Callable[[Bones], float], goal: float) -> float:
    """The side bend (degrees toward the right) that brings `point` (an x coordinate,
    which grows as the trunk bends right) to `goal`."""
    lo, hi = -45.0, 45.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if point(_trunk(pelvis, pose.back_arch_deg, mid, pose.chest_turn_deg)) < goal:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _neck_x(bones: Bones) -> float:
    return bones["chest"].at(0.0, 0.0, fig.CHEST)[0]


def _wall_shoulder_x(bones: Bones) -> float:
    return shoulder(bones, 1.0)[0]


def solve(pose: Pose, other: Pose | None = None, t: float = 0.0) -> Bones:
    """Every bone for `pose`, or for the way from `pose` to `other` at t (0..1): the
    numbers in between, each hand and foot going from one place to the next."""
    mix = pose if other is None else blend(pose, other, t)
    pelvis = pelvis_frame(mix)
    bend = mix.side_bend_deg
    if mix.body == Body.STANDING and mix.shoulder_on_wall:
        # the right shoulder stays on the wall while the hips glide
        bend = _bend_for(mix, pelvis, _wall_shoulder_x, WALL_X - fig.SHOULDER_TO_WALL)
    elif mix.body == Body.FACE_DOWN and mix.hips_shift_cm:
        # "leave your shoulders where they are": the trunk bends, the neck stays centred
        bend = _bend_for(mix, pelvis, _neck_x, 0.0)
    bones = _trunk(pelvis, mix.back_arch_deg, bend, mix.chest_turn_deg)
    chest = bones["chest"]
    neck = chest.moved(chest.at(0, 0, fig.CHEST))
    if mix.body == Body.STANDING:
        # the head stays level whatever the trunk does
        tilt = math.degrees(math.asin(max(-1.0, min(1.0, chest.z[0]))))
        neck = neck.turn("y", tilt)
    neck = neck.turn("x", -mix.head_lift_deg / 2).turn("z", -mix.head_turn_deg / 2)
    head = neck.moved(neck.at(0, 0, fig.NECK))
    head = head.turn("x", -mix.head_lift_deg / 2).turn("z", -mix.head_turn_deg / 2)
    bones["neck"], bones["head"] = neck, head

    for side, s in SIDES:
        reach = _leg_reach(bones, s, mix, (pose, other, t))
        knee, ankle = two_bone(hip(bones, s), reach.target, fig.THIGH, fig.SHIN, reach.hint)
        bones[f"thigh_{side}"] = aimed(hip(bones, s), sub(knee, hip(bones, s)), reach.hint)
        bones[f"shin_{side}"] = aimed(knee, sub(ankle, knee), reach.hint)
        bones[f"foot_{side}"] = aimed(ankle, reach.tip, reach.back)
    for side, s in SIDES:
        reach = _between(bones, (pose, other, t), _limb("hand", s), s, _hand_place)
        root = shoulder(bones, s)
        elbow, wrist = two_bone(root, reach.target, fig.UPPER_ARM, fig.FOREARM, reach.hint)
        bones[f"upper_arm_{side}"] = aimed(root, sub(elbow, root), reach.hint)
        bones[f"forearm_{side}"] = aimed(elbow, sub(wrist, elbow), reach.hint)
        bones[f"hand_{side}"] = aimed(wrist, reach.tip, reach.back)
    return bones


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """The numbers of the pose between a and b (places are blended by _between)."""

    def mixf(x: float, y: float) -> float:
        return x + (y - x) * t

    return replace(
        a if t < 0.5 else b,
        hips_shift_cm=mixf(a.hips_shift_cm, b.hips_shift_cm),
        hips_lift_cm=mixf(a.hips_lift_cm, b.hips_lift_cm),
        back_arch_deg=mixf(a.back_arch_deg, b.back_arch_deg),
        side_bend_deg=mixf(a.side_bend_deg, b.side_bend_deg),
        chest_turn_deg=mixf(a.chest_turn_deg, b.chest_turn_deg),
        head_turn_deg=mixf(a.head_turn_deg, b.head_turn_deg),
        head_lift_deg=mixf(a.head_lift_deg, b.head_lift_deg),
        feet_from_wall_cm=mixf(a.feet_from_wall_cm, b.feet_from_wall_cm),
        shoulder_on_wall=a.shoulder_on_wall and b.shoulder_on_wall,
    )


Way = tuple[Pose, Pose | None, float]


def _between(
    bones: Bones, way: Way, place_of: str, s: float, make: Callable[[Bones, Any, float], Reach]
) -> Reach:
    """A hand's or foot's place on the way from one pose to the next: the same place
    in both follows the body exactly; from one place to another it moves in a straight
    line in the pelvis's frame (so it travels with the body)."""
    first, then, t = way
    start = getattr(first, place_of)
    end = getattr(then, place_of) if then is not None else start
    here = make(bones, start, s)
    if then is None or start == end:
        return here
    there = make(bones, end, s)
    return Reach(
        lerp(here.target, there.target, t),
        lerp(here.hint, there.hint, t),
        unit(lerp(here.tip, there.tip, t)),
        unit(lerp(here.back, there.back, t)),
    )


def _limb(what: str, s: float) -> str:
    return f"{'right' if s > 0 else 'left'}_{what}"


def _leg_reach(bones: Bones, s: float, pose: Pose, way: Way) -> Reach:
    reach = _between(bones, way, _limb("foot", s), s, _foot_place)
    if pose.body == Body.STANDING:
        return replace(reach, target=dict(_planted(pose))[s])
    return reach


def _on_floor(p: Vec, height: float) -> Vec:
    return (p[0], p[1], height)


def _hand_place(bones: Bones, place: Hand, s: float) -> Reach:
    """Where each named place of the hand is, for the right (s=1) or left (s=-1) hand."""
    pelvis, chest = bones["pelvis"], bones["chest"]
    sh = shoulder(bones, s)
    floor = fig.MAT
    down = mul(UP, -1.0)
    if place == Hand.HANGING:
        return Reach(
            add(sh, combine((chest.z, -0.53), (chest.x, s * 0.035))),
            combine((chest.y, -1.0), (chest.x, s * 0.2)),
            mul(chest.z, -1.0),
            mul(chest.x, s),
        )
    if place == Hand.ALONG_BODY:
        # lying face down, arms by the sides, palms up
        at = pelvis.at(s * 0.235, 0.0, -0.07)
        return Reach(
            _on_floor(at, floor + 0.03),
            combine((UP, -0.3), (pelvis.x, s)),
            mul(pelvis.z, -1.0),
            down,
        )
    if place == Hand.UNDER_SHOULDER:
        # flat on the floor beside the chest, where the shoulder is when lying flat:
        # fixed to the pelvis, so it stays put while the chest rises
        reach = fig.WAIST + fig.ABDOMEN + fig.CHEST - fig.SHOULDER_DROP - 0.07
        at = pelvis.at(s * 0.235, 0.0, reach)
        return Reach(
            _on_floor(at, floor + 0.028),
            combine((pelvis.z, -1.0), (UP, 0.9), (pelvis.x, s * 0.5)),
            pelvis.z,
            UP,
        )
    if place == Hand.FOREARM_DOWN:
        # propped on the forearm: the elbow on the floor under the shoulder
        reach = fig.WAIST + fig.ABDOMEN + fig.CHEST - fig.SHOULDER_DROP + 0.03
        at = pelvis.at(s * 0.16, 0.0, reach + fig.FOREARM - 0.02)
        return Reach(
            _on_floor(at, floor + 0.035),
            combine((down, 1.0), (pelvis.z, -0.3)),
            pelvis.z,
            UP,
        )
    if place == Hand.TUCKED:
        # elbow bent and held in at the side, the forearm forward
        at = add(sh, combine((chest.z, -0.24), (chest.y, 0.23), (chest.x, -s * 0.07)))
        return Reach(
            at,
            combine((chest.z, -1.0), (chest.y, -0.4), (chest.x, s * 0.15)),
            combine((chest.y, 1.0), (chest.x, -s * 0.3)),
            mul(chest.x, s),
        )
    if place == Hand.ON_HIP:
        at = pelvis.at(s * 0.205, -0.035, 0.115)
        return Reach(
            at,
            combine((pelvis.x, s * 1.0), (pelvis.y, -0.7)),
            combine((pelvis.y, 0.8), (pelvis.z, -0.6), (pelvis.x, -s * 0.2)),
            mul(pelvis.x, s),
        )
    if place == Hand.BEHIND_NECK:
        neck = bones["neck"]
        at = neck.at(s * 0.085, -0.085, 0.03)
        return Reach(
            at,
            combine((chest.x, s * 1.0), (chest.z, 0.8), (chest.y, -0.2)),
            combine((chest.x, -s * 1.0), (chest.z, 0.3)),
            mul(chest.y, -1.0),
        )
    if place == Hand.ON_OTHER_KNEE:
        other = "r" if s < 0 else "l"
        knee = bones[f"shin_{other}"].o
        at = add(knee, combine((pelvis.z, 0.075), (pelvis.x, s * 0.03), (pelvis.y, 0.03)))
        return Reach(
            at,
            combine((pelvis.x, s * 1.0), (pelvis.y, -0.3)),
            combine((pelvis.z, -0.5), (pelvis.x, -s * 0.4), (pelvis.y, 0.5)),
            combine((pelvis.y, 1.0), (pelvis.x, -s * 0.2)),
        )
    if place == Hand.FORWARD_ON_FLOOR:
        at = add(sh, combine((pelvis.y, 0.34), (pelvis.z, 0.16)))
        return Reach(
            _on_floor(at, floor + 0.03),
            combine((pelvis.z, -1.0), (UP, -0.2)),
            pelvis.y,
            UP,
        )
    # Hand.ON_THIGH: resting on the thigh of the same side (lying on the other side)
    at = pelvis.at(s * 0.15, 0.06, -0.14)
    return Reach(
        at,
        combine((pelvis.y, -1.0), (pelvis.x, s * 0.5)),
        combine((pelvis.z, -1.0), (pelvis.y, 0.2)),
        mul(pelvis.x, s),
    )


def _foot_place(bones: Bones, place: Foot, s: float) -> Reach:
    pelvis = bones["pelvis"]
    h = hip(bones, s)
    floor = fig.MAT
    leg = fig.THIGH + fig.SHIN
    if place == Foot.PLANTED:  # standing: the ankle is set by the pose's feet distance
        return Reach(add(h, mul(UP, -leg)), (0.0, 1.0, 0.0), (0.0, 1.0, 0.0), UP)
    if place == Foot.STRAIGHT_BACK:  # face down: the tops of the feet on the floor
        at = add(h, mul(pelvis.z, -(leg - 0.01)))
        return Reach(
            _on_floor(at, floor + 0.045),
            mul(UP, -1.0),
            combine((pelvis.z, -1.0), (UP, -0.15)),
            mul(UP, -1.0),
        )
    if place == Foot.STRAIGHT:  # on the side: the leg straight, the foot at a right angle
        at = add(h, mul(pelvis.z, -(leg - 0.01)))
        return Reach(at, pelvis.y, combine((pelvis.y, 1.0), (pelvis.z, -0.25)), pelvis.z)
    if place == Foot.ON_OTHER_LEG:  # on the side: the top leg straight on the bottom one
        below = add(hip(bones, -s), mul(pelvis.z, -(leg - 0.01)))
        at = add(below, combine((pelvis.x, s * 0.10), (pelvis.y, -0.01)))
        return Reach(at, pelvis.y, combine((pelvis.y, 1.0), (pelvis.z, -0.25)), pelvis.z)
    # Foot.BEHIND_OTHER_KNEE: the top knee bent forward, the foot hooked behind the
    # bottom knee
    below_knee = add(hip(bones, -s), mul(pelvis.z, -fig.THIGH))
    at = add(below_knee, combine((pelvis.y, -0.085), (pelvis.x, s * 0.085), (pelvis.z, 0.02)))
    return Reach(
        at,
        combine((pelvis.y, 1.0), (pelvis.x, s * 0.35)),
        combine((pelvis.z, -0.6), (pelvis.x, -s * 0.5), (pelvis.y, 0.2)),
        combine((pelvis.y, 1.0), (pelvis.z, 0.3)),
    )


def mirrored(bones: Bones) -> Bones:
    """The same pose for the other side: reflected through x = 0, left and right swapped."""
    out: Bones = {}
    for name, frame in bones.items():
        swapped = name[:-1] + {"r": "l", "l": "r"}[name[-1]] if name[-2:] in ("_r", "_l") else name
        out[swapped] = frame.mirrored()
    return out
