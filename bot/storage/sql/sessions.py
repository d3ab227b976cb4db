"""A session as the users table holds it (JSON text): written by a turn, read by the
turn that follows and by the ticker, which derives each user's schedule from it."""

from __future__ import annotations

import json
from collections.abc import Collection

from bot.storage.sql.conn import Conn
from flows.session import Session


def encode(session: Session) -> str:
    return json.dumps(session.to_dict())


def decode(text: str) -> Session:
    return Session.from_dict(json.loads(text))


async def of_users(conn: Conn, user_ids: Collection[int]) -> dict[int, Session]:
    """The stored sessions of `user_ids` (those who have one), in one statement."""
    if not user_ids:
        return {}
    marks = ", ".join("?" for _ in user_ids)
    found = await conn.fetchall(
        f"SELECT user_id, session FROM users WHERE user_id IN ({marks})", tuple(user_ids)
    )
    return {int(r["user_id"]): decode(r["session"]) for r in found}
