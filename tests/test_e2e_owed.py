"""Issue 23 end to end: an owed question is never walked around, on the fake Bot API.

The real bot over real HTTP: a check-in whose numbers say worse asks one question, and
neither /stop + /exercise nor an earlier ping's Start now starts a set before it is
answered; a ping due meanwhile asks it. A centre-pain user whose PT put the LEFT
shoulder on the wall reads LEFT in every side glide step, and on the card.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows import ladder, remind
from flows import texts as t
from flows.catalogue import SIDE_GLIDE
from flows.model import Answer
from tests import dbkit
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_reminders import make_due
from tests.test_e2e_telegram import onboard

LEG = t.LEG_ANSWERS
SPREAD = ladder.Q_SPREAD.split("{now}")[0]  # "Your pain now reaches: "


def steps_sent(api: FakeBotAPI, user: User) -> list[str]:
    return [m.text or "" for m in api.sent_to(user.id) if "Step " in (m.text or "")]


async def learn_set(user: User) -> list[str]:
    texts = []
    for _ in SIDE_GLIDE.steps:
        step = await user.keyboard()
        texts.append(step.text or "")
        await user.tap(step.button_texts[0], step)
    return texts


async def test_the_owed_question_after_stop_and_exercise(tmp_path: Path, sqlite_db: Path) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 2301)
        await onboard(user)  # thigh, pain 6
        await user.tap(t.B_START)
        await learn_set(user)
        await user.answer(LEG[Answer.NO_CHANGE])
        await user.answer("9")
        await user.answer("Foot")
        confirm = await user.keyboard()
        assert SPREAD in (confirm.text or "") and confirm.button_texts == [
            t.B_IS_WORSE,
            t.B_NOT_WORSE,
        ]
        before = len(steps_sent(api, user))
        user.say("/stop")
        again = await user.keyboard()
        assert t.OWED_AGAIN in (again.text or "") and SPREAD in (again.text or "")
        for command in ("/share", "/progress", "/exercise"):  # each answers, then asks again
            user.say(command)
            again = await user.keyboard()
            assert t.OWED_AGAIN in (again.text or "") and SPREAD in (again.text or ""), command
        assert len(steps_sent(api, user)) == before  # no set began around the question
        await user.tap(t.B_IS_WORSE, again)
        halted = await user.keyboard()
        assert halted.button_texts == [t.B_PT_OK]
        rows = dbkit.rows(
            settings_for(api, tmp_path, sqlite_db).SIDEGLIDE_DB,
            "SELECT answer, reach FROM checkins WHERE user_id = 2301",
        )
        assert rows == [("worse", "foot")]


async def test_a_pings_start_now_and_a_due_ping_ask_the_owed_check_in(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_REMINDER_TICK=0.3)
        user = User(api, 2302)
        async with running(settings):
            await onboard(user)
            await user.tap(t.B_LATER)
            user.say("/remind")
            await user.answer(remind.B_SET_UP)
            await user.answer("UTC")
            await user.answer(remind.B_FIXED)
            await user.keyboard()
            user.say(datetime.now(UTC).strftime("%H:%M"))  # this minute: due at once
            await user.keyboard()
            await make_due(settings.SIDEGLIDE_DB, 2302)
            ping = await user.expect("Time for your set of")
            user.say("/exercise")
            first = await user.keyboard()
            if t.B_NOTHING_NEW in first.button_texts:
                await user.tap(t.B_NOTHING_NEW, first)
            else:
                await user.tap(first.button_texts[0], first)  # step 1's Next
            for _ in SIDE_GLIDE.steps[1 if t.B_NOTHING_NEW not in first.button_texts else 0 :]:
                step = await user.keyboard()
                await user.tap(step.button_texts[0], step)
            question = await user.keyboard()
            assert question.button_texts == list(LEG.values())
            before = len(steps_sent(api, user))
            await user.tap(t.B_START, ping)  # the ping sent before the set
            again = await user.keyboard()
            assert t.OWED_AGAIN in (again.text or "")
            assert again.button_texts == list(LEG.values())
            assert len(steps_sent(api, user)) == before
            await make_due(settings.SIDEGLIDE_DB, 2302)  # a ping falls due while it is owed
            owed_ping = await user.expect(t.OWED_PING)
            assert owed_ping.button_texts == list(LEG.values())
            assert t.B_START not in owed_ping.button_texts
            await user.tap(LEG[Answer.CENTRALIZING], owed_ping)
            await user.answer("5")
            await user.answer("Buttock")
            await user.expect("keep going with the side glide")


async def test_a_left_prescribed_side_glide_for_centre_pain_says_left(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 2303)
        user.say("/start")
        await user.answer(t.B_OK)
        for _ in range(10):
            await user.answer("No")
        await user.answer("In the middle")
        await user.answer("Centre of the back")
        await user.answer("5")
        await user.answer(t.B_LATER)
        # a stop, then the PT's word: the side glide with the LEFT shoulder on the wall
        user.say("/checkin")
        await user.answer(t.B_JUST_DID_SET)
        await user.answer(t.BACK_ANSWERS[Answer.WORSE])
        await user.answer("6")
        await user.answer("Centre of the back")
        await user.answer(t.B_PT_OK)
        await user.answer(t.EXERCISE_BUTTONS[SIDE_GLIDE.rung])
        wall = await user.keyboard()
        assert wall.button_texts == [t.B_PT_WALL_LEFT, t.B_PT_WALL_RIGHT]  # no "usual" side
        await user.tap(t.B_PT_WALL_LEFT, wall)
        await user.answer(t.B_START)
        steps = await learn_set(user)
        assert len(steps) == len(SIDE_GLIDE.steps)
        for text in steps:
            assert "LEFT" in text and "RIGHT shoulder" not in text, text
            assert "therapist chose" not in text and "painful side" not in text, text
        await user.answer(t.BACK_ANSWERS[Answer.NO_CHANGE])
        await user.answer("5")
        await user.answer("Centre of the back")
        await user.expect("No clear change yet")
        user.say("/exercise")
        card = await user.keyboard()
        if t.B_NOTHING_NEW in card.button_texts:
            await user.tap(t.B_NOTHING_NEW, card)
            card = await user.keyboard()
        assert "LEFT shoulder to the wall" in (card.text or ""), card.text
        assert card.button_texts == [t.B_DONE, t.B_SHOW_STEPS, t.B_STOP]
