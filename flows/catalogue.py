"""The exercises, step by step, as protocol.md gives them (in our words, nothing added).

Where the sources give no number the text gives none ("as your PT showed
you"). A step may have a variant per side: the side glide names the shoulder
on the wall, hips off centre the way the hips move, the stretch the side to
lie on. The guided voice set speaks every step, so each step says what it is
for: set-up, the movement of one repetition, the repeat, or the finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flows.i18n import N_, Msg
from flows.model import Rung, Side

REPS = 10


class Kind(StrEnum):
    SETUP = "setup"  # said once, before the repetitions
    MOVE = "move"  # one repetition: the guided set counts it out
    REPEAT = "repeat"  # "do 10 ...": the guided set counts them here
    FINISH = "finish"  # after the last repetition


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    kind: Kind = Kind.SETUP
    left: str | None = None  # the variant for the LEFT side (see step_side)
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
    intro: str  # the dose and what to watch, before step 1
    steps: tuple[Step, ...]
    card: Step  # a repeat set on one card: the side, the dose, the key points of the steps
    reps: int | None = REPS  # None: the sources give no dose
    rep_cue: str | None = None  # spoken at the start of each counted repetition
    hold_s: float = 2.0  # the guided set's pause at the end position
    caution: str | None = None  # said with every set, in text and voice
    press_up: bool = False  # the backward-bending caution on its first set
    # leading steps that are the user's own untimed phases (lying flat, propping up): the
    # guided note starts after them, behind a button on the card (design.md)
    phases: int = 0

    @property
    def counted(self) -> bool:
        return self.reps is not None and self.rep_cue is not None


PRESS_UPS = Exercise(
    rung=Rung.PRESS_UPS,
    name=N_("straight press-ups"),
    intro=N_(
        "Straight press-ups: first lie flat, then prop up on your elbows, then {reps} slow "
        "press-ups. Watch where the pain goes."
    ),
    card=Step(
        N_(
            "Straight press-ups: first lie face down and relax for a few minutes, then prop "
            "yourself on your elbows for up to about 5 minutes, then {reps} slow press-ups as "
            "far as the pain allows, hips on the floor, pausing 1-2 seconds at the top. Tap "
            "the button below when you come to the press-ups."
        )
    ),
    steps=(
        Step(
            N_(
                "Lie face down on a firm surface (a bed is fine if the floor is too hard), "
                "arms by your sides, head turned to one side. Relax completely for a few "
                "minutes and notice where the pain is."
            )
        ),
        Step(
            N_(
                "Prop yourself up on your forearms, elbows under your shoulders. Let your hips "
                "rest on the floor and your low back sag; breathe slowly, for up to about 5 "
                "minutes. If the pain gets worse, lie flat again; if it stops you propping "
                "up, rest a day or two first."
            )
        ),
        Step(N_("Lie flat again and put your hands flat under your shoulders.")),
        Step(
            N_(
                "Breathe out and straighten your elbows to push your upper body up as far as "
                "the pain allows. Your hips stay on the floor; your back, buttocks and legs "
                "stay relaxed."
            ),
            Kind.MOVE,
        ),
        Step(N_("Pause for 1-2 seconds at the top, then lower yourself slowly."), Kind.MOVE),
        Step(N_("Do {reps}, going a little higher each time."), Kind.REPEAT),
    ),
    rep_cue=N_("Press up"),
    hold_s=2.0,
    press_up=True,
    phases=2,
)

HIPS_OFF_CENTRE = Exercise(
    rung=Rung.HIPS_OFF_CENTRE,
    name=N_("press-ups with hips off centre"),
    intro=N_(
        "Press-ups with your hips off centre: {reps} slow press-ups with your hips shifted to "
        "one side. The sideways push can help the pain move toward your spine."
    ),
    card=Step(
        N_(
            "Press-ups with hips off centre: lie face down, hips shifted a few centimetres to "
            "one side, usually away from the painful side. {reps} slow press-ups, hips on the "
            "floor, pause 1-2 seconds at the top."
        ),
        left=N_(
            "Press-ups with hips off centre: lie face down, hips shifted a few centimetres to "
            "the LEFT. {reps} slow press-ups, hips on the floor, pause 1-2 seconds at the top."
        ),
        right=N_(
            "Press-ups with hips off centre: lie face down, hips shifted a few centimetres to "
            "the RIGHT. {reps} slow press-ups, hips on the floor, pause 1-2 seconds at the top."
        ),
    ),
    steps=(
        Step(N_("Lie face down on a firm surface.")),
        Step(
            N_(
                "Lift your pelvis a little and move your hips a few centimetres (a few inches) "
                "to one side, usually away from the painful side. Leave your shoulders where "
                "they are, then lower your hips."
            ),
            left=N_(
                "Lift your pelvis a little and move your hips a few centimetres (a few inches) "
                "to the LEFT, away from your painful right side. Leave your shoulders where "
                "they are, then lower your hips."
            ),
            right=N_(
                "Lift your pelvis a little and move your hips a few centimetres (a few inches) "
                "to the RIGHT, away from your painful left side. Leave your shoulders where "
                "they are, then lower your hips."
            ),
        ),
        Step(N_("Put your hands flat under your shoulders.")),
        Step(
            N_(
                "Breathe out and push your upper body up as far as the pain allows. Your hips "
                "stay shifted and on the floor; your back, buttocks and legs stay relaxed."
            ),
            Kind.MOVE,
        ),
        Step(N_("Pause for 1-2 seconds at the top, then lower yourself slowly."), Kind.MOVE),
        Step(N_("Do {reps}, going a little higher each time."), Kind.REPEAT),
    ),
    rep_cue=N_("Press up"),
    hold_s=2.0,
    caution=N_("Stop if your leg gets worse."),
    press_up=True,
)

SIDE_GLIDE = Exercise(
    rung=Rung.SIDE_GLIDE,
    name=N_("side glide at a wall"),
    intro=N_(
        "Side glide at a wall: {reps} slow repetitions, holding each for 2-3 seconds. Watch "
        "where the pain goes."
    ),
    card=Step(
        N_(
            "Side glide: the shoulder your therapist chose to the wall, feet 30-45 cm (12-18 "
            "inches) from it, elbow tucked, other hand on the far hip. {reps} slow glides of "
            "your hips toward the wall, hold each 2-3 seconds. Step away without shifting "
            "your hips."
        ),
        left=N_(
            "Side glide: LEFT shoulder to the wall, feet 30-45 cm (12-18 inches) from it, elbow "
            "tucked, other hand on the far hip. {reps} slow glides of your hips toward the "
            "wall, hold each 2-3 seconds. Step away without shifting your hips."
        ),
        right=N_(
            "Side glide: RIGHT shoulder to the wall, feet 30-45 cm (12-18 inches) from it, "
            "elbow tucked, other hand on the far hip. {reps} slow glides of your hips toward "
            "the wall, hold each 2-3 seconds. Step away without shifting your hips."
        ),
    ),
    steps=(
        Step(
            N_(
                "Stand side-on to a wall, feet 30-45 cm (12-18 inches) from it, with the "
                "shoulder your therapist chose toward the wall."
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
        # design.md: every step names the shoulder on the wall, for every painful side
        Step(
            N_("Bend the elbow closest to the wall and tuck it into your side."),
            left=N_(
                "Bend your LEFT elbow, the one closest to the wall, and tuck it into your side."
            ),
            right=N_(
                "Bend your RIGHT elbow, the one closest to the wall, and tuck it into your side."
            ),
        ),
        Step(
            N_("Lean that shoulder against the wall."),
            left=N_("Lean your LEFT shoulder against the wall."),
            right=N_("Lean your RIGHT shoulder against the wall."),
        ),
        Step(
            N_("Put your other hand on the hip that is farthest from the wall."),
            left=N_(
                "Your LEFT shoulder stays on the wall. Put your right hand on your right hip, "
                "the one farthest from the wall."
            ),
            right=N_(
                "Your RIGHT shoulder stays on the wall. Put your left hand on your left hip, "
                "the one farthest from the wall."
            ),
        ),
        Step(
            N_("Slowly press your hips toward the wall, so they glide under your rib cage."),
            Kind.MOVE,
            left=N_(
                "LEFT shoulder on the wall: slowly press your hips toward the wall, so they "
                "glide under your rib cage."
            ),
            right=N_(
                "RIGHT shoulder on the wall: slowly press your hips toward the wall, so they "
                "glide under your rib cage."
            ),
        ),
        Step(
            N_(
                "Hold for 2-3 seconds, then slowly release. Don't swing your hips away from the "
                "wall: just relax and let them slide back."
            ),
            Kind.MOVE,
            left=N_(
                "Hold for 2-3 seconds, LEFT shoulder on the wall, then slowly release. Don't "
                "swing your hips away from the wall: just relax and let them slide back."
            ),
            right=N_(
                "Hold for 2-3 seconds, RIGHT shoulder on the wall, then slowly release. Don't "
                "swing your hips away from the wall: just relax and let them slide back."
            ),
        ),
        Step(
            N_("Do {reps}, each time pushing your hips a little closer to the wall."),
            Kind.REPEAT,
            left=N_(
                "Do {reps}, LEFT shoulder on the wall, each time pushing your hips a little "
                "closer to the wall."
            ),
            right=N_(
                "Do {reps}, RIGHT shoulder on the wall, each time pushing your hips a little "
                "closer to the wall."
            ),
        ),
        Step(
            N_(
                "Now step away from the wall without shifting your hips away from it: keep "
                "your pelvis right under you."
            ),
            Kind.FINISH,
            left=N_(
                "Now step away from the wall at your LEFT side without shifting your hips "
                "away from it: keep your pelvis right under you."
            ),
            right=N_(
                "Now step away from the wall at your RIGHT side without shifting your hips "
                "away from it: keep your pelvis right under you."
            ),
        ),
    ),
    rep_cue=N_("Glide"),
    hold_s=3.0,
)

FLEXION_ROTATION = Exercise(
    rung=Rung.FLEXION_ROTATION,
    name=N_("flexion with rotation stretch"),
    intro=N_(
        "The flexion with rotation stretch. Please have a physical therapist show it to you "
        "first: these steps are a reminder, not a lesson. Do it as your therapist showed you."
    ),
    card=Step(
        N_(
            "Flexion with rotation stretch: lie on the side your therapist showed you, and "
            "hold and repeat as they showed you."
        ),
        left=N_(
            "Flexion with rotation stretch: lie on your LEFT side (or the side your therapist "
            "showed you), and hold and repeat as they showed you."
        ),
        right=N_(
            "Flexion with rotation stretch: lie on your RIGHT side (or the side your therapist "
            "showed you), and hold and repeat as they showed you."
        ),
    ),
    steps=(
        Step(
            N_(
                "Lie on your side: usually the painful side, or the one your therapist showed you."
            ),
            left=N_(
                "Lie on your LEFT side (the painful one), or the side your therapist showed you."
            ),
            right=N_(
                "Lie on your RIGHT side (the painful one), or the side your therapist showed you."
            ),
        ),
        Step(
            N_(
                "Keep your bottom leg straight. Bend your top knee and hook your top foot "
                "behind your bottom knee."
            )
        ),
        Step(
            N_(
                "Hold your top knee with your bottom hand. Put your top hand behind your neck "
                "or on your top shoulder blade."
            )
        ),
        Step(
            N_("Slowly turn your top shoulder back toward the floor, twisting your trunk."),
            Kind.MOVE,
        ),
        Step(N_("Hold and repeat as your physical therapist showed you."), Kind.REPEAT),
    ),
    reps=None,
    caution=N_("If the pain moves away from your spine, stop at once."),
)

EXERCISES: dict[Rung, Exercise] = {
    e.rung: e for e in (PRESS_UPS, HIPS_OFF_CENTRE, SIDE_GLIDE, FLEXION_ROTATION)
}

PRESS_UP_CAUTION = N_(
    "Good to know: press-ups bend your back backwards. For people with a narrowed spinal "
    "canal or an unstable spine they may not help, or may hurt. If that could be you, check "
    "with a physical therapist first."
)


def step_side(rung: Rung, painful: Side | None, glide_shoulder: Side | None) -> Side | None:
    """Which variant of a step to show: the wall shoulder, the hips' way, the side to lie on.

    The side glide's is the wall shoulder whatever the painful side (Session.glide_shoulder:
    a prescription names it for centre or both-sided pain too)."""
    if rung == Rung.SIDE_GLIDE:
        return glide_shoulder
    if painful not in (Side.LEFT, Side.RIGHT):
        return None
    if rung == Rung.HIPS_OFF_CENTRE:
        return Side.RIGHT if painful == Side.LEFT else Side.LEFT
    if rung == Rung.FLEXION_ROTATION:
        return painful
    return None


def exercise_name(rung: Rung) -> Msg:
    return Msg(EXERCISES[rung].name) if rung in EXERCISES else Msg(N_("a physical therapist"))
