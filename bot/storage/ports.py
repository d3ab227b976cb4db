"""What the rest of the bot needs from storage: the interfaces, and the data they carry.

The coach, the reminder ticker, progress and the adapters depend on these
Protocols only, and they say nothing of the deployment (one process or several):
what differs is decided by the backend as it is built. `bot.bootstrap` picks the
backend from SIDEGLIDE_DB and holds it as one `Storage`: SQLite
(`bot.storage.sqlite`, the embedded default, one process) or PostgreSQL
(`bot.storage.postgres`, one process or several), both built on the same SQL stores
(`bot.storage.sql`) and the same declared schema (`bot.storage.sql.schema`).

A user's turns run one at a time under `Conversations.lock`, held for the turn only
(load, advance, `commit`); an update is known as handled by its id (`seen`), written
in its turn's transaction. docs/architecture.md, "A user's order", says how they fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from flows.effects import (
    Record,
    ReminderChange,
)
from flows.model import CheckIn, Prescription, PsfsRating, RungChange
from flows.schedule import Schedule
from flows.session import Session


@dataclass(frozen=True, slots=True)
class Loaded:
    session: Session
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
    """A reminders row as the ticker sees it: its own state, with the schedule and the
    pause (why, or None) derived from the user's stored session, the one place the
    schedule is kept. Datetimes are UTC-aware, None where the column is NULL."""

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

    def lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """The user's turn lock: one turn of a user at a time, in the order asked, in
        this process and across processes. For the turn only, never across a send."""

    async def seen(self, update_id: int) -> bool:
        """Was this update handled (by any process)? Ids may arrive out of order."""

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

    async def prescriptions(self, user_id: int) -> list[Prescribed]: ...

    async def psfs(self, user_id: int) -> list[PsfsRating]: ...


class ReminderQueue(Protocol):
    """The reminders table as the ticker sees it: due rows handed out under a lease,
    and what became of each (bot.storage.sql.reminders says how)."""

    async def get(self, user_id: int) -> ReminderRow | None: ...

    async def claim(
        self, now: datetime, limit: int, owner: str, lease_until: datetime
    ) -> list[ReminderRow]: ...

    async def start(
        self, user_id: int, owner: str, due: datetime, slot: datetime, lease_until: datetime
    ) -> bool: ...

    async def settle(
        self, user_id: int, owner: str, next_due: datetime | None, sent_at: datetime | None
    ) -> bool: ...

    async def defer(self, user_id: int, owner: str, until: datetime) -> bool: ...

    async def release(self, owner: str, user_id: int | None = None) -> int: ...

    async def recover(self) -> int: ...


class Inbox(Protocol):
    """Updates accepted and not yet handled (bot.storage.sql.inbox says why)."""

    async def accept(
        self, update_id: int, user_id: int | None, payload: str, at: datetime
    ) -> bool: ...

    async def done(self, update_id: int) -> None: ...

    async def earlier(self, user_id: int, update_id: int) -> list[int]: ...

    async def touch(self, update_id: int, at: datetime) -> None: ...

    async def orphans(
        self, received_before: datetime, now: datetime, limit: int
    ) -> list[tuple[int, str]]: ...


@dataclass(frozen=True, slots=True)
class Prescribed:
    at: datetime
    prescription: Prescription
    pt_id: int | None  # None once the PT used /forget


class Redeemed(StrEnum):
    """What became of opening a share link (every answer but OK opens nothing)."""

    OK = "ok"
    UNKNOWN = "unknown"  # no such code (mistyped, forged, or deleted by /forget)
    USED = "used"  # redeemed already: codes work once
    EXPIRED = "expired"
    OWN = "own"  # the patient opened their own link


@dataclass(frozen=True, slots=True)
class Share:
    """One link a patient made, and (once redeemed) the clinician who holds it."""

    id: int
    patient_id: int
    patient_name: str
    created: datetime
    expires: datetime
    pt_id: int | None = None
    pt_name: str | None = None
    since: datetime | None = None
    last_viewed: datetime | None = None
    revoked: datetime | None = None

    @property
    def live(self) -> bool:
        """The one test of "may this PT see this patient": redeemed and not revoked."""
        return self.pt_id is not None and self.revoked is None


@dataclass(frozen=True, slots=True)
class Clinician:
    pt_id: int
    chat_id: int
    language: str
    tz: str
    last_summary: datetime  # the weekly summary's last send (or the confirmation)


class Shares(Protocol):
    """Who may see whose progress. Codes are stored as hashes only."""

    async def create(
        self, patient_id: int, patient_name: str, code: str, now: datetime, expires: datetime
    ) -> Share:
        """A new link; the patient's earlier unused links stop working."""

    async def peek(self, code: str, viewer: int, now: datetime) -> tuple[Redeemed, Share | None]:
        """What opening the code would do, without using it (the confirm question); the
        share with OK, and with USED (so the clinician who used it is recognised)."""

    async def redeem(
        self, code: str, pt_id: int, pt_name: str, now: datetime
    ) -> tuple[Redeemed, Share | None]:
        """Use the code once, atomically: two clinicians racing get one OK; USED comes
        with the share when the code was used already (by whom: `Share.pt_id`)."""

    async def get(self, share_id: int) -> Share | None: ...

    async def of_patient(self, patient_id: int) -> list[Share]:
        """Every redeemed share, live or revoked (the report says who had access)."""

    async def of_clinician(self, pt_id: int) -> list[Share]:
        """The live shares a clinician holds."""

    async def revoke(self, share_id: int, patient_id: int, now: datetime) -> Share | None:
        """Only the patient's own share; None when it is not theirs or not live."""

    async def viewed(self, share_id: int, now: datetime) -> None: ...

    async def clinician(self, pt_id: int) -> Clinician | None: ...

    async def save_clinician(self, clinician: Clinician) -> None: ...

    async def clinicians(self) -> list[Clinician]: ...

    async def summary_sent(self, pt_id: int, at: datetime) -> None: ...

    async def sending(self, patient_id: int, chat_id: int, now: datetime, until: datetime) -> int:
        """Mark a letter about the patient to `chat_id` as on its way, until `until` at the
        latest (marks whose time is up are dropped)."""

    async def sent(self, mark: int) -> None: ...

    async def in_flight(self, patient_id: int, now: datetime, chat_id: int | None = None) -> int:
        """How many letters about the patient (to `chat_id`, or to anyone) are on their way."""

    async def unmark(self, patient_id: int) -> None:
        """Drop every mark about the patient (after /forget: no row names them)."""


class VoiceFiles(Protocol):
    """Telegram file ids of uploaded voice clips, so each clip is uploaded once."""

    async def file_id(self, clip_key: str) -> str | None: ...

    async def save_file_id(self, clip_key: str, file_id: str, now: datetime) -> None: ...


class Leadership(Protocol):
    """Which process sends the reminders and the weekly summaries: one at a time."""

    async def lead(self) -> bool:
        """True while this process leads (asked on every tick: leadership can move)."""


class Health(Protocol):
    async def ping(self) -> bool: ...

    async def integrity_check(self) -> str: ...


class Storage(Protocol):
    """Every port over one database, as a backend opens it (bot.bootstrap picks which)."""

    @property
    def conversations(self) -> Conversations: ...

    @property
    def history(self) -> History: ...

    @property
    def reminders(self) -> ReminderQueue: ...

    @property
    def voice_files(self) -> VoiceFiles: ...

    @property
    def shares(self) -> Shares: ...

    @property
    def inbox(self) -> Inbox: ...

    @property
    def health(self) -> Health: ...

    @property
    def leader(self) -> Leadership: ...

    async def close(self) -> None:
        """Commit what callers are still waiting for, then close."""
