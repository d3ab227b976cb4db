"""Issue 27 end to end: a learn-mode step sent without its voice note carries its still."""

from __future__ import annotations

from pathlib import Path

from flows import texts as t
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import onboard


async def test_a_step_without_voice_is_sent_with_its_still(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_ANIMATIONS=True)
        async with running(settings):
            user = User(api, 2701)
            await onboard(user)
            await user.tap(t.B_START)
            first = await user.keyboard()  # step 1: the set's animation carries it
            await user.tap(first.button_texts[0], first)
            second = await user.keyboard()
            assert "Step 2 of 8" in (second.text or "")
            assert second.kind == "photo", second.kind  # the step's still, caption and buttons
            assert second.button_texts == [t.B_NEXT, t.B_REPEAT, t.B_STOP]
            await user.tap(t.B_REPEAT, second)
            again = await user.keyboard()
            assert again.kind == "photo" and not again.uploaded  # uploaded once, then by id
