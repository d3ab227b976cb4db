"""The storage ports' contract, checked on a real database without Telegram or the flow.

Every test goes through the Protocols in bot.storage.ports only, and runs on every
backend the `storage` fixture opens (BACKENDS in tests/conftest.py): a new backend is
checked by adding its name there. An in-memory SQLite database runs the same contract
as a file: a turn's reminder changes used to be written on a second connection, which
":memory:" does not share.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.storage.ports import Turn
from bot.storage.sqlite import SqliteStorage
from flows.effects import (
    RecordCheckIn,
    RecordRungChange,
    RecordScreening,
    ReminderPause,
    SetSchedule,
)
from flows.model import Answer, CheckIn, Reach, RemindMode, Rung, Side, Window
from flows.schedule import Schedule
from flows.session import Assessment, Hold, LadderRecord, ReminderPrefs, SafetyRecord, Session
from tests import dbkit
from tests.conftest import T0, Storage

EVERY_3H = SetSchedule(
    tz="Europe/Berlin",
    mode=RemindMode.EVERY,
    every_hours=3,
    start="08:00",
    end="20:00",
    fixed_times=(),
)


def session(**fields: Any) -> Session:
    return Session(language="de", **fields)


def scheduled(**fields: Any) -> Session:
    """A session whose reminder choices are EVERY_3H's: the session holds the schedule."""
    return dbkit.chosen(Schedule("Europe/Berlin", end=time(20)), session(**fields))


def checkin(at: datetime, pain: int = 4) -> CheckIn:
    return CheckIn(at, Rung.SIDE_GLIDE, Answer.CENTRALIZING, pain, Reach.THIGH)


async def test_a_turn_comes_back_whole(storage: Storage) -> None:
    s = scheduled(
        voice=False,
        assessment=Assessment(side=Side.LEFT, baseline_reach=Reach.THIGH, baseline_pain=6),
        ladder=LadderRecord(stall=1, sets_done=3, checked_in_at=T0),
    )
    turn = Turn(
        user_id=7,
        chat_id=70,
        session=s,
        now=T0,
        update_id=11,
        records=(
            RecordCheckIn(checkin=checkin(T0)),
            RecordRungChange(from_rung=Rung.PRESS_UPS, to_rung=Rung.SIDE_GLIDE, reason="why"),
            RecordScreening(question="saddle numbness", yes=False),
        ),
        reminders=(EVERY_3H,),
    )
    await storage.conversations.commit(turn)

    loaded = await storage.conversations.load(7)
    assert loaded is not None
    assert loaded.session.to_dict() == s.to_dict()
    assert loaded.chat_id == 70 and await storage.conversations.seen(11)
    assert await storage.history.checkins(7) == [checkin(T0)]
    (change,) = await storage.history.rung_changes(7)
    assert (change.from_rung, change.to_rung, change.reason) == (
        Rung.PRESS_UPS,
        Rung.SIDE_GLIDE,
        "why",
    )
    (screening,) = await storage.history.screenings(7)
    assert (screening.question, screening.yes) == ("saddle numbness", False)
    row = await storage.reminders.get(7)
    assert row is not None and row.schedule.every_hours == 3 and row.next_due is not None
    counts = await storage.conversations.count_rows(7)
    assert {k: counts[k] for k in ("users", "checkins", "rung_changes", "screenings")} == {
        "users": 1,
        "checkins": 1,
        "rung_changes": 1,
        "screenings": 1,
    }
    assert counts["reminders"] == 1


async def test_every_handled_update_is_known_in_whatever_order_it_came(
    storage: Storage,
) -> None:
    for update_id in (10, 5, None):
        await storage.conversations.commit(
            Turn(user_id=1, chat_id=1, session=session(), now=T0, update_id=update_id)
        )
    seen = storage.conversations.seen
    assert await seen(10) and await seen(5) and not await seen(7) and not await seen(11)


async def test_a_failing_turn_writes_nothing_and_spares_the_turns_beside_it(
    storage: Storage,
) -> None:
    broken = SetSchedule(
        tz="UTC", mode=RemindMode.EVERY, every_hours=3, start="25:00", end="20:00", fixed_times=()
    )
    # a window that ends before it starts: no schedule can be made of it
    backwards = ReminderPrefs(tz="UTC", mode=RemindMode.EVERY, window=Window(time(20), time(8)))

    def turn(user_id: int, *reminders: SetSchedule) -> Turn:
        prefs = backwards if broken in reminders else scheduled().reminders
        return Turn(
            user_id=user_id,
            chat_id=user_id,
            session=session(reminders=prefs),
            now=T0,
            update_id=1,
            records=(RecordCheckIn(checkin=checkin(T0)),),
            reminders=reminders,
        )

    # committed together: the three land in one group-commit batch
    results = await asyncio.gather(
        storage.conversations.commit(turn(1, EVERY_3H)),
        storage.conversations.commit(turn(2, broken)),
        storage.conversations.commit(turn(3)),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)
    assert await storage.conversations.load(2) is None
    assert await storage.history.checkins(2) == []
    assert await storage.reminders.get(2) is None
    for kept in (1, 3):
        assert await storage.conversations.load(kept) is not None
        assert await storage.history.checkins(kept) == [checkin(T0)]
    assert await storage.reminders.get(1) is not None


async def test_a_pause_in_the_turn_holds_the_reminder_and_an_empty_reason_lifts_it(
    storage: Storage,
) -> None:
    await storage.conversations.commit(
        Turn(user_id=5, chat_id=5, session=scheduled(), now=T0, reminders=(EVERY_3H,))
    )
    later = T0 + timedelta(days=2)
    stopped = scheduled(safety=SafetyRecord(hold=Hold.STOP_RULE))  # what the pause says
    await storage.conversations.commit(
        Turn(user_id=5, chat_id=5, session=stopped, now=T0, reminders=(ReminderPause("worse"),))
    )
    held = await storage.reminders.get(5)
    assert held is not None and held.paused_reason == "worse"
    assert await storage.reminders.due(later, 10) == []
    await storage.conversations.commit(
        Turn(
            user_id=5, chat_id=5, session=scheduled(), now=later, reminders=(ReminderPause(None),)
        )
    )
    lifted = await storage.reminders.get(5)
    assert lifted is not None and lifted.paused_reason is None
    assert lifted.next_due is not None and lifted.next_due > later


async def due_rows(storage: Storage, users: range) -> datetime:
    """Schedules for `users`, all due at their first slot; returns that time."""
    for uid in users:
        await storage.conversations.commit(
            Turn(user_id=uid, chat_id=uid, session=scheduled(), now=T0, reminders=(EVERY_3H,))
        )
    row = await storage.reminders.get(users[0])
    assert row is not None and row.next_due is not None
    return row.next_due


async def test_a_due_ping_is_handed_to_one_owner_at_a_time(storage: Storage) -> None:
    queue = storage.reminders
    due = await due_rows(storage, range(9, 12))
    lease = due + timedelta(minutes=5)
    # five processes claim at once: every row goes to exactly one of them
    claims = await asyncio.gather(*(queue.claim(due, 10, f"p{i}", lease) for i in range(5)))
    owners = {row.user_id: i for i, rows in enumerate(claims) for row in rows}
    assert sorted(owners) == [9, 10, 11]
    assert sum(len(rows) for rows in claims) == 3
    assert await queue.claim(due, 10, "late", lease) == []  # held: nothing to hand out
    mine = f"p{owners[9]}"
    nxt = due + timedelta(hours=3)
    assert not await queue.start(9, "late", due, due, lease)  # not the holder
    assert await queue.start(9, mine, due, due, lease)
    row = await queue.get(9)
    assert row is not None and row.in_flight == due
    assert not await queue.settle(9, "late", nxt, due)
    assert await queue.settle(9, mine, nxt, due)
    settled = await queue.get(9)
    assert settled is not None
    assert (settled.next_due, settled.in_flight, settled.last_sent) == (nxt, None, due)
    # the holders of 10 and 11 died: when their lease runs out, they go to another
    after = lease + timedelta(seconds=1)
    taken = await queue.claim(after, 10, "heir", after + timedelta(minutes=5))
    assert [r.user_id for r in taken] == [10, 11]
    assert all(r.next_due == due for r in taken)  # still due at the slot they missed
    assert not await queue.settle(10, f"p{owners[10]}", nxt, due)  # the dead one's is void


async def claimed(storage: Storage, users: range) -> tuple[datetime, datetime]:
    """`users` due, all claimed by owner "p"; returns (due, lease end)."""
    due = await due_rows(storage, users)
    lease = due + timedelta(minutes=5)
    assert len(await storage.reminders.claim(due, 10, "p", lease)) == len(users)
    return due, lease


async def test_a_users_change_ends_a_claim_and_wins(storage: Storage) -> None:
    queue = storage.reminders
    due, lease = await claimed(storage, range(5, 7))
    assert await queue.start(5, "p", due, due, lease)
    # mid-send, each user changes something (a new schedule; a pause)
    await storage.conversations.commit(
        Turn(user_id=5, chat_id=5, session=scheduled(), now=due, reminders=(EVERY_3H,))
    )
    assert await queue.pause(6, "user")
    assert not await queue.settle(5, "p", due + timedelta(hours=3), due)
    assert not await queue.start(6, "p", due, due, lease)
    changed, paused = await queue.get(5), await queue.get(6)
    assert changed is not None and changed.next_due is not None and changed.next_due > due
    assert changed.in_flight is None and changed.last_sent is None
    assert paused is not None and paused.next_due is None
    assert await queue.claim(due + timedelta(minutes=1), 10, "q", lease) == []


async def test_a_refused_send_goes_back_due_and_unreached_rows_at_once(storage: Storage) -> None:
    queue = storage.reminders
    due, lease = await claimed(storage, range(1, 4))
    assert await queue.start(1, "p", due, due, lease)
    assert await queue.release("p", 1) == 1  # a 429: nothing was sent
    assert await queue.release("p") == 2  # the tick ended before 2 and 3
    again = await queue.claim(due, 10, "q", lease)
    assert [r.user_id for r in again] == [1, 2, 3]
    assert all(r.in_flight is None and r.next_due == due for r in again)


async def test_a_dead_processs_claims_are_freed_at_start_only_on_sqlite(
    storage: Storage,
) -> None:
    queue = storage.reminders
    due = await due_rows(storage, range(1, 3))
    assert len(await queue.claim(due, 10, "dead", due + timedelta(minutes=5))) == 2
    heir = await queue.claim(due, 10, "heir", due + timedelta(minutes=5))
    if storage.db.dialect.name == "postgresql":  # the holder may be another live process
        assert await queue.recover() == 0 and heir == []
        assert await queue.claim(due, 10, "heir", due + timedelta(minutes=5)) == []
    else:  # one process per file: whoever held them is gone
        assert heir == [] and await queue.recover() == 2
        assert len(await queue.claim(due, 10, "heir", due + timedelta(minutes=5))) == 2


async def test_the_inbox_keeps_each_update_once_until_it_is_done(storage: Storage) -> None:
    inbox = storage.inbox
    assert await inbox.accept(10, 7, '{"update_id": 10}', T0)
    assert not await inbox.accept(10, 7, '{"update_id": 10}', T0)  # re-delivered
    assert await inbox.accept(12, 7, '{"update_id": 12}', T0)
    assert await inbox.accept(11, 8, '{"update_id": 11}', T0)
    assert await inbox.accept(13, None, '{"update_id": 13}', T0)  # a channel post
    assert await inbox.earlier(7, 12) == [10]
    assert await inbox.earlier(7, 10) == [] and await inbox.earlier(8, 99) == [11]
    await inbox.done(10)
    assert await inbox.earlier(7, 12) == []
    await storage.conversations.forget(8)  # /forget takes what the user sent, handled or not
    assert await inbox.earlier(8, 99) == []


async def test_an_unhandled_update_is_taken_over_by_one_process(storage: Storage) -> None:
    inbox = storage.inbox
    for update_id in (21, 20, 22):
        await inbox.accept(update_id, 7, f'{{"update_id": {update_id}}}', T0)
    await inbox.accept(23, 7, '{"update_id": 23}', T0 + timedelta(minutes=5))  # still fresh
    later = T0 + timedelta(minutes=2)
    takers = await asyncio.gather(
        *(inbox.orphans(T0 + timedelta(seconds=1), later, 10) for _ in range(3))
    )
    taken = [payload for payloads in takers for _, payload in payloads]
    assert sorted(taken) == ['{"update_id": 20}', '{"update_id": 21}', '{"update_id": 22}']
    assert all(payloads == sorted(payloads) for payloads in takers)  # oldest first
    # taken over now: not handed out again until its new lease has passed too
    assert await inbox.orphans(T0 + timedelta(seconds=1), later, 10) == []
    assert len(await inbox.orphans(later + timedelta(seconds=1), later, 10)) == 3


async def test_forget_removes_every_row_of_that_user_only(storage: Storage) -> None:
    for user_id in (1, 2):
        await storage.conversations.commit(
            Turn(
                user_id=user_id,
                chat_id=user_id,
                session=scheduled(),
                now=T0,
                records=(RecordCheckIn(checkin=checkin(T0)),),
                reminders=(EVERY_3H,),
            )
        )
    await storage.conversations.forget(1)
    assert await storage.conversations.load(1) is None
    assert set((await storage.conversations.count_rows(1)).values()) == {0}
    kept = await storage.conversations.count_rows(2)
    assert kept["users"] == kept["checkins"] == kept["reminders"] == 1


async def test_voice_file_ids(storage: Storage) -> None:
    files = storage.voice_files
    assert await files.file_id("clip") is None
    await files.save_file_id("clip", "AAA", T0)
    await files.save_file_id("clip", "BBB", T0 + timedelta(seconds=1))  # Telegram re-issued it
    assert await files.file_id("clip") == "BBB"
    assert await files.file_id("other") is None


async def test_health(storage: Storage) -> None:
    assert await storage.db.ping()
    assert await storage.db.integrity_check() == "ok"


async def test_a_committed_turn_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await SqliteStorage.open(path)
    await first.conversations.commit(
        Turn(user_id=3, chat_id=30, session=scheduled(), now=T0, reminders=(EVERY_3H,))
    )
    await first.close()
    again = await SqliteStorage.open(path)
    try:
        loaded = await again.conversations.load(3)
        assert loaded is not None and loaded.chat_id == 30
        assert await again.reminders.get(3) is not None
    finally:
        await again.close()
