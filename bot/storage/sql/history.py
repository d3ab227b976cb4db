"""What was recorded, read back for the chart, the export and the nudge."""

from __future__ import annotations

from bot.storage.ports import Prescribed, Screening
from bot.storage.sql.conn import Conn, SqlDatabase
from bot.storage.sql.times import instant
from flows.model import Answer, CheckIn, Prescription, PsfsRating, Reach, Rung, RungChange, Side


class SqlHistory:
    """History (bot.storage.ports) in SQL: what the chart, the export and the nudge read."""

    def __init__(self, db: SqlDatabase) -> None:
        self._conn: Conn = db.reads

    async def checkins(self, user_id: int) -> list[CheckIn]:
        rows = await self._conn.fetchall(
            "SELECT at, rung, answer, pain, reach FROM checkins WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        )
        return [
            CheckIn(
                instant(r["at"]),
                Rung(r["rung"]),
                Answer(r["answer"]),
                int(r["pain"]),
                Reach(r["reach"]),
            )
            for r in rows
        ]

    async def rung_changes(self, user_id: int) -> list[RungChange]:
        rows = await self._conn.fetchall(
            "SELECT at, from_rung, to_rung, reason FROM rung_changes WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        )
        return [
            RungChange(
                instant(r["at"]),
                Rung(r["from_rung"]) if r["from_rung"] else None,
                Rung(r["to_rung"]),
                r["reason"],
            )
            for r in rows
        ]

    async def screenings(self, user_id: int) -> list[Screening]:
        rows = await self._conn.fetchall(
            "SELECT at, question, yes FROM screenings WHERE user_id = ? ORDER BY at, id",
            (user_id,),
        )
        return [Screening(instant(r["at"]), r["question"], bool(r["yes"])) for r in rows]

    async def prescriptions(self, user_id: int) -> list[Prescribed]:
        rows = await self._conn.fetchall(
            "SELECT at, wall, rung, reps, pt_id FROM prescriptions WHERE user_id = ?"
            " ORDER BY at, id",
            (user_id,),
        )
        return [
            Prescribed(
                instant(r["at"]),
                Prescription(Rung(r["rung"]), Side(r["wall"]) if r["wall"] else None, r["reps"]),
                r["pt_id"],
            )
            for r in rows
        ]

    async def psfs(self, user_id: int) -> list[PsfsRating]:
        rows = await self._conn.fetchall(
            "SELECT at, activity, score FROM psfs WHERE user_id = ? ORDER BY at, id", (user_id,)
        )
        return [PsfsRating(instant(r["at"]), r["activity"], int(r["score"])) for r in rows]
