"""Running the Telegram bot: polling or webhook, health server, reminder tick, clean stop.

`serve` is the whole lifetime as one coroutine so tests can run the real bot
in-process against the fake Bot API and stop it like SIGTERM would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, Settings
from bot.ops.health import HealthServer
from bot.ops.logs import RedactingFilter
from bot.progress import chart as charts
from bot.services import Services
from bot.telegram.app import build_application, set_commands
from bot.telegram.context import Adapter
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

T = TypeVar("T")


async def serve(
    services: Services, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """The Telegram bot from start to a clean stop (bot.bootstrap builds and closes services)."""
    settings = services.settings
    app = build_application(services)
    adapter = cast(Adapter, app.bot_data["adapter"])
    health: HealthServer | None = None
    webhook: WebhookServer | None = None
    clean = False
    try:
        await check_telegram(app, settings)
        async with app:
            try:
                await app.start()
                await set_commands(app)
                webhook = await listening(
                    "SIDEGLIDE_LISTEN",
                    settings.SIDEGLIDE_LISTEN,
                    start_updates(app, adapter, settings),
                )
                adapter.reminders.start(app)
                health = await listening(
                    "SIDEGLIDE_HEALTH_LISTEN",
                    settings.SIDEGLIDE_HEALTH_LISTEN,
                    start_health(services, adapter),
                )
                log.info(
                    "bot started (%s)", "webhook" if settings.SIDEGLIDE_WEBHOOK_URL else "polling"
                )
                if ready is not None:
                    ready.set()
                await stop.wait()
                log.info("stopping: finishing in-flight updates")
            finally:  # also when starting failed half-way: PTB will not shut down a running app
                if webhook is not None:  # first: no new updates (those stored are finished)
                    await webhook.stop()
                await adapter.reminders.stop()
                await adapter.sender.drain(timeout=5.0)
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
            clean = True
    finally:
        if health is not None:
            await health.stop()
        await asyncio.to_thread(charts.close)
        if clean:
            log.info("stopped cleanly")


async def check_telegram(app: Any, settings: Settings) -> None:
    """getMe once, before anything else runs: a bad token or URL is one clear line.

    Without this PTB's traceback reaches stderr, and an InvalidToken message there
    carries the token itself, outside the log redaction.
    """
    try:
        await app.initialize()  # getMe; `async with app` will not repeat it
    except (InvalidToken, NetworkError) as exc:
        await app.bot.shutdown()  # the HTTP sessions PTB opened before getMe
        if isinstance(exc, InvalidToken):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN: Telegram rejected this token (copy it again from @BotFather)"
            ) from None
        reason = RedactingFilter([settings.token or ""]).redact(str(exc))
        raise ConfigError(
            f"TELEGRAM_BASE_URL: cannot reach the Bot API at {settings.TELEGRAM_BASE_URL} "
            f"({reason})"
        ) from None


async def listening(name: str, value: str | None, start: Coroutine[Any, Any, T]) -> T:
    """A port already taken, or an address this host does not have, names its setting."""
    try:
        return await start
    except OSError as exc:
        raise ConfigError(f"{name}: cannot listen on {value} ({exc.strerror or exc})") from None


async def start_updates(app: Any, adapter: Adapter, settings: Settings) -> WebhookServer | None:
    """Webhook mode: our server (bot/telegram/webhook.py) listening first, then the webhook
    registered with its secret. Polling: PTB's updater."""
    if not settings.SIDEGLIDE_WEBHOOK_URL:
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, timeout=10, poll_interval=0.0
        )
        return None
    secret, inbox = settings.webhook_secret, adapter.inbox
    assert secret is not None and inbox is not None  # load_settings and build_application
    host, _, port = settings.SIDEGLIDE_LISTEN.rpartition(":")
    path = urlsplit(settings.SIDEGLIDE_WEBHOOK_URL).path
    server = WebhookServer(app, adapter, inbox, path, secret)
    await server.start(host, int(port))
    try:
        await app.bot.set_webhook(
            settings.SIDEGLIDE_WEBHOOK_URL, allowed_updates=Update.ALL_TYPES, secret_token=secret
        )
    except TelegramError as exc:
        await server.stop()
        reason = RedactingFilter([settings.token or "", secret]).redact(str(exc))
        raise ConfigError(
            f"SIDEGLIDE_WEBHOOK_URL: Telegram refused the webhook ({type(exc).__name__}: {reason})"
        ) from None
    return server


async def start_health(services: Services, adapter: Adapter) -> HealthServer | None:
    listen = services.settings.SIDEGLIDE_HEALTH_LISTEN
    if not listen:
        return None

    async def scheduler_running() -> bool:
        return adapter.reminders.running

    host, _, port = listen.rpartition(":")
    server = HealthServer(
        services.metrics, {"database": services.health.ping, "scheduler": scheduler_running}
    )
    await server.start(host, int(port))
    return server
