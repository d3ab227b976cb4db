"""The same conversation in a terminal, with no Telegram token.

What a turn shows is bot.presentation.render's, as in Telegram; here each message is
printed. Buttons are numbered; typing the number presses it. Commands work as in
Telegram (/exercise, /checkin...). Voice notes are written to the audio cache and
their paths printed, and played when a player is on the machine; animations are
printed as their paths, charts and documents written beside the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from contextlib import aclosing
from pathlib import Path
from typing import TextIO

from bot.animation.service import drawing_for
from bot.presentation import callbacks
from bot.presentation.i18n import translate
from bot.presentation.messages import Button, File, Message, Rows, Voice
from bot.presentation.render import View, question, render
from bot.progress.report import UserData
from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
from bot.services import Services
from bot.sharing import clinic
from bot.sharing.letters import Letter
from bot.voice.script import voice_note
from flows.effects import Effect, ForgetUser
from flows.engine import is_busy
from flows.events import Command, Event, ReminderDue, SharePress, Text
from flows.i18n import N_
from flows.numbers import whole
from flows.session import Session

CONSOLE_USER = 1  # the console's first person (the patient); /as adds others
PEOPLE_FROM = 100  # the user ids /as gives to the others
CONSOLE_BOT = "sideglide_console"  # the bot name share links carry in the console
CONSOLE_SHARE_HINT = N_(
    "In the console, try the other side: /as Dana, then /start and the code from the "
    "link above. /as me comes back."
)
REPORTS = "reports"  # where /progress and /export write, beside the database
# the user's own files, stamped so that none overwrites another: progress-<stamp>.png...
OWN_FILES = {"chart": "progress", "checkins": "checkins", "report": "report"}
# what the console writes there (and /forget removes); progress-*.txt: older consoles'
REPORT_FILES = (
    "progress-*.png",
    "progress-*.txt",
    "checkins-*.csv",
    "report-*.html",
    "letter-*-chart.png",  # what a PT in the console (/as) received
    "*-checkins-*.csv",
    "*-report-*.html",
)
PLAYERS = ("ffplay", "paplay", "aplay", "afplay")


class Console:
    def __init__(
        self,
        services: Services,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        user_id: int = CONSOLE_USER,
        play: bool = True,
        log_path: Path | None = None,
        tick_s: float | None = None,
    ) -> None:
        self.services = services
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id
        self.name = "me"
        # who the console can be (/as): name -> (user id, name); "me" is the patient
        self.people: dict[str, tuple[int, str]] = {"me": (user_id, "me")}
        self.mailbox: dict[int, list[Letter]] = {}
        self.buttons: list[Button] = []
        self.player = next((p for p in PLAYERS if shutil.which(p)), None) if play else None
        self.log_path = log_path
        # reminders fire here too while the console runs (SIDEGLIDE_REMINDER_TICK)
        default_tick = float(services.settings.SIDEGLIDE_REMINDER_TICK)
        self.tick_s = default_tick if tick_s is None else tick_s
        self.stored = UserData(
            services.history,
            services.clinic.shares,
            services.conversations,
            lambda: services.coach.clock(),
        )

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def run(self) -> None:
        self.out(
            "Side glide coach - console mode. Type a button's number, a /command, "
            "or /quit to leave. Reminders show up here while this runs."
        )
        if self.log_path is not None:
            self.out(f"(logs go to {self.log_path})")
        await self.send(Command("start"))
        lines = self._lines()
        reminders = asyncio.create_task(self._remind())
        try:
            while True:
                self.stdout.write("> ")
                self.stdout.flush()
                line = await lines.get()
                if line is None:
                    self.out()
                    return
                line = line.strip()
                if line in ("/quit", "/exit"):
                    return
                event = self.parse(line)
                if event is not None:
                    await self.send(event)
        finally:
            reminders.cancel()
            await asyncio.gather(reminders, return_exceptions=True)

    def _lines(self) -> asyncio.Queue[str | None]:
        """Lines typed, read by a daemon thread: Ctrl-C ends the console at once instead
        of waiting for a thread blocked in readline (None: end of input)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def pump() -> None:
            while True:
                line = self.stdin.readline()
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line or None)
                except RuntimeError:  # the console has ended
                    return
                if not line:
                    return

        threading.Thread(target=pump, name="console-input", daemon=True).start()
        return queue

    async def _remind(self) -> None:
        """The same ticker as the Telegram bot, printing the ping with its buttons."""
        ticker = ReminderTicker(
            self.services.reminders, self._ping, self._busy, clock=self.services.coach.clock
        )
        try:
            while True:
                await asyncio.sleep(self.tick_s)
                await ticker.tick()
        finally:
            await ticker.aclose()

    async def _busy(self, user_id: int) -> bool:
        session = await self.services.coach.session(user_id)
        return session is not None and is_busy(session)

    async def _ping(self, user_id: int, info: ReminderInfo) -> SendOutcome:
        turn = await self.services.coach.handle(user_id, user_id, ReminderDue())
        ping = question(turn.effects, turn.session.language)
        if ping is None:
            return SendOutcome.SILENT
        self.out()
        await self.deliver(ping)
        self.stdout.write("> ")
        self.stdout.flush()
        return SendOutcome.OK

    def parse(self, line: str) -> Event | SharePress | None:
        if not line:
            return None
        for button in self.buttons:  # "6" at a 0-10 question is pain 6, not the 6th button
            if line.casefold() == button.label.casefold():
                return callbacks.decode(button.data)
        position = whole(line)
        # at a 0-10 question a number is the value ("11" is too high, not the 11th button);
        # elsewhere (a PT's 5 8 10 12 15 repetitions) a number no label has is a position
        scale = {str(i) for i in range(11)} <= {button.label for button in self.buttons}
        if position is not None and not scale and 1 <= position <= len(self.buttons):
            return callbacks.decode(self.buttons[position - 1].data)
        if line.startswith("/"):
            word, _, args = line[1:].partition(" ")
            return Command(word.lower(), args)
        return Text(line)

    async def send(self, event: Event | SharePress) -> None:
        if isinstance(event, Command) and event.name == "as":
            await self.switch(event.args.strip())
            return
        if isinstance(event, (Command, SharePress)):
            session = await self.services.coach.session(self.user_id)
            lang = session.language if session else "en"
            who = clinic.Person(self.user_id, self.user_id, self.name, lang)
            letters = await self.services.clinic.handle(who, event, CONSOLE_BOT)
            if letters is not None:  # the sharing side's (a PT's view, a link, a revoke)
                await self.letters(letters)
                if isinstance(event, Command) and event.name == "share":
                    self.out(translate(lang, CONSOLE_SHARE_HINT))
                return
        if isinstance(event, SharePress):
            return
        turn = await self.services.coach.handle(self.user_id, self.user_id, event)
        await self.services.clinic.settle_ended(self.user_id, turn)
        await self.show(turn.session, turn.effects)
        # the other side of a share hears of a stop, a "my PT says go on", a /forget
        await self.letters(await self.services.clinic.after(self.user_id, turn))

    async def switch(self, name: str) -> None:
        """/as Dana: a second person in the same console (a physical therapist, say), so
        both sides of the product work with no token; /as me comes back."""
        key = name.casefold() or "me"
        if key not in self.people:
            self.people[key] = (PEOPLE_FROM + len(self.people), name or "me")
        self.user_id, self.name = self.people[key]
        self.buttons = []
        self.out()
        self.out(f"-- you are now {self.name} (user {self.user_id}); /as me switches back --")
        waiting, self.mailbox[self.user_id] = self.mailbox.get(self.user_id, []), []
        for letter in waiting:  # checked again now: the share may have ended meanwhile
            async with self.services.clinic.leaving(letter) as allowed:
                if allowed:
                    await self.show_letter(letter)

    async def letters(self, letters: Sequence[Letter]) -> None:
        """Letters to the person at the keyboard are shown now; to anyone else, kept for
        when the console switches to them (/as). Access is checked as each is shown."""
        for letter in letters:
            if letter.chat_id != self.user_id:
                self.mailbox.setdefault(letter.chat_id, []).append(letter)
                who = next((n for i, n in self.people.values() if i == letter.chat_id), "")
                self.out(f"(a message for {who or letter.chat_id}: /as {who} to read it)")
                continue
            async with self.services.clinic.leaving(letter) as allowed:
                if allowed:
                    await self.show_letter(letter)

    async def show_letter(self, letter: Letter) -> None:
        await self.deliver(letter.message, letter)

    async def show(self, session: Session, effects: Sequence[Effect]) -> None:
        """A turn's messages as the renderer gives them, printed in order."""
        if any(isinstance(e, ForgetUser) for e in effects):  # first in its turn
            self.buttons = []
            # the charts and exports this console wrote are the user's data too
            await asyncio.to_thread(forget_files, self.services.settings.data_dir / REPORTS)
        view = View(
            self.user_id,
            session,
            voice=session.voice and self.services.voice is not None,
            pictures=self.services.animations is not None,
        )
        async with aclosing(render(effects, view, self.stored)) as messages:
            async for message in messages:
                await self.deliver(message)

    async def deliver(self, message: Message, letter: Letter | None = None) -> None:
        """One message printed: its text and numbered buttons, then what it carries (the
        animation's path, the voice note's, the file's), never before the text. A step's
        still is Telegram's alone: the console shows the step's text."""
        if message.text:
            self.out()
            self.out(message.text)
        self.offer(message.rows)
        animations = self.services.animations
        if message.animation is not None and animations is not None:
            path = await animations.render(drawing_for(message.animation))
            self.out(f"(animation: {path})")
        if message.voice is not None:
            await self.speak(message.voice)
        if message.file is not None:
            path = self.services.settings.data_dir / REPORTS / self._saved_as(message.file, letter)
            await asyncio.to_thread(save_file, path, message.file.data)
            self.out(f"(file: {path})")

    def _saved_as(self, file: File, letter: Letter | None) -> str:
        """The name a file is written under: the user's own stamped (none overwrites
        another), a letter's under its own name (a PT's chart under the patient's id)."""
        if letter is None:
            stamp = f"{self.services.coach.clock():%Y%m%d-%H%M%S}"
            return f"{OWN_FILES[file.kind]}-{stamp}{Path(file.name).suffix}"
        if file.kind == "chart":
            return f"letter-{letter.about}-chart.png"
        return file.name

    def offer(self, rows: Rows) -> None:
        """A message's buttons, numbered: typing the number presses it."""
        if not rows:
            return
        self.buttons = [b for row in rows for b in row]
        self.out("   " + "   ".join(f"[{i}] {b.label}" for i, b in enumerate(self.buttons, 1)))

    async def speak(self, note: Voice) -> None:
        if self.services.voice is None:
            return
        clip = await voice_note(self.services.voice, note.note, note.lang)
        if clip is not None:
            self.audio(str(clip.path))

    def audio(self, path: str) -> None:
        self.out(f"(voice note: {path})")
        if self.player is not None:
            args = [self.player, "-nodisp", "-autoexit", "-loglevel", "quiet", path]
            if self.player != "ffplay":
                args = [self.player, path]
            subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def save_file(path: Path, data: bytes) -> None:
    """A file the console shows, written (its folder made if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def forget_files(folder: Path) -> list[Path]:
    """/forget in the console: every chart and export written for the user goes (the
    console has one user), then the folder if nothing else is in it."""
    removed = []
    for pattern in REPORT_FILES:
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)
            removed.append(path)
    with contextlib.suppress(OSError):  # not there, or holding something else
        folder.rmdir()
    return removed
