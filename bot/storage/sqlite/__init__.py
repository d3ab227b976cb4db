"""The SQLite implementation of every storage port, on one shared connection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage.sql.conversation import SqlConversations
from bot.storage.sql.history import SqlHistory
from bot.storage.sql.reminders import SqlReminders
from bot.storage.sql.shares import SqlShares
from bot.storage.sql.voice_files import SqlVoiceFiles
from bot.storage.sqlite.database import Database


@dataclass(frozen=True, slots=True)
class SqliteStorage:
    db: Database
    conversations: SqlConversations
    history: SqlHistory
    reminders: SqlReminders
    voice_files: SqlVoiceFiles
    shares: SqlShares

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStorage:
        db = await Database.open(path)
        return cls(
            db,
            SqlConversations(db),
            SqlHistory(db),
            SqlReminders(db),
            SqlVoiceFiles(db),
            SqlShares(db),
        )

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
        await self.conversations.flush()
        await self.db.close()
