"""SQLite storage (aiosqlite, WAL): sessions, check-ins, rung history, screenings, file ids.

One transaction per handled update: the session, the update id and every
record the flow produced are written together before the bot replies, so an
acknowledged answer survives a kill and a re-delivered update is not counted
twice.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from flows.effects import Effect, RecordCheckIn, RecordRungChange, RecordScreening
from flows.model import Answer, CheckIn, Reach, Rung, RungChange
from flows.session import Session

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE users (
                user_id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                language TEXT NOT NULL,
                state TEXT NOT NULL,
                side TEXT,
                rung TEXT,
                no_change INTEGER NOT NULL DEFAULT 0,
                stall INTEGER NOT NULL DEFAULT 0,
                sets_done INTEGER NOT NULL DEFAULT 0,
                session TEXT NOT NULL,
                last_update_id INTEGER NOT NULL DEFAULT 0,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            )""",
            """CREATE TABLE checkins (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                rung TEXT NOT NULL,
                answer TEXT NOT NULL,
                pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
                reach TEXT NOT NULL
            )""",
            "CREATE INDEX checkins_user_at ON checkins (user_id, at)",
            """CREATE TABLE rung_changes (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                from_rung TEXT,
                to_rung TEXT NOT NULL,
                reason TEXT NOT NULL
            )""",
            "CREATE INDEX rung_changes_user ON rung_changes (user_id, at)",
            """CREATE TABLE screenings (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                question TEXT NOT NULL,
                yes INTEGER NOT NULL
            )""",
            "CREATE INDEX screenings_user ON screenings (user_id, at)",
            """CREATE TABLE voice_files (
                clip_key TEXT PRIMARY KEY,
                file_id TEXT NOT NULL,
                created TEXT NOT NULL
            )""",
        ],
    ),
]


_RECORDS = (RecordCheckIn, RecordRungChange, RecordScreening)

_UPSERT_USER = """INSERT INTO users (user_id, chat_id, language, state, side, rung, no_change,
        stall, sets_done, session, last_update_id, created, updated)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,
        language = excluded.language, state = excluded.state, side = excluded.side,
        rung = excluded.rung, no_change = excluded.no_change,
        stall = excluded.stall, sets_done = excluded.sets_done,
        session = excluded.session,
        last_update_id = MAX(users.last_update_id, excluded.last_update_id),
        updated = excluded.updated"""


@dataclass(frozen=True, slots=True)
class _Turn:
    user_id: int
    chat_id: int
    session: Session
    records: Sequence[Effect]
    now: datetime
    update_id: int | None


def _user_row(t: _Turn) -> tuple[object, ...]:
    s = t.session
    return (
        t.user_id,
        t.chat_id,
        s.language,
        s.state,
        s.side.value if s.side else None,
        s.rung.value if s.rung else None,
        0,  # no_change: replaced by the stall count (kept for older readers of the table)
        s.stall,
        s.sets_done,
        json.dumps(s.to_dict()),
        t.update_id or 0,
        _iso(t.now),
        _iso(t.now),
    )


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class Screening:
    at: datetime
    question: str
    yes: bool


@dataclass(frozen=True, slots=True)
class Loaded:
    session: Session
    last_update_id: int
    chat_id: int


class Store:
    """The repository every adapter uses; the only module that writes SQL for users."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # one connection serves every user: transactions must not interleave on it
        self._tx_lock = asyncio.Lock()
        self._pending: list[tuple[_Turn, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._tx_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @classmethod
    async def open(cls, path: Path | str, extra: Sequence[tuple[int, list[str]]] = ()) -> Store:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (only power loss can drop the
        # last commits), which is the failure we promise to survive.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        store = cls(conn)
        await store._migrate([*MIGRATIONS, *extra])
        return store

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
        if self._writer is not None and not self._writer.done():
            await self._writer
        await self.conn.close()

    async def _migrate(self, migrations: Iterable[tuple[int, list[str]]]) -> None:
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

    # --- sessions -------------------------------------------------------------------

    async def load(self, user_id: int) -> Loaded | None:
        async with self.conn.execute(
            "SELECT session, last_update_id, chat_id FROM users WHERE user_id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return Loaded(Session.from_dict(json.loads(row[0])), int(row[1]), int(row[2]))

    async def save(
        self,
        user_id: int,
        chat_id: int,
        session: Session,
        effects: Sequence[Effect],
        now: datetime,
        update_id: int | None = None,
    ) -> None:
        """The session and every record of one turn, durably, before the bot replies.

        Group commit: turns of different users that arrive while a write is in
        progress are written together in the next transaction, so a busy bot
        makes a few database trips per batch instead of several per update.
        Each caller still returns only after its own turn is committed.
        """
        records = [e for e in effects if isinstance(e, _RECORDS)]
        turn = _Turn(user_id, chat_id, session, records, now, update_id)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((turn, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        await asyncio.shield(future)

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write([turn for turn, _ in batch])
            except Exception:
                # one bad turn must not fail its neighbours: write them one by one
                for turn, future in batch:
                    try:
                        await self._write([turn])
                    except Exception as exc:
                        if not future.done():
                            future.set_exception(exc)
                    else:
                        if not future.done():
                            future.set_result(None)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)

    async def _write(self, turns: Sequence[_Turn]) -> None:
        checkins: list[tuple[object, ...]] = []
        changes: list[tuple[object, ...]] = []
        screenings: list[tuple[object, ...]] = []
        for t in turns:
            at = _iso(t.now)
            for effect in t.records:
                if isinstance(effect, RecordCheckIn):
                    c = effect.checkin
                    row = (t.user_id, _iso(c.at), c.rung.value, c.answer.value, c.pain)
                    checkins.append((*row, c.reach.value))
                elif isinstance(effect, RecordRungChange):
                    start = effect.from_rung.value if effect.from_rung else None
                    changes.append((t.user_id, at, start, effect.to_rung.value, effect.reason))
                elif isinstance(effect, RecordScreening):
                    screenings.append((t.user_id, at, effect.question, int(effect.yes)))
        async with self.transaction() as conn:
            await conn.executemany(_UPSERT_USER, [_user_row(t) for t in turns])
            if checkins:
                await conn.executemany(
                    "INSERT INTO checkins (user_id, at, rung, answer, pain, reach)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    checkins,
                )
            if changes:
                await conn.executemany(
                    "INSERT INTO rung_changes (user_id, at, from_rung, to_rung, reason)"
                    " VALUES (?, ?, ?, ?, ?)",
                    changes,
                )
            if screenings:
                await conn.executemany(
                    "INSERT INTO screenings (user_id, at, question, yes) VALUES (?, ?, ?, ?)",
                    screenings,
                )

    # --- history --------------------------------------------------------------------

    async def checkins(self, user_id: int) -> list[CheckIn]:
        async with self.conn.execute(
            "SELECT at, rung, answer, pain, reach FROM checkins WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [CheckIn(_dt(r[0]), Rung(r[1]), Answer(r[2]), int(r[3]), Reach(r[4])) for r in rows]

    async def rung_changes(self, user_id: int) -> list[RungChange]:
        async with self.conn.execute(
            "SELECT at, from_rung, to_rung, reason FROM rung_changes WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            RungChange(_dt(r[0]), Rung(r[1]) if r[1] else None, Rung(r[2]), r[3]) for r in rows
        ]

    async def screenings(self, user_id: int) -> list[Screening]:
        async with self.conn.execute(
            "SELECT at, question, yes FROM screenings WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [Screening(_dt(r[0]), r[1], bool(r[2])) for r in rows]

    async def count_rows(self, user_id: int) -> dict[str, int]:
        """Rows naming the user in every table that has a user column (for /mydata, /forget)."""
        counts: dict[str, int] = {}
        for table in await self.user_tables():
            async with self.conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,)
            ) as cur:
                row = await cur.fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    async def user_tables(self) -> list[str]:
        async with self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [r[0] for r in await cur.fetchall()]
        out = []
        for table in tables:
            async with self.conn.execute(f"PRAGMA table_info({table})") as cur:
                cols = {r[1] for r in await cur.fetchall()}
            if "user_id" in cols:
                out.append(table)
        return sorted(out)

    async def forget(self, user_id: int) -> None:
        """Every row naming the user, in every table, in one transaction: no tombstone."""
        tables = await self.user_tables()
        async with self.transaction() as conn:
            for table in tables:
                await conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))

    # --- uploaded voice clips -------------------------------------------------------

    async def file_id(self, clip_key: str) -> str | None:
        async with self.conn.execute(
            "SELECT file_id FROM voice_files WHERE clip_key = ?", (clip_key,)
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def save_file_id(self, clip_key: str, file_id: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT OR REPLACE INTO voice_files (clip_key, file_id, created) VALUES (?, ?, ?)",
            (clip_key, file_id, _iso(now)),
        )

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
