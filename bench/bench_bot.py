"""Throughput of the whole bot against a bare python-telegram-bot echo bot, same fake API.

Each bot runs in this process; the project's fake Bot API and the 100 simulated
users run in a second process (so their CPU is not counted against the bot),
on loopback, with the same concurrency setting for both bots. Our users go
through screening, assessment and 5 sets with check-ins; the echo users send
the same number of messages, each waiting for its reply. Prints updates/s of
both, the ratio, and p50/p99 of the time spent in our own code per update
(flow engine + SQLite persistence, measured around Coach.handle_unlocked).

The baseline is the bare echo bot on PTB's default HTTP client (httpx), as the
target is stated. Our bot talks to Telegram through aiohttp (bot/telegram/
transport.py), so the echo bot runs a second time on that same client: that
ratio isolates what our own code and our second call per tap cost.

Both use AIORateLimiter with the overall 30/s cap off (it would cap both at 30/s and
hide the difference); per-chat limits stay.

Run: .venv/bin/python bench/bench_bot.py [--users 100] [--sets 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, TypeHandler

from bot.coach.coach import Coach
from bot.telegram.transport import AiohttpRequest
from flows import texts as t
from tests.botkit import TOKEN, plain_settings, running
from tests.fakebotapi import FakeBotAPI, SentMessage

CONCURRENCY = 32
ANSWER = t.LEG_ANSWERS[next(iter(t.LEG_ANSWERS))]
REACHES = ["Thigh", "Thigh", "Buttock", "Buttock", "Low back, one side"]  # never further down


def pick(labels: list[str], set_no: int) -> str:
    if labels == ["Yes", "No"]:
        return "No"
    if "Left side" in labels:
        return "Left side"
    if t.B_WALL_NO in labels:
        return t.B_WALL_NO
    if labels == [str(i) for i in range(11)]:
        return "5"
    if "No pain" in labels:
        return REACHES[set_no % len(REACHES)]
    if "Thigh" in labels:
        return "Thigh"
    if t.B_TRIED_BOTH in labels:
        return t.B_TRIED_BOTH
    if t.B_TRIED_WORSE in labels:
        return t.B_TRIED_SAME
    if ANSWER in labels:
        return ANSWER
    if t.B_NOTHING_NEW in labels:
        return t.B_NOTHING_NEW
    if t.B_START in labels:
        return t.B_START
    return labels[0]  # OK / Next / Done


async def our_user(api: FakeBotAPI, uid: int, sets: int) -> int:
    updates = 1
    api.send_text(uid, "/start")
    done = 0
    while True:
        msg: SentMessage = await api.wait_for_message(
            uid, lambda m: bool(m.buttons) or "Use /exercise" in (m.text or ""), 60
        )
        if not msg.buttons:  # a check-in finished: idle
            done += 1
            if done >= sets:
                return updates
            api.send_text(uid, "/exercise")
            updates += 1
            continue
        api.press_button(uid, msg, pick(msg.button_texts, done))
        updates += 1


PLUMBING = {"getUpdates", "getMe", "setMyCommands", "deleteWebhook", "getWebhookInfo"}


def api_calls(api: FakeBotAPI) -> int:
    """Bot API calls that answer users (not polling or start-up)."""
    return sum(1 for c in api.calls() if c.method not in PLUMBING)


async def drive(kind: str, users: int, sets: int, per_user: int, port_file: Path) -> None:
    """The child process: fake Telegram + simulated users. Prints one JSON result line."""
    async with FakeBotAPI() as api:
        port_file.write_text(str(api.port))  # noqa: ASYNC240 - once, tiny
        await api.wait_for_calls("getUpdates", 1, timeout=60)

        async def echo_user(uid: int) -> int:
            for i in range(per_user):
                api.send_text(uid, f"message {i}")
                await api.wait_for_message(uid, timeout=60)
            return per_user

        start = time.perf_counter()
        if kind == "ours":
            counts = await asyncio.gather(*(our_user(api, 10_000 + i, sets) for i in range(users)))
        else:
            counts = await asyncio.gather(*(echo_user(20_000 + i) for i in range(users)))
        elapsed = time.perf_counter() - start
        result = {"updates": sum(counts), "elapsed": elapsed, "calls": api_calls(api)}
        print(json.dumps(result), flush=True)
        # keep answering until the parent has stopped its bot (it closes our stdin)
        await asyncio.to_thread(sys.stdin.read)


async def with_driver(
    kind: str, users: int, sets: int, per_user: int, bot: Callable[[str], Any]
) -> tuple[int, float, int]:
    """Start the driver process, run `bot(base)` until the driver is done, return its result."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--drive",
            kind,
            "--users",
            str(users),
            "--sets",
            str(sets),
            "--per-user",
            str(per_user),
            "--port-file",
            str(port_file),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        while not port_file.exists() or not port_file.read_text():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        base = f"http://127.0.0.1:{port_file.read_text()}"
        async with bot(base):
            assert child.stdout is not None and child.stdin is not None
            line = await child.stdout.readline()
        child.stdin.close()
        await child.wait()
    result = json.loads(line.decode())
    return int(result["updates"]), float(result["elapsed"]), int(result["calls"])


async def bench_ours(users: int, sets: int, tmp: Path) -> tuple[int, float, list[float], int]:
    samples: list[float] = []
    original = Coach.handle_unlocked

    async def timed(self: Coach, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            samples.append(time.perf_counter() - start)

    @contextlib.asynccontextmanager
    async def bot(base: str) -> AsyncIterator[None]:
        values: dict[str, Any] = dict(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=f"{base}/bot",
            TELEGRAM_BASE_FILE_URL=f"{base}/file/bot",
            SIDEGLIDE_DB=tmp / "bench.sqlite3",
            SIDEGLIDE_TTS="off",
            SIDEGLIDE_HEALTH_LISTEN="off",
            SIDEGLIDE_USER_RATE=0,
            SIDEGLIDE_SEND_RATE=0,
            SIDEGLIDE_CONCURRENCY=CONCURRENCY,
        )
        settings = plain_settings(**values)
        async with running(settings):
            yield

    with mock.patch.object(Coach, "handle_unlocked", timed):
        n, elapsed, calls = await with_driver("ours", users, sets, 0, bot)
    return n, elapsed, samples, calls


async def bench_echo(users: int, per_user: int, transport: str) -> tuple[int, float, int]:
    """The bare echo bot; `transport` "httpx" is PTB's default, "aiohttp" is ours."""

    async def echo(update: object, context: Any) -> None:
        if isinstance(update, Update) and update.effective_chat and update.effective_message:
            await context.bot.send_message(
                update.effective_chat.id, update.effective_message.text or ""
            )

    @contextlib.asynccontextmanager
    async def bot(base: str) -> AsyncIterator[None]:
        builder = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(CONCURRENCY)
            .rate_limiter(AIORateLimiter(overall_max_rate=0, overall_time_period=0, max_retries=3))
        )
        if transport == "aiohttp":
            builder = builder.request(AiohttpRequest()).get_updates_request(
                AiohttpRequest(connection_pool_size=1)
            )
        app = builder.build()
        app.add_handler(TypeHandler(Update, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=10, poll_interval=0.0)
            yield
            await app.updater.stop()
            await app.stop()

    return await with_driver("echo", users, 0, per_user, bot)


VALUE_FOR = {
    "welcome": "ok",
    "assess.side": "left",
    "assess.wall": "no",
    "assess.reach": "thigh",
    "assess.pain": "5",
    "assess.tried": "both",
    "assess.tried_result": "same",
    "offer": "start",
    "preset": "nothing",
    "check.answer": "centralizing",  # or the first of the back-only answers
    "check.pain": "4",
}


async def bench_own_code(users: int, sets: int, tmp: Path) -> list[float]:
    """Our code alone, one update at a time: flow + SQLite + rendering the reply texts."""
    from bot import bootstrap
    from bot.presentation.messages import Joined, merge_says, render_joined
    from flows.engine import choices
    from flows.events import Command, Event, Press

    settings = plain_settings(SIDEGLIDE_DB=tmp / "own.sqlite3", SIDEGLIDE_TTS="off")
    built = await bootstrap.build(settings)
    services = built.services
    samples: list[float] = []
    try:
        for u in range(users):
            uid, done = 30_000 + u, 0
            event: Event = Command("start")
            while done < sets:
                start = time.perf_counter()
                turn = await services.coach.handle(uid, uid, event)
                for effect in merge_says(turn.effects, voice=False):
                    if isinstance(effect, Joined):
                        render_joined(effect, "en")
                samples.append(time.perf_counter() - start)
                s = turn.session
                if s.state == "idle":
                    done += 1
                    event = Command("exercise")
                    continue
                offered = [c.value for c in choices(s)]
                if s.state == "screen":
                    value = "no"
                elif s.state == "step":
                    value = "next"
                elif s.state == "check.reach":
                    value = REACH_VALUES[done % len(REACH_VALUES)]
                else:
                    value = VALUE_FOR.get(s.state, offered[0])
                    value = value if value in offered else offered[0]
                event = Press(s.seq, value)
    finally:
        await bootstrap.close(built)
    return samples


REACH_VALUES = ["thigh", "thigh", "buttock", "buttock", "back_side"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--sets", type=int, default=5)
    ap.add_argument("--drive", choices=["ours", "echo"], help=argparse.SUPPRESS)
    ap.add_argument("--per-user", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--port-file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:
        await drive(args.drive, args.users, args.sets, args.per_user, args.port_file)
        return
    with tempfile.TemporaryDirectory() as tmp:
        own = await bench_own_code(args.users, args.sets, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        n_ours, t_ours, samples, c_ours = await bench_ours(args.users, args.sets, Path(tmp))
    per_user = max(1, n_ours // args.users)
    n_echo, t_echo, c_echo = await bench_echo(args.users, per_user, "httpx")
    n_same, t_same, _ = await bench_echo(args.users, per_user, "aiohttp")
    ours_rate, echo_rate, same_rate = n_ours / t_ours, n_echo / t_echo, n_same / t_same
    print(f"users: {args.users}, sets each: {args.sets}, concurrency: {CONCURRENCY}")
    for label, n, secs in (
        ("echo bot, bare PTB (baseline)", n_echo, t_echo),
        ("echo bot on our aiohttp client", n_same, t_same),
        ("side glide bot", n_ours, t_ours),
    ):
        print(f"{label:31} {n} updates in {secs:.2f} s = {n / secs:.0f} updates/s")
    print(f"ratio ours/echo (bare PTB): {ours_rate / echo_rate:.2f}  (target >= 0.6)")
    print(f"ratio ours/echo (same HTTP client: our code's own cost): {ours_rate / same_rate:.2f}")
    print(
        f"Bot API calls per update: echo {c_echo / n_echo:.2f}, ours {c_ours / n_ours:.2f} "
        f"(a button tap needs answerCallbackQuery besides the reply); "
        f"calls/s ratio ours/echo: {(c_ours / t_ours) / (c_echo / t_echo):.2f}"
    )
    ms = [s * 1000 for s in own]
    print(
        f"own code per update, alone ({len(ms)} updates, flow + SQLite + reply text): "
        f"p50 {pct(ms, 0.5):.2f} ms, p99 {pct(ms, 0.99):.2f} ms  (target p99 <= 5 ms)"
    )
    ms = [s * 1000 for s in samples]
    print(
        f"same, inside the loaded bot (wall time incl. waiting for other users' turns): "
        f"p50 {pct(ms, 0.5):.2f} ms, p99 {pct(ms, 0.99):.2f} ms, "
        f"mean {statistics.fmean(ms):.2f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
