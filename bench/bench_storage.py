"""PostgreSQL against SQLite, in the same run: turns/s, reminder claims/s, p99 turn latency,
and what webhook mode's inbox costs per update.

    .venv/bin/python bench/bench_storage.py [--users 200] [--turns 10] [--claims 2000]

Each backend gets the same work through the real Coach and the real stores: every
user's conversation from /start through the safety questions (one turn per
update, with its update id, all users at once), then `--claims` due reminders
handed out in batches under a lease, each started and settled as the ticker does.
PostgreSQL is a real server started for the run (tests/pgserver.py: a temporary
folder, fsync off as in the tests, so its numbers are the engine's and the
protocol's, not the disk's).
SQLite runs on a file with its production settings. Prints numbers; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.coach.coach import Coach  # noqa: E402 - after the path fix
from bot.storage.postgres import PostgresStorage  # noqa: E402
from bot.storage.sqlite import SqliteStorage  # noqa: E402
from flows.engine import choices  # noqa: E402
from flows.events import Command, Press  # noqa: E402
from flows.schedule import Schedule  # noqa: E402
from tests import dbkit  # noqa: E402
from tests.pgserver import start_server  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Storage = SqliteStorage | PostgresStorage


async def turns(storage: Storage, users: int, per_user: int) -> tuple[float, list[float]]:
    """All users at once, each answering its own questions in order; (turns/s, latencies)."""
    coach = Coach(storage.conversations, storage.history, storage.shares, clock=lambda: T0)
    latencies: list[float] = []
    ids = iter(range(1, 10**9))

    async def one_user(uid: int) -> None:
        event: Command | Press = Command("start")
        for _ in range(per_user):
            started = time.perf_counter()
            handled = await coach.handle(uid, uid, event, update_id=next(ids))
            latencies.append(time.perf_counter() - started)
            offered = choices(handled.session)
            if not offered:
                event = Command("start")
                continue
            no = [c for c in offered if c.value in ("no", "ok", "left")]
            event = Press(handled.session.seq, (no or offered)[0].value)

    started = time.perf_counter()
    await asyncio.gather(*(one_user(1000 + u) for u in range(users)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies


async def claims(storage: Storage, count: int) -> float:
    """`count` due reminders handed out in batches of 500 under a lease, each started
    and settled, as the ticker does (three writes a ping, one more a batch)."""
    store = storage.reminders
    schedule = Schedule("UTC", every_hours=3)
    for uid in range(count):  # the schedule in each session, as a turn keeps it
        await dbkit.choose(storage, 500_000 + uid, schedule, T0 - timedelta(days=1))
    now = T0 + timedelta(days=2)
    lease = now + timedelta(minutes=5)
    done = 0
    started = time.perf_counter()
    while rows := await store.claim(now, 500, "bench", lease):
        for row in rows:
            assert row.next_due is not None
            if await store.start(row.user_id, "bench", row.next_due, row.next_due, lease):
                await store.settle(row.user_id, "bench", now + timedelta(hours=3), now)
                done += 1
    return done / (time.perf_counter() - started)


async def inbox(storage: Storage, users: int, per_user: int) -> float:
    """What webhook mode adds to each update (bot/telegram/inbox.py): stored before the
    200, a look for the user's earlier updates, cleared when handled; all users at once."""
    ids = iter(range(1, 10**9))
    payload = '{"update_id": 0, "message": {"text": "a message of a usual length"}}'

    async def one_user(uid: int) -> None:
        for _ in range(per_user):
            update_id = next(ids)
            await storage.inbox.accept(update_id, uid, payload, T0)
            assert await storage.inbox.earlier(uid, update_id) == []
            await storage.inbox.done(update_id)

    started = time.perf_counter()
    await asyncio.gather(*(one_user(2000 + u) for u in range(users)))
    return users * per_user / (time.perf_counter() - started)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


async def measure(name: str, storage: Storage, args: argparse.Namespace) -> dict[str, float]:
    try:
        rate, latencies = await turns(storage, args.users, args.turns)
        claimed = await claims(storage, args.claims)
        inboxed = await inbox(storage, args.users, args.turns)
    finally:
        await storage.close()
    result = {
        "turns_per_s": rate,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": p99(latencies) * 1000,
        "claims_per_s": claimed,
        "inbox_per_s": inboxed,
    }
    print(
        f"{name:<11} {rate:8.0f} turns/s   p50 {result['p50_ms']:6.1f} ms   "
        f"p99 {result['p99_ms']:6.1f} ms   {claimed:8.0f} claims/s   "
        f"{inboxed:8.0f} inbox updates/s",
        flush=True,
    )
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="users at once (default 200)")
    parser.add_argument("--turns", type=int, default=10, help="turns per user (default 10)")
    parser.add_argument("--claims", type=int, default=2000, help="reminders claimed")
    args = parser.parse_args()
    print(
        f"{args.users} users x {args.turns} turns, all at once; {args.claims} reminder claims",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await measure(
            "sqlite", await SqliteStorage.open(Path(tmp) / "bench.sqlite3"), args
        )
    server = start_server()
    try:
        pg = await measure("postgresql", await PostgresStorage.open(server.new_database()), args)
    finally:
        server.stop()
    print(
        "postgresql / sqlite: "
        f"turns/s {pg['turns_per_s'] / sqlite['turns_per_s']:.2f}x, "
        f"p99 {pg['p99_ms'] / sqlite['p99_ms']:.2f}x, "
        f"claims/s {pg['claims_per_s'] / sqlite['claims_per_s']:.2f}x, "
        f"inbox updates/s {pg['inbox_per_s'] / sqlite['inbox_per_s']:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
