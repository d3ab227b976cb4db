"""A user's replies go out in the order their turns were stored, with no lock held.

A turn takes its place (`Outbox.place`) while it still holds the user's turn lock, so
places are given in the order turns commit. The place is then used after the lock is
let go: its holder waits for the user's previous place to be done, sends, and is done.
The next turn may meanwhile be loaded, advanced and stored; only its sending waits.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Place:
    """One turn's slot in its user's outbox: `async with place:` sends in order."""

    def __init__(self, outbox: Outbox, user_id: int, after: asyncio.Future[None] | None) -> None:
        self._outbox = outbox
        self._user_id = user_id
        self._after = after
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> None:
        after = self._after
        if after is None:
            return
        try:
            await asyncio.shield(after)  # a cancelled waiter leaves the one before it be
        except BaseException:
            # never used: done when the one before it is, so the order holds behind it
            after.add_done_callback(lambda _: self.close())
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Done (also when it was never used): the user's next place may send."""
        if not self.done.done():
            self.done.set_result(None)
        self._outbox.release(self._user_id, self.done)


class Outbox:
    def __init__(self) -> None:
        self._last: dict[int, asyncio.Future[None]] = {}

    def place(self, user_id: int) -> Place:
        """Call with the user's turn lock held: the place comes after every place taken
        before it."""
        place = Place(self, user_id, self._last.get(user_id))
        self._last[user_id] = place.done
        return place

    def release(self, user_id: int, done: asyncio.Future[None]) -> None:
        if self._last.get(user_id) is done:
            del self._last[user_id]  # nothing waits behind it: keep no entry per user
