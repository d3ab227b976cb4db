"""The conversation's own messages and button labels (msgids, English source).

Exercise steps live in catalogue.py, red-flag questions in screening.py, the
reasons for each decision in ladder.py and the pause explanations in
safety.py; this file holds the rest. Every message stays under 400
characters in every language (tests/test_locales.py).
"""

from __future__ import annotations

from flows.i18n import N_
from flows.model import Answer, Reach, Rung, Side

WELCOME = N_(
    "Hi! I'm your side glide coach. I guide you through McKenzie exercises for low back "
    "pain or sciatica on one side, step by step, and help you watch where the pain goes.\n\n"
    "I'm a coach, not a doctor: I can't diagnose you. Check in with a doctor or physical "
    "therapist regularly to be sure the exercises suit you."
)
WELCOME_BACK = N_("Welcome back! Let's pick up where you left off.")
SEND_START = N_("Hi! Send /start to begin.")
NOTHING_STORED = N_("I have nothing stored about you.")
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
ASK_TRIED = N_(
    "Have you already tried press-ups lying face down (pushing your upper body up from the "
    "floor, hips down) for this pain?"
)
ASK_TRIED_RESULT = N_("How did they go? (If you tried both kinds, think of the last one.)")
BASELINE_SAVED = N_(
    "Saved as your starting point: pain {pain} out of 10, furthest point: {reach}."
)
OFFER_FIRST = N_("Ready for your first set of {exercise}?")
OFFER = N_("Ready for a set of {exercise}?")
LATER = N_("OK. Use /exercise whenever you are ready.")

PRESET = N_(
    "Before this set: anything new since last time? For example trouble controlling your "
    "bladder or bowels, numbness between your legs, new weakness, or pain in both legs."
)
PRESET_REACH = N_("Thank you. How far down does the pain reach now? Pick the furthest point.")
EPISODE_REACH = N_(
    "Has the pain come back? How far down does it reach now? Pick the furthest point."
)
EPISODE_PAIN = N_("How strong is it, from 0 (none) to 10 (the worst)?")
EPISODE_SAVED = N_(
    "Saved as your new starting point: pain {pain} out of 10, furthest point: {reach}."
)
NO_PAIN_SET = N_("No pain: good to hear. Here is your set.")

STEP_PREFIX = N_("Step {n} of {total}")
ASK_STOP_WHY = N_("Stopped. Did you stop because the pain got worse or spread?")
STOPPED = N_("OK. /exercise starts a new set whenever you are ready.")
NOTHING_RUNNING = N_("Nothing is running right now. /exercise starts a set.")
FINISH_QUESTIONS = N_("Let's finish these questions first. Here is where we were:")
IN_A_SET = N_("You are in the middle of a set. Here is where you were:")
OWED_AGAIN = N_("One question is still open. Here it is again:")
WHERE_WE_WERE = N_("Here is where we were:")
OWED_PING = N_("Before your next set, one question is still open:")
WHOLE_NUMBER = N_("Please send a whole number from 0 to 10, or tap one below.")
SCREEN_CLEAN = N_("Thank you. No warning signs.")
ASK_WHICH_CHECKIN = N_("Did you just finish a set of {exercise}?")
B_JUST_DID_SET = N_("Yes, I just did a set")
B_JUST_READING = N_("No, just how my pain is now")
ASK_PAIN_READING = N_("How strong is your pain right now, from 0 to 10?")
ASK_REACH_READING = N_("How far down does it reach right now? Pick the furthest point.")
PRESS_UPS_NOW = N_(
    "Now the {reps} press-ups: hands flat under your shoulders, push up as far as the pain "
    "allows, hips on the floor, pause 1-2 seconds at the top, lower slowly. Tap Done when "
    "the set is over."
)
PRESS_UPS_NOW_VOICE = N_("Play the voice note and follow it for the press-ups.")
B_PRESS_UPS = N_("Now the press-ups")
VOICE_ON = N_("Voice notes are on.")
VOICE_OFF = N_("Voice notes are off. /voice turns them back on.")
NO_VOICE = N_("This bot is set up without voice notes, so every step comes as text.")

SET_DONE = N_("Set done, well done!")
LEARNED = N_(
    "Set done, well done! You know the steps now: next time this exercise comes as one "
    'card. "Show me the steps" brings them back.'
)
LEARNED_VOICE = N_(
    "Set done, well done! Next time, hands-free: one card and a voice note that guides you "
    'through the set. "Show me the steps" brings the steps back.'
)
CARD_VOICE = N_("Play the voice note and follow it; tap Done when the set is over.")
ASK_ANSWER = N_(
    "Where is your pain now, compared with before the set? More back pain while the leg "
    "eases is the good sign: that counts as easing."
)
ASK_ANSWER_BACK = N_("How is your back pain now, compared with before the set?")
CENTRALIZING_NOTE = N_(
    "That is the good sign. Your back may even hurt more while the leg pain eases: pain "
    "moving toward your spine is what we want."
)
WORSE_NOTE = N_(
    "Please stop this exercise now: it is paused, and so are your reminders. Two quick "
    "questions so your record is complete."
)
ASK_PAIN_NOW = N_("How strong is the pain now, from 0 to 10?")
ASK_REACH_NOW = N_("How far down does it reach now? Pick the furthest point.")
AGAIN_ANSWER = N_("Thank you. Then one of these other answers fits better:")
AGAIN_NUMBERS = N_("Then tell me once more, please.")
AGAIN_REACH = N_("Then which part of your back hurts now?")
NEXT_SET = N_("Next: {exercise}, in 2-3 hours. Use /exercise when you are ready.")
NEXT_SET_EVERY = N_(
    "Next: {exercise}, in about {hours} hours; I will remind you. Use /exercise when you "
    "are ready."
)
NEXT_SET_FIXED = N_(
    "Next: {exercise}, at your next reminder time. Use /exercise when you are ready."
)

HELD_WHY = {
    "stop": N_("Your pain got worse or spread: please see a physical therapist."),
    "see_pt": N_(
        "The exercises I can coach have not moved your pain: please see a physical "
        "therapist, who can find what fits you."
    ),
}
HELD = N_(
    "Until then, exercises and reminders stay paused. When your therapist says you can go "
    "on, tap below."
)
ASK_PT_EXERCISE = N_("Good. Which exercise does your therapist want you to do now?")
ASK_PT_WALL = N_("Which shoulder does your therapist want against the wall?")
PT_SET = N_("We go on with the {exercise}, as your therapist said.")
RECOVERED = N_(
    "Enjoy it! If the pain comes back, start again with /exercise, and keep checking in "
    "with your physical therapist now and then."
)
TAKE_CARE = N_("Take care! I'm here whenever you need me.")

SETTINGS_NO_WALL = N_("Your settings. Voice notes: {voice}. What would you like to change?")
SETTINGS = N_(
    "Your settings. For the side glide your {shoulder} shoulder goes to the wall ({why}). "
    "Voice notes: {voice}. What would you like to change?"
)
WHY_PAIN_SIDE = N_("away from your painful side")
WHY_PRESCRIBED = N_("as a clinician told you")
WALL_SAVED = N_("Saved: your {shoulder} shoulder goes to the wall.")
SHOULDER = {Side.LEFT: N_("LEFT"), Side.RIGHT: N_("RIGHT")}
ON, OFF = N_("on"), N_("off")

PLEASE_BUTTONS = N_("Please choose one of the answers below.")
NOT_TEXT = N_("I can only read text and buttons. Please choose one of the answers below.")
IDLE_HINT = N_(
    "Use /exercise to start a set, /checkin to tell me how you feel, or /help for more."
)
UNKNOWN_COMMAND = N_("I don't know that command. /help lists what I can do.")
HELP = N_(
    "What I can do:\n"
    "/exercise - your next set\n"
    "/checkin - tell me where your pain is now\n"
    "/remind - reminders\n"
    "/progress - your chart\n"
    "/export - a report for your physical therapist\n"
    "/settings - wall shoulder, voice, language\n"
    "/safety - the safety questions again\n"
    "/stop - stop the current set\n"
    "/mydata - what I store\n"
    "/forget - delete everything"
)
HELP_PT = N_(
    "With your physical therapist:\n"
    "/psfs - rate what your back makes hard\n"
    "/share - a link that lets your PT follow your progress\n"
    "/sharing - who can see it; stop sharing\n"
    "/patients - for PTs: the people who share with you"
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
B_SHOW_STEPS = N_("Show me the steps")
B_VOICE_OFF = N_("Voice off")
B_VOICE_ON = N_("Voice on")
B_START = N_("Start now")
B_LATER = N_("Later")
B_NOTHING_NEW = N_("Nothing new")
B_SOMETHING_NEW = N_("Something new")
B_STOP_WORSE = N_("Yes, it got worse or spread")
B_STOP_JUST = N_("No, I just stopped")
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
B_PT_WALL_USUAL = N_("The usual: pain-free side")
B_PT_WALL_LEFT = N_("LEFT shoulder")
B_PT_WALL_RIGHT = N_("RIGHT shoulder")
B_TRIED_NONE = N_("No, not yet")
B_TRIED_PRESS = N_("Yes, press-ups")
B_TRIED_BOTH = N_("Yes, also with hips off centre")
B_TRIED_HELPED = N_("Helped a little")
B_TRIED_SAME = N_("No change")
B_TRIED_WORSE = N_("Made my leg worse")
B_IS_WORSE = N_("Yes, it is worse")
B_NOT_WORSE = N_("No, it is not worse")
B_NO_PAIN = N_("Yes, no pain at all")
B_SOME_PAIN = N_("No, some pain is left")
B_STILL_LEG = N_("Yes, still in my leg")
B_ONLY_BACK = N_("No, only my back hurts")
B_SET_WALL = N_("Wall shoulder")
B_LANGUAGE = N_("Language")
B_CLOSE = N_("Done")

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
# design.md: the answers fit where the pain is (leg pain, or the back only)
# one order in every variant: "worse / spreading" always first, "all pain gone" always last
LEG_ANSWERS: dict[Answer, str] = {
    Answer.WORSE: N_("Worse, or spreading further down"),
    Answer.CENTRALIZING: N_("Leg pain easing / moving toward my back"),
    Answer.LEG_GONE: N_("Leg pain gone, only back pain left"),
    Answer.NO_CHANGE: N_("No change"),
    Answer.ALL_GONE: N_("All pain gone"),
}
BACK_ANSWERS: dict[Answer, str] = {
    Answer.WORSE: N_("Worse, or spreading into the leg"),
    Answer.BACK_EASING: N_("Back pain easing"),
    Answer.NO_CHANGE: N_("No change"),
    Answer.ALL_GONE: N_("All pain gone"),
}
EXERCISE_BUTTONS: dict[Rung, str] = {
    Rung.PRESS_UPS: N_("Straight press-ups"),
    Rung.HIPS_OFF_CENTRE: N_("Press-ups, hips off centre"),
    Rung.SIDE_GLIDE: N_("Side glide at a wall"),
    Rung.FLEXION_ROTATION: N_("Flexion with rotation stretch"),
}
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "de": "Deutsch", "ru": "Русский"}


# --- the Patient-Specific Functional Scale (flows.psfs) ---------------------------------
PSFS_OFFER = N_(
    "One more thing, when you have a minute: /psfs lets you pick up to three everyday "
    "activities your back makes hard and rate them. Rated again each week, they show you "
    "and your physical therapist what is getting easier."
)
PSFS_DUE = N_("A week has passed since you rated your activities: /psfs rates them again.")
ASK_PSFS_PICK = N_(
    "Which everyday activities does your back make hard? Pick up to {max}, one tap each."
)
ASK_PSFS_MORE = N_("Picked so far ({n} of {max}): {picked}. Another one, or Done?")
ASK_PSFS_RATE = N_(
    "{n} of {total}: {activity}. How well can you do it today? 0 = not at all, 10 = as "
    "well as before your back problem."
)
B_PSFS_DONE = N_("Done")
B_NOT_NOW = N_("Not now")
PSFS_LATER = N_("Fine. /psfs whenever you like.")
PSFS_SAVED = N_("Saved. I'll ask again in a week; /progress shows them on your chart.")

# --- a prescription from the user's physical therapist (flows.pt) ------------------------
PT_RX = N_("Your PT set: {exercise}.")
PT_LIFTED = N_("Your physical therapist {pt} lifted the pause: we go on with the {exercise}.")
PT_RX_REPS = N_("{reps} repetitions each set.")
PT_RX_WALL_LEFT = N_("Your LEFT shoulder goes to the wall.")
PT_RX_WALL_RIGHT = N_("Your RIGHT shoulder goes to the wall.")
PT_RX_AFTER_SET = N_("This starts with your next set: finish this one as it is.")
PT_RX_AFTER_OWED = N_("This starts with your next set, once you have answered my open question.")
PT_RX_NEXT = N_("Your next set follows it: /exercise when you are ready.")
PT_RX_HELD = N_(
    "Your exercises stay paused after your last answer. When you have seen your PT and "
    'they say go on, tap "My PT says go on".'
)
PT_RX_RED_FLAG = N_(
    "Your exercises stay paused because of your answer to a safety question: please see a "
    "doctor first. /safety asks the questions again."
)
