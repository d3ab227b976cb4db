"""Telegram file ids of uploaded voice clips: each clip is uploaded once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.sqlite.database import Database


class SqliteVoiceFiles:
    """VoiceFiles (bot.storage.ports) on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def file_id(self, clip_key: str) -> str | None:
        async with self._db.conn.execute(
            "SELECT file_id FROM voice_files WHERE clip_key = ?", (clip_key,)
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def save_file_id(self, clip_key: str, file_id: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO voice_files (clip_key, file_id, created) VALUES (?, ?, ?)",
                (clip_key, file_id, now.astimezone(UTC).isoformat(timespec="seconds")),
            )
