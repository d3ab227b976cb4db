"""Random interleavings of share, open, revoke, forget, view, prescribe, stop and the
weekly summary over four users: no user ever receives another's data unless a live
share allows it.

The real Coach and Clinic run on a real SQLite database; the test keeps its own model
of which shares are live (from the rules: a code works once, for 7 days, never for
its own patient; revoke and /forget end shares) and checks every letter against it:
its stated subject (`about`), and, independently of that, every other user's name in
its text.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.coach.coach import Coach, Handled
from bot.sharing.clinic import Clinic, Person
from bot.sharing.letters import Letter
from bot.storage.sqlite import SqliteStorage
from flows.clinician.desk import Desk, Screen, Wall, pack
from flows.effects import Say, Stopped
from flows.events import Command, Press, SharePress
from flows.model import Rung
from flows.session import Session
from tests.conftest import T0, Clock

USERS = (1, 2, 3, 4)
_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")

_open = st.tuples(st.just("open"), st.sampled_from(USERS), st.integers(0, 5))
op = st.one_of(
    _open,
    _open,  # opening links is what makes shares: weighted up
    st.tuples(st.just("start"), st.sampled_from(USERS)),
    st.tuples(st.just("share"), st.sampled_from(USERS)),
    st.tuples(st.just("revoke"), st.sampled_from(USERS), st.integers(1, 4)),
    st.tuples(st.just("forget"), st.sampled_from(USERS)),
    st.tuples(
        st.just("press"),
        st.sampled_from(USERS),
        st.sampled_from(["r", "x", "d", "e", "l", "c"]),
        st.integers(1, 2),
    ),
    st.tuples(st.just("stop"), st.sampled_from(USERS)),
    st.tuples(st.just("wait"), st.sampled_from([1, 3, 8])),  # days
    st.tuples(st.just("patients"), st.sampled_from(USERS)),
    st.tuples(st.just("sharing"), st.sampled_from(USERS)),
)


def name(user: int) -> str:
    return f"Nm{user}x"


@dataclass
class Model:
    started: set[int] = field(default_factory=set)
    codes: list[tuple[str, int, datetime]] = field(default_factory=list)  # code, patient, made
    latest: dict[int, str] = field(default_factory=dict)  # a patient's one usable code
    used: set[str] = field(default_factory=set)
    live: dict[int, tuple[int, int]] = field(default_factory=dict)  # share id -> (patient, pt)

    def pairs(self) -> set[tuple[int, int]]:
        return set(self.live.values())


@dataclass
class World:
    coach: Coach
    clinic: Clinic
    storage: SqliteStorage
    clock: Clock
    model: Model = field(default_factory=Model)
    problems: list[str] = field(default_factory=list)
    delivered: list[Letter] = field(default_factory=list)

    def who(self, user: int) -> Person:
        return Person(user, user, name(user), "en")

    def check(self, what: str, letters: list[Letter], before: set[tuple[int, int]]) -> None:
        """Every letter against the live shares before and after the step."""
        allowed = before | self.model.pairs()
        self.delivered += letters
        for letter in letters:
            to = letter.chat_id
            if to not in USERS:
                self.problems.append(f"{what}: a letter to unknown chat {to}")
            if (
                letter.about is not None
                and letter.about != to
                and (letter.about, to) not in allowed
            ):
                self.problems.append(f"{what}: {letter.about}'s data reached {to}")
            if (letter.photo is not None or letter.file is not None) and letter.about is None:
                self.problems.append(f"{what}: a chart or file that names no subject, to {to}")
            for other in USERS:
                if other == to or name(other) not in letter.message.text:
                    continue
                if (other, to) not in allowed and (to, other) not in allowed:
                    self.problems.append(f"{what}: {other}'s name reached {to}")

    async def step(self, action: tuple[object, ...]) -> None:
        kind, user = action[0], action[1]
        assert isinstance(user, int)
        m, clinic, now = self.model, self.clinic, self.clock()
        before = m.pairs()
        letters: list[Letter] = []
        if kind == "wait":
            self.clock.advance(timedelta(days=user))
            letters = await clinic.weekly()
        elif kind == "start":
            handled = await self.coach.handle(user, user, Command("start"))
            m.started.add(user)
            letters = await clinic.after(user, handled)
        elif kind == "share":
            letters = await self._handle(user, Command("share")) or []
            codes = [c for lt in letters for c in _CODE.findall(lt.message.text)]
            if user in m.started:
                assert len(codes) == 1, "a started user gets one link"
                m.codes.append((codes[0], user, now))
                m.latest[user] = codes[0]
            else:
                assert not codes
        elif kind == "open":
            index = action[2]
            assert isinstance(index, int)
            if not m.codes:
                return
            code, patient, made = m.codes[index % len(m.codes)]
            letters = await self._handle(user, Command("start", code)) or []
            asked = [lt for lt in letters if lt.message.rows]
            if asked:
                letters += (
                    await self._handle(user, SharePress(pack(Desk(Screen.LINK, code), "yes")))
                    or []
                )
            ok = (
                m.latest.get(patient) == code
                and code not in m.used
                and now < made + timedelta(days=7)
                and patient != user
                and patient in m.started
            )
            if bool(asked) != ok:
                self.problems.append(f"open {code} by {user}: asked={bool(asked)}, rules={ok}")
            if ok:
                m.used.add(code)
                if (patient, user) not in m.pairs():  # a second link keeps the one share
                    share = next(
                        s
                        for s in await self.storage.shares.of_clinician(user)
                        if s.patient_id == patient and s.id not in m.live
                    )
                    m.live[share.id] = (patient, user)
        elif kind == "revoke":
            share_id = action[2]
            letters = (
                await self._handle(
                    user, SharePress(pack(Desk(Screen.SHARING, str(share_id)), "stop"))
                )
                or []
            )
            pair = m.live.get(int(str(share_id)))
            if pair is not None and pair[0] == user:  # every share of that pair ends
                m.live = {k: v for k, v in m.live.items() if v != pair}
        elif kind == "forget":
            letters = await self._forget(user)
            m.started.discard(user)
            m.latest.pop(user, None)
            m.live = {k: v for k, v in m.live.items() if user not in v}
        elif kind == "press":
            press, share_id = action[2], action[3]
            ref = str(share_id)
            value = {
                "r": pack(Desk(Screen.CARD, ref), "report"),
                "x": pack(Desk(Screen.CARD, ref), "rx"),
                "e": pack(Desk(Screen.RX_EXERCISE, ref), "side_glide"),
                "d": pack(Desk(Screen.RX_REPS, ref, Rung.PRESS_UPS, Wall.KEEP), "8"),
                # a PT lifts a hold from the card
                "l": pack(Desk(Screen.LIFT_EXERCISE, ref), "press_ups"),
                "c": pack(Desk(Screen.ALERT, ref), "chart"),
            }[str(press)]
            letters = await self._handle(user, SharePress(value)) or []
        elif kind == "stop":
            session = await self.coach.session(user) or Session()
            stopped = Handled(session, (Stopped(hold="stop", reason="x"),))
            letters = await clinic.after(user, stopped)
        elif kind in ("patients", "sharing"):
            letters = await self._handle(user, Command(str(kind))) or []
        self.check(str(action), letters, before)

    async def _handle(self, user: int, event: Command | SharePress) -> list[Letter] | None:
        return await self.clinic.handle(self.who(user), event, "bot")

    async def _forget(self, user: int) -> list[Letter]:
        """/forget as the adapters do it: the clinic's (a clinician only), else the coach's."""
        asked = await self._handle(user, Command("forget"))
        if asked is not None:
            delete = SharePress(pack(Desk(Screen.FORGET), "delete"))
            return asked + (await self._handle(user, delete) or [])
        handled = await self.coach.handle(user, user, Command("forget"))
        letters = await self.clinic.after(user, handled)
        says = [e for e in handled.effects if isinstance(e, Say) and e.choices]
        if says:
            confirm = await self.coach.handle(user, user, Press(handled.session.seq, "yes"))
            letters += await self.clinic.after(user, confirm)
        return letters


async def _open_world() -> World:
    """The real Coach and Clinic on a fresh in-memory database, at T0."""
    storage = await SqliteStorage.open(":memory:")
    clock = Clock(T0)
    coach = Coach(storage.conversations, storage.history, storage.shares, clock=clock)
    clinic = Clinic(coach, storage.shares, storage.history, storage.conversations)
    return World(coach, clinic, storage, clock)


async def _run(actions: list[tuple[object, ...]]) -> World:
    world = await _open_world()
    storage = world.storage
    try:
        for action in actions:
            await world.step(action)
        # after everything: what the database says is live is what the rules say
        for pt in USERS:
            held = {(s.patient_id, pt) for s in await storage.shares.of_clinician(pt)}
            expected = {p for p in world.model.pairs() if p[1] == pt}
            if held != expected:
                world.problems.append(f"{pt} holds {held}, the rules say {expected}")
    finally:
        await storage.close()
    return world


# walks start from nothing, from users with links out, or from a live share (1 -> 2)
_BEGUN: list[tuple[object, ...]] = [("start", 1), ("start", 2), ("start", 3), ("share", 1)]
_LIVE: list[tuple[object, ...]] = [*_BEGUN, ("open", 2, 0), ("share", 3)]
_SETUPS: list[list[tuple[object, ...]]] = [[], _BEGUN, _LIVE, _LIVE]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(op, min_size=6, max_size=24), st.sampled_from(_SETUPS))
def test_no_user_gets_another_users_data_without_a_live_share(
    actions: list[tuple[object, ...]], setup: list[tuple[object, ...]]
) -> None:
    world = asyncio.run(_run([*setup, *actions]))
    shown = sum(1 for lt in world.delivered if lt.about not in (None, lt.chat_id))
    event("a clinician saw a patient's data" if shown else "no data crossed between users")
    assert world.problems == []


def test_a_scripted_interleaving_reaches_every_kind_of_letter() -> None:
    """The random walk's rules, on one path that surely shares, views, revokes, forgets."""
    actions: list[tuple[object, ...]] = [
        ("start", 1),
        ("share", 1),
        ("open", 2, 0),
        ("press", 2, "r", 1),
        ("stop", 1),
        ("press", 2, "d", 1),
        ("press", 3, "r", 1),  # forged: someone else's share
        ("wait", 8),
        ("revoke", 3, 1),  # not theirs
        ("revoke", 1, 1),
        ("press", 2, "r", 1),  # revoked
        ("share", 1),
        ("open", 3, 1),
        ("forget", 3),  # a clinician only
        ("share", 1),
        ("open", 2, 2),
        ("forget", 1),
    ]
    world = asyncio.run(_run(actions))
    assert world.problems == []
    to_pt = [lt for lt in world.delivered if lt.chat_id == 2 and lt.about == 1]
    assert any(lt.file is not None for lt in to_pt)  # the report reached the PT
    assert any("stopped" in lt.message.text for lt in to_pt)  # and the alert
    assert not [lt for lt in world.delivered if lt.chat_id == 3 and lt.about == 1 and lt.file]
    told = [lt.message.text for lt in world.delivered if lt.chat_id == 2]
    assert any("no longer shares" in text for text in told)


def test_a_re_delivered_prescription_is_recorded_once() -> None:
    """Issue 25, 10: a PT's action is recognised by its update id: Telegram delivering the
    same update again (a process killed mid-turn) records the prescription once."""

    async def twice() -> int:
        world = await _open_world()
        storage = world.storage
        try:
            for action in [("start", 1), ("share", 1), ("open", 2, 0)]:
                await world.step(action)
            (share,) = await storage.shares.of_clinician(2)
            pt = Person(2, 2, name(2), "en", update_id=9001)
            press = SharePress(
                pack(Desk(Screen.RX_REPS, str(share.id), Rung.PRESS_UPS, Wall.KEEP), "0")
            )
            first = await world.clinic.handle(pt, press, "bot")
            again = await world.clinic.handle(pt, press, "bot")
            assert first and again == []
            return len(await storage.history.prescriptions(1))
        finally:
            await storage.close()

    assert asyncio.run(twice()) == 1


def test_a_re_delivered_share_gives_the_same_link_and_it_works() -> None:
    """Issue 25, 10: /share delivered twice (a process killed mid-turn) makes one code,
    so the link the patient already received is the one a PT can open."""

    async def twice() -> tuple[list[str], list[str], int]:
        world = await _open_world()
        storage, clinic = world.storage, world.clinic
        try:
            await world.step(("start", 1))
            patient = Person(1, 1, name(1), "en", update_id=500)
            first = await clinic.handle(patient, Command("share"), "bot") or []
            again = await clinic.handle(patient, Command("share"), "bot") or []
            codes = [c for lt in first for c in _CODE.findall(lt.message.text)]
            codes_again = [c for lt in again for c in _CODE.findall(lt.message.text)]
            pt = Person(2, 2, name(2), "en", update_id=501)
            await clinic.handle(pt, Command("start", codes[0]), "bot")
            await clinic.handle(pt, SharePress(pack(Desk(Screen.LINK, codes[0]), "yes")), "bot")
            return codes, codes_again, len(await storage.shares.of_clinician(2))
        finally:
            await storage.close()

    codes, codes_again, shares = asyncio.run(twice())
    assert len(codes) == 1 and codes == codes_again
    assert shares == 1  # the first link works


def test_two_shares_in_two_updates_make_two_codes() -> None:
    async def run() -> set[str]:
        world = await _open_world()
        storage, clinic = world.storage, world.clinic
        try:
            await world.step(("start", 1))
            found: set[str] = set()
            for update in (600, 601):
                letters = await clinic.handle(
                    Person(1, 1, name(1), "en", update_id=update), Command("share"), "bot"
                )
                found |= {c for lt in letters or [] for c in _CODE.findall(lt.message.text)}
            return found
        finally:
            await storage.close()

    assert len(asyncio.run(run())) == 2


def test_a_re_delivered_yes_i_am_keeps_one_share_and_fails_nothing() -> None:
    """The PT's "Yes, I am" delivered twice (or the link opened again by the PT who used
    it): one share, the patient told once, and the PT reads that they already follow,
    not that the link failed. Another clinician opening the used link is still refused."""

    async def run() -> tuple[list[str], list[str], list[str], int, list[str]]:
        world = await _open_world()
        storage, clinic = world.storage, world.clinic
        try:
            await world.step(("start", 1))
            shared = await clinic.handle(Person(1, 1, name(1), "en", 700), Command("share"), "bot")
            (code,) = {c for lt in shared or [] for c in _CODE.findall(lt.message.text)}
            pt = Person(2, 2, name(2), "en", update_id=701)
            yes = SharePress(pack(Desk(Screen.LINK, code), "yes"))
            first = await clinic.handle(pt, yes, "bot") or []
            again = await clinic.handle(pt, yes, "bot") or []
            reopened = await clinic.handle(pt, Command("start", code), "bot") or []
            other = await clinic.handle(Person(3, 3, name(3), "en"), yes, "bot") or []
            told = [lt.message.text for lt in [*first, *again, *reopened] if lt.chat_id == 1]
            held = len(await storage.shares.of_clinician(2))
            return (
                [lt.message.text for lt in again],
                [lt.message.text for lt in reopened],
                told,
                held,
                [lt.message.text for lt in other],
            )
        finally:
            await storage.close()

    again, reopened, told, held, other = asyncio.run(run())
    assert held == 1 and len(told) == 1
    assert (
        again == reopened == [f"You already follow {name(1)}: nothing changes, one share stays."]
    )
    assert other == [
        "This link was used already. Each link works once: ask for a new one (/share)."
    ]


def test_a_confirmation_a_killed_process_left_half_done_is_finished_when_re_delivered() -> None:
    """ "Yes, I am" redeemed the code, then the process died before the PT's row was
    written: the re-delivered update finishes it (welcome, time zone, the patient told)
    instead of "you already follow", and the PT's report then leaves."""

    async def run() -> tuple[list[str], bool, list[bool]]:
        world = await _open_world()
        storage, clinic = world.storage, world.clinic
        try:
            await world.step(("start", 1))
            await world.step(("share", 1))
            code = world.model.latest[1]
            pt = Person(2, 2, name(2), "en", update_id=777)
            press = SharePress(pack(Desk(Screen.LINK, code), "yes"))
            saved = storage.shares.save_clinician

            async def killed(clinician: object) -> None:
                raise RuntimeError("the process was killed here")

            storage.shares.save_clinician = killed  # type: ignore[method-assign]
            with pytest.raises(RuntimeError):
                await clinic.handle(pt, press, "bot")
            storage.shares.save_clinician = saved  # type: ignore[method-assign]
            again = await clinic.handle(pt, press, "bot") or []
            (share,) = await storage.shares.of_clinician(2)
            report = SharePress(pack(Desk(Screen.CARD, str(share.id)), "report"))
            allowed = []
            for letter in await clinic.handle(pt, report, "bot") or []:
                async with clinic.leaving(letter) as may:
                    allowed.append(may)
            told = any(lt.chat_id == 1 for lt in again)
            return [lt.message.text for lt in again if lt.chat_id == 2], told, allowed
        finally:
            await storage.close()

    texts, told, allowed = asyncio.run(run())
    assert texts[0].startswith(f"You now follow {name(1)}'s progress") and told
    assert allowed and all(allowed)


def test_a_revoked_pt_opening_the_old_link_is_told_it_was_used() -> None:
    """ "You already follow" is for a live share only: after the patient's revoke, the
    PT's old link says it was used, and nothing is shared again."""

    async def run() -> tuple[list[str], int]:
        world = await _open_world()
        storage, clinic = world.storage, world.clinic
        try:
            for action in [("start", 1), ("share", 1), ("open", 2, 0)]:
                await world.step(action)
            code = world.model.latest[1]
            (share,) = await storage.shares.of_clinician(2)
            await world.step(("revoke", 1, share.id))
            pt = Person(2, 2, name(2), "en")
            opened = await clinic.handle(pt, Command("start", code), "bot") or []
            yes = SharePress(pack(Desk(Screen.LINK, code), "yes"))
            confirmed = await clinic.handle(pt, yes, "bot") or []
            texts = [lt.message.text for lt in [*opened, *confirmed]]
            return texts, len(await storage.shares.of_clinician(2))
        finally:
            await storage.close()

    texts, held = asyncio.run(run())
    used = "This link was used already. Each link works once: ask for a new one (/share)."
    assert texts == [used, used] and held == 0
