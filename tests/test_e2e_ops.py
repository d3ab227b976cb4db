"""Operating the bot: webhook mode with its secret, health and metrics, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.bootstrap import open_storage
from bot.clock import utcnow
from flows import texts as t
from flows.model import Answer
from tests import dbkit
from tests.botkit import TOKEN, User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI
from tests.test_e2e_telegram import onboard

pytestmark = pytest.mark.slow  # runs the bot as a process

SECRET = "s3cret-Token_for-webhooks-32-chars-long"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_checks_the_secret_and_serves_health(
    tmp_path: Path, bot_db: Db
) -> None:
    hook_port, health_port = free_port(), free_port()
    url = f"http://127.0.0.1:{hook_port}/telegram/hook"
    async with FakeBotAPI() as api:
        settings = settings_for(
            api,
            tmp_path,
            bot_db,
            SIDEGLIDE_WEBHOOK_URL=url,
            SIDEGLIDE_WEBHOOK_SECRET=SECRET,
            SIDEGLIDE_LISTEN=f"127.0.0.1:{hook_port}",
            SIDEGLIDE_HEALTH_LISTEN=f"127.0.0.1:{health_port}",
        )
        async with running(settings):
            assert api.webhook.url == url
            assert api.webhook.secret_token == SECRET
            user = User(api, 9009)
            user.say("/start")  # the fake delivers it to the webhook with the secret
            welcome = await user.keyboard()
            assert "coach, not a doctor" in (welcome.text or "")

            forged = {
                "update_id": 999_999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "text": "/start",
                    "chat": {"id": 4242, "type": "private"},
                    "from": {"id": 4242, "is_bot": False, "first_name": "Eve"},
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            status, _ = await api.deliver_webhook(url, forged)
            assert status == 403
            status, _ = await api.deliver_webhook(url, forged, secret_token="wrong-secret")
            assert status == 403
            await api.expect_no_message(4242, within=0.5)
            db = settings.SIDEGLIDE_DB
            assert dbkit.one(db, "SELECT COUNT(*) FROM users WHERE user_id = 4242") == (0,)

            base = f"http://127.0.0.1:{health_port}"
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/healthz") as r:
                    assert r.status == 200 and (await r.json())["status"] == "ok"
                async with http.get(f"{base}/readyz") as r:
                    body = await r.json()
                    assert r.status == 200, body
                    assert body["checks"] == {"database": True, "scheduler": True}
                async with http.get(f"{base}/metrics") as r:
                    text = await r.text()
                    assert r.status == 200
                    for name in (
                        "sideglide_updates_total",
                        "sideglide_sends_total",
                        "sideglide_handler_seconds_bucket",
                        "sideglide_reminders_total",
                        "sideglide_tts_cache_total",
                        "sideglide_errors_total",
                    ):
                        assert name in text
                    assert 'sideglide_sends_total{method="sendMessage",result="ok"}' in text


async def test_sigterm_during_a_conversation_loses_no_check_in(tmp_path: Path, bot_db: Db) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("TELEGRAM_", "SIDEGLIDE_"))
            },
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "TELEGRAM_BASE_FILE_URL": api.base_file_url,
            "SIDEGLIDE_DB": str(settings.SIDEGLIDE_DB),
            "SIDEGLIDE_TTS": "off",
            "SIDEGLIDE_HEALTH_LISTEN": "off",
            "SIDEGLIDE_LOG_FORMAT": "json",
            "SIDEGLIDE_USER_RATE": "0",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = User(api, 1111)
            await onboard(user)
            await user.tap(t.B_START)
            for _ in range(8):
                step = await user.keyboard()
                await user.tap(step.button_texts[0])
            q = await user.keyboard()
            await user.tap(t.LEG_ANSWERS[Answer.CENTRALIZING], q)
            await user.answer("4")
            reach = await user.keyboard()
            # The handler of the last answer awaits its callback answer: held by the
            # fake, it keeps that update in flight for as long as the test needs.
            held = api.hold("answerCallbackQuery")
            try:
                await user.tap("Buttock", reach)
                await api.wait_for(lambda: held.hits or None, what="the bot handling the tap")
                sigterm_at = time.monotonic()
                proc.send_signal(signal.SIGTERM)  # while that answer is in flight
                # the updater's last getUpdates (no long poll): the bot is stopping now,
                # with the update still in hand
                await api.wait_for_calls(
                    "getUpdates",
                    predicate=lambda c: c.at >= sigterm_at and not c.params.get("timeout"),
                )
            finally:
                api.release(held)
            _, stderr = await asyncio.wait_for(proc.communicate(), 60)  # a hang guard
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, stderr.decode()[-2000:]
        logs = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
        assert any("stopped cleanly" in entry["msg"] for entry in logs)
        assert TOKEN not in stderr.decode()
        replies = [
            m for m in api.sent_to(1111) if "keep going with the side glide" in (m.text or "")
        ]
        db = settings.SIDEGLIDE_DB
        rows = dbkit.rows(db, "SELECT answer, pain, reach FROM checkins WHERE user_id = 1111")
        assert dbkit.integrity(db) == "ok"
        # a graceful stop finishes the update it had: the answer was stored once and
        # its reply went out
        assert rows == [("centralizing", 4, "buttock")]
        assert len(replies) == 1, api.transcript(1111)


async def test_an_update_a_dead_process_accepted_is_answered_after_the_restart(
    tmp_path: Path, bot_db: Db
) -> None:
    """The process that stored the update (Telegram had its 200) died before handling
    it: the next one answers it. On SQLite at its first tick, since no other process
    can have it; on PostgreSQL once the update's lease has run out. The user's next
    message, sent meanwhile, is answered after it, even with one update at a time
    (found in review: it held the only slot the taken-over update needed)."""
    uid = 5151
    port = free_port()
    async with FakeBotAPI() as api:
        settings = settings_for(
            api,
            tmp_path,
            bot_db,
            SIDEGLIDE_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
            SIDEGLIDE_WEBHOOK_SECRET=SECRET,
            SIDEGLIDE_LISTEN=f"127.0.0.1:{port}",
            SIDEGLIDE_REMINDER_TICK=0.3,
            SIDEGLIDE_UPDATE_LEASE=1 if dbkit.is_postgres(bot_db) else 3600,
            SIDEGLIDE_CONCURRENCY=1,
        )
        left = {
            "update_id": 0,  # before the fake's first id: the user's next message is later
            "message": {
                "message_id": 1,
                "date": int(time.time()) - 5,
                "text": "/start",
                "chat": {"id": uid, "type": "private"},
                "from": {"id": uid, "is_bot": False, "first_name": "Ann"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        storage = await open_storage(settings)
        try:
            await storage.inbox.accept(0, uid, json.dumps(left), utcnow() - timedelta(seconds=5))
        finally:
            await storage.close()
        async with running(settings):
            api.send_text(uid, "/help")
            await api.wait_for(
                lambda: len(api.sent_to(uid)) >= 2 or None,
                30,
                "both answers",  # a hang guard
            )
            texts = [m.text or "" for m in api.sent_to(uid)]
            assert "coach, not a doctor" in texts[0], api.transcript(uid)
            assert any(x.startswith(t.HELP.splitlines()[0]) for x in texts[1:]), texts
            await api.wait_for(
                lambda: (
                    dbkit.one(settings.SIDEGLIDE_DB, "SELECT COUNT(*) FROM inbox") == (0,) or None
                ),
                30,  # a hang guard
                "the inbox emptied",
            )
        db = settings.SIDEGLIDE_DB
        assert dbkit.one(db, "SELECT COUNT(*) FROM users WHERE user_id = ?", (uid,)) == (1,)
