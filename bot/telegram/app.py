"""Building the python-telegram-bot Application around the shared services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, TypeHandler

from bot.ops.metrics import Metrics
from bot.presentation.i18n import SUPPORTED, _
from bot.presentation.texts import COMMAND_DESCRIPTIONS
from bot.services import Services
from bot.telegram.context import Adapter
from bot.telegram.handlers import on_error, on_update
from bot.telegram.inbox import InboxQueue, UpdateInbox
from bot.telegram.reminders import ReminderJob
from bot.telegram.sender import Sender
from bot.telegram.throttle import Throttle
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)

SEND_BACKOFF = (0.3, 1.0)  # seconds before each retry of a send that got no usable answer


class RetryingRateLimiter(AIORateLimiter):
    """429 waits retry_after (AIORateLimiter); a 5xx, reset or timeout on a send retries.

    Without this a 502 from Telegram's front end or a dropped connection loses the
    reply, and the user stares at a question that never comes. BadRequest is an
    answer about the request itself and is never retried; only sends are, because
    an edit or a callback answer that comes late is worth less than none.
    """

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        delays = SEND_BACKOFF if endpoint.startswith("send") else ()
        for delay in (*delays, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, connection reset, TimedOut
                if delay is None:
                    raise
                log.info("%s failed (%s); retrying in %.1f s", endpoint, type(exc).__name__, delay)
                self.metrics.count_send(endpoint, "retry")
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def build_application(services: Services) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = services.settings
    token = settings.token
    if token is None:
        raise ValueError("a Telegram token is required")
    inbox = (
        UpdateInbox(services.inbox, timedelta(seconds=settings.SIDEGLIDE_UPDATE_LEASE))
        if settings.SIDEGLIDE_WEBHOOK_URL
        else None
    )
    builder = ApplicationBuilder()
    if inbox is not None:  # stored before the webhook's 200 (bot/telegram/inbox.py)
        builder = builder.update_queue(InboxQueue(inbox))
    app = (
        builder.token(token)
        .base_url(settings.TELEGRAM_BASE_URL)
        .base_file_url(settings.TELEGRAM_BASE_FILE_URL)
        # aiohttp, not PTB's httpx: far less CPU per Bot API call (bot/telegram/transport.py)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        # users are independent: a slow voice render for one must not stall the others;
        # the coach's per-user lock keeps each user's updates in order
        .concurrent_updates(settings.SIDEGLIDE_CONCURRENCY)
        # retries on 429 after retry_after (PTB's default max_retries=0 loses the reply),
        # and on 5xx, resets and timeouts of sends
        .rate_limiter(
            RetryingRateLimiter(
                services.metrics,
                overall_max_rate=settings.SIDEGLIDE_SEND_RATE,
                overall_time_period=1 if settings.SIDEGLIDE_SEND_RATE else 0,
                max_retries=3,
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
