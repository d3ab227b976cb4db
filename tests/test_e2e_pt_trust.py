"""Issue 25 end to end: the PT's side as trustworthy as the patient's, on the fake Bot API.

Two links then one revoke leaves the PT with nothing; a report pressed just before a
revoke sends nothing after the patient read "can no longer see"; the report and chart
name the patient; the PT is told when the patient lifts a stop with "my PT says go on".
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from flows import texts as t
from flows.catalogue import PRESS_UPS, SIDE_GLIDE
from flows.clinician import texts as st
from flows.model import Answer
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_sharing import redeem, share_link
from tests.test_e2e_telegram import check_in, do_set, onboard

PATIENT, PT = 5101, 5202


async def shared(api: FakeBotAPI) -> tuple[User, User]:
    anna, dana = User(api, PATIENT, name="Anna"), User(api, PT, name="Dana")
    await onboard(anna)
    await do_set(anna, first=True)
    await check_in(anna, t.LEG_ANSWERS[Answer.CENTRALIZING], "5", "Buttock")
    await anna.expect("keep going with the side glide")
    await redeem(dana, await share_link(anna), "Anna")
    await dana.keyboard()  # the time-zone question
    await dana.tap("UTC")
    return anna, dana


async def upload_held(api: FakeBotAPI) -> None:
    """Until a held upload has provably arrived at "Telegram" (and waits there)."""
    for _ in range(300):
        if any(c.status is None for c in api.calls("sendDocument")):
            return
        await asyncio.sleep(0.1)


async def worse(anna: User, dana: User) -> None:
    """Anna reports a set that made her leg worse: stopped, and Dana is alerted."""
    anna.say("/checkin")
    await anna.answer(t.B_JUST_DID_SET)
    await anna.answer(t.LEG_ANSWERS[Answer.WORSE])
    await anna.answer("7")
    await anna.answer("Foot")
    await dana.expect("Anna's exercises have stopped")


async def test_two_links_then_one_revoke_leaves_the_pt_nothing(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        anna, dana = await shared(api)
        code = await share_link(anna)  # "the first did not work": a second link
        dana.say(f"/start {code}")
        confirm = await dana.expect("Are you")
        await dana.tap(st.B_I_AM, confirm)
        await dana.expect("You already follow Anna")
        anna.say("/sharing")
        one = await anna.keyboard()
        await asyncio.sleep(0.3)
        listed = [
            m for m in api.sent_to(PATIENT) if "Dana can see your progress" in (m.text or "")
        ]
        assert len(listed) == 1, [m.text for m in listed]  # one share, one "Stop sharing"
        await anna.tap(one.button_texts[0], one)
        await anna.expect("can no longer see your progress")
        dana.say("/patients")
        await dana.expect("No one shares their progress with you")


async def test_the_report_and_chart_name_the_patient_and_nothing_leaves_after_a_revoke(
    tmp_path: Path,
    sqlite_db: Path,
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        anna, dana = await shared(api)
        dana.say("/patients")
        card = await dana.keyboard()
        assert (card.text or "").startswith(st.STATUS_ACTIVE), card.text
        assert "Last warning-sign check" in (card.text or "")
        await dana.tap(st.B_REPORT, card)
        csv = await dana.expect(kind="document")
        assert csv.filename is not None and csv.filename.startswith("Anna-checkins-")
        report = await dana.expect(kind="document")
        assert report.filename is not None and report.filename.startswith("Anna-report-")
        html = (report.data or b"").decode()
        assert "Anna: progress report" in html and st.STATUS_ACTIVE in html
        await dana.tap(st.B_CHART, card)
        chart = await dana.expect(kind="photo")
        assert "Anna" in (chart.text or "")
        # a report pressed, its upload held at Telegram, then the patient's revoke: the
        # document leaves before "can no longer see" is sent, or never
        rule = api.hold("sendDocument", times=2)
        await dana.tap(st.B_REPORT, card)
        await upload_held(api)
        anna.say("/sharing")
        revoke = await anna.keyboard()
        await anna.tap(revoke.button_texts[0], revoke)
        await asyncio.sleep(0.5)
        assert not [m for m in api.sent_to(PATIENT) if "can no longer see" in (m.text or "")]
        api.release(rule)
        done = await anna.expect("can no longer see your progress")
        delivered = [m for m in api.sent_to(PT) if m.kind == "document"]
        assert all(m.at <= done.at for m in delivered)


async def test_nothing_leaves_after_the_patient_reads_that_forget_deleted_everything(
    tmp_path: Path,
    sqlite_db: Path,
) -> None:
    """A report on its way (its upload held at Telegram) when the patient confirms
    /forget: "everything deleted" is sent only once the report has left."""
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        anna, dana = await shared(api)
        dana.say("/patients")
        card = await dana.keyboard()
        rule = api.hold("sendDocument", times=2)
        await dana.tap(st.B_REPORT, card)
        await upload_held(api)
        anna.say("/forget")
        confirm = await anna.keyboard()
        await anna.tap(t.B_FORGET, confirm)
        await asyncio.sleep(0.5)
        assert not [m for m in api.sent_to(PATIENT) if "is deleted" in (m.text or "")]
        api.release(rule)
        done = await anna.expect("everything I had stored about you is deleted")
        delivered = [m for m in api.sent_to(PT) if m.kind == "document"]
        assert delivered and all(m.at <= done.at for m in delivered)


async def test_the_pt_is_told_when_the_patient_lifts_a_stop(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        anna, dana = await shared(api)
        await worse(anna, dana)
        dana.say("/patients")
        card = await dana.keyboard()
        assert "On hold" in (card.text or "") and "Status: exercising" not in (card.text or "")
        held = await anna.keyboard()
        await anna.tap(t.B_PT_OK, held)
        await anna.answer(t.EXERCISE_BUTTONS[SIDE_GLIDE.rung])
        await anna.answer(t.B_PT_WALL_USUAL)
        told = await dana.expect("said their physical therapist cleared them")
        assert "Anna" in (told.text or "") and "their own word" in (told.text or "")


async def test_a_pt_lifts_a_hold_and_the_next_set_is_the_pts_exercise(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        anna, dana = await shared(api)
        await worse(anna, dana)
        dana.say("/patients")
        card = await dana.keyboard()
        assert st.B_LIFT in card.button_texts
        await dana.tap(st.B_LIFT, card)
        which = await dana.keyboard()
        await dana.tap(t.EXERCISE_BUTTONS[PRESS_UPS.rung], which)
        await dana.expect("Done: Anna goes on with")
        told = await anna.expect("lifted the pause")
        assert "Dana" in (told.text or "") and "straight press-ups" in (told.text or "")
        anna.say("/exercise")
        first = await anna.keyboard()
        if t.B_NOTHING_NEW in first.button_texts:
            await anna.tap(t.B_NOTHING_NEW, first)
            first = await anna.keyboard()
        assert "Step 1 of" in (first.text or "") or "press-ups" in (first.text or "").lower()
        assert "Lie face down" in (first.text or ""), first.text


async def test_the_pts_report_shows_the_patients_exercise_picture(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with (
        FakeBotAPI() as api,
        running(settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_ANIMATIONS=True)),
    ):
        _, dana = await shared(api)
        dana.say("/patients")
        card = await dana.keyboard()
        await dana.tap(st.B_REPORT, card)
        await dana.expect(kind="document")  # the CSV
        report = await dana.expect(kind="document")
        html = (report.data or b"").decode()
        assert 'class="exercise" src="data:image/png;base64,' in html
