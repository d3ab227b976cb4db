"""The one representation of time in the database: whole seconds since 1970, UTC.

Every time column is a 64-bit integer (bot.storage.sql.schema, `instant`): the
ticker's index compares numbers, history sorts by them, and no engine's date type
or text format is involved. These two functions are the only conversions.
"""

from __future__ import annotations

from datetime import UTC, datetime


def stamp(at: datetime) -> int:
    """An aware datetime as stored (sub-second parts dropped)."""
    if at.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return int(at.timestamp())


def instant(value: int) -> datetime:
    """A stored time as an aware UTC datetime."""
    return datetime.fromtimestamp(int(value), UTC)


def stamp_or_none(at: datetime | None) -> int | None:
    return None if at is None else stamp(at)


def instant_or_none(value: int | None) -> datetime | None:
    return None if value is None else instant(value)
