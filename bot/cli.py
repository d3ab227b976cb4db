"""`sideglide` / `python -m bot`: run (Telegram or console), console, render-audio."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from bot.coach.coach import Coach
from bot.config import ConfigError, Settings, load_settings
from bot.services import Services
from bot.storage.sqlite.conversation import Store
from bot.telegram.throttle import Throttle
from flows.engine import Rules

log = logging.getLogger("sideglide")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sideglide",
        description=(
            "A Telegram chat and voice coach for the McKenzie side glide. Settings come "
            "from the environment or a .env file (see deploy/.env.example)."
        ),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="start the bot: Telegram when TELEGRAM_BOT_TOKEN is set, else the console (default)",
    )
    sub.add_parser("console", help="talk to the coach in this terminal, no token needed")
    render = sub.add_parser(
        "render-audio", help="pre-render every voice clip into SIDEGLIDE_AUDIO_CACHE"
    )
    render.add_argument("--lang", action="append", help="only this language (repeatable)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings)
    command = args.command or "run"
    try:
        if command == "render-audio":
            from bot.voice.script import render_audio_command

            return int(render_audio_command(settings, args.lang))
        if command == "console" or settings.token is None:
            asyncio.run(run_console(settings))
            return 0
        from bot.telegram.runner import run_telegram

        run_telegram(settings)
        return 0
    except ConfigError as exc:  # found only when used: a path, a port, the token
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def setup_logging(settings: Settings) -> None:
    secrets = [s for s in (settings.token, settings.webhook_secret) if s]
    try:
        from bot.ops.logs import setup_logging as setup

        setup(settings.SIDEGLIDE_LOG_LEVEL, settings.SIDEGLIDE_LOG_FORMAT == "json", secrets)
    except ImportError:
        logging.basicConfig(level=settings.SIDEGLIDE_LOG_LEVEL)


async def build_services(settings: Settings) -> Services:
    from bot.reminders.hub import ReminderHub

    try:
        store = await Store.open(settings.SIDEGLIDE_DB, ReminderHub.migrations())
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"SIDEGLIDE_DB: cannot open {settings.SIDEGLIDE_DB} ({exc})") from None
    try:
        voice = build_voice(settings)
    except OSError as exc:
        await store.close()
        raise ConfigError(
            f"SIDEGLIDE_AUDIO_CACHE: cannot use {settings.SIDEGLIDE_AUDIO_CACHE} "
            f"({exc.strerror or exc})"
        ) from None
    hub = ReminderHub(store)
    coach = Coach(
        store, Rules(stall_after=settings.SIDEGLIDE_PROGRESS_AFTER), on_reminders=hub.on_effect
    )
    services = Services(settings=settings, store=store, coach=coach)
    rate = settings.SIDEGLIDE_USER_RATE
    services.throttle = Throttle(rate=rate or 1e9, burst=max(1.0, 3 * rate) if rate else 1e9)
    services.extras["reminders"] = hub
    services.voice = voice
    from bot.ops.metrics import Metrics

    services.metrics = Metrics()
    return services


def build_voice(settings: Settings) -> Any:
    if settings.SIDEGLIDE_TTS == "off":
        return None
    from bot.voice.service import VoiceService

    return VoiceService(settings.SIDEGLIDE_AUDIO_CACHE, settings.SIDEGLIDE_TTS)


async def run_console(settings: Settings) -> None:
    from bot.console.console import Console

    services = await build_services(settings)
    try:
        await Console(services).run()
    finally:
        await close_services(services)


async def close_services(services: Services) -> None:
    """Everything build_services opened, in reverse order."""
    hub = services.extras.get("reminders")
    if hub is not None:
        await hub.close()
    if services.voice is not None:
        services.voice.close()
    await services.store.close()
