"""The coach's own guarantees, with real SQLite in memory and no transport.

Order per user, parallel users, a re-delivered update handled once, a failed commit
leaving neither a row nor a stale cache, and nothing stored for a stranger. These
hold for both adapters, so they are checked here once, in milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from bot.coach.coach import Coach
from bot.storage.ports import Loaded, Turn
from bot.storage.sqlite import SqliteStorage
from flows.events import Command, Press
from flows.session import State
from tests.conftest import T0


class Gated:
    """Conversations that can hold one user's commit at a gate, or fail it once."""

    def __init__(self, inner: SqliteStorage) -> None:
        self.inner = inner.conversations
        self.gate: dict[int, asyncio.Event] = {}
        self.arrived: dict[int, asyncio.Event] = {}
        self.fail_next: set[int] = set()
        self.commits: list[tuple[int, int | None]] = []
        self.at_gate: list[tuple[int, int | None]] = []
        self.loads: list[int] = []

    def lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        return self.inner.lock(user_id)

    async def seen(self, update_id: int) -> bool:
        return await self.inner.seen(update_id)

    async def load(self, user_id: int) -> Loaded | None:
        self.loads.append(user_id)
        return await self.inner.load(user_id)

    async def commit(self, turn: Turn) -> None:
        if turn.user_id in self.arrived:
            self.arrived[turn.user_id].set()
        if turn.user_id in self.gate:
            self.at_gate.append((turn.user_id, turn.update_id))
            await self.gate[turn.user_id].wait()
        if turn.user_id in self.fail_next:
            self.fail_next.discard(turn.user_id)
            raise OSError("disk full")
        await self.inner.commit(turn)
        self.commits.append((turn.user_id, turn.update_id))

    async def forget(self, user_id: int) -> None:
        await self.inner.forget(user_id)

    async def count_rows(self, user_id: int) -> dict[str, int]:
        return await self.inner.count_rows(user_id)


@pytest.fixture
async def in_memory() -> AsyncIterator[SqliteStorage]:
    """SQLite in memory: what is checked here holds for every backend alike."""
    opened = await SqliteStorage.open(":memory:")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def conversations(in_memory: SqliteStorage) -> Gated:
    return Gated(in_memory)


@pytest.fixture
def coach(conversations: Gated, in_memory: SqliteStorage) -> Coach:
    return Coach(conversations, in_memory.history, in_memory.shares, clock=lambda: T0)


async def test_a_redelivered_update_is_handled_once(coach: Coach, conversations: Gated) -> None:
    first = await coach.handle(1, 1, Command("start"), update_id=5)
    assert not first.duplicate and first.effects
    again = await coach.handle(1, 1, Command("start"), update_id=5)
    assert again.duplicate and again.effects == ()
    # an older id that was never handled is not a duplicate: ids may come out of order
    older = await coach.handle(1, 1, Press(first.session.seq, "ok"), update_id=4)
    assert not older.duplicate and older.effects
    assert (await coach.handle(1, 1, Command("start"), update_id=4)).duplicate
    assert conversations.commits == [(1, 5), (1, 4)]


async def test_one_users_events_wait_their_turn_while_others_go_ahead(
    coach: Coach, conversations: Gated
) -> None:
    await coach.handle(1, 1, Command("start"), update_id=1)
    await coach.handle(2, 2, Command("start"), update_id=1)
    conversations.gate[1] = asyncio.Event()
    conversations.arrived[1] = asyncio.Event()
    session = await coach.session(1)
    assert session is not None
    seq = session.seq
    first = asyncio.create_task(coach.handle(1, 1, Press(seq, "ok"), update_id=2))
    second = asyncio.create_task(coach.handle(1, 1, Command("help"), update_id=3))
    await conversations.arrived[1].wait()  # the first is inside its commit, held

    other = await coach.handle(2, 2, Command("help"), update_id=2)  # not held by user 1
    assert not other.duplicate
    assert conversations.commits[-1] == (2, 2)
    # the second never reached storage: it waits for the user's lock, not at the gate
    assert conversations.at_gate == [(1, 2)] and not second.done()

    conversations.gate[1].set()
    await asyncio.gather(first, second)
    mine = [u for u in conversations.commits if u[0] == 1]
    assert mine == [(1, 1), (1, 2), (1, 3)]


async def test_a_failed_commit_stores_nothing_and_the_next_turn_reads_the_database(
    coach: Coach, conversations: Gated, in_memory: SqliteStorage
) -> None:
    started = await coach.handle(1, 1, Command("start"), update_id=1)
    conversations.fail_next.add(1)
    with pytest.raises(OSError):
        await coach.handle(1, 1, Press(started.session.seq, "ok"), update_id=2)
    stored = await in_memory.conversations.load(1)
    assert stored is not None and await in_memory.conversations.seen(1)
    assert not await in_memory.conversations.seen(2)
    assert stored.session.state == started.session.state
    loads_before = len(conversations.loads)
    retried = await coach.handle(1, 1, Press(started.session.seq, "ok"), update_id=2)
    assert len(conversations.loads) == loads_before + 1  # not the cached, uncommitted turn
    assert not retried.duplicate and retried.session.state != started.session.state


async def test_a_stranger_who_has_not_started_leaves_no_row(
    coach: Coach, in_memory: SqliteStorage
) -> None:
    for event in (Command("mydata"), Command("progress"), Press(3, "yes"), Command("forget")):
        handled = await coach.handle(99, 99, event, update_id=1)
        assert handled.effects  # answered, not ignored
    assert set((await in_memory.conversations.count_rows(99)).values()) == {0}


async def test_forget_drops_the_cached_session_with_the_rows(
    coach: Coach, in_memory: SqliteStorage
) -> None:
    await coach.handle(1, 1, Command("start"), update_id=1)
    assert await coach.session(1) is not None
    await coach.handle(1, 1, Command("forget"), update_id=2)
    session = await coach.session(1)
    if session is not None:  # /forget asks first: confirm it
        await coach.handle(1, 1, Press(session.seq, "yes"), update_id=3)
    assert await coach.session(1) is None
    assert set((await in_memory.conversations.count_rows(1)).values()) == {0}
    restarted = await coach.handle(1, 1, Command("start"), update_id=4)
    assert restarted.session.state != State.NEW
