"""The composition root: the one place that builds everything, runs it, and closes it.

`cli` parses the command line and calls one of the `run_*` functions here;
tests build the same `Services` with `build` (or run the Telegram bot with
`serve_telegram`), so what they exercise is wired exactly as production is.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from bot.animation.service import AnimationService
from bot.clock import Clock, utcnow
from bot.coach.coach import Coach
from bot.config import ConfigError, Settings
from bot.ops import logs
from bot.ops.metrics import Metrics
from bot.services import Services
from bot.sharing.clinic import Clinic
from bot.storage.ports import Storage
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from bot.voice.service import VoiceService
from bot.voice.stt import SpeechError, Transcriber
from flows.engine import Rules


@dataclass(frozen=True, slots=True)
class Built:
    """Services, and what only the composition root may close."""

    services: Services
    storage: Storage


async def open_storage(settings: Settings) -> Storage:
    """SQLite for a path (the default), PostgreSQL for a postgresql:// URL. What differs
    between the two deployments (one process, or several) each backend decides as it is
    built; everything past this point sees the ports only."""
    url = settings.db_url
    if url is None:
        try:
            return await SqliteStorage.open(settings.SIDEGLIDE_DB)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"SIDEGLIDE_DB: cannot open {settings.SIDEGLIDE_DB} ({exc})"
            ) from None
    try:
        return await PostgresStorage.open(url)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        where = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
        raise ConfigError(
            f"SIDEGLIDE_DB: cannot open {where} ({type(exc).__name__}: {exc})"
        ) from None


async def build(settings: Settings, clock: Clock = utcnow) -> Built:
    """`clock` is "now" for everything built here (tests pass a controlled one)."""
    storage = await open_storage(settings)
    try:
        voice = build_voice(settings)
    except OSError as exc:
        await storage.close()
        raise ConfigError(
            f"SIDEGLIDE_AUDIO_CACHE: cannot use {settings.SIDEGLIDE_AUDIO_CACHE} "
            f"({exc.strerror or exc})"
        ) from None
    try:
        speech = await build_speech(settings)
    except ConfigError:
        if voice is not None:
            voice.close()
        await storage.close()
        raise
    coach = Coach(
        storage.conversations,
        storage.history,
        storage.shares,
        Rules(
            stall_after=settings.SIDEGLIDE_PROGRESS_AFTER, voice=settings.SIDEGLIDE_TTS != "off"
        ),
        clock=clock,
    )
    animations = (
        AnimationService(settings.SIDEGLIDE_AUDIO_CACHE) if settings.SIDEGLIDE_ANIMATIONS else None
    )
    services = Services(
        settings=settings,
        coach=coach,
        clinic=Clinic(
            coach,
            storage.shares,
            storage.history,
            storage.conversations,
            animations,
            key=_share_key(settings.token),
        ),
        conversations=storage.conversations,
        history=storage.history,
        reminders=storage.reminders,
        voice_files=storage.voice_files,
        health=storage.health,
        leader=storage.leader,
        inbox=storage.inbox,
        metrics=Metrics(),
        voice=voice,
        animations=animations,
        speech=speech,
    )
    return Built(services, storage)


async def build_speech(settings: Settings) -> Transcriber | None:
    """The recogniser, loaded at start (half a second for tiny.en), so a bad model stops
    the start with one line instead of failing at the first voice note."""
    if settings.SIDEGLIDE_STT == "off":
        return None
    try:
        return await asyncio.to_thread(Transcriber, settings.SIDEGLIDE_STT_MODEL)
    except SpeechError as exc:
        name = "SIDEGLIDE_STT" if "faster-whisper" in str(exc) else "SIDEGLIDE_STT_MODEL"
        raise ConfigError(f"{name}: {exc}") from None


def setup_logging(settings: Settings) -> None:
    secrets = [s for s in (settings.token, settings.webhook_secret) if s]
    json = settings.SIDEGLIDE_LOG_FORMAT == "json"
    logs.setup_logging(settings.SIDEGLIDE_LOG_LEVEL, json, secrets)


def build_voice(settings: Settings) -> VoiceService | None:
    if settings.SIDEGLIDE_TTS == "off":
        return None
    return VoiceService(settings.SIDEGLIDE_AUDIO_CACHE, settings.SIDEGLIDE_TTS)


async def close(built: Built) -> None:
    """Everything `build` opened, in reverse order."""
    if built.services.voice is not None:
        built.services.voice.close()
    await built.storage.close()


# --- what `sideglide` runs ------------------------------------------------------------


async def serve_telegram(
    settings: Settings,
    stop: asyncio.Event,
    ready: asyncio.Event | None = None,
    clock: Clock = utcnow,
) -> Services:
    """The Telegram bot's whole lifetime, until `stop` is set (SIGTERM, or a test)."""
    from bot.telegram.runner import serve

    built = await build(settings, clock)
    try:
        await serve(built.services, stop, ready)
    finally:
        await close(built)
    return built.services


def run_telegram(settings: Settings) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve_telegram(settings, stop)

    asyncio.run(main())


def run_console(settings: Settings) -> None:
    """The console: its logs go to a file (named once), so the chat stays readable."""
    from bot.console.console import Console

    async def main() -> None:
        built = await build(settings)  # a bad setting fails here, before any file is made
        # Ctrl-C ends the console at once: every answer was committed before its reply
        # (a killed process loses nothing, tested with kill -9), so nothing is waited for
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, _quit_now)
        log_path = console_log_path(settings)
        try:
            with log_path.open("a", encoding="utf-8") as log_file:
                secrets = [s for s in (settings.token, settings.webhook_secret) if s]
                json = settings.SIDEGLIDE_LOG_FORMAT == "json"
                logs.setup_logging(settings.SIDEGLIDE_LOG_LEVEL, json, secrets, stream=log_file)
                await Console(built.services, log_path=log_path).run()
        finally:
            await close(built)

    asyncio.run(main())


def _quit_now() -> None:
    sys.stdout.write("\n")
    sys.stdout.flush()
    os._exit(130)


def console_log_path(settings: Settings) -> Path:
    """Next to the database (its folder exists once `build` opened it)."""
    return settings.data_dir / "console.log"


def render_media(settings: Settings, langs: list[str] | None, docs: str | None = None) -> int:
    """`sideglide render-media`: every animation, then every voice note, with progress."""
    from bot.animation.prerender import draw_all, write_stills
    from bot.presentation.i18n import SUPPORTED
    from bot.voice.prerender import progress_bar, render_audio_command

    unknown = [lang for lang in langs or () if lang not in SUPPORTED]
    if unknown:
        print(
            f"unknown language: {', '.join(unknown)} (choose from {', '.join(SUPPORTED)})",
            file=sys.stderr,
        )
        return 2

    service = AnimationService(settings.SIDEGLIDE_AUDIO_CACHE)
    print(f"drawing the exercises into {service.dir}", file=sys.stderr)
    drawn = draw_all(service, progress_bar(unit="animations"))
    print(
        f"done in {drawn.elapsed_s:.1f} s: {drawn.total} ready "
        f"({drawn.made} new, {drawn.cached} already cached)",
        file=sys.stderr,
    )
    if docs:
        stills = write_stills(Path(docs))
        print(f"{len(stills)} stills written to {docs}", file=sys.stderr)
    return render_audio_command(settings, langs)


def _share_key(token: str | None) -> bytes | None:
    """The share codes' key, from the bot's token: every process of a deployment has it,
    and it never leaves (None, without a token: a random key for this process)."""
    if not token:
        return None
    return hashlib.sha256(b"sideglide share codes\0" + token.encode()).digest()
