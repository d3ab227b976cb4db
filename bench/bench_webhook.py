"""The webhook under a flood and under big bodies, against polling mode in the same run.

1. Another user's reply delay behind a 1,000-update burst. User A sends 1,000
   messages at once; then user B sends /help. The time from B's update leaving
   "Telegram" (the fake Bot API, in this process) to B's reply arriving there. In
   webhook mode the burst is posted as Telegram posts it, 40 connections at once
   (its default max_connections), B's /help right after the last of A's; in polling
   mode the 1,000 wait in the fake's queue and B's /help is the 1,001st. Goal: under
   1 s in both (the first webhook server took 6-8 s: A's updates each held one of
   the 32 handling slots while waiting for A's earlier ones).
2. Peak memory (VmHWM) of the bot process under four 60 MB bodies posted at once
   without the secret, then four with it (too large), against python-telegram-bot's
   own webhook server (a bare PTB application, same bodies) as the baseline.

Every bot runs as its own process (`python -m bot run`, as operators start it), with
the default settings (per-user limit 4/s, 32 slots, 30 sends/s); the fake Bot API and
the users run here.

Run: .venv/bin/python bench/bench_webhook.py [--rounds 3] [--burst 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from flows import texts as t
from tests.botkit import TOKEN
from tests.fakebotapi import FakeBotAPI

SECRET = "bench-webhook-secret-of-at-least-32-characters"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # what Telegram sends
TELEGRAM_CONNECTIONS = 40  # how many webhook requests Telegram makes at once (default)
BIG = 60 * 1024 * 1024
HELP_HEAD = t.HELP.splitlines()[0]

BASELINE = """
import asyncio, os
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

async def noop(update, context):
    pass

app = (ApplicationBuilder().token(os.environ["TOKEN"]).base_url(os.environ["BASE"])
       .build())
app.add_handler(TypeHandler(Update, noop))
app.run_webhook(listen="127.0.0.1", port=int(os.environ["PORT"]), url_path="hook",
                webhook_url=os.environ["URL"], secret_token=os.environ["SECRET"])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


@contextlib.asynccontextmanager
async def bot_process(api: FakeBotAPI, tmp: Path, webhook: bool) -> AsyncIterator[Any]:
    """`python -m bot run` against the fake; yields (process, webhook url or None)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "SIDEGLIDE_DB": str(tmp / f"bench-{time.monotonic_ns()}.sqlite3"),
        "SIDEGLIDE_TTS": "off",
        "SIDEGLIDE_ANIMATIONS": "false",
        "SIDEGLIDE_HEALTH_LISTEN": "off",
        "SIDEGLIDE_LOG_LEVEL": "WARNING",
    }
    url = None
    if webhook:
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram/hook"
        env |= {
            "SIDEGLIDE_WEBHOOK_URL": url,
            "SIDEGLIDE_WEBHOOK_SECRET": SECRET,
            "SIDEGLIDE_LISTEN": f"127.0.0.1:{port}",
        }
    polls = len(api.calls("getUpdates"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        if webhook:
            await api.wait_for(lambda: api.webhook.url == url, 60, "the webhook set")
        else:
            await api.wait_for(lambda: len(api.calls("getUpdates")) > polls, 60, "polling")
        yield proc, url
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        if webhook:
            api.webhook.url = ""  # as deleteWebhook would: the next bot may poll


def a_message(api: FakeBotAPI, uid: int, text: str) -> dict[str, Any]:
    """An update as the fake builds it, taken off its queue (this bench delivers it)."""
    update = api.send_text(uid, text)
    api._pending.remove(update)
    return update


async def reply_delay(api: FakeBotAPI, url: str | None, a: int, b: int, burst: int) -> float:
    """Seconds from B's /help leaving Telegram to B's answer reaching it."""
    if url is None:  # polling: the burst waits in Telegram's queue, B's /help after it
        for i in range(burst):
            api.send_text(a, f"message {i}")
        sent = time.monotonic()
        api.send_text(b, "/help")
    else:  # webhook: Telegram posts on 40 connections at once
        updates = [a_message(api, a, f"message {i}") for i in range(burst)]
        help_update = a_message(api, b, "/help")
        gate = asyncio.Semaphore(TELEGRAM_CONNECTIONS)

        async def post(update: dict[str, Any]) -> None:
            async with gate:
                await api.deliver_webhook(url, update, SECRET, timeout=60)

        flood = [asyncio.create_task(post(u)) for u in updates]
        await asyncio.sleep(0)  # every post of the burst has started (or queued) first
        sent = time.monotonic()
        await post(help_update)
        await asyncio.gather(*flood)
    answer = await api.wait_for_message(b, lambda m: HELP_HEAD in (m.text or ""), 120)
    return answer.call.at - sent


async def bench_flood(rounds: int, burst: int, tmp: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    async with FakeBotAPI() as api:
        for mode in ("polling", "webhook"):
            async with bot_process(api, tmp, webhook=mode == "webhook") as (_, url):
                delays = []
                for r in range(rounds):
                    base = 10_000 * (r + 1) + (0 if mode == "polling" else 5_000)
                    delays.append(await reply_delay(api, url, base + 1, base + 2, burst))
                    await api.wait_for(lambda: not api.pending_updates, 120, "drained")
                    await asyncio.sleep(1.0)  # the bot settles before the next round
                out[mode] = delays
    return out


async def post_big(url: str, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = io.BytesIO(b"{" + b" " * (BIG - 2) + b"}")
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(120)) as r,
        ):
            return r.status
    except (aiohttp.ClientError, TimeoutError):
        return 0  # the server dropped us before answering


async def big_bodies(pid: int, url: str) -> tuple[int, int, list[int]]:
    before = peak_rss(pid)
    statuses = list(await asyncio.gather(*(post_big(url, None) for _ in range(4))))
    statuses += await asyncio.gather(*(post_big(url, SECRET) for _ in range(4)))
    return before, peak_rss(pid), statuses


async def bench_memory(tmp: Path) -> dict[str, tuple[int, int, list[int]]]:
    out = {}
    async with FakeBotAPI() as api:
        async with bot_process(api, tmp, webhook=True) as (proc, url):
            api.send_text(1, "/start")  # one whole turn first: what it loads is not counted
            await api.wait_for_message(1, timeout=60)
            out["side glide bot (aiohttp server)"] = await big_bodies(proc.pid, url)
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        env = os.environ | {
            "TOKEN": TOKEN,
            "BASE": api.base_url,
            "PORT": str(port),
            "URL": url,
            "SECRET": SECRET,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", BASELINE, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            await api.wait_for(lambda: api.webhook.url == url, 60, "the baseline's webhook")
            await asyncio.sleep(0.5)  # its server listens once the webhook is set
            out["python-telegram-bot's own server (baseline)"] = await big_bodies(proc.pid, url)
        finally:
            proc.terminate()
            await proc.wait()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        flood = await bench_flood(args.rounds, args.burst, tmp)
        memory = await bench_memory(tmp)
    print(f"\nAnother user's /help behind a {args.burst}-update burst (rounds: {args.rounds})")
    print(f"{'mode':<28} {'median':>8} {'max':>8}  each")
    for mode, delays in flood.items():
        each = ", ".join(f"{d * 1000:.0f}" for d in delays)
        print(
            f"{mode:<28} {statistics.median(delays) * 1000:>6.0f} ms {max(delays) * 1000:>5.0f} ms"
            f"  [{each}] ms"
        )
    ratio = statistics.median(flood["webhook"]) / statistics.median(flood["polling"])
    print(f"webhook / polling (medians): {ratio:.2f}; goal: under 1 s in both")
    print("\nPeak RSS under 4 x 60 MB without the secret, then 4 x 60 MB with it")
    print(f"{'server':<46} {'before':>8} {'after':>8} {'growth':>8}  answers")
    for name, (before, after, statuses) in memory.items():
        print(
            f"{name:<46} {mb(before):>8} {mb(after):>8} {mb(after - before):>8}  "
            f"{sorted(set(statuses))}"
        )


if __name__ == "__main__":
    asyncio.run(main())
