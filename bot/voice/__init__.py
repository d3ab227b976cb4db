"""Voice notes: what is spoken (script), text -> speech (gTTS, espeak-ng) -> OGG/Opus,
cached on disk, timed guided sets and pre-rendering.

Imports nothing from telegram; the Telegram adapter keeps file_ids by `Clip.key`.
"""
