"""The application service both adapters share: lock the user, run the flow, commit.

Adapters translate transport events into flow events and render the effects
this returns; they never touch storage or decide anything themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, utcnow
from bot.coach.outbox import Outbox
from bot.storage.ports import (
    Conversations,
    History,
    Loaded,
    Share,
    Shares,
    Turn,
)
from flows import psfs, remind, safety
from flows.effects import (
    RECORDS,
    REMINDER_CHANGES,
    Effect,
    ForgetUser,
    RecordCheckIn,
    Say,
)
from flows.engine import Rules, advance
from flows.events import Event
from flows.session import Session, State
from flows.trend import adherence_nudge, sets_today

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Handled:
    """One handled event: the session after it and what to show."""

    session: Session
    effects: tuple[Effect, ...]
    duplicate: bool = False
    # the live shares a /forget just ended, either side's (bot.sharing tells the others)
    ended: tuple[Share, ...] = ()


class Coach:
    def __init__(
        self,
        conversations: Conversations,
        history: History,
        shares: Shares,
        rules: Rules | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.conversations = conversations
        self.history = history
        self.shares = shares
        self.rules = rules or Rules()
        self.clock = clock
        # which task holds each user's lock: Coach.lock is re-entrant for that task only
        self._owners: dict[int, asyncio.Task[object] | None] = {}
        # where a turn's replies wait for the user's earlier turns' replies
        self.outbox = Outbox()

    @asynccontextmanager
    async def lock(self, user_id: int) -> AsyncIterator[None]:
        """The user's turn lock (the backend's, bot.storage: one turn of a user at a time,
        in the order asked, across processes; users run in parallel). Held for a turn
        only: load, advance, commit, and taking the replies' place in the outbox; never
        while anything is sent. Re-entered by the task that holds it."""
        me = asyncio.current_task()
        if me is not None and self._owners.get(user_id) is me:
            yield  # this task holds it already (never a task it started: those wait)
            return
        async with self.conversations.lock(user_id):
            self._owners[user_id] = me
            try:
                yield
            finally:
                self._owners.pop(user_id, None)

    async def session(self, user_id: int) -> Session | None:
        loaded = await self.loaded(user_id)
        return loaded.session if loaded else None

    async def loaded(self, user_id: int) -> Loaded | None:
        return await self.conversations.load(user_id)

    async def handle(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        *,
        update_id: int | None = None,
        language: str = "en",
    ) -> Handled:
        async with self.lock(user_id):
            return await self.handle_unlocked(user_id, chat_id, event, update_id, language)

    async def handle_unlocked(
        self,
        user_id: int,
        chat_id: int,
        event: Event,
        update_id: int | None = None,
        language: str = "en",
    ) -> Handled:
        """For adapters that hold `lock(user_id)` themselves while they also render."""
        loaded = await self.loaded(user_id)
        if (
            loaded is not None
            and update_id is not None
            and await self.conversations.seen(update_id)
        ):
            # Telegram re-delivers updates the bot handled but had not confirmed
            # before a crash: the answer is already stored, do not count it twice.
            return Handled(loaded.session, (), duplicate=True)
        session = loaded.session if loaded else Session(language=language)
        now = self.clock()
        outcome = advance(session, event, now, self.rules)
        if any(isinstance(e, ForgetUser) for e in outcome.effects):
            # read before they go: the shares' other sides are told, after the forget
            ended = (
                *[sh for sh in await self.shares.of_patient(user_id) if sh.live],
                *await self.shares.of_clinician(user_id),
            )
            await self.conversations.forget(user_id)  # the schedule with everything else
            return Handled(outcome.session, outcome.effects, ended=ended)
        if loaded is None and outcome.session.state == State.NEW:
            # someone we know nothing about (new, or after /forget) who has not sent
            # /start: a command, /mydata or an old button is answered, and no row
            # naming them is written
            return Handled(outcome.session, outcome.effects)
        turn = Turn(
            user_id=user_id,
            chat_id=chat_id,
            session=outcome.session,
            now=now,
            update_id=update_id,
            records=[e for e in outcome.effects if isinstance(e, RECORDS)],
            reminders=[e for e in outcome.effects if isinstance(e, REMINDER_CHANGES)],
        )
        await self.conversations.commit(turn)  # session, records, reminders: one unit
        effects = outcome.effects
        if any(isinstance(e, RecordCheckIn) for e in effects):
            effects = _before_hint(effects, await self._nudge(user_id, outcome.session, now))
        return Handled(outcome.session, effects)

    async def _nudge(self, user_id: int, session: Session, now: datetime) -> tuple[Say, ...]:
        """ "3 of 5 sets today": counted from stored check-ins, never while paused."""
        history = await self.history.checkins(user_id)
        done = sets_today(history, now, remind.user_tz(session))
        paused = not safety.may_nudge(session)
        nudge = adherence_nudge(done, remind.planned_per_day(session), paused=paused)
        if nudge is None:
            return ()
        return (Say(nudge.msgid, dict(nudge.params), plural=nudge.plural, count=nudge.count),)


def _before_hint(effects: tuple[Effect, ...], nudge: tuple[Say, ...]) -> tuple[Effect, ...]:
    """The nudge belongs to the check-in's words, ahead of a "one more thing" hint."""
    at = next(
        (i for i, e in enumerate(effects) if isinstance(e, Say) and e.text in psfs.HINTS),
        len(effects),
    )
    return (*effects[:at], *nudge, *effects[at:])
