"""A user's replies go out in the order their turns were stored, and no lock is held
while they are sent: the next turn is stored meanwhile, only its replies wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.coach.coach import Coach
from bot.coach.outbox import Outbox, Place
from bot.storage.sqlite import SqliteStorage
from flows.events import Command

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def coach() -> AsyncIterator[Coach]:
    storage = await SqliteStorage.open(":memory:")
    try:
        yield Coach(storage.conversations, storage.history, storage.shares, clock=lambda: T0)
    finally:
        await storage.close()


async def test_the_next_turn_is_stored_while_the_replies_of_one_are_still_going_out(
    coach: Coach,
) -> None:
    await coach.handle(1, 1, Command("start"), update_id=1)
    sent: list[int] = []
    sending, slow = asyncio.Event(), asyncio.Event()

    async def turn(update_id: int) -> None:
        async with coach.lock(1):
            await coach.handle_unlocked(1, 1, Command("help"), update_id=update_id)
            place = coach.outbox.place(1)
        async with place:  # the lock is free here
            if update_id == 2:
                sending.set()
                await slow.wait()  # a chart, an export, a slow Telegram
            sent.append(update_id)

    first = asyncio.create_task(turn(2))
    await sending.wait()
    second = asyncio.create_task(turn(3))
    async with asyncio.timeout(10):  # a hang guard
        while not await coach.conversations.seen(3):  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.01)
    assert sent == [] and not second.done()  # stored, and its replies wait their turn
    slow.set()
    await asyncio.gather(first, second)
    assert sent == [2, 3]


async def test_places_keep_their_order_when_a_waiter_is_cancelled() -> None:
    outbox = Outbox()
    order: list[str] = []
    first, second, third = outbox.place(7), outbox.place(7), outbox.place(7)
    other_user = outbox.place(8)

    async def use(name: str, place: Place) -> None:
        async with place:
            order.append(name)

    async with other_user:  # another user's place waits for nobody
        order.append("other")
    gone = asyncio.create_task(use("second", second))
    last = asyncio.create_task(use("third", third))
    await asyncio.sleep(0)
    gone.cancel()  # its turn's task went away before sending
    await asyncio.sleep(0)
    assert not last.done()  # still behind the first
    async with first:
        order.append("first")
    await last
    assert order == ["other", "first", "third"]
    assert outbox.place(7)._after is None  # nothing left waiting: no entry kept
