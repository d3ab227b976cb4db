"""The sharing screens' words, as msgids (translated per reader: patient or clinician)."""

from __future__ import annotations

from flows.i18n import N_

# --- the patient ------------------------------------------------------------------------
SHARE_FIRST = N_("There is nothing to share yet: /start first, then /share.")
SHARE_LINK = N_(
    "Here is a link for your physical therapist. Forward it to them; it works once, "
    "for 7 days:\n{link}"
)
SHARE_WHAT = N_(
    "Once they open it, your PT sees your check-ins, pain scores, where the pain reaches, "
    "your exercise changes and why, your answers to the warning-sign questions and whether "
    "your reminders are on. They can set your exercise. They never see anything you typed "
    "to me. /sharing shows who can see your progress, and stops it with one tap."
)
SHARED_WITH = N_("{pt} now follows your progress as your physical therapist. /sharing shows it.")
SHARING_NONE = N_("No one can see your progress. /share makes a link for your physical therapist.")
SHARING_ONE = N_("{pt} can see your progress, since {since}. Last looked: {looked}.")
NEVER = N_("not yet")
B_REVOKE = N_("Stop sharing with {pt}")
REVOKED = N_("Done: {pt} can no longer see your progress.")
PT_LEFT = N_("{pt} deleted their data here, so they no longer see your progress.")

# --- the clinician ----------------------------------------------------------------------
LINK_OWN = N_("This is your own link: forward it to your physical therapist, who opens it.")
LINK_USED = N_("This link was used already. Each link works once: ask for a new one (/share).")
LINK_EXPIRED = N_("This link has expired (links last 7 days): ask for a new one (/share).")
LINK_UNKNOWN = N_("I don't know this link. Ask the person who sent it for a new one (/share).")
LINK_CONFIRM = N_(
    "{name} asks their physical therapist to follow their exercises here. Are you "
    "{name}'s physical therapist?"
)
B_I_AM = N_("Yes, I am")
B_NOT_ME = N_("No")
LINK_DECLINED = N_("Fine: nothing is shared with you.")
PT_WELCOME = N_(
    "You now follow {name}'s progress: /patients shows their chart, report and a button "
    "to set their exercise. You are told at once if their exercises stop."
)
ASK_PT_TZ = N_("Your weekly summary comes on Mondays at 08:00. Which time zone are you in?")
PT_TZ_SET = N_("Weekly summary: Mondays at 08:00 ({tz}). /patients lists your patients.")
PATIENTS_NONE = N_("No one shares their progress with you. Patients send you a link with /share.")
PATIENT_CARD = N_(
    "{name}, sharing since {since}.\nLast check-in: {last}. Now: {exercise}. Reminders: {remind}."
)
NO_CHECKIN = N_("none yet")
REMIND_ON = N_("on")
REMIND_OFF = N_("not set")
REMIND_PAUSED = N_("paused")
B_CHART = N_("Chart")
B_REPORT = N_("Report")
B_PRESCRIBE = N_("Set exercise")
NOT_SHARED = N_("This person no longer shares their progress with you.")
NO_LONGER = N_("{name} no longer shares their progress with you.")
ASK_RX_EXERCISE = N_("Which exercise should {name} do from now on?")
ASK_RX_WALL = N_("For the side glide: which of {name}'s shoulders goes to the wall?")
B_RX_WALL_KEEP = N_("As now")
ASK_RX_REPS = N_("How many repetitions in each set?")
B_RX_REPS_KEEP = N_("The usual {reps}")
RX_SENT = N_(
    'Sent. {name} reads "Your PT set: {exercise}". If their pain gets worse or spreads, '
    "or a warning sign comes up, the exercises still stop and you are told."
)
ALERT = N_("{name}'s exercises have stopped. Why: {reason}")
RX_WAITS = N_(
    "Saved. {name}'s exercises are paused now, so your prescription ({exercise}) waits: it "
    "applies once the pause is lifted."
)
ALREADY_FOLLOW = N_("You already follow {name}: nothing changes, one share stays.")
PATIENT_GO_ON = N_(
    "{name} said their physical therapist cleared them to go on, with: {exercise}. This is "
    "their own word, not a check by the bot."
)
STATUS_ACTIVE = N_("Status: exercising.")
B_LIFT = N_("Lift the pause")
ASK_LIFT_EXERCISE = N_("{name} can go on. With which exercise?")
LIFTED = N_("Done: {name} goes on with: {exercise}. They read that you lifted the pause.")
LIFT_RED_FLAG = N_(
    "{name}'s exercises are paused by a yes to a warning-sign question: that needs a doctor "
    "and a clean re-screen by {name} (/safety), not a tap here."
)
STATUS_HELD = N_("On hold: exercises paused since {since}. Why: {reason}")
STATUS_SCREEN_CLEAN = N_("Last warning-sign check: {date}, all answered no.")
STATUS_SCREEN_YES = N_("Last warning-sign check: {date}, yes to: {question}")
STATUS_SCREEN_NONE = N_("No warning-sign check yet.")
WEEKLY_HEAD = N_("Your weekly summary of the people who share their progress with you:")
WEEKLY_PATIENT = N_(
    "{name}: {sets} sets in the last 7 days, last check-in {last}. Pain: {trend}. "
    "Now: {exercise}. Reminders: {remind}."
)
WEEKLY_HELD = N_("On hold: {reason}")
ASK_PT_FORGET = N_(
    "Delete what I keep about you as a physical therapist? Your patients stop sharing with "
    "you and are told; their own records stay theirs."
)
B_DELETE = N_("Delete")
B_KEEP = N_("Keep")
PT_FORGOTTEN = N_("Done: you follow no one now, and nothing about you is stored.")
KEPT = N_("Nothing was deleted.")
OLD_BUTTON = N_(
    "This button belongs to an older message. /patients shows your patients now, "
    "/sharing who sees your progress."
)
