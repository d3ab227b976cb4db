"""The PostgreSQL implementation of every storage port (SIDEGLIDE_DB=postgresql://...)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.postgres.database import PgDatabase
from bot.storage.sql.conversation import SqlConversations
from bot.storage.sql.history import SqlHistory
from bot.storage.sql.reminders import SqlReminders
from bot.storage.sql.shares import SqlShares
from bot.storage.sql.voice_files import SqlVoiceFiles


@dataclass(frozen=True, slots=True)
class PostgresStorage:
    db: PgDatabase
    conversations: SqlConversations
    history: SqlHistory
    reminders: SqlReminders
    voice_files: SqlVoiceFiles
    shares: SqlShares

    @classmethod
    async def open(cls, url: str) -> PostgresStorage:
        db = await PgDatabase.open(url)
        return cls(
            db,
            SqlConversations(db),
            SqlHistory(db),
            SqlReminders(db),
            SqlVoiceFiles(db),
            SqlShares(db),
        )

    async def close(self) -> None:
        await self.conversations.flush()
        await self.db.close()
