"""Voice notes via the fake Bot API: real espeak-ng + ffmpeg, uploaded once, then by file_id."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.voice.encode import probe
from flows import texts as t
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import onboard


async def test_steps_come_with_voice_notes_uploaded_once(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, SIDEGLIDE_TTS="espeak")
        async with running(settings):
            user = User(api, 6006)
            await onboard(user)
            await user.tap(t.B_START)
            guided = await user.expect(kind="voice", timeout=90)
            assert guided.uploaded and guided.filename and guided.filename.endswith(".ogg")
            assert guided.file is not None and (guided.file.duration or 0) >= 10 * 3
            voice1 = await user.expect(kind="voice", timeout=60)
            assert voice1.uploaded
            step1 = await user.keyboard()
            assert "Step 1 of 8" in (step1.text or "")
            # the voice note came before its text
            assert voice1.message_id < step1.message_id
            path = tmp_path / "step1.ogg"
            path.write_bytes(voice1.data or b"")
            info = probe(path)
            assert (info.codec, info.channels) == ("opus", 1)
            assert 1.0 < info.duration < 30.0

            await user.tap(t.B_REPEAT, step1)
            again = await user.expect(kind="voice", timeout=60)
            assert not again.uploaded  # sent by the cached Telegram file_id
            assert again.file is not None and voice1.file is not None
            assert again.file.file_id == voice1.file.file_id
            uploads = [c for c in api.calls("sendVoice") if c.files]
            assert len(uploads) == 2  # the guided set and step 1, each once

            step1b = await user.keyboard()
            await user.tap(t.B_VOICE_OFF, step1b)
            step1c = await user.keyboard()
            assert "Voice notes are off" in (step1c.text or "")
            await user.tap("Next", step1c)
            await user.keyboard()
            assert len(api.calls("sendVoice")) == 3  # nothing new with voice off


def render(env: dict[str, str], cwd: Path, lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "render-audio", "--lang", lang],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


@pytest.mark.slow  # renders a whole language in subprocesses
def test_render_audio_prerenders_a_language_with_progress(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SIDEGLIDE_TTS": "espeak",
        "SIDEGLIDE_AUDIO_CACHE": str(tmp_path / "audio"),
        "SIDEGLIDE_DB": str(tmp_path / "db.sqlite3"),
    }
    proc = render(env, tmp_path, "en")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "] " in proc.stderr and "voice notes for en" in proc.stderr
    clips = list((tmp_path / "audio").rglob("*.ogg"))
    assert len(clips) >= 30
    again = render(env, tmp_path, "en")
    assert again.returncode == 0
    assert "0 new" in again.stderr
    bad = render(env, tmp_path, "xx")
    assert bad.returncode == 2 and "unknown language: xx" in bad.stderr
