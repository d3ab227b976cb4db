"""When a user's reminders fire: pure rules, no storage and no transport.

All instants in and out are timezone-aware UTC datetimes. Slots are defined in
the user's *wall-clock* time, so "every 3 hours from 08:00" stays 08:00, 11:00, ...
across daylight-saving changes. Two DST rules (the ones RFC 5545 uses):

- a wall time that does not exist (spring forward) is shifted forward by the
  length of the gap: 02:30 in Berlin on the last Sunday of March fires at 03:30;
- a wall time that happens twice (fall back) fires once, at its first occurrence.

The catch-up rule lives here too, so the ticker that talks to the database only
has to apply `catch_up` and store what it returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flows.i18n import N_
from flows.model import DEFAULT_WINDOW, RemindMode

Mode = RemindMode
EVERY_HOURS = (2, 3, 4)
MAX_FIXED_TIMES = 12
DEFAULT_START = DEFAULT_WINDOW.start
DEFAULT_END = DEFAULT_WINDOW.end
# A ping later than this after its slot is a catch-up: quiet hours then apply.
# Generous enough that a backlog at the 21:00 edge (all users due at once,
# paced at 30/s) still gets its on-time ping.
ON_TIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Schedule:
    """One user's reminder settings, as the user chose them.

    `start`-`end` is the daily window: in "every" mode the slots are start,
    start+N h, ... up to end; in both modes a catch-up ping is never sent
    outside it. In "fixed" mode the user's own times always count as inside the
    window, even when they lie outside start-end.
    """

    tz: str
    mode: Mode = Mode.EVERY
    every_hours: int = 3
    start: time = DEFAULT_START
    end: time = DEFAULT_END
    fixed_times: tuple[time, ...] = ()
    paused: bool = False

    def __post_init__(self) -> None:
        if self.tz not in _zone_set():
            raise ValueError(f"unknown time zone {self.tz!r}; use validate_tz() first")
        if self.mode not in ("every", "fixed"):
            raise ValueError(f"mode must be 'every' or 'fixed', not {self.mode!r}")
        if self.every_hours not in EVERY_HOURS:
            raise ValueError(f"every_hours must be one of {EVERY_HOURS}")
        for t in (self.start, self.end, *self.fixed_times):
            if t.tzinfo is not None or t.second or t.microsecond:
                raise ValueError("schedule times are naive wall-clock hours and minutes")
        if not self.start < self.end:
            raise ValueError("the daily window must start before it ends")
        times = tuple(sorted(set(self.fixed_times)))
        if len(times) > MAX_FIXED_TIMES:
            raise ValueError(f"at most {MAX_FIXED_TIMES} fixed times")
        if self.mode == "fixed" and not times:
            raise ValueError("fixed mode needs at least one time")
        object.__setattr__(self, "fixed_times", times)

    @property
    def wall_slots(self) -> tuple[time, ...]:
        """The wall-clock times of one day's pings, in order."""
        return _wall_slots(self.mode, self.every_hours, self.start, self.end, self.fixed_times)


@dataclass(frozen=True, slots=True)
class PingDecision:
    """What to do with a reminder whose stored due time has been reached.

    `slot` is the time the ping stands for (the latest one that passed);
    `next_due` is always in the future (or None when paused), so applying a
    decision can never leave a backlog that would flood the user.
    """

    send: bool
    slot: datetime | None
    next_due: datetime | None
    catch_up: bool


# --- time zones -----------------------------------------------------------------

_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*([+\-\u2212])\s*(\d{1,2})(?:\s*(?::|\.|h)?\s*(\d{2}))?$", re.IGNORECASE
)
_UTC_WORDS = frozenset({"utc", "gmt", "z", "zulu", "etc/utc", "etc/gmt", "universal"})
# Offsets that are not whole hours have no Etc/GMT zone. These zones keep that
# offset all year (no DST), so they are exact. Others (e.g. -03:30, Newfoundland,
# which has DST) are refused rather than guessed.
_FRACTIONAL = {
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 8, 45): "Australia/Eucla",
    (1, 9, 30): "Australia/Darwin",
    (-1, 9, 30): "Pacific/Marquesas",
}


@cache
def _zone_names() -> dict[str, str]:
    names = available_timezones() - {"Factory", "localtime", "posixrules"}
    return {n.lower(): n for n in names}


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(_zone_names().values())


@cache
def _city_names() -> dict[str, str | None]:
    """Last path component -> zone, None where two zones share a city name."""
    cities: dict[str, str | None] = {}
    for name in _zone_names().values():
        if "/" not in name or name.startswith("Etc/"):
            continue
        city = name.rsplit("/", 1)[1].lower()
        cities[city] = None if city in cities else name
    return cities


def validate_tz(name: str) -> str | None:
    """Turns what a user typed into a canonical zone name, or None.

    Accepts IANA names in any case ("europe/berlin"), a unique city ("Berlin",
    "new york") and UTC offsets ("UTC+2", "+02:00", "GMT-5"). Whole-hour offsets
    map to the fixed-offset zones, whose sign POSIX inverted: UTC+2 is
    "Etc/GMT-2".
    """
    text = name.strip()
    if not text or len(text) > 64:
        return None
    key = text.lower().replace(" ", "_")
    if key in _UTC_WORDS:
        return "UTC"
    if match := _OFFSET.match(text):
        sign = -1 if match[1] in "-\u2212" else 1
        hours, minutes = int(match[2]), int(match[3] or 0)
        if minutes:
            return _FRACTIONAL.get((sign, hours, minutes))
        offset = sign * hours
        if not -12 <= offset <= 14:
            return None
        return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
    if found := _zone_names().get(key):
        return found
    if "/" not in key:
        return _city_names().get(key)
    return None


def tz_label(tz: str) -> str:
    """How a zone is shown to a user: Etc/GMT-2 reads as UTC+2, not GMT-2."""
    if tz.startswith("Etc/GMT") and len(tz) > len("Etc/GMT"):
        return f"UTC{-int(tz[len('Etc/GMT') :]):+d}"
    return tz


# --- slots ----------------------------------------------------------------------


@lru_cache(maxsize=256)
def _wall_slots(
    mode: Mode, every_hours: int, start: time, end: time, fixed: tuple[time, ...]
) -> tuple[time, ...]:
    if mode == "fixed":
        return fixed
    first = start.hour * 60 + start.minute
    last = end.hour * 60 + end.minute
    step = every_hours * 60
    return tuple(time(m // 60, m % 60) for m in range(first, last + 1, step))


@lru_cache(maxsize=8192)
def _day_instants(tz: str, slots: tuple[time, ...], day: date) -> tuple[datetime, ...]:
    """One local day's slots as sorted, distinct UTC instants.

    fold=0 gives both DST rules at once: the first occurrence of a repeated
    time, and the pre-transition offset for a missing one (= shifted forward).
    Cached because thousands of users share a zone and a schedule.
    """
    zone = ZoneInfo(tz)
    return tuple(sorted({datetime.combine(day, t, tzinfo=zone).astimezone(UTC) for t in slots}))


def _local_date(schedule: Schedule, at: datetime) -> date:
    _require_aware(at)
    return at.astimezone(ZoneInfo(schedule.tz)).date()


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")


def next_due(schedule: Schedule, after: datetime) -> datetime | None:
    """The first slot strictly after `after`, or None when paused."""
    if schedule.paused:
        return None
    slots = schedule.wall_slots
    day = _local_date(schedule, after)
    best: datetime | None = None
    # A DST shift can push a slot past midnight, so look one day either side.
    for offset in range(-1, 9):
        if best is not None and offset > 1:
            break
        for instant in _day_instants(schedule.tz, slots, day + timedelta(days=offset)):
            if instant > after and (best is None or instant < best):
                best = instant
                break
    return best.astimezone(UTC) if best else None


def previous_slot(schedule: Schedule, at: datetime) -> datetime | None:
    """The latest slot at or before `at` (ignores `paused`)."""
    slots = schedule.wall_slots
    day = _local_date(schedule, at)
    best: datetime | None = None
    for offset in range(1, -9, -1):
        if best is not None and offset < -1:
            break
        for instant in reversed(_day_instants(schedule.tz, slots, day + timedelta(days=offset))):
            if instant <= at and (best is None or instant > best):
                best = instant
                break
    return best


def in_quiet_hours(schedule: Schedule, at: datetime) -> bool:
    """True outside the daily window (fixed times widen it, never narrow it)."""
    _require_aware(at)
    local = at.astimezone(ZoneInfo(schedule.tz))
    lo, hi = schedule.start, schedule.end
    if schedule.mode == "fixed":
        lo, hi = min(lo, schedule.fixed_times[0]), max(hi, schedule.fixed_times[-1])
    # Whole minutes: a ping for 21:00 sent at 21:00:59 is still inside the window.
    minute = local.hour * 60 + local.minute
    return minute < lo.hour * 60 + lo.minute or minute > hi.hour * 60 + hi.minute


def catch_up(
    schedule: Schedule,
    due: datetime,
    now: datetime,
    *,
    on_time: timedelta = ON_TIME,
    max_late: timedelta | None = None,
) -> PingDecision:
    """The rule for a reminder whose stored due time is `due` (a slot, a snooze, a deferral).

    However many slots passed since `due` (the bot was down, the backlog was
    long), at most ONE ping is sent, standing for the latest passed slot, and
    the next due time is the first slot after `now`: never a flood. That ping
    is sent when it is on time (within `on_time` of its slot), or, when late,
    if `now` is not in quiet hours and the slot is not older than `max_late`
    (None: any slot whose interval has not ended, which is every latest slot).
    """
    _require_aware(due)
    _require_aware(now)
    if schedule.paused:
        return PingDecision(send=False, slot=None, next_due=None, catch_up=False)
    if now < due:
        return PingDecision(send=False, slot=None, next_due=due, catch_up=False)
    latest = previous_slot(schedule, now)
    slot = latest if latest is not None and latest > due else due
    late = now - slot
    if late <= on_time:
        send = True
    else:
        send = not in_quiet_hours(schedule, now) and (max_late is None or late <= max_late)
    return PingDecision(
        send=send,
        slot=slot.astimezone(UTC),
        next_due=next_due(schedule, now),
        catch_up=slot != due or late > on_time,
    )


def snooze(now: datetime, minutes: int = 30) -> datetime:
    """When a snoozed ping comes back."""
    _require_aware(now)
    if not 1 <= minutes <= 24 * 60:
        raise ValueError("snooze between 1 minute and 1 day")
    return now + timedelta(minutes=minutes)


# --- describing a schedule to the user -----------------------------------------

_PAUSED = {
    None: N_("Reminders are paused."),
    "user": N_("Reminders are off."),
    "worse": N_("Reminders are paused while your pain is worse."),
    "done": N_("Reminders are off: your pain is gone."),
    "blocked": N_("Reminders are paused."),
}


def hhmm(t: time) -> str:
    """A wall-clock time as shown (and as a session stores it): "08:00"."""
    return f"{t.hour:02d}:{t.minute:02d}"


def describe(
    schedule: Schedule, next_at: datetime | None = None, paused_reason: str | None = None
) -> tuple[str, dict[str, str]]:
    """A msgid and its params for "/remind shows the schedule".

    Times are shown in the user's own zone, 24-hour; `next_at` (UTC) adds the
    next ping. The adapter translates the msgid and formats it with the params.
    """
    if schedule.paused:
        return _PAUSED.get(paused_reason, _PAUSED[None]), {}
    params = {
        "tz": tz_label(schedule.tz),
        "start": hhmm(schedule.start),
        "end": hhmm(schedule.end),
        "hours": str(schedule.every_hours),
        "times": ", ".join(hhmm(t) for t in schedule.fixed_times),
    }
    if next_at is not None:
        params["next"] = hhmm(next_at.astimezone(ZoneInfo(schedule.tz)).time())
    if schedule.mode == "fixed":
        if next_at is None:
            return N_("Reminders every day at {times} ({tz})."), params
        return N_("Reminders every day at {times} ({tz}). Next one at {next}."), params
    if next_at is None:
        return N_("Reminders every {hours} hours from {start} to {end} ({tz})."), params
    return (
        N_("Reminders every {hours} hours from {start} to {end} ({tz}). Next one at {next}."),
        params,
    )
