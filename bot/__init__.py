"""Adapters and wiring around the flow engine: Telegram, console, storage, voice."""
