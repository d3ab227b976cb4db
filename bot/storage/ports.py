"""What the rest of the bot needs from storage: the interfaces, and the data they carry.

The coach, the reminder ticker, progress and the adapters depend on these
Protocols only; `bot.bootstrap` picks the implementation (SQLite,
`bot.storage.sqlite`). A second backend implements the same Protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flows.effects import (
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    ReminderPause,
    Reminders,
    SetSchedule,
)
from flows.model import CheckIn, RungChange
from flows.schedule import Schedule
from flows.session import Session

Record = RecordCheckIn | RecordRungChange | RecordScreening
ReminderChange = Reminders | ReminderPause | SetSchedule


@dataclass(frozen=True, slots=True)
class Loaded:
    session: Session
    last_update_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything one handled event changes: committed together, or not at all.

    The session, the records the flow produced, the update id that makes a
    re-delivered update recognisable, and the changes to the user's reminders.
    """

    user_id: int
    chat_id: int
    session: Session
    now: datetime
    update_id: int | None = None
    records: Sequence[Record] = ()
    reminders: Sequence[ReminderChange] = ()


@dataclass(frozen=True, slots=True)
class Screening:
    at: datetime
    question: str
    yes: bool


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """A stored reminder; datetimes are UTC-aware, None where the column is NULL."""

    user_id: int
    schedule: Schedule
    paused_reason: str | None
    next_due: datetime | None
    snoozed_until: datetime | None
    last_sent: datetime | None
    in_flight: datetime | None

    @property
    def snoozed(self) -> bool:
        """True when the pending ping is a snooze or deferral, not a schedule slot."""
        return self.snoozed_until is not None and self.snoozed_until == self.next_due


class Conversations(Protocol):
    """Each user's place in the conversation, and the unit of work that moves it on."""

    async def load(self, user_id: int) -> Loaded | None: ...

    async def commit(self, turn: Turn) -> None:
        """The whole turn, durably, before the bot replies (or nothing of it)."""

    async def forget(self, user_id: int) -> None:
        """Every row naming the user, in every table, at once: no tombstone."""

    async def count_rows(self, user_id: int) -> dict[str, int]: ...


class History(Protocol):
    """What was recorded, for the chart, the export and the nudge."""

    async def checkins(self, user_id: int) -> list[CheckIn]: ...

    async def rung_changes(self, user_id: int) -> list[RungChange]: ...

    async def screenings(self, user_id: int) -> list[Screening]: ...


class ReminderQueue(Protocol):
    """The reminders table as the ticker sees it: due rows, claims and settlements."""

    async def get(self, user_id: int) -> ReminderRow | None: ...

    async def due(self, now: datetime, limit: int) -> list[ReminderRow]: ...

    async def mark_sent(
        self, user_id: int, due: datetime, next_due: datetime | None, slot: datetime | None = None
    ) -> bool: ...

    async def settle(self, user_id: int, slot: datetime, sent_at: datetime | None) -> None: ...

    async def release(
        self,
        user_id: int,
        claimed: datetime | None,
        due: datetime,
        snoozed_until: datetime | None,
    ) -> bool: ...

    async def advance(self, user_id: int, due: datetime, next_due: datetime | None) -> bool: ...

    async def defer(self, user_id: int, due: datetime, until: datetime) -> bool: ...

    async def clear_in_flight(self) -> int: ...


class VoiceFiles(Protocol):
    """Telegram file ids of uploaded voice clips, so each clip is uploaded once."""

    async def file_id(self, clip_key: str) -> str | None: ...

    async def save_file_id(self, clip_key: str, file_id: str, now: datetime) -> None: ...


class Health(Protocol):
    async def ping(self) -> bool: ...

    async def integrity_check(self) -> str: ...
