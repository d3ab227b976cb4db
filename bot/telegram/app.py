"""Building the python-telegram-bot Application around the shared services."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, TypeHandler

from bot.i18n import SUPPORTED, _
from bot.services import Services
from bot.telegram.handlers import on_error, on_update
from bot.texts import COMMAND_DESCRIPTIONS

log = logging.getLogger(__name__)


def build_application(services: Services) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = services.settings
    token = settings.token
    if token is None:
        raise ValueError("a Telegram token is required")
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.TELEGRAM_BASE_URL)
        .base_file_url(settings.TELEGRAM_BASE_FILE_URL)
        # users are independent: a slow voice render for one must not stall the others;
        # the coach's per-user lock keeps each user's updates in order
        .concurrent_updates(settings.SIDEGLIDE_CONCURRENCY)
        # retries on 429 after retry_after (PTB's default max_retries=0 loses the reply)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.SIDEGLIDE_SEND_RATE,
                overall_time_period=1 if settings.SIDEGLIDE_SEND_RATE else 0,
                max_retries=3,
            )
        )
        .build()
    )
    app.bot_data["services"] = services
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def set_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, in every language we speak (post_init only runs in run_polling)."""
    for lang in SUPPORTED:
        commands = [BotCommand(name, _(lang, desc)) for name, desc in COMMAND_DESCRIPTIONS.items()]
        try:
            await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        except Exception as exc:  # the menu is a nicety: never block start-up on it
            log.warning("could not set the command menu: %s", type(exc).__name__)
