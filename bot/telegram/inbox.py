"""Webhook updates through the inbox (bot.storage.sql.inbox): in order per user, and
never lost with a process.

The webhook server (bot.telegram.webhook) writes each update to the inbox before it
answers Telegram: Telegram gets its 200 only once the update is stored, and a process
killed after that leaves it for another (the leader's sweep hands it on when `lease`
has passed since its handling began). `handle` then runs it in a task of its own that
first waits while an earlier update of the same user is still in the inbox, whichever
process has it (a local one by its event, a remote one by looking again every 50 ms),
and only then takes one of the `concurrency` slots: a wait holds no slot, so one user's
queue of updates can never keep another user's /help waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bot.clock import Clock, utcnow
from bot.storage.ports import Inbox

log = logging.getLogger(__name__)

POLL_S = 0.05  # how often a wait for another process's update looks again


class UpdateInbox:
    def __init__(
        self, store: Inbox, lease: timedelta, clock: Clock = utcnow, concurrency: int = 32
    ) -> None:
        self._store = store
        self._lease = lease
        self._clock = clock
        # the updates this process accepted and has not finished, by id
        self._local: dict[int, asyncio.Event] = {}
        # updates handled at once (SIDEGLIDE_CONCURRENCY), taken only once it is their turn
        self._slots = asyncio.Semaphore(concurrency)

    def handle(self, app: Application[Any, Any, Any, Any, Any, Any], update: Update) -> None:
        """Handles an accepted update in a task of its own, beside PTB's update queue:
        after the user's earlier updates, then in one of the slots. PTB's stop() waits
        for these tasks, so a planned stop finishes them."""
        app.create_task(self._handle(app, update), update=update)

    async def _handle(
        self, app: Application[Any, Any, Any, Any, Any, Any], update: Update
    ) -> None:
        async with self.turn(update), self._slots:
            await app.process_update(update)

    async def accept(self, update: Update) -> bool:
        """Stores the update; True when it is new, and then the caller handles it.

        False: Telegram sent it again (our 200 was lost) while its row is still here.
        Whoever has it (this process, another, or the sweep for a dead one) handles it:
        handled twice at once, its second turn would only be recognised by its id.
        """
        user = update.effective_user
        known = update.update_id in self._local
        self._local.setdefault(update.update_id, asyncio.Event())
        try:
            new = await self._store.accept(
                update.update_id, user.id if user else None, update.to_json(), self._clock()
            )
        except BaseException:  # not stored: Telegram gets no 200 and sends it again
            if not known:
                self._local.pop(update.update_id, None)
            raise
        if not new and not known:
            self._local.pop(update.update_id, None)  # not ours: the sweep must see it
        return new

    @asynccontextmanager
    async def turn(self, update: Update) -> AsyncIterator[None]:
        """Runs the update after the user's earlier ones; its row goes when it is done.

        If the wait itself fails (the database), the row stays for the sweep: the
        update is handled later, not dropped.
        """
        try:
            if await self._after_earlier(update):
                # its lease counts from now: the time it waited for its turn is not slowness
                await self._store.touch(update.update_id, self._clock())
        except BaseException:
            self._forget_local(update.update_id)
            raise
        try:
            yield
        finally:
            try:
                await self._store.done(update.update_id)
            except Exception:  # the sweep hands it on again; the turn is known by its id
                log.exception("could not clear a handled update from the inbox")
            self._forget_local(update.update_id)

    def _forget_local(self, update_id: int) -> None:
        event = self._local.pop(update_id, None)
        if event is not None:
            event.set()

    async def _after_earlier(self, update: Update) -> bool:
        """True when it had to wait (usually it need not: one read, no write)."""
        user = update.effective_user
        if user is None:
            return False
        waited = False
        loop = asyncio.get_running_loop()
        # an earlier update of a dead process is handed on within a lease and a sweep;
        # past that, something is wrong: go on rather than leave the user unanswered
        give_up = loop.time() + 2 * self._lease.total_seconds() + 60
        while earlier := await self._store.earlier(user.id, update.update_id):
            waited = True
            if loop.time() > give_up:
                log.warning("an earlier update of this user is still pending; going on")
                return waited
            local = self._local.get(earlier[0])
            if local is None:
                await asyncio.sleep(POLL_S)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(local.wait(), timeout=1.0)
        return waited

    async def orphans(self, bot: Bot) -> list[Update]:
        """Updates accepted but never finished by their process, taken over for this one
        once their lease has run out (on SQLite, what a stopped process left is handed on
        at once: its backend knows it is alone, bot.storage.sql.inbox.hand_on_all)."""
        now = self._clock()
        before = now - self._lease
        found: list[Update] = []
        for update_id, payload in await self._store.orphans(before, now, limit=100):
            if update_id in self._local:
                continue  # still being handled here: slow, not lost
            try:
                update = Update.de_json(json.loads(payload), bot)
            except Exception:  # one unreadable row must not hold the others back
                update = None
            if update is None:
                log.warning("an unreadable update left in the inbox is dropped")
                await self._store.done(update_id)
                continue
            self._local[update.update_id] = asyncio.Event()
            found.append(update)
        if found:
            log.warning("%d accepted update(s) left unhandled are handled now", len(found))
        return found


def refeed(
    app: Application[Any, Any, Any, Any, Any, Any], inbox: UpdateInbox, updates: list[Update]
) -> None:
    """Handles updates taken over from the inbox as any accepted update is handled."""
    for update in updates:
        inbox.handle(app, update)
