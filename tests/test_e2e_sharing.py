"""A patient and their physical therapist, two users of the real bot on the fake Bot API.

Every step counts the rows left in every table: what a share, a revoke or a
/forget leaves behind is checked in the database itself, not only in the chat.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import texts as t
from flows.catalogue import exercise_name
from flows.clinician import texts as st
from flows.clinician.desk import Desk, Screen, Wall, pack
from flows.model import Answer, Rung
from tests import dbkit
from tests.botkit import User, running, settings_for
from tests.conftest import Clock
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.test_e2e_telegram import check_in, do_set, onboard

# a Sunday evening; the Monday summary is due at 08:00 in the PT's zone (UTC+1)
SUNDAY = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
PATIENT, PT, OTHER = 4101, 4202, 4303
_CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


def table_rows(db: dbkit.Db) -> dict[str, dict[str, int]]:
    """Per table: all rows, and the rows naming each person (user_id or pt_id)."""
    out: dict[str, dict[str, int]] = {}
    for table, cols in dbkit.tables(db).items():
        total = dbkit.one(db, f"SELECT COUNT(*) FROM {table}")
        counts = {"all": int(total[0]) if total else 0}
        for who, person in (("patient", PATIENT), ("pt", PT), ("other", OTHER)):
            n = 0
            for col in sorted({"user_id", "pt_id"} & cols):
                found = dbkit.one(db, f"SELECT COUNT(*) FROM {table} WHERE {col} = ?", (person,))
                n += int(found[0]) if found else 0
            counts[who] = n
        out[table] = counts
    return out


def naming(db: dbkit.Db, who: str) -> dict[str, int]:
    """The tables that still name `who`, with how many rows."""
    return {table: c[who] for table, c in table_rows(db).items() if c[who]}


async def share_link(user: User) -> str:
    user.say("/share")
    link = await user.expect("?start=")
    what = await user.expect("never see anything you typed")
    assert "check-ins" in (what.text or "") and "warning-sign" in (what.text or "")
    found = _CODE.search(link.text or "")
    assert found is not None
    assert "https://t.me/sideglide_test_bot?start=" in (link.text or "")
    return found.group(1)


async def redeem(pt: User, code: str, patient_name: str) -> SentMessage:
    pt.say(f"/start {code}")
    confirm = await pt.expect("Are you")
    assert patient_name in (confirm.text or "")
    assert confirm.button_texts == [st.B_I_AM, st.B_NOT_ME]
    await pt.tap(st.B_I_AM, confirm)
    return await pt.expect(f"You now follow {patient_name}")


async def test_share_view_prescribe_alert_summary_revoke_and_forget(
    tmp_path: Path, bot_db: Db
) -> None:
    clock = Clock(SUNDAY)
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_REMINDER_TICK=0.3)
        db = settings.SIDEGLIDE_DB
        async with running(settings, clock):
            anna = User(api, PATIENT, name="Anna")
            dana = User(api, PT, name="Dana")
            await onboard(anna)
            await do_set(anna, first=True)
            await check_in(anna, t.LEG_ANSWERS[Answer.CENTRALIZING], "5", "Buttock")
            await anna.expect("keep going with the side glide")
            before = naming(db, "patient")
            assert before["checkins"] == 1 and "shares" not in before

            # share: one link, stored as a hash only, nothing for the PT yet
            code = await share_link(anna)
            assert naming(db, "patient")["shares"] == 1
            assert naming(db, "pt") == {}
            stored = dbkit.rows(db, "SELECT code_hash FROM shares")
            assert stored and code not in str(stored)

            # confirm, and the time zone for the Monday summary
            await redeem(dana, code, "Anna")
            told = await anna.expect("Dana now follows your progress")
            assert told.chat_id == PATIENT
            await dana.answer("UTC+1")
            await dana.expect("Mondays at 08:00 (UTC+1)")
            assert naming(db, "pt") == {"shares": 1, "clinicians": 1}
            # the PT is not a patient here: no session, no schedule, nothing else
            assert table_rows(db)["users"]["pt"] == 0
            dana.say("/mydata")
            mine = await dana.expect("As a physical therapist here")
            assert "the 1 shares" in (mine.text or "")
            anna.say("/mydata")
            theirs = await anna.expect("What I store about you")
            assert "1 shares between you" in (theirs.text or "")

            # /patients: the card, the chart, the report
            dana.say("/patients")
            card = await dana.expect("Anna, sharing since 2026-11-29")
            assert "Last check-in: 2026-11-29" in (card.text or "")
            assert card.button_texts == [st.B_CHART, st.B_REPORT, st.B_PRESCRIBE]
            await dana.tap(st.B_CHART, card)
            chart = await dana.expect(kind="photo", timeout=60)
            assert chart.chat_id == PT and "Anna" in (chart.caption or "")
            assert chart.data is not None and chart.data[:4] == b"\x89PNG"
            await dana.tap(st.B_REPORT, card)
            await dana.expect(kind="document", timeout=60)
            report = await dana.expect(kind="document", timeout=60)
            assert report.data is not None
            html = report.data.decode("utf-8")
            assert "Who could see this progress" in html and "Dana" in html
            anna.say("/sharing")
            seen = await anna.expect("Dana can see your progress")
            assert "Last looked: 2026-11-29" in (seen.text or "")
            anna.say("/export")  # the patient's own report says who can see it
            await anna.expect(kind="document", timeout=60)
            own = await anna.expect(kind="document", timeout=60)
            assert own.data is not None and "Dana" in own.data.decode("utf-8")

            # a prescription that reverses the wall shoulder, with the PT's dose
            await dana.tap(st.B_PRESCRIBE, card)
            await dana.answer(t.EXERCISE_BUTTONS[Rung.SIDE_GLIDE])
            await dana.answer(t.B_PT_WALL_LEFT)
            await dana.answer("12")
            await dana.expect("Sent. Anna reads")
            await anna.expect("Your PT set")
            assert naming(db, "patient")["prescriptions"] == 1
            anna.say("/exercise")
            card_set = await anna.keyboard()
            assert "LEFT shoulder to the wall" in (card_set.text or "")
            assert "12 slow" in (card_set.text or "")
            await anna.tap(t.B_DONE, card_set)

            # worse: the exercises stop and the PT is told at once
            await check_in(anna, t.LEG_ANSWERS[Answer.WORSE], "7", "Thigh")
            halted = await anna.expect("see a physical therapist")
            assert halted.chat_id == PATIENT
            alert = await dana.expect("Anna's exercises have stopped")
            assert "worse or spreading pain: stop rule" in (alert.text or "")
            assert alert.button_texts == [st.B_CHART, st.B_REPORT]

            # Monday 08:00 in the PT's zone: the weekly summary, once
            clock.now = datetime(2026, 11, 30, 7, 0, 30, tzinfo=UTC)
            await dana.expect("Your weekly summary")
            line = await dana.expect("Anna: 2 sets in the last 7 days")
            assert "On hold" in (line.text or "")
            assert "peripheralizing" in (line.text or "") or "not enough" in (line.text or "")

            # revoke: one tap; the PT is told, and their old buttons show nothing
            anna.say("/sharing")
            await anna.answer("Stop sharing with Dana")
            await anna.expect("Dana can no longer see your progress")
            await dana.expect("Anna no longer shares their progress with you")
            await dana.tap(st.B_CHART, card)
            await dana.expect(st.NOT_SHARED)
            assert not [m for m in dana.api.unread(PT) if m.kind == "photo"]
            dana.say("/patients")
            await dana.expect(st.PATIENTS_NONE)
            # the revoked share stays in the patient's record: the report says who had access
            assert naming(db, "patient")["shares"] == 1

            # a new link; then the patient's /forget ends it and the PT is told
            code = await share_link(anna)
            await redeem(dana, code, "Anna")
            await anna.expect("Dana now follows")
            anna.say("/forget")
            await anna.answer(t.B_FORGET)
            await anna.expect("everything I had stored about you is deleted")
            await dana.expect("Anna no longer shares")
            assert naming(db, "patient") == {}
            # the PT's clinician row stays; prescriptions went with the patient
            assert naming(db, "pt") == {"clinicians": 1}

            # another patient; the PT's own /forget removes them from it
            bob = User(api, OTHER, name="Bob")
            await onboard(bob)
            code = await share_link(bob)
            await redeem(dana, code, "Bob")
            await bob.expect("Dana now follows")
            dana.say("/forget")
            ask = await dana.keyboard()
            assert ask.button_texts == [st.B_DELETE, st.B_KEEP]
            await dana.tap(st.B_DELETE, ask)
            await dana.expect("you follow no one now")
            await bob.expect("Dana deleted their data here")
            assert naming(db, "pt") == {}
            assert "shares" not in naming(db, "other")  # the share named the PT: gone
            assert naming(db, "other")["users"] == 1  # Bob's own record stays
            # many ticks later, still one summary: it is sent once a week
            summaries = [m for m in api.sent_to(PT) if "Your weekly summary of" in (m.text or "")]
            assert len(summaries) == 1


async def test_links_fail_safely(tmp_path: Path, bot_db: Db) -> None:
    """Reused, expired, own and unknown codes; a third user after use; a group chat;
    a forged button naming another patient's share."""
    clock = Clock(SUNDAY)
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        db = settings.SIDEGLIDE_DB
        async with running(settings, clock):
            anna = User(api, PATIENT, name="Anna")
            dana = User(api, PT, name="Dana")
            eve = User(api, OTHER, name="Eve")
            await onboard(anna)

            code = await share_link(anna)
            anna.say(f"/start {code}")  # the patient opens their own link
            await anna.expect(st.LINK_OWN)
            # in a group, nothing is shared or stored
            api.send_text(PT, f"/start {code}", chat_id=-100555, chat_type="group")
            await api.wait_for_message(-100555, lambda m: "private chat" in (m.text or ""))
            await redeem(dana, code, "Anna")
            await anna.expect("Dana now follows")

            eve.say(f"/start {code}")  # a third user, after use
            await eve.expect(st.LINK_USED)
            dana.say(f"/start {code}")  # the PT again: they follow already, nothing failed
            await dana.expect("You already follow Anna")
            eve.say("/start AAAAAAAAAAAAAAAAAAAAAA")
            await eve.expect(st.LINK_UNKNOWN)

            old = await share_link(anna)
            clock.advance(timedelta(days=7, seconds=1))
            eve.say(f"/start {old}")
            await eve.expect(st.LINK_EXPIRED)

            # forged: Eve presses "chart" naming Anna's share (and a made-up one)
            found = dbkit.one(db, "SELECT MIN(id) FROM shares")
            assert found is not None
            share_id = found[0]
            eve.say("/patients")
            empty = await eve.expect(st.PATIENTS_NONE)
            ref = str(share_id)
            for desk, value in (
                (Desk(Screen.CARD, ref), "chart"),
                (Desk(Screen.ALERT, ref), "report"),
                (Desk(Screen.CARD, ref), "rx"),
                (Desk(Screen.RX_REPS, ref, Rung.PRESS_UPS, Wall.KEEP), "8"),
                (Desk(Screen.CARD, "999"), "chart"),
            ):
                api.press(OTHER, empty, "p:" + pack(desk, value), check=False)
                await eve.expect(st.NOT_SHARED)
            # a button made before the table (still read) is refused the same way; a
            # made-up one is answered as an older message's
            api.press(OTHER, empty, f"p:c:{share_id}", check=False)
            await eve.expect(st.NOT_SHARED)
            api.press(OTHER, empty, f"p:q:{share_id}", check=False)
            await eve.expect(st.OLD_BUTTON)
            # Eve (not the patient) cannot revoke Anna's share either
            api.press(OTHER, empty, "p:" + pack(Desk(Screen.SHARING, ref), "stop"), check=False)
            await eve.expect(st.SHARING_NONE)
            assert dbkit.one(db, "SELECT revoked FROM shares WHERE id = ?", (share_id,)) == (None,)
            eve_got = api.sent_to(OTHER)
            assert not [m for m in eve_got if m.kind in ("photo", "document")]
            assert not [m for m in eve_got if "Anna" in (m.text or "")]
            assert naming(db, "other") == {}  # Eve has no record at all


async def test_a_pt_who_is_also_a_patient(tmp_path: Path, bot_db: Db) -> None:
    """Both roles in one account: each works, and /forget (as a patient) ends both."""
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        db = settings.SIDEGLIDE_DB
        async with running(settings):
            anna = User(api, PATIENT, name="Anna")
            dana = User(api, PT, name="Dana")
            bob = User(api, OTHER, name="Bob")
            await onboard(anna)
            await onboard(dana)
            code = await share_link(anna)
            await redeem(dana, code, "Anna")
            code = await share_link(dana)  # Dana shares her own progress with Bob
            await redeem(bob, code, "Dana")
            dana.say("/patients")
            await dana.expect("Anna, sharing since")
            dana.say("/sharing")
            await dana.expect("Bob can see your progress")
            await anna.expect("Dana now follows")

            dana.say("/forget")
            await dana.answer(t.B_FORGET)
            await dana.expect("everything I had stored about you is deleted")
            await anna.expect("Dana deleted their data here")
            await bob.expect("Dana no longer shares")
            assert naming(db, "pt") == {}
            assert "shares" not in naming(db, "patient")
            assert "shares" not in naming(db, "other")


async def test_the_pt_reads_their_own_language(tmp_path: Path, bot_db: Db) -> None:
    """A German PT of an English patient: the PT's screens are German, the patient's
    English, and the exercise named in each reader's language."""
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        anna = User(api, PATIENT, name="Anna")
        dana = User(api, PT, language="de", name="Dana")
        await onboard(anna)
        code = await share_link(anna)
        dana.say(f"/start {code}")
        confirm = await dana.keyboard()
        assert "Anna" in (confirm.text or "") and "Physiotherapeut" in (confirm.text or "")
        await dana.tap(confirm.button_texts[0], confirm)
        await dana.keyboard()  # the time zones
        dana.say("/patients")
        card = await dana.keyboard()
        assert "Anna" in (card.text or "")
        await dana.tap(card.button_texts[2], card)
        which = await dana.keyboard()
        await dana.tap(which.button_texts[0], which)  # straight press-ups
        reps = await dana.keyboard()
        await dana.tap(reps.button_texts[-1], reps)  # the usual dose
        sent = await dana.expect("Anna")
        assert sent.text is not None and "Sent" not in sent.text
        told = await anna.expect("Your PT set")
        assert exercise_name(Rung.PRESS_UPS).lower() in (told.text or "").lower()
