"""The real bot over real HTTP against the fake Bot API: a user's whole first day."""

from __future__ import annotations

from pathlib import Path

from flows import ladder, screening
from flows import texts as t
from flows.catalogue import PRESS_UPS, SIDE_GLIDE
from flows.model import Answer
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI

STEP_BUTTONS = ["Next", "Repeat step", "Stop"]
CARD_BUTTONS = [t.B_DONE, t.B_SHOW_STEPS, t.B_STOP]
ANSWERS = list(t.LEG_ANSWERS.values())
BACK = list(t.BACK_ANSWERS.values())


async def onboard(user: User) -> None:
    user.say("/start")
    welcome = await user.expect("coach, not a doctor")
    assert welcome.button_texts == [t.B_OK]
    await user.tap(t.B_OK)
    for flag in screening.RED_FLAGS:
        q = await user.keyboard()
        assert flag.question in (q.text or "")
        assert q.button_texts == ["Yes", "No"]
        await user.tap("No")
    side = await user.keyboard()
    assert side.text and t.ASK_SIDE in side.text
    await user.tap("Left side")
    await user.answer(t.B_WALL_NO)
    await user.answer("Thigh")
    pain = await user.keyboard()
    assert pain.button_texts == [str(i) for i in range(11)]
    await user.tap("6")
    await user.answer(t.B_TRIED_BOTH)
    await user.answer(t.B_TRIED_SAME)
    offer = await user.keyboard()
    # the saved baseline, the reason for the first exercise and the offer: one message
    assert "pain 6 out of 10, furthest point: Thigh" in (offer.text or "")
    assert ladder.START_GLIDE in (offer.text or "")
    assert offer.button_texts == [t.B_START, t.B_LATER]


async def do_set(user: User, first: bool = False) -> None:
    """A side glide set; the "anything new?" check is not due (screened minutes ago).

    The first set is learn mode, one message per step; every later one is one card.
    """
    if first:
        await user.tap(t.B_START)
    else:
        user.say("/exercise")
        card = await user.keyboard()
        assert "RIGHT shoulder to the wall" in (card.text or "") and "10 slow" in (card.text or "")
        assert card.button_texts == CARD_BUTTONS
        await user.tap(t.B_DONE, card)
        return
    steps = []
    for i in range(len(SIDE_GLIDE.steps)):
        step = await user.keyboard()
        steps.append(step)
        assert f"Step {i + 1} of 8" in (step.text or "")
        last = i == len(SIDE_GLIDE.steps) - 1
        assert step.button_texts == (["Done", *STEP_BUTTONS[1:]] if last else STEP_BUTTONS)
        await user.tap("Done" if last else "Next")
    assert "RIGHT shoulder toward the wall" in (steps[0].text or "")
    assert "Side glide at a wall: 10 slow repetitions" in (steps[0].text or "")
    # each step is its own message
    assert len({s.message_id for s in steps}) == len(steps)


async def check_in(
    user: User, answer: str, pain: str, reach: str, answers: list[str] = ANSWERS
) -> None:
    q = await user.keyboard()
    assert q.button_texts == answers
    await user.tap(answer)
    await user.answer(pain)
    await user.answer(reach)


async def test_a_user_goes_from_start_through_every_check_in_answer(
    tmp_path: Path, bot_db: Db
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        user = User(api, 1001)
        await onboard(user)
        await do_set(user, first=True)
        await check_in(user, t.LEG_ANSWERS[Answer.CENTRALIZING], "5", "Buttock")
        await user.expect("keep going with the side glide")

        await do_set(user)
        await check_in(user, t.LEG_ANSWERS[Answer.LEG_GONE], "3", "Low back, one side")
        await user.expect("stop side gliding and go back to straight press-ups")

        user.say("/exercise")
        intro = await user.expect("Straight press-ups: first lie flat")
        assert "narrowed spinal canal" in (intro.text or "")  # the first set's caution
        for _ in range(len(PRESS_UPS.steps)):
            step = await user.keyboard()
            await user.tap(step.button_texts[0])
        await check_in(
            user, t.BACK_ANSWERS[Answer.NO_CHANGE], "3", "Low back, one side", answers=BACK
        )
        await user.expect("No clear change yet")

        user.say("/checkin")
        await user.answer(t.B_JUST_DID_SET)  # a check-in outside a set: was it after one?
        # worse, or spreading into the leg: stopped at once
        await user.answer(t.BACK_ANSWERS[Answer.WORSE])
        await user.answer("7")
        await user.answer("Thigh")
        halted = await user.keyboard()
        assert "stop it and see a physical therapist" in (halted.text or "")
        assert halted.button_texts == [t.B_PT_OK]
        user.say("/exercise")
        again = await user.keyboard()
        assert t.HELD_WHY["stop"] in (again.text or "")
        await user.tap(t.B_PT_OK)
        which = await user.keyboard()
        assert which.button_texts == list(t.EXERCISE_BUTTONS.values())
        await user.tap(t.EXERCISE_BUTTONS[PRESS_UPS.rung])
        offer = await user.keyboard()
        assert "as your therapist said" in (offer.text or "")
        assert offer.button_texts == [t.B_START, t.B_LATER]

        user.say("/checkin")  # the last check-in had the pain in the thigh: leg answers
        await user.answer(t.B_JUST_DID_SET)
        await user.answer(t.LEG_ANSWERS[Answer.ALL_GONE])  # all pain gone: one tap confirms it
        sure = await user.keyboard()
        assert sure.button_texts == [t.B_NO_PAIN, t.B_SOME_PAIN]
        await user.tap(t.B_NO_PAIN, sure)
        done = await user.keyboard()
        assert "All pain gone" in (done.text or "")
        assert done.button_texts == [t.B_MORE, t.B_DONE_FOR_NOW]

        # the menu was registered and every callback was answered
        assert api.calls("setMyCommands")
        unanswered = [c for c in api.calls("answerCallbackQuery") if not c.ok]
        assert not unanswered


async def test_bad_input_gets_a_clear_reply(tmp_path: Path, bot_db: Db) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        user = User(api, 2002)
        user.say("/start")
        welcome = await user.keyboard()
        user.say("hello?")
        again = await user.keyboard()
        assert again.message_id != welcome.message_id
        assert again.button_texts == welcome.button_texts
        api.send_sticker(2002)
        sticker = await user.keyboard()
        assert "I can only read text and buttons" in (sticker.text or "")
        user.say("/frobnicate")
        await user.expect("I don't know that command")
        user.say("x" * 5000)
        await user.expect(t.PLEASE_BUTTONS)
        # a stale button: the welcome's OK after moving on
        await user.tap(t.B_OK, welcome)
        first_q = await user.keyboard()
        press = api.press(2002, welcome, welcome.callback_datas[0])
        answer = await api.wait_for_answer(press)
        assert "earlier question" in str(answer.get("text"))
        # a forged callback
        forged = api.press(2002, first_q, "999:delete", check=False)
        answer = await api.wait_for_answer(forged)
        assert "earlier question" in str(answer.get("text"))
        await api.expect_no_message(2002, within=0.3)


async def test_restart_mid_conversation_resumes_where_the_user_was(
    tmp_path: Path, bot_db: Db
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        user = User(api, 3003)
        async with running(settings):
            await onboard(user)
            await user.tap(t.B_START)
            step1 = await user.keyboard()
            assert "Side glide at a wall" in (step1.text or "")
            await user.tap("Next")
            step2 = await user.keyboard()
            assert "Step 2 of 8" in (step2.text or "")
        async with running(settings):
            # the old keyboard still works after the restart: same question, same seq
            await user.tap("Next", step2)
            step3 = await user.keyboard()
            assert "Step 3 of 8" in (step3.text or "")
            user.say("/start")
            resumed = await user.keyboard()
            assert "Welcome back" in (resumed.text or "") and "Step 3 of 8" in (resumed.text or "")


async def test_group_chats_are_sent_to_a_private_chat(tmp_path: Path, bot_db: Db) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        api.send_text(4004, "/start", chat_id=-100123, chat_type="supergroup")
        msg = await api.wait_for_message(-100123)
        assert "private chat" in (msg.text or "")
