"""What a store needs from a database: statements, rows read by name, whole transactions."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

PERSON_COLUMNS = ("user_id", "pt_id")


class Row(Protocol):
    """One row, its columns read by name (`row["at"]`), never by position."""

    def __getitem__(self, name: str, /) -> Any: ...


class Conn(Protocol):
    """One connection's statements; `?` marks a parameter on every backend."""

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        """Runs one statement; returns how many rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, args: Sequence[object] = ()) -> list[Row]: ...


@dataclass(frozen=True, slots=True)
class Query:
    """A statement SQLAlchemy compiled for one engine, and the order of its parameters."""

    sql: str
    names: tuple[str, ...]
    fixed: dict[str, object]  # the values the statement carries itself (SQLite's OFFSET 0)

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect) -> Query:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        names = tuple(compiled.positiontup or ())
        fixed = {k: v for k, v in compiled.params.items() if v is not None}
        return cls(str(compiled), names, fixed)

    def args(self, **values: object) -> tuple[object, ...]:
        """The parameters in the statement's order, from their names."""
        return tuple(values[name] if name in values else self.fixed[name] for name in self.names)


class SqlDatabase(Protocol):
    @property
    def dialect(self) -> Dialect:
        """The engine's SQLAlchemy dialect (qmark parameters): what compiles the schema
        and the few statements that differ between engines."""

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

    def user_lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """One turn of a user at a time across processes (a no-op for one process)."""
