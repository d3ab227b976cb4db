"""The PostgreSQL implementation of every storage port (SIDEGLIDE_DB=postgresql://...).

Several processes may share the database: no store assumes it is alone (a lease runs
out on its own, another holder may be alive).
"""

from __future__ import annotations

from bot.storage.postgres.database import PgDatabase
from bot.storage.sql.storage import SqlStorage


class PostgresStorage(SqlStorage[PgDatabase]):
    __slots__ = ()

    @classmethod
    async def open(cls, url: str) -> PostgresStorage:
        return cls.over(await PgDatabase.open(url), sole=False)
