"""Reading the bot's database from a test, whichever backend the test runs on.

End-to-end tests run on SQLite and on PostgreSQL (tests/conftest.py); what they
check in the database itself goes through here, in the stores' SQL (`?`). `db` is
the SIDEGLIDE_DB value: a file path, or a postgresql:// URL. Calls are blocking,
like sqlite3's: PostgreSQL is asked from a thread with its own event loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.ports import Turn
from bot.storage.postgres.database import numbered
from bot.storage.sql import sessions
from bot.storage.sql.storage import SqlStorage
from flows.model import Window
from flows.safety import reminder_pause
from flows.schedule import Schedule
from flows.session import ReminderPrefs, Session

Db = str | Path
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbkit")


def is_postgres(db: Db) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


async def _pg(url: str, sql: str, args: Sequence[object]) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await conn.fetch(numbered(sql), *args)]
    finally:
        await conn.close()


def rows(db: Db, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement; a write is committed at once."""
    if is_postgres(db):
        return _THREAD.submit(asyncio.run, _pg(str(db), sql, args)).result(timeout=60)
    conn = sqlite3.connect(db, timeout=30)  # the bot may be mid-write on a loaded machine
    try:
        with conn:
            return [tuple(r) for r in conn.execute(sql, tuple(args)).fetchall()]
    finally:
        conn.close()


# what reading a table that does not exist yet raises, on either backend
NO_TABLE = (sqlite3.OperationalError, asyncpg.UndefinedTableError)


def integrity(db: Db) -> str:
    """SQLite's integrity check; PostgreSQL checks its own pages (its answer is "ok")."""
    if is_postgres(db):
        return "ok" if one(db, "SELECT 1") == (1,) else "no answer"
    found = one(db, "PRAGMA integrity_check")
    return str(found[0]) if found else "no answer"


def one(db: Db, sql: str, args: Sequence[object] = ()) -> tuple[Any, ...] | None:
    found = rows(db, sql, args)
    return found[0] if found else None


def tables(db: Db) -> dict[str, set[str]]:
    """Every table of the bot's schema, with its columns."""
    if is_postgres(db):
        out: dict[str, set[str]] = {}
        for table, column in rows(
            db,
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()",
        ):
            out.setdefault(str(table), set()).add(str(column))
        return out
    names = [
        r[0]
        for r in rows(
            db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: {str(r[1]) for r in rows(db, f"PRAGMA table_info({n})")} for n in names}


def chosen(schedule: Schedule, session: Session | None = None) -> Session:
    """`session` (a new one by default) with `schedule` as the user's reminder choices, the
    one place a schedule is kept (its pause: the user's own)."""
    prefs = ReminderPrefs(
        tz=schedule.tz,
        mode=schedule.mode,
        every=schedule.every_hours,
        window=Window(schedule.start, schedule.end),
        times=schedule.fixed_times,
        paused=schedule.paused,
    )
    return replace(session or Session(), reminders=prefs)


async def choose(
    storage: SqlStorage[Any], uid: int, schedule: Schedule, now: datetime
) -> datetime | None:
    """User `uid` chose `schedule`: stored in their session (as a turn stores it), then
    their reminder starts afresh from it; returns when it is first due."""
    await storage.conversations.commit(
        Turn(user_id=uid, chat_id=uid, session=chosen(schedule), now=now)
    )
    return await storage.reminders.put(uid, now)


def with_sessions(db: Db, user_id: int | None = None) -> dict[int, tuple[int | None, Session]]:
    """The reminders rows (or the user's), each as its next due time and the session that
    holds the user's schedule."""
    where, args = ("WHERE r.user_id = ?", (user_id,)) if user_id is not None else ("", ())
    found = rows(
        db,
        "SELECT r.user_id, r.next_due, u.session FROM reminders r"
        f" JOIN users u ON u.user_id = r.user_id {where}",
        args,
    )
    return {int(r[0]): (r[1], sessions.decode(r[2])) for r in found}


def reminder(db: Db, user_id: int) -> tuple[int | None, int, str | None]:
    """The user's reminder as it used to be stored: (next_due, paused 0/1, why), the
    pause as the user's session says it."""
    next_due, session = with_sessions(db, user_id)[user_id]
    pause = reminder_pause(session)
    return next_due, int(pause is not None), pause.value if pause else None
