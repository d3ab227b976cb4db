"""Sends the reminders that are due, a batch at a time, straight from the database.

The lead's wiring calls `ReminderTicker.tick()` every ~10 s (PTB JobQueue
`run_repeating`). There is no job per user: each tick reads the due rows through
the `next_due` index in batches of `batch_size`, so memory and start-up do not
grow with the number of users, and a restart needs nothing rebuilt.

Delivery is AT MOST ONCE, by claiming before sending. For each ping, in this
order:

1. wait for a rate-limit token (nothing is recorded yet: a crash here loses nothing);
2. `store.mark_sent` advances `next_due` past the slot and sets `in_flight`, in one
   committed transaction, and only if the row is still due at the value read;
3. call `send`;
4. `store.settle` clears `in_flight` (or the outcome pauses / releases the row).

A crash after 2 and before 3 completes loses that ping (it is "in flight"), and
a crash anywhere can never send one twice, because the row no longer looks due
once claimed. The alternative, marking "in flight" and advancing only after the
send, would have to choose after a crash between re-sending (a duplicate when
the send had gone through) and dropping (the same loss as here, for more
writes), so the claim comes first. At most `max_in_flight` pings are between 2
and 4 at once; that is the bound on what a crash can lose. Rows left with
`in_flight` set are counted and cleared on the first tick after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Literal

from aiolimiter import AsyncLimiter

from bot.clock import Clock, utcnow
from bot.storage.ports import ReminderQueue, ReminderRow
from flows.schedule import catch_up

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
    lost_in_crash: int = 0  # in_flight markers found from before a restart
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
    ) -> None:
        """`rate_per_s` paces sends (None: unlimited, e.g. when PTB's AIORateLimiter does it).

        `burst_s` seconds' worth of tokens may go at once; a small bucket keeps
        the long-run rate exact without bursting past Telegram's limit.
        `max_in_flight` sends run concurrently: needed to reach 30/s when each
        send takes a network round trip, and the most a crash can lose.
        `budget_s` bounds one tick's wall time (claims stop, in-flight sends
        finish): set it a little under the run_repeating interval so a backlog
        paced at 30/s never keeps the JobQueue waiting at shutdown.
        """
        if batch_size < 1 or max_in_flight < 1:
            raise ValueError("batch_size and max_in_flight must be positive")
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
                report.lost_in_crash = await self._store.clear_in_flight()
                self._recovered = True
                if report.lost_in_crash:
                    log.warning(
                        "%d reminder(s) were in flight at the last stop and may be lost",
                        report.lost_in_crash,
                    )
            while True:
                at = now or self._clock()
                if self._must_stop(at):
                    break
                rows = await self._store.due(at, self._batch_size)
                if not rows:
                    break
                before = report.raced + report.retry_later
                await self._run_batch(rows, now, report)
                if self._must_stop(at) or len(rows) < self._batch_size:
                    break
                if report.raced + report.retry_later - before == len(rows):
                    break  # nothing moved on; do not spin on the same rows
        finally:
            self._running = False
            self._idle.set()
        return report

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
                task = group.create_task(self._one(row, now, report))
                task.add_done_callback(lambda _: gate.release())

    async def _one(self, row: ReminderRow, now: datetime | None, report: TickReport) -> None:
        """One due row. The decision is taken with the time of the send (read after
        the token wait), so a ping paced late in a backlog still advances past
        every slot that passed meanwhile.
        """
        due = row.next_due
        if due is None:
            return
        decision = catch_up(row.schedule, due, now or self._clock())
        if decision.send and self._limiter is not None:
            await self._limiter.acquire()
            decision = catch_up(row.schedule, due, now or self._clock())
        at = now or self._clock()
        if not decision.send or decision.slot is None:
            if await self._store.advance(row.user_id, due, decision.next_due):
                report.held_back += 1
            else:
                report.raced += 1
            return
        if self._must_stop(at):
            report.retry_later += 1  # a 429, a shutdown or the budget came: leave it due
            return
        if self._is_busy is not None and await self._is_busy(row.user_id):
            if await self._store.defer(row.user_id, due, at + self._busy_defer):
                report.busy += 1
            else:
                report.raced += 1
            return
        slot = decision.slot
        if not await self._store.mark_sent(row.user_id, due, decision.next_due, slot):
            report.raced += 1
            return
        kind: Kind = "snoozed" if row.snoozed and slot == due else "scheduled"
        if decision.catch_up and kind != "snoozed":
            kind = "catch_up"
        info = ReminderInfo(row.user_id, slot, kind, decision.next_due, row.schedule.tz)
        try:
            outcome = await self._send(row.user_id, info)
        except Exception:
            log.exception("reminder send to user %d raised", row.user_id)
            outcome = SendOutcome.FAILED
        await self._settle(row, decision.next_due, slot, outcome, now, report)

    async def _settle(
        self,
        row: ReminderRow,
        claimed: datetime | None,
        slot: datetime,
        outcome: SendOutcome,
        now: datetime | None,
        report: TickReport,
    ) -> None:
        if outcome.kind == "ok":
            await self._store.settle(row.user_id, slot, now or self._clock())
            report.sent += 1
        elif outcome.kind == "silent":
            await self._store.settle(row.user_id, slot, None)
            report.silent += 1
        elif outcome.kind == "blocked":
            # the send already told the conversation, which paused the schedule
            await self._store.settle(row.user_id, slot, None)
            report.blocked += 1
        elif outcome.kind == "retry_after":
            assert row.next_due is not None
            await self._store.release(row.user_id, claimed, row.next_due, row.snoozed_until)
            until = (now or self._clock()) + timedelta(seconds=outcome.retry_after)
            if self._hold_until is None or until > self._hold_until:
                self._hold_until = until
            log.warning(
                "Telegram asked to retry after %.0f s; reminders held", outcome.retry_after
            )
            report.retry_later += 1
        else:
            log.warning("reminder send to user %d failed; slot given up", row.user_id)
            await self._store.settle(row.user_id, slot, None)
            report.failed += 1
