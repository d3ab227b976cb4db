"""What was recorded, read back for the chart, the export and the nudge."""

from __future__ import annotations

from datetime import datetime

from bot.storage.ports import Prescribed, Screening
from bot.storage.sql.conn import Conn, SqlDatabase
from flows.model import Answer, CheckIn, Prescription, PsfsRating, Reach, Rung, RungChange, Side


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class SqlHistory:
    """History (bot.storage.ports) in SQL: what the chart, the export and the nudge read."""

    def __init__(self, db: SqlDatabase) -> None:
        self._conn: Conn = db.reads

    async def checkins(self, user_id: int) -> list[CheckIn]:
        rows = await self._conn.fetchall(
            "SELECT at, rung, answer, pain, reach FROM checkins WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        )
        return [CheckIn(_dt(r[0]), Rung(r[1]), Answer(r[2]), int(r[3]), Reach(r[4])) for r in rows]

    async def rung_changes(self, user_id: int) -> list[RungChange]:
        rows = await self._conn.fetchall(
            "SELECT at, from_rung, to_rung, reason FROM rung_changes WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        )
        return [
            RungChange(_dt(r[0]), Rung(r[1]) if r[1] else None, Rung(r[2]), r[3]) for r in rows
        ]

    async def screenings(self, user_id: int) -> list[Screening]:
        rows = await self._conn.fetchall(
            "SELECT at, question, yes FROM screenings WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        )
        return [Screening(_dt(r[0]), r[1], bool(r[2])) for r in rows]

    async def prescriptions(self, user_id: int) -> list[Prescribed]:
        rows = await self._conn.fetchall(
            "SELECT at, wall, rung, reps, pt_id FROM prescriptions WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        )
        return [
            Prescribed(
                _dt(r[0]),
                Prescription(Rung(r[2]), Side(r[1]) if r[1] else None, r[3]),
                r[4],
            )
            for r in rows
        ]

    async def psfs(self, user_id: int) -> list[PsfsRating]:
        rows = await self._conn.fetchall(
            "SELECT at, activity, score FROM psfs WHERE user_id = ? ORDER BY at, id", (user_id,)
        )
        return [PsfsRating(_dt(r[0]), r[1], int(r[2])) for r in rows]
