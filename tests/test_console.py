"""Console mode runs the same conversation in a terminal, driven here through stdin."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot import bootstrap
from bot.config import Settings
from bot.console.console import Console
from bot.presentation.messages import Message
from bot.sharing.letters import Letter
from flows import screening
from flows.session import State
from tests.botkit import plain_settings

ONBOARD = ["1", *["2"] * len(screening.RED_FLAGS), "1", "1", "3", "6", "3", "2"]


def console_settings(tmp_path: Path) -> Settings:
    return plain_settings(
        SIDEGLIDE_DB=tmp_path / "console.sqlite3",
        SIDEGLIDE_TTS="off",
        SIDEGLIDE_HEALTH_LISTEN="off",
        SIDEGLIDE_ANIMATIONS=False,
    )


async def test_console_walks_onboarding_a_set_and_a_check_in(tmp_path: Path) -> None:
    lines = ["1"]  # OK, let's start
    lines += ["2"] * len(screening.RED_FLAGS)  # No to each red flag
    lines += ["1", "1", "3", "6", "3", "2"]  # left, no wall, thigh, pain 6, tried both, same
    lines += ["1"]  # start now
    lines += ["1"] * 8  # Next x7, Done
    lines += ["2", "5", "4"]  # centralizing, pain 5 (typed: the number, not button 5), buttock
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
        assert "1 check-ins" in text and "Stored rows" not in text  # /mydata in words
    finally:
        await bootstrap.close(built)


async def test_progress_and_export_print_what_telegram_sends(tmp_path: Path) -> None:
    """The same rendered messages as in Telegram (bot.presentation.render): the word on
    an empty chart, the chart's summary, the export's caption; files beside the database."""
    out = io.StringIO()
    built = await bootstrap.build(console_settings(tmp_path))
    try:
        stdin = io.StringIO("\n".join(["/progress", "/export", "/quit"]) + "\n")
        await Console(built.services, stdin, out, play=False).run()
    finally:
        await bootstrap.close(built)
    shown = out.getvalue()
    assert "No check-ins yet" in shown and "Pain, last 7 days" in shown
    assert "every check-in (CSV) and a one-page report" in shown
    files = [Path(line[len("(file: ") : -1]) for line in shown.splitlines() if "(file: " in line]
    assert [p.name.split("-")[0] for p in files] == ["progress", "checkins", "report"]
    assert all(p.parent == tmp_path / "reports" and p.stat().st_size > 0 for p in files)


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
        update={
            "SIDEGLIDE_TTS": "espeak",
            "SIDEGLIDE_AUDIO_CACHE": tmp_path / "audio",
            "SIDEGLIDE_ANIMATIONS": True,
        }
    )
    lines = ["1", *["2"] * len(screening.RED_FLAGS), "1", "1", "3", "6", "3", "2", "1", "/quit"]
    out = io.StringIO()
    built = await bootstrap.build(settings)
    services = built.services
    try:
        await Console(services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
    finally:
        await bootstrap.close(built)
    shown = out.getvalue().splitlines()
    notes = [line for line in shown if line.startswith("(voice note: ")]
    assert len(notes) == 1  # step 1 of the learn set: no guided note pushed with it
    step1 = next(i for i, line in enumerate(shown) if "Step 1 of 8" in line)
    assert step1 < shown.index(notes[0])  # the text first, the voice after it
    (animation,) = [line for line in shown if line.startswith("(animation: ")]
    video = Path(animation.removeprefix("(animation: ").rstrip(")"))
    assert video.suffix == ".mp4" and step1 < shown.index(animation)
    for line in notes:
        path = Path(line.removeprefix("(voice note: ").rstrip(")"))
        size = (await asyncio.to_thread(path.stat)).st_size
        assert path.suffix == ".ogg" and size > 1000


class Typing(io.StringIO):
    """Standard input a test types into line by line, while the console runs."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ready = __import__("threading").Condition()
        self.ended = False

    def type(self, line: str) -> None:
        with self.ready:
            self.lines.append(line + "\n")
            self.ready.notify()

    def end(self) -> None:
        """End of input: a reader still waiting gets "" (so no thread outlives the test)."""
        with self.ready:
            self.ended = True
            self.ready.notify_all()

    # typeshed types io's base readline as bytes, and ignores this same override in
    # its own StringIO and TextIOBase: the text classes' readline returns str
    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        with self.ready:
            self.ready.wait_for(lambda: bool(self.lines) or self.ended)
            return self.lines.pop(0) if self.lines else ""


async def until(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """A hang guard: polls `condition()` and fails with `what` if it never holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_typed_number_at_a_pain_question_is_that_pain(tmp_path: Path) -> None:
    lines = [*ONBOARD[:-3], "0", "3", "2", "2", "/quit"]  # pain typed as 0: not button 0
    out = io.StringIO()
    built = await bootstrap.build(console_settings(tmp_path))
    try:
        await Console(built.services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
        session = await built.services.coach.session(1)
        assert session is not None and session.assessment.baseline_pain == 0
    finally:
        await bootstrap.close(built)


async def test_a_reminder_fires_in_the_console_with_its_buttons(tmp_path: Path) -> None:
    built = await bootstrap.build(console_settings(tmp_path))
    services = built.services
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # inside the 08:00-21:00 window
    services.coach.clock = lambda: noon
    stdin, out = Typing(), io.StringIO()
    console = Console(services, stdin, out, play=False, tick_s=0.05)
    task = asyncio.create_task(console.run())
    try:
        for line in [*ONBOARD, "2"]:  # ...and "Later"
            stdin.type(line)
        for line in ["/remind", "1", "4", "2", "1"]:  # set up, UTC, every 3 h, 08:00-21:00
            stdin.type(line)

        def scheduled() -> bool:
            with sqlite3.connect(services.settings.SIDEGLIDE_DB, timeout=30) as conn:
                return bool(conn.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 1)

        await until(scheduled, "a saved schedule")

        def due_now() -> None:  # in a thread: the console's ticker runs on this loop
            with sqlite3.connect(services.settings.SIDEGLIDE_DB, timeout=30) as conn:
                conn.execute("UPDATE reminders SET next_due = ?", (int(noon.timestamp()) - 60,))

        await asyncio.to_thread(due_now)
        # the ping's own line: "Start now" alone is also the offer's, shown before /remind
        await until(lambda: "[2] Snooze" in out.getvalue(), "the ping")
        assert any(
            "[1] Start now" in ln and "[2] Snooze" in ln for ln in out.getvalue().split("\n")
        )
        stdin.type("1")  # Start now, from the ping's own buttons

        def started() -> bool:
            with sqlite3.connect(services.settings.SIDEGLIDE_DB, timeout=30) as conn:
                row = conn.execute("SELECT state FROM users WHERE user_id = 1").fetchone()
            return row is not None and row[0] in (State.PRESET, State.SET_CARD, State.STEP)

        await until(started, "the set to start")
    finally:
        stdin.type("/quit")
        stdin.end()
        await asyncio.wait_for(task, 120)  # a hang guard
        await bootstrap.close(built)


def test_logs_go_to_a_file_and_the_chat_stays_clean(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    # gTTS has no internet here: its failure is logged, and must not land in the chat
    env.update(SIDEGLIDE_DB=str(tmp_path / "db.sqlite3"), SIDEGLIDE_TTS="gtts")
    env.update(SIDEGLIDE_AUDIO_CACHE=str(tmp_path / "audio"), SIDEGLIDE_HEALTH_LISTEN="off")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="\n".join([*ONBOARD, "1", "/quit"]) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Step 1 of 8" in proc.stdout
    log = (tmp_path / "console.log").read_text()
    assert "TTS gtts failed" in log
    assert "WARNING" not in proc.stdout and "gtts" not in proc.stdout.lower()
    assert proc.stderr == ""
    assert f"(logs go to {tmp_path / 'console.log'})" in proc.stdout


def test_ctrl_c_ends_the_console_at_once_without_a_traceback(tmp_path: Path) -> None:
    """Through a pseudo-terminal, as a person presses Ctrl-C: the terminal sends SIGINT to
    the console and its chart worker alike."""
    import pty
    import select
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    env.update(SIDEGLIDE_DB=str(tmp_path / "db.sqlite3"), SIDEGLIDE_TTS="off")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pseudo-terminal
        # as from a shell: Ctrl-C's signal not ignored (a test runner's worker may
        # ignore it, and exec keeps an ignored signal ignored)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "console"], env)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            assert time.monotonic() < deadline, f"no {marker!r} in {seen[-2000:]!r}"
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break

    read_until(b"[1] OK")
    os.write(fd, b"1\n")
    read_until(b"bladder")
    os.write(fd, b"/progress\n")  # starts the chart worker process
    read_until(b"(file: ")
    os.write(fd, b"\x03")  # Ctrl-C, no Enter after it
    deadline = time.monotonic() + 30
    status = None
    while status is None:
        assert time.monotonic() < deadline, f"the console did not end on Ctrl-C: {seen[-1500:]!r}"
        done, code = os.waitpid(pid, os.WNOHANG)
        status = code if done else None
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            with contextlib.suppress(OSError):
                seen += os.read(fd, 65536)
    try:
        while select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 65536)
    except OSError:
        pass
    os.close(fd)
    assert b"Traceback" not in seen, seen[-3000:]
    assert os.waitstatus_to_exitcode(status) == 130


def _typing(built: bootstrap.Built) -> tuple[Console, Callable[..., Awaitable[str]]]:
    """A console fed line by line; `typed(*lines)` returns what they printed."""
    out = io.StringIO()
    console = Console(built.services, io.StringIO(""), out, play=False)

    async def typed(*lines: str) -> str:
        start = len(out.getvalue())
        for line in lines:
            event = console.parse(line)
            assert event is not None, line
            await console.send(event)
        return out.getvalue()[start:]

    return console, typed


async def test_the_pts_side_in_the_console_with_as(tmp_path: Path) -> None:
    """Issue 29: a second person in the same console (/as Dana) opens the patient's link,
    sees /patients with Chart, Report and Set exercise, and the patient hears of it."""
    built = await bootstrap.build(console_settings(tmp_path))
    _, typed = _typing(built)

    try:
        await typed("/start", *ONBOARD, "1", *["1"] * 8, "2", "5", "4")
        link = await typed("/share")
        found = re.search(r"\?start=([A-Za-z0-9_-]+)", link)
        assert found is not None and "/as Dana" in link
        opened = await typed("/as Dana", f"/start {found.group(1)}")
        assert "you are now Dana" in opened and "me" in opened
        confirmed = await typed("1")  # "Yes, I am"
        assert "You now follow me" in confirmed and "(a message for me" in confirmed
        await typed("UTC")
        card = await typed("/patients")
        assert "Status: exercising." in card and "[1] Chart" in card and "[2] Report" in card
        files = await typed("2")
        assert "me-report-" in files and ".html" in files
        # a number at the PT's 5 8 10 12 15 is the button at that place, as everywhere
        # but a 0-10 question: "1" is 5 repetitions, not a word to the conversation
        await typed("/patients", "3", "1")
        assert "Sent. me reads" in await typed("1")
        back = await typed("/as me")
        assert "now follows your progress" in back
        report = next(p for p in (tmp_path / "reports").iterdir() if p.suffix == ".html")
        assert "me: progress report" in report.read_text(encoding="utf-8")
        gone = await typed("/forget", "1")
        assert not list((tmp_path / "reports").glob("*-report-*.html")) or "deleted" in gone
    finally:
        await bootstrap.close(built)


async def test_a_letter_kept_for_the_pt_is_checked_again_when_shown(tmp_path: Path) -> None:
    """A letter about the patient kept for Dana (/as) is not shown after the patient
    stopped sharing: access is checked as a letter is shown, not when it was kept."""
    built = await bootstrap.build(console_settings(tmp_path))
    console, typed = _typing(built)

    try:
        await typed("/start", *ONBOARD, "1", *["1"] * 8, "2", "5", "4")
        me = console.user_id
        found = re.search(r"\?start=([A-Za-z0-9_-]+)", await typed("/share"))
        assert found is not None
        await typed("/as Dana", f"/start {found.group(1)}", "1", "UTC")
        dana = console.user_id
        await typed("/as me")
        await console.letters([Letter(dana, me, Message("an alert about me"))])
        assert "can no longer see" in await typed("/sharing", "1")
        assert "an alert about me" not in await typed("/as Dana")
    finally:
        await bootstrap.close(built)
