"""The Telegram sender on its own: effects in, Bot API calls out, with no socket.

The bot talks to the fake Bot API through its in-process transport, so these run in
milliseconds and still go through PTB's real request building and error mapping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from bot import bootstrap
from bot.bootstrap import Built
from bot.telegram.sender import Sender
from flows.effects import Choice, RecordCheckIn, Say, Speak
from flows.model import Answer, CheckIn, Reach, Rung
from flows.session import Session
from tests.botkit import TOKEN, plain_settings
from tests.conftest import T0
from tests.fakebotapi import FakeBotAPI

CHAT = 4242


async def built_with(tmp_path: Path, tts: str) -> Built:
    settings = plain_settings(
        SIDEGLIDE_DB=tmp_path / "db.sqlite3",
        SIDEGLIDE_TTS=tts,
        SIDEGLIDE_AUDIO_CACHE=tmp_path / "audio",
    )
    return await bootstrap.build(settings)


@pytest.fixture
def api() -> FakeBotAPI:
    return FakeBotAPI()  # never started: nothing listens


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with api.in_process_bot(TOKEN) as bot:
        yield bot


@pytest.fixture
async def quiet(tmp_path: Path) -> AsyncIterator[Built]:
    built = await built_with(tmp_path, "off")
    yield built
    await bootstrap.close(built)


def sends(built: Built, method: str, result: str) -> float:
    value = built.services.metrics.sends.labels(method=method, result=result)._value.get()
    return float(value)


async def test_adjacent_texts_are_one_message_and_a_question_keeps_its_buttons(
    api: FakeBotAPI, bot: Bot, quiet: Built
) -> None:
    sender = Sender(bot, quiet.services)
    question = Say(
        "Ready?", choices=(Choice("start", "Start now"), Choice("later", "Later")), seq=3
    )
    record = RecordCheckIn(checkin=CheckIn(T0, Rung.SIDE_GLIDE, Answer.NO_CHANGE, 4, Reach.THIGH))
    reached = await sender.effects(CHAT, Session(), [Say("Saved."), record, question])
    assert reached
    (message,) = api.sent_to(CHAT)  # the record is silent; the two texts are joined
    assert message.text == "Saved.\n\nReady?"
    assert message.button_texts == ["Start now", "Later"]
    assert message.callback_datas == ["3:start", "3:later"]
    assert sends(quiet, "sendMessage", "ok") == 1


async def test_a_user_who_blocked_the_bot_ends_the_turn_and_is_reported(
    api: FakeBotAPI, bot: Bot, quiet: Built
) -> None:
    api.block_user(CHAT)
    sender = Sender(bot, quiet.services)
    big = Say("x" * 500)  # too long to join: two messages would be tried
    reached = await sender.effects(CHAT, Session(), [big, Say("second")])
    assert reached is False
    assert len(api.calls("sendMessage")) == 1  # the rest of the turn is not tried
    assert sends(quiet, "sendMessage", "blocked") == 1


async def test_a_telegram_error_is_counted_and_the_next_message_still_goes(
    api: FakeBotAPI, bot: Bot, quiet: Built
) -> None:
    api.fail("sendMessage", 400, "Bad Request: something odd", times=1)
    sender = Sender(bot, quiet.services)
    reached = await sender.effects(CHAT, Session(), [Say("x" * 500), Say("still here")])
    assert reached
    assert [m.text for m in api.sent_to(CHAT)] == ["still here"]
    assert sends(quiet, "sendMessage", "error") == 1


@pytest.mark.usefixtures("need_voice_tools")
async def test_a_voice_note_is_uploaded_once_then_sent_by_file_id(
    api: FakeBotAPI, bot: Bot, tmp_path: Path
) -> None:
    built = await built_with(tmp_path, "espeak")
    try:
        sender = Sender(bot, built.services)
        note = Speak("Lean that shoulder against the wall.")
        for chat in (CHAT, CHAT + 1):
            assert await sender.effects(chat, Session(), [note])
        first, second = api.sent_to(CHAT)[0], api.sent_to(CHAT + 1)[0]
        assert first.kind == second.kind == "voice"
        assert first.uploaded and not second.uploaded
        assert first.file is not None and second.file is not None
        assert first.file.file_id == second.file.file_id
        assert [bool(c.files) for c in api.calls("sendVoice")] == [True, False]
        # Telegram forgot the file id: uploaded again, not lost
        api.fail("sendVoice", 400, "Bad Request: wrong file identifier", times=1)
        assert await sender.effects(CHAT + 2, Session(), [note])
        (third,) = api.sent_to(CHAT + 2)
        assert third.uploaded
    finally:
        await bootstrap.close(built)


@pytest.mark.usefixtures("need_voice_tools")
async def test_a_voiced_message_never_waits_for_speech_and_is_the_note_once_cached(
    api: FakeBotAPI, bot: Bot, tmp_path: Path
) -> None:
    built = await built_with(tmp_path, "espeak")
    try:
        sender = Sender(bot, built.services)
        text = "Lean that shoulder against the wall."
        step = Say(text, choices=(Choice("next", "Next"),), seq=5, voice=Speak(text))
        # cold: the text with its buttons at once; the note follows on its own
        assert await sender.effects(CHAT, Session(), [step])
        (first,) = api.sent_to(CHAT)
        assert first.kind == "text" and first.button_texts == ["Next"]
        await sender.drain()
        follow = api.sent_to(CHAT)[1]
        assert follow.kind == "voice" and not follow.buttons and follow.uploaded
        # warm: one message, the voice note itself, caption and buttons attached
        assert await sender.effects(CHAT + 1, Session(), [step])
        (voiced,) = api.sent_to(CHAT + 1)
        assert voiced.kind == "voice" and voiced.caption == text
        assert voiced.button_texts == ["Next"] and not voiced.uploaded
        # the user moved on before the note was ready: it is not sent late
        other = Say("Another step.", seq=6, voice=Speak("Another step."))
        assert await sender.effects(CHAT + 2, Session(), [other])
        assert await sender.effects(CHAT + 2, Session(), [Say("Meanwhile, the next one.")])
        await sender.drain()
        assert [m.kind for m in api.sent_to(CHAT + 2)] == ["text", "text"]
        # voice off in the session: text only, nothing synthesized
        assert await sender.effects(CHAT + 3, Session(voice=False), [step])
        await sender.drain()
        assert [m.kind for m in api.sent_to(CHAT + 3)] == ["text"]
    finally:
        await bootstrap.close(built)
