"""Reliability at scale: Telegram faults and kill -9, counted check-in by check-in.

    .venv/bin/python bench/reliability.py [--fault-users 50] [--fault-rate 0.1]
        [--crash-users 200] [--kills 5] [--seed 8]

The scenarios of tests/test_hardening_faults.py and tests/test_hardening_crash.py,
larger. Every simulated user onboards, does a set and checks in (every third also
sets a reminder); a reply that does not come makes them re-send /start, as people
do. Faults: the real bot in this process, the fake Bot API failing a share of
sendMessage / answerCallbackQuery calls with 429 (retry_after 1), 500, 502 (nginx
page), connection resets and 2 s stalls. Crashes: `python -m bot run` as its own
process, SIGKILLed at random moments and restarted while the users go on.

Each scenario also runs once without faults (the baseline, same run, same users),
so the slowdown is a ratio. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.botkit import running, settings_for  # noqa: E402 - after the path fix
from tests.dbkit import Db  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402
from tests.test_hardening_crash import crash_run, integrity, schedules  # noqa: E402
from tests.test_hardening_faults import (  # noqa: E402
    EXPECTED_ROW,
    FAULT_KINDS,
    Journey,
    checkin_rows,
    duplicates,
    run_patients,
)


@dataclass
class Row:
    scenario: str
    users: int
    faults: int
    kills: int
    expected: int  # check-ins the users made (each finished user made one)
    stored: int  # check-in rows in SQLite
    acked_lost: int  # acknowledged to the user, yet not stored
    duplicates: int  # extra check-in rows + messages one turn delivered twice
    resends: int  # replies that never came: the user re-sent /start
    schedules: str  # reminder schedules kept / saved (seen by the user, or stored before a kill)
    integrity: str
    seconds: float


def tally(
    scenario: str,
    api: FakeBotAPI,
    db: Db,
    journeys: list[Journey],
    faults: int,
    kills: int,
    seconds: float,
    stored_before_kills: Collection[int] = (),
) -> Row:
    rows = checkin_rows(db)
    saved = {j.uid for j in journeys if j.schedule_acked} | set(stored_before_kills)
    kept = saved & {s[0] for s in schedules(db)}
    stored = sum(len(v) for v in rows.values())
    extra = sum(max(0, len(v) - 1) for v in rows.values())
    wrong = sum(1 for v in rows.values() for row in v if row != EXPECTED_ROW)
    lost = sum(1 for j in journeys if j.acked and not rows.get(j.uid))
    doubled = sum(len(duplicates(api, j)) for j in journeys)
    return Row(
        scenario,
        len(journeys),
        faults,
        kills,
        sum(1 for j in journeys if j.done),
        stored - wrong,
        lost,
        extra + doubled,
        sum(j.resends for j in journeys),
        f"{len(kept)}/{len(saved)}",
        integrity(db),
        seconds,
    )


async def faults(users: int, rate: float, seed: int) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            settings = settings_for(
                api, Path(tmp), Path(tmp) / "sideglide.sqlite3", SIDEGLIDE_SEND_RATE=0
            )
            async with running(settings):
                rule = None
                if rate:
                    rule = api.fault_rate(
                        ["sendMessage", "answerCallbackQuery"],
                        p=rate,
                        kinds=FAULT_KINDS,
                        seed=seed,
                        stall_seconds=2.0,
                    )
                began = time.monotonic()
                uids = range(100_000, 100_000 + users)
                journeys = await run_patients(
                    api, list(uids), patience=3.0, remind_every=3, deadline=600
                )
                seconds = time.monotonic() - began
                if rule is not None:
                    rule.cancel()
            name = f"faults p={rate:g}" if rate else "faults: baseline"
            return tally(
                name, api, Path(settings.SIDEGLIDE_DB), journeys, len(api.faults()), 0, seconds
            )


async def crashes(users: int, kills: int, seed: int) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            began = time.monotonic()
            run, bot = await crash_run(
                api,
                Path(tmp),
                Path(tmp) / "sideglide.sqlite3",
                users,
                kills,
                seed=seed,
                first_uid=200_000,
                gap=(2.0, 6.0),
                patience=5.0,
                deadline=900,
            )
            seconds = time.monotonic() - began
            name = f"kill -9 x{kills}" if kills else "kill -9: baseline"
            before = {row[0] for row in run.schedules_before_kills}
            return tally(name, api, bot.db, run.journeys, 0, kills, seconds, before)


def table(rows: list[Row]) -> str:
    head = (
        "| scenario | users | faults injected | kill -9 | check-ins expected | stored "
        "| acked but lost | duplicates | /start re-sends | schedules kept | integrity | time "
        "| x baseline |"
    )
    lines = [head, "|" + "---|" * 13]
    base: dict[str, float] = {}
    for row in rows:
        family = row.scenario.split()[0].rstrip(":")
        base.setdefault(family, row.seconds)
        lines.append(
            f"| {row.scenario} | {row.users} | {row.faults} | {row.kills} | {row.expected} "
            f"| {row.stored} | {row.acked_lost} | {row.duplicates} | {row.resends} "
            f"| {row.schedules} | {row.integrity} | {row.seconds:.1f} s "
            f"| {row.seconds / base[family]:.2f} |"
        )
    return "\n".join(lines)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fault-users", type=int, default=50)
    p.add_argument("--fault-rate", type=float, default=0.1)
    p.add_argument("--crash-users", type=int, default=200)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--seed", type=int, default=8)
    args = p.parse_args()
    # PTB logs a traceback for every 502 page it cannot parse: expected here, not news
    logging.basicConfig(level=logging.CRITICAL)
    rows = []
    for rate in (0.0, args.fault_rate):
        rows.append(await faults(args.fault_users, rate, args.seed))
        print(f"  done: {rows[-1].scenario}", file=sys.stderr)
    for kills in (0, args.kills):
        rows.append(await crashes(args.crash_users, kills, args.seed))
        print(f"  done: {rows[-1].scenario}", file=sys.stderr)
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
