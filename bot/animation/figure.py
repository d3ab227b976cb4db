"""The mannequin and the picture it stands in: sizes, proportions, colours, body parts.

One adult (about 1.74 m) built like an artist's wooden mannequin: rigid rounded parts,
one per body segment, each fixed to a bone of bot.animation.skeleton. Rigid parts keep
the proportions the same in every pose (a skin stretched over joints would thin at a
bent elbow) and make a frame cheap to render: only the parts' placements change.

The colours are chosen so that nothing needs a caption: skin, a blue shirt, dark
trousers, dark hair at the BACK of the head (the face is skin with a nose, eyes and
ears), a green exercise mat, a cream wall. The two signs are the orange arrow (the way
the body is moving now, shown only while it moves) and the grey pause sign (hold this
position; its bar fills over the seconds of a timed hold). No colour marks a painful
side: the captions do not explain one, so the picture does not use one.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH_PX, HEIGHT_PX = 480, 480  # even and square: the sender announces this size
FPS = 12

# --- proportions (metres) -----------------------------------------------------------
HIP_HALF = 0.09  # hip joints either side of the pelvis centre
WAIST = 0.10  # pelvis centre (between the hip joints) up to the low-back joint
ABDOMEN = 0.14  # low-back joint up to the mid-back joint
CHEST = 0.26  # mid-back joint up to the base of the neck
SHOULDER_HALF = 0.165  # shoulder joints either side of the spine
SHOULDER_DROP = 0.045  # shoulder joints below the base of the neck
NECK = 0.085
UPPER_ARM = 0.29
FOREARM = 0.25
THIGH = 0.43
SHIN = 0.42
ANKLE_HEIGHT = 0.075  # standing: the ankle joint above the floor
PRONE_HEIGHT = 0.115  # lying face down: the pelvis centre above the floor
SIDE_HEIGHT = 0.185  # lying on one side: the pelvis centre above the floor
MAT = 0.012  # the exercise mat's thickness
SHOULDER_TO_WALL = 0.065  # a shoulder leaning on the wall: its joint this far from it


# --- colours (sRGB) -----------------------------------------------------------------
SKIN = "#e2ae8c"
HAIR = "#3b2417"  # the back of the head: a test finds it in the views from behind
EYES = "#2b2b33"
SHIRT = "#3d7cc9"
TROUSERS = "#2e3a4b"
FLOOR = "#c8ccd2"
MAT_COLOUR = "#86ad8f"
WALL = "#f3e9d4"
SKIRTING = "#c9b79c"
BACKGROUND = "#f3f2ef"
ARROW = "#f07a1a"  # the way the body moves, only while it moves
SIGN = "#4f5257"  # the pause sign: hold the position
SIGN_FILL = "#9aa0a8"  # the pause sign's bar, filling over a timed hold


@dataclass(frozen=True, slots=True)
class Part:
    """One rigid piece of the mannequin, in its bone's frame (x: the body's right,
    y: its front, z: along the bone from its joint): an ellipsoid (`size` its three
    radii) or a tapered capsule from `at` to `to` (`size[0]` and `size[1]` the radii at
    either end). `clip` keeps only the side of the ellipsoid where the point's offset
    from `at`, dotted with clip[:3], is at least clip[3] (the hair: the back and top)."""

    bone: str
    shape: str  # "ellipsoid" or "capsule"
    colour: str
    at: tuple[float, float, float]
    size: tuple[float, float, float]
    to: tuple[float, float, float] = (0.0, 0.0, 0.0)
    clip: tuple[float, float, float, float] | None = None


def _limbs(side: str, s: float) -> list[Part]:
    """One side's arm and leg; s is +1 for the right, -1 for the left (the thumb and the
    ankle bone sit toward the middle of the body)."""
    return [
        Part(
            f"upper_arm_{side}", "capsule", SHIRT, (0, 0, 0), (0.050, 0.043, 0), (0, 0, UPPER_ARM)
        ),
        Part(f"forearm_{side}", "capsule", SKIN, (0, 0, 0), (0.041, 0.031, 0), (0, 0, FOREARM)),
        Part(f"forearm_{side}", "ellipsoid", SHIRT, (0, 0, 0.0), (0.047, 0.047, 0.047)),  # elbow
        # the hand: z toward the fingertips, y out of the back of the hand
        Part(f"hand_{side}", "ellipsoid", SKIN, (0, 0, 0.055), (0.043, 0.019, 0.058)),
        Part(f"hand_{side}", "ellipsoid", SKIN, (0, -0.002, 0.125), (0.039, 0.014, 0.042)),
        Part(
            f"hand_{side}",
            "capsule",
            SKIN,
            (-s * 0.030, -0.010, 0.030),
            (0.014, 0.011, 0),
            (-s * 0.060, -0.020, 0.085),
        ),
        Part(f"thigh_{side}", "capsule", TROUSERS, (0, 0, 0), (0.088, 0.060, 0), (0, 0, THIGH)),
        Part(f"shin_{side}", "capsule", TROUSERS, (0, 0, 0), (0.060, 0.043, 0), (0, 0, SHIN)),
        # the foot: z toward the toes, y out of its top; the heel behind the ankle
        Part(f"foot_{side}", "ellipsoid", SKIN, (0, -0.035, 0.070), (0.045, 0.032, 0.125)),
        Part(
            f"foot_{side}", "ellipsoid", SKIN, (0, -0.045, -0.005), (0.036, 0.034, 0.045)
        ),  # heel
        Part(f"foot_{side}", "ellipsoid", SKIN, (0, 0.0, 0.0), (0.037, 0.037, 0.037)),
    ]


PARTS: tuple[Part, ...] = (
    # pelvis and trunk: z up the spine, y to the front
    Part("pelvis", "ellipsoid", TROUSERS, (0, -0.012, 0.035), (0.170, 0.112, 0.125)),
    # the buttocks: face down, the curve on top says which way the body faces
    Part("pelvis", "ellipsoid", TROUSERS, (0.072, -0.072, -0.015), (0.088, 0.075, 0.095)),
    Part("pelvis", "ellipsoid", TROUSERS, (-0.072, -0.072, -0.015), (0.088, 0.075, 0.095)),
    Part("abdomen", "ellipsoid", SHIRT, (0, 0.0, 0.075), (0.148, 0.100, 0.115)),
    Part("chest", "ellipsoid", SHIRT, (0, 0.0, 0.130), (0.172, 0.110, 0.165)),
    Part("chest", "ellipsoid", SHIRT, (SHOULDER_HALF, 0, CHEST - SHOULDER_DROP), (0.058,) * 3),
    Part("chest", "ellipsoid", SHIRT, (-SHOULDER_HALF, 0, CHEST - SHOULDER_DROP), (0.058,) * 3),
    Part("neck", "capsule", SKIN, (0, 0, -0.02), (0.047, 0.044, 0), (0, 0, NECK)),
    # the head: a skin egg with a nose, eyes and ears; dark hair over its top and back
    Part("head", "ellipsoid", SKIN, (0, 0.012, 0.100), (0.078, 0.096, 0.112)),
    Part("head", "ellipsoid", SKIN, (0, 0.104, 0.082), (0.016, 0.026, 0.024)),  # nose
    Part("head", "ellipsoid", EYES, (0.032, 0.090, 0.112), (0.011, 0.008, 0.011)),
    Part("head", "ellipsoid", EYES, (-0.032, 0.090, 0.112), (0.011, 0.008, 0.011)),
    Part("head", "ellipsoid", SKIN, (0.080, 0.0, 0.095), (0.014, 0.024, 0.032)),  # ears
    Part("head", "ellipsoid", SKIN, (-0.080, 0.0, 0.095), (0.014, 0.024, 0.032)),
    Part(
        "head",
        "ellipsoid",
        HAIR,
        (0, 0.006, 0.108),
        (0.084, 0.104, 0.120),
        clip=(0.0, -0.72, 0.69, -0.030),  # behind a plane from the brow to the nape
    ),
    *_limbs("r", 1.0),
    *_limbs("l", -1.0),
)
