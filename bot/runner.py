"""Running the Telegram bot: polling or webhook, health server, reminder tick, clean stop.

`serve` is the whole lifetime as one coroutine so tests can run the real bot
in-process against the fake Bot API and stop it like SIGTERM would.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot import charts
from bot.cli import build_services, close_services
from bot.config import Settings
from bot.services import Services
from bot.telegram.app import build_application, set_commands

log = logging.getLogger(__name__)


def run_telegram(settings: Settings) -> None:
    asyncio.run(main(settings))


async def main(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(settings, stop)


async def serve(
    settings: Settings, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> Services:
    services = await build_services(settings)
    app = build_application(services)
    health: Any = None
    try:
        async with app:
            await app.start()
            await set_commands(app)
            await start_updates(app, settings)
            hub = services.extras.get("reminders")
            if hub is not None:
                hub.start(app, services)
            health = await start_health(services, app)
            log.info(
                "bot started (%s)", "webhook" if settings.SIDEGLIDE_WEBHOOK_URL else "polling"
            )
            if ready is not None:
                ready.set()
            await stop.wait()
            log.info("stopping: finishing in-flight updates")
            if hub is not None:
                await hub.stop()
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
    finally:
        if health is not None:
            await health.stop()
        await asyncio.to_thread(charts.close)
        await close_services(services)
        log.info("stopped cleanly")
    return services


async def start_updates(app: object, settings: Settings) -> None:
    updater = app.updater  # type: ignore[attr-defined]
    if settings.SIDEGLIDE_WEBHOOK_URL:
        host, _, port = settings.SIDEGLIDE_LISTEN.rpartition(":")
        path = urlsplit(settings.SIDEGLIDE_WEBHOOK_URL).path.lstrip("/")
        await updater.start_webhook(
            listen=host,
            port=int(port),
            url_path=path,
            webhook_url=settings.SIDEGLIDE_WEBHOOK_URL,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        await updater.start_polling(
            allowed_updates=Update.ALL_TYPES, timeout=10, poll_interval=0.0
        )


async def start_health(services: Services, app: object) -> Any:
    listen = services.settings.SIDEGLIDE_HEALTH_LISTEN
    if not listen:
        return None
    from bot.ops.health import HealthServer

    async def scheduler_running() -> bool:
        hub = services.extras.get("reminders")
        return bool(hub is None or hub.running)

    host, _, port = listen.rpartition(":")
    server = HealthServer(
        services.metrics, {"database": services.store.ping, "scheduler": scheduler_running}
    )
    await server.start(host, int(port))
    services.extras["health"] = server
    return server
