"""Voice notes via the fake Bot API: real espeak-ng + ffmpeg, uploaded once, then by file_id."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.animation.motions import Motion, every_variant
from bot.voice.encode import probe
from flows import texts as t
from flows.catalogue import SIDE_GLIDE
from flows.model import Answer
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import CARD_BUTTONS, STEP_BUTTONS, onboard


async def test_a_learn_set_then_a_repeat_set_each_message_is_its_voice_note(
    tmp_path: Path,
    bot_db: Db,
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_TTS="espeak")
        async with running(settings):
            user = User(api, 6006)
            await onboard(user)
            await user.tap(t.B_START)
            # cold cache: the step's text at once, its voice note after it
            step1 = await user.keyboard()
            assert step1.kind == "text" and "Step 1 of 8" in (step1.text or "")
            voice1 = await user.expect(kind="voice", timeout=90)
            assert voice1.uploaded and not voice1.buttons
            assert voice1.message_id > step1.message_id
            path = tmp_path / "step1.ogg"
            path.write_bytes(voice1.data or b"")
            info = probe(path)
            assert (info.codec, info.channels) == ("opus", 1)
            assert 1.0 < info.duration < 30.0

            # warm: the step message IS the voice note, text as caption, buttons attached
            await user.tap(t.B_REPEAT, step1)
            again = await user.keyboard()
            assert again.kind == "voice" and not again.uploaded  # by the cached file_id
            assert again.file is not None and voice1.file is not None
            assert again.file.file_id == voice1.file.file_id
            assert "Step 1 of 8" in (again.caption or "")
            assert again.button_texts == STEP_BUTTONS
            await user.tap(t.B_NEXT, again)
            for _ in range(len(SIDE_GLIDE.steps) - 1):
                step = await user.keyboard()
                await user.tap(step.button_texts[0], step)
            learned = await user.keyboard()
            assert "Next time, hands-free" in (learned.text or learned.caption or "")
            await user.tap(t.LEG_ANSWERS[Answer.CENTRALIZING], learned)
            await user.answer("5")
            await user.answer("Buttock")

            # a repeat set: one card; cold, the guided note follows the card's text
            user.say("/exercise")
            card = await user.keyboard()
            assert card.kind == "text" and card.button_texts == CARD_BUTTONS
            assert "RIGHT shoulder to the wall" in (card.text or "")
            guided = await user.expect(kind="voice", timeout=120)
            assert guided.uploaded and guided.filename and "guided" in guided.filename
            assert guided.file is not None and (guided.file.duration or 0) >= 10 * 3
            await user.tap(t.B_DONE, card)
            await user.answer(t.LEG_ANSWERS[Answer.CENTRALIZING])
            await user.answer("4")
            await user.answer("Buttock")
            # warm: the card is the guided note itself, sent by file_id
            user.say("/exercise")
            card2 = await user.keyboard()
            assert card2.kind == "voice" and not card2.uploaded
            assert card2.file is not None and card2.file.file_id == guided.file.file_id
            assert "RIGHT shoulder to the wall" in (card2.caption or "")
            assert card2.button_texts == CARD_BUTTONS
            guided_uploads = [
                c for c in api.calls("sendVoice") if c.files and "guided" in str(c.files)
            ]
            assert len(guided_uploads) == 1

            # voice off: the card comes as text, no note
            await user.tap(t.B_DONE, card2)
            await user.answer(t.LEG_ANSWERS[Answer.CENTRALIZING])
            await user.answer("4")
            await user.answer("Buttock")
            user.say("/voice")
            await user.expect("Voice notes are off")
            voices = len(api.calls("sendVoice"))
            user.say("/exercise")
            card3 = await user.keyboard()
            assert card3.kind == "text" and card3.button_texts == CARD_BUTTONS
            await api.expect_no_message(6006, within=0.5)
            assert len(api.calls("sendVoice")) == voices


async def test_without_voice_configured_nothing_promises_a_voice_note(
    tmp_path: Path, bot_db: Db
) -> None:
    async with (
        FakeBotAPI() as api,
        running(settings_for(api, tmp_path, bot_db, SIDEGLIDE_TTS="off")),
    ):
        user = User(api, 6007)
        await onboard(user)
        user.say("/settings")
        settings = await user.keyboard()
        assert not any("Voice" in label for label in settings.button_texts)
        user.say("/voice")
        await user.expect("set up without voice notes")
        commands = api.commands()
        assert "voice" not in [c["command"] for c in commands]
        assert not api.calls("sendVoice")


def render(
    env: dict[str, str], cwd: Path, lang: str, *extra: str, command: str = "render-media"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", command, "--lang", lang, *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


@pytest.mark.slow  # renders a whole language in subprocesses
def test_render_media_prerenders_animations_and_a_language_with_progress(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SIDEGLIDE_TTS": "espeak",
        "SIDEGLIDE_AUDIO_CACHE": str(tmp_path / "audio"),
        "SIDEGLIDE_DB": str(tmp_path / "db.sqlite3"),
    }
    proc = render(env, tmp_path, "en", "--docs", str(tmp_path / "docs"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "] " in proc.stderr and "voice notes for en" in proc.stderr
    assert f"{len(every_variant())}/{len(every_variant())} animations" in proc.stderr
    clips = list((tmp_path / "audio").rglob("*.ogg"))
    assert len(clips) >= 30
    videos = list((tmp_path / "audio" / "animations").glob("*.mp4"))
    assert len(videos) == len(every_variant())
    stills = sorted(p.name for p in (tmp_path / "docs").glob("*.png"))
    assert stills == sorted(f"{m.value}.png" for m in Motion)
    again = render(env, tmp_path, "en", command="render-audio")  # the old name still works
    assert again.returncode == 0
    assert again.stderr.count("0 new") == 2  # animations and voice notes, all cached
    bad = render(env, tmp_path, "xx")
    assert bad.returncode == 2 and "unknown language: xx" in bad.stderr
