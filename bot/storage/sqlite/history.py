"""What was recorded, read back for the chart, the export and the nudge."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.ports import Prescribed, Screening
from bot.storage.sqlite.database import Database
from flows.model import Answer, CheckIn, Prescription, PsfsRating, Reach, Rung, RungChange, Side


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class SqliteHistory:
    """History (bot.storage.ports) on SQLite: what the chart, the export and the nudge read."""

    def __init__(self, db: Database) -> None:
        self._conn: aiosqlite.Connection = db.conn

    async def checkins(self, user_id: int) -> list[CheckIn]:
        async with self._conn.execute(
            "SELECT at, rung, answer, pain, reach FROM checkins WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [CheckIn(_dt(r[0]), Rung(r[1]), Answer(r[2]), int(r[3]), Reach(r[4])) for r in rows]

    async def rung_changes(self, user_id: int) -> list[RungChange]:
        async with self._conn.execute(
            "SELECT at, from_rung, to_rung, reason FROM rung_changes WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            RungChange(_dt(r[0]), Rung(r[1]) if r[1] else None, Rung(r[2]), r[3]) for r in rows
        ]

    async def screenings(self, user_id: int) -> list[Screening]:
        async with self._conn.execute(
            "SELECT at, question, yes FROM screenings WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [Screening(_dt(r[0]), r[1], bool(r[2])) for r in rows]

    async def prescriptions(self, user_id: int) -> list[Prescribed]:
        async with self._conn.execute(
            "SELECT at, wall, rung, reps, pt_id FROM prescriptions WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            Prescribed(
                _dt(r[0]),
                Prescription(Rung(r[2]), Side(r[1]) if r[1] else None, r[3]),
                r[4],
            )
            for r in rows
        ]

    async def psfs(self, user_id: int) -> list[PsfsRating]:
        async with self._conn.execute(
            "SELECT at, activity, score FROM psfs WHERE user_id = ? ORDER BY at, id", (user_id,)
        ) as cur:
            rows = await cur.fetchall()
        return [PsfsRating(_dt(r[0]), r[1], int(r[2])) for r in rows]
