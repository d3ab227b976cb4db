"""The Patient-Specific Functional Scale: up to three activities, each rated 0-10.

PSFS is an outcome physical therapists know. The user picks the activities
from a list rather than typing them, so what a PT sees is never something the
user typed (the promise /share makes). They rate at the start (offered once,
after the first set) and then weekly (offered after a check-in once a week
has passed); /psfs rates any time. The 0-10 wording is the scale's own: 0 is
unable to do the activity, 10 is able to do it as before the problem.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flows import texts as t
from flows.effects import Choice, RecordPsfs, Say
from flows.i18n import N_, Msg
from flows.model import PsfsRating
from flows.session import Psfs, Session, State
from flows.settings import RETURNS, back, detour
from flows.states import (
    SAME,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    on,
    on_any,
    typed,
    typed_scale,
)

MAX_ACTIVITIES = 3
EVERY = timedelta(days=7)

# id -> label; ids are stored, so renaming one is a migration
ACTIVITIES: dict[str, str] = {
    "sit": N_("Sitting"),
    "stand": N_("Standing"),
    "walk": N_("Walking"),
    "bend": N_("Bending forward"),
    "lift": N_("Lifting and carrying"),
    "sleep": N_("Sleeping, turning in bed"),
    "dress": N_("Getting dressed"),
    "drive": N_("Driving"),
    "house": N_("Housework"),
    "work": N_("My work"),
}


def activity_name(activity: str) -> Msg:
    return Msg(ACTIVITIES.get(activity, activity))


def due(s: Session, now: datetime) -> bool:
    """A week since the last rating (the weekly re-rating is due)."""
    return s.psfs.rated_at is not None and now - s.psfs.rated_at >= EVERY


# the hints after a check-in; they come after the check-in's own words (bot.coach)
HINTS = frozenset({t.PSFS_OFFER, t.PSFS_DUE})


def hint_after_checkin(s: Session, now: datetime) -> tuple[Session, Say | None]:
    """After a check-in: the first offer once, then "a week since you rated" weekly."""
    if s.psfs.rated_at is None and not s.psfs.offered:
        return replace(s, psfs=replace(s.psfs, offered=True)), Say(t.PSFS_OFFER)
    if due(s, now) and not s.psfs.offered:
        return replace(s, psfs=replace(s.psfs, offered=True)), Say(t.PSFS_DUE)
    return s, None


def start(s: Session) -> Outcome:
    """/psfs: rate the activities chosen before, or choose them first."""
    s = replace(s, psfs=replace(s.psfs, picking=(), rating=0, scores=()))
    if s.psfs.activities:
        return detour(s, State.PSFS_RATE)
    return detour(s, State.PSFS_PICK)


def _pick_question(s: Session) -> Question:
    if s.psfs.picking:
        picked = tuple(activity_name(a) for a in s.psfs.picking)  # translated one by one
        params = {"n": len(s.psfs.picking), "max": MAX_ACTIVITIES, "picked": picked}
        return Question(t.ASK_PSFS_MORE, params, 2)
    return Question(t.ASK_PSFS_PICK, {"max": MAX_ACTIVITIES}, columns=2)


def _pick_buttons(s: Session) -> tuple[Choice, ...]:
    left = tuple(Choice(k, label) for k, label in ACTIVITIES.items() if k not in s.psfs.picking)
    end = Choice("done", t.B_PSFS_DONE) if s.psfs.picking else Choice("cancel", t.B_NOT_NOW)
    return (*left, end)


def _not_now(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(replace(s, psfs=replace(s.psfs, picking=())), (Say(t.PSFS_LATER),))


def _picked(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(s, psfs=replace(s.psfs, picking=(*s.psfs.picking, value)))
    if len(s.psfs.picking) < MAX_ACTIVITIES:
        return enter(s, State.PSFS_PICK)
    return _picking_done(s, value, ctx)


def _picking_done(s: Session, value: str, ctx: Ctx) -> Outcome:
    chosen = s.psfs.picking
    s = replace(s, psfs=replace(s.psfs, activities=chosen, picking=(), rating=0, scores=()))
    return enter(s, State.PSFS_RATE)


def _rate_question(s: Session) -> Question:
    if not s.psfs.activities:  # nothing chosen (an old row): choose first
        return _pick_question(s)
    activity = s.psfs.activities[min(s.psfs.rating, len(s.psfs.activities) - 1)]
    return Question(
        t.ASK_PSFS_RATE,
        {
            "activity": activity_name(activity),
            "n": s.psfs.rating + 1,
            "total": len(s.psfs.activities),
        },
        columns=6,
    )


def _rate_buttons(s: Session) -> tuple[Choice, ...]:
    return tuple(Choice(str(i), str(i), literal=True) for i in range(11))


def _rate(s: Session, value: str, ctx: Ctx) -> Outcome:
    if not s.psfs.activities:
        return enter(s, State.PSFS_PICK)
    scores = (*s.psfs.scores, int(value))
    if len(scores) < len(s.psfs.activities):
        return enter(replace(s, psfs=replace(s.psfs, scores=scores, rating=len(scores))), s.state)
    ratings = tuple(
        PsfsRating(ctx.now, activity, score)
        for activity, score in zip(s.psfs.activities, scores, strict=True)
    )
    # offered=False: the next weekly offer may come, a week from now
    s = replace(s, psfs=Psfs(activities=s.psfs.activities, rated_at=ctx.now))
    return back(s, (RecordPsfs(ratings), Say(t.PSFS_SAVED)))


STATES: dict[State, Spec] = {
    State.PSFS_PICK: Spec(
        ask=_pick_question,
        buttons=_pick_buttons,
        answers=(
            on("cancel", _not_now, RETURNS),
            on("done", _picking_done, State.PSFS_RATE),
            on_any(_picked, State.PSFS_PICK, State.PSFS_RATE),
        ),
        kind=Kind.DETOUR,
    ),
    State.PSFS_RATE: Spec(
        ask=_rate_question,
        buttons=_rate_buttons,
        answers=(on_any(_rate, State.PSFS_PICK, State.PSFS_RATE, RETURNS),),
        kind=Kind.DETOUR,
        typed=typed(typed_scale, State.PSFS_PICK, State.PSFS_RATE, RETURNS, SAME),
    ),
}
