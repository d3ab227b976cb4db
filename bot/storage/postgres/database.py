"""PostgreSQL through an asyncpg pool, behind the same `Conn` the stores use on SQLite.

The stores write `?`; asyncpg wants `$1, $2...`, so each statement is rewritten
once (cached). Migrations run in one transaction under an advisory lock: two
processes starting at once migrate once, the second waiting for the first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.engine.interfaces import Dialect

from bot.storage.sql import schema
from bot.storage.sql.conn import PERSON_COLUMNS, Row
from bot.storage.sql.locks import LocalLocks

# advisory lock keys: the two-int form (a space of its own, apart from the bigint form
# that holds a user's id)
log = logging.getLogger(__name__)

# the stores' `?` parameters, turned into `$n` by `numbered` below
DIALECT = PGDialect(paramstyle="qmark")  # type: ignore[no-untyped-call]
APP_KEY = 0x5EDE  # "side glide"
MIGRATION_LOCK = (APP_KEY, 1)
LEADER_LOCK = (APP_KEY, 2)
_PARAM = re.compile(r"\?")


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` -> `$n`, in order (no statement of ours has a `?` inside a string)."""
    count = iter(range(1, 10_000))
    return _PARAM.sub(lambda _: f"${next(count)}", sql)


def _changed(status: str) -> int:
    """asyncpg's command status ("UPDATE 3", "INSERT 0 1") as the rows changed."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgConn:
    """bot.storage.sql.conn.Conn on one asyncpg connection, or on the pool (reads)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn  # asyncpg.Connection or asyncpg.Pool: the same four methods

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        return _changed(await self._conn.execute(numbered(sql), *args))

    async def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        await self._conn.executemany(numbered(sql), [tuple(r) for r in rows])

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(numbered(sql), *args)
        return row  # an asyncpg Record: read by name

    async def fetchall(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        return list(await self._conn.fetch(numbered(sql), *args))


class PgDatabase:
    def __init__(self, pool: asyncpg.Pool, locks: asyncpg.Pool, url: str = "") -> None:
        self.pool = pool
        self._url = url
        self._leading: asyncpg.Connection | None = None
        # a user's turn lock holds a connection for the turn (load, advance, commit): a
        # pool of its own, so turns waiting for a lock never starve the queries of the
        # turns holding one; this process's own waiters queue in memory first
        self.locks = locks
        self._users = LocalLocks()
        self._reads = PgConn(pool)
        self._person_tables: dict[str, tuple[str, ...]] | None = None

    @classmethod
    async def open(cls, url: str, size: int = 20, lock_size: int = 48) -> PgDatabase:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=size, command_timeout=30)
        try:
            locks = await asyncpg.create_pool(url, min_size=1, max_size=lock_size)
        except BaseException:
            await pool.close()
            raise
        db = cls(pool, locks, url)
        try:
            await db.migrate()
        except BaseException:
            await db.close()
            raise
        return db

    @property
    def dialect(self) -> Dialect:
        return DIALECT

    async def scrub(self) -> None:
        """Nothing here: deleted rows stay in PostgreSQL's pages until (auto)vacuum
        reuses them, which only the server's own files and backups can show."""

    @asynccontextmanager
    async def user_lock(self, user_id: int) -> AsyncIterator[None]:
        """A user's turn lock across processes: a session-level advisory lock keyed by the
        user's id, held by one process at a time and released by the server if that
        process dies. This process's turns of the user wait in line in memory first."""
        async with self._users.hold(user_id), self.locks.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1::bigint)", user_id)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1::bigint)", user_id)

    @property
    def reads(self) -> PgConn:
        return self._reads

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConn]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield PgConn(conn)

    async def migrate(self) -> None:
        """Brings the database to bot.storage.sql.schema's VERSION, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", *MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
            )
            current = await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0
            if current >= schema.VERSION:
                return
            found: dict[str, dict[str, bool]] = {}
            for r in await conn.fetch(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name != 'schema_version'"
            ):
                found.setdefault(r["table_name"], {})[r["column_name"]] = r["data_type"] in (
                    "text",
                    "character varying",
                )
            for version, statements in schema.upgrade(DIALECT, current, found):
                for sql in statements:
                    await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version VALUES ($1)", version)

    async def lead(self) -> bool:
        """Leadership is a session-level advisory lock on a connection of its own: it
        moves to another process only when this one lets go or dies (the server then
        drops the connection, and the lock with it)."""
        if self._leading is not None:
            try:
                if not self._leading.is_closed():
                    await self._leading.fetchval("SELECT 1", timeout=10)
                    return True
            # any failure of this one connection means the lock may be gone: after the
            # server ended the session asyncpg can raise InternalClientError ("another
            # operation is in progress"), which is none of its usual error classes
            except Exception as exc:
                log.warning("lost the reminder leadership's connection: %s", type(exc).__name__)
            self._leading.terminate()
            self._leading = None
        try:
            conn = await asyncpg.connect(self._url)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot ask for the reminder leadership: %s", type(exc).__name__)
            return False
        if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LEADER_LOCK):
            self._leading = conn
            log.info("this process now sends the reminders")
            return True
        await conn.close()
        return False

    async def person_tables(self) -> dict[str, tuple[str, ...]]:
        if self._person_tables is None:  # the schema only changes by migration, at start
            rows = await self.pool.fetch(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = ANY($1::text[])",
                list(PERSON_COLUMNS),
            )
            found: dict[str, set[str]] = {}
            for r in rows:
                found.setdefault(r["table_name"], set()).add(r["column_name"])
            self._person_tables = {
                t: tuple(c for c in PERSON_COLUMNS if c in cols)
                for t, cols in sorted(found.items())
            }
        return self._person_tables

    async def integrity_check(self) -> str:
        """PostgreSQL checks its own pages; "ok" once the server answers."""
        return "ok" if await self.ping() else "no answer"

    async def ping(self) -> bool:
        try:
            return bool(await self.pool.fetchval("SELECT 1") == 1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False

    async def close(self) -> None:
        if self._leading is not None:
            await self._leading.close()  # the next process may lead at once
            self._leading = None
        await self.locks.close()
        await self.pool.close()
