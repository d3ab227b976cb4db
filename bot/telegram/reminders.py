"""How one due reminder reaches Telegram: the flow words the ping, the bot sends it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.presentation.messages import render_say
from bot.reminders.ticker import ReminderInfo, SendOutcome
from bot.services import Services
from bot.telegram.sender import keyboard
from flows.effects import Say
from flows.engine import is_busy
from flows.events import ReminderDue

log = logging.getLogger(__name__)

Send = Callable[[int, ReminderInfo], Awaitable[SendOutcome]]
IsBusy = Callable[[int], Awaitable[bool]]


def make_sender(app: Any, services: Services) -> tuple[Send, IsBusy]:
    coach = services.coach

    async def busy(user_id: int) -> bool:
        session = await coach.session(user_id)
        return session is not None and is_busy(session)

    async def send(user_id: int, info: ReminderInfo) -> SendOutcome:
        loaded = await services.coach.loaded(user_id)
        if loaded is None:
            return SendOutcome.FAILED
        async with coach.lock(user_id):
            turn = await coach.handle_unlocked(user_id, loaded.chat_id, ReminderDue())
        pings = [e for e in turn.effects if isinstance(e, Say)]
        if not pings:
            return SendOutcome.OK  # nothing to remind of right now (paused, recovered...)
        message = render_say(pings[0], turn.session.language)
        try:
            await app.bot.send_message(
                loaded.chat_id, message.text, reply_markup=keyboard(message)
            )
        except Forbidden:
            return SendOutcome.BLOCKED
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            return SendOutcome.RETRY_AFTER(seconds)
        except TelegramError as exc:
            log.warning("reminder send failed: %s", type(exc).__name__)
            return SendOutcome.FAILED
        if services.metrics is not None:
            services.metrics.count_reminder("sent")
        return SendOutcome.OK

    return send, busy
