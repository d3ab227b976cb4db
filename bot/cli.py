"""`sideglide` / `python -m bot`: parse the command line, then hand over to bot.bootstrap."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import bootstrap
from bot.config import ConfigError, load_settings


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
        "render-media",
        aliases=["render-audio"],
        help="pre-render every animation and voice note into SIDEGLIDE_AUDIO_CACHE",
    )
    render.add_argument("--lang", action="append", help="only this language (repeatable)")
    render.add_argument(
        "--docs", metavar="DIR", help="also write a PNG still of each exercise into DIR"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    bootstrap.setup_logging(settings)
    command = args.command or "run"
    try:
        if command in ("render-media", "render-audio"):
            return bootstrap.render_media(settings, args.lang, args.docs)
        if command == "console" or settings.token is None:
            bootstrap.run_console(settings)
        else:
            bootstrap.run_telegram(settings)
        return 0
    except ConfigError as exc:  # found only when used: a path, a port, the token
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C is how a person leaves the console: a normal end, not an error for make
        if command == "console" or settings.token is None:
            print()
            return 0
        return 130
