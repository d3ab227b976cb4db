"""Running the Telegram bot: polling or webhook, health server, reminder tick, clean stop.

`serve` is the whole lifetime as one coroutine so tests can run the real bot
in-process against the fake Bot API and stop it like SIGTERM would.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.cli import build_services, close_services
from bot.config import ConfigError, Settings
from bot.ops.logs import RedactingFilter
from bot.progress import chart as charts
from bot.services import Services
from bot.telegram.app import build_application, set_commands

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    clean = False
    try:
        await check_telegram(app, settings)
        async with app:
            hub = services.extras.get("reminders")
            try:
                await app.start()
                await set_commands(app)
                await listening(
                    "SIDEGLIDE_LISTEN", settings.SIDEGLIDE_LISTEN, start_updates(app, settings)
                )
                if hub is not None:
                    hub.start(app, services)
                health = await listening(
                    "SIDEGLIDE_HEALTH_LISTEN",
                    settings.SIDEGLIDE_HEALTH_LISTEN,
                    start_health(services, app),
                )
                log.info(
                    "bot started (%s)", "webhook" if settings.SIDEGLIDE_WEBHOOK_URL else "polling"
                )
                if ready is not None:
                    ready.set()
                await stop.wait()
                log.info("stopping: finishing in-flight updates")
            finally:  # also when starting failed half-way: PTB will not shut down a running app
                if hub is not None:
                    await hub.stop()
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
            clean = True
    finally:
        if health is not None:
            await health.stop()
        await asyncio.to_thread(charts.close)
        await close_services(services)
        if clean:
            log.info("stopped cleanly")
    return services


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
