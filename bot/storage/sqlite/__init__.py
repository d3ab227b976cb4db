"""The SQLite implementation of every storage port, on one shared connection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage.sqlite.conversation import SqliteConversations
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.history import SqliteHistory
from bot.storage.sqlite.reminders import SqliteReminders
from bot.storage.sqlite.shares import SqliteShares
from bot.storage.sqlite.voice_files import SqliteVoiceFiles


@dataclass(frozen=True, slots=True)
class SqliteStorage:
    db: Database
    conversations: SqliteConversations
    history: SqliteHistory
    reminders: SqliteReminders
    voice_files: SqliteVoiceFiles
    shares: SqliteShares

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStorage:
        db = await Database.open(path)
        return cls(
            db,
            SqliteConversations(db),
            SqliteHistory(db),
            SqliteReminders(db),
            SqliteVoiceFiles(db),
            SqliteShares(db),
        )

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
        await self.conversations.flush()
        await self.db.close()
