"""The schema, declared once (SQLAlchemy Core tables) and written out for each engine.

Each backend compiles these tables into its own DDL (`CREATE TABLE`, `CREATE INDEX`)
with its SQLAlchemy dialect: SQLite's INTEGER row ids and PostgreSQL's BIGSERIAL
and BIGINT come from the same columns, so the two schemas cannot drift apart.
SQLAlchemy is used for its schema and expression compiler only; the stores run their
statements on the backends' own drivers (aiosqlite, asyncpg).

One representation of time everywhere: whole seconds since 1970 UTC in a 64-bit
integer column (`instant`; bot.storage.sql.times converts). A NULL time is "none".

Versions, in `schema_version`: 1-6 were written by earlier versions of the bot
(users, check-ins, ladder moves, screenings, voice file ids; reminders; sharing and
the PSFS; the updates handled; the reminders' lease; the inbox), some with times as
ISO text. 7 declared every table as here, with times as seconds, and the reminders
table still holding a copy of each user's schedule (`V7_REMINDERS`). 8 is this
declaration: the schedule is kept in the session only, the reminders table keeps the
ticker's own state, and `sending` marks the letters about a patient on their way. A
new database is created in it; a database at an earlier version is brought to each
later version in turn at start, all in one transaction (`upgrade`): each table whose
columns differ from that version's is rebuilt with its rows, ISO times turned into
seconds, and the columns no longer declared (`users.no_change`,
`users.last_update_id`; at 8 the reminders' tz, mode, every_hours, start, end,
fixed_times, paused and paused_reason) left behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    column,
    insert,
    select,
    table,
    text,
)
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

VERSION = 8

# Telegram ids and times need 64 bits on PostgreSQL; on SQLite every integer is 64-bit,
# and a key declared exactly INTEGER is the table's row id (no second index)
INT = BigInteger().with_variant(Integer(), "sqlite")
TIME = "time"  # Column.info key: the column holds an instant (seconds since 1970, UTC)

metadata = MetaData()


def key(name: str) -> Column[Any]:
    """A primary key given by the caller (a Telegram id, a clip key's owner...)."""
    return Column(name, INT, primary_key=True, autoincrement=False)


def row_id() -> Column[Any]:
    """A row id the database counts (SQLite's rowid, PostgreSQL's BIGSERIAL)."""
    return Column("id", INT, primary_key=True, autoincrement=True)


def instant(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, INT, nullable=nullable, info={TIME: True})


def required(name: str, kind: Any = Text, default: str | None = None) -> Column[Any]:
    return Column(
        name, kind, nullable=False, server_default=None if default is None else text(default)
    )


def optional(name: str, kind: Any = Text) -> Column[Any]:
    return Column(name, kind, nullable=True)


users = Table(
    "users",
    metadata,
    key("user_id"),
    required("chat_id", INT),
    required("language"),
    required("state"),
    optional("side"),
    optional("rung"),
    required("stall", INT, "0"),
    required("sets_done", INT, "0"),
    required("session"),  # flows.session as JSON: the one source of the user's choices
    instant("created"),
    instant("updated"),
)

checkins = Table(
    "checkins",
    metadata,
    row_id(),
    required("user_id", INT),
    instant("at"),
    required("rung"),
    required("answer"),
    required("pain", INT),
    required("reach"),
    CheckConstraint("pain BETWEEN 0 AND 10"),
    Index("checkins_user_at", "user_id", "at"),
)

rung_changes = Table(
    "rung_changes",
    metadata,
    row_id(),
    required("user_id", INT),
    instant("at"),
    optional("from_rung"),
    required("to_rung"),
    required("reason"),
    Index("rung_changes_user", "user_id", "at"),
)

screenings = Table(
    "screenings",
    metadata,
    row_id(),
    required("user_id", INT),
    instant("at"),
    required("question"),
    required("yes", INT),
    Index("screenings_user", "user_id", "at"),
)

voice_files = Table(
    "voice_files",
    metadata,
    Column("clip_key", Text, primary_key=True),
    required("file_id"),
    instant("created"),
)


def _next_due_index() -> Index:
    return Index(
        "reminders_next_due",
        "next_due",
        sqlite_where=text("next_due IS NOT NULL"),
        postgresql_where=text("next_due IS NOT NULL"),
    )


def _ticker_state() -> list[Column[Any]]:
    """What only the ticker knows: when the next ping is due (NULL: nothing, paused), a
    snooze, the last send, a send in flight, and the lease on a due row."""
    return [
        instant("next_due", nullable=True),
        instant("snoozed_until", nullable=True),
        instant("last_sent", nullable=True),
        instant("in_flight", nullable=True),
        optional("lease_owner"),
        instant("lease_until", nullable=True),
    ]


# The ticker's table (bot.storage.sql.reminders): its own state only. Each user's
# schedule is in their session (users.session), where the ticker reads it.
reminders = Table("reminders", metadata, key("user_id"), *_ticker_state(), _next_due_index())

# The reminders table as version 7 declared it: a copy of the session's schedule beside
# the ticker's state (an older database passes through it on its way to 8).
V7_REMINDERS = Table(
    "reminders",
    MetaData(),
    key("user_id"),
    required("tz"),
    required("mode"),
    required("every_hours", INT, "3"),
    required("start", Text, "'08:00'"),
    required("end", Text, "'21:00'"),
    required("fixed_times", Text, "''"),
    required("paused", INT, "0"),
    optional("paused_reason"),
    *_ticker_state(),
    CheckConstraint("mode IN ('every', 'fixed')"),
    _next_due_index(),
)

# user_id is the patient; pt_id the clinician who redeemed the code (NULL until then).
# Only a hash of the code is kept: a copy of the database opens no one's data.
shares = Table(
    "shares",
    metadata,
    row_id(),
    required("user_id", INT),
    required("patient_name"),
    Column("code_hash", Text, nullable=False, unique=True),
    instant("created"),
    instant("expires"),
    optional("pt_id", INT),
    optional("pt_name"),
    instant("since", nullable=True),
    instant("last_viewed", nullable=True),
    instant("revoked", nullable=True),
    CheckConstraint("pt_id IS NULL OR pt_id != user_id"),
    Index("shares_user", "user_id"),
    Index(
        "shares_pt",
        "pt_id",
        sqlite_where=text("pt_id IS NOT NULL"),
        postgresql_where=text("pt_id IS NOT NULL"),
    ),
)

# A letter about a patient on its way to a clinician (bot.sharing.clinic.leaving): marked
# when its access check passes, removed when its send ends. A revoke or /forget waits for
# the patient's marks before it is confirmed, so no lock is held while a letter is sent.
# `about` is not a person column: a mark lives seconds, and /forget must still see it.
sending = Table(
    "sending",
    metadata,
    row_id(),
    required("about", INT),
    required("to_chat", INT),
    instant("expires"),
    Index("sending_about", "about"),
)

clinicians = Table(
    "clinicians",
    metadata,
    key("pt_id"),
    required("chat_id", INT),
    required("language"),
    required("tz"),
    instant("last_summary"),
)

prescriptions = Table(
    "prescriptions",
    metadata,
    row_id(),
    required("user_id", INT),
    optional("pt_id", INT),
    instant("at"),
    optional("wall"),
    required("rung"),
    optional("reps", INT),
    Index("prescriptions_user", "user_id", "at"),
)

psfs = Table(
    "psfs",
    metadata,
    row_id(),
    required("user_id", INT),
    instant("at"),
    required("activity"),
    required("score", INT),
    CheckConstraint("score BETWEEN 0 AND 10"),
    Index("psfs_user", "user_id", "at"),
)

# the updates handled, by id: a re-delivered update is recognised even when several
# processes answer and ids arrive out of order (kept two days)
processed_updates = Table(
    "processed_updates",
    metadata,
    key("update_id"),
    required("user_id", INT),
    instant("at"),
    Index("processed_updates_user", "user_id", "at"),
)

# the updates accepted and not yet handled (webhook mode; bot/storage/sql/inbox.py)
inbox = Table(
    "inbox",
    metadata,
    key("update_id"),
    optional("user_id", INT),
    instant("received"),
    required("payload"),
    Index("inbox_user", "user_id", "update_id"),
    Index("inbox_received", "received"),
)


# --- DDL for one engine -----------------------------------------------------------------

Found = Mapping[str, Mapping[str, bool]]  # table -> column -> does it hold text?


class epoch_of(FunctionElement[int]):
    """An ISO 8601 text time as whole seconds since 1970 (NULL stays NULL)."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_of, "sqlite")
def _epoch_sqlite(element: epoch_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_of, "postgresql")
def _epoch_postgres(element: epoch_of, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM CAST({inner} AS TIMESTAMPTZ)) AS BIGINT)"


def _ddl(construct: Any, dialect: Dialect) -> str:
    return str(construct.compile(dialect=dialect)).strip()


def create(t: Table, dialect: Dialect) -> list[str]:
    """The table and its indexes, as this engine writes them."""
    return [_ddl(CreateTable(t), dialect), *_indexes(t, dialect)]


def _indexes(t: Table, dialect: Dialect) -> list[str]:
    return [_ddl(CreateIndex(i), dialect) for i in sorted(t.indexes, key=lambda i: str(i.name))]


def _outdated(t: Table, found: Mapping[str, bool]) -> bool:
    if set(found) != {c.name for c in t.columns}:
        return True
    return any(c.info.get(TIME) and found[c.name] for c in t.columns)


def _carried(t: Table, found: Mapping[str, bool]) -> list[tuple[str, ColumnElement[Any]]]:
    """Each declared column the old table has, and how its old value is read."""
    out: list[tuple[str, ColumnElement[Any]]] = []
    for c in t.columns:
        if c.name not in found:
            continue  # new: its default
        old: ColumnElement[Any] = column(c.name)
        out.append((c.name, epoch_of(old) if c.info.get(TIME) and found[c.name] else old))
    return out


def rebuild(t: Table, found: Mapping[str, bool], dialect: Dialect) -> list[str]:
    """The table in its declared shape, with its rows: built beside the old one, filled,
    then put in its place. Row ids are kept (a share's id is in its buttons)."""
    new = t.to_metadata(MetaData(), name=f"{t.name}__new")
    carried = _carried(t, found)
    fill = insert(new).from_select(
        [name for name, _ in carried],
        select(*[value for _, value in carried]).select_from(
            table(t.name, *[column(n) for n in found])
        ),
    )
    out = [
        _ddl(CreateTable(new), dialect),
        _ddl(fill, dialect),
        _ddl(DropTable(t), dialect),
        f"ALTER TABLE {new.name} RENAME TO {t.name}",  # no construct for it; same on both
        *_indexes(t, dialect),
    ]
    counted = t.autoincrement_column
    if counted is not None and dialect.supports_sequences:
        # the copied ids came with their values: the counter goes on after the last
        out.append(
            f"SELECT setval(pg_get_serial_sequence('{t.name}', '{counted.name}'),"
            f" COALESCE(MAX({counted.name}), 0) + 1, false) FROM {t.name}"
        )
    return out


def declared(version: int) -> list[Table]:
    """Every table as `version` (7 or later) declared it."""
    if version >= VERSION:
        return metadata.sorted_tables
    return [
        V7_REMINDERS if t is reminders else t for t in metadata.sorted_tables if t is not sending
    ]


def _conform(tables: list[Table], found: Found, dialect: Dialect) -> list[str]:
    """The statements that give the `found` tables the shape of `tables`."""
    statements: list[str] = []
    for t in tables:
        if t.name not in found:
            statements += create(t, dialect)
        elif _outdated(t, found[t.name]):
            statements += rebuild(t, found[t.name], dialect)
    return statements


def _shape(tables: list[Table]) -> dict[str, dict[str, bool]]:
    """The tables and columns `tables` leave (every time in seconds: none as text)."""
    return {t.name: {c.name: False for c in t.columns} for t in tables}


def upgrade(dialect: Dialect, current: int, found: Found) -> list[tuple[int, list[str]]]:
    """The statements that bring a database at version `current`, whose tables and
    columns are `found`, to VERSION: each version's, in order (none when it is there).
    A new database (no table yet) is created in VERSION at once."""
    if current >= VERSION:
        return []
    if not found:
        return [(VERSION, _conform(declared(VERSION), found, dialect))]
    steps: list[tuple[int, list[str]]] = []
    for version in range(max(current + 1, 7), VERSION + 1):
        tables = declared(version)
        steps.append((version, _conform(tables, found, dialect)))
        found = {**found, **_shape(tables)}
    return steps
