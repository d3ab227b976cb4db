"""The application service both adapters share: lock the user, run the flow, save.

Adapters translate transport events into flow events and render the effects
this returns; they never touch storage or decide anything themselves.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage.sqlite.conversation import Loaded, Store
from flows import safety
from flows.effects import (
    Effect,
    ForgetUser,
    RecordCheckIn,
    ReminderPause,
    Reminders,
    Say,
    SetSchedule,
)
from flows.engine import Rules, advance
from flows.events import Event
from flows.session import Session, State
from flows.trend import adherence_nudge, sets_today

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ReminderEffect = Reminders | ReminderPause | SetSchedule
ReminderHook = Callable[[int, ReminderEffect, Session, datetime], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Turn:
    """One handled event: the session after it and what to show."""

    session: Session
    effects: tuple[Effect, ...]
    duplicate: bool = False


class Coach:
    def __init__(
        self,
        store: Store,
        rules: Rules | None = None,
        clock: Clock = utcnow,
        on_reminders: ReminderHook | None = None,
        cache_size: int = 10_000,
    ) -> None:
        self.store = store
        self.rules = rules or Rules()
        self.clock = clock
        self.on_reminders = on_reminders
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        # This process is the only writer, always under the user's lock, so the
        # last saved state can be kept and read back without a database trip.
        self._cache: OrderedDict[int, Loaded] = OrderedDict()
        self.cache_size = cache_size

    def lock(self, user_id: int) -> asyncio.Lock:
        """One lock per user: a user's updates stay in order, users run in parallel."""
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock

    async def session(self, user_id: int) -> Session | None:
        loaded = await self.loaded(user_id)
        return loaded.session if loaded else None

    async def loaded(self, user_id: int) -> Loaded | None:
        cached = self._cache.get(user_id)
        if cached is not None:
            self._cache.move_to_end(user_id)
            return cached
        loaded = await self.store.load(user_id)
        if loaded is not None:
            self._remember(user_id, loaded)
        return loaded

    def _remember(self, user_id: int, loaded: Loaded) -> None:
        self._cache[user_id] = loaded
        self._cache.move_to_end(user_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def handle(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        *,
        update_id: int | None = None,
        language: str = "en",
    ) -> Turn:
        async with self.lock(user_id):
            return await self.handle_unlocked(user_id, chat_id, event, update_id, language)

    async def handle_unlocked(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        update_id: int | None = None,
        language: str = "en",
    ) -> Turn:
        """For adapters that hold `lock(user_id)` themselves while they also render."""
        loaded = await self.loaded(user_id)
        if loaded is not None and update_id is not None and update_id <= loaded.last_update_id:
            # Telegram re-delivers updates the bot handled but had not confirmed
            # before a crash: the answer is already stored, do not count it twice.
            return Turn(loaded.session, (), duplicate=True)
        session = loaded.session if loaded else Session(language=language)
        now = self.clock()
        outcome = advance(session, event, now, self.rules)
        if any(isinstance(e, ForgetUser) for e in outcome.effects):
            self._cache.pop(user_id, None)
            # the schedule first: a crash in between must not leave pings for a user
            # whose data is gone (the other order leaves them a row naming them)
            if self.on_reminders is not None:
                await self.on_reminders(user_id, Reminders("forget"), outcome.session, now)
            await self.store.forget(user_id)
            return Turn(outcome.session, outcome.effects)
        if loaded is None and outcome.session.state == State.NEW:
            # someone we know nothing about (new, or after /forget) who has not sent
            # /start: a command, /mydata or an old button is answered, and no row
            # naming them is written
            return Turn(outcome.session, outcome.effects)
        # Reminders first: they live in their own table on another connection, so the
        # two writes cannot share a transaction. A crash between them must not leave a
        # session that says "reminders saved" (or "paused: see a PT") while the table
        # that drives the pings says otherwise; re-applying a schedule is harmless.
        await self._reminders(user_id, outcome.session, outcome.effects, now)
        try:
            await self.store.save(
                user_id, chat_id, outcome.session, outcome.effects, now, update_id
            )
        except BaseException:
            self._cache.pop(user_id, None)  # unsure what is stored: read it back next time
            raise
        last = max(update_id or 0, loaded.last_update_id if loaded else 0)
        self._remember(user_id, Loaded(outcome.session, last, chat_id))
        effects = outcome.effects
        if any(isinstance(e, RecordCheckIn) for e in effects):
            effects = (*effects, *await self._nudge(user_id, outcome.session, now))
        return Turn(outcome.session, effects)

    async def _nudge(self, user_id: int, session: Session, now: datetime) -> tuple[Say, ...]:
        """ "3 of 5 sets today": counted from stored check-ins, never while paused."""
        from bot.progress.report import planned_per_day, user_tz

        history = await self.store.checkins(user_id)
        done = sets_today(history, now, user_tz(session))
        nudge = adherence_nudge(
            done, planned_per_day(session), paused=not safety.may_nudge(session)
        )
        if nudge is None:
            return ()
        return (Say(nudge.msgid, dict(nudge.params), plural=nudge.plural, count=nudge.count),)

    async def _reminders(
        self, user_id: int, session: Session, effects: Sequence[Effect], now: datetime
    ) -> None:
        if self.on_reminders is None:
            return
        for effect in effects:
            if isinstance(effect, (Reminders, ReminderPause, SetSchedule)):
                await self.on_reminders(user_id, effect, session, now)
