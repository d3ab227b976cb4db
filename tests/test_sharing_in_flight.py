"""Letters on their way while the patient ends the sharing (issue 25; design.md: nothing
is sent after the patient's revoke or /forget is confirmed), with no lock held across a
send (issue 24).

A `Wire` sends letters as the adapters do, each through `Clinic.leaving`, and a
send may be held open by the test. The log is the order in which things arrived;
the patient's "Done" is an entry in it. The checks are on that order, so they hold
however the machine schedules the tasks: the sends are held by events, not by time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.presentation.messages import Message
from bot.sharing.clinic import Clinic, Person
from bot.sharing.letters import Letter
from flows.clinician.desk import Desk, Screen, pack
from flows.effects import Say
from flows.events import Command, Press, SharePress
from tests.test_sharing_property import World, _open_world, name

PATIENT, PT = 1, 2
DONE = "-- the patient read that it ended --"


@dataclass
class Wire:
    clinic: Clinic
    log: list[Letter] = field(default_factory=list)

    async def send(
        self,
        letters: Sequence[Letter],
        started: asyncio.Event | None = None,
        release: asyncio.Event | None = None,
        pause: float = 0.0,
    ) -> None:
        for letter in letters:
            async with self.clinic.leaving(letter) as allowed:
                if not allowed:
                    continue
                if started is not None:
                    started.set()
                if release is not None:
                    await release.wait()
                await asyncio.sleep(pause)
                self.log.append(letter)

    def done(self) -> None:
        self.log.append(Letter(PATIENT, None, Message(DONE)))


def after_done(log: list[Letter]) -> list[Letter]:
    """Letters about the patient that reached the PT after the patient read "Done"."""
    ends = [i for i, lt in enumerate(log) if lt.message.text == DONE]
    if not ends:
        return []
    return [lt for lt in log[ends[0] :] if lt.about == PATIENT and lt.chat_id == PT]


async def _shared() -> tuple[World, int]:
    world = await _open_world()
    for action in [("start", PATIENT), ("share", PATIENT), ("open", PT, 0)]:
        await world.step(action)
    (share,) = await world.storage.shares.of_clinician(PT)
    return world, share.id


def _who(user: int) -> Person:
    return Person(user, user, name(user), "en")


async def _press(world: World, user: int, desk: Desk, value: str) -> list[Letter]:
    return await world.clinic.handle(_who(user), SharePress(pack(desk, value)), "bot") or []


async def revoke(world: World, wire: Wire, share_id: int) -> None:
    """The patient's "Stop sharing", as Telegram runs it: the clinic's answer, then sent."""
    letters = await _press(world, PATIENT, Desk(Screen.SHARING, str(share_id)), "stop")
    assert any("can no longer see" in lt.message.text for lt in letters)
    wire.done()
    await wire.send(letters)


async def forget(world: World, wire: Wire, share_id: int) -> None:
    """The patient's /forget and its Yes, as bot.telegram.handlers runs the turn."""
    coach = world.coach
    asked = await coach.handle(PATIENT, PATIENT, Command("forget"))
    assert [e for e in asked.effects if isinstance(e, Say) and e.choices]
    turn = await coach.handle(PATIENT, PATIENT, Press(asked.session.seq, "yes"))
    assert turn.ended
    await world.clinic.settle_ended(PATIENT, turn)
    wire.done()
    await wire.send(await world.clinic.after(PATIENT, turn))


def _watch(world: World, seen: Callable[[int], None]) -> None:
    """Each count of letters on their way that a revoke or /forget reads goes to `seen`."""
    counted = world.storage.shares.in_flight

    async def in_flight(patient_id: int, now: datetime, chat_id: int | None = None) -> int:
        n = await counted(patient_id, now, chat_id)
        seen(n)
        return n

    world.storage.shares.in_flight = in_flight  # type: ignore[method-assign]


async def _held_report(end: str, settle: bool) -> tuple[list[Letter], bool]:
    """A report on its way (held open) when the patient ends the sharing."""
    world, share_id = await _shared()
    wire, started, release = Wire(world.clinic), asyncio.Event(), asyncio.Event()
    waiting = asyncio.Event()
    try:
        if not settle:
            world.clinic.settled = _no_wait  # type: ignore[method-assign]
        # the revoke or /forget is waiting for our letter once it counts one
        _watch(world, lambda n: waiting.set() if n else None)
        report = await _press(world, PT, Desk(Screen.CARD, str(share_id)), "report")
        assert report and all(lt.about == PATIENT for lt in report)
        sending = asyncio.create_task(wire.send(report, started, release))
        await started.wait()
        ending = asyncio.create_task(
            (revoke if end == "revoke" else forget)(world, wire, share_id)
        )
        if settle:
            await waiting.wait()
            waited = not ending.done()
        else:
            await ending  # nothing makes it wait
            waited = False
        release.set()
        await asyncio.gather(sending, ending)
        return wire.log, waited
    finally:
        await world.storage.close()


async def _no_wait(patient_id: int, chat_id: int | None = None) -> None:
    return None


@pytest.mark.parametrize("end", ["revoke", "forget"])
def test_a_report_on_its_way_arrives_before_the_patient_reads_done(end: str) -> None:
    log, waited = asyncio.run(_held_report(end, settle=True))
    assert waited, "the revoke or /forget waited for the letter on its way"
    texts = [lt.message.text for lt in log]
    assert texts.index(DONE) > min(i for i, lt in enumerate(log) if lt.file is not None)
    assert after_done(log) == []


@pytest.mark.parametrize("end", ["revoke", "forget"])
def test_without_the_wait_the_report_would_arrive_after_done(end: str) -> None:
    """The check above can fail: with `settled` made a no-op, the held report lands after
    the patient read that sharing ended."""
    log, _ = asyncio.run(_held_report(end, settle=False))
    assert [lt.file is not None for lt in after_done(log)] == [True]


def test_no_lock_is_held_while_a_letter_about_the_patient_is_sent() -> None:
    """While a report about the patient is on its way, the patient's own turn goes on."""

    async def run() -> bool:
        world, share_id = await _shared()
        wire, started, release = Wire(world.clinic), asyncio.Event(), asyncio.Event()
        try:
            report = await _press(world, PT, Desk(Screen.CARD, str(share_id)), "report")
            sending = asyncio.create_task(wire.send(report, started, release))
            await started.wait()
            turn = await asyncio.wait_for(
                world.coach.handle(PATIENT, PATIENT, Command("progress")), timeout=60
            )
            release.set()
            await sending
            return not turn.duplicate
        finally:
            await world.storage.close()

    assert asyncio.run(run())


# --- random moments --------------------------------------------------------------------

_PRESSES = st.lists(
    st.tuples(
        st.sampled_from(["report", "chart", "alert"]),
        st.integers(0, 6),  # ms before the press
        st.integers(0, 6),  # ms the send takes
    ),
    min_size=1,
    max_size=5,
)


async def _random(
    presses: list[tuple[str, int, int]], end: str, end_after: int
) -> tuple[list[Letter], bool]:
    world, share_id = await _shared()
    wire, waited = Wire(world.clinic), list[bool]()
    _watch(world, lambda n: waited.append(n > 0))
    ref = str(share_id)
    desks = {
        "report": (Desk(Screen.CARD, ref), "report"),
        "chart": (Desk(Screen.CARD, ref), "chart"),
        "alert": (Desk(Screen.ALERT, ref), "report"),
    }

    async def pt(kind: str, before: int, takes: int) -> None:
        await asyncio.sleep(before / 1000)
        desk, value = desks[kind]
        await wire.send(await _press(world, PT, desk, value), pause=takes / 1000)

    async def patient() -> None:
        await asyncio.sleep(end_after / 1000)
        await (revoke if end == "revoke" else forget)(world, wire, share_id)

    try:
        await asyncio.gather(*(pt(*p) for p in presses), patient())
    finally:
        await world.storage.close()
    return wire.log, any(waited)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PRESSES, st.sampled_from(["revoke", "forget"]), st.integers(0, 8))
def test_at_any_moment_nothing_reaches_the_pt_after_done(
    presses: list[tuple[str, int, int]], end: str, end_after: int
) -> None:
    log, waited = asyncio.run(_random(presses, end, end_after))
    event("the end waited for a letter on its way" if waited else "nothing was on its way")
    assert after_done(log) == []
    assert [lt.message.text for lt in log].count(DONE) == 1
