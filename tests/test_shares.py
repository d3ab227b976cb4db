"""The Shares port's contract on a real database: codes work once, within 7 days, never
for their own patient; revoking is the patient's alone; /forget removes both roles."""

from __future__ import annotations

import asyncio
import base64
import secrets
from datetime import timedelta

from bot.sharing import codes
from bot.storage.ports import Redeemed, Turn
from flows.effects import RecordPrescription, RecordPsfs
from flows.model import Prescription, PsfsRating, Rung, Side
from flows.session import Session
from tests.conftest import T0, Storage

WEEK = timedelta(days=7)
PATIENT, PT, OTHER = 1, 2, 3


def code() -> str:
    return secrets.token_urlsafe(16)


async def test_a_code_works_once_and_only_within_its_week(storage: Storage) -> None:
    shares = storage.shares
    c = code()
    await shares.create(PATIENT, "Ana", c, T0, T0 + WEEK)
    assert (await shares.peek(c, PATIENT, T0))[0] is Redeemed.OWN
    assert (await shares.redeem(c, PATIENT, "Ana", T0))[0] is Redeemed.OWN
    verdict, share = await shares.redeem(c, PT, "Dr B", T0 + timedelta(hours=1))
    assert verdict is Redeemed.OK and share is not None and share.live
    assert (await shares.redeem(c, OTHER, "Mallory", T0))[0] is Redeemed.USED
    assert [s.pt_id for s in await shares.of_clinician(PT)] == [PT]
    assert await shares.of_clinician(OTHER) == []
    late = code()
    await shares.create(PATIENT, "Ana", late, T0, T0 + WEEK)
    assert (await shares.redeem(late, OTHER, "Late", T0 + WEEK))[0] is Redeemed.EXPIRED
    assert (await shares.redeem(code(), OTHER, "Guess", T0))[0] is Redeemed.UNKNOWN


async def test_two_clinicians_racing_for_one_code_get_one_share(storage: Storage) -> None:
    c = code()
    await storage.shares.create(PATIENT, "Ana", c, T0, T0 + WEEK)
    results = await asyncio.gather(
        *(storage.shares.redeem(c, 100 + i, f"PT {i}", T0) for i in range(5))
    )
    assert sorted(v.value for v, _ in results).count("ok") == 1
    assert len(await storage.shares.of_patient(PATIENT)) == 1


async def test_only_the_patient_revokes_and_a_revoked_share_shows_nothing(
    storage: Storage,
) -> None:
    c = code()
    await storage.shares.create(PATIENT, "Ana", c, T0, T0 + WEEK)
    _, share = await storage.shares.redeem(c, PT, "Dr B", T0)
    assert share is not None
    assert await storage.shares.revoke(share.id, PT, T0) is None  # the PT cannot
    assert await storage.shares.revoke(share.id, OTHER, T0) is None
    revoked = await storage.shares.revoke(share.id, PATIENT, T0)
    assert revoked is not None and not revoked.live
    assert await storage.shares.of_clinician(PT) == []
    assert await storage.shares.revoke(share.id, PATIENT, T0) is None  # once


async def test_forget_removes_a_person_in_both_roles(storage: Storage) -> None:
    rx = Prescription(Rung.SIDE_GLIDE, Side.RIGHT, 8)
    await storage.conversations.commit(
        Turn(
            user_id=PATIENT,
            chat_id=PATIENT,
            session=Session(),
            now=T0,
            records=(
                RecordPrescription(prescription=rx, pt_id=PT),
                RecordPsfs((PsfsRating(T0, "walk", 4),)),
            ),
        )
    )
    for patient in (PATIENT, OTHER):
        c = code()
        await storage.shares.create(patient, "P", c, T0, T0 + WEEK)
        await storage.shares.redeem(c, PT, "Dr B", T0)
    assert (await storage.conversations.count_rows(PT))["shares"] == 2
    assert (await storage.history.prescriptions(PATIENT))[0].prescription == rx
    assert (await storage.history.psfs(PATIENT))[0].score == 4

    await storage.conversations.forget(PT)
    assert set((await storage.conversations.count_rows(PT)).values()) == {0}
    # the patient keeps their history, without the PT's name in it
    (kept,) = await storage.history.prescriptions(PATIENT)
    assert kept.prescription == rx and kept.pt_id is None
    await storage.conversations.forget(PATIENT)
    assert set((await storage.conversations.count_rows(PATIENT)).values()) == {0}


def test_codes_carry_128_random_bits_and_fit_a_deep_link() -> None:
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000  # no repeats
    for code in made:
        assert codes.looks_like_code(code)
        # 16 random bytes in URL-safe base64: 22 characters, 6 bits each (>= 128 bits)
        assert len(code) == 22 and len(base64.urlsafe_b64decode(code + "==")) == 16
    # every one of the 64 characters turns up, in every position: nothing is fixed
    for position in range(21):
        assert len({code[position] for code in made}) == 64
    link = codes.link("sideglide_bot", "abc")
    assert link == "https://t.me/sideglide_bot?start=abc"
    assert not codes.looks_like_code("hello") and not codes.looks_like_code("x" * 65)


async def test_letters_on_their_way_are_counted_per_patient_and_reader(storage: Storage) -> None:
    """The marks behind "nothing leaves after Done" (bot.sharing.clinic.leaving): counted
    for the patient, for one reader or any; gone when sent; not counted, and dropped at
    the next mark, once their time is up; all dropped for a patient who /forgets."""
    shares = storage.shares
    soon = T0 + timedelta(seconds=120)
    first = await shares.sending(PATIENT, PT, T0, soon)
    await shares.sending(PATIENT, OTHER, T0, soon)
    await shares.sending(OTHER, PT, T0, soon)
    assert await shares.in_flight(PATIENT, T0) == 2
    assert await shares.in_flight(PATIENT, T0, PT) == 1
    await shares.sent(first)
    assert await shares.in_flight(PATIENT, T0, PT) == 0
    assert await shares.in_flight(PATIENT, T0) == 1
    assert await shares.in_flight(PATIENT, soon) == 0  # a stopped process's mark ends
    await shares.sending(PT, PATIENT, soon, soon + timedelta(seconds=120))  # sweeps
    assert await shares.in_flight(PATIENT, T0) == 0 and await shares.in_flight(OTHER, T0) == 0
    await shares.sending(PATIENT, PT, T0, soon)
    await shares.unmark(PATIENT)
    assert await shares.in_flight(PATIENT, T0) == 0
    assert await shares.in_flight(PT, soon) == 1  # another patient's marks stay
