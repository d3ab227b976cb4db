"""Reminders on Telegram: the ticker on PTB's JobQueue, and how one ping is sent.

The ticker (bot.reminders.ticker) knows nothing of Telegram; here it gets its
clock tick and its `send`: the flow words the ping (or says nothing, when
flows.safety says a ping would be wrong), the renderer makes it one message
(bot.presentation.render.question), the sender sends it. A user who blocked
the bot is told to the flow as `Unreachable`, which pauses their pings in the
same unit of work as any other change; /start brings them back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.coach.coach import Handled
from bot.ops.metrics import ReminderResult
from bot.presentation.render import question
from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome, TickReport
from bot.services import Services
from bot.telegram.inbox import UpdateInbox, refeed
from bot.telegram.sender import Sender
from flows.engine import is_busy
from flows.events import ReminderDue, Unreachable

log = logging.getLogger(__name__)

# what each of the ticker's counts is called in /metrics
_COUNTED: dict[str, ReminderResult] = {
    "sent": "sent",
    "silent": "skipped",
    "blocked": "blocked",
    "failed": "failed",
    "busy": "deferred",
    "held_back": "held_back",
    "retry_later": "retry_later",
    "after_crash": "after_crash",
}


class ReminderJob:
    """One repeating job for all users; `running` is what /readyz reports."""

    def __init__(
        self, services: Services, bot: Bot, sender: Sender, inbox: UpdateInbox | None = None
    ) -> None:
        self.services = services
        self.bot = bot
        self.sender = sender
        self.inbox = inbox  # webhook mode: the leader also hands on what dead processes left
        self.ticker: ReminderTicker | None = None
        self.running = False
        self._job: Any = None
        self._app: Any = None

    def start(self, app: Any) -> None:
        settings = self.services.settings
        interval = float(settings.SIDEGLIDE_REMINDER_TICK)
        self.ticker = ReminderTicker(
            self.services.reminders,
            self.send,
            self.busy,
            rate_per_s=settings.SIDEGLIDE_REMINDER_RATE,
            budget_s=interval * 0.9,  # one tick never overlaps the next
            lease=timedelta(seconds=settings.SIDEGLIDE_REMINDER_LEASE),
        )
        self._app = app
        self._job = app.job_queue.run_repeating(
            self._tick, interval=interval, first=timedelta(seconds=interval)
        )
        self.running = True

    async def stop(self) -> None:
        """No new claims; the pings in flight finish (nothing is lost by a planned stop)."""
        self.running = False
        if self._job is not None:
            self._job.schedule_removal()
        if self.ticker is not None:
            await self.ticker.aclose()

    async def _tick(self, _: Any) -> None:
        if self.ticker is None:
            return
        if not await self.services.leader.lead():
            return  # another process sends them (PostgreSQL with several processes)
        report = await self.ticker.tick()
        self.count(report)
        try:  # the clinicians' Monday summaries ride on the same tick
            await self.sender.letters(
                await self.services.clinic.weekly(), self.services.clinic.leaving
            )
        except Exception:
            log.exception("the weekly summaries failed; tried again next tick")
        if self.inbox is not None:  # and the updates a dead process accepted
            try:
                refeed(self._app, self.inbox, await self.inbox.orphans(self.bot))
            except Exception:
                log.exception("the inbox sweep failed; tried again next tick")
        if report.sent or report.blocked or report.failed:
            log.info(
                "reminders: %d sent, %d blocked, %d failed",
                report.sent,
                report.blocked,
                report.failed,
            )

    def count(self, report: TickReport) -> None:
        for field, result in _COUNTED.items():
            n = getattr(report, field)
            if n:
                self.services.metrics.count_reminder(result, n)

    async def busy(self, user_id: int) -> bool:
        session = await self.services.coach.session(user_id)
        return session is not None and is_busy(session)

    async def send(self, user_id: int, info: ReminderInfo) -> SendOutcome:
        coach = self.services.coach
        loaded = await coach.loaded(user_id)
        if loaded is None:
            return SendOutcome.FAILED
        async with coach.lock(user_id):
            turn = await coach.handle_unlocked(user_id, loaded.chat_id, ReminderDue())
            place = coach.outbox.place(user_id)  # after the replies of the user's last turn
        async with place:
            return await self._ping(user_id, loaded.chat_id, turn)

    async def _ping(self, user_id: int, chat_id: int, turn: Handled) -> SendOutcome:
        coach = self.services.coach
        ping = question(turn.effects, turn.session.language)
        if ping is None:
            return SendOutcome.SILENT  # nothing to remind of now (held, recovered, busy...)
        try:
            # not guarded: the ticker counts the outcome and retries after a long 429
            await self.sender.text(chat_id, ping)
        except Forbidden:
            await coach.handle(user_id, chat_id, Unreachable())
            return SendOutcome.BLOCKED
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            return SendOutcome.RETRY_AFTER(seconds)
        except TelegramError as exc:
            log.warning("reminder send failed: %s", type(exc).__name__)
            return SendOutcome.FAILED
        return SendOutcome.OK
