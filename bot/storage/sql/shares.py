"""Shares and clinicians in SQL: who may see whose progress, and the weekly summary.

A code is kept only as its SHA-256: it is 128 random bits, so a hash without
salt cannot be searched, and a copy of the database opens no one's data.
Redeeming is one conditional UPDATE, so a code works once even when two
clinicians open it at the same moment.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.storage.ports import Clinician, Redeemed, Share
from bot.storage.sql.conn import Row, SqlDatabase
from bot.storage.sql.times import instant, instant_or_none, stamp

_COLUMNS = (
    "id, user_id, patient_name, created, expires, pt_id, pt_name, since, last_viewed, revoked"
)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _share(row: Row) -> Share:
    return Share(
        id=int(row["id"]),
        patient_id=int(row["user_id"]),
        patient_name=str(row["patient_name"]),
        created=instant(row["created"]),
        expires=instant(row["expires"]),
        pt_id=int(row["pt_id"]) if row["pt_id"] is not None else None,
        pt_name=str(row["pt_name"]) if row["pt_name"] is not None else None,
        since=instant_or_none(row["since"]),
        last_viewed=instant_or_none(row["last_viewed"]),
        revoked=instant_or_none(row["revoked"]),
    )


class SqlShares:
    """Shares (bot.storage.ports) in SQL."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def _one(self, sql: str, args: tuple[object, ...]) -> Share | None:
        row = await self._db.reads.fetchone(sql, args)
        return _share(row) if row is not None else None

    async def _all(self, sql: str, args: tuple[object, ...]) -> list[Share]:
        return [_share(r) for r in await self._db.reads.fetchall(sql, args)]

    async def create(
        self, patient_id: int, patient_name: str, code: str, now: datetime, expires: datetime
    ) -> Share:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM shares WHERE user_id = ? AND pt_id IS NULL", (patient_id,)
            )
            made = await conn.fetchone(
                "INSERT INTO shares (user_id, patient_name, code_hash, created, expires)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (patient_id, patient_name, code_hash(code), stamp(now), stamp(expires)),
            )
        share = await self.get(int(made["id"]) if made else 0)
        assert share is not None
        return share

    async def peek(self, code: str, viewer: int, now: datetime) -> tuple[Redeemed, Share | None]:
        share = await self._one(
            f"SELECT {_COLUMNS} FROM shares WHERE code_hash = ?", (code_hash(code),)
        )
        if share is None:
            return Redeemed.UNKNOWN, None
        if share.patient_id == viewer:
            return Redeemed.OWN, None
        if share.pt_id is not None:
            return Redeemed.USED, share  # whose it is: the same PT again is no failure
        if share.expires <= now:
            return Redeemed.EXPIRED, None
        return Redeemed.OK, share

    async def redeem(
        self, code: str, pt_id: int, pt_name: str, now: datetime
    ) -> tuple[Redeemed, Share | None]:
        async with self._db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE shares SET pt_id = ?, pt_name = ?, since = ?"
                " WHERE code_hash = ? AND pt_id IS NULL AND expires > ? AND user_id != ?",
                (pt_id, pt_name, stamp(now), code_hash(code), stamp(now), pt_id),
            )
        if changed != 1:
            verdict, share = await self.peek(code, pt_id, now)
            if verdict is Redeemed.OK:  # another clinician redeemed it a moment ago
                return Redeemed.USED, None
            return verdict, share if verdict is Redeemed.USED else None
        share = await self._one(
            f"SELECT {_COLUMNS} FROM shares WHERE code_hash = ?", (code_hash(code),)
        )
        return Redeemed.OK, share

    async def get(self, share_id: int) -> Share | None:
        return await self._one(f"SELECT {_COLUMNS} FROM shares WHERE id = ?", (share_id,))

    async def of_patient(self, patient_id: int) -> list[Share]:
        return await self._all(
            f"SELECT {_COLUMNS} FROM shares WHERE user_id = ? AND pt_id IS NOT NULL"
            " ORDER BY since, id",
            (patient_id,),
        )

    async def of_clinician(self, pt_id: int) -> list[Share]:
        return await self._all(
            f"SELECT {_COLUMNS} FROM shares WHERE pt_id = ? AND revoked IS NULL"
            " ORDER BY since, id",
            (pt_id,),
        )

    async def revoke(self, share_id: int, patient_id: int, now: datetime) -> Share | None:
        async with self._db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE shares SET revoked = ? WHERE id = ? AND user_id = ?"
                " AND pt_id IS NOT NULL AND revoked IS NULL",
                (stamp(now), share_id, patient_id),
            )
        return await self.get(share_id) if changed == 1 else None

    async def viewed(self, share_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE shares SET last_viewed = ? WHERE id = ?", (stamp(now), share_id)
            )

    async def clinician(self, pt_id: int) -> Clinician | None:
        row = await self._db.reads.fetchone(
            "SELECT pt_id, chat_id, language, tz, last_summary FROM clinicians WHERE pt_id = ?",
            (pt_id,),
        )
        return _clinician(row) if row is not None else None

    async def save_clinician(self, clinician: Clinician) -> None:
        c = clinician
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO clinicians (pt_id, chat_id, language, tz, last_summary)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (pt_id) DO UPDATE SET"
                " chat_id = excluded.chat_id, language = excluded.language, tz = excluded.tz",
                (c.pt_id, c.chat_id, c.language, c.tz, stamp(c.last_summary)),
            )

    async def clinicians(self) -> list[Clinician]:
        rows = await self._db.reads.fetchall(
            "SELECT pt_id, chat_id, language, tz, last_summary FROM clinicians ORDER BY pt_id"
        )
        return [_clinician(r) for r in rows]

    async def summary_sent(self, pt_id: int, at: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE clinicians SET last_summary = ? WHERE pt_id = ?", (stamp(at), pt_id)
            )

    async def sending(self, patient_id: int, chat_id: int, now: datetime, until: datetime) -> int:
        async with self._db.transaction() as conn:
            # a mark a stopped process left is dropped once its time is up
            await conn.execute("DELETE FROM sending WHERE expires <= ?", (stamp(now),))
            made = await conn.fetchone(
                "INSERT INTO sending (about, to_chat, expires) VALUES (?, ?, ?) RETURNING id",
                (patient_id, chat_id, stamp(until)),
            )
        assert made is not None
        return int(made["id"])

    async def sent(self, mark: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM sending WHERE id = ?", (mark,))

    async def in_flight(self, patient_id: int, now: datetime, chat_id: int | None = None) -> int:
        sql = "SELECT COUNT(*) AS n FROM sending WHERE about = ? AND expires > ?"
        args: tuple[object, ...] = (patient_id, stamp(now))
        if chat_id is not None:
            sql, args = sql + " AND to_chat = ?", (*args, chat_id)
        row = await self._db.reads.fetchone(sql, args)
        return int(row["n"]) if row is not None else 0

    async def unmark(self, patient_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM sending WHERE about = ?", (patient_id,))


def _clinician(row: Row) -> Clinician:
    return Clinician(
        int(row["pt_id"]),
        int(row["chat_id"]),
        str(row["language"]),
        str(row["tz"]),
        instant(row["last_summary"]),
    )
