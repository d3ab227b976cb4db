"""/progress, /export, /mydata and /forget through the fake Bot API."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flows import texts as t
from flows.model import Answer
from tests import dbkit
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import check_in, do_set, onboard


async def test_progress_export_mydata_and_forget(tmp_path: Path, bot_db: Db) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        async with running(settings):
            user = User(api, 5005)
            await onboard(user)
            await do_set(user, first=True)
            await check_in(user, t.LEG_ANSWERS[Answer.CENTRALIZING], "5", "Buttock")
            nudged = await user.expect("keep going with the side glide")
            assert "1 of 5 sets today" in (nudged.text or "")
            await do_set(user)
            await check_in(user, t.LEG_ANSWERS[Answer.CENTRALIZING], "4", "Low back, one side")

            user.say("/progress")
            photo = await user.expect(kind="photo", timeout=60)
            assert photo.data is not None and photo.data[:8] == b"\x89PNG\r\n\x1a\n"
            width = int.from_bytes(photo.data[16:20], "big")
            assert width >= 800
            assert "Pain, last 7 days" in (photo.caption or "")
            assert "Sets this week: 2 of 35 planned" in (photo.caption or "")

            user.say("/export")
            csv_doc = await user.expect(kind="document", timeout=60)
            report = await user.expect(kind="document", timeout=60)
            assert csv_doc.filename and csv_doc.filename.endswith(".csv")
            rows = list(csv.DictReader(io.StringIO((csv_doc.data or b"").decode())))
            assert [(r["answer"], r["pain"], r["reach"]) for r in rows] == [
                ("centralizing", "5", "buttock"),
                ("centralizing", "4", "back_side"),
            ]
            assert rows[0]["timestamp"].endswith(("Z", "+00:00"))
            assert report.filename and report.filename.endswith(".html")
            assert b"data:image/png;base64," in (report.data or b"")

            user.say("/mydata")
            await user.expect("2 check-ins")

            user.say("/forget")
            confirm = await user.keyboard()
            await user.tap(t.B_FORGET, confirm)
            await user.expect("everything I had stored about you is deleted")
            # an old button tapped afterwards is answered, and stores nothing again
            answered = len(api.calls("answerCallbackQuery"))
            api.press_button(5005, confirm, t.B_FORGET)
            await api.wait_for_calls("answerCallbackQuery", answered + 1)
            # so are commands: answered ("send /start"), and nothing stored
            for command in ("/mydata", "/exercise", "/language", "/frobnicate"):
                user.say(command)
                await user.expect()
        # the bot is stopped: look at every table directly
        db = settings.SIDEGLIDE_DB
        tables = dbkit.tables(db)
        for table, cols in tables.items():
            for col in sorted({"user_id", "chat_id", "pt_id"} & cols):
                found = dbkit.one(db, f"SELECT COUNT(*) FROM {table} WHERE {col} = 5005")
                assert found == (0,), f"{table}.{col} still holds the user"
        assert {"users", "checkins", "screenings", "rung_changes", "reminders"} <= set(tables)
        async with running(settings):
            user.say("/start")
            welcome = await user.keyboard()
            assert "coach, not a doctor" in (welcome.text or "")
