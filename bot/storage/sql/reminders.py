"""The reminders table: the ticker's own state, one row per user with reminders.

A user's schedule is kept in one place, their session (flows.session.ReminderPrefs, in
the users table). Whenever a schedule is needed here (to decide a due row, quiet hours,
a pause, the next due time after a ping) it is derived from the stored session by
flows.remind.schedule_of, which keeps flows.safety's pause too; this table holds only
what the ticker alone knows. `next_due` (unix seconds, NULL when nothing is due:
paused) is the only column the ticker searches, through a partial index, so finding
what is due costs the same with 100 users or 100,000, and nothing is held in memory per
user; the sessions of the rows handed out are read just after the claim commits.

Two kinds of writes: a turn's changes (`apply`, inside the turn's own transaction,
after the turn's session is saved in it: `next_due` is computed from that session, and
a schedule the user saw saved is stored with the session that says so), and the
ticker's claims and settlements, each its own short transaction. A user's change
always moves `next_due` past now (or to NULL) and ends any claim on the row, so it wins
over a ping being sent.

`snoozed_until` marks a `next_due` that is not a schedule slot (a snooze or a
deferral because the user was busy). `lease_owner` / `lease_until` say which
ticker holds a due row and until when; `in_flight` holds the slot of a ping whose
send has started and not been settled. A value left there when a lease ran out
names a ping that a stopped process may have delivered (see bot/reminders/ticker.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, or_, select, update

from bot.storage.ports import ReminderRow
from bot.storage.sql import schema, sessions
from bot.storage.sql.conn import Conn, Query, Row, SqlDatabase
from bot.storage.sql.times import instant_or_none, stamp_or_none
from flows import safety
from flows.effects import ReminderChange, ReminderPause, SetSchedule
from flows.remind import schedule_of
from flows.safety import Pause
from flows.schedule import Schedule, next_due, snooze
from flows.session import Session

PAUSE_REASONS: Final = frozenset(p.value for p in Pause)
# a user's change moves `next_due` past now and ends any claim on the row: the ticker
# holding it then writes nothing, and the user's change stands
_NO_LEASE: Final = "lease_owner = NULL, lease_until = NULL"
_ENDS_LEASE: Final = f"in_flight = NULL, {_NO_LEASE}"
_ENDS_CLAIM: Final = f"snoozed_until = NULL, {_ENDS_LEASE}"
# a row whose user has no stored session (none is left by a turn or /forget): nothing due
_NO_SESSION: Final = Schedule("UTC", paused=True)

_NAMES = ("user_id", "next_due", "snoozed_until", "last_sent", "in_flight")
_COLUMNS = ", ".join(_NAMES)


def _schedule(session: Session | None) -> tuple[Schedule, str | None]:
    """The schedule the session says, and why it is paused (None: it runs)."""
    if session is None:
        return _NO_SESSION, None
    pause = safety.reminder_pause(session)
    return schedule_of(session), pause.value if pause else None


def _row(r: Row, session: Session | None) -> ReminderRow:
    schedule, paused_reason = _schedule(session)
    return ReminderRow(
        r["user_id"],
        schedule,
        paused_reason,
        instant_or_none(r["next_due"]),
        instant_or_none(r["snoozed_until"]),
        instant_or_none(r["last_sent"]),
        instant_or_none(r["in_flight"]),
    )


async def _rows(conn: Conn, found: Sequence[Row]) -> list[ReminderRow]:
    """The rows with the schedules their users' stored sessions say."""
    stored = await sessions.of_users(conn, [int(r["user_id"]) for r in found])
    return [_row(r, stored.get(int(r["user_id"]))) for r in found]


def _claim() -> Any:
    """Hands out the most overdue rows nobody holds. Where several processes claim at
    once (PostgreSQL) the inner SELECT locks the rows it picks and passes over those
    another transaction holds (FOR UPDATE SKIP LOCKED); SQLite's dialect writes no
    such clause: one writer at a time, the UPDATE is already the claim."""
    r = schema.reminders
    now = bindparam("now", type_=schema.INT)
    due = (
        select(r.c.user_id)
        .where(
            r.c.next_due <= now,
            or_(r.c.lease_until.is_(None), r.c.lease_until <= now),
        )
        .order_by(r.c.next_due)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(r)
        .where(r.c.user_id.in_(due.scalar_subquery()))
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(*[r.c[name] for name in _NAMES])
    )


async def _execute(conn: Conn, sql: str, params: Iterable[Any]) -> int:
    return await conn.execute(sql, tuple(params))


async def _get(conn: Conn, user_id: int) -> ReminderRow | None:
    found = await conn.fetchone(f"SELECT {_COLUMNS} FROM reminders WHERE user_id = ?", (user_id,))
    return None if found is None else (await _rows(conn, [found]))[0]


# --- a user's changes (inside the caller's transaction) ----------------------------


async def put(conn: Conn, user_id: int, now: datetime) -> datetime | None:
    """Starts the schedule the user's stored session says afresh; returns its next due.

    A changed schedule drops any snooze, and the next due time is the first slot after
    `now` (None while the session says the reminders are paused).
    """
    row = await sessions.of_users(conn, [user_id])
    due = next_due(_schedule(row.get(user_id))[0], now)
    await _execute(
        conn,
        f"""
        INSERT INTO reminders ({_COLUMNS}) VALUES (?, ?, NULL, NULL, NULL)
        ON CONFLICT (user_id) DO UPDATE SET next_due = excluded.next_due, {_ENDS_CLAIM}
        """,
        (user_id, stamp_or_none(due)),
    )
    return due


async def pause(conn: Conn, user_id: int, reason: str) -> bool:
    """Stops pings until `resume`: nothing is due while paused (why is the session's to
    say, flows.safety.reminder_pause)."""
    if reason not in PAUSE_REASONS:
        raise ValueError(f"unknown pause reason {reason!r}")
    changed = await _execute(
        conn,
        f"UPDATE reminders SET next_due = NULL, {_ENDS_CLAIM} WHERE user_id = ?",
        (user_id,),
    )
    return changed > 0


async def resume(
    conn: Conn,
    user_id: int,
    now: datetime,
    reasons: Collection[str] | None = None,
) -> datetime | None:
    """Gives a paused row (nothing due) its next slot again; only when the session's
    pause is one of `reasons`, when given. Returns the next due, None when nothing was
    resumed."""
    row = await _get(conn, user_id)
    if row is None or row.next_due is not None:
        return None
    if reasons is not None and row.paused_reason not in reasons:
        return None
    due = next_due(replace(row.schedule, paused=False), now)
    changed = await _execute(
        conn,
        f"UPDATE reminders SET next_due = ?, {_ENDS_CLAIM} WHERE user_id = ? AND next_due IS NULL",
        (stamp_or_none(due), user_id),
    )
    return due if changed else None


async def snooze_until(conn: Conn, user_id: int, until: datetime) -> bool:
    """Moves the pending ping to `until`; it then fires once and the schedule resumes.

    A schedule slot that falls inside the snooze is merged into it, so a long
    snooze never produces two pings back to back. A paused row has nothing to move.
    """
    changed = await _execute(
        conn,
        f"UPDATE reminders SET next_due = ?, snoozed_until = ?, {_ENDS_LEASE} "
        "WHERE user_id = ? AND next_due IS NOT NULL",
        (stamp_or_none(until), stamp_or_none(until), user_id),
    )
    return changed > 0


async def skip(conn: Conn, user_id: int, now: datetime) -> datetime | None:
    """Drops any pending snooze and waits for the first slot after `now`."""
    row = await _get(conn, user_id)
    if row is None or row.next_due is None or row.schedule.paused:
        return None
    due = next_due(row.schedule, now)
    await _execute(
        conn,
        f"UPDATE reminders SET next_due = ?, {_ENDS_CLAIM} "
        "WHERE user_id = ? AND next_due IS NOT NULL",
        (stamp_or_none(due), user_id),
    )
    return due


async def apply(conn: Conn, user_id: int, change: ReminderChange, now: datetime) -> None:
    """One reminder change a turn produced, in that turn's transaction, after its session
    was saved: the schedule and its pause are that session's (flows.remind.schedule_of),
    so a schedule change never lifts a hold flows.safety says the session keeps.
    """
    if isinstance(change, SetSchedule):
        await put(conn, user_id, now)
    elif isinstance(change, ReminderPause):
        if change.reason is None:
            await resume(conn, user_id, now)  # every pause lifts: the user is talking to us
        else:
            await pause(conn, user_id, change.reason)
    elif change.action == "snooze":
        await snooze_until(conn, user_id, snooze(now))
    elif change.action == "skip":
        await skip(conn, user_id, now)


class SqlReminders:
    """The reminders table; each method one transaction.

    `sole`: this process is the only one writing the database (SQLite), decided by the
    backend that builds the store: every lease found at start is then a dead process's.
    """

    def __init__(self, db: SqlDatabase, sole: bool) -> None:
        self._db = db
        self._sole = sole
        self._claim = Query.compile(_claim(), db.dialect)

    async def _update(self, sql: str, params: Iterable[Any]) -> int:
        async with self._db.transaction() as conn:
            return await _execute(conn, sql, params)

    # --- a user's changes, each on its own (the coach applies them with its turn) --

    async def get(self, user_id: int) -> ReminderRow | None:
        return await _get(self._db.reads, user_id)

    async def put(self, user_id: int, now: datetime) -> datetime | None:
        async with self._db.transaction() as conn:
            return await put(conn, user_id, now)

    async def pause(self, user_id: int, reason: str) -> bool:
        async with self._db.transaction() as conn:
            return await pause(conn, user_id, reason)

    async def resume(
        self, user_id: int, now: datetime, reasons: Collection[str] | None = None
    ) -> datetime | None:
        async with self._db.transaction() as conn:
            return await resume(conn, user_id, now, reasons)

    async def snooze(self, user_id: int, until: datetime) -> bool:
        async with self._db.transaction() as conn:
            return await snooze_until(conn, user_id, until)

    async def skip(self, user_id: int, now: datetime) -> datetime | None:
        async with self._db.transaction() as conn:
            return await skip(conn, user_id, now)

    async def delete(self, user_id: int) -> bool:
        return await self._update("DELETE FROM reminders WHERE user_id = ?", (user_id,)) > 0

    # --- the ticker's operations ------------------------------------------------
    # A due row is handed to one ticker at a time under a lease (`lease_owner` until
    # `lease_until`). The row's `next_due` moves on only when the ping is settled, so a
    # ticker that dies before that leaves the row due: it is handed out again when the
    # lease ends. Every write below names its owner, so a ticker whose lease was taken
    # over, or whose row a user changed meanwhile (which ends any lease), writes nothing.

    async def due(self, now: datetime, limit: int) -> list[ReminderRow]:
        """What is due at `now`, oldest first, held or not (a look, for tools and tests;
        the ticker takes rows with `claim`)."""
        found = await self._db.reads.fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE next_due <= ? ORDER BY next_due LIMIT ?",
            (stamp_or_none(now), limit),
        )
        return await _rows(self._db.reads, found)

    async def claim(
        self, now: datetime, limit: int, owner: str, lease_until: datetime
    ) -> list[ReminderRow]:
        """Hands `owner` the `limit` most overdue rows at `now` that nobody holds, oldest
        first; on PostgreSQL rows another process is claiming are passed over, not waited for.
        """
        args = self._claim.args(
            owner=owner, until=stamp_or_none(lease_until), now=stamp_or_none(now), limit=limit
        )
        async with self._db.transaction() as conn:
            found = await conn.fetchall(self._claim.sql, args)
        # the schedules are read after the claim, not inside it: SQLite has one writer, and
        # a claim every tick that also read sessions kept others' writes waiting. A user's
        # change in between moves next_due and ends the claim, so `start` refuses the row
        rows = await _rows(self._db.reads, found)
        return sorted(rows, key=lambda r: (r.next_due or now, r.user_id))

    async def start(
        self, user_id: int, owner: str, due: datetime, slot: datetime, lease_until: datetime
    ) -> bool:
        """Right before the send: still ours, still due at `due`? Marks `slot` in flight and
        renews the lease for the send."""
        changed = await self._update(
            "UPDATE reminders SET in_flight = ?, lease_until = ? "
            "WHERE user_id = ? AND lease_owner = ? AND next_due = ?",
            (stamp_or_none(slot), stamp_or_none(lease_until), user_id, owner, stamp_or_none(due)),
        )
        return changed > 0

    async def settle(
        self, user_id: int, owner: str, next_due: datetime | None, sent_at: datetime | None
    ) -> bool:
        """The slot is done with (sent at `sent_at`, or given up when None): the schedule
        moves on to `next_due` and the lease ends."""
        changed = await self._update(
            f"UPDATE reminders SET next_due = ?, {_ENDS_CLAIM}, "
            "last_sent = coalesce(?, last_sent) WHERE user_id = ? AND lease_owner = ?",
            (stamp_or_none(next_due), stamp_or_none(sent_at), user_id, owner),
        )
        return changed > 0

    async def defer(self, user_id: int, owner: str, until: datetime) -> bool:
        """Postpones a due ping (the user is busy in a set); it fires at `until` instead."""
        changed = await self._update(
            f"UPDATE reminders SET next_due = ?, snoozed_until = ?, {_NO_LEASE} "
            "WHERE user_id = ? AND lease_owner = ? AND next_due IS NOT NULL",
            (stamp_or_none(until), stamp_or_none(until), user_id, owner),
        )
        return changed > 0

    async def release(self, owner: str, user_id: int | None = None) -> int:
        """Gives rows back still due: one whose send surely did not happen (a 429), or,
        with no `user_id`, every row `owner` claimed and did not start (a started one
        may have reached Telegram: it waits for its lease, not for the next tick)."""
        if user_id is not None:
            return await self._update(
                f"UPDATE reminders SET {_ENDS_LEASE} WHERE user_id = ? AND lease_owner = ?",
                (user_id, owner),
            )
        return await self._update(  # a row whose send started waits for its lease
            f"UPDATE reminders SET {_NO_LEASE} WHERE lease_owner = ? AND in_flight IS NULL",
            (owner,),
        )

    async def recover(self) -> int:
        """At start, on a database no other process writes: every lease is a dead
        process's, so it ends now instead of when it runs out. On a shared database the
        leases run out on their own (another holder may be alive). Returns how many."""
        if not self._sole:
            return 0
        return await self._update(
            f"UPDATE reminders SET {_NO_LEASE} WHERE lease_owner IS NOT NULL",
            (),
        )
