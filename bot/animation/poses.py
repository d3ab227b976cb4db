"""Every position the pictures show, as one table a physical therapist can read.

Each exercise's positions are written once, for one side: the side glide with the
RIGHT shoulder on the wall, the hips off centre moved to the RIGHT, the flexion
stretch lying on the LEFT side (right side up). The other side is the same pose
mirrored (bot.animation.skeleton.mirrored), never a second table.

A position names where the body is (standing, face down, on the left side), a few
numbers (centimetres, degrees) and where each hand and foot is, in words; the
skeleton turns the words into joint positions (a hand "under the shoulder" stays on
the floor while the chest rises). STEPS gives each step of the learn mode
(flows.catalogue, in order) its position: the still sent with that step. LOOPS gives
each animation its beats: a position reached over some seconds, with the arrow of
that movement, or held under the pause sign.

To change a picture, change its row; the media in bot/animation/media are keyed by
a hash of what they show, so a test fails until `make docs-images` renders them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from flows.model import Rung


class Body(StrEnum):
    STANDING = "standing"  # facing +y; the wall (side glide) at the right
    FACE_DOWN = "face down"  # head toward +y
    ON_LEFT_SIDE = "lying on the left side"  # head toward +y, facing +x, right side up


class Hand(StrEnum):
    HANGING = "hanging at the side"
    ALONG_BODY = "on the floor along the body, palm up"
    UNDER_SHOULDER = "flat on the floor under the shoulder"
    FOREARM_DOWN = "forearm on the floor, elbow under the shoulder"
    TUCKED = "elbow bent and tucked into the side"
    ON_HIP = "on the hip of the same side"
    BEHIND_NECK = "behind the neck"
    ON_OTHER_KNEE = "holding the other (top) knee"
    FORWARD_ON_FLOOR = "on the floor in front of the chest"
    ON_THIGH = "resting on the thigh"


class Foot(StrEnum):
    PLANTED = "standing on the floor"
    STRAIGHT_BACK = "leg straight, top of the foot on the floor"
    STRAIGHT = "leg straight"
    ON_OTHER_LEG = "leg straight, resting on the other leg"
    BEHIND_OTHER_KNEE = "knee bent, foot hooked behind the other knee"


@dataclass(frozen=True, slots=True)
class Pose:
    body: Body
    right_hand: Hand
    left_hand: Hand
    right_foot: Foot
    left_foot: Foot
    hips_shift_cm: float = 0.0  # the pelvis moved toward the body's right
    hips_lift_cm: float = 0.0  # face down: the pelvis lifted off the floor
    back_arch_deg: float = 0.0  # the chest taken back (face down: up off the floor)
    side_bend_deg: float = 0.0  # the trunk bent toward the body's right
    chest_turn_deg: float = 0.0  # the chest turned so the right shoulder goes back
    head_turn_deg: float = 0.0  # the face turned toward the body's right
    head_lift_deg: float = 0.0  # the chin lifted (the head tipped back)
    feet_from_wall_cm: float = 38.0  # standing: the wall-side foot's edge to the wall
    shoulder_on_wall: bool = False  # standing: leaning the right shoulder on the wall


# --- lying face down ------------------------------------------------------------------
PRONE = Pose(
    Body.FACE_DOWN,
    Hand.ALONG_BODY,
    Hand.ALONG_BODY,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    head_turn_deg=80,  # "head turned to one side": toward the camera
)
ON_ELBOWS = Pose(
    Body.FACE_DOWN,
    Hand.FOREARM_DOWN,
    Hand.FOREARM_DOWN,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    back_arch_deg=26,
    head_lift_deg=-8,
)
HANDS_SET = Pose(
    Body.FACE_DOWN,
    Hand.UNDER_SHOULDER,
    Hand.UNDER_SHOULDER,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    head_lift_deg=-10,
)
PRESSED_UP = Pose(
    Body.FACE_DOWN,
    Hand.UNDER_SHOULDER,
    Hand.UNDER_SHOULDER,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    back_arch_deg=52,
    head_lift_deg=-18,
)
FLAT = Pose(
    Body.FACE_DOWN, Hand.ALONG_BODY, Hand.ALONG_BODY, Foot.STRAIGHT_BACK, Foot.STRAIGHT_BACK
)
# the hips moved a few inches to the right, the shoulders where they were
HIPS_SHIFTED = Pose(
    Body.FACE_DOWN,
    Hand.ALONG_BODY,
    Hand.ALONG_BODY,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    hips_shift_cm=10,
)
SHIFTED_HANDS_SET = Pose(
    Body.FACE_DOWN,
    Hand.UNDER_SHOULDER,
    Hand.UNDER_SHOULDER,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    hips_shift_cm=10,
    head_lift_deg=-10,
)
SHIFTED_UP = Pose(
    Body.FACE_DOWN,
    Hand.UNDER_SHOULDER,
    Hand.UNDER_SHOULDER,
    Foot.STRAIGHT_BACK,
    Foot.STRAIGHT_BACK,
    hips_shift_cm=10,
    back_arch_deg=50,
    head_lift_deg=-18,
)

# --- standing at the wall, the RIGHT shoulder to it ---------------------------------------
SIDE_ON = Pose(Body.STANDING, Hand.HANGING, Hand.HANGING, Foot.PLANTED, Foot.PLANTED)
ELBOW_TUCKED = Pose(Body.STANDING, Hand.TUCKED, Hand.HANGING, Foot.PLANTED, Foot.PLANTED)
LEANING = Pose(
    Body.STANDING, Hand.TUCKED, Hand.HANGING, Foot.PLANTED, Foot.PLANTED, shoulder_on_wall=True
)
AT_THE_WALL = Pose(
    Body.STANDING, Hand.TUCKED, Hand.ON_HIP, Foot.PLANTED, Foot.PLANTED, shoulder_on_wall=True
)
GLIDED = Pose(
    Body.STANDING,
    Hand.TUCKED,
    Hand.ON_HIP,
    Foot.PLANTED,
    Foot.PLANTED,
    shoulder_on_wall=True,
    hips_shift_cm=11,
)
STEPPED_AWAY = Pose(
    Body.STANDING, Hand.HANGING, Hand.HANGING, Foot.PLANTED, Foot.PLANTED, feet_from_wall_cm=62
)

# --- lying on the LEFT side, right side up ---------------------------------------------
ON_SIDE = Pose(
    Body.ON_LEFT_SIDE,
    Hand.ON_THIGH,
    Hand.FORWARD_ON_FLOOR,
    Foot.ON_OTHER_LEG,
    Foot.STRAIGHT,
    side_bend_deg=8,
)
KNEE_HOOKED = Pose(
    Body.ON_LEFT_SIDE,
    Hand.ON_THIGH,
    Hand.FORWARD_ON_FLOOR,
    Foot.BEHIND_OTHER_KNEE,
    Foot.STRAIGHT,
    side_bend_deg=8,
)
HANDS_PLACED = Pose(
    Body.ON_LEFT_SIDE,
    Hand.BEHIND_NECK,
    Hand.ON_OTHER_KNEE,
    Foot.BEHIND_OTHER_KNEE,
    Foot.STRAIGHT,
    side_bend_deg=8,
    back_arch_deg=-10,
)
TURNED = Pose(
    Body.ON_LEFT_SIDE,
    Hand.BEHIND_NECK,
    Hand.ON_OTHER_KNEE,
    Foot.BEHIND_OTHER_KNEE,
    Foot.STRAIGHT,
    side_bend_deg=8,
    back_arch_deg=-10,
    chest_turn_deg=65,
    head_turn_deg=-30,
)


class Sign(StrEnum):
    """What is drawn over the body during a beat."""

    NONE = "none"
    ARROW = "arrow"  # the movement of this beat, while it happens
    HOLD = "hold"  # the pause sign, its bar filling over the seconds (a timed hold)
    STAY = "stay"  # the pause sign alone: stay here (a time the sources do not give)


class Arrow(StrEnum):
    """Which movement an arrow names (bot.animation.scene places and draws each)."""

    CHEST_UP = "chest up"
    CHEST_DOWN = "chest down"
    HIPS_RIGHT = "hips to the right"
    HIPS_BACK_LEFT = "hips back to the middle"
    HIPS_TO_WALL = "hips toward the wall"
    HIPS_FROM_WALL = "hips back from the wall"
    STEP_AWAY = "step away from the wall"
    SHOULDER_BACK = "top shoulder back toward the floor"
    SHOULDER_FORWARD = "top shoulder forward again"


@dataclass(frozen=True, slots=True)
class Beat:
    """One part of a loop: the body reaches `pose` over `seconds` (or holds it)."""

    pose: Pose
    seconds: float
    sign: Sign = Sign.NONE
    arrow: Arrow | None = None


@dataclass(frozen=True, slots=True)
class Still:
    """One learn-mode step's picture: its position, and the arrow or pause sign of the
    step's movement (a still shows where the step ends)."""

    pose: Pose
    sign: Sign = Sign.NONE
    arrow: Arrow | None = None
    came_from: Pose | None = None  # an arrow's movement starts here


class Motion(StrEnum):
    PRONE_LYING = "prone_lying"
    PRONE_ON_ELBOWS = "prone_on_elbows"
    PRESS_UP = "press_up"
    HIPS_OFF_CENTRE = "hips_off_centre"
    SIDE_GLIDE = "side_glide"
    FLEXION_ROTATION = "flexion_rotation"


@dataclass(frozen=True, slots=True)
class Loop:
    """An animation: its beats in order; the last ends where the first starts."""

    beats: tuple[Beat, ...]
    view: Motion = field(default=Motion.PRESS_UP)  # whose camera and set (scene.VIEWS)

    @property
    def seconds(self) -> float:
        return sum(b.seconds for b in self.beats)


def _loop(view: Motion, *beats: Beat) -> Loop:
    return Loop(beats, view)


LOOPS: dict[Motion, Loop] = {
    # lying flat, relaxed: nothing moves but the breath (no arrow: no movement to make)
    Motion.PRONE_LYING: _loop(
        Motion.PRONE_LYING,
        Beat(PRONE, 2.5, Sign.STAY),
        Beat(PRONE, 2.0, Sign.STAY),
    ),
    Motion.PRONE_ON_ELBOWS: _loop(
        Motion.PRONE_ON_ELBOWS,
        Beat(FLAT, 0.6),
        Beat(ON_ELBOWS, 1.6, Sign.ARROW, Arrow.CHEST_UP),
        Beat(ON_ELBOWS, 3.0, Sign.STAY),
        Beat(FLAT, 1.6, Sign.ARROW, Arrow.CHEST_DOWN),
    ),
    # the press-up: up, pause 1-2 s at the top, down slowly
    Motion.PRESS_UP: _loop(
        Motion.PRESS_UP,
        Beat(HANDS_SET, 0.7),
        Beat(PRESSED_UP, 1.5, Sign.ARROW, Arrow.CHEST_UP),
        Beat(PRESSED_UP, 1.5, Sign.HOLD),
        Beat(HANDS_SET, 1.8, Sign.ARROW, Arrow.CHEST_DOWN),
    ),
    # hips a few inches to the right, hands set, one press-up with the hips kept there,
    # then the hips back to the middle for the next loop
    Motion.HIPS_OFF_CENTRE: _loop(
        Motion.HIPS_OFF_CENTRE,
        Beat(FLAT, 0.4),
        Beat(HIPS_SHIFTED, 1.3, Sign.ARROW, Arrow.HIPS_RIGHT),
        Beat(SHIFTED_HANDS_SET, 0.8),
        Beat(SHIFTED_UP, 1.3, Sign.ARROW, Arrow.CHEST_UP),
        Beat(SHIFTED_UP, 1.5, Sign.HOLD),
        Beat(SHIFTED_HANDS_SET, 1.4, Sign.ARROW, Arrow.CHEST_DOWN),
        Beat(FLAT, 1.0, Sign.ARROW, Arrow.HIPS_BACK_LEFT),
    ),
    # the glide: hips toward the wall, hold 2-3 s, relax back (never swung away)
    Motion.SIDE_GLIDE: _loop(
        Motion.SIDE_GLIDE,
        Beat(AT_THE_WALL, 0.6),
        Beat(GLIDED, 1.6, Sign.ARROW, Arrow.HIPS_TO_WALL),
        Beat(GLIDED, 2.5, Sign.HOLD),
        Beat(AT_THE_WALL, 1.6, Sign.ARROW, Arrow.HIPS_FROM_WALL),
    ),
    # the top shoulder back toward the floor, held as the therapist showed, and back
    Motion.FLEXION_ROTATION: _loop(
        Motion.FLEXION_ROTATION,
        Beat(HANDS_PLACED, 0.6),
        Beat(TURNED, 2.0, Sign.ARROW, Arrow.SHOULDER_BACK),
        Beat(TURNED, 2.2, Sign.STAY),
        Beat(HANDS_PLACED, 2.0, Sign.ARROW, Arrow.SHOULDER_FORWARD),
    ),
}

# which animation a set of each exercise starts with
FOR_RUNG: dict[Rung, Motion] = {
    Rung.PRESS_UPS: Motion.PRESS_UP,
    Rung.HIPS_OFF_CENTRE: Motion.HIPS_OFF_CENTRE,
    Rung.SIDE_GLIDE: Motion.SIDE_GLIDE,
    Rung.FLEXION_ROTATION: Motion.FLEXION_ROTATION,
}

# each learn-mode step's picture, in flows.catalogue's order (a test checks the count)
STEPS: dict[Rung, tuple[tuple[Motion, Still], ...]] = {
    Rung.PRESS_UPS: (
        (Motion.PRONE_LYING, Still(PRONE, Sign.STAY)),  # lie face down, relax
        (Motion.PRONE_ON_ELBOWS, Still(ON_ELBOWS, Sign.STAY)),  # prop on the forearms
        (Motion.PRESS_UP, Still(HANDS_SET)),  # lie flat, hands under the shoulders
        (Motion.PRESS_UP, Still(PRESSED_UP, Sign.ARROW, Arrow.CHEST_UP, HANDS_SET)),  # press up
        (Motion.PRESS_UP, Still(PRESSED_UP, Sign.HOLD)),  # pause 1-2 s, then lower
        (Motion.PRESS_UP, Still(PRESSED_UP)),  # do 10
    ),
    Rung.HIPS_OFF_CENTRE: (
        (Motion.HIPS_OFF_CENTRE, Still(FLAT)),  # lie face down
        (
            Motion.HIPS_OFF_CENTRE,
            Still(HIPS_SHIFTED, Sign.ARROW, Arrow.HIPS_RIGHT, FLAT),
        ),  # hips a few inches to one side
        (Motion.HIPS_OFF_CENTRE, Still(SHIFTED_HANDS_SET)),  # hands under the shoulders
        (
            Motion.HIPS_OFF_CENTRE,
            Still(SHIFTED_UP, Sign.ARROW, Arrow.CHEST_UP, SHIFTED_HANDS_SET),
        ),  # press up, hips kept shifted
        (Motion.HIPS_OFF_CENTRE, Still(SHIFTED_UP, Sign.HOLD)),  # pause, lower
        (Motion.HIPS_OFF_CENTRE, Still(SHIFTED_UP)),  # do 10
    ),
    Rung.SIDE_GLIDE: (
        (Motion.SIDE_GLIDE, Still(SIDE_ON)),  # stand side-on, feet 30-45 cm from the wall
        (Motion.SIDE_GLIDE, Still(ELBOW_TUCKED)),  # the wall-side elbow bent and tucked
        (Motion.SIDE_GLIDE, Still(LEANING)),  # that shoulder leaning on the wall
        (Motion.SIDE_GLIDE, Still(AT_THE_WALL)),  # the other hand on the far hip
        (
            Motion.SIDE_GLIDE,
            Still(GLIDED, Sign.ARROW, Arrow.HIPS_TO_WALL, AT_THE_WALL),
        ),  # hips toward the wall
        (Motion.SIDE_GLIDE, Still(GLIDED, Sign.HOLD)),  # hold 2-3 s, then release
        (Motion.SIDE_GLIDE, Still(GLIDED)),  # do 10, a little closer each time
        (
            Motion.SIDE_GLIDE,
            Still(STEPPED_AWAY, Sign.ARROW, Arrow.STEP_AWAY, SIDE_ON),
        ),  # step away, the pelvis under you
    ),
    Rung.FLEXION_ROTATION: (
        (Motion.FLEXION_ROTATION, Still(ON_SIDE)),  # lie on the side
        (Motion.FLEXION_ROTATION, Still(KNEE_HOOKED)),  # top foot behind the bottom knee
        (Motion.FLEXION_ROTATION, Still(HANDS_PLACED)),  # hand on knee, hand behind neck
        (
            Motion.FLEXION_ROTATION,
            Still(TURNED, Sign.ARROW, Arrow.SHOULDER_BACK, HANDS_PLACED),
        ),  # top shoulder back
        (Motion.FLEXION_ROTATION, Still(TURNED, Sign.STAY)),  # hold as the PT showed
    ),
}

# the README's and the report's one picture of each animation: (exercise, step number)
COVER: dict[Motion, tuple[Rung, int]] = {
    Motion.PRONE_LYING: (Rung.PRESS_UPS, 1),
    Motion.PRONE_ON_ELBOWS: (Rung.PRESS_UPS, 2),
    Motion.PRESS_UP: (Rung.PRESS_UPS, 4),
    Motion.HIPS_OFF_CENTRE: (Rung.HIPS_OFF_CENTRE, 4),
    Motion.SIDE_GLIDE: (Rung.SIDE_GLIDE, 5),
    Motion.FLEXION_ROTATION: (Rung.FLEXION_ROTATION, 4),
}
