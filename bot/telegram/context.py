"""What the Telegram adapter keeps per application, typed (not `bot_data["x"]` and casts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from telegram.ext import CallbackContext

from bot.services import Services
from bot.telegram.inbox import UpdateInbox
from bot.telegram.reminders import ReminderJob
from bot.telegram.sender import Sender
from bot.telegram.throttle import Throttle

Context = CallbackContext[Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class Adapter:
    services: Services
    # one Sender per application: its per-clip upload locks must span updates, or two
    # users asking for the same new clip at once would both upload it
    sender: Sender
    throttle: Throttle
    reminders: ReminderJob
    # webhook mode: updates stored before Telegram's 200, run in order per user
    inbox: UpdateInbox | None = None


def adapter_of(context: Context) -> Adapter:
    return cast(Adapter, context.application.bot_data["adapter"])
