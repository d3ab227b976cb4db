"""Reminders at 100,000 users: start-up, memory, send rate, lost and duplicated pings.

    .venv/bin/python bench/bench_reminders.py [--users 100000] [--window 20]
        [--in-flight 8] [--server fake|minimal]

All users are due in the same minute. A real `telegram.Bot` sends each ping
(text + Start now / Snooze / Skip buttons) to a fake Bot API server on 127.0.0.1
running in its own process, so its memory and CPU are not counted as ours: the
project's tests/fakebotapi/ by default, or a minimal aiohttp one. The server
counts messages per chat. Phase 1 paces at 30/s for a bounded window and stops
cleanly (`aclose`); phase 2 sends everything left with no limit. Baselines
measured in the same run: memory right after the imports, and the ticker's own
rate with a send that does nothing. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time as clock
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flows.model import RemindMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.schedule import Schedule, next_due  # noqa: E402 - after the path fix

DUE = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # every schedule below fires at 08:00Z
TOKEN = "123456:BENCH"
VARIANTS = [
    Schedule("UTC", every_hours=3),
    Schedule("Europe/Berlin", every_hours=2, start=time(10, 0)),  # 10:00 CEST
    Schedule("America/New_York", mode=RemindMode.FIXED, fixed_times=(time(4, 0), time(12, 30))),
    Schedule("Asia/Tokyo", mode=RemindMode.FIXED, fixed_times=(time(17, 0),)),
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the fake Bot API server (own process; stats over stdin/stdout) --------------


def summarize(counts: Counter[int], stamps: list[float], users: int) -> dict[str, Any]:
    return {
        "messages": sum(counts.values()),
        "chats": len(counts),
        "duplicated": sum(1 for c in counts.values() if c > 1),
        "lost": sum(1 for uid in range(1, users + 1) if counts[uid] == 0),
        "strangers": sum(1 for uid in counts if not 1 <= uid <= users),
        "first": min(stamps, default=None),
        "last": max(stamps, default=None),
    }


async def minimal_server(port_file: str) -> Any:
    """Answers getMe and sendMessage, nothing else; returns a stats function."""
    from aiohttp import web

    counts: Counter[int] = Counter()
    stamps: list[float] = []

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if name == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
            return web.json_response({"ok": True, "result": me})
        if name != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"})
        form: dict[str, Any] = (
            await request.json()
            if request.content_type == "application/json"
            else dict(await request.post())
        )
        chat = int(form["chat_id"])
        counts[chat] += 1
        stamps.append(clock.monotonic())
        message = {
            "message_id": len(stamps),
            "date": int(clock.time()),
            "chat": {"id": chat, "type": "private"},
            "text": form.get("text", ""),
        }
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    await asyncio.to_thread(Path(port_file).write_text, str(sock.getsockname()[1]))
    return lambda users: summarize(counts, stamps, users)


async def project_server(port_file: str) -> Any:
    """The project's fake Telegram (tests/fakebotapi/)."""
    from tests.fakebotapi import FakeBotAPI

    api = await FakeBotAPI(valid_token=TOKEN).start()
    await asyncio.to_thread(Path(port_file).write_text, str(api.port))

    def stats(users: int) -> dict[str, Any]:
        delivered = [m for m in api.delivered() if m.method == "sendMessage"]
        counts = Counter(int(m.chat_id) for m in delivered)
        return summarize(counts, [m.call.at for m in delivered], users)

    return stats


def serve(kind: str, port_file: str) -> None:
    async def main() -> None:
        start = project_server if kind == "fake" else minimal_server
        stats = await start(port_file)
        while line := await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(stats(int(line.split()[1]))), flush=True)

    asyncio.run(main())


class Server:
    """Runs `serve` in a child process; `stats()` asks it for counts."""

    def __init__(self, kind: str, tmp: str) -> None:
        port_file = os.path.join(tmp, "port")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--port-file", port_file],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = clock.monotonic() + 30
        while not (os.path.exists(port_file) and Path(port_file).read_text()):
            if clock.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("fake Bot API server did not start")
            clock.sleep(0.05)
        self.port = int(Path(port_file).read_text())

    def _ask(self, users: int) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"stats {users}\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    async def stats(self, users: int) -> dict[str, Any]:
        return await asyncio.to_thread(self._ask, users)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- data -----------------------------------------------------------------------


def populate(db: str, users: int) -> None:
    """Creates the table and the users in bulk (in a child process: not our memory)."""
    from bot.storage.sql import schema, sessions
    from bot.storage.sqlite.database import DIALECT
    from tests import dbkit

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
    for table in schema.metadata.sorted_tables:  # the bot's own schema, as it creates it
        for statement in schema.create(table, DIALECT):
            conn.execute(statement)
    conn.execute("INSERT INTO schema_version VALUES (?)", (schema.VERSION,))
    # each user's schedule is kept in their session; the reminders row holds when it is due
    stored = [sessions.encode(dbkit.chosen(s)) for s in VARIANTS]
    for s in VARIANTS:
        due = next_due(s, DUE - timedelta(minutes=1))
        assert due == DUE, (s, due)
    ids = range(1, users + 1)
    conn.executemany(
        "INSERT INTO users (user_id, chat_id, language, state, stall, sets_done, session,"
        " created, updated) VALUES (?, ?, 'en', 'idle', 0, 0, ?, 0, 0)",
        [(uid, uid, stored[uid % len(VARIANTS)]) for uid in ids],
    )
    conn.executemany(
        "INSERT INTO reminders (user_id, next_due) VALUES (?, ?)",
        [(uid, int(DUE.timestamp())) for uid in ids],
    )
    conn.commit()
    conn.close()


def populate_elsewhere(db: str, users: int) -> None:
    code = f"import bench.bench_reminders as b; b.populate({db!r}, {users})"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- the bench ------------------------------------------------------------------


async def ticker_only(db: str, in_flight: int) -> float:
    """Baseline: pings/s of the ticker and SQLite alone, with a send that does nothing."""
    from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
    from bot.storage.sql.reminders import SqlReminders as SqliteReminders
    from bot.storage.sqlite.database import Database

    async def send(user_id: int, info: ReminderInfo) -> SendOutcome:
        return SendOutcome.OK

    database = await Database.open(db)
    try:
        ticker = ReminderTicker(
            SqliteReminders(database, sole=True),
            send,
            None,
            None,
            lambda: DUE,
            max_in_flight=in_flight,
        )
        mark = clock.perf_counter()
        report = await ticker.tick()
        return report.sent / (clock.perf_counter() - mark)
    finally:
        await database.close()


async def bench(
    db: str, server: Server, users: int, window: float, in_flight: int, baseline_db: str
) -> None:
    from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import Forbidden, RetryAfter, TelegramError

    from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
    from bot.storage.sql.reminders import SqlReminders as SqliteReminders
    from bot.storage.sqlite.database import Database
    from bot.telegram.transport import AiohttpRequest  # the bot's own HTTP client

    baseline_rss = rss_mb()
    baseline_rate = await ticker_only(baseline_db, in_flight)
    print(f"baseline, ticker + SQLite with a no-op send: {baseline_rate:.0f} pings/s")

    request = AiohttpRequest(connection_pool_size=in_flight + 2)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{server.port}/bot", request=request)
    await bot.initialize()
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Start now", callback_data="rem:start"),
                InlineKeyboardButton("Snooze", callback_data="rem:snooze"),
                InlineKeyboardButton("Skip", callback_data="rem:skip"),
            ]
        ]
    )

    async def send(user_id: int, info: ReminderInfo) -> SendOutcome:
        try:
            await bot.send_message(user_id, "Time for your side glide", reply_markup=buttons)
        except Forbidden:
            return SendOutcome.BLOCKED
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return SendOutcome.RETRY_AFTER(seconds)
        except TelegramError:
            return SendOutcome.FAILED
        return SendOutcome.OK

    started = clock.monotonic()

    def now() -> datetime:  # real time, starting five seconds after the slot
        return DUE + timedelta(seconds=5 + clock.monotonic() - started)

    # Start-up: open the database, build the ticker, first query through the index.
    t0 = clock.perf_counter()
    database = await Database.open(db)
    store = SqliteReminders(database, sole=True)
    limited = ReminderTicker(store, send, None, 30.0, now, max_in_flight=in_flight)
    first = await store.due(now(), 500)
    startup = clock.perf_counter() - t0
    print(f"users: {users}; first due batch: {len(first)} rows")
    print(f"start-up (open DB + ticker + first due query): {startup * 1000:.1f} ms")

    # Phase 1: paced at 30/s for a bounded window, then a clean stop.
    mark = clock.monotonic()
    task = asyncio.create_task(limited.tick())
    await asyncio.sleep(window)
    await limited.aclose()
    report1 = await task
    elapsed1 = clock.monotonic() - mark
    s1 = await server.stats(0)
    sent1 = int(s1["messages"])
    spread = float(s1["last"]) - float(s1["first"]) if sent1 > 1 else 0.0
    rate_window = sent1 / elapsed1
    rate_spread = (sent1 - 1) / spread if spread else 0.0
    print(
        f"phase 1, limit 30/s, {elapsed1:.1f} s: {sent1} delivered, {rate_window:.2f}/s over "
        f"the window ({rate_window / 30:.1%} of the limit), {rate_spread:.2f}/s first to last "
        f"(includes the initial 0.2 s burst); {report1}"
    )

    # Phase 2: no limit, everything left.
    unlimited = ReminderTicker(store, send, None, None, now, max_in_flight=in_flight)
    mark = clock.monotonic()
    report2 = await unlimited.tick()
    elapsed2 = clock.monotonic() - mark
    rate2 = report2.sent / elapsed2
    print(
        f"phase 2, unlimited, {in_flight} in flight: {report2.sent} sent in {elapsed2:.1f} s "
        f"= {rate2:.0f}/s ({rate2 / baseline_rate:.2f} of the ticker-only baseline); {report2}"
    )
    left = await store.due(now(), 10)
    await database.close()
    await bot.shutdown()
    peak = rss_mb()

    s2 = await server.stats(users)
    lost, dup = int(s2["lost"]), int(s2["duplicated"])
    print(
        f"server: {s2['messages']} messages to {s2['chats']} users ({s2['strangers']} unknown); "
        f"lost {lost}, duplicated {dup}; still due in the DB: {len(left)}"
    )
    print(f"RSS: {baseline_rss:.0f} MB after imports, peak {peak:.0f} MB")
    verdict = {
        "start-up < 2 s": startup < 2,
        "peak RSS < 150 MB": peak < 150,
        ">= 95% of 30/s": rate_window >= 28.5,
        "0 lost": lost == 0,
        "0 duplicated": dup == 0,
    }
    print("targets: " + ", ".join(f"{k} {'OK' if v else 'MISSED'}" for k, v in verdict.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--server", choices=["fake", "minimal"], default="fake")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port_file)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite3")
        baseline_db = os.path.join(tmp, "baseline.sqlite3")
        t0 = clock.perf_counter()
        populate_elsewhere(db, args.users)
        populate_elsewhere(baseline_db, min(args.users, 20_000))
        print(f"populated {args.users} users in {clock.perf_counter() - t0:.1f} s (not timed)")
        server = Server(args.server, tmp)
        print(f"send target: {args.server} Bot API server in its own process")
        try:
            asyncio.run(bench(db, server, args.users, args.window, args.in_flight, baseline_db))
        finally:
            server.close()


if __name__ == "__main__":
    main()
