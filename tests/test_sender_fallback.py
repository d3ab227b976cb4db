"""A media send that carries a message and is refused: its text and buttons still go.

The sender on the fake Bot API's in-process transport (no socket). The animation's
case runs end to end in test_hardening_sends.py; here the voice note that IS the
step (caption and buttons on it), the progress chart, and an unreadable answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Bot

from bot import bootstrap
from bot.telegram.sender import Sender
from flows.effects import Choice, Say, Speak
from flows.session import Session
from tests.fakebotapi import FakeBotAPI
from tests.test_sender import CHAT, api, bot, built_with, quiet, sends

__all__ = ["api", "bot", "quiet"]  # fixtures, shared with test_sender

TEXT = "Lean that shoulder against the wall."
STEP = Say(
    TEXT, choices=(Choice("next", "Next"), Choice("stop", "Stop")), seq=5, voice=Speak(TEXT)
)


@pytest.mark.usefixtures("need_voice_tools")
@pytest.mark.parametrize("fault", ["refused", "unreadable"])
async def test_a_voice_note_that_is_the_step_falls_back_to_the_steps_text_and_buttons(
    api: FakeBotAPI, bot: Bot, tmp_path: Path, fault: str
) -> None:
    built = await built_with(tmp_path, "espeak")
    try:
        sender = Sender(bot, built.services)
        assert await sender.effects(CHAT, Session(), [STEP])  # cold: text, then the note
        await sender.drain()  # now cached and uploaded: the next step IS the note
        if fault == "refused":  # the file id, then the upload: both refused
            api.fail("sendVoice", 400, "Bad Request: wrong file identifier", times=2)
        else:
            api.garble("sendVoice", "voice.duration")
        after = Say("And then this.")
        assert await sender.effects(CHAT + 1, Session(), [STEP, after])
        messages = api.sent_to(CHAT + 1)
        texts = [m for m in messages if m.kind == "text"]
        assert texts[0].text == TEXT and texts[0].button_texts == ["Next", "Stop"]
        assert texts[-1].text == "And then this."  # the turn goes on after it
        assert sends(built, "sendVoice", "fallback") == 1
    finally:
        await bootstrap.close(built)


async def test_an_unreadable_answer_to_a_text_is_counted_and_the_turn_goes_on(
    api: FakeBotAPI, bot: Bot, quiet: bootstrap.Built
) -> None:
    sender = Sender(bot, quiet.services)
    api.garble("sendMessage", "message_id", times=1)
    big = Say("x" * 500)  # too long to join: two messages
    assert await sender.effects(CHAT, Session(), [big, Say("second")])
    assert [m.text for m in api.sent_to(CHAT)] == ["x" * 500, "second"]
    assert sends(quiet, "sendMessage", "error") == 1  # delivered, but not readable
    assert sends(quiet, "sendMessage", "ok") == 1
