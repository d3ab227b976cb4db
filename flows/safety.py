"""The one answer to "may we?": offer an exercise, fire a reminder, send a nudge.

The engine, the coach and the reminder ticker ask these functions and decide
nothing of their own, so a stop can never be lifted by a path that forgot it.
Holds are lifted in exactly two ways: a clean re-screen (red flags) and "my PT
says go on" (the stop rule, or nothing left to try).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from flows import screening
from flows import texts as t
from flows.catalogue import EXERCISES, PRESS_UP_CAUTION
from flows.effects import RecordRungChange
from flows.i18n import N_
from flows.model import Reach, Rung, Side
from flows.session import Hold, Session

# design.md: the one-tap "anything new?" is skipped when a screening or this check
# was answered this recently
CHECK_FRESH = timedelta(minutes=60)


class Pause(StrEnum):
    """Why a user's pings are paused, as the session says it (`reminder_pause`); a turn's
    `ReminderPause` effect carries it as these strings."""

    RED_FLAG = "redflag"
    STOP_RULE = "worse"
    SEE_PT = "see_pt"
    RECOVERED = "done"
    USER = "user"
    BLOCKED = "blocked"  # the user blocked the bot (the transport's Unreachable event)


# why the reminders are paused, for /remind (a red flag never reaches /remind: it asks
# for the re-screen first)
PAUSED_WHY = {
    Pause.STOP_RULE: N_(
        "Reminders are paused because your pain got worse or spread. They come back when "
        "your physical therapist says you can go on."
    ),
    Pause.SEE_PT: N_(
        "Reminders are paused until you have seen a physical therapist and they say you can go on."
    ),
    Pause.RECOVERED: N_(
        "Reminders are off because your pain is gone. If it comes back, /exercise starts again."
    ),
}


def exercise_hold(s: Session) -> Hold | None:
    """Why no exercise may be offered now (None: it may)."""
    if s.safety.red_flag is not None:
        return Hold.RED_FLAG
    return s.safety.hold


def may_offer_exercise(s: Session) -> bool:
    return s.safety.screened and s.assessment.onboarded and exercise_hold(s) is None


def reminder_pause(s: Session) -> Pause | None:
    """The pause this session keeps its reminders in (the ticker reads it from the
    stored session); None = pings may run."""
    hold = exercise_hold(s)
    if hold == Hold.RED_FLAG:
        return Pause.RED_FLAG
    if hold == Hold.STOP_RULE:
        return Pause.STOP_RULE
    if hold == Hold.SEE_PT:
        return Pause.SEE_PT
    if s.ladder.recovered:
        return Pause.RECOVERED
    if s.safety.blocked:
        return Pause.BLOCKED
    if s.reminders.paused:
        return Pause.USER
    return None


def may_remind(s: Session) -> bool:
    return may_offer_exercise(s) and reminder_pause(s) is None


def may_nudge(s: Session) -> bool:
    """ "2 of 5 sets today": only while the plan is live (never after a stop or recovery)."""
    return may_offer_exercise(s) and not s.ladder.recovered


def check_due(s: Session, now: datetime) -> bool:
    """The one-tap "anything new since last time?" is due before this set."""
    return s.safety.checked_at is None or now - s.safety.checked_at >= CHECK_FRESH


def spread_since_last(s: Session, reach: Reach) -> bool:
    """Before a set: pain reaching further than at the last check-in is the stop rule."""
    before = s.ladder.ref_reach or s.assessment.baseline_reach
    return before is not None and reach.rank < before.rank


def hold(s: Session, why: Hold, reason: str) -> tuple[Session, RecordRungChange]:
    """Apply the stop rule (or "see a PT"): held until "my PT says go on", and recorded.

    The record is a move to "see a physical therapist" with the reason the user
    read, so the chart, the report and the PT see when and why it stopped.
    """
    s = replace(
        s, safety=replace(s.safety, hold=why), ladder=replace(s.ladder, stall=0, recovered=False)
    )  # worse is not recovered any more
    return s, RecordRungChange(from_rung=s.rung, to_rung=Rung.SEE_PT, reason=reason)


def both_legs_question(side: Side, reach: Reach) -> bool:
    """Pain on both sides reaching a leg may be the bilateral red flag: ask it plainly."""
    return side == Side.BOTH and reach.rank <= Reach.THIGH.rank


def cautions(s: Session, rung: Rung) -> tuple[str, ...]:
    """What to say before a set: the backward-bending caution on a press-up exercise's
    first set (protocol.md, Cautions), and the exercise's own stop sign every time."""
    ex = EXERCISES[rung]
    said: list[str] = []
    if ex.press_up and s.ladder.rung_sets == 0:
        said.append(PRESS_UP_CAUTION)
    if ex.caution:
        said.append(ex.caution)
    return tuple(said)


def hold_reason(s: Session, hold: Hold, last_move: str | None) -> str:
    """Why the exercises are held, as the user read it: the warning sign's question, else
    the reason of the ladder move that held them (`last_move`), else the hold's own words.
    The PT's alert and weekly summary say the same (bot.sharing)."""
    if hold == Hold.RED_FLAG:
        flag = screening.BY_ID.get(s.safety.red_flag or "")
        if flag is not None:
            return flag.question
    if last_move:
        return last_move
    return t.HELD_WHY.get(hold.value, t.HELD_WHY["stop"])
