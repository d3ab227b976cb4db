"""The /remind conversation: time zone once, then every N hours in a window, or fixed times.

The schedule's pause is not this module's to lift: a saved schedule keeps the
pause flows.safety says it must hold, and while exercises are held the menu
says why instead of offering "Pause".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, time, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from flows import safety
from flows.effects import Choice, Say, SetSchedule
from flows.i18n import N_
from flows.model import RemindMode, Window
from flows.schedule import Schedule, hhmm, validate_tz
from flows.schedule import describe as schedule_describe
from flows.session import Session, State
from flows.settings import RETURNS, back
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
    reprompt,
    typed,
)
from flows.trend import planned_sets_per_day

ASK_NONE = N_(
    "No reminders yet. While symptoms last, a set every 2-3 hours is common McKenzie "
    "practice. Shall I remind you?"
)
SHOW_PAUSED = N_("Reminders are paused.")
ASK_TZ = N_(
    "Which time zone are you in? Tap one, or type a name like Europe/Berlin or America/New_York."
)
BAD_TZ = N_("I don't know that time zone. Tap one below, or type a name like Europe/Berlin.")
ASK_KIND = N_("How often should I remind you?")
ASK_WINDOW = N_("Between which hours? Tap one, or type them like 08:00-21:00.")
BAD_WINDOW = N_("Please type the hours like 08:00-21:00 (start before end), or tap one below.")
ASK_TIMES = N_("At which times? Tap one, or type up to 8 times like 08:00, 12:30, 18:00.")
BAD_TIMES = N_("Please type times like 08:00, 12:30, 18:00, or tap one below.")
SAVED = N_("Saved. I'll remind you; /remind changes or pauses it.")
SAVED_HELD = N_("Saved. The reminders stay paused for now.")
PAUSED = N_("Reminders paused. /remind resumes them.")
RESUMED = N_("Reminders are back on.")

B_SET_UP = N_("Yes, remind me")
B_NOT_NOW = N_("Not now")
B_CHANGE = N_("Change schedule")
B_CHANGE_TZ = N_("Change time zone")
B_PAUSE = N_("Pause")
B_RESUME = N_("Resume")
B_CLOSE = N_("Done")
B_EVERY = {2: N_("Every 2 hours"), 3: N_("Every 3 hours"), 4: N_("Every 4 hours")}
B_FIXED = N_("At fixed times")

TZ_CHOICES = ("UTC-8", "UTC-5", "UTC-3", "UTC", "UTC+1", "UTC+2", "UTC+3", "UTC+8")
WINDOWS = ("08:00-21:00", "07:00-22:00", "09:00-20:00")
TIMES = ("08:00,12:00,16:00,20:00", "09:00,13:00,17:00,21:00", "08:00,14:00,20:00")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def _held(s: Session) -> str | None:
    """Why pings are paused by something the user cannot lift here (None: not so)."""
    pause = safety.reminder_pause(s)
    if pause is None or pause == safety.Pause.USER:
        return None
    return safety.PAUSED_WHY.get(pause, SHOW_PAUSED)


def _menu(s: Session) -> Question:
    if s.reminders.mode is None:
        return Question(ASK_NONE, columns=2, prefix=_held(s))
    text, params = describe(s)
    note = _held(s) or (SHOW_PAUSED if s.reminders.paused else None)
    return Question(text, params, columns=2, prefix=note)


def _menu_choices(s: Session) -> tuple[Choice, ...]:
    if s.reminders.mode is None:
        return (Choice("setup", B_SET_UP), Choice("close", B_NOT_NOW))
    toggle: tuple[Choice, ...] = ()
    if _held(s) is None:
        toggle = (Choice("resume", B_RESUME) if s.reminders.paused else Choice("pause", B_PAUSE),)
    return (
        Choice("setup", B_CHANGE),
        Choice("tz", B_CHANGE_TZ),
        *toggle,
        Choice("close", B_CLOSE),
    )


def schedule_of(s: Session) -> Schedule:
    """The one way from a session to when its pings come: the user's choices (the
    every-3-hours default before any), paused while flows.safety says so. The menu, the
    nudge's plan and the ticker all read it, so none can disagree with the session."""
    prefs = s.reminders
    return Schedule(
        tz=prefs.tz or "UTC",
        mode=prefs.mode or RemindMode.EVERY,
        every_hours=prefs.every,
        start=prefs.window.start,
        end=prefs.window.end,
        fixed_times=prefs.times,
        paused=safety.reminder_pause(s) is not None,
    )


def describe(s: Session) -> tuple[str, dict[str, object]]:
    """The chosen schedule in words, worded by flows.schedule (one wording for every
    place); the menu says a pause on its own line, so it is worded unpaused."""
    text, params = schedule_describe(replace(schedule_of(s), paused=False))
    return text, dict(params)


def planned_per_day(s: Session) -> int:
    """Sets a day the user's reminders plan (the every-3-hours default without any)."""
    schedule = schedule_of(s)
    if schedule.mode == "fixed":
        return len(schedule.fixed_times)
    return planned_sets_per_day(schedule.every_hours, schedule.start, schedule.end)


def user_tz(s: Session) -> tzinfo:
    try:
        return ZoneInfo(s.reminders.tz) if s.reminders.tz else UTC
    except (KeyError, ValueError):
        return UTC


def _set_up(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.REMIND_KIND if s.reminders.tz else State.REMIND_TZ)


def _change_tz(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.REMIND_TZ)


def _pause(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(replace(s, reminders=replace(s.reminders, paused=True)), [Say(PAUSED)])


def _resume(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(replace(s, reminders=replace(s.reminders, paused=False)), [Say(RESUMED)])


def _close(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(s, [])


def _zone(s: Session, value: str, ctx: Ctx) -> Outcome:
    return _set_tz(s, value)


def _set_tz(s: Session, value: str) -> Outcome:
    zone = validate_tz(value) or "UTC"
    s = replace(s, reminders=replace(s.reminders, tz=zone))
    if s.reminders.mode is None:
        return enter(s, State.REMIND_KIND)
    return _save(s, s.reminders.mode)


def _fixed_times(s: Session, value: str, ctx: Ctx) -> Outcome:
    # the mode is only stored with a complete schedule (_save): a user who walks away
    # half-way keeps the schedule they had
    return enter(s, State.REMIND_TIMES)


def _every(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(
        replace(s, reminders=replace(s.reminders, every=int(value[-1]))), State.REMIND_WINDOW
    )


Parsed = TypeVar("Parsed")


def _pressed(parse: Callable[[str], Parsed | None], value: str) -> Parsed:
    """A button's value, read as a typed answer is (the stale check lets no value through
    that is not one of the question's buttons, so it always reads)."""
    parsed = parse(value)
    if parsed is None:
        raise ValueError(f"not a button of this question: {value!r}")
    return parsed


def _window(s: Session, value: str, ctx: Ctx) -> Outcome:
    window = _pressed(parse_window, value)
    return _save(replace(s, reminders=replace(s.reminders, window=window)), RemindMode.EVERY)


def _times(s: Session, value: str, ctx: Ctx) -> Outcome:
    times = _pressed(parse_times, value)
    return _save(replace(s, reminders=replace(s.reminders, times=times)), RemindMode.FIXED)


def _saved(schedule: Schedule, pause: safety.Pause | None) -> SetSchedule:
    """What the turn saved, in words for whoever reads the effects; the stores start the
    schedule afresh from the session committed with it."""
    fixed = schedule.fixed_times if schedule.mode == RemindMode.FIXED else ()
    return SetSchedule(
        tz=schedule.tz,
        mode=schedule.mode,
        every_hours=schedule.every_hours,
        start=hhmm(schedule.start),
        end=hhmm(schedule.end),
        fixed_times=tuple(hhmm(t) for t in fixed),
        paused=pause.value if pause else None,
    )


def _save(s: Session, mode: RemindMode) -> Outcome:
    s = replace(s, reminders=replace(s.reminders, mode=mode, paused=False))
    effect = _saved(schedule_of(s), safety.reminder_pause(s))
    held = _held(s)
    return enter(s, State.REMIND_MENU, [effect, Say(SAVED if held is None else SAVED_HELD)])


def _typed_tz(s: Session, typed: str, ctx: Ctx) -> Outcome:
    zone = validate_tz(typed.strip())
    return _set_tz(s, zone) if zone else reprompt(s, BAD_TZ)


def _typed_window(s: Session, typed: str, ctx: Ctx) -> Outcome:
    window = parse_window(typed)
    return (
        _save(replace(s, reminders=replace(s.reminders, window=window)), RemindMode.EVERY)
        if window is not None
        else reprompt(s, BAD_WINDOW)
    )


def _typed_times(s: Session, typed: str, ctx: Ctx) -> Outcome:
    times = parse_times(typed)
    return (
        _save(replace(s, reminders=replace(s.reminders, times=times)), RemindMode.FIXED)
        if times is not None
        else reprompt(s, BAD_TIMES)
    )


# a schedule saved (`_save`) shows the menu again
SAVED_TO = frozenset({State.REMIND_MENU})
# what asking the time zone leads to: the kind of reminders, or the schedule saved
ZONE_SET = frozenset({State.REMIND_KIND, *SAVED_TO})

STATES: dict[State, Spec] = {
    State.REMIND_MENU: Spec(
        ask=_menu,
        buttons=_menu_choices,
        answers=(
            on("setup", _set_up, State.REMIND_KIND, State.REMIND_TZ),
            on("tz", _change_tz, State.REMIND_TZ),
            on("pause", _pause, RETURNS),
            on("resume", _resume, RETURNS),
            on("close", _close, RETURNS),
        ),
        kind=Kind.DETOUR,
    ),
    State.REMIND_TZ: Spec(
        ask=lambda s: Question(ASK_TZ, columns=4),
        buttons=lambda s: tuple(Choice(tz, tz, literal=True) for tz in TZ_CHOICES),
        answers=(on_any(_zone, ZONE_SET),),
        kind=Kind.DETOUR,
        typed=typed(_typed_tz, ZONE_SET, SAME),
    ),
    State.REMIND_KIND: Spec(
        ask=lambda s: Question(ASK_KIND),
        buttons=lambda s: (
            *(Choice(f"every{h}", label) for h, label in B_EVERY.items()),
            Choice(RemindMode.FIXED, B_FIXED),
        ),
        answers=(
            on(RemindMode.FIXED, _fixed_times, State.REMIND_TIMES),
            on_any(_every, State.REMIND_WINDOW),
        ),
        kind=Kind.DETOUR,
    ),
    State.REMIND_WINDOW: Spec(
        ask=lambda s: Question(ASK_WINDOW),
        buttons=lambda s: tuple(Choice(w, w.replace("-", " - "), literal=True) for w in WINDOWS),
        answers=(on_any(_window, SAVED_TO),),
        kind=Kind.DETOUR,
        typed=typed(_typed_window, SAVED_TO, SAME),
    ),
    State.REMIND_TIMES: Spec(
        ask=lambda s: Question(ASK_TIMES),
        buttons=lambda s: tuple(Choice(t, t.replace(",", ", "), literal=True) for t in TIMES),
        answers=(on_any(_times, SAVED_TO),),
        kind=Kind.DETOUR,
        typed=typed(_typed_times, SAVED_TO, SAME),
    ),
}


def typed_time(text: str) -> time | None:
    m = _HHMM.match(text.strip())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def parse_window(text: str) -> Window | None:
    """The hours a user typed or pressed ("08:00-21:00", "8.00 to 21h00"): checked here,
    once; everything after reads the typed Window."""
    parts = re.split(r"\s*(?:-|–|to)\s*", text.strip())
    if len(parts) != 2:
        return None
    start, end = typed_time(parts[0]), typed_time(parts[1])
    if start is None or end is None or not start < end:
        return None
    return Window(start, end)


def parse_times(text: str) -> tuple[time, ...] | None:
    """Up to 8 times a user typed or pressed, sorted and without repeats (None: not so)."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    times = [typed_time(p) for p in parts]
    if not times or len(times) > 8 or any(t is None for t in times):
        return None
    return tuple(sorted({t for t in times if t is not None}))
