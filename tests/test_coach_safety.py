"""The coach and the reminders table ask flows.safety too: what the user is told, and
what the ticker will do, after a stop. Real SQLite, real reminder hub, no Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot import bootstrap
from bot.progress import report as reports
from bot.services import Services
from flows.effects import Say
from flows.engine import choices
from flows.events import Command, Event, Press, ReminderPress
from flows.session import State
from flows.trend import NUDGE_PROGRESS
from tests import dbkit
from tests.botkit import plain_settings
from tests.conftest import T0, Clock

UID = 4242


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = plain_settings(SIDEGLIDE_DB=tmp_path / "db.sqlite3", SIDEGLIDE_TTS="off")
    built = await bootstrap.build(settings)
    built.services.coach.clock = Clock(T0, step=timedelta(minutes=1))
    yield built.services
    await bootstrap.close(built)


class Person:
    """Taps buttons by value through the real coach (and so the real storage)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.effects: tuple[object, ...] = ()

    async def send(self, event: Event) -> Person:
        turn = await self.services.coach.handle(UID, UID, event)
        self.effects = turn.effects
        return self

    async def cmd(self, name: str) -> Person:
        return await self.send(Command(name))

    async def press(self, *values: str) -> Person:
        for value in values:
            session = await self.services.coach.session(UID)
            assert session is not None
            assert value in [c.value for c in choices(session)], (value, session.state)
            await self.send(Press(session.seq, value))
        return self

    async def state(self) -> State:
        session = await self.services.coach.session(UID)
        assert session is not None
        return session.state

    async def onboard_and_do_a_set(self) -> Person:
        await self.cmd("start")
        await self.press("ok", *["no"] * 10, "left", "no", "thigh", "6", "both", "same")
        await self.press("start")
        while await self.state() == State.STEP:
            await self.press("next")
        return self

    def texts(self) -> list[str]:
        return [e.text for e in self.effects if isinstance(e, Say)]

    def nudges(self) -> list[Say]:
        return [e for e in self.effects if isinstance(e, Say) and e.plural is not None]


def reminder_row(services: Services) -> tuple[int, str | None, int | None]:
    """(paused, why, next_due): the pause as the user's session says it, the row's due."""
    next_due, paused, reason = dbkit.reminder(services.settings.SIDEGLIDE_DB, UID)
    return paused, reason, next_due


async def set_schedule(person: Person) -> None:
    await person.cmd("remind")
    await person.press("setup")
    if await person.state() == State.REMIND_TZ:
        await person.press("UTC")
    await person.press("every3", "08:00-21:00")


async def test_no_nudge_after_see_a_pt_or_a_stop(services: Services) -> None:
    person = await Person(services).onboard_and_do_a_set()
    await person.press("centralizing", "5", "buttock")
    (nudge,) = person.nudges()
    assert (nudge.text, nudge.params) == (NUDGE_PROGRESS[0], {"done": 1, "planned": 5})
    # a stop: no "2 of 5 sets today. Nice going!" after it
    await person.cmd("checkin")
    await person.press("set", "worse", "7", "foot")
    assert person.nudges() == [] and await person.state() == State.HALTED
    # nothing left to try ("see a PT"): no nudge either
    await person.press("pt_ok", "flexion_rotation", "start")
    while await person.state() == State.STEP:
        await person.press("next")
    for _ in range(3):
        await person.press("no_change", "7", "foot")
        if await person.state() == State.HALTED:
            break
        await person.cmd("exercise")
        while (state := await person.state()) in (State.STEP, State.PRESET, State.SET_CARD):
            await person.press({State.STEP: "next", State.PRESET: "nothing"}.get(state, "done"))
    assert await person.state() == State.HALTED and person.nudges() == []


async def test_a_new_schedule_after_worse_stays_paused_and_remind_explains(
    services: Services,
) -> None:
    person = await Person(services).onboard_and_do_a_set()
    await set_schedule(person)
    assert reminder_row(services)[0] == 0  # running
    await person.cmd("checkin")  # the set's check-in is still owed: asked again
    assert await person.state() == State.CHECK_ANSWER
    await person.press("worse")  # paused in this very turn, before pain and reach
    assert reminder_row(services)[:2] == (1, "worse")
    await person.press("7", "foot")
    await set_schedule(person)  # a schedule change must not lift the stop
    paused, reason, next_due = reminder_row(services)
    assert (paused, reason, next_due) == (1, "worse", None)
    session = await services.coach.session(UID)
    assert session is not None
    assert {"pause", "resume"}.isdisjoint(c.value for c in choices(session))
    # the PT says go on: the same table resumes
    await person.press("close")
    await person.cmd("exercise")
    await person.press("pt_ok", "side_glide", "no")
    paused, reason, next_due = reminder_row(services)
    assert (paused, reason) == (0, None) and next_due is not None


async def test_after_forget_no_command_or_old_button_writes_a_row(services: Services) -> None:
    person = await Person(services).onboard_and_do_a_set()
    old = await services.coach.session(UID)
    assert old is not None
    await person.cmd("forget")
    await person.press("yes")
    for event in (
        Command("mydata"),
        Command("help"),
        Command("exercise"),
        Command("language"),
        Command("settings"),
        Command("forget"),
        Command("frobnicate"),
        Press(old.seq, "next"),
        ReminderPress("start"),
        ReminderPress("snooze"),
    ):
        await person.send(event)
        counts = await services.conversations.count_rows(UID)
        assert not any(counts.values()), (event, counts)
    await person.cmd("start")  # a first meeting again: now a row is written
    assert (await services.conversations.count_rows(UID))["users"] == 1


async def test_a_red_flag_users_progress_plans_no_sets(services: Services) -> None:
    person = Person(services)
    await person.cmd("start")
    await person.press("ok", "yes")  # the first warning sign applies
    session = await services.coach.session(UID)
    assert session is not None and session.safety.red_flag is not None
    result = await reports.progress(services.history, UID, session, services.coach.clock())
    assert " of " not in result.summary  # no "0 of 35 planned"
    assert "Exercises are on hold" in result.summary
