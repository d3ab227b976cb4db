"""The reminder ticker against a real SQLite file, with a hand-driven clock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.reminders import ticker as reminder_tick
from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
from bot.storage.ports import Turn
from bot.storage.sql.conversation import SqlConversations
from bot.storage.sql.reminders import SqlReminders
from bot.storage.sqlite.database import Database
from flows.model import RemindMode
from flows.schedule import Schedule, snooze
from flows.session import Hold, SafetyRecord, Session
from tests import dbkit
from tests.conftest import Clock

EVERY3 = Schedule("UTC")  # 08:00, 11:00, 14:00, 17:00, 20:00


def at(h: int, m: int = 0, s: int = 0, day: int = 3) -> datetime:
    """A time (UTC) of June 2024: Berlin on summer time (UTC+2), as the fixed times'
    tests need; the 3rd is a Monday."""
    return datetime(2024, 6, day, h, m, s, tzinfo=UTC)


START = at(7)  # the Monday, before the 08:00 slot


class Inbox:
    """A fake send target: records what each user received, answers as told."""

    def __init__(self) -> None:
        self.received: Counter[int] = Counter()
        self.calls: Counter[int] = Counter()
        self.infos: list[ReminderInfo] = []
        self.answers: dict[int, list[SendOutcome]] = {}
        self.hook: Callable[[int], Awaitable[None]] | None = None
        self._called = asyncio.Event()

    async def wait_calls(self, count: int) -> None:
        """Waits until `count` sends have started: no guessed sleeps (30 s: a hang guard)."""
        async with asyncio.timeout(30):
            while sum(self.calls.values()) < count:
                self._called.clear()
                await self._called.wait()

    async def __call__(self, user_id: int, info: ReminderInfo) -> SendOutcome:
        self.calls[user_id] += 1
        self._called.set()
        if self.hook is not None:
            await self.hook(user_id)
        queued = self.answers.get(user_id)
        outcome = queued.pop(0) if queued else SendOutcome.OK
        if outcome is SendOutcome.OK:
            self.received[user_id] += 1
            self.infos.append(info)
        return outcome


class Store(SqlReminders):
    """The reminders table beside the users' sessions, where each schedule is kept: a test
    stores a user's choices (or why they are paused) in the session, as a turn does."""

    def __init__(self, database: Database) -> None:
        super().__init__(database, sole=True)
        self.conversations = SqlConversations(database)

    async def keep(self, uid: int, session: Session) -> None:
        await self.conversations.commit(Turn(user_id=uid, chat_id=uid, session=session, now=START))

    async def choose(self, uid: int, schedule: Schedule, now: datetime) -> datetime | None:
        """The user chose `schedule`: in the session, and the row starts afresh from it."""
        await self.keep(uid, dbkit.chosen(schedule))
        return await self.put(uid, now)


def held(schedule: Schedule, **safety: Any) -> Session:
    """A session with `schedule` chosen, and held as flows.safety reads `safety`."""
    return dbkit.chosen(schedule, Session(safety=SafetyRecord(**safety)))


DB = tuple[Path, Store]


async def open_store(path: Path) -> tuple[Database, Store]:
    database = await Database.open(path)
    return database, Store(database)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[DB]:
    path = tmp_path / "reminders.sqlite3"
    database, store = await open_store(path)
    yield path, store
    await database.close()


async def add_users(store: Store, ids: range, schedule: Schedule = EVERY3) -> None:
    for uid in ids:
        await store.choose(uid, schedule, START)


def ticker(store: Store, inbox: Inbox, clock: Clock, **kwargs: Any) -> ReminderTicker:
    return ReminderTicker(store, inbox, clock=clock, **kwargs)


# --- the basics -----------------------------------------------------------------


async def test_due_pings_are_sent_once_and_the_schedule_moves_on(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 4))
    clock, inbox = Clock(START), Inbox()
    t = ticker(store, inbox, clock)

    assert (await t.tick(at(7, 59, 59))).sent == 0
    clock.now = at(8, 0, 5)
    report = await t.tick(clock.now)
    assert report.sent == 3
    assert inbox.received == {1: 1, 2: 1, 3: 1}
    assert {i.kind for i in inbox.infos} == {"scheduled"}
    assert {i.slot for i in inbox.infos} == {at(8)}
    assert (await t.tick(at(8, 0, 15))).sent == 0
    assert sum(inbox.calls.values()) == 3

    row = await store.get(1)
    assert row is not None
    assert (row.next_due, row.last_sent, row.in_flight) == (at(11), at(8, 0, 5), None)


async def test_batches_cover_every_due_row_in_one_tick(db: DB) -> None:
    _, store = db
    await add_users(store, range(1, 12))
    inbox = Inbox()
    report = await ticker(store, inbox, Clock(at(8)), batch_size=2, max_in_flight=3).tick(at(8))
    assert report.sent == 11 and inbox.received == dict.fromkeys(range(1, 12), 1)


async def test_due_query_uses_the_index(db: DB) -> None:
    path, _ = db
    async with (
        aiosqlite.connect(path) as conn,
        conn.execute(  # the claim's search, leases and all
            "EXPLAIN QUERY PLAN SELECT user_id FROM reminders WHERE next_due <= 1"
            " AND (lease_until IS NULL OR lease_until <= 1) ORDER BY next_due LIMIT 5"
        ) as cursor,
    ):
        plan = " ".join(str(r[-1]) for r in await cursor.fetchall())
    assert "USING INDEX reminders_next_due" in plan
    assert "TEMP B-TREE" not in plan


async def test_restart_keeps_the_schedule(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    conn, store = await open_store(path)
    fixed = Schedule("Europe/Berlin", mode=RemindMode.FIXED, fixed_times=(time(9, 30),))
    await store.choose(7, fixed, START)
    await ticker(store, Inbox(), Clock(START)).tick(START)
    await conn.close()

    conn, store = await open_store(path)
    try:
        row = await store.get(7)
        assert row is not None and row.schedule == fixed
        assert row.next_due == at(7, 30)  # 09:30 CEST
        inbox = Inbox()
        assert (await ticker(store, inbox, Clock(at(7, 30))).tick(at(7, 30, 3))).sent == 1
    finally:
        await conn.close()


async def test_catch_up_after_a_ten_hour_outage_sends_exactly_one(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 3), Schedule("UTC", every_hours=2))
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(18, 20)))
    await t.tick(at(18, 20))  # down from before 08:00 to 18:20: 6 slots missed
    await t.tick(at(18, 20, 10))
    assert inbox.received == {1: 1, 2: 1}
    assert {(i.kind, i.slot, i.next_due) for i in inbox.infos} == {("catch_up", at(18), at(20))}


async def test_outage_into_the_night_sends_nothing_until_morning(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 2))
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(23, 30)))
    report = await t.tick(at(23, 30))
    assert report.held_back == 1 and not inbox.calls
    row = await store.get(1)
    assert row is not None and row.next_due == at(8, day=4)


async def test_each_ping_is_decided_at_its_own_send_time(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 3))  # both due 08:00; the bot comes back at 10:59:50
    clock, inbox = Clock(at(10, 59, 50)), Inbox()

    async def slow_send(user_id: int) -> None:
        clock.now = at(11, 0, 5)  # the first send takes us past the 11:00 slot

    inbox.hook = slow_send
    t = ticker(store, inbox, clock, max_in_flight=1)
    await t.tick()
    first, second = inbox.infos
    assert (first.kind, first.slot, first.next_due) == ("catch_up", at(8), at(11))
    assert (second.kind, second.slot, second.next_due) == ("catch_up", at(11), at(14))
    inbox.hook = None
    await t.tick(at(11, 0, 10))
    assert inbox.received == {first.user_id: 2, second.user_id: 1}


# --- user actions ---------------------------------------------------------------


async def test_snooze_fires_once_then_the_schedule_resumes(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 2))
    clock, inbox = Clock(at(8)), Inbox()
    t = ticker(store, inbox, clock)
    await t.tick(at(8))
    assert await store.snooze(1, snooze(at(8, 1)))  # 08:31
    await t.tick(at(8, 30, 59))
    assert inbox.received[1] == 1
    await t.tick(at(8, 31))
    assert inbox.received[1] == 2 and inbox.infos[-1].kind == "snoozed"
    row = await store.get(1)
    assert row is not None and row.next_due == at(11) and row.snoozed_until is None


async def test_skip_drops_a_snooze_and_waits_for_the_next_slot(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 2))
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)))
    await t.tick(at(8))
    await store.snooze(1, at(8, 30))
    assert await store.skip(1, at(8, 5)) == at(11)
    await t.tick(at(8, 31))
    assert inbox.received[1] == 1
    await t.tick(at(11))
    assert inbox.received[1] == 2


async def test_pause_and_resume_with_reasons(db: DB) -> None:
    _, store = db
    await add_users(store, range(1, 2))
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)))
    await store.keep(1, held(EVERY3, hold=Hold.STOP_RULE))  # the stop rule, in the session
    assert await store.pause(1, "worse")
    await t.tick(at(8))
    await t.tick(at(11))
    assert not inbox.calls
    row = await store.get(1)
    assert row is not None and row.schedule.paused and row.paused_reason == "worse"
    assert row.next_due is None
    assert not await store.snooze(1, at(12))  # paused stays paused

    assert await store.resume(1, at(12), reasons={"blocked"}) is None  # needs a PT restart
    await store.keep(1, dbkit.chosen(EVERY3))  # the PT said go on: the session's hold lifted
    assert await store.resume(1, at(12)) == at(14)
    await t.tick(at(14))
    assert inbox.received[1] == 1
    with pytest.raises(ValueError):
        await store.pause(1, "bored")


async def test_put_replaces_the_schedule_and_delete_forgets(
    db: DB,
) -> None:
    _, store = db
    await store.choose(1, EVERY3, START)
    await store.snooze(1, at(7, 30))
    fixed = Schedule("UTC", mode=RemindMode.FIXED, fixed_times=(time(19, 0),))
    assert await store.choose(1, fixed, START) == at(19)
    row = await store.get(1)
    assert row is not None and row.schedule == fixed and row.snoozed_until is None
    assert await store.choose(2, Schedule("UTC", paused=True), START) is None
    row2 = await store.get(2)
    assert row2 is not None and row2.paused_reason == "user"
    assert await store.delete(1)
    assert await store.get(1) is None
    assert not await store.delete(1)


# --- send outcomes --------------------------------------------------------------


async def test_blocked_user_is_paused_and_never_retried(db: DB) -> None:
    _, store = db
    await add_users(store, range(1, 4))
    inbox = Inbox()
    inbox.answers[2] = [SendOutcome.BLOCKED]

    async def told_the_conversation(user_id: int) -> None:
        # what the Telegram send does on a 403: the conversation pauses the pings
        if user_id == 2 and inbox.answers[2]:
            await store.keep(2, held(EVERY3, blocked=True))
            await store.pause(2, "blocked")

    inbox.hook = told_the_conversation
    t = ticker(store, inbox, Clock(at(8)))
    report = await t.tick(at(8))
    assert (report.sent, report.blocked) == (2, 1)
    for h in (11, 14, 17, 20):
        await t.tick(at(h))
    assert inbox.calls[2] == 1 and inbox.received[1] == 5
    row = await store.get(2)
    assert row is not None and row.paused_reason == "blocked" and row.next_due is None
    # The user comes back (/start): only a "blocked" pause is lifted that way.
    assert await store.resume(2, at(20, 30), reasons={"blocked"}) == at(8, day=4)


async def test_retry_after_leaves_it_due_and_holds_all_sends(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 3))
    inbox = Inbox()
    inbox.answers[1] = [SendOutcome.RETRY_AFTER(30)]
    t = ticker(store, inbox, Clock(at(8)), max_in_flight=1)
    report = await t.tick(at(8))
    assert report.retry_later >= 1 and inbox.received[1] == 0
    row = await store.get(1)
    assert row is not None and row.next_due == at(8) and row.in_flight is None

    assert (await t.tick(at(8, 0, 20))).skipped  # still inside retry_after
    assert inbox.calls[1] == 1
    await t.tick(at(8, 0, 31))
    assert inbox.received == {1: 1, 2: 1}
    assert inbox.calls[1] == 2


async def test_failed_or_raising_send_gives_up_that_slot_only(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 4))
    inbox = Inbox()
    inbox.answers[1] = [SendOutcome.FAILED]

    async def explode(user_id: int) -> None:
        if user_id == 2:
            raise RuntimeError("network down")

    inbox.hook = explode
    t = ticker(store, inbox, Clock(at(8)))
    report = await t.tick(at(8))
    assert (report.sent, report.failed) == (1, 2)
    inbox.hook = None
    await t.tick(at(8, 0, 10))
    assert sum(inbox.calls.values()) == 3  # no retry of the failed slot
    await t.tick(at(11))
    assert inbox.received == {1: 1, 2: 1, 3: 2}


async def test_busy_user_is_deferred_not_lost(db: DB) -> None:
    _, store = db
    await add_users(store, range(1, 3))
    busy = {1}

    async def is_busy(user_id: int) -> bool:
        return user_id in busy

    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)), is_busy=is_busy)
    report = await t.tick(at(8))
    assert (report.sent, report.busy) == (1, 1)
    await t.tick(at(8, 9))
    assert inbox.calls[1] == 0
    busy.clear()
    await t.tick(at(8, 10))
    assert inbox.received[1] == 1 and inbox.infos[-1].kind == "snoozed"
    row = await store.get(1)
    assert row is not None and row.next_due == at(11)


async def test_a_change_between_reading_and_claiming_wins(
    db: DB,
) -> None:
    _, store = db
    await add_users(store, range(1, 2))

    async def pauses_meanwhile(user_id: int) -> bool:
        await store.pause(user_id, "user")
        return False

    inbox = Inbox()
    report = await ticker(store, inbox, Clock(at(8)), is_busy=pauses_meanwhile).tick(at(8))
    assert report.raced == 1 and not inbox.calls


async def test_overlapping_ticks_do_not_double_send(db: DB) -> None:
    _, store = db
    await add_users(store, range(1, 6))
    gate = asyncio.Event()

    async def slow(user_id: int) -> None:
        await gate.wait()

    inbox = Inbox()
    inbox.hook = slow
    t = ticker(store, inbox, Clock(at(8)), max_in_flight=2)
    first = asyncio.create_task(t.tick(at(8)))
    await inbox.wait_calls(2)
    assert (await t.tick(at(8, 0, 10))).skipped
    gate.set()
    assert (await first).sent == 5
    assert inbox.received == dict.fromkeys(range(1, 6), 1)


class Tokens:
    """Stands for aiolimiter's AsyncLimiter: a token comes only when the test grants one."""

    def __init__(self, max_rate: float, time_period: float) -> None:
        self.max_rate, self.time_period = max_rate, time_period
        self.granted = 0
        self._tokens = asyncio.Semaphore(0)

    async def acquire(self, amount: float = 1) -> None:
        await self._tokens.acquire()

    def grant(self) -> None:
        self.granted += 1
        self._tokens.release()


async def test_rate_limit_paces_sends(db: DB, monkeypatch: pytest.MonkeyPatch) -> None:
    _, store = db
    await add_users(store, range(1, 12))
    limiters: list[Tokens] = []

    def limiter(max_rate: float, time_period: float) -> Tokens:
        limiters.append(Tokens(max_rate, time_period))
        return limiters[-1]

    monkeypatch.setattr(reminder_tick, "AsyncLimiter", limiter)
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)), rate_per_s=100.0, burst_s=0.01)
    [tokens] = limiters
    assert (tokens.max_rate, tokens.time_period) == (1.0, 0.01)  # a bucket of 1, 100/s
    at_send: list[tuple[int, int]] = []  # (sends so far, tokens granted so far)

    async def record(user_id: int) -> None:
        at_send.append((sum(inbox.calls.values()), tokens.granted))

    inbox.hook = record
    tick = asyncio.create_task(t.tick(at(8)))
    for n in range(1, 12):
        tokens.grant()
        await inbox.wait_calls(n)
    assert (await tick).sent == 11
    # no send ever went ahead of the tokens: each one waited for its own
    assert len(at_send) == 11 and all(sent <= granted for sent, granted in at_send), at_send


async def test_aclose_lets_in_flight_sends_finish_and_loses_nothing(
    db: DB,
) -> None:
    _, store = db
    users = range(1, 21)
    await add_users(store, users)
    inbox = Inbox()
    release = asyncio.Event()

    async def slow(user_id: int) -> None:
        await release.wait()

    inbox.hook = slow
    t = ticker(store, inbox, Clock(at(8)), max_in_flight=3)
    running = asyncio.create_task(t.tick(at(8)))
    await inbox.wait_calls(3)
    closing = asyncio.create_task(t.aclose())
    await asyncio.sleep(0.01)
    assert not closing.done()  # waits for the three sends in flight
    release.set()
    await closing
    first = await running
    assert first.sent == 3 and (await t.tick(at(8, 0, 5))).skipped

    report = await ticker(store, inbox, Clock(at(8, 0, 10))).tick(at(8, 0, 10))
    assert report.after_crash == 0 and report.sent == 17
    assert inbox.received == dict.fromkeys(users, 1)


async def test_budget_bounds_a_tick_and_the_next_one_continues(
    db: DB,
) -> None:
    _, store = db
    users = range(1, 61)
    await add_users(store, users)
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)), rate_per_s=100.0, burst_s=0.01, budget_s=0.2)
    first = await t.tick(at(8))
    # 60 sends at 100/s need 0.6 s: the 0.2 s budget stopped the tick first (a slow
    # machine only sends fewer in it)
    assert first.sent < len(users)
    async with asyncio.timeout(60):  # a hang guard: a broken budget must fail, not hang
        while sum(inbox.received.values()) < len(users):
            await t.tick(at(8, 0, 10))
    assert inbox.received == dict.fromkeys(users, 1)


# --- crashes --------------------------------------------------------------------


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing in the ticker may catch it."""


async def test_crash_mid_batch_loses_nothing_and_repeats_only_the_in_flight(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crash.sqlite3"
    conn, store = await open_store(path)
    users = range(1, 41)
    await add_users(store, users)
    inbox = Inbox()
    crash_at = 13

    async def die(user_id: int) -> None:
        if sum(inbox.calls.values()) == crash_at:
            raise ProcessDied

    inbox.hook = die
    with pytest.raises(BaseExceptionGroup) as raised:
        await ticker(store, inbox, Clock(at(8)), max_in_flight=4, batch_size=7).tick(at(8))
    assert raised.group_contains(ProcessDied)
    await conn.close()  # whatever was not committed is gone

    conn, store = await open_store(path)
    try:
        inbox.hook = None
        report = await ticker(store, inbox, Clock(at(8, 0, 10))).tick(at(8, 0, 10))
        assert all(inbox.received[u] >= 1 for u in users)  # none lost
        # Repeated: only sends that had started and were not settled at the crash (the
        # one that died among them never arrived, so at least one is not a repeat).
        repeated = [u for u in users if inbox.received[u] > 1]
        assert 1 <= report.after_crash <= 4 and len(repeated) < report.after_crash
        for u in users:  # and every schedule goes on
            row = await store.get(u)
            assert row is not None and row.next_due == at(11) and row.in_flight is None
    finally:
        await conn.close()


async def test_cancelled_tick_then_rerun_loses_nothing(db: DB) -> None:
    _, store = db
    users = range(1, 31)
    await add_users(store, users)
    inbox = Inbox()
    stuck = asyncio.Event()

    async def hang_after_ten(user_id: int) -> None:
        if sum(inbox.calls.values()) > 10:
            stuck.set()
            await asyncio.Event().wait()

    inbox.hook = hang_after_ten
    task = asyncio.create_task(ticker(store, inbox, Clock(at(8)), max_in_flight=3).tick(at(8)))
    await stuck.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    inbox.hook = None
    report = await ticker(store, inbox, Clock(at(8, 0, 10))).tick(at(8, 0, 10))
    assert all(inbox.received[u] >= 1 for u in users)
    # the sends that hung never arrived: sent again, and at most the three in flight
    # can be repeats
    assert 1 <= report.after_crash <= 3
    assert sum(inbox.received.values()) - len(users) < report.after_crash


async def test_a_database_error_on_one_row_repeats_no_other_ping(
    db: DB, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review: one failed write cancelled the other sends in flight, and their
    rows went out again at the next tick."""
    _, store = db
    users = range(1, 9)
    await add_users(store, users)
    settle = store.settle

    async def flaky(
        user_id: int, owner: str, next_due: datetime | None, sent_at: datetime | None
    ) -> bool:
        if user_id == 1:
            raise aiosqlite.OperationalError("database is locked")
        return await settle(user_id, owner, next_due, sent_at)

    monkeypatch.setattr(store, "settle", flaky)
    inbox = Inbox()
    t = ticker(store, inbox, Clock(at(8)), max_in_flight=8)
    first = await t.tick(at(8))
    assert (first.sent, first.failed) == (7, 1)
    monkeypatch.setattr(store, "settle", settle)
    await t.tick(at(8, 0, 10))  # the next tick: user 1's row waits for its lease
    assert inbox.received == dict.fromkeys(users, 1)
