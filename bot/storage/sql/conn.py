"""What a store needs from a database: statements, rows, and whole transactions."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Sequence[Any]
PERSON_COLUMNS = ("user_id", "pt_id")


class Conn(Protocol):
    """One connection's statements; `?` marks a parameter on every backend."""

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        """Runs one statement; returns how many rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, args: Sequence[object] = ()) -> list[Row]: ...


class SqlDatabase(Protocol):
    @property
    def reads(self) -> Conn:
        """For reads outside a transaction (each statement sees committed data)."""

    def transaction(self) -> AbstractAsyncContextManager[Conn]:
        """BEGIN ... COMMIT, or ROLLBACK on any error."""

    async def person_tables(self) -> dict[str, tuple[str, ...]]:
        """Every table with a column naming a person (PERSON_COLUMNS), and those columns."""

    async def scrub(self) -> None:
        """After an erasure: what was deleted is unreadable in the database's files too
        (SQLite: the WAL checkpointed into the zeroed pages and truncated)."""

    @property
    def shared(self) -> bool:
        """True when other processes write to the same database (PostgreSQL)."""

    def user_lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """One turn of a user at a time across processes (a no-op for one process)."""

    @property
    def skip_locked(self) -> str:
        """What a SELECT adds to lock the rows it hands out, passing over rows another
        transaction holds: " FOR UPDATE SKIP LOCKED", or nothing where one process writes."""
