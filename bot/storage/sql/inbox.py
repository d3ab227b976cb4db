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

from bot.storage.sql.conn import SqlDatabase


def _ts(at: datetime) -> int:
    return int(at.timestamp())


class SqlInbox:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    @property
    def shared(self) -> bool:
        return self._db.shared

    async def accept(
        self, update_id: int, user_id: int | None, payload: str, at: datetime
    ) -> bool:
        """Records an update as it arrives; False when it is here already (re-delivered)."""
        async with self._db.transaction() as conn:
            return (
                await conn.execute(
                    "INSERT INTO inbox (update_id, user_id, received, payload) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update_id, user_id, _ts(at), payload),
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
                "UPDATE inbox SET received = ? WHERE update_id = ?", (_ts(at), update_id)
            )

    async def earlier(self, user_id: int, update_id: int) -> list[int]:
        """The user's updates before this one still waiting to be handled, oldest first."""
        rows = await self._db.reads.fetchall(
            "SELECT update_id FROM inbox WHERE user_id = ? AND update_id < ? ORDER BY update_id",
            (user_id, update_id),
        )
        return [int(r[0]) for r in rows]

    async def orphans(
        self, received_before: datetime, now: datetime, limit: int
    ) -> list[tuple[int, str]]:
        """Takes over updates accepted before `received_before` and still not handled
        (their process died, or is far too slow): each is marked received `now`, so it
        is handed to one taker at a time; returns (update id, payload), oldest first."""
        async with self._db.transaction() as conn:
            rows = await conn.fetchall(
                "UPDATE inbox SET received = ? WHERE update_id IN ("
                "SELECT update_id FROM inbox WHERE received < ? ORDER BY update_id"
                f" LIMIT ?{self._db.skip_locked}) RETURNING update_id, payload",
                (_ts(now), _ts(received_before), limit),
            )
        return sorted((int(r[0]), str(r[1])) for r in rows)
