"""A database an earlier version left is migrated at start, on both backends. Version 6
(times as ISO text in some tables): every row kept, every time the same instant as
seconds, the dead columns gone, and the bot reads and writes it as before. Version 7
(the reminders table holding a copy of each schedule): the copy goes, and every user
still gets their reminders as their session says.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.reminders.ticker import ReminderInfo, ReminderTicker, SendOutcome
from bot.storage.ports import Redeemed, Turn
from bot.storage.postgres import PostgresStorage
from bot.storage.postgres.database import numbered
from bot.storage.sql import schema
from bot.storage.sqlite import SqliteStorage
from flows.effects import RecordCheckIn
from flows.model import Answer, CheckIn, Reach, Rung
from flows.session import Session
from tests import dbkit, legacy_schema

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ISO = "2026-03-02T09:00:00+00:00"
LATER = "2026-03-09T09:00:00+00:00"
SESSION = Session(language="de").to_dict()

# rows as version 6 wrote them: (table, columns, values)
ROWS = [
    (
        "users",
        "user_id, chat_id, language, state, side, rung, no_change, stall, sets_done,"
        " session, last_update_id, created, updated",
        (7, 70, "de", "idle", "left", "side_glide", 0, 1, 2, None, 41, ISO, LATER),
    ),
    (
        "checkins",
        "id, user_id, at, rung, answer, pain, reach",
        (5, 7, ISO, "side_glide", "centralizing", 4, "buttock"),
    ),
    (
        "rung_changes",
        "id, user_id, at, from_rung, to_rung, reason",
        (3, 7, ISO, None, "press_ups", "start"),
    ),
    ("screenings", "id, user_id, at, question, yes", (2, 7, ISO, "saddle", 0)),
    ("voice_files", "clip_key, file_id, created", ("en-clip", "file-1", ISO)),
    (
        "reminders",
        'user_id, tz, mode, every_hours, start, "end", fixed_times, paused, paused_reason,'
        " next_due, snoozed_until, last_sent, in_flight, lease_owner, lease_until",
        (
            7,
            "UTC",
            "every",
            3,
            "08:00",
            "21:00",
            "",
            0,
            None,
            1772442000,
            None,
            None,
            None,
            None,
            None,
        ),
    ),
    (
        "shares",
        "id, user_id, patient_name, code_hash, created, expires, pt_id, pt_name, since,"
        " last_viewed, revoked",
        (9, 7, "Ann", "hash-1", ISO, LATER, 8, "Dr B", ISO, None, None),
    ),
    ("clinicians", "pt_id, chat_id, language, tz, last_summary", (8, 80, "en", "UTC", ISO)),
    (
        "prescriptions",
        "id, user_id, pt_id, at, wall, rung, reps",
        (4, 7, 8, ISO, "left", "side_glide", 10),
    ),
    ("psfs", "id, user_id, at, activity, score", (6, 7, ISO, "walking", 5)),
    ("processed_updates", "update_id, user_id, at", (41, 7, ISO)),
    ("inbox", "update_id, user_id, received, payload", (42, 7, 1772442000, "{}")),
]


def _values() -> list[tuple[str, str, tuple[object, ...]]]:
    out: list[tuple[str, str, tuple[object, ...]]] = []
    for table, columns, values in ROWS:
        if table == "users":
            values = (*values[:9], json.dumps(SESSION), *values[10:])
        out.append((table, columns, values))
    return out


def legacy_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        for version, statements in legacy_schema.MIGRATIONS:
            for sql in statements:
                conn.execute(sql)
            conn.execute("INSERT INTO schema_version VALUES (?)", (version,))
        for table, columns, values in _values():
            marks = ", ".join("?" for _ in values)
            conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    conn.close()


async def legacy_postgres(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
            for version, statements in legacy_schema.for_postgres(legacy_schema.MIGRATIONS):
                for sql in statements:
                    await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version VALUES ($1)", version)
            for table, columns, values in _values():
                marks = ", ".join("?" for _ in values)
                sql = numbered(f"INSERT INTO {table} ({columns}) VALUES ({marks})")
                await conn.execute(sql, *values)
            # the row ids the version-6 sequences had handed out
            for table in ("checkins", "rung_changes", "screenings", "shares"):
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The SIDEGLIDE_DB of a database version 6 left behind."""
    if request.param == "postgres":
        url = str(request.getfixturevalue("pg_url"))
        await legacy_postgres(url)
        return url
    path = tmp_path / "old.sqlite3"
    legacy_sqlite(path)
    return str(path)


async def open_storage(db: str) -> SqliteStorage | PostgresStorage:
    if dbkit.is_postgres(db):
        return await PostgresStorage.open(db)
    return await SqliteStorage.open(db)


async def test_a_version_6_database_is_migrated_and_keeps_every_row(legacy: str) -> None:
    storage = await open_storage(legacy)
    try:
        assert dbkit.one(legacy, "SELECT MAX(version) FROM schema_version") == (schema.VERSION,)
        loaded = await storage.conversations.load(7)
        assert loaded is not None and loaded.chat_id == 70
        assert loaded.session.language == "de"
        assert await storage.conversations.seen(41) and not await storage.conversations.seen(40)
        assert await storage.history.checkins(7) == [
            CheckIn(T0, Rung.SIDE_GLIDE, Answer.CENTRALIZING, 4, Reach.BUTTOCK)
        ]
        assert [c.at for c in await storage.history.rung_changes(7)] == [T0]
        assert [s.at for s in await storage.history.screenings(7)] == [T0]
        assert [(p.at, p.pt_id) for p in await storage.history.prescriptions(7)] == [(T0, 8)]
        assert [(r.at, r.score) for r in await storage.history.psfs(7)] == [(T0, 5)]
        share = await storage.shares.get(9)  # its id is in the patient's buttons: kept
        assert share is not None and share.live
        assert (share.created, share.expires, share.since) == (T0, T0 + timedelta(days=7), T0)
        clinician = await storage.shares.clinician(8)
        assert clinician is not None and clinician.last_summary == T0
        assert await storage.voice_files.file_id("en-clip") == "file-1"
        reminder = await storage.reminders.get(7)
        assert reminder is not None and reminder.next_due == datetime.fromtimestamp(
            1772442000, UTC
        )
        # the times are numbers now, the dead columns gone
        assert dbkit.one(legacy, "SELECT at FROM checkins") == (int(T0.timestamp()),)
        assert dbkit.one(legacy, "SELECT created, updated FROM users") == (
            int(T0.timestamp()),
            int((T0 + timedelta(days=7)).timestamp()),
        )
        columns = dbkit.tables(legacy)
        assert "no_change" not in columns["users"] and "last_update_id" not in columns["users"]
        assert {t.name for t in schema.metadata.sorted_tables} <= set(columns)
        # and it goes on: new rows get new ids, a code still redeems once
        await storage.conversations.commit(
            Turn(
                user_id=7,
                chat_id=70,
                session=loaded.session,
                now=T0 + timedelta(hours=1),
                update_id=43,
                records=(
                    RecordCheckIn(
                        checkin=CheckIn(
                            T0 + timedelta(hours=1),
                            Rung.SIDE_GLIDE,
                            Answer.NO_CHANGE,
                            3,
                            Reach.THIGH,
                        )
                    ),
                ),
            )
        )
        ids = [r[0] for r in dbkit.rows(legacy, "SELECT id FROM checkins ORDER BY id")]
        assert ids[0] == 5 and ids[1] > 5 and len(ids) == 2
        verdict, _ = await storage.shares.redeem("nope", 8, "Dr B", T0)
        assert verdict is Redeemed.UNKNOWN
    finally:
        await storage.close()
    again = await open_storage(legacy)  # a second start finds nothing to do
    await again.close()
    assert dbkit.one(legacy, "SELECT COUNT(*) FROM schema_version WHERE version = 7") == (1,)


# --- version 7: the reminders table held a copy of each user's schedule -----------------

JUNE = datetime(2024, 6, 3, tzinfo=UTC)  # a Monday; Berlin on summer time (UTC+2)


def june(h: int, m: int = 0, s: int = 0, day: int = 3) -> datetime:
    return JUNE.replace(day=day, hour=h, minute=m, second=s)


def v7_session(tz: str, mode: str, every: int, window: str, times: str, **safety: Any) -> str:
    """A session as version 7 wrote it: the window and the times as text."""
    data = Session(language="en").to_dict()
    data["reminders"] = {
        "tz": tz,
        "mode": mode,
        "every": every,
        "window": window,
        "times": times,
        "paused": False,
    }
    data["safety"] |= safety
    return json.dumps(data)


def stamp(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


# (user, session, the reminders row's copy of it and its own state), as version 7 kept them
V7_USERS: list[tuple[int, str, tuple[object, ...]]] = [
    (  # 09:30 in Berlin is 07:30 UTC
        11,
        v7_session("Europe/Berlin", "fixed", 3, "08:00-21:00", "09:30"),
        ("Europe/Berlin", "fixed", 3, "08:00", "21:00", "09:30", 0, None, stamp(june(7, 30))),
    ),
    (
        12,
        v7_session("UTC", "every", 2, "08:00-20:00", ""),
        ("UTC", "every", 2, "08:00", "20:00", "", 0, None, stamp(june(8))),
    ),
    (  # held by the stop rule: nothing due
        13,
        v7_session("UTC", "every", 3, "08:00-21:00", "", hold="stop"),
        ("UTC", "every", 3, "08:00", "21:00", "", 1, "worse", None),
    ),
    (  # a snoozed ping, due at 08:30
        14,
        v7_session("UTC", "every", 3, "08:00-21:00", ""),
        ("UTC", "every", 3, "08:00", "21:00", "", 0, None, stamp(june(8, 30))),
    ),
]
V7_COLUMNS = (
    'user_id, tz, mode, every_hours, start, "end", fixed_times, paused, paused_reason,'
    " next_due, snoozed_until"
)


def v7_statements(dialect: Any) -> list[str]:
    """Version 7's tables: the others as still declared, its own reminders table."""
    out = [
        sql
        for t in schema.metadata.sorted_tables
        if t.name != "reminders"
        for sql in schema.create(t, dialect)
    ]
    return out + legacy_schema.V7_REMINDERS


def v7_rows() -> list[tuple[str, tuple[object, ...]]]:
    out: list[tuple[str, tuple[object, ...]]] = []
    for uid, session, row in V7_USERS:
        out.append(
            (
                "INSERT INTO users (user_id, chat_id, language, state, stall, sets_done, session,"
                " created, updated) VALUES (?, ?, 'en', 'idle', 0, 0, ?, 0, 0)",
                (uid, uid, session),
            )
        )
        snoozed = row[-1] if uid == 14 else None
        out.append(
            (
                f"INSERT INTO reminders ({V7_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                (uid, *row, snoozed),
            )
        )
    return out


async def v7_database(db: str) -> None:
    if dbkit.is_postgres(db):
        from bot.storage.postgres.database import DIALECT as PG

        statements = legacy_schema.for_postgres([(7, v7_statements(PG))])[0][1]
    else:
        from bot.storage.sqlite.database import DIALECT as LITE

        statements = v7_statements(LITE)
    statements = ["CREATE TABLE schema_version (version INTEGER PRIMARY KEY)", *statements]
    for sql in [*statements, "INSERT INTO schema_version VALUES (7)"]:
        dbkit.rows(db, sql)
    for sql, values in v7_rows():
        dbkit.rows(db, sql, values)


@pytest.fixture(params=["sqlite", "postgres"])
async def legacy7(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The SIDEGLIDE_DB of a database version 7 left behind, with reminders set."""
    db = (
        str(request.getfixturevalue("pg_url"))
        if request.param == "postgres"
        else str(tmp_path / "v7.sqlite3")
    )
    await v7_database(db)
    return db


async def test_a_version_7_database_keeps_its_reminders_from_the_sessions(legacy7: str) -> None:
    """The copied schedule columns go; every user still gets their reminders at the
    times their session says, a hold still holds, a snooze still comes."""
    storage = await open_storage(legacy7)
    try:
        assert dbkit.rows(legacy7, "SELECT version FROM schema_version ORDER BY version") == [
            (7,),
            (8,),
        ]
        assert dbkit.tables(legacy7)["reminders"] == {
            "user_id",
            "next_due",
            "snoozed_until",
            "last_sent",
            "in_flight",
            "lease_owner",
            "lease_until",
        }
        held = await storage.reminders.get(13)
        assert held is not None and held.paused_reason == "worse" and held.next_due is None
        sent: list[ReminderInfo] = []

        async def send(user_id: int, info: ReminderInfo) -> SendOutcome:
            sent.append(info)
            return SendOutcome.OK

        ticker = ReminderTicker(storage.reminders, send)
        for at in (june(7, 30, 5), june(8, 0, 5), june(8, 30, 5), june(10, 0, 5), june(11, 0, 5)):
            await ticker.tick(at)
        assert [(i.user_id, i.slot, i.kind, i.next_due) for i in sent] == [
            (11, june(7, 30), "scheduled", june(7, 30, day=4)),
            (12, june(8), "scheduled", june(10)),
            (14, june(8, 30), "snoozed", june(11)),
            (12, june(10), "scheduled", june(12)),
            (14, june(11), "scheduled", june(14)),
        ]
        assert sent[0].tz == "Europe/Berlin"
        again = await storage.reminders.get(13)
        assert again is not None and again.next_due is None
    finally:
        await storage.close()
