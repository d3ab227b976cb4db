"""The token and users' health answers never reach the logs, not even at DEBUG.

The bot runs as operators run it (`python -m bot run`, its own logging set-up)
with SIDEGLIDE_LOG_LEVEL=DEBUG, and a user goes through a whole conversation.
The search is for strings that can only come from the token or from what the
user said: the stored answer values, button labels of answers, and a sentence
the user typed; not digits, which any log line has.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.botkit import TOKEN
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI
from tests.test_hardening_crash import BotProcess, integrity
from tests.test_hardening_faults import CENTRALIZING, EXPECTED_ROW, Patient, checkin_rows

pytestmark = pytest.mark.slow  # runs the bot as a process

TYPED = "my zebra sciatica flares at night"
HEALTH = (
    "centralizing",  # the stored answer
    "buttock",  # the stored reach (and a word of a screening question the bot sends)
    CENTRALIZING.lower(),  # the answer's button label
    "furthest point: thigh",  # the baseline the bot repeats back
    TYPED,
)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_debug_logs_hold_no_token_and_no_health_answers(
    tmp_path: Path, bot_db: Db, log_format: str
) -> None:
    async with FakeBotAPI() as api:
        bot = BotProcess(
            api,
            bot_db,
            tmp_path,
            SIDEGLIDE_LOG_LEVEL="DEBUG",
            SIDEGLIDE_LOG_FORMAT=log_format,
        )
        await bot.start()
        try:
            uid = 27_001
            api.send_text(uid, TYPED)  # free text before /start: answered with the welcome
            await api.wait_for_message(uid)
            await Patient(api, uid, patience=5.0, remind=True).run()
            # the chart, then the CSV and the report: every answer seen, nothing pending
            for command, kinds in (("/progress", ["photo"]), ("/export", ["document"] * 2)):
                api.send_text(uid, command)
                for kind in kinds:
                    await api.wait_for_message(uid, kind=kind, timeout=60)  # a hang guard
            assert await bot.terminate() == 0
        finally:
            bot.close()
        assert checkin_rows(bot.db) == {uid: [EXPECTED_ROW]}
        assert integrity(bot.db) == "ok"
    logs = bot.logs()
    lowered = logs.lower()
    assert "DEBUG" in logs and "bot started" in logs  # DEBUG was on, the run was real
    for secret in (TOKEN, quote(TOKEN, safe=""), TOKEN.split(":", 1)[1]):
        assert secret not in logs, "the bot token is in the logs"
    leaked = [word for word in HEALTH if word in lowered]
    if leaked:
        line = next(ln for ln in logs.splitlines() if leaked[0] in ln.lower())
        pytest.fail(f"health data {leaked} in the DEBUG logs, e.g.: {line[:300]}")


async def test_an_html_error_page_is_one_warning_line_not_a_traceback_with_the_page(
    tmp_path: Path, bot_db: Db
) -> None:
    """Telegram's front end answers 502 with an nginx page; PTB would log it whole."""
    async with FakeBotAPI() as api:
        bot = BotProcess(api, bot_db, tmp_path, SIDEGLIDE_LOG_LEVEL="DEBUG")
        await bot.start()
        try:
            # seed 13: the first send gets the 502 page, the retries do not
            faults = api.fault_rate(["sendMessage"], p=0.5, kinds=("502",), seed=13)
            uid = 27_002
            api.send_text(uid, "/start")
            await api.wait_for_message(uid)  # the retry got through
            faults.cancel()
            assert api.faults("sendMessage"), "no 502 was injected: the test proves nothing"
            assert await bot.terminate() == 0
        finally:
            bot.close()
    logs = bot.logs()
    assert "Telegram answered with a body that is not JSON" in logs
    assert "nginx" not in logs and "<html" not in logs.lower()
    assert "Traceback" not in logs
