"""Waiting for the bot: until a message, a call, an answer or any condition comes.

Why a module of its own: the bot runs concurrently with the test, so every
expectation is a wait. All waits share one loop (``wait_for``) that re-checks at once
on each change of the fake and on a short interval besides, and fails with a
WaitTimeout that carries the chat's transcript.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakebotapi.queries import QueriesMixin
from tests.fakebotapi.records import (
    JSON,
    Call,
    CallbackPress,
    ChatKey,
    SentMessage,
    WaitTimeout,
    chat_key,
)
from tests.fakebotapi.wire import canonical

# How long a waiting helper waits when the test does not say. Only a guard against a
# hang: on a loaded shared CI machine a reply can take seconds, and a test must fail
# because something did not happen, never because it happened slowly.
WAIT_TIMEOUT = 30.0
# How often wait_for re-checks its predicate when the fake sees no change: a test may
# wait on state outside the fake (a database row, a file), which no change announces.
POLL_INTERVAL = 0.025


class WaitsMixin(QueriesMixin):
    """The waits; each returns what it waited for or raises WaitTimeout."""

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = WAIT_TIMEOUT,
        what: str | Callable[[], str] = "condition",
        *,
        poll: bool = True,
    ) -> Any:
        """Wait until ``predicate()`` returns something truthy and return it.

        The predicate is re-checked at once after every change the fake sees (calls,
        updates, deliveries...), and every POLL_INTERVAL seconds besides, so it may read
        any state, here or elsewhere (the bot's database, say). ``poll=False`` skips the
        interval, for a predicate that reads only the fake's own state, which changes
        only with a change the fake announces (many scripted users waiting at once
        would otherwise each wake 40 times a second).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                detail = what() if callable(what) else what
                raise WaitTimeout(f"timed out after {timeout}s waiting for {detail}")
            await self._wait_change(min(remaining, POLL_INTERVAL) if poll else remaining)

    async def wait_for_message(
        self,
        chat_id: ChatKey,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = WAIT_TIMEOUT,
        *,
        kind: str | None = None,
    ) -> SentMessage:
        """The next unread bot message in the chat (matching ``predicate`` / ``kind``).

        Each chat has a read cursor: the returned message and any unmatched ones before
        it count as read, like scrolling down a chat. Raises WaitTimeout with the chat's
        transcript when nothing matches in time.
        """
        key = chat_key(chat_id) or 0

        def find() -> SentMessage | None:
            messages = self._sent.get(key, [])
            for index in range(self._cursors.get(key, 0), len(messages)):
                msg = messages[index]
                if (kind is None or msg.kind == kind) and (predicate is None or predicate(msg)):
                    self._cursors[key] = index + 1
                    return msg
            return None

        result: SentMessage = await self.wait_for(
            find,
            timeout,
            lambda: f"a bot message in chat {key}; transcript:\n{self.transcript(key)}",
            poll=False,  # the chat's messages: only a delivery, announced, adds one
        )
        return result

    async def wait_for_messages(
        self,
        chat_id: ChatKey,
        count: int,
        timeout: float = WAIT_TIMEOUT,
    ) -> list[SentMessage]:
        """The next ``count`` (at least 1) unread messages of the chat, consumed."""
        key = chat_key(chat_id) or 0

        def find() -> list[SentMessage] | None:
            unread = self.unread(key)
            if len(unread) < count:
                return None
            self._cursors[key] = self._cursors.get(key, 0) + count
            return unread[:count]

        result: list[SentMessage] = await self.wait_for(
            find,
            timeout,
            lambda: f"{count} bot messages in chat {key}; transcript:\n{self.transcript(key)}",
            poll=False,
        )
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = WAIT_TIMEOUT,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """All calls of ``method`` (matching ``predicate``) once there are ``count`` (>= 1).

        Returns when the request has arrived, which may be before it is answered; use
        ``predicate=lambda c: c.status is not None`` to wait for answers.
        """

        def find() -> list[Call] | None:
            pool = self._calls_by_method.get(canonical(method), [])
            found = [c for c in pool if predicate is None or predicate(c)]
            return found if len(found) >= count else None

        result: list[Call] = await self.wait_for(
            find,
            timeout,
            lambda: f"{count} call(s) of {method}; got {len(self.calls(method))}",
        )
        return result

    async def wait_for_answer(
        self,
        press: CallbackPress,
        timeout: float = WAIT_TIMEOUT,
    ) -> JSON:
        """The bot's answerCallbackQuery parameters for this press."""
        result: JSON = await self.wait_for(
            lambda: press.answer, timeout, f"an answer to callback query {press.id}"
        )
        return result

    async def wait_for_confirmed(
        self,
        update: JSON | int,
        timeout: float = WAIT_TIMEOUT,
    ) -> None:
        """Until the bot has acknowledged the update (next getUpdates offset, or webhook 2xx).

        PTB acknowledges when it fetches the next batch, not when a handler finishes.
        """
        await self.wait_for(lambda: self.is_confirmed(update), timeout, f"update {update!r}")

    async def expect_no_message(self, chat_id: ChatKey, within: float = 0.3) -> None:
        """Fail if the bot sends anything new to the chat within ``within`` seconds."""
        key = chat_key(chat_id) or 0
        await asyncio.sleep(within)
        unread = self.unread(key)
        if unread:
            raise AssertionError(
                f"expected no message in chat {key}, got {len(unread)}; transcript:\n"
                f"{self.transcript(key)}"
            )
