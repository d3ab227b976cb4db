"""Several bot processes on one PostgreSQL database, each with its own pool and coach.

Each `Coach` here stands for a process: it shares nothing in memory with the
other. A user's turns still run one at a time and in order, the second process
reads what the first wrote (nothing cached), and an update re-delivered to the
other process is recognised.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Update

from bot.coach.coach import Coach
from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
from bot.storage.postgres import PostgresStorage
from bot.telegram.inbox import POLL_S, UpdateInbox
from flows.events import Command, Press
from flows.schedule import Schedule
from flows.session import State
from tests import dbkit
from tests.conftest import T0


@pytest.fixture
async def two(pg_url: str) -> AsyncIterator[tuple[Coach, Coach, PostgresStorage]]:
    a = await PostgresStorage.open(pg_url)
    b = await PostgresStorage.open(pg_url)
    try:
        yield (
            Coach(a.conversations, a.history, a.shares, clock=lambda: T0),
            Coach(b.conversations, b.history, b.shares, clock=lambda: T0),
            a,
        )
    finally:
        await a.close()
        await b.close()


async def test_the_other_process_reads_what_one_wrote_and_knows_its_updates(
    two: tuple[Coach, Coach, PostgresStorage],
) -> None:
    a, b, _ = two
    first = await a.handle(7, 7, Command("start"), update_id=100)
    assert first.session.state == State.WELCOME
    # the next update goes to the other process: it must see the welcome answered
    second = await b.handle(7, 7, Press(first.session.seq, "ok"), update_id=101)
    assert second.session.state == State.SCREEN
    # Telegram re-delivers update 100 to process b, and 101 to a: both are known
    assert (await b.handle(7, 7, Command("start"), update_id=100)).duplicate
    assert (await a.handle(7, 7, Press(first.session.seq, "ok"), update_id=101)).duplicate
    # an older id never handled is not dropped (ids may arrive out of order)
    late = await a.handle(7, 7, Command("help"), update_id=99)
    assert not late.duplicate and late.effects


async def test_a_users_turn_waits_for_the_other_process(
    two: tuple[Coach, Coach, PostgresStorage],
) -> None:
    a, b, storage = two
    await a.handle(8, 8, Command("start"), update_id=1)

    async def waiting_locks() -> int:
        row = await storage.db.reads.fetchone(
            "SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        return int(row["waiting"]) if row else 0

    async with a.lock(8):  # process a is in the middle of user 8's turn
        other = asyncio.create_task(b.handle(8, 8, Command("help"), update_id=2))
        async with asyncio.timeout(30):  # a hang guard, not a time limit
            while await waiting_locks() < 1:  # noqa: ASYNC110 - the server has no event to wait on
                await asyncio.sleep(0.01)
        assert not other.done()  # b waits on the server for a's lock
        third = asyncio.create_task(b.handle(9, 9, Command("start"), update_id=3))
        assert (await third).session.state == State.WELCOME  # other users go ahead
    done = await asyncio.wait_for(other, 30)
    assert not done.duplicate and done.effects


async def test_one_process_leads_the_reminders_and_another_takes_over(pg_url: str) -> None:
    first = await PostgresStorage.open(pg_url)
    second = await PostgresStorage.open(pg_url)
    try:
        assert await first.db.lead()
        assert not await second.db.lead()
        assert await first.db.lead()  # still, on every tick
        await first.close()  # a stop (or a kill: the server drops its connection)
        assert await second.db.lead()
    finally:
        await second.close()


async def test_a_killed_leaders_lock_goes_with_its_connection(pg_url: str) -> None:
    first = await PostgresStorage.open(pg_url)
    second = await PostgresStorage.open(pg_url)
    try:
        assert await first.db.lead()
        # what kill -9 leaves: the server ends the session, nothing is released by hand
        row = await second.db.reads.fetchone(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND classid = ? AND objid = ?",
            (0x5EDE, 2),
        )
        assert row is not None and row["ended"] is True
        async with asyncio.timeout(30):  # a hang guard, not a time limit
            while not await second.db.lead():  # noqa: ASYNC110 - no event across processes
                await asyncio.sleep(0.05)
        assert not await first.db.lead()  # the old leader sees it lost the lead
    finally:
        await first.close()
        await second.close()


async def test_a_ping_held_by_a_process_that_died_is_sent_once_by_another(pg_url: str) -> None:
    """Process A claims the due pings and hangs mid-send (as if killed: its writes
    never come). Process B sends nothing while A's lease lasts, then every ping once,
    one catch-up for the slots missed; A's late writes then change nothing."""
    a, b = await PostgresStorage.open(pg_url), await PostgresStorage.open(pg_url)
    users = range(1, 11)
    try:
        for uid in users:
            await dbkit.choose(a, uid, Schedule("UTC"), datetime(2026, 3, 2, 7, tzinfo=UTC))
        due = datetime(2026, 3, 2, 8, tzinfo=UTC)  # 08:00, then every 3 hours
        got: Counter[int] = Counter()
        stuck, dead = asyncio.Event(), asyncio.Event()

        hanging: list[int] = []

        async def hangs(user_id: int, info: ReminderInfo) -> SendOutcome:
            hanging.append(user_id)
            if len(hanging) == 3:  # every send slot of A taken: A does nothing more
                stuck.set()
            await dead.wait()
            raise ConnectionError("the process is gone")  # never delivered

        async def delivers(user_id: int, info: ReminderInfo) -> SendOutcome:
            got[user_id] += 1
            assert info.slot == datetime(2026, 3, 2, 14, tzinfo=UTC) and info.kind == "catch_up"
            return SendOutcome.OK

        lease = timedelta(minutes=5)
        first = ReminderTicker(a.reminders, hangs, lease=lease, max_in_flight=3)
        running = asyncio.create_task(first.tick(due))
        await stuck.wait()
        heir = ReminderTicker(b.reminders, delivers, lease=lease)
        assert (await heir.tick(due + timedelta(minutes=4))).sent == 0  # A's lease holds
        # six hours later: A's leases ran out; the 08:00, 11:00 and 14:00 slots passed
        later = await heir.tick(due + timedelta(hours=6, minutes=1))
        assert later.sent == len(users) and later.after_crash == 3
        assert got == dict.fromkeys(users, 1)
        dead.set()
        await running  # A's sends fail and its writes find rows no longer its own
        for uid in users:
            row = await b.reminders.get(uid)
            assert row is not None and row.next_due == datetime(2026, 3, 2, 17, tzinfo=UTC)
            assert row.in_flight is None and row.last_sent is not None
    finally:
        await a.close()
        await b.close()


def text_update(update_id: int, user_id: int, text: str) -> Update:
    update = Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "text": text,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Ann"},
            },
        },
        None,
    )
    assert update is not None
    return update


async def test_a_users_update_waits_for_their_earlier_one_in_another_process(
    pg_url: str,
) -> None:
    """Update 11 reached process B while 10, of the same user, is still in process A's
    hands: B starts on it only once A is done with 10. Another user is not held up."""
    a, b = await PostgresStorage.open(pg_url), await PostgresStorage.open(pg_url)
    try:
        lease = timedelta(minutes=1)
        inbox_a, inbox_b = UpdateInbox(a.inbox, lease), UpdateInbox(b.inbox, lease)
        first, second, stranger = (
            text_update(10, 7, "one"),
            text_update(11, 7, "two"),
            (text_update(12, 8, "hi")),
        )
        await inbox_a.accept(first)
        await inbox_b.accept(second)
        await inbox_b.accept(stranger)
        order: list[int] = []

        async def run(inbox: UpdateInbox, update: Update) -> None:
            async with inbox.turn(update):
                order.append(update.update_id)

        later = asyncio.create_task(run(inbox_b, second))
        await run(inbox_b, stranger)  # not held up by user 7's queue
        for _ in range(10):  # B looks at the inbox again and again meanwhile
            await asyncio.sleep(POLL_S)
        assert order == [12] and not later.done()  # 11 waits: 10 is not done
        await run(inbox_a, first)
        await asyncio.wait_for(later, 30)  # a hang guard
        assert order == [12, 10, 11]
        assert await b.inbox.earlier(7, 100) == []
    finally:
        await a.close()
        await b.close()
