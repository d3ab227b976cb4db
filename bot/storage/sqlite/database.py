"""One SQLite connection (aiosqlite, WAL) and the transactions every store shares.

One connection, one lock: a turn's session, records and reminder changes, and
the ticker's claims, each commit whole and never interleave. That is what makes
a turn one unit of work, and what lets `SIDEGLIDE_DB=:memory:` work at all (a
second connection would open a second, empty database).

The file holds health data, so it is the bot's user's alone: the folder 0700 and the
database 0600 (SQLite gives its -wal and -shm files the database's mode), made so
before the first byte is written and tightened on every start. `secure_delete`
zeroes what a DELETE frees, and `scrub` (after /forget) checkpoints the WAL into the
database and truncates it, so no erased row stays readable in either file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import aiosqlite
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine.interfaces import Dialect

from bot.storage.sql import schema
from bot.storage.sql.conn import PERSON_COLUMNS, Row
from bot.storage.sql.locks import LocalLocks

log = logging.getLogger(__name__)

DIALECT = sqlite.dialect(paramstyle="qmark")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """The database's folder 0700 and its files 0600, before SQLite writes any of them.

    A folder the bot does not own (or the user's home) is left as it is, with a warning
    when others can read it: it is not the bot's to change, and the files in it are
    private anyway.
    """
    folder = path.parent
    if not folder.is_dir():  # a file in its place fails here, as it should
        folder.mkdir(parents=True, mode=PRIVATE_DIR)
    info = folder.stat()
    own = info.st_uid == os.geteuid() and folder.resolve() != Path.home().resolve()
    if own and stat.S_IMODE(info.st_mode) != PRIVATE_DIR:
        folder.chmod(PRIVATE_DIR)
    elif not own and info.st_mode & 0o077:
        log.warning(
            "SIDEGLIDE_DB is in a folder others can read (%s): give it a folder of its own",
            folder,
        )
    # created here with its mode, not by SQLite with the umask's
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE))
    for file in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        if not file.exists():
            continue
        info = file.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
            file.chmod(PRIVATE_FILE)
        elif info.st_uid != os.geteuid() and info.st_mode & 0o077:
            log.warning("%s is readable by others and not the bot's to change", file.name)


CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"
SCRUB_TRIES, SCRUB_PAUSE_S = 40, 0.05  # up to 2 s for a read in flight to end


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
            cur.row_factory = sqlite3.Row  # read by name
            return await cur.fetchone()

    async def fetchall(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        async with self._conn.execute(sql, tuple(args)) as cur:
            cur.row_factory = sqlite3.Row
            return list(await cur.fetchall())


class Database:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._reads = SqliteConn(conn)
        self._lock = asyncio.Lock()
        self._users = LocalLocks()

    @property
    def reads(self) -> SqliteConn:
        return self._reads

    @property
    def dialect(self) -> Dialect:
        return DIALECT

    def user_lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """A user's turn lock: this process owns the file, so its own lock is everyone's."""
        return self._users.hold(user_id)

    async def lead(self) -> bool:
        return True  # the only process on its file

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            make_private(Path(path))
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        # a DELETE overwrites what it frees with zeros (per connection, so set each time)
        await conn.execute("PRAGMA secure_delete=ON")
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (only power loss can drop the
        # last commits), which is the failure we promise to survive.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        db = cls(conn)
        await db.migrate()
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

    async def migrate(self) -> None:
        """Brings the file to bot.storage.sql.schema's VERSION, in one transaction."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"
        )
        async with self.transaction() as conn:
            row = await conn.fetchone("SELECT MAX(version) AS version FROM schema_version")
            current = (row["version"] if row else None) or 0
            if current >= schema.VERSION:
                return
            for version, statements in schema.upgrade(DIALECT, current, await self._found()):
                for sql in statements:
                    await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version VALUES (?)", (version,))

    async def _columns(self) -> dict[str, list[Row]]:
        """Every table of the bot's (its columns as PRAGMA table_info gives them)."""
        tables = await self._reads.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'schema_version'"
        )
        return {
            t["name"]: await self._reads.fetchall(f"PRAGMA table_info({t['name']})")
            for t in sorted(tables, key=lambda t: str(t["name"]))
        }

    async def _found(self) -> schema.Found:
        return {
            table: {c["name"]: "TEXT" in str(c["type"]).upper() for c in columns}
            for table, columns in (await self._columns()).items()
        }

    async def person_tables(self) -> dict[str, tuple[str, ...]]:
        """Every table with a column naming a person, and those columns: a user (user_id)
        or a physical therapist (pt_id)."""
        out: dict[str, tuple[str, ...]] = {}
        for table, columns in (await self._columns()).items():
            names = {c["name"] for c in columns}
            named = tuple(c for c in PERSON_COLUMNS if c in names)
            if named:
                out[table] = named
        return out

    async def scrub(self) -> None:
        """The WAL written back into the database and truncated to nothing: the pages of
        an erasure (zeroed by secure_delete) replace the old ones in the database file,
        and the WAL's copies of the old ones are gone. Between transactions, so nothing
        this connection does can hold the checkpoint back. A read of another task's may
        still have its statement open on the connection ("database table is locked"):
        it ends in moments, so the checkpoint is tried again."""
        for _ in range(SCRUB_TRIES):
            try:
                async with self._lock, self.conn.execute(CHECKPOINT) as cur:
                    row = await cur.fetchone()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                await asyncio.sleep(SCRUB_PAUSE_S)
                continue
            if row is not None and row[0]:  # busy
                break
            return
        log.warning("the database's WAL could not be checkpointed after an erasure")

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
