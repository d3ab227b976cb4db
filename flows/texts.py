"""The conversation's own messages and button labels (msgids, English source).

Exercise steps live in catalogue.py, red-flag questions in screening.py and
the reasons for each branch in rules.py; this file holds the rest.
"""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Answer, Reach, Side

WELCOME = N_(
    "Hi! I'm your side glide coach. I guide you through McKenzie exercises for low back "
    "pain or sciatica on one side, step by step, and help you watch where the pain goes.\n\n"
    "I'm a coach, not a doctor: I can't diagnose you. Check in with a doctor or physical "
    "therapist regularly to be sure the exercises suit you."
)
WELCOME_BACK = N_("Welcome back! Let's pick up where you left off.")
SCREEN_INTRO = N_(
    "First, a few safety questions. Some signs need a doctor rather than exercises, so "
    "tap Yes if one applies, even if it seems small."
)
SCREEN_AGAIN = N_("Let's go through the safety questions again.")
SCREEN_PASSED = N_("Thank you. No warning signs, so we can go on.")
SCREEN_PASSED_IDLE = N_("Thank you. No warning signs. Use /exercise when you are ready.")

ASK_SIDE = N_("Where is your pain?")
CENTRAL_NOTE = N_(
    "The side glide is meant for pain on ONE side. For pain in the middle or on both sides, "
    "straight press-ups are the place to start, and please see a physical therapist to "
    "check what fits you."
)
ASK_WALL = N_(
    "Has a doctor or physical therapist told you which shoulder to put against the wall "
    "for the side glide? (For most people it is the shoulder on the pain-free side.)"
)
ASK_REACH = N_("How far down does the pain reach right now? Pick the furthest point.")
ASK_PAIN = N_("How strong is the pain right now, from 0 (none) to 10 (the worst)?")
ASK_BOTH_LEGS = N_("Does the pain run down into BOTH legs?")
ASK_TRIED = N_("Have you already tried press-ups for this pain?")
TRIED_WORSE = N_(
    "Press-ups made your leg worse, and that is the signal to stop, so I won't start an "
    "exercise now. Please see a physical therapist first."
)
ASK_TRIED_RESULT = N_("How did they go? (If you tried both kinds, think of the last one.)")
BASELINE_SAVED = N_("Saved as your starting point: pain {pain} out of 10, reaching {reach}.")
START_PRESS = N_("We start with straight press-ups, the first step of the ladder.")
START_HIPS = N_(
    "You have already tried straight press-ups, so we start with press-ups with your hips "
    "off centre."
)
START_GLIDE = N_(
    "You have already tried both kinds of press-up, so we start with the side glide at a wall."
)
START_CENTRAL = N_(
    "We start with straight press-ups. As your pain is not on one side, please also see a "
    "physical therapist."
)
OFFER_FIRST = N_("Ready for your first set of {exercise}?")
OFFER = N_("Ready for a set of {exercise}?")
LATER = N_("OK. Use /exercise whenever you are ready.")

PRESET = N_(
    "Before this set: anything new since last time? For example trouble controlling your "
    "bladder or bowels, numbness between your legs, new weakness, or pain in both legs."
)
STEP_PREFIX = N_("Step {n} of {total}")
STOPPED = N_(
    "Stopped. That's fine. If your leg pain spread or got worse, tell me with /checkin. "
    "/exercise starts a new set whenever you are ready."
)
NOTHING_RUNNING = N_("Nothing is running right now. /exercise starts a set.")
FINISH_QUESTIONS = N_("Let's finish these questions first. Here is where we were:")
IN_A_SET = N_("You are in the middle of a set. Here is where you were:")
VOICE_ON = N_("Voice notes are on.")
VOICE_OFF = N_("Voice notes are off. /voice turns them back on.")

SET_DONE = N_("Set done, well done!")
ASK_ANSWER = N_(
    "Where is your pain now, compared with before the set? More back pain while the leg "
    "eases is the good sign: that counts as easing."
)
CENTRALIZING_NOTE = N_(
    "That is the good sign. Your back may even hurt more while the leg pain eases: pain "
    "moving toward your spine is what we want."
)
WORSE_NOTE = N_("Please stop this exercise now. Two quick questions so your record is complete.")
ASK_PAIN_NOW = N_("How strong is the pain now, from 0 to 10?")
ASK_REACH_NOW = N_("How far down does it reach now? Pick the furthest point.")
NEXT_SET = N_("Next: {exercise}, in 2-3 hours. Use /exercise when you are ready.")
NEXT_SET_EVERY = N_(
    "Next: {exercise}, in about {hours} hours; I will remind you. Use /exercise when you "
    "are ready."
)
NEXT_SET_FIXED = N_(
    "Next: {exercise}, at your next reminder time. Use /exercise when you are ready."
)

HALTED = N_(
    "Exercises are paused because your pain spread or got worse. Please see a physical "
    "therapist. If your therapist says you can carry on, tap the button below."
)
PT_RESTART = N_("Your physical therapist said to carry on, so we pick the exercises up again.")
SEE_PT = N_(
    "You have worked through the exercises I can coach. Please see a physical therapist: "
    "they can find what fits you. If they tell you to carry on, tap below."
)
RECOVERED = N_(
    "Enjoy it! If the pain comes back, start again with /exercise, and keep checking in "
    "with your physical therapist now and then."
)
TAKE_CARE = N_("Take care! I'm here whenever you need me.")

PLEASE_BUTTONS = N_("Please tap one of the buttons below.")
NOT_TEXT = N_("I can only read text and buttons. Please tap one of the buttons below.")
IDLE_HINT = N_(
    "Use /exercise to start a set, /checkin to tell me how you feel, or /help for more."
)
UNKNOWN_COMMAND = N_("I don't know that command. /help lists what I can do.")
HELP = N_(
    "What I can do:\n"
    "/exercise - start your next set\n"
    "/checkin - tell me where your pain is now\n"
    "/remind - set reminders\n"
    "/progress - your chart\n"
    "/export - a report for your physical therapist\n"
    "/language - change the language\n"
    "/voice - voice notes on or off\n"
    "/safety - the safety questions again\n"
    "/stop - pause the current set\n"
    "/mydata - what I store about you\n"
    "/forget - delete everything about you"
)
ASK_FORGET = N_(
    "Delete everything I have stored about you: answers, check-ins, reminders? This cannot "
    "be undone."
)
FORGOTTEN = N_("Done: everything I had stored about you is deleted. /start begins afresh.")
FORGET_KEPT = N_("Nothing was deleted.")
ASK_LANGUAGE = N_("Which language would you like?")
LANGUAGE_SET = N_("Language set to English.")

PING = N_("Time for your set of {exercise}.")
SNOOZED = N_("OK, I'll remind you again in 30 minutes.")
SKIPPED = N_("OK, skipped. See you at the next one.")

# button labels
B_OK = N_("OK, let's start")
B_YES = N_("Yes")
B_NO = N_("No")
B_NEXT = N_("Next")
B_DONE = N_("Done")
B_REPEAT = N_("Repeat step")
B_STOP = N_("Stop")
B_VOICE_OFF = N_("Voice off")
B_VOICE_ON = N_("Voice on")
B_START = N_("Start now")
B_LATER = N_("Later")
B_NOTHING_NEW = N_("Nothing new")
B_SOMETHING_NEW = N_("Something new")
B_PT_OK = N_("My PT says go on")
B_MORE = N_("Do one more set")
B_DONE_FOR_NOW = N_("Done for now")
B_FORGET = N_("Yes, delete everything")
B_KEEP = N_("No, keep it")
B_SNOOZE = N_("Snooze 30 min")
B_SKIP = N_("Skip this one")
B_WALL_NO = N_("No, nobody told me")
B_WALL_LEFT = N_("Yes: LEFT shoulder")
B_WALL_RIGHT = N_("Yes: RIGHT shoulder")
B_TRIED_NONE = N_("No, not yet")
B_TRIED_PRESS = N_("Yes, press-ups")
B_TRIED_BOTH = N_("Yes, also with hips off centre")
B_TRIED_HELPED = N_("Helped a little")
B_TRIED_SAME = N_("No change")
B_TRIED_WORSE = N_("Made my leg worse")

SIDE_LABELS: dict[Side, str] = {
    Side.LEFT: N_("Left side"),
    Side.RIGHT: N_("Right side"),
    Side.BOTH: N_("Both sides"),
    Side.CENTRE: N_("In the middle"),
}
REACH_LABELS: dict[Reach, str] = {
    Reach.FOOT: N_("Foot"),
    Reach.CALF: N_("Below the knee"),
    Reach.THIGH: N_("Thigh"),
    Reach.BUTTOCK: N_("Buttock"),
    Reach.BACK_SIDE: N_("Low back, one side"),
    Reach.BACK_CENTRE: N_("Centre of the back"),
    Reach.NONE: N_("No pain"),
}
ANSWER_LABELS: dict[Answer, str] = {
    Answer.CENTRALIZING: N_("Leg pain easing / moving toward my back"),
    Answer.LEG_GONE: N_("Leg pain gone, only back pain left"),
    Answer.NO_CHANGE: N_("No change"),
    Answer.WORSE: N_("Worse, or spreading down my leg"),
    Answer.ALL_GONE: N_("All pain gone"),
}
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "de": "Deutsch", "ru": "Русский"}
