"""Two bot processes behind one webhook URL, on one PostgreSQL database, one killed.

A small round-robin proxy in the test stands for the load balancer: each update
Telegram (the fake) posts goes to the next process, or to the other one when a
process does not answer. 200 scripted users go through screening, assessment, a
set and its check-in (every fourth also sets a reminder) while one process is
killed with -9 mid-run and restarted. The killed one is the reminder leader, killed
with pings in flight that Telegram has not taken yet and more claimed behind them.
Every user finishes; every check-in is stored exactly once; no turn's messages
arrive twice; every reminder made due is sent exactly once, by the other process
once the dead one's lease runs out.

Two smaller runs: an update stored by a process that is killed before its turn is
answered by the other; and a user's second message, on the other process, waits
for the first while the first's process is frozen.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp import web

from flows import texts as t
from tests import dbkit
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.test_hardening_crash import BotProcess
from tests.test_hardening_faults import (
    EXPECTED_ROW,
    Journey,
    Patient,
    checkin_rows,
    duplicates,
)

pytestmark = pytest.mark.slow  # starts, kills and restarts bot processes

USERS = 200
SECRET = "two-processes-secret-at-least-32-characters"
DUE = 20  # reminders made due mid-run; the oldest STUCK hang at the fake Telegram
STUCK = 8  # the ticker's max_in_flight: with all of them hanging, no other send starts
LEASE_S = 15  # far above a send here; the wait for the heir after the kill
HELP_START = t.HELP.splitlines()[0]  # "What I can do:"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RoundRobin:
    """POSTs go to the next live backend; a refused connection tries the other."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = itertools.cycle(range(len(ports)))
        self.forwarded = [0] * len(ports)
        self.session: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        first = next(self.turn)
        assert self.session is not None
        for i in (first, *[j for j in range(len(self.ports)) if j != first]):
            url = f"http://127.0.0.1:{self.ports[i]}{request.path}"
            try:
                async with self.session.post(url, data=body, headers=headers) as resp:
                    text = await resp.text()
                    self.forwarded[i] += 1
                    return web.Response(status=resp.status, text=text)
            except (aiohttp.ClientError, OSError):
                continue
        return web.Response(status=502, text="no backend")


async def listening(port: int) -> None:
    """Until something accepts connections on the port (the bot's webhook server)."""
    async with asyncio.timeout(240):  # a hang guard, not a time limit
        while True:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            await asyncio.sleep(0.05)


async def leads(bot: BotProcess) -> None:
    """Until the process says it sends the reminders (its first tick)."""
    async with asyncio.timeout(60):  # a hang guard
        while "this process now sends the reminders" not in bot.logs():  # noqa: ASYNC110
            await asyncio.sleep(0.1)


async def far_enough(conn: asyncpg.Connection) -> bool:
    """A quarter of the users have checked in and DUE have a reminder schedule (read on
    the test's own connection: it looks every 0.2 s for a minute or two)."""
    checked_in = await conn.fetchval("SELECT COUNT(DISTINCT user_id) FROM checkins")
    with_schedule = await conn.fetchval("SELECT COUNT(DISTINCT user_id) FROM reminders")
    return bool(checked_in >= USERS // 4 and with_schedule >= DUE)


def scheduled(db: str) -> set[int]:
    """Users with a reminder schedule saved (not due yet)."""
    return {int(r[0]) for r in dbkit.rows(db, "SELECT user_id FROM reminders")}


def make_due(db: str, users: list[int]) -> None:
    """The clock reaches their slot: due a minute ago, the first ones oldest (sent first).

    One statement: a tick between row-by-row updates would claim only the first few,
    hang on their stalled sends, and never reach the rest.
    """
    now = int(time.time())
    order = " ".join(f"WHEN {int(uid)} THEN {now - 60 + i}" for i, uid in enumerate(users))
    marks = ", ".join("?" for _ in users)
    dbkit.rows(
        db,
        f"UPDATE reminders SET next_due = CASE user_id {order} END WHERE user_id IN ({marks})",
        tuple(users),
    )


def stuck(api: FakeBotAPI) -> set[int]:
    """Users whose reminder send hangs at the fake (stalled: it will never be executed)."""
    return {int(f.chat_id) for f in api.faults("sendMessage") if f.kind == "stall" and f.chat_id}


def pings(api: FakeBotAPI, uid: int) -> list[SentMessage]:
    """The reminder pings delivered to a user (Start now / Snooze / Skip)."""
    return [m for m in api.sent_to(uid) if t.B_SNOOZE in m.button_texts]


@dataclass
class Pair:
    """Two bot processes in webhook mode on one database, behind the round-robin proxy."""

    api: FakeBotAPI
    bots: list[BotProcess]
    ports: list[int]
    proxy: RoundRobin


@contextlib.asynccontextmanager
async def two_processes(tmp_path: Path, pg_url: str, **env: str) -> AsyncIterator[Pair]:
    """Started in order, the first leading the reminders; terminated on the way out."""
    ports = [free_port(), free_port()]
    proxy_port = free_port()
    proxy = RoundRobin(ports)
    app = web.Application()
    app.router.add_post("/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", proxy_port).start()
    proxy.session = aiohttp.ClientSession()
    hook = f"http://127.0.0.1:{proxy_port}/telegram/hook"
    async with FakeBotAPI() as api:
        bots = []
        for name, port in zip("ab", ports, strict=True):
            workdir = tmp_path / name
            workdir.mkdir()
            bots.append(
                BotProcess(
                    api,
                    pg_url,
                    workdir,
                    SIDEGLIDE_WEBHOOK_URL=hook,
                    SIDEGLIDE_WEBHOOK_SECRET=SECRET,
                    SIDEGLIDE_LISTEN=f"127.0.0.1:{port}",
                    SIDEGLIDE_REMINDER_TICK="0.5",
                    **env,
                )
            )
        try:
            for bot, port in zip(bots, ports, strict=True):
                await bot.start()
                await listening(port)
                if bot is bots[0]:  # the first to start leads the reminders
                    await leads(bot)
            yield Pair(api, bots, ports, proxy)
        finally:
            for bot in bots:
                with contextlib.suppress(Exception):
                    await bot.terminate()
            await proxy.session.close()
            await runner.cleanup()


async def test_two_processes_one_killed_lose_and_double_no_check_in(
    tmp_path: Path, pg_url: str
) -> None:
    rng = random.Random(17)
    async with two_processes(
        tmp_path, pg_url, SIDEGLIDE_REMINDER_LEASE=str(LEASE_S), SIDEGLIDE_UPDATE_LEASE="10"
    ) as pair:
        api, bots, ports, proxy = pair.api, pair.bots, pair.ports, pair.proxy
        # people arrive over time, not all in one instant: at most 50 mid-conversation
        # (the whole suite shares this machine's two cores with the two bots)
        arriving = asyncio.Semaphore(50)

        async def person(uid: int) -> Journey:
            async with arriving:
                return await Patient(api, uid, patience=10.0, remind=uid % 4 == 0).run()

        tasks = [asyncio.create_task(person(90_000 + i)) for i in range(USERS)]
        # mid-run: once a quarter of the users have checked in and DUE have set a
        # reminder, their reminders fall due; the leader's first sends hang at Telegram
        watcher = await asyncpg.connect(pg_url)
        try:
            async with asyncio.timeout(240):  # a hang guard, not a time limit
                while not await far_enough(watcher):  # noqa: ASYNC110 - polls the db
                    await asyncio.sleep(0.2)
        except TimeoutError:
            pytest.fail(
                f"no progress: forwarded {proxy.forwarded}, webhook error "
                f"{api.webhook.last_error_message!r}; first user:\n"
                f"{api.transcript(90_000)}\nprocess a:\n{bots[0].logs()[-2000:]}"
            )
        finally:
            await watcher.close()
        reminded = sorted(scheduled(pg_url))[:DUE]
        for uid in reminded[:STUCK]:  # not executed: Telegram never took these
            api.stall("sendMessage", seconds=600, times=None, chat_id=uid)
        make_due(pg_url, reminded)
        await api.wait_for(
            lambda: stuck(api) & set(reminded[:STUCK]) or None,
            60,  # a hang guard
            "the leader's first reminder send",
        )
        # the leader, with a send provably at Telegram and never executed, the rest
        # claimed behind it: no other send can start, the stalled oldest go first
        await bots[0].kill9()
        api.clear_faults()
        await asyncio.sleep(rng.uniform(0.2, 1.0))
        await bots[0].start()
        await listening(ports[0])
        await api.wait_for(  # the other process sends them once the lease runs out
            lambda: all(pings(api, u) for u in reminded) or None,
            LEASE_S + 120,  # a hang guard
            "every due reminder",
        )
        journeys = await asyncio.gather(*tasks)
        rows = checkin_rows(pg_url)
        for journey in journeys:
            assert rows.get(journey.uid) == [EXPECTED_ROW], api.transcript(journey.uid)
            assert not duplicates(api, journey), api.transcript(journey.uid)
        assert all(proxy.forwarded), proxy.forwarded  # both processes answered users
        sent = {uid: len(pings(api, uid)) for uid in reminded}
        assert sent == dict.fromkeys(reminded, 1), sent  # none lost, none twice
        assert "this process now sends the reminders" in bots[1].logs()
        # the stuck ones went out from the heir, which knew they had been in flight
        assert "a reminder a stopped process had in flight is sent again" in bots[1].logs()
        assert bots[0].starts == 2
        assert dbkit.integrity(pg_url) == "ok"


async def test_an_update_accepted_by_a_process_killed_before_its_turn_is_answered(
    tmp_path: Path, pg_url: str
) -> None:
    """The test holds the user's lock, so the process that took the update has stored
    it (Telegram got its 200) and provably not handled it when it is killed. The
    other process, finding it unhandled after the lease, answers it, once."""
    uid = 4711
    async with two_processes(tmp_path, pg_url, SIDEGLIDE_UPDATE_LEASE="2") as pair:
        api, proxy = pair.api, pair.proxy
        holder = await asyncpg.connect(pg_url)
        try:
            await holder.execute("SELECT pg_advisory_lock($1::bigint)", uid)
            before = list(proxy.forwarded)
            api.send_text(uid, "/start")
            await api.wait_for(
                lambda: (
                    (
                        dbkit.one(pg_url, "SELECT COUNT(*) FROM inbox WHERE user_id = ?", (uid,))
                        == (1,)
                        and proxy.forwarded != before
                    )
                    or None
                ),
                60,  # a hang guard
                "the update stored and answered 200",
            )
            [took] = [i for i, n in enumerate(proxy.forwarded) if n != before[i]]
            await api.expect_no_message(uid, within=0.3)  # waiting for the lock
            await pair.bots[took].kill9()
            await holder.execute("SELECT pg_advisory_unlock($1::bigint)", uid)
        finally:
            await holder.close()
        welcome = await api.wait_for_message(uid, timeout=60)  # a hang guard
        assert "coach, not a doctor" in (welcome.text or ""), api.transcript(uid)
        await api.wait_for(
            lambda: dbkit.one(pg_url, "SELECT COUNT(*) FROM inbox") == (0,) or None,
            60,  # a hang guard
            "the inbox emptied",
        )
        assert dbkit.one(pg_url, "SELECT COUNT(*) FROM processed_updates") == (1,)
        assert [m.text for m in api.sent_to(uid)].count(welcome.text) == 1
        other = pair.bots[1 - took].logs()
        assert "accepted update(s) left unhandled are handled now" in other


async def test_a_users_second_message_on_the_other_process_waits_for_the_first(
    tmp_path: Path, pg_url: str
) -> None:
    """/start reaches process A, which is frozen (SIGSTOP) with it stored and not
    finished; /help reaches process B meanwhile. B must not answer /help before A has
    answered /start: the replies come in the order the user wrote.

    The test holds the user's lock until A is frozen, so A cannot finish /start in the
    instant before the freeze: the check below always has an unfinished /start to wait
    behind, never nothing."""
    uid = 4712
    async with two_processes(tmp_path, pg_url) as pair:
        api, proxy, bots = pair.api, pair.proxy, pair.bots
        assert bots[0].proc is not None
        holder = await asyncpg.connect(pg_url)
        try:
            await holder.execute("SELECT pg_advisory_lock($1::bigint)", uid)
            api.send_text(uid, "/start")  # the proxy's first forward goes to A
            await api.wait_for(lambda: proxy.forwarded[0] == 1 or None, 60, "/start stored by A")
            bots[0].proc.send_signal(signal.SIGSTOP)
            await holder.execute("SELECT pg_advisory_unlock($1::bigint)", uid)
        finally:
            await holder.close()
        try:
            api.send_text(uid, "/help")  # and the next to B
            await api.wait_for(lambda: proxy.forwarded[1] == 1 or None, 60, "/help stored by B")
            # B could answer at once; it must wait while /start is unfinished
            await asyncio.sleep(1.0)  # room for a wrong answer, not a pass condition
            start_pending = dbkit.one(
                pg_url,
                "SELECT COUNT(*) FROM inbox WHERE user_id = ? AND payload LIKE ?",
                (uid, "%/start%"),
            )
            assert start_pending == (1,), "A finished /start before the freeze"
            helped = [m for m in api.sent_to(uid) if (m.text or "").startswith(HELP_START)]
            assert helped == [], api.transcript(uid)
        finally:
            bots[0].proc.send_signal(signal.SIGCONT)
        await api.wait_for(
            lambda: (
                any(m.text and m.text.startswith(HELP_START) for m in api.sent_to(uid)) or None
            ),
            60,  # a hang guard
            "the answer to /help",
        )
        texts = [m.text or "" for m in api.sent_to(uid)]
        welcome_at = next(i for i, x in enumerate(texts) if "coach, not a doctor" in x)
        help_at = next(i for i, x in enumerate(texts) if x.startswith(HELP_START))
        assert welcome_at < help_at, api.transcript(uid)
