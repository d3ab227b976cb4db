"""The reminders table: the source of truth for every user's schedule.

One row per user; `next_due` (unix seconds, NULL when nothing is due: paused)
is the only column the ticker searches, through a partial index, so finding
what is due costs the same with 100 users or 100,000, and nothing is held in
memory per user.

Every write is its own short transaction, committed before the method
returns. Give this store its own aiosqlite connection (or make sure no other
coroutine keeps a transaction open on a shared one across an `await`): a
commit here would otherwise commit someone else's half-done transaction.

`snoozed_until` marks a `next_due` that is not a schedule slot (a snooze or a
deferral because the user was busy); `in_flight` holds the slot of a ping
that was claimed (recorded as sent) but whose send has not been settled. A
value left there after a crash names a ping that may have been lost; it is
never re-sent (see bot/reminder_tick.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any, Final

import aiosqlite

from flows.safety import Pause
from flows.schedule import Schedule, next_due

PAUSE_REASONS: Final = frozenset(p.value for p in Pause)

SCHEMA: list[str] = [
    """
    CREATE TABLE reminders (
        user_id INTEGER PRIMARY KEY,
        tz TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('every', 'fixed')),
        every_hours INTEGER NOT NULL DEFAULT 3,
        start TEXT NOT NULL DEFAULT '08:00',
        "end" TEXT NOT NULL DEFAULT '21:00',
        fixed_times TEXT NOT NULL DEFAULT '',
        paused INTEGER NOT NULL DEFAULT 0,
        paused_reason TEXT,
        next_due INTEGER,
        snoozed_until INTEGER,
        last_sent INTEGER,
        in_flight INTEGER
    )
    """,
    "CREATE INDEX reminders_next_due ON reminders (next_due) WHERE next_due IS NOT NULL",
]

_COLUMNS = (
    'user_id, tz, mode, every_hours, start, "end", fixed_times, paused, paused_reason, '
    "next_due, snoozed_until, last_sent, in_flight"
)


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """A stored reminder; datetimes are UTC-aware, None where the column is NULL."""

    user_id: int
    schedule: Schedule
    paused_reason: str | None
    next_due: datetime | None
    snoozed_until: datetime | None
    last_sent: datetime | None
    in_flight: datetime | None

    @property
    def snoozed(self) -> bool:
        """True when the pending ping is a snooze or deferral, not a schedule slot."""
        return self.snoozed_until is not None and self.snoozed_until == self.next_due


def _ts(at: datetime | None) -> int | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(at.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _row(r: Any) -> ReminderRow:
    fixed = tuple(time.fromisoformat(t) for t in r[6].split(",") if t)
    schedule = Schedule(
        tz=r[1],
        mode=r[2],
        every_hours=r[3],
        start=time.fromisoformat(r[4]),
        end=time.fromisoformat(r[5]),
        fixed_times=fixed,
        paused=bool(r[7]),
    )
    return ReminderRow(r[0], schedule, r[8], _dt(r[9]), _dt(r[10]), _dt(r[11]), _dt(r[12]))


class ReminderStore:
    """Reads and writes the reminders table; every method is one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialises this store's transactions: each one commits or rolls back whole."""
        async with self._lock:
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    async def _update(self, sql: str, params: Iterable[Any]) -> int:
        async with self._tx() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return cursor.rowcount

    # --- user-facing operations -------------------------------------------------

    async def get(self, user_id: int) -> ReminderRow | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM reminders WHERE user_id = ?", (user_id,)
        ) as cursor:
            found = await cursor.fetchone()
        return None if found is None else _row(found)

    async def put(
        self,
        user_id: int,
        schedule: Schedule,
        now: datetime,
        paused_reason: str | None = None,
    ) -> datetime | None:
        """Saves a (new) schedule and returns its next due time.

        A changed schedule starts afresh: any snooze is dropped and the next
        due time is the first slot after `now`.
        """
        reason = (paused_reason or "user") if schedule.paused else None
        if reason is not None and reason not in PAUSE_REASONS:
            raise ValueError(f"unknown pause reason {reason!r}")
        due = next_due(schedule, now)
        await self._update(
            f"""
            INSERT INTO reminders ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,NULL,NULL,NULL)
            ON CONFLICT (user_id) DO UPDATE SET
                tz = excluded.tz, mode = excluded.mode, every_hours = excluded.every_hours,
                start = excluded.start, "end" = excluded."end",
                fixed_times = excluded.fixed_times, paused = excluded.paused,
                paused_reason = excluded.paused_reason, next_due = excluded.next_due,
                snoozed_until = NULL
            """,
            (
                user_id,
                schedule.tz,
                schedule.mode,
                schedule.every_hours,
                _hhmm(schedule.start),
                _hhmm(schedule.end),
                ",".join(_hhmm(t) for t in schedule.fixed_times),
                int(schedule.paused),
                reason,
                _ts(due),
            ),
        )
        return due

    async def delete(self, user_id: int) -> bool:
        """Removes every trace of the user (for /forget)."""
        return await self._update("DELETE FROM reminders WHERE user_id = ?", (user_id,)) > 0

    async def pause(self, user_id: int, reason: str) -> bool:
        """Stops pings until `resume`; nothing is due while paused."""
        if reason not in PAUSE_REASONS:
            raise ValueError(f"unknown pause reason {reason!r}")
        changed = await self._update(
            "UPDATE reminders SET paused = 1, paused_reason = ?, next_due = NULL, "
            "snoozed_until = NULL, in_flight = NULL WHERE user_id = ?",
            (reason, user_id),
        )
        return changed > 0

    async def resume(
        self, user_id: int, now: datetime, reasons: Collection[str] | None = None
    ) -> datetime | None:
        """Unpauses (only if paused for one of `reasons`, when given); returns the next due.

        Returns None when nothing was resumed. Restricting `reasons` lets a
        returning user who had blocked the bot resume, without undoing a
        pause for worsening pain that needs a PT-confirmed restart.
        """
        row = await self.get(user_id)
        if row is None or not row.schedule.paused:
            return None
        if reasons is not None and row.paused_reason not in reasons:
            return None
        due = next_due(replace(row.schedule, paused=False), now)
        changed = await self._update(
            "UPDATE reminders SET paused = 0, paused_reason = NULL, next_due = ?, "
            "snoozed_until = NULL WHERE user_id = ? AND paused = 1",
            (_ts(due), user_id),
        )
        return due if changed else None

    async def snooze(self, user_id: int, until: datetime) -> bool:
        """Moves the pending ping to `until`; it then fires once and the schedule resumes.

        A schedule slot that falls inside the snooze is merged into it, so a
        long snooze never produces two pings back to back.
        """
        changed = await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = ? "
            "WHERE user_id = ? AND paused = 0",
            (_ts(until), _ts(until), user_id),
        )
        return changed > 0

    async def skip(self, user_id: int, now: datetime) -> datetime | None:
        """Drops any pending snooze and waits for the first slot after `now`."""
        row = await self.get(user_id)
        if row is None or row.schedule.paused:
            return None
        due = next_due(row.schedule, now)
        await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = NULL "
            "WHERE user_id = ? AND paused = 0",
            (_ts(due), user_id),
        )
        return due

    # --- the ticker's operations ------------------------------------------------

    async def due(self, now: datetime, limit: int) -> list[ReminderRow]:
        """The `limit` most overdue reminders at `now`, oldest first, via the index."""
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM reminders WHERE next_due <= ? ORDER BY next_due LIMIT ?",
            (_ts(now), limit),
        ) as cursor:
            found = await cursor.fetchall()
        return [_row(r) for r in found]

    async def mark_sent(
        self,
        user_id: int,
        due: datetime,
        next_due: datetime | None,
        slot: datetime | None = None,
    ) -> bool:
        """Records the ping for `due` as sent and advances to `next_due`, atomically.

        Called BEFORE the send (a claim): it succeeds only if the row is still
        due at `due`, so two ticks, or a tick racing a user's edit, can never
        send the same ping twice. `in_flight` keeps `slot` until `settle`.
        """
        changed = await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = NULL, in_flight = ? "
            "WHERE user_id = ? AND next_due = ? AND paused = 0",
            (_ts(next_due), _ts(slot or due), user_id, _ts(due)),
        )
        return changed > 0

    async def settle(self, user_id: int, slot: datetime, sent_at: datetime | None) -> None:
        """Closes a claimed ping: delivered at `sent_at`, or failed when None."""
        await self._update(
            "UPDATE reminders SET in_flight = NULL, last_sent = coalesce(?, last_sent) "
            "WHERE user_id = ? AND in_flight = ?",
            (_ts(sent_at), user_id, _ts(slot)),
        )

    async def release(
        self,
        user_id: int,
        claimed: datetime | None,
        due: datetime,
        snoozed_until: datetime | None,
    ) -> bool:
        """Undoes `mark_sent` after a send that surely did not happen (429 retry_after).

        Only if nothing changed the row since the claim (it still points at
        `claimed`): a user's snooze or pause made meanwhile wins.
        """
        changed = await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = ?, in_flight = NULL "
            "WHERE user_id = ? AND next_due IS ? AND in_flight IS NOT NULL AND paused = 0",
            (_ts(due), _ts(snoozed_until), user_id, _ts(claimed)),
        )
        return changed > 0

    async def advance(self, user_id: int, due: datetime, next_due: datetime | None) -> bool:
        """Moves a due reminder on without sending (a catch-up that quiet hours held back)."""
        changed = await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = NULL "
            "WHERE user_id = ? AND next_due = ?",
            (_ts(next_due), user_id, _ts(due)),
        )
        return changed > 0

    async def defer(self, user_id: int, due: datetime, until: datetime) -> bool:
        """Postpones a due ping (the user is busy in a set); it fires at `until` instead."""
        changed = await self._update(
            "UPDATE reminders SET next_due = ?, snoozed_until = ? "
            "WHERE user_id = ? AND next_due = ? AND paused = 0",
            (_ts(until), _ts(until), user_id, _ts(due)),
        )
        return changed > 0

    async def clear_in_flight(self) -> int:
        """Forgets pings left in flight by a crash; returns how many may have been lost."""
        return await self._update(
            "UPDATE reminders SET in_flight = NULL WHERE in_flight IS NOT NULL", ()
        )
