"""Every store over one database: what each backend's `open` returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, Self, TypeVar

from bot.storage.sql.conn import SqlDatabase
from bot.storage.sql.conversation import SqlConversations
from bot.storage.sql.history import SqlHistory
from bot.storage.sql.inbox import SqlInbox
from bot.storage.sql.reminders import SqlReminders
from bot.storage.sql.shares import SqlShares
from bot.storage.sql.voice_files import SqlVoiceFiles


class Closable(SqlDatabase, Protocol):
    async def close(self) -> None: ...


D = TypeVar("D", bound=Closable)


@dataclass(frozen=True, slots=True)
class SqlStorage(Generic[D]):
    db: D
    conversations: SqlConversations
    history: SqlHistory
    reminders: SqlReminders
    voice_files: SqlVoiceFiles
    shares: SqlShares
    inbox: SqlInbox

    @classmethod
    def over(cls, db: D) -> Self:
        return cls(
            db,
            SqlConversations(db),
            SqlHistory(db),
            SqlReminders(db),
            SqlVoiceFiles(db),
            SqlShares(db),
            SqlInbox(db),
        )

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
        await self.conversations.flush()
        await self.db.close()
