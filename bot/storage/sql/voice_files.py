"""Telegram file ids of uploaded voice clips: each clip is uploaded once."""

from __future__ import annotations

from datetime import datetime

from bot.storage.sql.conn import SqlDatabase
from bot.storage.sql.times import stamp


class SqlVoiceFiles:
    """VoiceFiles (bot.storage.ports) in SQL."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def file_id(self, clip_key: str) -> str | None:
        row = await self._db.reads.fetchone(
            "SELECT file_id FROM voice_files WHERE clip_key = ?", (clip_key,)
        )
        return str(row["file_id"]) if row else None

    async def save_file_id(self, clip_key: str, file_id: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO voice_files (clip_key, file_id, created) VALUES (?, ?, ?)"
                " ON CONFLICT (clip_key) DO UPDATE SET file_id = excluded.file_id,"
                " created = excluded.created",
                (clip_key, file_id, stamp(now)),
            )
