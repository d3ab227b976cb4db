"""Every decision after a set, as one table a physical therapist can read.

A check-in is first turned into a `Reading`: what the user tapped and how the
pain moved since the previous check-in on the same exercise (or the starting
point). The rows below are then tried in order and the first that matches
decides: the verdict, the next exercise, the one sentence the user reads and
the line of ../shared/protocol.md (or design.md's decided rules) it rests on.

The order of the rows is the priority: the stop rule comes first, then the
questions that settle a contradiction, then recovery, leg pain gone, progress
and stalls. To change a rule, change its row (and its reason text); the
README's copy of this table is generated from it and a test compares the two.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from flows.i18n import N_
from flows.model import Answer, Reach, Rung

DEFAULT_STALL_AFTER = 3
# pain 0-10 that moved by this much or more counts as up or down
PAIN_STEP = 2


class Stage(StrEnum):
    """Where the user is on the ladder: the exercise, and for press-ups, why."""

    PRESS_UPS = "press_ups"  # the start
    HIPS_OFF_CENTRE = "hips_off_centre"
    SIDE_GLIDE = "side_glide"
    BACK_PRESS_UPS = "back_press_ups"  # straight press-ups again, after the side glide
    FLEXION_ROTATION = "flexion_rotation"

    @property
    def exercise(self) -> Rung:
        return Rung.PRESS_UPS if self == Stage.BACK_PRESS_UPS else Rung(self.value)


class Move(StrEnum):
    """How far the pain reaches compared with before."""

    CLOSER = "closer"
    SAME = "same"
    FURTHER = "further"


class Change(StrEnum):
    """How strong the pain is compared with before (by PAIN_STEP or more)."""

    DOWN = "down"
    SAME = "same"
    UP = "up"


class Where(StrEnum):
    """Where the pain is: design.md's "leg pain" (buttock or further) or "back only"."""

    LEG = "leg"
    BACK = "back"
    NONE = "none"


class Ask(StrEnum):
    """The one confirming question a contradiction gets (each asked once per check-in)."""

    WORSE = "worse"  # the numbers say worse, the button did not
    ALL_GONE = "all_gone"  # "all pain gone" with pain left, or no pain with another answer
    LEG_GONE = "leg_gone"  # "leg pain gone" with the pain still in the leg


class Tried(StrEnum):
    """What the user tried before coming here, asked once at the start."""

    NONE = "none"
    PRESS = "press"  # straight press-ups
    BOTH = "both"  # and press-ups with the hips off centre


class TriedResult(StrEnum):
    """How the last of them went."""

    HELPED = "helped"  # a little, not fully
    SAME = "same"
    WORSE = "worse"


class Verdict(StrEnum):
    STOP = "stop"  # the stop rule: exercises and reminders pause until a PT says go on
    ASK = "ask"  # one confirming question first
    RECOVERED = "recovered"  # all pain gone: reminders stop, maintenance offered
    NEW_EPISODE = "new_episode"  # pain back after recovery: the exercise that last helped
    CONTINUE = "continue"  # the same exercise
    MOVE = "move"  # another exercise
    SEE_PT = "see_pt"  # nothing left to try here: exercises pause until a PT says go on
    RECORD = "record"  # a pain reading between sets: recorded and charted, nothing else


def where(reach: Reach, pain: int) -> Where:
    if reach.rank <= Reach.BUTTOCK.rank:
        return Where.LEG
    if reach == Reach.NONE and pain == 0:
        return Where.NONE
    return Where.BACK  # the back, or "no pain" with a score above 0


@dataclass(frozen=True, slots=True)
class Reading:
    """What one check-in measured, against the previous check-in on the same exercise."""

    stage: Stage
    answer: Answer
    reach: Move
    pain: Change
    now: Where
    was: Where
    one_sided: bool
    streak: int  # set check-ins in a row without progress on this exercise, this one included
    stall_after: int = DEFAULT_STALL_AFTER
    asked: frozenset[Ask] = frozenset()
    recovered: bool = False  # a confirmed recovery ("all pain gone", confirmed) came before
    # progress against the progress point, as `read` measured it; None (a reading built
    # by hand): reach closer or pain down by 2 since the previous check-in
    measured: bool | None = None

    @property
    def progress(self) -> bool:
        if self.measured is not None:
            return self.measured
        return self.reach == Move.CLOSER or self.pain == Change.DOWN

    @property
    def stalled(self) -> bool:
        return not self.progress and self.streak >= self.stall_after


EASING = frozenset({Answer.CENTRALIZING, Answer.BACK_EASING})


def _move(reach: Reach, before: Reach) -> Move:
    if reach.rank > before.rank:
        return Move.CLOSER
    if reach.rank < before.rank:
        return Move.FURTHER
    return Move.SAME


def made_progress(
    *,
    answer: Answer,
    reach: Reach,
    pain: int,
    before_reach: Reach,
    before_pain: int,
    point_reach: Reach,
    point_pain: int,
) -> bool:
    """design.md, the progress point: reach closer than the point, or intensity down by 2
    or more from it; or an "easing" answer whose numbers are lower than the previous
    check-in's (reach closer, or intensity down by 1 or more) with nothing further. So
    steady one-point falls are progress, and so is 7 -> 6 -> 5 with "no change" tapped."""
    if reach.rank > point_reach.rank or pain <= point_pain - PAIN_STEP:
        return True
    further = reach.rank < before_reach.rank
    lower = reach.rank > before_reach.rank or pain <= before_pain - 1
    return answer in EASING and lower and not further


def read(
    *,
    stage: Stage,
    answer: Answer,
    reach: Reach,
    pain: int,
    before_reach: Reach,
    before_pain: int,
    one_sided: bool,
    stall: int,
    point_reach: Reach | None = None,
    point_pain: int | None = None,
    stall_after: int = DEFAULT_STALL_AFTER,
    asked: frozenset[Ask] = frozenset(),
    recovered: bool = False,
) -> Reading:
    """Measure a check-in: against the previous one (`before_*`, the stop rule's
    comparison) and against the progress point (`point_*`; the previous check-in when
    None). `stall` is the streak of set check-ins without progress before this one."""
    if pain <= before_pain - PAIN_STEP:
        change = Change.DOWN
    elif pain >= before_pain + PAIN_STEP:
        change = Change.UP
    else:
        change = Change.SAME
    progress = made_progress(
        answer=answer,
        reach=reach,
        pain=pain,
        before_reach=before_reach,
        before_pain=before_pain,
        point_reach=point_reach if point_reach is not None else before_reach,
        point_pain=point_pain if point_pain is not None else before_pain,
    )
    return Reading(
        stage=stage,
        answer=answer,
        reach=_move(reach, before_reach),
        pain=change,
        now=where(reach, pain),
        was=where(before_reach, before_pain),
        one_sided=one_sided,
        streak=0 if progress else stall + 1,
        measured=progress,
        stall_after=stall_after,
        asked=asked,
        recovered=recovered,
    )


# --- what the user reads (one sentence each; msgids, translated by the adapters) -------

R_WORSE = N_(
    "Your pain got worse or spread, so this exercise is not right for you now: stop it "
    "and see a physical therapist."
)
R_SPREAD_BEFORE_SET = N_(
    "Your pain now reaches further from your spine than at your last check-in, so this "
    "exercise is not right for you now. Please see a physical therapist before the next set."
)
R_ALL_GONE = N_("All pain gone: that is the goal. Well done!")
R_PT_GO_ON = N_("Your physical therapist said to go on.")
R_PT_PRESCRIBED = N_("Your physical therapist set this exercise for you.")
R_PT_LIFTED = N_("Your physical therapist lifted the pause.")
R_NEW_EPISODE = N_("Your pain came back, so we start again with the exercise that helped before.")
R_LEG_GONE_STAY = N_(
    "Your leg pain is gone. Keep going with straight press-ups to clear the back pain that "
    "is left."
)
R_LEG_GONE_TO_PRESS = N_(
    "Your leg pain is gone, so switch to straight press-ups to clear the back pain that is left."
)
R_LEG_GONE_FROM_GLIDE = N_(
    "Your leg pain is gone, so stop side gliding and go back to straight press-ups to "
    "clear the back pain that is left."
)
R_PROGRESS = N_("Your pain is easing or moving toward your spine. Keep doing the {exercise}.")
R_PROGRESS_GLIDE = N_(
    "Your leg pain is easing or moving toward your spine: keep going with the side glide. "
    "More pain in the back while this happens is the good sign."
)
R_EASING = N_("Thank you. Keep going with the {exercise}, and keep watching where the pain goes.")
R_READING = N_(
    "Saved for your chart. A reading between sets is not counted as a set. /exercise "
    "starts a set whenever you are ready."
)
R_FAIR_TRIAL = N_(
    "No clear change yet. An exercise deserves a fair trial, so keep going with the {exercise}."
)
R_STALL_TO_HIPS = N_(
    "Straight press-ups have not moved your pain for a while, so we try them with your "
    "hips off centre."
)
R_STALL_TO_GLIDE = N_(
    "Press-ups with your hips off centre have not moved your pain for a while, so we try "
    "the side glide at a wall."
)
R_STALL_TO_FLEXION = N_(
    "The side glide has stopped moving your pain closer to your spine. The next exercise "
    "is the flexion with rotation stretch: please see a physical therapist, who can show "
    "it to you."
)
R_STALL_SEE_PT = N_(
    "These exercises have not moved your pain for a while. A physical therapist can find "
    "what fits you: please see one before you go on."
)
R_STALL_CENTRAL = N_(
    "Press-ups have not moved your pain for a while, and the next exercises are for pain "
    "on one side. Please see a physical therapist before you go on."
)
# the confirming questions (an ASK row's text; the adapter fills in the numbers)
Q_SPREAD = N_(
    "Your pain now reaches: {now}. Before, it reached: {before}. Has it spread further "
    "than before the set?"
)
Q_LEG_WORSE = N_(
    "Your leg pain went from {before} to {now} (out of 10). Is your leg worse than before the set?"
)
Q_SPREAD_NOW = N_(
    "Your pain now reaches: {now}. At your last check-in it reached: {before}. Has it "
    "spread further?"
)
Q_LEG_WORSE_NOW = N_(
    "Your leg pain went from {before} to {now} (out of 10) since your last check-in. Is "
    "your leg worse?"
)
Q_ALL_GONE = N_("Just to be sure: is all your pain gone now, with no pain anywhere?")
Q_LEG_GONE = N_(
    "You said the leg pain is gone, but the pain still reaches: {now}. Is there still pain "
    "in your buttock or leg?"
)

# --- the protocol lines the rows rest on -----------------------------------------------

P_STOP = "protocol.md, Monitoring: pain spreading down the leg or worsening: stop, and see a PT"
P_STOP_RULE = (
    "design.md, the stop rule: reach further from the spine, or intensity up by 2 or more "
    "while the pain is still in the leg; when the button said otherwise, one plain question"
)
P_CONTRADICTION = "design.md: contradictions get one confirming question, never a silent guess"
P_ABOLISHED = "protocol.md, centralization: abolished, the pain is gone"
P_NEW_EPISODE = (
    "design.md: pain back after recovered is a new episode, never peripheralizing; the "
    "exercise that last helped"
)
P_BACK_TO_PRESS = (
    "protocol.md, ladder 4: once the LEG pain has centralized, return to straight press-ups "
    "to abolish the remaining back pain"
)
P_CENTRALIZING = (
    "protocol.md, centralizing: pain decreases in the leg and moves closer to the spine"
)
P_GLIDE_GOING = (
    "protocol.md, Monitoring: pain decreasing in leg and thigh, even while back pain "
    "increases: continue the side glide"
)
P_FAIR_TRIAL = "protocol.md, no change: neither better nor worse after a fair trial"
P_EASING = (
    'design.md: the bot never contradicts an "easing" it has no numbers against: it says '
    "keep going"
)
P_READING = (
    "design.md: a reading outside a set is recorded and charted, held to the stop rule "
    "against the last reading, never counted toward progress or a stall"
)
P_HIPS = "protocol.md, ladder 2: if straight press-ups help but do not fully centralize"
P_GLIDE = (
    "protocol.md, ladder 3: if press-ups with hips off center do not decrease, centralize "
    "or abolish the pain"
)
P_FLEXION = (
    "protocol.md, ladder 5 and Monitoring: the side glide helps but progress slows: the "
    "flexion with rotation stretch, and see a PT"
)
P_SEE_PT = "protocol.md, ladder 6: see a PT when nothing helps"
P_CENTRAL = "protocol.md, who it is for: ONE side; design.md: centre-only stall = see a PT"


@dataclass(frozen=True, slots=True)
class Row:
    """One rule. A field left None matches anything; a set matches any of its values."""

    verdict: Verdict
    reason: str
    protocol: str
    stage: frozenset[Stage] | None = None
    answer: frozenset[Answer] | None = None
    reach: Move | None = None
    pain: Change | None = None
    now: frozenset[Where] | None = None
    was: Where | None = None
    progress: bool | None = None
    stalled: bool | None = None
    one_sided: bool | None = None
    recovered: bool | None = None  # a confirmed recovery came before this check-in
    ask: Ask | None = None  # ASK rows: the question, and the row only matches until asked
    to: Stage | None = None  # MOVE rows: the next exercise

    def matches(self, r: Reading) -> bool:
        return (
            (self.stage is None or r.stage in self.stage)
            and (self.answer is None or r.answer in self.answer)
            and (self.reach is None or r.reach == self.reach)
            and (self.pain is None or r.pain == self.pain)
            and (self.now is None or r.now in self.now)
            and (self.was is None or r.was == self.was)
            and (self.progress is None or r.progress == self.progress)
            and (self.stalled is None or r.stalled == self.stalled)
            and (self.one_sided is None or r.one_sided == self.one_sided)
            and (self.recovered is None or r.recovered == self.recovered)
            and (self.ask is None or self.ask not in r.asked)
        )


def _s(*stages: Stage) -> frozenset[Stage]:
    return frozenset(stages)


_P, _H, _G, _B, _F = (
    Stage.PRESS_UPS,
    Stage.HIPS_OFF_CENTRE,
    Stage.SIDE_GLIDE,
    Stage.BACK_PRESS_UPS,
    Stage.FLEXION_ROTATION,
)
_NOT_ALL_GONE = frozenset(set(Answer) - {Answer.ALL_GONE})
_PAIN_LEFT = frozenset({Where.LEG, Where.BACK})
_LEG, _NONE = frozenset({Where.LEG}), frozenset({Where.NONE})

RULES: tuple[Row, ...] = (
    # the stop rule comes before anything else: the button always stops
    Row(Verdict.STOP, R_WORSE, P_STOP, answer=frozenset({Answer.WORSE})),
    # pain back after a confirmed "all pain gone" is a new episode, not pain spreading (a
    # single reading of no pain is just a reading: the stop rule judges what follows it)
    Row(
        Verdict.NEW_EPISODE,
        R_NEW_EPISODE,
        P_NEW_EPISODE,
        was=Where.NONE,
        now=_PAIN_LEFT,
        recovered=True,
    ),
    Row(Verdict.ASK, Q_SPREAD, P_STOP_RULE, reach=Move.FURTHER, ask=Ask.WORSE),
    Row(Verdict.ASK, Q_LEG_WORSE, P_STOP_RULE, pain=Change.UP, now=_LEG, ask=Ask.WORSE),
    # contradictions
    Row(
        Verdict.ASK,
        Q_ALL_GONE,
        P_CONTRADICTION,
        answer=frozenset({Answer.ALL_GONE}),
        now=_PAIN_LEFT,
        ask=Ask.ALL_GONE,
    ),
    Row(
        Verdict.ASK, Q_ALL_GONE, P_CONTRADICTION, answer=_NOT_ALL_GONE, now=_NONE, ask=Ask.ALL_GONE
    ),
    Row(
        Verdict.ASK,
        Q_LEG_GONE,
        P_CONTRADICTION,
        answer=frozenset({Answer.LEG_GONE}),
        now=_LEG,
        ask=Ask.LEG_GONE,
    ),
    # all pain gone, confirmed by the numbers
    Row(
        Verdict.RECOVERED, R_ALL_GONE, P_ABOLISHED, answer=frozenset({Answer.ALL_GONE}), now=_NONE
    ),
    # leg pain gone: it was in the leg, now only the back hurts
    Row(
        Verdict.CONTINUE,
        R_LEG_GONE_STAY,
        P_BACK_TO_PRESS,
        stage=_s(_P, _B),
        was=Where.LEG,
        now=frozenset({Where.BACK}),
    ),
    Row(
        Verdict.MOVE,
        R_LEG_GONE_TO_PRESS,
        P_BACK_TO_PRESS,
        stage=_s(_H),
        was=Where.LEG,
        now=frozenset({Where.BACK}),
        to=_P,
    ),
    Row(
        Verdict.MOVE,
        R_LEG_GONE_FROM_GLIDE,
        P_BACK_TO_PRESS,
        stage=_s(_G),
        was=Where.LEG,
        now=frozenset({Where.BACK}),
        to=_B,
    ),
    Row(
        Verdict.MOVE,
        R_LEG_GONE_TO_PRESS,
        P_BACK_TO_PRESS,
        stage=_s(_F),
        was=Where.LEG,
        now=frozenset({Where.BACK}),
        to=_B,
    ),
    # progress: carry on
    Row(Verdict.CONTINUE, R_PROGRESS_GLIDE, P_GLIDE_GOING, stage=_s(_G), progress=True),
    Row(Verdict.CONTINUE, R_PROGRESS, P_CENTRALIZING, progress=True),
    # a stall: N check-ins in a row without progress
    Row(
        Verdict.MOVE,
        R_STALL_TO_HIPS,
        P_HIPS,
        stage=_s(_P),
        stalled=True,
        one_sided=True,
        to=_H,
    ),
    Row(Verdict.SEE_PT, R_STALL_CENTRAL, P_CENTRAL, stage=_s(_P), stalled=True, one_sided=False),
    Row(Verdict.MOVE, R_STALL_TO_GLIDE, P_GLIDE, stage=_s(_H), stalled=True, to=_G),
    Row(Verdict.MOVE, R_STALL_TO_FLEXION, P_FLEXION, stage=_s(_G), stalled=True, to=_F),
    Row(Verdict.SEE_PT, R_STALL_SEE_PT, P_SEE_PT, stage=_s(_B, _F), stalled=True),
    # "easing" the numbers do not show yet: never contradicted
    Row(Verdict.CONTINUE, R_EASING, P_EASING, answer=EASING),
    # no progress yet: a fair trial
    Row(Verdict.CONTINUE, R_FAIR_TRIAL, P_FAIR_TRIAL),
)

# a pain reading outside a set (/checkin, "not after a set"): only the stop rule applies
READING_RULES: tuple[Row, ...] = (
    Row(Verdict.STOP, R_WORSE, P_STOP, answer=frozenset({Answer.WORSE})),
    Row(Verdict.ASK, Q_SPREAD_NOW, P_STOP_RULE, reach=Move.FURTHER, ask=Ask.WORSE),
    Row(Verdict.ASK, Q_LEG_WORSE_NOW, P_STOP_RULE, pain=Change.UP, now=_LEG, ask=Ask.WORSE),
    Row(Verdict.RECORD, R_READING, P_READING),
)


def decide(reading: Reading, rules: tuple[Row, ...] = RULES) -> Row:
    """The first row that matches; the last row of each table matches every reading."""
    for row in rules:
        if row.matches(reading):
            return row
    raise AssertionError("the last rule matches every reading")  # pragma: no cover


def next_stage(row: Row, stage: Stage) -> Stage:
    return row.to if row.verdict == Verdict.MOVE and row.to is not None else stage


# --- the starting exercise (design.md, "Starting exercise") ----------------------------

START_PRESS = N_("We start with straight press-ups, the first exercise to try.")
START_HIPS = N_(
    "You have already tried straight press-ups, so we start with press-ups with your hips "
    "off centre."
)
START_GLIDE = N_(
    "You have already tried both kinds of press-up, so we start with the side glide at a wall."
)
# "helped a little" said as such (protocol.md, ladder 2: helps, but does not fully centralize)
START_HIPS_HELPED = N_(
    "Straight press-ups helped a little but did not clear the pain, so we start with "
    "press-ups with your hips off centre."
)
START_GLIDE_HELPED = N_(
    "Both kinds of press-up helped a little but did not clear the pain, so we start with "
    "the side glide at a wall."
)
START_CENTRAL = N_(
    "We start with straight press-ups. As your pain is not on one side, please also see a "
    "physical therapist."
)
TRIED_WORSE = N_(
    "Press-ups made your leg worse, and that is the signal to stop, so I won't start an "
    "exercise now. Please see a physical therapist first."
)

# (press-ups tried: "none" | "press" | "both", how the last went) -> (stage, stop?, reason)
START: dict[tuple[Tried, TriedResult | None], tuple[Stage, bool, str]] = {
    (Tried.NONE, None): (Stage.PRESS_UPS, False, START_PRESS),
    (Tried.PRESS, TriedResult.HELPED): (Stage.HIPS_OFF_CENTRE, False, START_HIPS_HELPED),
    (Tried.PRESS, TriedResult.SAME): (Stage.HIPS_OFF_CENTRE, False, START_HIPS),
    (Tried.PRESS, TriedResult.WORSE): (Stage.HIPS_OFF_CENTRE, True, TRIED_WORSE),  # stop rule
    (Tried.BOTH, TriedResult.HELPED): (Stage.SIDE_GLIDE, False, START_GLIDE_HELPED),
    (Tried.BOTH, TriedResult.SAME): (Stage.SIDE_GLIDE, False, START_GLIDE),
    (Tried.BOTH, TriedResult.WORSE): (Stage.SIDE_GLIDE, True, TRIED_WORSE),
}


def recorded_reasons() -> tuple[str, ...]:
    """Every msgid a recorded move can carry (the report translates them)."""
    moves = {r.reason for r in RULES if r.verdict in (Verdict.MOVE, Verdict.STOP, Verdict.SEE_PT)}
    starts = {reason for _, _, reason in START.values()}
    others = {
        START_CENTRAL,
        R_SPREAD_BEFORE_SET,
        R_NEW_EPISODE,
        R_PT_GO_ON,
        R_PT_PRESCRIBED,
        R_PT_LIFTED,
    }
    return tuple(sorted(moves | starts | others))


# the same decisions worded for a physical therapist (the PT report), not the patient
FOR_PT: dict[str, str] = {
    START_PRESS: N_("Started with straight press-ups (not tried before)."),
    START_HIPS: N_(
        "Started with press-ups, hips off centre: straight press-ups tried before made no change."
    ),
    START_HIPS_HELPED: N_(
        "Started with press-ups, hips off centre: straight press-ups tried before helped a "
        "little, without clearing the pain."
    ),
    START_GLIDE: N_(
        "Started with the side glide: both press-up variants tried before made no change."
    ),
    START_GLIDE_HELPED: N_(
        "Started with the side glide: both press-up variants tried before helped a little, "
        "without clearing the pain."
    ),
    START_CENTRAL: N_(
        "Started with straight press-ups; pain not one-sided, so also referred to a physical "
        "therapist."
    ),
    TRIED_WORSE: N_(
        "Press-ups tried before made the leg pain worse: stop rule, referred to a physical "
        "therapist."
    ),
    R_WORSE: N_("Reported worse or spreading pain: stop rule, referred to a physical therapist."),
    R_SPREAD_BEFORE_SET: N_(
        "Pain reached further from the spine than at the last check-in: stop rule, referred to "
        "a physical therapist."
    ),
    R_PT_GO_ON: N_("The patient said their physical therapist cleared them to go on."),
    R_PT_PRESCRIBED: N_("Set by the physical therapist's prescription in the bot."),
    R_PT_LIFTED: N_("A physical therapist lifted the hold in the bot."),
    R_NEW_EPISODE: N_(
        "Pain came back after full recovery: a new episode, restarted on the exercise that last "
        "helped."
    ),
    R_LEG_GONE_TO_PRESS: N_("Leg pain abolished, back pain only: moved to straight press-ups."),
    R_LEG_GONE_FROM_GLIDE: N_(
        "Leg pain abolished during the side glide, back pain only: side glide stopped, back to "
        "straight press-ups."
    ),
    R_STALL_TO_HIPS: N_(
        "No progress on straight press-ups over several check-ins: moved to hips off centre."
    ),
    R_STALL_TO_GLIDE: N_(
        "No progress on press-ups with hips off centre over several check-ins: moved to the "
        "side glide."
    ),
    R_STALL_TO_FLEXION: N_(
        "Centralization stalled on the side glide: moved to flexion with rotation, and referred "
        "to a physical therapist."
    ),
    R_STALL_SEE_PT: N_(
        "No progress over several check-ins on the last exercise: referred to a physical "
        "therapist."
    ),
    R_STALL_CENTRAL: N_(
        "No progress on straight press-ups and the pain is not one-sided: referred to a "
        "physical therapist."
    ),
}


def starting_stage(
    tried: Tried, result: TriedResult | None, one_sided: bool
) -> tuple[Stage, bool, str]:
    """Where a new user starts: (stage, whether the stop rule applies first, reason)."""
    if not one_sided:
        return Stage.PRESS_UPS, False, START_CENTRAL
    return START[(tried, result if tried != Tried.NONE else None)]


# --- the table as a page of the README -------------------------------------------------

_STAGE_NAMES = {
    _P: "straight press-ups (start)",
    _H: "press-ups, hips off centre",
    _G: "side glide",
    _B: "straight press-ups (after the side glide)",
    _F: "flexion with rotation",
}


def _when(row: Row) -> str:
    """A rule's conditions in words, the README's "when the check-in says": what the
    check-in reads, what came before it, then the side and the question still to ask;
    a rule with none of them is the last, matching anything."""
    parts = [*_when_read(row), *_when_before(row)]
    if row.one_sided is not None:
        parts.append("one-sided pain" if row.one_sided else "centre or both sides")
    if row.ask is not None:
        parts.append(f"not yet asked ({row.ask.value})")
    return ", ".join(parts) or "anything else"


def _when_read(row: Row) -> list[str]:
    """What this check-in itself must read: the answer, how the reach and the pain moved
    since the last check-in, where the pain was then and is now."""
    parts: list[str] = []
    if row.answer is not None:
        names = sorted(a.value for a in row.answer)
        parts.append(
            "answer " + ("not all_gone" if row.answer == _NOT_ALL_GONE else "/".join(names))
        )
    if row.reach is not None:
        parts.append(f"reach {row.reach.value}")
    if row.pain is not None:
        parts.append(f"pain {row.pain.value} by {PAIN_STEP}+")
    if row.was is not None:
        parts.append(f"was {row.was.value}")
    if row.now is not None:
        parts.append("now " + "/".join(sorted(w.value for w in row.now)))
    return parts


def _when_before(row: Row) -> list[str]:
    """What the check-ins before this one must have shown: progress against the progress
    point, a confirmed recovery, or no progress several times in a row."""
    parts: list[str] = []
    if row.progress:
        parts.append(
            "progress (against the progress point: reach closer or pain down by 2+; or an "
            "easing answer with reach closer or pain down by 1+ since the last check-in, "
            "nothing further)"
        )
    if row.recovered:
        parts.append("after a confirmed recovery")
    if row.stalled:
        parts.append("no progress, N-th set check-in in a row")
    return parts


def _then(row: Row) -> str:
    if row.verdict == Verdict.MOVE and row.to is not None:
        return f"move to {_STAGE_NAMES[row.to]}"
    return {
        Verdict.STOP: "STOP: exercises and reminders pause until a PT says go on",
        Verdict.ASK: "ask one confirming question",
        Verdict.RECOVERED: "recovered: reminders stop, maintenance offered",
        Verdict.NEW_EPISODE: "new starting point; back to the exercise that last helped",
        Verdict.CONTINUE: "continue",
        Verdict.SEE_PT: "see a PT: exercises and reminders pause until a PT says go on",
        Verdict.RECORD: "record the reading (no progress, no stall)",
    }[row.verdict]


def table_rows(rules: tuple[Row, ...] = RULES) -> Iterator[tuple[str, ...]]:
    for i, row in enumerate(rules, 1):
        stages = (
            "any"
            if row.stage is None
            else ", ".join(_STAGE_NAMES[s] for s in Stage if s in row.stage)
        )
        reason = re.sub(r"\{(\w+)\}", r"<\1>", row.reason)
        yield (str(i), stages, _when(row), _then(row), reason, row.protocol)


def markdown(rules: tuple[Row, ...] = RULES) -> str:
    """The rules as a Markdown table (first match wins), for the README."""
    head = ("#", "exercise", "when the check-in says", "then", "the user reads", "rests on")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rules)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
