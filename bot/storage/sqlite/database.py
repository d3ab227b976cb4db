"""One SQLite connection (aiosqlite, WAL) and the transactions every store shares.

One connection, one lock: a turn's session, records and reminder changes, and
the ticker's claims, each commit whole and never interleave. That is what makes
a turn one unit of work, and what lets `SIDEGLIDE_DB=:memory:` work at all (a
second connection would open a second, empty database).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.sql.conn import PERSON_COLUMNS, Row
from bot.storage.sql.schema import MIGRATIONS


class SqliteConn:
    """bot.storage.sql.conn.Conn on an aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        cursor = await self._conn.execute(sql, tuple(args))
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        await self._conn.executemany(sql, [tuple(r) for r in rows])

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None:
        async with self._conn.execute(sql, tuple(args)) as cur:
            row = await cur.fetchone()
        return tuple(row) if row is not None else None

    async def fetchall(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        async with self._conn.execute(sql, tuple(args)) as cur:
            return [tuple(r) for r in await cur.fetchall()]


class Database:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._reads = SqliteConn(conn)
        self._lock = asyncio.Lock()

    @property
    def reads(self) -> SqliteConn:
        return self._reads

    @property
    def skip_locked(self) -> str:
        return ""  # one writer at a time: an UPDATE is already a claim

    @property
    def shared(self) -> bool:
        return False  # one process owns the file: the coach's own lock is enough

    @asynccontextmanager
    async def user_lock(self, user_id: int) -> AsyncIterator[None]:
        yield

    async def lead(self) -> bool:
        return True  # the only process on its file

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (only power loss can drop the
        # last commits), which is the failure we promise to survive.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        db = cls(conn)
        await db.migrate(MIGRATIONS)
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteConn]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error; one at a time.

        A task cancelled while its BEGIN is on the way still has that BEGIN run (aiosqlite
        queues it on its thread): the ROLLBACK is queued behind it, or the next
        transaction on this connection would find one already open.
        """
        async with self._lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                yield self._reads
            except BaseException:
                await self._rollback()
                raise
            await self.conn.execute("COMMIT")

    async def _rollback(self) -> None:
        undo = asyncio.ensure_future(self.conn.execute("ROLLBACK"))
        try:
            await asyncio.shield(undo)  # a second cancel must not leave it unqueued
        except sqlite3.OperationalError:
            pass  # the BEGIN itself failed: nothing to undo
        except asyncio.CancelledError:
            with contextlib.suppress(sqlite3.Error):
                await undo
            raise

    async def migrate(self, migrations: Iterable[tuple[int, list[str]]]) -> None:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
        )
        async with self.conn.execute("SELECT MAX(version) FROM schema_version") as cur:
            row = await cur.fetchone()
        current = (row[0] if row else None) or 0
        for version, statements in sorted(migrations, key=lambda m: m[0]):
            if version <= current:
                continue
            async with self.transaction() as conn:
                for sql in statements:
                    await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version VALUES (?)", (version,))

    async def person_tables(self) -> dict[str, tuple[str, ...]]:
        """Every table with a column naming a person, and those columns: a user (user_id)
        or a physical therapist (pt_id)."""
        async with self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [r[0] for r in await cur.fetchall()]
        out: dict[str, tuple[str, ...]] = {}
        for table in sorted(tables):
            async with self.conn.execute(f"PRAGMA table_info({table})") as cur:
                cols = {r[1] for r in await cur.fetchall()}
            named = tuple(c for c in PERSON_COLUMNS if c in cols)
            if named:
                out[table] = named
        return out

    async def integrity_check(self) -> str:
        async with self.conn.execute("PRAGMA integrity_check") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else "no answer"

    async def ping(self) -> bool:
        try:
            async with self.conn.execute("SELECT 1") as cur:
                return (await cur.fetchone()) is not None
        except (sqlite3.Error, ValueError):
            return False

    async def close(self) -> None:
        await self.conn.close()
