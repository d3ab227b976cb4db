"""The week's direction and the day's adherence, as plain numbers and msgids.

Read by /progress, reminders and the PT report; pure so the same check-ins
always give the same verdict, whatever adapter asks.

The verdict follows protocol.md: where the furthest pain reaches is the main
signal (moving toward the spine is centralizing, even if the back hurts more),
pain intensity only breaks a tie, and a "worse / spreading" answer in the
window always makes the week peripheralizing, so a PT never misses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from statistics import fmean

from flows.i18n import N_, Nn_
from flows.model import Answer, CheckIn, Reach, Trend

TREND_DAYS = 7
# A mean shift of half a reach step between the window's start and end counts;
# smaller shifts are the noise of picking between two neighbouring labels.
REACH_STEP = 0.5
# Pain (0-10) only decides when the reach did not move; one point is within the
# day-to-day wobble of a self-reported score, two is not.
PAIN_STEP = 2.0

TREND_LABELS: Mapping[Trend, str] = {
    Trend.CENTRALIZING: N_("Moving toward your spine: the direction we want"),
    Trend.STABLE: N_("Stable: no clear change"),
    Trend.PERIPHERALIZING: N_("Spreading: the pain moved away from your spine or got worse"),
    Trend.UNKNOWN: N_("Not enough check-ins yet to see a trend"),
}


NUDGE_NO_PLAN = Nn_("{done} set today.", "{done} sets today.")
NUDGE_START = Nn_("Today's plan: {planned} set.", "Today's plan: {planned} sets.")
NUDGE_PROGRESS = Nn_(
    "{done} of {planned} set today. Nice going!", "{done} of {planned} sets today. Nice going!"
)
NUDGE_DONE = Nn_(
    "{done} of {planned} set today: today's plan is done. Well done!",
    "{done} of {planned} sets today: today's plan is done. Well done!",
)
# more sets than planned (fixed times shrank the plan, say): never "7 of 3"
NUDGE_BEYOND = Nn_(
    "{done} set today: today's plan is done. Well done!",
    "{done} sets today: today's plan is done. Well done!",
)


@dataclass(frozen=True, slots=True)
class Nudge:
    """A message for the adapter: `ngettext(msgid, plural, count).format(**params)`."""

    msgid: str
    plural: str
    count: int  # the number that picks the plural form
    params: Mapping[str, object] = field(default_factory=dict)


def in_window(history: Sequence[CheckIn], now: datetime, days: int = TREND_DAYS) -> list[CheckIn]:
    """Check-ins with `now - days <= at <= now`, oldest first.

    The start is inclusive so that "7 days" holds a check-in made at the same
    minute a week ago; anything after `now` (clock skew) is not yet history.
    """
    start = now - timedelta(days=days)
    return sorted((c for c in history if start <= c.at <= now), key=lambda c: c.at)


def leg_trend(history: Sequence[CheckIn], now: datetime, days: int = TREND_DAYS) -> Trend:
    """Classify the last `days` days; see the module docstring for the rules."""
    window = in_window(history, now, days)
    if len(window) < 2:
        return Trend.UNKNOWN
    if any(c.answer == Answer.WORSE for c in window):
        return Trend.PERIPHERALIZING
    # Compare the first and last third (at least one check-in each) rather than
    # two single points, so one odd answer at either end does not flip the week.
    k = max(1, len(window) // 3)
    early, late = window[:k], window[-k:]
    reach_shift = fmean(c.reach.rank for c in late) - fmean(c.reach.rank for c in early)
    if reach_shift >= REACH_STEP:
        return Trend.CENTRALIZING
    if reach_shift <= -REACH_STEP:
        return Trend.PERIPHERALIZING
    pain_shift = fmean(c.pain for c in late) - fmean(c.pain for c in early)
    if pain_shift <= -PAIN_STEP:
        return Trend.CENTRALIZING
    # More pain at the same reach is peripheralizing only in the leg: the
    # protocol warns that back pain may rise while the leg clears.
    if pain_shift >= PAIN_STEP and window[-1].reach.rank <= Reach.BUTTOCK.rank:
        return Trend.PERIPHERALIZING
    return Trend.STABLE


def _local_date(at: datetime, tz: tzinfo) -> date:
    return at.astimezone(tz).date()


def sets_today(history: Sequence[CheckIn], now: datetime, tz: tzinfo) -> int:
    """Check-ins (one per set) on `now`'s calendar day in the user's time zone; a pain
    reading between sets is not a set."""
    today = _local_date(now, tz)
    return sum(1 for c in _sets(history) if c.at <= now and _local_date(c.at, tz) == today)


def _sets(history: Sequence[CheckIn]) -> list[CheckIn]:
    return [c for c in history if c.answer != Answer.READING]


def sets_this_week(
    history: Sequence[CheckIn], now: datetime, tz: tzinfo, first_weekday: int = 0
) -> int:
    """Check-ins in the user's current calendar week (Monday first unless told otherwise)."""
    today = _local_date(now, tz)
    week_start = today - timedelta(days=(today.weekday() - first_weekday) % 7)
    return sum(
        1 for c in _sets(history) if c.at <= now and week_start <= _local_date(c.at, tz) <= today
    )


def planned_sets_per_day(every_hours: int, start: time, end: time) -> int:
    """Reminders in a day's window, both ends included: every 3 h 08:00-21:00 is 5.

    An `end` before `start` is a window that runs past midnight.
    """
    if every_hours <= 0:
        raise ValueError("every_hours must be positive")
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes < 0:
        minutes += 24 * 60
    return minutes // (every_hours * 60) + 1


def adherence_nudge(done: int, planned: int, paused: bool = False) -> Nudge | None:
    """A friendly count of today's sets; None while exercises are paused.

    Never a reproach: falling short gets the plan and an easy next step, not a
    deficit, and a "worse / spreading" pause gets no adherence talk at all.
    """
    if paused:
        return None
    params = {"done": done, "planned": planned}
    if planned <= 0:
        return Nudge(*NUDGE_NO_PLAN, done, params)
    if done <= 0:
        return Nudge(*NUDGE_START, planned, params)
    if done < planned:
        return Nudge(*NUDGE_PROGRESS, planned, params)
    if done > planned:
        return Nudge(*NUDGE_BEYOND, done, params)
    return Nudge(*NUDGE_DONE, planned, params)
