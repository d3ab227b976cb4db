"""Adapter-level messages (not part of the conversation graph), as msgids."""

from __future__ import annotations

from flows.i18n import N_

STALE_BUTTON = N_("That button belongs to an earlier question.")
GROUP_HINT = N_(
    "Hi! I coach people one to one, so please talk to me in a private chat: tap my name "
    "and then Message. Your answers stay between us there."
)
MYDATA = N_(
    "What I store about you: your answers to the safety questions ({screenings}), your "
    "starting point and current exercise, {checkins} check-ins, {changes} exercise changes "
    "and your reminder settings. /export sends it all as a file; /forget deletes it."
)
NO_DATA = N_("I have nothing stored about you. /start begins.")
MYDATA_EARLY = N_(
    "What I store about you so far: your answers to the safety questions ({screenings}) "
    "and the answers you gave to my first questions. /forget deletes it."
)
MYDATA_MORE = N_(
    "Also: {ratings} activity ratings (/psfs), {prescribed} exercise settings from a "
    "physical therapist, and {shares} shares between you and a physical therapist or a "
    "patient (/sharing, /patients)."
)
MYDATA_PT = N_(
    "As a physical therapist here: your language, your time zone and the {shares} shares "
    "patients opened for you. /forget deletes it."
)

COMMAND_DESCRIPTIONS: dict[str, str] = {
    "start": N_("Begin, or pick up where you left off"),
    "exercise": N_("Start your next set"),
    "checkin": N_("Tell me where your pain is now"),
    "remind": N_("Set, change or pause reminders"),
    "progress": N_("Your chart and summary"),
    "export": N_("A report for your physical therapist"),
    "psfs": N_("Rate what your back makes hard"),
    "share": N_("A link for your physical therapist"),
    "sharing": N_("Who can see your progress"),
    "patients": N_("For physical therapists: your patients"),
    "language": N_("Change the language"),
    "safety": N_("The safety questions again"),
    "help": N_("What I can do"),
    "stop": N_("Pause the current set"),
    "forget": N_("Delete everything about you"),
}

SUMMARY_TREND = N_("Pain, last 7 days: {trend}.")
SUMMARY_SETS = N_("Sets this week: {done} of {planned} planned.")
SUMMARY_SETS_HELD = N_("Sets this week: {done}. Exercises are on hold, so none are planned.")
SUMMARY_NOW = N_("Now: {exercise}. Why: {reason}")
SUMMARY_PSFS = N_("Activities (0-10): {ratings}")
PROGRESS_EMPTY = N_("No check-ins yet: your chart fills in after your first set.")
EXPORT_CAPTION = N_("For your physical therapist: every check-in (CSV) and a one-page report.")
RENDERING = N_("Drawing your chart...")
SLOW_DOWN = N_("That's a lot of messages at once. Please wait a few seconds, then carry on.")
