"""A German-speaking user gets German text and a German voice; /language switches mid-flow."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from bot.presentation.i18n import _
from flows import ladder, screening
from flows import texts as t
from flows.catalogue import SIDE_GLIDE
from flows.model import Answer, Reach, Side
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI


async def test_german_user_then_spanish_mid_set(tmp_path: Path, bot_db: Db) -> None:
    de = functools.partial(_, "de")
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_TTS="espeak")
        async with running(settings):
            user = User(api, 7070, language="de")
            user.say("/start")
            welcome = await user.keyboard()
            assert welcome.text == de(t.WELCOME)
            assert welcome.button_texts == [de(t.B_OK)]
            await user.tap(de(t.B_OK))
            for flag in screening.RED_FLAGS:
                q = await user.keyboard()
                assert de(flag.question) in (q.text or "")
                await user.tap(de(t.B_NO), q)
            await user.answer(de(t.SIDE_LABELS[next(iter(t.SIDE_LABELS))]))  # left side
            await user.answer(de(t.B_WALL_NO))
            await user.answer(de("Thigh"))
            await user.answer("6")
            await user.answer(de(t.B_TRIED_BOTH))
            await user.answer(de(t.B_TRIED_SAME))
            offer = await user.keyboard()
            assert de(ladder.START_GLIDE) in (offer.text or "")
            await user.tap(de(t.B_START), offer)
            step1 = await user.keyboard()  # the text at once: the voice cache is cold
            assert "Schritt 1 von 8" in (step1.text or "")
            voice = await user.expect(kind="voice", timeout=90)  # the note follows it
            assert voice.filename and voice.filename.startswith("espeak-de-")
            assert voice.message_id > step1.message_id and not voice.buttons
            await user.tap(de(t.B_NEXT), step1)
            step2 = await user.keyboard()
            assert "Schritt 2 von 8" in (step2.text or "")
            await user.expect(kind="voice", timeout=60)

            user.say("/language")
            choose = await user.keyboard()
            assert choose.button_texts == ["English", "Español", "Deutsch", "Русский"]
            await user.tap("Español", choose)
            again = await user.expect("Idioma: español.")
            assert "Paso 2 de 8" in (again.text or "")  # same place, new language
            assert _("es", t.B_NEXT) in again.button_texts
            spanish_voice = await user.expect(kind="voice", timeout=60)
            assert spanish_voice.filename and spanish_voice.filename.startswith("espeak-es-")


@pytest.mark.parametrize("lang", ["en", "es", "de", "ru"])
async def test_a_learn_set_then_a_repeat_card_in_each_language(
    lang: str, tmp_path: Path, bot_db: Db
) -> None:
    tr = functools.partial(_, lang)
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        user = User(api, 7100, language=lang)
        user.say("/start")
        await user.answer(tr(t.B_OK))
        for _flag in screening.RED_FLAGS:
            await user.answer(tr(t.B_NO))
        await user.answer(tr(t.SIDE_LABELS[Side.LEFT]))
        await user.answer(tr(t.B_WALL_NO))
        await user.answer(tr(t.REACH_LABELS[Reach.THIGH]))
        await user.answer("6")
        await user.answer(tr(t.B_TRIED_BOTH))
        await user.answer(tr(t.B_TRIED_SAME))
        await user.answer(tr(t.B_START))
        # learn mode: one message per step, Next / Repeat step / Stop
        for n in range(1, len(SIDE_GLIDE.steps) + 1):
            step = await user.keyboard()
            last = n == len(SIDE_GLIDE.steps)
            first = tr(t.B_DONE) if last else tr(t.B_NEXT)
            assert step.button_texts == [first, tr(t.B_REPEAT), tr(t.B_STOP)]
            await user.tap(first, step)
        learned = await user.keyboard()
        assert tr(t.LEARNED) in (learned.text or "")  # voice is off on this bot
        await user.tap(tr(t.LEG_ANSWERS[Answer.CENTRALIZING]), learned)
        await user.answer("5")
        await user.answer(tr(t.REACH_LABELS[Reach.BUTTOCK]))
        # quick mode: one card naming the wall shoulder, then Done leads to the check-in
        user.say("/exercise")
        card = await user.keyboard()
        expected = tr(SIDE_GLIDE.card.for_side(Side.RIGHT)).replace("{reps}", "10")
        assert expected in (card.text or "")
        assert card.button_texts == [tr(t.B_DONE), tr(t.B_SHOW_STEPS), tr(t.B_STOP)]
        await user.tap(tr(t.B_DONE), card)
        question = await user.keyboard()
        assert tr(t.SET_DONE) in (question.text or "")
        assert tr(t.LEG_ANSWERS[Answer.ALL_GONE]) in question.button_texts
        # all pain gone: one tap to confirm, no score and no reach
        await user.tap(tr(t.LEG_ANSWERS[Answer.ALL_GONE]), question)
        sure = await user.keyboard()
        assert sure.button_texts == [tr(t.B_NO_PAIN), tr(t.B_SOME_PAIN)]
        await user.tap(tr(t.B_NO_PAIN), sure)
        done = await user.keyboard()
        assert done.button_texts == [tr(t.B_MORE), tr(t.B_DONE_FOR_NOW)]
