"""Adapters and wiring around the flow engine: Telegram, console, storage, voice."""

import os

# python-telegram-bot 22 returns timedeltas for durations and retry_after only
# when asked; otherwise every 429 also raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
