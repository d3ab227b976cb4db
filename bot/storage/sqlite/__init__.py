"""The SQLite implementation of every storage port, on one shared connection.

One process owns the file (bot.storage.sqlite.database): so the stores are told they
are alone (a lease found at start is a dead process's), and updates a stopped process
had accepted are handed on at once.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.sql.storage import SqlStorage
from bot.storage.sqlite.database import Database


class SqliteStorage(SqlStorage[Database]):
    __slots__ = ()

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStorage:
        storage = cls.over(await Database.open(path), sole=True)
        try:
            await storage.inbox.hand_on_all()
        except BaseException:
            await storage.db.close()
            raise
        return storage
