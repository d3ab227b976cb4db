"""Sessions, the turn's records and its reminder changes, committed as one.

`commit` is the unit of work: the session, the update id, every record the
flow produced and every reminder change are written in one transaction before
the bot replies, so an acknowledged answer survives a kill, a re-delivered
update is not counted twice, and a schedule the user saw saved is never lost
while the session says it is.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from bot.storage.ports import Loaded, Turn
from bot.storage.sql import reminders
from bot.storage.sql.conn import SqlDatabase
from flows.effects import (
    RecordCheckIn,
    RecordPrescription,
    RecordPsfs,
    RecordRungChange,
    RecordScreening,
)
from flows.session import Session

# Telegram re-delivers an unconfirmed update for at most a day
KEEP_UPDATES = timedelta(days=2)

_UPSERT_USER = """INSERT INTO users (user_id, chat_id, language, state, side, rung, no_change,
        stall, sets_done, session, last_update_id, created, updated)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,
        language = excluded.language, state = excluded.state, side = excluded.side,
        rung = excluded.rung, no_change = excluded.no_change,
        stall = excluded.stall, sets_done = excluded.sets_done,
        session = excluded.session,
        last_update_id = CASE WHEN users.last_update_id > excluded.last_update_id
            THEN users.last_update_id ELSE excluded.last_update_id END,
        updated = excluded.updated"""


def _user_row(t: Turn) -> tuple[object, ...]:
    s = t.session
    return (
        t.user_id,
        t.chat_id,
        s.language,
        s.state,
        s.assessment.side.value if s.assessment.side else None,
        s.rung.value if s.rung else None,
        0,  # no_change: replaced by the stall count (kept for older readers of the table)
        s.ladder.stall,
        s.ladder.sets_done,
        json.dumps(s.to_dict()),
        t.update_id or 0,
        _iso(t.now),
        _iso(t.now),
    )


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


class SqlConversations:
    """Conversations (bot.storage.ports) in SQL, with group commit."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        self._pending: list[tuple[Turn, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    @property
    def shared(self) -> bool:
        return self._db.shared

    def lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        return self._db.user_lock(user_id)

    async def seen(self, update_id: int) -> bool:
        row = await self._db.reads.fetchone(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return row is not None

    async def load(self, user_id: int) -> Loaded | None:
        row = await self._db.reads.fetchone(
            "SELECT session, last_update_id, chat_id FROM users WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return Loaded(Session.from_dict(json.loads(row[0])), int(row[1]), int(row[2]))

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

    async def _write(self, turns: Sequence[Turn]) -> None:
        checkins: list[tuple[object, ...]] = []
        changes: list[tuple[object, ...]] = []
        screenings: list[tuple[object, ...]] = []
        prescriptions: list[tuple[object, ...]] = []
        psfs: list[tuple[object, ...]] = []
        for t in turns:
            at = _iso(t.now)
            for record in t.records:
                if isinstance(record, RecordCheckIn):
                    c = record.checkin
                    row = (t.user_id, _iso(c.at), c.rung.value, c.answer.value, c.pain)
                    checkins.append((*row, c.reach.value))
                elif isinstance(record, RecordRungChange):
                    start = record.from_rung.value if record.from_rung else None
                    changes.append((t.user_id, at, start, record.to_rung.value, record.reason))
                elif isinstance(record, RecordScreening):
                    screenings.append((t.user_id, at, record.question, int(record.yes)))
                elif isinstance(record, RecordPrescription):
                    rx = record.prescription
                    wall = rx.wall.value if rx.wall else None
                    prescriptions.append(
                        (t.user_id, record.pt_id, at, wall, rx.rung.value, rx.reps)
                    )
                elif isinstance(record, RecordPsfs):
                    psfs += [(t.user_id, _iso(r.at), r.activity, r.score) for r in record.ratings]
        handled = [(t.update_id, t.user_id, _iso(t.now)) for t in turns if t.update_id]
        async with self._db.transaction() as conn:
            await conn.executemany(_UPSERT_USER, [_user_row(t) for t in turns])
            if handled:
                # a re-delivered update (another process answered it first) writes nothing
                await conn.executemany(
                    "INSERT INTO processed_updates (update_id, user_id, at) VALUES (?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    handled,
                )
                await conn.executemany(
                    "DELETE FROM processed_updates WHERE user_id = ? AND at < ?",
                    [(t.user_id, _iso(t.now - KEEP_UPDATES)) for t in turns if t.update_id],
                )
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
            if prescriptions:
                await conn.executemany(
                    "INSERT INTO prescriptions (user_id, pt_id, at, wall, rung, reps)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    prescriptions,
                )
            if psfs:
                await conn.executemany(
                    "INSERT INTO psfs (user_id, at, activity, score) VALUES (?, ?, ?, ?)", psfs
                )
            for t in turns:
                for change in t.reminders:
                    await reminders.apply(conn, t.user_id, change, t.now)

    async def count_rows(self, user_id: int) -> dict[str, int]:
        """Rows naming the user in every table with a person column (for /mydata, /forget):
        as the user (user_id) or as someone's physical therapist (pt_id)."""
        counts: dict[str, int] = {}
        for table, columns in (await self._db.person_tables()).items():
            where = " OR ".join(f"{c} = ?" for c in columns)
            row = await self._db.reads.fetchone(
                f"SELECT COUNT(*) FROM {table} WHERE {where}", (user_id,) * len(columns)
            )
            counts[table] = int(row[0]) if row else 0
        return counts

    async def forget(self, user_id: int) -> None:
        """Every row naming the user, in every table, in one transaction: no tombstone.

        A patient's prescriptions are the patient's history: a PT who forgets is
        taken out of them (pt_id NULL), the rest of the patient's record stays.
        """
        tables = await self._db.person_tables()
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
