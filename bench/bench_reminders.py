"""Reminders at 100,000 users: start-up, memory, send rate, lost and duplicated pings.

    .venv/bin/python bench/bench_reminders.py [--users 100000] [--window 20]

All users are due in the same minute. A real `telegram.Bot` sends to a fake Bot
API server on 127.0.0.1 that runs in its own process (so its memory and CPU are
not counted as ours) and counts messages per chat. Phase 1 paces at 30/s for a
bounded window and stops cleanly (`aclose`); phase 2 sends everything left with
no limit. The baseline for memory is this process right after its imports.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.schedule import Schedule, next_due  # noqa: E402

DUE = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # every schedule below fires at 08:00Z
TOKEN = "123456:BENCH"
VARIANTS = [
    Schedule("UTC", every_hours=3),
    Schedule("Europe/Berlin", every_hours=2, start=time(10, 0)),  # 10:00 CEST
    Schedule("America/New_York", mode="fixed", fixed_times=(time(4, 0), time(12, 30))),
    Schedule("Asia/Tokyo", mode="fixed", fixed_times=(time(17, 0),)),
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the fake Bot API server (own process) --------------------------------------


def serve(port_file: str) -> None:
    from aiohttp import web

    counts: Counter[int] = Counter()
    stamps: list[float] = []

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if name == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
            return web.json_response({"ok": True, "result": me})
        if name == "sendMessage":
            if request.content_type == "application/json":
                form = await request.json()
            else:
                form = dict(await request.post())
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
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"})

    async def stats(request: web.Request) -> web.Response:
        since = float(request.query.get("since", "0"))
        recent = [s for s in stamps if s >= since]
        return web.json_response(
            {
                "messages": len(stamps),
                "chats": len(counts),
                "duplicated": sum(1 for c in counts.values() if c > 1),
                "since": len(recent),
                "first": recent[0] if recent else None,
                "last": recent[-1] if recent else None,
                "max_user": max(counts, default=0),
                "received": sorted(counts),
            }
        )

    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_post("/bot{token}/{method}", method)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(runner, sock)
        await site.start()
        Path(port_file).write_text(str(sock.getsockname()[1]))
        await asyncio.sleep(3600)  # killed by the bench when done

    asyncio.run(main())


def populate(db: str, users: int) -> None:
    """Creates the table and the users in bulk (another process: not our memory)."""
    from bot.reminder_store import SCHEMA

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    for statement in SCHEMA:
        conn.execute(statement)
    rows = []
    for uid in range(1, users + 1):
        s = VARIANTS[uid % len(VARIANTS)]
        due = next_due(s, DUE - timedelta(minutes=1))
        assert due == DUE, (s, due)
        fixed = ",".join(t.strftime("%H:%M") for t in s.fixed_times)
        start, end = s.start.strftime("%H:%M"), s.end.strftime("%H:%M")
        rows.append((uid, s.tz, s.mode, s.every_hours, start, end, fixed, int(due.timestamp())))
    conn.executemany(
        'INSERT INTO reminders (user_id, tz, mode, every_hours, start, "end", fixed_times, '
        "paused, next_due) VALUES (?,?,?,?,?,?,?,0,?)",
        rows,
    )
    conn.commit()
    conn.close()


# --- the bench ------------------------------------------------------------------


async def fetch_stats(port: int, since: float = 0.0) -> dict[str, object]:
    import httpx

    async with httpx.AsyncClient() as client:
        reply = await client.get(f"http://127.0.0.1:{port}/stats", params={"since": since})
        data: dict[str, object] = reply.json()
        return data


async def bench(db: str, port: int, users: int, window: float, in_flight: int) -> None:
    import aiosqlite
    from telegram import Bot
    from telegram.error import Forbidden, RetryAfter, TelegramError
    from telegram.request import HTTPXRequest

    from bot.reminder_store import ReminderStore
    from bot.reminder_tick import ReminderInfo, ReminderTicker, SendOutcome

    baseline = rss_mb()
    request = HTTPXRequest(connection_pool_size=in_flight + 2)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await bot.initialize()

    async def send(user_id: int, info: ReminderInfo) -> SendOutcome:
        try:
            await bot.send_message(user_id, "Time for your side glide")
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
    conn = await aiosqlite.connect(db)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=NORMAL")
    store = ReminderStore(conn)
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
    s1 = await fetch_stats(port)
    sent1 = int(str(s1["messages"]))
    first_at, last_at = s1["first"], s1["last"]
    spread = float(str(last_at)) - float(str(first_at)) if sent1 > 1 else 0.0
    rate_window = sent1 / elapsed1
    rate_spread = (sent1 - 1) / spread if spread else 0.0
    print(
        f"phase 1, limit 30/s, {elapsed1:.1f} s: {sent1} sent, {rate_window:.2f}/s over the "
        f"window ({rate_window / 30:.1%} of the limit), {rate_spread:.2f}/s first-to-last; "
        f"{report1}"
    )

    # Phase 2: no limit, everything left.
    unlimited = ReminderTicker(store, send, None, None, now, max_in_flight=in_flight)
    mark = clock.monotonic()
    report2 = await unlimited.tick()
    elapsed2 = clock.monotonic() - mark
    print(
        f"phase 2, unlimited, in flight {in_flight}: {report2.sent} sent in {elapsed2:.1f} s "
        f"= {report2.sent / elapsed2:.0f}/s; {report2}"
    )
    left = await store.due(now(), 10)
    await conn.close()
    await bot.shutdown()

    s2 = await fetch_stats(port)
    received = set(s2["received"])  # type: ignore[call-overload]
    lost = users - len(received & set(range(1, users + 1)))
    print(
        f"server: {s2['messages']} messages to {s2['chats']} users; lost {lost}, "
        f"duplicated {s2['duplicated']}; still due in DB: {len(left)}"
    )
    peak = rss_mb()
    print(f"RSS: {baseline:.0f} MB after imports, peak {peak:.0f} MB (+{peak - baseline:.0f} MB)")
    target = "OK" if startup < 2 and peak < 150 and rate_window >= 28.5 else "MISSED"
    print(
        f"targets (start-up < 2 s, RSS < 150 MB, >= 95% of 30/s, 0 lost, 0 dup): {target}"
        + ("" if lost == 0 and s2["duplicated"] == 0 else " (lost/dup!)")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite3")
        t0 = clock.perf_counter()
        populate_cmd = [
            sys.executable,
            "-c",
            f"import sys; sys.path[:0] = [{str(Path(__file__).parent)!r}]; "
            f"import bench_reminders as b; b.populate({db!r}, {args.users})",
        ]
        subprocess.run(populate_cmd, check=True)
        print(f"populated {args.users} users in {clock.perf_counter() - t0:.1f} s (not timed)")
        port_file = os.path.join(tmp, "port")
        server = subprocess.Popen([sys.executable, __file__, "--serve", port_file])
        try:
            deadline = clock.monotonic() + 20
            while not os.path.exists(port_file) or not Path(port_file).read_text():
                if clock.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("fake Bot API server did not start")
                clock.sleep(0.05)
            port = int(Path(port_file).read_text())
            asyncio.run(bench(db, port, args.users, args.window, args.in_flight))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
