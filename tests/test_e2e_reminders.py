"""Reminders end to end: set through buttons, fire, Start now, survive a restart, snooze."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from flows import remind
from flows import texts as t
from tests import dbkit
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.test_e2e_telegram import onboard


async def to_fixed_times(user: User) -> SentMessage:
    """Onboard, then /remind -> set up -> UTC -> at fixed times; returns the times question."""
    await onboard(user)
    await user.tap(t.B_LATER)
    user.say("/remind")
    await user.answer(remind.B_SET_UP)
    await user.answer("UTC")
    await user.answer(remind.B_FIXED)
    return await user.keyboard()


async def make_due(db: dbkit.Db, user_id: int) -> int:
    """Pretend the clock reached the user's first slot: next_due := today's slot (just past).

    The write waits in a thread: the bot runs on this event loop, and a write that
    blocked the loop while the bot's own transaction was open would wait for a lock
    that the blocked bot can never let go."""
    row = dbkit.one(db, "SELECT next_due FROM reminders WHERE user_id = ?", (user_id,))
    assert row is not None and row[0] is not None
    slot = int(row[0]) - 24 * 3600  # the schedule's slot today, a minute ago at most
    sql = "UPDATE reminders SET next_due = ? WHERE user_id = ?"
    await asyncio.to_thread(dbkit.rows, db, sql, (slot, user_id))
    return slot


def reminder_row(db: dbkit.Db, user_id: int) -> tuple[int | None, int, str | None]:
    """(next_due, paused, why): the row's due time, the pause as the session says it."""
    return dbkit.reminder(db, user_id)


async def test_a_schedule_set_with_buttons_fires_and_survives_a_restart(
    tmp_path: Path, bot_db: Db
) -> None:
    now = datetime.now(UTC)
    hhmm = now.strftime("%H:%M")
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_REMINDER_TICK=0.3)
        db = settings.SIDEGLIDE_DB
        user = User(api, 7007)
        async with running(settings):
            await onboard(user)
            await user.tap(t.B_LATER)
            user.say("/remind")
            menu = await user.keyboard()
            assert remind.ASK_NONE[:20] in (menu.text or "")
            await user.tap(remind.B_SET_UP, menu)
            tz = await user.keyboard()
            assert "UTC+2" in tz.button_texts
            user.say("Mars/Olympus")
            await user.expect("I don't know that time zone")
            await user.tap("UTC")
            await user.answer(remind.B_FIXED)
            await user.keyboard()
            user.say(hhmm)  # fixed time: this very minute, so "today's slot" has just passed
            saved = await user.keyboard()
            assert f"at {hhmm} (UTC)" in (saved.text or "")
            await make_due(db, 7007)
            ping = await user.expect("Time for your set of side glide at a wall")
            assert ping.button_texts == [t.B_START, t.B_SNOOZE, t.B_SKIP]
            await user.tap(t.B_START, ping)
            step1 = await user.keyboard()
            assert "Step 1 of 8" in (step1.text or "")
            next_due, paused, _ = reminder_row(db, 7007)
            assert next_due is not None and next_due > now.timestamp() and not paused
            await user.tap(t.B_STOP, step1)
            await user.answer(t.B_STOP_JUST)  # "did you stop because it got worse?" no
            await user.expect(t.STOPPED[:20])
        # restart between two pings: the schedule is still there and fires again
        async with running(settings):
            assert reminder_row(db, 7007)[0] == next_due
            await make_due(db, 7007)
            ping2 = await user.expect("Time for your set of")
            tapped = datetime.now(UTC).timestamp()
            await user.tap("Snooze 30 min", ping2)
            await user.expect("remind you again in 30 minutes")
            answered = datetime.now(UTC).timestamp()
            snoozed, _, _ = reminder_row(db, 7007)
            assert snoozed is not None
            # 30 minutes from when the tap was handled, between the tap and its answer
            # (stored in whole seconds)
            assert tapped + 30 * 60 - 1 <= snoozed <= answered + 30 * 60 + 1
        assert len([m for m in api.sent_to(7007) if "Time for your set" in (m.text or "")]) == 2


async def test_a_user_who_blocked_the_bot_has_reminders_paused_until_start(
    tmp_path: Path, bot_db: Db
) -> None:
    hhmm = datetime.now(UTC).strftime("%H:%M")
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_REMINDER_TICK=0.3)
        db = settings.SIDEGLIDE_DB
        user = User(api, 8008)
        async with running(settings):
            await to_fixed_times(user)
            user.say(hhmm)
            await user.keyboard()
            api.block_user(8008)
            await make_due(db, 8008)
            await api.wait_for(
                lambda: reminder_row(db, 8008)[2] == "blocked" or None, what="a blocked pause"
            )
            attempts = len(api.calls("sendMessage", chat_id=8008))
            _, paused, reason = reminder_row(db, 8008)
            assert paused and reason == "blocked"
            user.say("/start")  # coming back unblocks (as Telegram does) and resumes pings
            await user.keyboard()
            next_due, paused, _ = reminder_row(db, 8008)
            assert not paused and next_due is not None
            assert len(api.calls("sendMessage", chat_id=8008)) == attempts + 1
