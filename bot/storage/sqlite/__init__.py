"""The SQLite implementation of every storage port, on one shared connection."""

from __future__ import annotations

from pathlib import Path

from bot.storage.sql.storage import SqlStorage
from bot.storage.sqlite.database import Database


class SqliteStorage(SqlStorage[Database]):
    __slots__ = ()

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStorage:
        return cls.over(await Database.open(path))
