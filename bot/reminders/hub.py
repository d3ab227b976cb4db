"""Reminders wired to the bot: schedule effects into the table, due rows into pings.

The reminders table (bot/reminder_store.py) is the source of truth; this hub
owns a second SQLite connection for it (the store commits per call, so it must
not share a connection with the conversation's transactions) and runs the
ticker from python-telegram-bot's JobQueue, one short job for all users.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import Any

import aiosqlite

from bot.reminders.ticker import ReminderTicker
from bot.storage.sqlite.conversation import Store
from bot.storage.sqlite.reminders import SCHEMA, ReminderStore
from flows.effects import ReminderPause, Reminders, SetSchedule
from flows.schedule import Schedule, snooze
from flows.session import Session

log = logging.getLogger(__name__)


class ReminderHub:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.reminders: ReminderStore | None = None
        self._conn: aiosqlite.Connection | None = None
        self.ticker: ReminderTicker | None = None
        self.running = False
        self._job: Any = None
        self._open_lock = asyncio.Lock()

    @staticmethod
    def migrations() -> list[tuple[int, list[str]]]:
        return [(2, list(SCHEMA))]

    async def open(self) -> ReminderStore:
        async with self._open_lock:  # two first users at once must not open two connections
            if self.reminders is None:
                path = await self._db_path()
                self._conn = await aiosqlite.connect(path)
                await self._conn.execute("PRAGMA busy_timeout=5000")
                self.reminders = ReminderStore(self._conn)
            return self.reminders

    async def _db_path(self) -> str:
        async with self.store.conn.execute("PRAGMA database_list") as cur:
            row = await cur.fetchone()
        return (str(row[2]) if row else "") or ":memory:"

    async def close(self) -> None:
        if self.ticker is not None:
            await self.ticker.aclose()
        async with self._open_lock:
            await self._close_conn()

    async def _close_conn(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
            self.reminders = None

    # --- effects from the conversation ------------------------------------------------

    async def on_effect(
        self,
        user_id: int,
        effect: Reminders | ReminderPause | SetSchedule,
        session: Session,
        now: datetime,
    ) -> None:
        """Write what the flow decided; the pause itself is flows.safety's answer."""
        store = await self.open()
        if isinstance(effect, SetSchedule):
            schedule = Schedule(
                tz=effect.tz,
                mode="fixed" if effect.mode == "fixed" else "every",
                every_hours=effect.every_hours,
                start=time.fromisoformat(effect.start),
                end=time.fromisoformat(effect.end),
                fixed_times=tuple(time.fromisoformat(t) for t in effect.fixed_times),
                paused=effect.paused is not None,
            )
            await store.put(user_id, schedule, now, paused_reason=effect.paused)
            return
        if isinstance(effect, ReminderPause):
            if effect.reason is None:
                # every pause the conversation owns is lifted; and a user who writes to
                # us has not blocked us
                await store.resume(user_id, now)
            else:
                await store.pause(user_id, effect.reason)
            return
        action = effect.action
        if action == "snooze":
            await store.snooze(user_id, snooze(now))
        elif action == "skip":
            await store.skip(user_id, now)
        elif action == "forget":
            await store.delete(user_id)

    async def user_blocked(self, user_id: int) -> None:
        """403 from Telegram: pings pause until the user writes again, never retried."""
        store = await self.open()
        await store.pause(user_id, "blocked")

    async def user_returned(self, user_id: int, now: datetime) -> None:
        """A user who had blocked the bot came back (/start): their pings resume."""
        store = await self.open()
        await store.resume(user_id, now, reasons={"blocked"})

    # --- the tick ---------------------------------------------------------------------

    def start(self, app: Any, services: Any) -> None:
        from bot.telegram.reminders import make_sender

        interval = float(services.settings.SIDEGLIDE_REMINDER_TICK)

        async def begin(_: Any) -> None:
            store = await self.open()
            send, is_busy = make_sender(app, services)
            self.ticker = ReminderTicker(
                store,
                send,
                is_busy,
                rate_per_s=services.settings.SIDEGLIDE_REMINDER_RATE,
                budget_s=interval * 0.9,  # one tick never overlaps the next
            )

        async def tick(_: Any) -> None:
            if self.ticker is not None:
                report = await self.ticker.tick()
                if report.sent or report.blocked or report.failed:
                    log.info(
                        "reminders: %d sent, %d blocked, %d failed",
                        report.sent,
                        report.blocked,
                        report.failed,
                    )

        jq = app.job_queue
        jq.run_once(begin, when=0)
        self._job = jq.run_repeating(tick, interval=interval, first=timedelta(seconds=interval))
        self.running = True

    async def stop(self) -> None:
        self.running = False
        if self._job is not None:
            self._job.schedule_removal()
        await self.close()
