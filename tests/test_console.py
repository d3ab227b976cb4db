"""Console mode runs the same conversation in a terminal, driven here through stdin."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

from bot import bootstrap
from bot.config import Settings
from bot.console.console import Console
from flows import screening


def console_settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        SIDEGLIDE_DB=tmp_path / "console.sqlite3",
        SIDEGLIDE_TTS="off",
        SIDEGLIDE_HEALTH_LISTEN="off",
    )


async def test_console_walks_onboarding_a_set_and_a_check_in(tmp_path: Path) -> None:
    lines = ["1"]  # OK, let's start
    lines += ["2"] * len(screening.RED_FLAGS)  # No to each red flag
    lines += ["1", "1", "3", "7", "3", "2"]  # left, no wall, thigh, pain 6, tried both, same
    lines += ["1"]  # start now
    lines += ["1"] * 8  # Next x7, Done
    lines += ["1", "6", "4"]  # centralizing, pain 5, buttock
    lines += ["/mydata", "/quit"]
    out = io.StringIO()
    built = await bootstrap.build(console_settings(tmp_path))
    services = built.services
    try:
        await Console(services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
        text = out.getvalue()
        assert "coach, not a doctor" in text
        assert "[1] OK, let's start" in text
        assert "RIGHT shoulder toward the wall" in text
        assert "Step 8 of 8" in text
        assert "keep going with the side glide" in text
        checkins = await services.history.checkins(1)
        assert [(c.answer.value, c.pain, c.reach.value) for c in checkins] == [
            ("centralizing", 5, "buttock")
        ]
        assert "checkins=1" in text
    finally:
        await bootstrap.close(built)


def test_sideglide_without_a_token_starts_console_mode(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    env.update(SIDEGLIDE_DB=str(tmp_path / "db.sqlite3"), SIDEGLIDE_TTS="off")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="1\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "console mode" in proc.stdout
    assert "Do you have new trouble controlling your bladder" in proc.stdout


def test_a_bad_setting_fails_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    env.update(SIDEGLIDE_TTS="loud")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "SIDEGLIDE_TTS" in lines[0]
    assert "Traceback" not in proc.stderr


async def test_console_prints_the_voice_notes_paths(tmp_path: Path) -> None:
    settings = console_settings(tmp_path).model_copy(
        update={"SIDEGLIDE_TTS": "espeak", "SIDEGLIDE_AUDIO_CACHE": tmp_path / "audio"}
    )
    lines = ["1", *["2"] * len(screening.RED_FLAGS), "1", "1", "3", "7", "3", "2", "1", "/quit"]
    out = io.StringIO()
    built = await bootstrap.build(settings)
    services = built.services
    try:
        await Console(services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
    finally:
        await bootstrap.close(built)
    notes = [line for line in out.getvalue().splitlines() if line.startswith("(voice note: ")]
    assert len(notes) == 2  # the guided set, then step 1
    for line in notes:
        path = Path(line.removeprefix("(voice note: ").rstrip(")"))
        size = (await asyncio.to_thread(path.stat)).st_size
        assert path.suffix == ".ogg" and size > 1000
