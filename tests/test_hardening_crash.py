"""kill -9 at random moments while users check in: nothing acknowledged is lost.

The bot runs as a real process (`python -m bot run`) against the fake Bot API,
which outlives it: updates the dead bot had fetched but not confirmed are
delivered again to the next one, as Telegram does. Users are `Patient`s: a
reply that dies with the process is a reply that never came, so they re-send
/start. Each kill comes after a random pause, at the next moment some user's
update is in the bot's hands and not yet answered: always mid-conversation,
whatever the speed of the machine. bench/reliability.py runs the same at 200 users.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from bot.storage.postgres import PostgresStorage
from bot.storage.sql import reminders as sqlite_reminders
from bot.storage.sqlite import SqliteStorage
from flows import remind
from flows.effects import ReminderChange, SetSchedule
from flows.model import RemindMode
from flows.schedule import Schedule as ReminderSchedule
from flows.schedule import hhmm
from flows.session import Session
from tests import dbkit
from tests.botkit import TOKEN, User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import WAIT_TIMEOUT, ChatKey, FakeBotAPI, WaitTimeout
from tests.test_e2e_reminders import to_fixed_times
from tests.test_hardening_faults import (
    EXPECTED_ROW,
    Journey,
    Patient,
    checkin_rows,
    duplicates,
)

pytestmark = pytest.mark.slow  # kills and restarts bot processes

Schedule = tuple[int, str, str, str]  # user_id, tz, mode, fixed_times


class BotProcess:
    """`python -m bot run` as operators start it, pointed at the fake; stderr to a file."""

    def __init__(self, api: FakeBotAPI, db: dbkit.Db, workdir: Path, **env: str) -> None:
        self.api = api
        self.db = db
        self.workdir = workdir
        self.extra = env
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.log_path = workdir / "bot.log"
        self._log: IO[bytes] | None = None
        self._polls = 0

    @property
    def first_poll(self) -> int:
        """Index of this process's first getUpdates among all the fake has seen."""
        return self._polls

    async def wait_ready(self, timeout: float = WAIT_TIMEOUT) -> None:
        """Until this process polls: its SIGTERM handler is installed by then."""
        await self.api.wait_for(
            lambda: len(self.api.calls("getUpdates")) > self._polls or None,
            timeout,
            "the bot process to start polling",
        )

    def env(self) -> dict[str, str]:
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))
        }
        return {
            **inherited,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": self.api.base_url,
            "TELEGRAM_BASE_FILE_URL": self.api.base_file_url,
            "SIDEGLIDE_DB": str(self.db),
            "SIDEGLIDE_TTS": "off",
            "SIDEGLIDE_HEALTH_LISTEN": "off",
            "SIDEGLIDE_USER_RATE": "0",
            # the fake is a local server: Telegram's 30 messages/s cap would only slow the run
            "SIDEGLIDE_SEND_RATE": "0",
            **self.extra,
        }

    async def start(self) -> None:
        if self._log is None:
            self._log = self.log_path.open("ab")  # one file across restarts
        self.starts += 1
        self._polls = len(self.api.calls("getUpdates"))
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env(),
            cwd=self.workdir,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self._log,
        )

    async def kill9(self) -> None:
        assert self.proc is not None and self.proc.returncode is None, "the bot died by itself"
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        assert self.proc is not None
        try:
            if self.proc.returncode is None:
                self.proc.send_signal(signal.SIGTERM)
            return await asyncio.wait_for(self.proc.wait(), timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def schedules(db: dbkit.Db) -> set[Schedule]:
    """The reminder schedules stored now (a reader beside the bot's writer: WAL allows it)."""
    if not dbkit.is_postgres(db) and not Path(db).exists():
        return set()
    try:
        rows = dbkit.with_sessions(db)
    except dbkit.NO_TABLE:  # not migrated yet: killed before the first start ended
        return set()
    return {(uid, *_choices(session)) for uid, (_, session) in rows.items()}


def _choices(session: Session) -> tuple[str, str, str]:
    """A schedule as the session keeps it: zone, mode, fixed times."""
    chosen = remind.schedule_of(session)
    fixed = chosen.fixed_times if chosen.mode == RemindMode.FIXED else ()
    return chosen.tz, chosen.mode, ",".join(hhmm(t) for t in fixed)


async def seed_schedules(db: dbkit.Db, uids: range) -> set[Schedule]:
    """Schedules already stored before the bot's first start, as an earlier run left them.

    The fixed time is 12 hours away, so no ping fires during the run.
    """
    at = (datetime.now(UTC) + timedelta(hours=12)).time().replace(second=0, microsecond=0)
    storage = await (
        PostgresStorage.open(str(db)) if dbkit.is_postgres(db) else SqliteStorage.open(db)
    )
    try:
        for uid in uids:
            schedule = ReminderSchedule(tz="UTC", mode=RemindMode.FIXED, fixed_times=(at,))
            await dbkit.choose(storage, uid, schedule, datetime.now(UTC))
    finally:
        await storage.close()
    return schedules(db)


async def until_schedule_set(
    api: FakeBotAPI, db: dbkit.Db, seeded: set[Schedule], timeout: float = 120
) -> None:
    """Until some user has set a schedule through /remind, so a kill can follow it."""
    with contextlib.suppress(WaitTimeout):  # then the kill comes anyway; the test says so
        await api.wait_for(lambda: schedules(db) - seeded or None, timeout, "a schedule")


def integrity(db: dbkit.Db) -> str:
    return dbkit.integrity(db)


@dataclass
class CrashRun:
    journeys: list[Journey]
    kills: int
    schedules_before_kills: set[Schedule] = field(default_factory=set)
    schedules_after: set[Schedule] = field(default_factory=set)
    exit_code: int | None = None
    # per kill: the chats whose update the killed process had fetched and not answered
    mid_turn: list[set[ChatKey]] = field(default_factory=list)


async def kill_mid_turn(api: FakeBotAPI, bot: BotProcess) -> set[ChatKey]:
    """SIGKILL at a moment some user's update is in the bot's hands, unanswered.

    Waiting for that moment, rather than for a random time, makes every kill land
    mid-conversation however fast or slow the machine is. The check and the signal
    run with no await between them, so the fake sees no change in between.
    """
    victims: set[ChatKey] = await api.wait_for(
        lambda: api.awaiting_reply(bot.first_poll) or None,
        120,
        "an update the bot has fetched and not answered yet",
    )
    await bot.kill9()
    return victims


async def crash_run(
    api: FakeBotAPI,
    workdir: Path,
    db: dbkit.Db,
    users: int,
    kills: int,
    *,
    seed: int,
    first_uid: int,
    gap: tuple[float, float] = (0.8, 2.5),
    patience: float = 2.5,
    deadline: float = 600.0,
    **env: Any,
) -> tuple[CrashRun, BotProcess]:
    """Users run while the bot is killed `kills` times and restarted.

    Each kill waits a random time, then for a user's update to be mid-turn (fetched by
    the bot, not answered). `deadline` per user only guards against a hang.
    """
    bot = BotProcess(api, db, workdir, **{k: str(v) for k, v in env.items()})
    rng = random.Random(seed)
    seeded = await seed_schedules(db, range(first_uid + users, first_uid + users + 3))
    await bot.start()
    patients = [
        Patient(api, first_uid + i, patience=patience, remind=i % 3 == 0, deadline=deadline)
        for i in range(users)
    ]
    # The last `kills` users join one per kill, just before it: however fast the others
    # were, a conversation is under way when each kill comes.
    late = patients[max(0, users - kills) :]
    tasks = [asyncio.create_task(p.run()) for p in patients[: users - len(late)]]
    try:
        seen = set(seeded)
        mid_turn: list[set[ChatKey]] = []
        for k in range(kills):
            if k == kills - 1:  # the last kill comes after users began saving schedules
                await until_schedule_set(api, db, seeded)
                await asyncio.sleep(rng.uniform(0.0, gap[0]))
            else:
                await asyncio.sleep(rng.uniform(*gap))
            if k < len(late):
                tasks.append(asyncio.create_task(late[k].run()))
            seen |= schedules(db)  # everything committed before this kill must outlive it
            mid_turn.append(await kill_mid_turn(api, bot))
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            await bot.start()
        journeys = await asyncio.gather(*tasks)
        await bot.wait_ready()
        result = CrashRun(list(journeys), kills, seen, mid_turn=mid_turn)
        result.exit_code = await bot.terminate()
        result.schedules_after = schedules(db)
        return result, bot
    finally:
        for task in tasks:
            task.cancel()
        bot.close()


# ------------------------------------------------------------------------------ tests

USERS = 30
KILLS = 3


async def test_kill_9_at_random_moments_loses_no_acknowledged_check_in_or_schedule(
    tmp_path: Path, bot_db: Db
) -> None:
    async with FakeBotAPI() as api:
        run, bot = await crash_run(
            api, tmp_path, bot_db, USERS, KILLS, seed=2024, first_uid=70_000
        )
        db = bot.db
        assert bot.starts == KILLS + 1
        assert run.exit_code == 0, bot.logs()[-3000:]
        assert integrity(db) == "ok"
        rows = checkin_rows(db)
        # every kill hit users mid-conversation (by construction: see kill_mid_turn)
        assert len(run.mid_turn) == KILLS and all(run.mid_turn), run.mid_turn
        for journey in run.journeys:
            # every user finished, so every check-in is there, and none twice: also for
            # those whose update died with the process, and whoever saw it confirmed
            assert rows.get(journey.uid) == [EXPECTED_ROW], api.transcript(journey.uid)
            assert not duplicates(api, journey), api.transcript(journey.uid)
            # only a kill can lose the confirmation: whoever never had to ask again saw it
            assert journey.acked or journey.resends > 0, api.transcript(journey.uid)
        # every schedule stored before a kill survived it, and every one a user saw saved
        assert len(run.schedules_before_kills) > 3, "no user had set a schedule before a kill"
        assert run.schedules_before_kills <= run.schedules_after
        stored = {s[0]: s for s in run.schedules_after}
        for journey in run.journeys:
            if journey.schedule_acked:
                assert stored[journey.uid][1:3] == ("UTC", "fixed"), stored.get(journey.uid)
        assert sum(j.schedule_acked for j in run.journeys) == len(range(0, USERS, 3))


async def test_dying_between_the_session_and_the_reminders_write_never_fakes_a_schedule(
    tmp_path: Path, bot_db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session and the reminders are one unit of work; the process may die in it.

    Modelled deterministically: the reminders write fails the first time, as if the
    process had died right there. Whatever was committed before must not make
    /start or /remind show a schedule the reminders table (and so the pings) lacks.
    """
    real = sqlite_reminders.apply
    died: list[int] = []
    restarted = False

    async def dies_once(conn: Any, uid: int, change: ReminderChange, now: datetime) -> None:
        # until the restart, every attempt at this write dies (a dead process retries
        # nothing, so the writer's own retry of a failed batch must not succeed either)
        if isinstance(change, SetSchedule) and not restarted:
            died.append(uid)
            raise RuntimeError("the process died here")
        await real(conn, uid, change, now)

    monkeypatch.setattr(sqlite_reminders, "apply", dies_once)
    uid = 71_001
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        db = settings.SIDEGLIDE_DB
        user = User(api, uid)
        async with running(settings):
            times = await to_fixed_times(user)
            await user.tap(times.button_texts[0], times)
            await api.wait_for(lambda: died or None, what="the reminders write")
            await api.expect_no_message(uid, within=0.3)  # died: no "Saved"
        restarted = True
        async with running(settings):  # the restart
            user.say("/start")
            shown = await user.keyboard()
            stored = {s[0] for s in schedules(db)}
            if remind.B_CHANGE in shown.button_texts:  # it claims a schedule...
                assert uid in stored, "the menu shows a schedule no reminder will ever fire for"
            assert shown.button_texts == times.button_texts  # ...no: the times question again
            await user.tap(times.button_texts[0], shown)
            saved = await user.keyboard()
            assert remind.SAVED in (saved.text or "")
            assert uid in {s[0] for s in schedules(db)}
