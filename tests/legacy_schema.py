"""The schema as earlier versions of the bot wrote it (versions 1-6, and version 7's
reminders table), frozen here so tests can build the databases those versions left
behind and watch them migrate to bot.storage.sql.schema's version. A copy for the
tests: the bot never imports it.
"""

from __future__ import annotations

import re

REMINDERS: list[str] = [
    """
    CREATE TABLE reminders (
        user_id INTEGER PRIMARY KEY,
        tz TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('every', 'fixed')),
        every_hours INTEGER NOT NULL DEFAULT 3,
        start TEXT NOT NULL DEFAULT '08:00',
        "end" TEXT NOT NULL DEFAULT '21:00',
        fixed_times TEXT NOT NULL DEFAULT '',
        paused INTEGER NOT NULL DEFAULT 0,
        paused_reason TEXT,
        next_due INTEGER,
        snoozed_until INTEGER,
        last_sent INTEGER,
        in_flight INTEGER
    )
    """,
    "CREATE INDEX reminders_next_due ON reminders (next_due) WHERE next_due IS NOT NULL",
]

SHARING: list[str] = [
    # user_id is the patient; pt_id the clinician who redeemed the code (NULL until then).
    # Only a hash of the code is kept: a copy of the database opens no one's data.
    """
    CREATE TABLE shares (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        patient_name TEXT NOT NULL,
        code_hash TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        expires TEXT NOT NULL,
        pt_id INTEGER,
        pt_name TEXT,
        since TEXT,
        last_viewed TEXT,
        revoked TEXT,
        CHECK (pt_id IS NULL OR pt_id != user_id)
    )
    """,
    "CREATE INDEX shares_user ON shares (user_id)",
    "CREATE INDEX shares_pt ON shares (pt_id) WHERE pt_id IS NOT NULL",
    """
    CREATE TABLE clinicians (
        pt_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        language TEXT NOT NULL,
        tz TEXT NOT NULL,
        last_summary TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE prescriptions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        pt_id INTEGER,
        at TEXT NOT NULL,
        wall TEXT,
        rung TEXT NOT NULL,
        reps INTEGER
    )
    """,
    "CREATE INDEX prescriptions_user ON prescriptions (user_id, at)",
    """
    CREATE TABLE psfs (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        activity TEXT NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10)
    )
    """,
    "CREATE INDEX psfs_user ON psfs (user_id, at)",
]

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE users (
                user_id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                language TEXT NOT NULL,
                state TEXT NOT NULL,
                side TEXT,
                rung TEXT,
                no_change INTEGER NOT NULL DEFAULT 0,
                stall INTEGER NOT NULL DEFAULT 0,
                sets_done INTEGER NOT NULL DEFAULT 0,
                session TEXT NOT NULL,
                last_update_id INTEGER NOT NULL DEFAULT 0,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            )""",
            """CREATE TABLE checkins (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                rung TEXT NOT NULL,
                answer TEXT NOT NULL,
                pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
                reach TEXT NOT NULL
            )""",
            "CREATE INDEX checkins_user_at ON checkins (user_id, at)",
            """CREATE TABLE rung_changes (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                from_rung TEXT,
                to_rung TEXT NOT NULL,
                reason TEXT NOT NULL
            )""",
            "CREATE INDEX rung_changes_user ON rung_changes (user_id, at)",
            """CREATE TABLE screenings (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL,
                question TEXT NOT NULL,
                yes INTEGER NOT NULL
            )""",
            "CREATE INDEX screenings_user ON screenings (user_id, at)",
            """CREATE TABLE voice_files (
                clip_key TEXT PRIMARY KEY,
                file_id TEXT NOT NULL,
                created TEXT NOT NULL
            )""",
        ],
    ),
    (2, REMINDERS),
    (3, SHARING),
    # 4: the updates handled, by id: a re-delivered update is recognised even when
    # several processes answer and ids arrive out of order (kept two days)
    (
        4,
        [
            """CREATE TABLE processed_updates (
                update_id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                at TEXT NOT NULL
            )""",
            "CREATE INDEX processed_updates_user ON processed_updates (user_id, at)",
        ],
    ),
    # 5: a due reminder is handed to one process at a time, for a while: a process that
    # dies mid-ping gives its claim back when the lease ends (bot/reminders/ticker.py)
    (
        5,
        [
            "ALTER TABLE reminders ADD COLUMN lease_owner TEXT",
            "ALTER TABLE reminders ADD COLUMN lease_until INTEGER",
        ],
    ),
    # 6: the updates accepted and not yet handled (webhook mode; bot/storage/sql/inbox.py)
    (
        6,
        [
            """CREATE TABLE inbox (
                update_id INTEGER PRIMARY KEY,
                user_id INTEGER,
                received INTEGER NOT NULL,
                payload TEXT NOT NULL
            )""",
            "CREATE INDEX inbox_user ON inbox (user_id, update_id)",
            "CREATE INDEX inbox_received ON inbox (received)",
        ],
    ),
]


# 7: every other table as bot.storage.sql.schema still declares it; the reminders table
# with the copy of each user's schedule beside the ticker's state, as version 7 made it
V7_REMINDERS: list[str] = [
    """
    CREATE TABLE reminders (
        user_id INTEGER NOT NULL,
        tz TEXT NOT NULL,
        mode TEXT NOT NULL,
        every_hours INTEGER DEFAULT 3 NOT NULL,
        start TEXT DEFAULT '08:00' NOT NULL,
        "end" TEXT DEFAULT '21:00' NOT NULL,
        fixed_times TEXT DEFAULT '' NOT NULL,
        paused INTEGER DEFAULT 0 NOT NULL,
        paused_reason TEXT,
        next_due INTEGER,
        snoozed_until INTEGER,
        last_sent INTEGER,
        in_flight INTEGER,
        lease_owner TEXT,
        lease_until INTEGER,
        PRIMARY KEY (user_id),
        CHECK (mode IN ('every', 'fixed'))
    )
    """,
    "CREATE INDEX reminders_next_due ON reminders (next_due) WHERE next_due IS NOT NULL",
]


def for_postgres(migrations: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The same migrations in PostgreSQL's types: row ids from a sequence, 64-bit
    integers (Telegram ids and unix times need them)."""

    def convert(sql: str) -> str:
        sql = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGSERIAL PRIMARY KEY", sql)
        return re.sub(r"\bINTEGER\b", "BIGINT", sql)

    return [(version, [convert(sql) for sql in statements]) for version, statements in migrations]
