"""Which drawing shows which exercise, for which side: the one table the rest reads."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import numpy as np

from bot.animation import figure
from flows.model import Rung, Side


class Motion(StrEnum):
    PRONE_LYING = "prone_lying"
    PRONE_ON_ELBOWS = "prone_on_elbows"
    PRESS_UP = "press_up"
    HIPS_OFF_CENTRE = "hips_off_centre"
    SIDE_GLIDE = "side_glide"
    FLEXION_ROTATION = "flexion_rotation"


# the animation a set of each exercise starts with
FOR_RUNG: dict[Rung, Motion] = {
    Rung.PRESS_UPS: Motion.PRESS_UP,
    Rung.HIPS_OFF_CENTRE: Motion.HIPS_OFF_CENTRE,
    Rung.SIDE_GLIDE: Motion.SIDE_GLIDE,
    Rung.FLEXION_ROTATION: Motion.FLEXION_ROTATION,
}
SIDED = frozenset({Motion.HIPS_OFF_CENTRE, Motion.SIDE_GLIDE, Motion.FLEXION_ROTATION})


def frames(motion: Motion, side: Side | None, painful: Side | None) -> list[np.ndarray]:
    """Every frame of one loop. `side` is flows.catalogue.step_side's: the wall shoulder,
    the way the hips move, the side to lie on (None: the usual, drawn for the right)."""
    drawn = side or Side.RIGHT
    draw: dict[Motion, Callable[[], list[np.ndarray]]] = {
        Motion.PRONE_LYING: lambda: figure.prone_frames(figure.PRONE_LYING),
        Motion.PRONE_ON_ELBOWS: lambda: figure.prone_frames(figure.PRONE_ON_ELBOWS),
        Motion.PRESS_UP: lambda: figure.prone_frames(figure.PRESS_UP),
        Motion.HIPS_OFF_CENTRE: lambda: figure.hips_off_centre_frames(drawn, painful),
        Motion.SIDE_GLIDE: lambda: figure.side_glide_frames(drawn, painful),
        Motion.FLEXION_ROTATION: lambda: figure.flexion_rotation_frames(drawn),
    }
    return draw[motion]()


def every_variant() -> list[tuple[Motion, Side | None, Side | None]]:
    """Each distinct drawing a user can get (pre-rendered by `sideglide render-media`)."""
    out: list[tuple[Motion, Side | None, Side | None]] = []
    for motion in Motion:
        if motion not in SIDED:
            out.append((motion, None, None))
            continue
        for side in (Side.LEFT, Side.RIGHT):
            # the painful side is the one away from the wall / the hips' way, or lain on
            for painful in (Side.LEFT, Side.RIGHT):
                out.append((motion, side, painful))
    return out
