"""Sessions, the turn's records and its reminder changes, committed as one.

`commit` is the unit of work: the session, the update id, every record the
flow produced and every reminder change are written in one transaction before
the bot replies, so an acknowledged answer survives a kill, a re-delivered
update is not counted twice, and a schedule the user saw saved is never lost
while the session says it is.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from bot.storage.ports import Loaded, Turn
from bot.storage.sql import reminders, sessions
from bot.storage.sql.conn import Conn, SqlDatabase
from bot.storage.sql.times import stamp
from flows.effects import (
    RecordCheckIn,
    RecordPrescription,
    RecordPsfs,
    RecordRungChange,
    RecordScreening,
)

# Telegram re-delivers an unconfirmed update for at most a day
KEEP_UPDATES = timedelta(days=2)

_UPSERT_USER = """INSERT INTO users (user_id, chat_id, language, state, side, rung,
        stall, sets_done, session, created, updated)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,
        language = excluded.language, state = excluded.state, side = excluded.side,
        rung = excluded.rung, stall = excluded.stall, sets_done = excluded.sets_done,
        session = excluded.session, updated = excluded.updated"""


def _user_row(t: Turn) -> tuple[object, ...]:
    s = t.session
    return (
        t.user_id,
        t.chat_id,
        s.language,
        s.state,
        s.assessment.side.value if s.assessment.side else None,
        s.rung.value if s.rung else None,
        s.ladder.stall,
        s.ladder.sets_done,
        sessions.encode(s),
        stamp(t.now),
        stamp(t.now),
    )


# --- a turn's records: each kind, its table's INSERT and its rows --------------------

Rows = list[tuple[object, ...]]


def _checkin(user_id: int, at: int, record: RecordCheckIn) -> Rows:
    c = record.checkin
    return [(user_id, stamp(c.at), c.rung.value, c.answer.value, c.pain, c.reach.value)]


def _rung_change(user_id: int, at: int, record: RecordRungChange) -> Rows:
    start = record.from_rung.value if record.from_rung else None
    return [(user_id, at, start, record.to_rung.value, record.reason)]


def _screening(user_id: int, at: int, record: RecordScreening) -> Rows:
    return [(user_id, at, record.question, int(record.yes))]


def _prescription(user_id: int, at: int, record: RecordPrescription) -> Rows:
    rx = record.prescription
    return [
        (user_id, record.pt_id, at, rx.wall.value if rx.wall else None, rx.rung.value, rx.reps)
    ]


def _psfs(user_id: int, at: int, record: RecordPsfs) -> Rows:
    return [(user_id, stamp(r.at), r.activity, r.score) for r in record.ratings]


_RECORDS: dict[type[Any], tuple[str, Callable[[int, int, Any], Rows]]] = {
    RecordCheckIn: (
        "INSERT INTO checkins (user_id, at, rung, answer, pain, reach) VALUES (?, ?, ?, ?, ?, ?)",
        _checkin,
    ),
    RecordRungChange: (
        "INSERT INTO rung_changes (user_id, at, from_rung, to_rung, reason)"
        " VALUES (?, ?, ?, ?, ?)",
        _rung_change,
    ),
    RecordScreening: (
        "INSERT INTO screenings (user_id, at, question, yes) VALUES (?, ?, ?, ?)",
        _screening,
    ),
    RecordPrescription: (
        "INSERT INTO prescriptions (user_id, pt_id, at, wall, rung, reps)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        _prescription,
    ),
    RecordPsfs: ("INSERT INTO psfs (user_id, at, activity, score) VALUES (?, ?, ?, ?)", _psfs),
}


def _record_rows(turns: Sequence[Turn]) -> dict[str, Rows]:
    """Every record of the turns, grouped by the statement that inserts it."""
    out: dict[str, Rows] = defaultdict(list)
    for t in turns:
        for record in t.records:
            sql, rows = _RECORDS[type(record)]
            out[sql] += rows(t.user_id, stamp(t.now), record)
    return out


async def _save_sessions(conn: Conn, turns: Sequence[Turn]) -> None:
    await conn.executemany(_UPSERT_USER, [_user_row(t) for t in turns])


async def _mark_handled(conn: Conn, turns: Sequence[Turn]) -> None:
    """The turns' update ids: a re-delivered update (another process answered it first)
    is recognised by them. Ids older than KEEP_UPDATES go."""
    handled = [t for t in turns if t.update_id]
    if not handled:
        return
    await conn.executemany(
        "INSERT INTO processed_updates (update_id, user_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT (update_id) DO NOTHING",
        [(t.update_id, t.user_id, stamp(t.now)) for t in handled],
    )
    await conn.executemany(
        "DELETE FROM processed_updates WHERE user_id = ? AND at < ?",
        [(t.user_id, stamp(t.now - KEEP_UPDATES)) for t in handled],
    )


async def _insert_records(conn: Conn, turns: Sequence[Turn]) -> None:
    for sql, rows in _record_rows(turns).items():
        await conn.executemany(sql, rows)


async def _change_reminders(conn: Conn, turns: Sequence[Turn]) -> None:
    for t in turns:
        for change in t.reminders:
            await reminders.apply(conn, t.user_id, change, t.now)


class SqlConversations:
    """Conversations (bot.storage.ports) in SQL, with group commit.

    `cache_size`: how many sessions to keep as last committed, read back without a
    database trip. Only for a backend whose process is the only writer (SQLite, decided
    when it is built): there every change goes through `commit` here. 0 keeps nothing
    (PostgreSQL: another process may have moved the user on).
    """

    def __init__(self, db: SqlDatabase, cache_size: int = 0) -> None:
        self._db = db
        self._pending: list[tuple[Turn, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._cache: OrderedDict[int, Loaded] = OrderedDict()
        self._cache_size = cache_size

    def _remember(self, user_id: int, loaded: Loaded) -> None:
        if self._cache_size <= 0:
            return
        self._cache[user_id] = loaded
        self._cache.move_to_end(user_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        return self._db.user_lock(user_id)

    async def seen(self, update_id: int) -> bool:
        row = await self._db.reads.fetchone(
            "SELECT 1 AS seen FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return row is not None

    async def load(self, user_id: int) -> Loaded | None:
        cached = self._cache.get(user_id)
        if cached is not None:
            self._cache.move_to_end(user_id)
            return cached
        row = await self._db.reads.fetchone(
            "SELECT session, chat_id FROM users WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        loaded = Loaded(sessions.decode(row["session"]), int(row["chat_id"]))
        self._remember(user_id, loaded)
        return loaded

    async def commit(self, turn: Turn) -> None:
        """The whole turn, durably, before the bot replies.

        Group commit: turns of different users that arrive while a write is in
        progress are written together in the next transaction, so a busy bot
        makes a few database trips per batch instead of several per update.
        Each caller still returns only after its own turn is committed.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((turn, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        await asyncio.shield(future)

    async def flush(self) -> None:
        """Wait for turns still being committed (at shutdown, before closing)."""
        if self._writer is not None and not self._writer.done():
            await self._writer

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write([turn for turn, _ in batch])
            except Exception:
                # one bad turn must not fail its neighbours: write them one by one
                for turn, future in batch:
                    await self._write_one(turn, future)
                continue
            for turn, future in batch:
                self._written(turn, future)

    async def _write_one(self, turn: Turn, future: asyncio.Future[None]) -> None:
        try:
            await self._write([turn])
        except BaseException as exc:
            self._cache.pop(turn.user_id, None)  # unsure what is stored: read it back
            if not future.done():
                future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self._written(turn, future)

    def _written(self, turn: Turn, future: asyncio.Future[None]) -> None:
        self._remember(turn.user_id, Loaded(turn.session, turn.chat_id))
        if not future.done():
            future.set_result(None)

    async def _write(self, turns: Sequence[Turn]) -> None:
        """The turns in one transaction: sessions, update ids, records, reminders (last:
        a reminder change computes the next due time from the session saved here)."""
        async with self._db.transaction() as conn:
            await _save_sessions(conn, turns)
            await _mark_handled(conn, turns)
            await _insert_records(conn, turns)
            await _change_reminders(conn, turns)

    async def count_rows(self, user_id: int) -> dict[str, int]:
        """Rows naming the user in every table with a person column (for /mydata, /forget):
        as the user (user_id) or as someone's physical therapist (pt_id)."""
        counts: dict[str, int] = {}
        for table, columns in (await self._db.person_tables()).items():
            where = " OR ".join(f"{c} = ?" for c in columns)
            row = await self._db.reads.fetchone(
                f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", (user_id,) * len(columns)
            )
            counts[table] = int(row["n"]) if row else 0
        return counts

    async def forget(self, user_id: int) -> None:
        """Every row naming the user, in every table, in one transaction: no tombstone.

        A patient's prescriptions are the patient's history: a PT who forgets is
        taken out of them (pt_id NULL), the rest of the patient's record stays.
        """
        tables = await self._db.person_tables()
        self._cache.pop(user_id, None)
        async with self._db.transaction() as conn:
            for table, columns in tables.items():
                if "user_id" in columns:
                    await conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
                if "pt_id" in columns:
                    if table == "prescriptions":
                        await conn.execute(
                            "UPDATE prescriptions SET pt_id = NULL WHERE pt_id = ?", (user_id,)
                        )
                    else:
                        await conn.execute(f"DELETE FROM {table} WHERE pt_id = ?", (user_id,))
        # gone from the tables is not gone from the disk: SQLite keeps the old pages in
        # its WAL until a checkpoint, readable by anyone who can read the file
        await self._db.scrub()
