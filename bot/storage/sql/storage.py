"""Every store over one database: what each backend's `open` returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, Self, TypeVar

from bot.storage.ports import Health, Leadership
from bot.storage.sql.conn import SqlDatabase
from bot.storage.sql.conversation import SqlConversations
from bot.storage.sql.history import SqlHistory
from bot.storage.sql.inbox import SqlInbox
from bot.storage.sql.reminders import SqlReminders
from bot.storage.sql.shares import SqlShares
from bot.storage.sql.voice_files import SqlVoiceFiles


class Closable(SqlDatabase, Health, Leadership, Protocol):
    async def close(self) -> None: ...


D = TypeVar("D", bound=Closable)
CACHED_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class SqlStorage(Generic[D]):
    """bot.storage.ports.Storage in SQL, over one backend's database."""

    db: D
    conversations: SqlConversations
    history: SqlHistory
    reminders: SqlReminders
    voice_files: SqlVoiceFiles
    shares: SqlShares
    inbox: SqlInbox

    @classmethod
    def over(cls, db: D, *, sole: bool) -> Self:
        """`sole`: the backend's word that no other process writes this database (then
        sessions are kept as committed, and a lease found at start is a dead process's)."""
        return cls(
            db,
            SqlConversations(db, cache_size=CACHED_SESSIONS if sole else 0),
            SqlHistory(db),
            SqlReminders(db, sole=sole),
            SqlVoiceFiles(db),
            SqlShares(db),
            SqlInbox(db),
        )

    @property
    def health(self) -> D:
        return self.db

    @property
    def leader(self) -> D:
        return self.db

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
        await self.conversations.flush()
        await self.db.close()
