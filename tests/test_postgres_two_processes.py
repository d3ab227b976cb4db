"""Two bot processes behind one webhook URL, on one PostgreSQL database, one killed.

A small round-robin proxy in the test stands for the load balancer: each update
Telegram (the fake) posts goes to the next process, or to the other one when a
process does not answer. 200 scripted users go through screening, assessment, a
set and its check-in while one process is killed with -9 mid-run and restarted.
Every user finishes; every check-in is stored exactly once; no turn's messages
arrive twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests import dbkit
from tests.fakebotapi import FakeBotAPI
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
SECRET = "two-processes-secret"


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


async def test_two_processes_one_killed_lose_and_double_no_check_in(
    tmp_path: Path, pg_url: str
) -> None:
    rng = random.Random(17)
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
                )
            )
        try:
            for bot, port in zip(bots, ports, strict=True):
                await bot.start()
                await listening(port)
            # people arrive over time, not all in one instant: at most 50 mid-conversation
            # (the whole suite shares this machine's two cores with the two bots)
            arriving = asyncio.Semaphore(50)

            async def person(uid: int) -> Journey:
                async with arriving:
                    return await Patient(api, uid, patience=10.0).run()

            tasks = [asyncio.create_task(person(90_000 + i)) for i in range(USERS)]
            # mid-run: once a quarter of the users have checked in, kill one process
            try:
                async with asyncio.timeout(240):  # a hang guard, not a time limit
                    while len(checkin_rows(pg_url)) < USERS // 4:  # noqa: ASYNC110 - polls the db
                        await asyncio.sleep(0.2)
            except TimeoutError:
                pytest.fail(
                    f"no progress: forwarded {proxy.forwarded}, webhook error "
                    f"{api.webhook.last_error_message!r}; first user:\n"
                    f"{api.transcript(90_000)}\nprocess a:\n{bots[0].logs()[-2000:]}"
                )
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            await bots[0].kill9()
            await asyncio.sleep(rng.uniform(0.2, 1.0))
            await bots[0].start()
            await listening(ports[0])
            journeys = await asyncio.gather(*tasks)
        finally:
            for bot in bots:
                with contextlib.suppress(Exception):
                    await bot.terminate()
            await proxy.session.close()
            await runner.cleanup()
        rows = checkin_rows(pg_url)
        for journey in journeys:
            assert rows.get(journey.uid) == [EXPECTED_ROW], api.transcript(journey.uid)
            assert not duplicates(api, journey), api.transcript(journey.uid)
        assert all(proxy.forwarded), proxy.forwarded  # both processes answered users
        assert bots[0].starts == 2
        assert dbkit.integrity(pg_url) == "ok"
