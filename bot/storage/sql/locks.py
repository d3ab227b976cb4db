"""One asyncio lock per user, for the backends' turn locks (bot.storage.sql.conn.user_lock).

A user's turns in this process queue here in the order they asked (asyncio's locks
are first come, first served), so waiting costs no database connection; a lock
nobody holds or waits for is dropped with its last reference.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LocalLocks:
    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        async with lock:
            yield
