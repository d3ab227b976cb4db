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
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.postgres.database import numbered

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
