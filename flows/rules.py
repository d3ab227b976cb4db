"""The progression rules (protocol.md ladder + design.md counters), as one pure decision.

Kept apart from the conversation so the clinical logic can be read, and
tested, as a table: (rung, answer, reach, counters) -> (next rung, reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flows.catalogue import EXERCISES
from flows.i18n import N_, Msg
from flows.model import Answer, Reach, Rung

DEFAULT_PROGRESS_AFTER = 3


@dataclass(frozen=True, slots=True)
class Rules:
    progress_after: int = DEFAULT_PROGRESS_AFTER


class Verdict(StrEnum):
    CONTINUE = "continue"  # same exercise, or a new rung to continue on
    HALT = "halt"  # worse / spreading: stop and see a PT
    RECOVERED = "recovered"  # all pain gone
    SEE_PT = "see_pt"  # the ladder has nothing left


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    rung: Rung
    no_change: int
    stall: int
    reason: str  # msgid, formatted with `params`
    params: dict[str, object]

    @property
    def changed_rung(self) -> bool:
        return self.reason in RUNG_CHANGE_REASONS


def next_rung(rung: Rung, one_sided: bool) -> Rung:
    """Up the ladder. Without a painful side there is no sideways exercise to try."""
    if not one_sided:
        return Rung.SEE_PT
    order = list(Rung)
    return order[min(order.index(rung) + 1, len(order) - 1)]


def starting_rung(tried_press_ups: bool, tried_hips: bool, one_sided: bool) -> Rung:
    if not one_sided:
        return Rung.PRESS_UPS
    if tried_press_ups and tried_hips:
        return Rung.SIDE_GLIDE
    if tried_press_ups:
        return Rung.HIPS_OFF_CENTRE
    return Rung.PRESS_UPS


R_WORSE = N_(
    "Your pain spread or got worse, which means this exercise is not right for you now. "
    "Stop it and see a physical therapist."
)
R_SPREAD = N_(
    "Your pain now reaches further from your spine than last time, which means this "
    "exercise is not right for you now. Stop it and see a physical therapist."
)
R_ALL_GONE = N_("All pain gone: that is the goal. Well done!")
R_LEG_GONE_FROM_GLIDE = N_(
    "Your leg pain has centralized, so stop the side glide and go back to straight "
    "press-ups to clear the back pain that is left."
)
R_LEG_GONE_STAY = N_(
    "Your leg pain is gone, so keep going with straight press-ups to clear the back pain "
    "that is left."
)
R_LEG_GONE_TO_PRESS = N_(
    "Your leg pain is gone, so switch to straight press-ups to clear the back pain that is left."
)
R_CENTRALIZING = N_(
    "Your pain is moving toward your spine, which is exactly what we want, so keep doing "
    "the {exercise}."
)
R_NO_CHANGE_WAIT = N_(
    "No change yet ({count} of {limit}). An exercise deserves a fair trial, so keep going "
    "with the {exercise} for now."
)
R_NO_CHANGE_UP = N_(
    "No change after {limit} sets in a row, so it is time for the next exercise: {next_exercise}."
)
R_STALL = N_(
    "The side glide helps, but your pain has not moved closer to the spine for {limit} "
    "sets, so the next step is the flexion with rotation stretch. Please also see a "
    "physical therapist."
)
R_LADDER_DONE = N_(
    "These exercises have not changed your pain enough, so the best next step is a "
    "physical therapist, who can find what fits you."
)
RUNG_CHANGE_REASONS = frozenset(
    {R_LEG_GONE_FROM_GLIDE, R_LEG_GONE_TO_PRESS, R_NO_CHANGE_UP, R_STALL, R_LADDER_DONE}
)


def decide(
    *,
    rung: Rung,
    one_sided: bool,
    answer: Answer,
    reach: Reach,
    previous_reach: Reach | None,
    no_change: int,
    stall: int,
    rules: Rules,
) -> Decision:
    n = rules.progress_after
    if answer == Answer.WORSE:
        return Decision(Verdict.HALT, rung, 0, 0, R_WORSE, {})
    # protocol.md: the rules follow WHERE the pain reaches; moving down the list is
    # peripheralizing whatever the button said ("easing" with pain now in the foot)
    if previous_reach is not None and reach.rank < previous_reach.rank:
        return Decision(Verdict.HALT, rung, 0, 0, R_SPREAD, {})
    if answer == Answer.ALL_GONE:
        return Decision(Verdict.RECOVERED, rung, 0, 0, R_ALL_GONE, {})
    if answer == Answer.LEG_GONE or (
        rung == Rung.SIDE_GLIDE and leg_pain_centralized(previous_reach, reach)
    ):
        if rung == Rung.SIDE_GLIDE:
            reason = R_LEG_GONE_FROM_GLIDE
        elif rung == Rung.PRESS_UPS:
            reason = R_LEG_GONE_STAY
        else:
            reason = R_LEG_GONE_TO_PRESS
        return Decision(Verdict.CONTINUE, Rung.PRESS_UPS, 0, 0, reason, {})

    no_change = no_change + 1 if answer == Answer.NO_CHANGE else 0
    if rung == Rung.SIDE_GLIDE:
        closer = previous_reach is not None and reach.rank > previous_reach.rank
        stall = 0 if closer else stall + 1
    else:
        stall = 0

    if no_change >= n or stall >= n:
        target = next_rung(rung, one_sided)
        if target == Rung.SEE_PT:
            return Decision(Verdict.SEE_PT, target, 0, 0, R_LADDER_DONE, {})
        if no_change < n:  # the stall counter, not "no change N times in a row", moved it
            return Decision(Verdict.CONTINUE, target, 0, 0, R_STALL, {"limit": n})
        return Decision(
            Verdict.CONTINUE,
            target,
            0,
            0,
            R_NO_CHANGE_UP,
            {"limit": n, "next_exercise": exercise_name(target)},
        )
    if answer == Answer.NO_CHANGE:
        params: dict[str, object] = {
            "count": no_change,
            "limit": n,
            "exercise": exercise_name(rung),
        }
        return Decision(Verdict.CONTINUE, rung, no_change, stall, R_NO_CHANGE_WAIT, params)
    return Decision(
        Verdict.CONTINUE, rung, no_change, stall, R_CENTRALIZING, {"exercise": exercise_name(rung)}
    )


def leg_pain_centralized(previous: Reach | None, now: Reach) -> bool:
    """The leg pain left: it reached the thigh or further, now only the back hurts.

    protocol.md stops the side glide at that moment even if the user tapped "easing"
    rather than "leg pain gone": the reach answer is the more exact of the two.
    """
    if previous is None:
        return False
    return previous.rank <= Reach.THIGH.rank and now.rank >= Reach.BACK_SIDE.rank


def exercise_name(rung: Rung) -> Msg:
    return Msg(EXERCISES[rung].name) if rung in EXERCISES else Msg(N_("a physical therapist"))
