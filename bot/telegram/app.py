"""Building the python-telegram-bot Application around the shared services."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.presentation.i18n import SUPPORTED, _
from bot.presentation.texts import COMMAND_DESCRIPTIONS
from bot.services import Services
from bot.telegram.context import Adapter
from bot.telegram.handlers import on_error, on_update
from bot.telegram.inbox import UpdateInbox
from bot.telegram.policy import SendPolicy
from bot.telegram.reminders import ReminderJob
from bot.telegram.sender import Sender
from bot.telegram.throttle import Throttle
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)


def build_application(services: Services) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = services.settings
    token = settings.token
    if token is None:
        raise ValueError("a Telegram token is required")
    # webhook mode: updates stored before Telegram's 200 and handled in order per user
    # (bot/telegram/webhook.py, bot/telegram/inbox.py), beside PTB's update queue
    inbox = (
        UpdateInbox(
            services.inbox,
            timedelta(seconds=settings.SIDEGLIDE_UPDATE_LEASE),
            concurrency=settings.SIDEGLIDE_CONCURRENCY,
        )
        if settings.SIDEGLIDE_WEBHOOK_URL
        else None
    )
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.TELEGRAM_BASE_URL)
        .base_file_url(settings.TELEGRAM_BASE_FILE_URL)
        # aiohttp, not PTB's httpx: far less CPU per Bot API call (bot/telegram/transport.py)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        # users are independent: a slow voice render for one must not stall the others;
        # the coach's per-user lock keeps each user's updates in order
        .concurrent_updates(settings.SIDEGLIDE_CONCURRENCY)
        # the overall send cap, and what is tried again when (bot/telegram/policy.py):
        # 429s waited out for up to a minute, sends that provably did not arrive retried,
        # a send that timed out after it was written never repeated
        .rate_limiter(
            SendPolicy(
                services.metrics,
                overall_max_rate=settings.SIDEGLIDE_SEND_RATE,
                overall_time_period=1 if settings.SIDEGLIDE_SEND_RATE else 0,
            )
        )
        .build()
    )
    rate = settings.SIDEGLIDE_USER_RATE
    app.bot_data["adapter"] = Adapter(
        services=services,
        sender=(sender := Sender(app.bot, services)),
        throttle=Throttle(rate=rate or 1e9, burst=max(1.0, 3 * rate) if rate else 1e9),
        reminders=ReminderJob(services, app.bot, sender, inbox),
        inbox=inbox,
    )
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def set_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, in every language we speak (post_init only runs in run_polling)."""
    adapter: Adapter = app.bot_data["adapter"]
    voice = adapter.services.settings.SIDEGLIDE_TTS != "off"
    offered = {n: d for n, d in COMMAND_DESCRIPTIONS.items() if voice or n != "voice"}
    for lang in SUPPORTED:
        commands = [BotCommand(name, _(lang, desc)) for name, desc in offered.items()]
        try:
            await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        except Exception as exc:  # the menu is a nicety: never block start-up on it
            log.warning("could not set the command menu: %s", type(exc).__name__)
