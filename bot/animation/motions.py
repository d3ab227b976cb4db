"""Which animation shows which exercise, for which side: what the rest of the bot asks.

The positions and the beats of each animation are in bot.animation.poses (one table);
this module answers the bot's questions about them: the animation a set of an
exercise starts with, and every variant a user can be sent (`sideglide render-media`
and the shipped media make each of them once).
"""

from __future__ import annotations

from bot.animation.poses import FOR_RUNG, Motion
from bot.animation.scene import SIDED
from flows.model import Side

__all__ = ["FOR_RUNG", "SIDED", "Motion", "Side", "every_variant"]


def every_variant() -> list[tuple[Motion, Side | None, Side | None]]:
    """Each distinct animation a user can get: (motion, side, painful). A sided one is
    drawn for the LEFT and for the RIGHT (its side: the wall shoulder, the hips' way,
    the side lain on, whatever the painful side: no colour marks that, so `painful` is
    always None here); the press-up family has one picture."""
    out: list[tuple[Motion, Side | None, Side | None]] = []
    for motion in Motion:
        if motion in SIDED:
            out.extend((motion, side, None) for side in (Side.LEFT, Side.RIGHT))
        else:
            out.append((motion, None, None))
    return out
