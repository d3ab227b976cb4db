"""What an operator sees when a setting is wrong in a way only starting up can find.

Each case runs `python -m bot run` as a process, as an operator would, and wants
exit code 2, one line on stderr naming the variable, no traceback, no token, and
no hang (a database left open used to keep the process alive).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.botkit import TOKEN
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.slow  # starts the bot as a process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(cwd: Path, **env: str) -> tuple[int, str]:
    """Run the bot until it exits (20 s at most); its exit code and stdout + stderr."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    defaults = {
        "SIDEGLIDE_DB": str(cwd / "bot.sqlite3"),
        "SIDEGLIDE_TTS": "off",
        "SIDEGLIDE_HEALTH_LISTEN": "off",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={**base, **defaults, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 60)  # a hang guard
    except TimeoutError:
        proc.kill()
        raise AssertionError("the bot hung instead of exiting") from None
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def assert_one_line(code: int, output: str, variable: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert code == 2, output
    assert "Traceback" not in output, output
    assert TOKEN not in output and TOKEN.split(":", 1)[1] not in output
    errors = [ln for ln in lines if ln.startswith(variable)]
    assert len(errors) == 1, output
    return errors[0]


async def test_a_database_path_that_cannot_exist(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    code, out = await start(tmp_path, SIDEGLIDE_DB=str(tmp_path / "a-file" / "bot.sqlite3"))
    line = assert_one_line(code, out, "SIDEGLIDE_DB:")
    assert "a-file" in line


async def test_an_audio_cache_that_cannot_be_made_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    code, out = await start(
        tmp_path, SIDEGLIDE_TTS="espeak", SIDEGLIDE_AUDIO_CACHE=str(tmp_path / "a-file" / "audio")
    )
    assert_one_line(code, out, "SIDEGLIDE_AUDIO_CACHE:")


async def test_a_token_telegram_rejects_is_named_and_never_printed(tmp_path: Path) -> None:
    async with FakeBotAPI(valid_token="654321:another-token-the-fake-accepts-0000") as api:
        code, out = await start(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=api.base_url,
            TELEGRAM_BASE_FILE_URL=api.base_file_url,
        )
        assert [c.method for c in api.calls()] == ["getMe"]  # nothing else was tried
    line = assert_one_line(code, out, "TELEGRAM_BOT_TOKEN:")
    assert "rejected" in line


async def test_a_bot_api_nobody_answers_at(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/bot"
    code, out = await start(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=url)
    line = assert_one_line(code, out, "TELEGRAM_BASE_URL:")
    assert url in line


async def test_a_health_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeBotAPI() as api:
            code, out = await start(
                tmp_path,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_BASE_URL=api.base_url,
                TELEGRAM_BASE_FILE_URL=api.base_file_url,
                SIDEGLIDE_HEALTH_LISTEN=f"127.0.0.1:{port}",
            )
    line = assert_one_line(code, out, "SIDEGLIDE_HEALTH_LISTEN:")
    assert str(port) in line
    assert "stopped cleanly" not in out


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "semi;colon"])
def test_a_webhook_secret_telegram_would_refuse_is_named_without_its_value(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "SIDEGLIDE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    assert str(caught.value).startswith("configuration error: SIDEGLIDE_WEBHOOK_SECRET:")
    assert secret not in str(caught.value)


def test_a_good_webhook_secret_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    good = "Abc_123-xyz" * 3  # 33 characters
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_SECRET", good)
    assert load_settings(env_file=None).webhook_secret == good


@pytest.mark.parametrize("secret", ["Z", "Zq", "x" * 31])
def test_a_webhook_secret_shorter_than_32_characters_is_named_without_its_value(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    """A two-character secret was guessed in 3.7 s, and a forged /forget erased a user."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "SIDEGLIDE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("SIDEGLIDE_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert message.startswith("configuration error: SIDEGLIDE_WEBHOOK_SECRET:")
    assert "at least 32 characters" in message and secret not in message.split(":", 2)[2]


async def test_a_one_character_webhook_secret_stops_the_start_with_one_line(
    tmp_path: Path,
) -> None:
    async with FakeBotAPI() as api:
        code, out = await start(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=api.base_url,
            TELEGRAM_BASE_FILE_URL=api.base_file_url,
            SIDEGLIDE_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/hook",
            SIDEGLIDE_WEBHOOK_SECRET="Z",
        )
        assert api.calls() == []  # stopped before it spoke to Telegram
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert code == 2 and "Traceback" not in out, out
    assert len(lines) == 1 and "SIDEGLIDE_WEBHOOK_SECRET" in lines[0], out
    assert "at least 32 characters" in lines[0]
    assert not (tmp_path / "bot.sqlite3").exists()  # nothing was opened either


@pytest.mark.parametrize("value", ["mysql://db.example/sideglide", "postgresql:/sideglide", "x:y"])
async def test_a_database_setting_that_is_neither_a_path_nor_a_postgresql_url(
    tmp_path: Path, value: str
) -> None:
    """Once, postgresql:/... made a folder named "postgresql:" and ran SQLite in it."""
    code, out = await start(tmp_path, SIDEGLIDE_DB=value)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert code == 2 and "Traceback" not in out, out
    assert len(lines) == 1 and "SIDEGLIDE_DB" in lines[0], out
    assert not os.listdir(tmp_path)  # no folder, no database


async def test_a_postgresql_server_that_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://bot:s3cret-pw@127.0.0.1:{port}/sideglide"
    code, out = await start(tmp_path, SIDEGLIDE_DB=url)
    line = assert_one_line(code, out, "SIDEGLIDE_DB:")
    assert "127.0.0.1" in line
    assert "s3cret-pw" not in out  # the password never reaches a log
