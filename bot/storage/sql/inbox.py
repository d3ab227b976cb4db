"""The updates accepted from Telegram and not yet handled, in webhook mode.

Each update is written here before the webhook answers 200, and removed once it
has been handled. Two things follow. A process killed between the two leaves the
row behind, and another process (or this one restarted) handles it: nothing the
user typed is lost with a process. And a user's update waits while an earlier
one of theirs is still here, wherever it is being handled: each user's updates
run in the order Telegram numbered them, across processes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from bot.storage.sql import schema
from bot.storage.sql.conn import Query, SqlDatabase
from bot.storage.sql.times import stamp


def _take_over() -> Any:
    """Marks the oldest updates received before `before` as received `now` and returns
    them. Where several processes sweep at once (PostgreSQL) the inner SELECT passes over
    rows another is taking (FOR UPDATE SKIP LOCKED); SQLite's dialect writes no such
    clause (one writer at a time)."""
    i = schema.inbox
    stale = (
        select(i.c.update_id)
        .where(i.c.received < bindparam("before"))
        .order_by(i.c.update_id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(i)
        .where(i.c.update_id.in_(stale.scalar_subquery()))
        .values(received=bindparam("now"))
        .returning(i.c.update_id, i.c.payload)
    )


class SqlInbox:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        self._take_over = Query.compile(_take_over(), db.dialect)

    async def hand_on_all(self) -> None:
        """For a backend whose process is the only one on the database (SQLite), at open:
        every update still here was accepted by a process that is gone, so the next sweep
        takes it at once instead of after its lease."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE inbox SET received = 0")

    async def accept(
        self, update_id: int, user_id: int | None, payload: str, at: datetime
    ) -> bool:
        """Records an update as it arrives; False when it is here already (re-delivered)."""
        async with self._db.transaction() as conn:
            return (
                await conn.execute(
                    "INSERT INTO inbox (update_id, user_id, received, payload) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, user_id, stamp(at), payload),
                )
                > 0
            )

    async def done(self, update_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))

    async def touch(self, update_id: int, at: datetime) -> None:
        """Its handling begins: the lease counts from here."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE inbox SET received = ? WHERE update_id = ?", (stamp(at), update_id)
            )

    async def earlier(self, user_id: int, update_id: int) -> list[int]:
        """The user's updates before this one still waiting to be handled, oldest first."""
        rows = await self._db.reads.fetchall(
            "SELECT update_id FROM inbox WHERE user_id = ? AND update_id < ? ORDER BY update_id",
            (user_id, update_id),
        )
        return [int(r["update_id"]) for r in rows]

    async def orphans(
        self, received_before: datetime, now: datetime, limit: int
    ) -> list[tuple[int, str]]:
        """Takes over updates accepted before `received_before` and still not handled
        (their process died, or is far too slow): each is marked received `now`, so it
        is handed to one taker at a time; returns (update id, payload), oldest first."""
        args = self._take_over.args(now=stamp(now), before=stamp(received_before), limit=limit)
        async with self._db.transaction() as conn:
            rows = await conn.fetchall(self._take_over.sql, args)
        return sorted((int(r["update_id"]), str(r["payload"])) for r in rows)
