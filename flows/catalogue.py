"""The exercises of the ladder, step by step, in the protocol's words (ours, not quoted).

Step ids are stable and persisted as part of the state id (`ex.<rung>.<n>`).
A step may have a variant per wall shoulder / hip direction: the side glide's
first step names the shoulder that touches the wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.i18n import N_
from flows.model import Rung, Side

REPS = 10


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    # variants chosen by a side: for the side glide the shoulder on the wall,
    # for hips off centre the direction the hips move
    left: str | None = None
    right: str | None = None

    def for_side(self, side: Side | None) -> str:
        if side == Side.LEFT and self.left:
            return self.left
        if side == Side.RIGHT and self.right:
            return self.right
        return self.text


@dataclass(frozen=True, slots=True)
class Exercise:
    rung: Rung
    name: str
    intro: str
    steps: tuple[Step, ...]
    rep_cue: str  # the word spoken at the start of each repetition in the guided set
    press_up: bool = False  # shows the stenosis / instability caution


PRESS_UPS = Exercise(
    rung=Rung.PRESS_UPS,
    name=N_("straight press-ups"),
    intro=N_(
        "Straight press-ups: {reps} slow repetitions, holding each for 2-3 seconds. "
        "Watch where the pain goes while you do them."
    ),
    steps=(
        Step(N_("Lie flat on your stomach on a firm surface, arms by your sides. Relax.")),
        Step(N_("Prop yourself up on your elbows. Let your lower back sag and relax.")),
        Step(N_("Lie flat again and put your hands under your shoulders, as if for a push-up.")),
        Step(
            N_(
                "Press your upper body up with your arms. Your hips stay on the floor "
                "and your back stays relaxed."
            )
        ),
        Step(N_("Hold the top for 2-3 seconds, then slowly lower yourself down.")),
        Step(N_("Repeat the press-up until you have done {reps}. Then tap Done.")),
    ),
    rep_cue=N_("Press up"),
    press_up=True,
)

HIPS_OFF_CENTRE = Exercise(
    rung=Rung.HIPS_OFF_CENTRE,
    name=N_("press-ups with hips off centre"),
    intro=N_(
        "Press-ups with your hips off centre: {reps} slow repetitions, holding each for "
        "2-3 seconds. Shifting the hips adds a sideways push that can help the pain "
        "centralize."
    ),
    steps=(
        Step(N_("Lie face down on a firm surface.")),
        Step(
            N_(
                "Shift your hips a few centimetres (a few inches) to one side, usually away "
                "from the painful side."
            ),
            left=N_(
                "Shift your hips a few centimetres (a few inches) to the LEFT, away from "
                "your painful right side."
            ),
            right=N_(
                "Shift your hips a few centimetres (a few inches) to the RIGHT, away from "
                "your painful left side."
            ),
        ),
        Step(N_("Keep your hips there and put your hands under your shoulders.")),
        Step(
            N_("Press your upper body up with your arms. Your hips stay shifted and on the floor.")
        ),
        Step(N_("Hold the top for 2-3 seconds, then slowly lower yourself down.")),
        Step(N_("Repeat the press-up until you have done {reps}. Then tap Done.")),
    ),
    rep_cue=N_("Press up"),
    press_up=True,
)

SIDE_GLIDE = Exercise(
    rung=Rung.SIDE_GLIDE,
    name=N_("side glide at a wall"),
    intro=N_(
        "Side glide at a wall: {reps} slow repetitions, holding each for 2-3 seconds. "
        "Watch where the pain goes while you do them."
    ),
    steps=(
        Step(
            N_(
                "Stand side-on to a wall, feet 30-45 cm (12-18 inches) from it, with your "
                "painful side facing away from the wall."
            ),
            left=N_(
                "Stand side-on to a wall, feet 30-45 cm (12-18 inches) from it, with your "
                "LEFT shoulder toward the wall."
            ),
            right=N_(
                "Stand side-on to a wall, feet 30-45 cm (12-18 inches) from it, with your "
                "RIGHT shoulder toward the wall."
            ),
        ),
        Step(N_("Bend the elbow closest to the wall and tuck it into your side.")),
        Step(N_("Lean that shoulder against the wall.")),
        Step(N_("Put your other hand on the hip that is farthest from the wall.")),
        Step(N_("Slowly press your hips toward the wall, so they glide under your ribs.")),
        Step(
            N_(
                "Hold for 2-3 seconds, then slowly release. Don't swing your hips away: just "
                "relax and let them slide back."
            )
        ),
        Step(
            N_(
                "Repeat until you have done {reps}, each time pushing your hips a little "
                "closer to the wall."
            )
        ),
        Step(
            N_(
                "Now step away from the wall without shifting your hips away from it: keep "
                "your pelvis right under you. Then tap Done."
            )
        ),
    ),
    rep_cue=N_("Glide"),
)

FLEXION_ROTATION = Exercise(
    rung=Rung.FLEXION_ROTATION,
    name=N_("flexion with rotation stretch"),
    intro=N_(
        "Lumbar flexion with rotation stretch. Please have a physical therapist show you "
        "this stretch: the steps here are a reminder, not a replacement. {reps} slow "
        "repetitions, holding each for 2-3 seconds."
    ),
    steps=(
        Step(N_("Lie on your back on a firm surface, knees bent, feet flat.")),
        Step(N_("Bring both knees up toward your chest.")),
        Step(
            N_(
                "Keep your shoulders flat and slowly let both knees lower to the side your "
                "therapist showed you."
            )
        ),
        Step(N_("Hold for 2-3 seconds, then slowly bring your knees back to the middle.")),
        Step(N_("Repeat until you have done {reps}. Then tap Done.")),
    ),
    rep_cue=N_("Stretch"),
)

EXERCISES: dict[Rung, Exercise] = {
    e.rung: e for e in (PRESS_UPS, HIPS_OFF_CENTRE, SIDE_GLIDE, FLEXION_ROTATION)
}

PRESS_UP_CAUTION = N_(
    "Good to know: backward-bending exercises like press-ups may not help, or may hurt, "
    "people with spinal stenosis or spinal instability. If that is you, check with a "
    "physical therapist first."
)


def step_side(rung: Rung, painful: Side | None, glide_shoulder: Side) -> Side | None:
    """Which variant of a step to show: the wall shoulder, or the way the hips move."""
    if rung == Rung.SIDE_GLIDE:
        return glide_shoulder if painful in (Side.LEFT, Side.RIGHT) else None
    if rung == Rung.HIPS_OFF_CENTRE and painful in (Side.LEFT, Side.RIGHT):
        return Side.RIGHT if painful == Side.LEFT else Side.LEFT
    return None


def state_id(rung: Rung, step: int) -> str:
    return f"ex.{rung.value}.{step}"


def parse_state_id(state: str) -> tuple[Rung, int] | None:
    parts = state.split(".")
    if len(parts) != 3 or parts[0] != "ex":
        return None
    try:
        rung = Rung(parts[1])
        step = int(parts[2])
    except ValueError:
        return None
    if rung not in EXERCISES or not 1 <= step <= len(EXERCISES[rung].steps):
        return None
    return rung, step


def all_step_states() -> list[str]:
    return [state_id(rung, i + 1) for rung, ex in EXERCISES.items() for i in range(len(ex.steps))]
