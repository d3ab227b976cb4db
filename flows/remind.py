"""The /remind conversation: time zone once, then every N hours in a window, or fixed times.

Pure like the rest of the engine; it returns what the engine should do next
as (session, effects, next state or None to return where the user was).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time

from flows.effects import Choice, Effect, Reminders, Say, SetSchedule
from flows.i18n import N_
from flows.schedule import Schedule, validate_tz
from flows.schedule import describe as schedule_describe
from flows.session import Session

STATES = ("remind.menu", "remind.tz", "remind.kind", "remind.window", "remind.times")

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


def prompt(s: Session) -> Say:
    state, seq = s.state, s.seq
    if state == "remind.menu":
        if s.remind_mode is None:
            return Say(ASK_NONE, {}, choices(s), 2, None, seq)
        text, params = describe(s)
        return Say(text, params, choices(s), 2, SHOW_PAUSED if s.remind_paused else None, seq)
    if state == "remind.tz":
        return Say(ASK_TZ, {}, choices(s), 4, None, seq)
    if state == "remind.kind":
        return Say(ASK_KIND, {}, choices(s), 1, None, seq)
    if state == "remind.window":
        return Say(ASK_WINDOW, {}, choices(s), 1, None, seq)
    return Say(ASK_TIMES, {}, choices(s), 1, None, seq)


def choices(s: Session) -> tuple[Choice, ...]:
    state = s.state
    if state == "remind.menu":
        if s.remind_mode is None:
            return (Choice("setup", B_SET_UP), Choice("close", B_NOT_NOW))
        toggle = Choice("resume", B_RESUME) if s.remind_paused else Choice("pause", B_PAUSE)
        return (
            Choice("setup", B_CHANGE),
            Choice("tz", B_CHANGE_TZ),
            toggle,
            Choice("close", B_CLOSE),
        )
    if state == "remind.tz":
        return tuple(Choice(tz, tz, literal=True) for tz in TZ_CHOICES)
    if state == "remind.kind":
        every = tuple(Choice(f"every{h}", label) for h, label in B_EVERY.items())
        return (*every, Choice("fixed", B_FIXED))
    if state == "remind.window":
        return tuple(Choice(w, w.replace("-", " - "), literal=True) for w in WINDOWS)
    return tuple(Choice(t, t.replace(",", ", "), literal=True) for t in TIMES)


def describe(s: Session) -> tuple[str, dict[str, object]]:
    """The schedule in words, worded by flows.schedule (one wording for every place)."""
    start, _, end = s.remind_window.partition("-")
    schedule = Schedule(
        tz=s.tz or "UTC",
        mode="fixed" if s.remind_mode == "fixed" else "every",
        every_hours=s.remind_every,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        fixed_times=tuple(time.fromisoformat(t) for t in s.remind_times.split(",") if t),
    )
    text, params = schedule_describe(schedule)
    return text, dict(params)


Step = tuple[Session, list[Effect], str | None]


def choose(s: Session, value: str) -> Step:
    """A button in a remind state: (session, effects, next state; None = leave /remind)."""
    state = s.state
    if state == "remind.menu":
        if value == "setup":
            return s, [], "remind.kind" if s.tz else "remind.tz"
        if value == "tz":
            return s, [], "remind.tz"
        if value == "pause":
            s = replace(s, remind_paused=True)
            return s, [Reminders("pause", "user"), Say(PAUSED)], None
        if value == "resume":
            s = replace(s, remind_paused=False)
            return s, [Reminders("resume", "user"), Say(RESUMED)], None
        return s, [], None
    if state == "remind.tz":
        return _set_tz(s, value)
    if state == "remind.kind":
        if value == "fixed":
            # the mode is only stored with a complete schedule (_save): a user who
            # walks away half-way keeps the schedule they had
            return s, [], "remind.times"
        return replace(s, remind_every=int(value[-1])), [], "remind.window"
    if state == "remind.window":
        return _save(replace(s, remind_window=value), "every")
    return _save(replace(s, remind_times=value), "fixed")


def text(s: Session, typed: str) -> Step | str:
    """Typed answers where they make sense; a str is the re-prompt to show instead."""
    typed = typed.strip()
    if s.state == "remind.tz":
        zone = validate_tz(typed)
        return _set_tz(s, zone) if zone else BAD_TZ
    if s.state == "remind.window":
        window = parse_window(typed)
        return _save(replace(s, remind_window=window), "every") if window else BAD_WINDOW
    if s.state == "remind.times":
        times = parse_times(typed)
        return _save(replace(s, remind_times=times), "fixed") if times else BAD_TIMES
    return N_("Please tap one of the buttons below.")


def _set_tz(s: Session, value: str) -> Step:
    zone = validate_tz(value) or "UTC"
    s = replace(s, tz=zone)
    if s.remind_mode is None:
        return s, [], "remind.kind"
    return _save(s, s.remind_mode)


def _save(s: Session, mode: str) -> Step:
    start, _, end = s.remind_window.partition("-")
    times = tuple(t for t in s.remind_times.split(",") if t) if mode == "fixed" else ()
    effect = SetSchedule(s.tz or "UTC", mode, s.remind_every, start, end, times)
    s = replace(s, remind_mode=mode, remind_paused=False)
    return s, [effect, Say(SAVED)], "remind.menu"


def _hhmm(text: str) -> str | None:
    m = _HHMM.match(text.strip())
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def parse_window(text: str) -> str | None:
    parts = re.split(r"\s*(?:-|–|to)\s*", text.strip())
    if len(parts) != 2:
        return None
    start, end = _hhmm(parts[0]), _hhmm(parts[1])
    if start is None or end is None or not start < end:
        return None
    return f"{start}-{end}"


def parse_times(text: str) -> str | None:
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    times = [_hhmm(p) for p in parts]
    if not times or len(times) > 8 or any(t is None for t in times):
        return None
    return ",".join(sorted({t for t in times if t}))
