"""Sends the reminders that are due, a batch at a time, straight from the database.

The lead's wiring calls `ReminderTicker.tick()` every ~10 s (PTB JobQueue
`run_repeating`). There is no job per user: each tick takes the due rows through
the `next_due` index in batches of `batch_size`, so memory and start-up do not
grow with the number of users, and a restart needs nothing rebuilt.

A due row is handed to this ticker under a LEASE (`store.claim`; on PostgreSQL
`FOR UPDATE SKIP LOCKED`, so two processes claiming at once split the rows). For
each ping, in this order:

1. wait for a rate-limit token, then decide with the time of the send (one
   catch-up for every slot missed, `flows.schedule.catch_up`);
2. `store.start`: still ours and still due? `in_flight` := the slot;
3. call `send`;
4. `store.settle`: `next_due` moves on and the lease ends (a 429 gives the row
   back still due instead).

The schedule moves on only at 4. A process that dies before 3 leaves its rows due
and leased: another process (or this one restarted) takes them when the lease runs
out and sends them, once. A process that dies between 3 and 4 leaves the row with
`in_flight` set: its ping may or may not have reached Telegram, which no answer will
tell, and it is sent again when the lease runs out (counted as `after_crash`):
at least once, rather than a reminder silently lost. At most `max_in_flight` pings
are between 2 and 4 at once; that bounds what a crash can repeat. A planned stop
(`aclose`) lets them finish and repeats nothing.

The lease covers a tick's budget plus `lease` for the sends; a send renews it at 2.
Every write names this ticker as the owner, so one whose lease was taken over, or
whose row a user changed meanwhile, writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Literal

from aiolimiter import AsyncLimiter

from bot.clock import Clock, utcnow
from bot.storage.ports import ReminderQueue, ReminderRow
from flows.schedule import PingDecision, Schedule, catch_up

log = logging.getLogger(__name__)

Kind = Literal["scheduled", "catch_up", "snoozed"]


@dataclass(frozen=True, slots=True)
class ReminderInfo:
    """What the adapter needs to render one ping (Start now / Snooze / Skip)."""

    user_id: int
    slot: datetime  # the time the ping stands for, UTC
    kind: Kind  # "snoozed" also covers a ping deferred while the user was busy
    next_due: datetime | None  # the following ping, UTC, already stored
    tz: str


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What became of one send, as the adapter maps Telegram's answer.

    OK; SILENT (the conversation said no ping is right now: held, recovered, busy);
    BLOCKED (403: the user blocked the bot; the conversation pauses the reminders);
    RETRY_AFTER(seconds) (429: Telegram refused it, so it is safe to send again:
    the row stays due and the ticker holds all sends that long);
    FAILED (anything else: logged, the slot is given up, the schedule goes on).
    """

    kind: Literal["ok", "silent", "blocked", "retry_after", "failed"]
    retry_after: float = 0.0

    OK: ClassVar[SendOutcome]
    SILENT: ClassVar[SendOutcome]
    BLOCKED: ClassVar[SendOutcome]
    FAILED: ClassVar[SendOutcome]

    @classmethod
    def RETRY_AFTER(cls, seconds: float) -> SendOutcome:
        return cls("retry_after", max(0.0, float(seconds)))


SendOutcome.OK = SendOutcome("ok")
SendOutcome.SILENT = SendOutcome("silent")
SendOutcome.BLOCKED = SendOutcome("blocked")
SendOutcome.FAILED = SendOutcome("failed")

Send = Callable[[int, ReminderInfo], Awaitable[SendOutcome]]
IsBusy = Callable[[int], Awaitable[bool]]


@dataclass(slots=True)
class TickReport:
    """Counts for one tick, for logs and metrics (no user data)."""

    sent: int = 0
    silent: int = 0  # the conversation held the ping back (flows.safety)
    blocked: int = 0
    failed: int = 0
    busy: int = 0  # deferred, not lost
    held_back: int = 0  # late catch-ups not sent (quiet hours): schedule moved on
    retry_later: int = 0  # left due: a 429, a shutdown, or the tick's budget ran out
    raced: int = 0  # the row changed between reading and claiming it
    after_crash: int = 0  # sent again: a stopped process had it in flight (may repeat)
    freed: int = 0  # leases a dead process left, ended at start (one process only)
    skipped: bool = False  # another tick was running, or a retry_after hold


class ReminderTicker:
    """Turns due rows into pings; `tick` is the only entry point."""

    def __init__(
        self,
        store: ReminderQueue,
        send: Send,
        is_busy: IsBusy | None = None,
        rate_per_s: float | None = None,
        clock: Clock = utcnow,
        *,
        batch_size: int = 500,
        max_in_flight: int = 8,
        busy_defer: timedelta = timedelta(minutes=10),
        burst_s: float = 0.2,
        budget_s: float | None = None,
        lease: timedelta = timedelta(minutes=5),
        owner: str | None = None,
    ) -> None:
        """`rate_per_s` paces sends (None: unlimited, e.g. when PTB's AIORateLimiter does it).

        `burst_s` seconds' worth of tokens may go at once; a small bucket keeps
        the long-run rate exact without bursting past Telegram's limit.
        `max_in_flight` sends run concurrently: needed to reach 30/s when each
        send takes a network round trip, and the most a crash can lose.
        `budget_s` bounds one tick's wall time (claims stop, in-flight sends
        finish): set it a little under the run_repeating interval so a backlog
        paced at 30/s never keeps the JobQueue waiting at shutdown.
        `lease` is how long a send may take before another process may take the row
        over: far longer than a send with its retries, and how late a ping of a
        process that died comes. `owner` names this ticker in the table (default:
        random, so a restarted process never mistakes a dead one's leases for its own).
        """
        if batch_size < 1 or max_in_flight < 1:
            raise ValueError("batch_size and max_in_flight must be positive")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self._store = store
        self._send = send
        self._is_busy = is_busy
        self._clock = clock
        self._batch_size = batch_size
        self._max_in_flight = max_in_flight
        self._busy_defer = busy_defer
        self._limiter: AsyncLimiter | None = None
        if rate_per_s is not None:
            if rate_per_s <= 0:
                raise ValueError("rate_per_s must be positive or None")
            burst = max(1.0, rate_per_s * burst_s)
            self._limiter = AsyncLimiter(burst, burst / rate_per_s)
        self._hold_until: datetime | None = None
        self._running = False
        self._recovered = False
        self._closing = False
        self._budget_s = budget_s
        self._lease = lease
        self.owner = owner or uuid.uuid4().hex
        self._deadline: float | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def aclose(self) -> None:
        """Stops claiming new pings and waits for the running tick to settle.

        Call it at shutdown before closing the database: a planned stop then
        loses nothing, not even the pings in flight. Later ticks do nothing.
        """
        self._closing = True
        await self._idle.wait()

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Sends everything due at `now` (default: the clock, read per batch).

        Overlapping calls return at once (skipped), so a slow tick under the
        rate limit is never doubled by the scheduler.
        """
        report = TickReport()
        if self._running or self._closing or self._holding(now or self._clock()):
            report.skipped = True
            return report
        self._running = True
        self._idle.clear()
        loop = asyncio.get_running_loop()
        self._deadline = None if self._budget_s is None else loop.time() + self._budget_s
        try:
            if not self._recovered:
                report.freed = await self._store.recover()
                self._recovered = True
                if report.freed:
                    log.warning("%d reminder claim(s) left by the last stop freed", report.freed)
            while True:
                at = now or self._clock()
                if self._must_stop(at):
                    break
                rows = await self._store.claim(at, self._batch_size, self.owner, self._until(at))
                if not rows:
                    break
                before = report.raced + report.retry_later
                try:
                    await self._run_batch(rows, now, report)
                finally:  # the rows not reached go back at once, not when the lease ends
                    await self._store.release(self.owner)
                if self._must_stop(at) or len(rows) < self._batch_size:
                    break
                if report.raced + report.retry_later - before == len(rows):
                    break  # nothing moved on; do not spin on the same rows
        finally:
            self._running = False
            self._idle.set()
        return report

    def _until(self, at: datetime) -> datetime:
        """A batch's lease: the tick's remaining budget, then time for the last sends."""
        return at + timedelta(seconds=self._budget_s or 0.0) + self._lease

    def _holding(self, at: datetime) -> bool:
        return self._hold_until is not None and at < self._hold_until

    def _must_stop(self, at: datetime) -> bool:
        """No new claims: shutting down, a 429 hold, or this tick's time is up."""
        if self._closing or self._holding(at):
            return True
        return self._deadline is not None and asyncio.get_running_loop().time() > self._deadline

    async def _run_batch(
        self, rows: list[ReminderRow], now: datetime | None, report: TickReport
    ) -> None:
        """Runs up to `max_in_flight` rows at once; stops early on a hold or a close.

        Tasks are created only as slots free up, so a close or a 429 takes
        effect after at most `max_in_flight` more token waits, not a batch's worth.
        """
        gate = asyncio.Semaphore(self._max_in_flight)
        async with asyncio.TaskGroup() as group:
            for row in rows:
                await gate.acquire()
                if self._must_stop(now or self._clock()):
                    gate.release()
                    break
                task = group.create_task(self._guarded(row, now, report))
                task.add_done_callback(lambda _: gate.release())

    async def _guarded(self, row: ReminderRow, now: datetime | None, report: TickReport) -> None:
        """One row's database error stays that row's: it must not cancel the other sends
        in flight (their rows would then look crashed and go out again). The row keeps
        its lease, and goes out once more only when the lease runs out."""
        try:
            await self._one(row, now, report)
        except Exception:
            log.exception(
                "reminder for user %d: the database failed; left to its lease", row.user_id
            )
            report.failed += 1

    async def _one(self, row: ReminderRow, now: datetime | None, report: TickReport) -> None:
        """One due row: decided, then held back, left for later, deferred or sent."""
        due = row.next_due
        if due is None:
            return
        decision = await self._decide(row.schedule, due, now)
        at = now or self._clock()
        if not decision.send or decision.slot is None:
            await self._hold_back(row, decision.next_due, report)
        elif self._must_stop(at):
            report.retry_later += 1  # a 429, a shutdown or the budget came: it goes back due
        elif not await self._deferred(row, at, report):
            await self._ping(row, due, decision, at, now, report)

    async def _decide(
        self, schedule: Schedule, due: datetime, now: datetime | None
    ) -> PingDecision:
        """The decision is taken with the time of the send (read after the token wait),
        so a ping paced late in a backlog still advances past every slot that passed."""
        decision = catch_up(schedule, due, now or self._clock())
        if decision.send and self._limiter is not None:
            await self._limiter.acquire()
            decision = catch_up(schedule, due, now or self._clock())
        return decision

    async def _hold_back(
        self, row: ReminderRow, next_due: datetime | None, report: TickReport
    ) -> None:
        """No ping for this slot (a late catch-up in quiet hours): the schedule moves on."""
        if await self._store.settle(row.user_id, self.owner, next_due, None):
            report.held_back += 1
        else:
            report.raced += 1

    async def _deferred(self, row: ReminderRow, at: datetime, report: TickReport) -> bool:
        """True when the user is busy in a set: the ping comes `busy_defer` later."""
        if self._is_busy is None or not await self._is_busy(row.user_id):
            return False
        if await self._store.defer(row.user_id, self.owner, at + self._busy_defer):
            report.busy += 1
        else:
            report.raced += 1
        return True

    async def _ping(
        self,
        row: ReminderRow,
        due: datetime,
        decision: PingDecision,
        at: datetime,
        now: datetime | None,
        report: TickReport,
    ) -> None:
        """Marked in flight (still ours, still due?), sent, settled."""
        slot = decision.slot
        assert slot is not None
        if not await self._store.start(row.user_id, self.owner, due, slot, at + self._lease):
            report.raced += 1
            return
        if row.in_flight is not None:
            report.after_crash += 1
            log.warning("a reminder a stopped process had in flight is sent again")
        kind: Kind = "snoozed" if row.snoozed and slot == due else "scheduled"
        if decision.catch_up and kind != "snoozed":
            kind = "catch_up"
        info = ReminderInfo(row.user_id, slot, kind, decision.next_due, row.schedule.tz)
        try:
            outcome = await self._send(row.user_id, info)
        except Exception:
            log.exception("reminder send to user %d raised", row.user_id)
            outcome = SendOutcome.FAILED
        await self._settle(row, decision.next_due, outcome, now, report)

    async def _settle(
        self,
        row: ReminderRow,
        next_due: datetime | None,
        outcome: SendOutcome,
        now: datetime | None,
        report: TickReport,
    ) -> None:
        """What the send's outcome does to the row. A row a user changed during the send
        (a pause on 403, a snooze, a new schedule) is no longer ours: nothing is written
        and the user's change stands."""
        user_id = row.user_id
        if outcome.kind == "retry_after":
            await self._store.release(self.owner, user_id)  # refused: still due, as it was
            until = (now or self._clock()) + timedelta(seconds=outcome.retry_after)
            if self._hold_until is None or until > self._hold_until:
                self._hold_until = until
            log.warning(
                "Telegram asked to retry after %.0f s; reminders held", outcome.retry_after
            )
            report.retry_later += 1
            return
        sent_at = (now or self._clock()) if outcome.kind == "ok" else None
        await self._store.settle(user_id, self.owner, next_due, sent_at)
        if outcome.kind == "ok":
            report.sent += 1
        elif outcome.kind == "silent":
            report.silent += 1
        elif outcome.kind == "blocked":
            report.blocked += 1  # the send told the conversation, which paused the schedule
        else:
            log.warning("reminder send to user %d failed; slot given up", user_id)
            report.failed += 1
