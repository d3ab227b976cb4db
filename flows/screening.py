"""Red-flag questions asked before any exercise (protocol.md, Safety).

Asked one by one with explicit Yes / No buttons because people do not
volunteer these. The first group needs emergency care, the second an urgent
review: the advice differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.i18n import N_


@dataclass(frozen=True, slots=True)
class RedFlag:
    id: str
    question: str
    emergency: bool


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "bladder",
        N_("Do you have new trouble controlling your bladder or bowels?"),
        True,
    ),
    RedFlag(
        "saddle",
        N_("Do you have numbness around your genitals, buttocks or inner thighs?"),
        True,
    ),
    RedFlag("both_legs", N_("Do you have sciatica in BOTH legs?"), True),
    RedFlag(
        "weakness",
        N_("Is there weakness or numbness in a leg that is severe or getting worse?"),
        True,
    ),
    RedFlag(
        "foot_drop",
        N_("Has your foot suddenly started to drop or drag when you walk?"),
        True,
    ),
    RedFlag("sexual", N_("Have you had a new loss of sexual function?"), True),
    RedFlag("fever", N_("Do you have a fever along with your back pain?"), False),
    RedFlag(
        "cancer",
        N_("Have you had unexplained weight loss, or have you ever had cancer?"),
        False,
    ),
    RedFlag(
        "trauma",
        N_("Did the pain start after a significant fall or accident?"),
        False,
    ),
    RedFlag(
        "bones",
        N_("Do you take steroids long-term, or do you have osteoporosis?"),
        False,
    ),
)

BY_ID: dict[str, RedFlag] = {f.id: f for f in RED_FLAGS}


def state_id(flag: RedFlag) -> str:
    return f"screen.{flag.id}"


def next_flag(current: str) -> RedFlag | None:
    ids = [f.id for f in RED_FLAGS]
    i = ids.index(current)
    return RED_FLAGS[i + 1] if i + 1 < len(RED_FLAGS) else None


EMERGENCY_ADVICE = N_(
    "Please stop here and get medical help now: call your local emergency number or go to "
    "an emergency department. This sign needs a doctor now, not exercises. I won't offer "
    "any exercise until you have been checked; afterwards, run /safety again."
)
URGENT_ADVICE = N_(
    "Please contact a doctor now, before doing these exercises: this sign needs a medical "
    "review first. I won't offer any exercise until then; once a doctor has checked you, "
    "run /safety again."
)
