"""Sends that fail half-way, end to end: the real bot over real HTTP against the fake.

Two kinds of failure look alike to a client and must be treated apart (design.md,
"Retries"; bot/telegram/policy.py):
- not executed (a 5xx, a dropped connection): Telegram has nothing, so the bot sends
  again and the message arrives once;
- executed, then stalled: Telegram delivered the message and its answer comes after
  the bot's read timeout (5 s). The bot must not send it again: the user would see it
  twice. It counts the timeout instead.
Each kind of send (message, voice, animation, photo, document) meets both, each for
its own user in one run. And a refused or unreadable animation never strands a set:
its text and buttons go out without it. And a 429 storm of 20 s is waited out.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.animation.motions import Motion, Side
from bot.animation.service import AnimationService, Drawing
from flows import texts as t
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.test_e2e_telegram import STEP_BUTTONS, onboard
from tests.test_startup_errors import free_port

pytestmark = pytest.mark.slow  # each run waits out the bot's 5 s read timeout

READ_TIMEOUT_S = 5.0  # the bot's (bot.telegram.transport.AiohttpRequest)
STALL_S = READ_TIMEOUT_S + 3  # the fake answers only after the bot has given up
# an animation as the set's first message needs a file in the cache; the fake never
# decodes it, so a few bytes stand in for ffmpeg's seconds of drawing
GLIDE = Drawing(Motion.SIDE_GLIDE, Side.RIGHT, Side.LEFT)  # a left-pain user's


def seed_animation(settings: Any) -> None:
    service = AnimationService(settings.SIDEGLIDE_AUDIO_CACHE)
    service.dir.mkdir(parents=True, exist_ok=True)
    service.path(GLIDE).write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))


async def metrics(port: int) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as r:
        return await r.text()


def counted(text: str, name: str, **labels: str) -> float:
    """One sample of /metrics (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@dataclass(frozen=True)
class Kind:
    """One kind of send: the settings it needs, how a user gets there, what triggers it."""

    method: str
    settings: dict[str, Any]
    before: Callable[[User], Awaitable[None]]  # up to the moment before the trigger
    trigger: Callable[[User], Awaitable[None]]
    sent_kind: str


async def welcomed(user: User) -> None:
    user.say("/start")
    await user.expect("coach, not a doctor")


async def say_start(user: User) -> None:
    user.say("/start")


async def tap_start(user: User) -> None:
    await user.tap(t.B_START)


def saying(text: str) -> Callable[[User], Awaitable[None]]:
    async def say(user: User) -> None:
        user.say(text)

    return say


async def nothing(user: User) -> None:
    return None


KINDS = {
    "message": Kind("sendMessage", {}, nothing, say_start, "text"),
    "voice": Kind("sendVoice", {"SIDEGLIDE_TTS": "espeak"}, onboard, tap_start, "voice"),
    "animation": Kind(
        "sendAnimation", {"SIDEGLIDE_ANIMATIONS": True}, onboard, tap_start, "animation"
    ),
    "photo": Kind("sendPhoto", {}, welcomed, saying("/progress"), "photo"),
    "document": Kind("sendDocument", {}, welcomed, saying("/export"), "document"),
}


def same(a: Any, b: Any) -> bool:
    """Two calls that would deliver the same message."""

    def key(c: Any) -> tuple[object, ...]:
        files = tuple(sorted((k, f.filename, f.data) for k, f in c.files.items()))
        media = tuple(c.params.get(k) for k in ("text", "caption", "voice", "animation"))
        return (*media, files)

    return key(a) == key(b)


def no_message_twice(api: FakeBotAPI, uid: int, before: SentMessage) -> None:
    """Nothing delivered twice up to `before` (the barrier's reply: what comes after it
    is the barrier's own, which may show the current question again)."""
    seen: set[tuple[object, ...]] = set()
    for msg in api.sent_to(uid):
        if msg.message_id >= before.message_id:
            break
        key = (msg.kind, msg.text, tuple(msg.callback_datas), msg.filename)
        assert key not in seen, f"delivered twice: {msg.kind} {msg.text!r}\n" + api.transcript(uid)
        seen.add(key)


async def barrier(user: User) -> SentMessage:
    """/help answered: a user's updates run one at a time, so the turn before it (its
    sends, retries and all) is over."""
    user.say("/help")
    return await user.expect(t.HELP.splitlines()[0], timeout=60)  # a hang guard


@pytest.mark.parametrize("kind", list(KINDS))
async def test_a_send_not_executed_arrives_once_and_an_executed_stalled_one_is_not_repeated(
    tmp_path: Path, sqlite_db: Path, kind: str
) -> None:
    spec = KINDS[kind]
    health = free_port()
    async with FakeBotAPI() as api:
        settings = settings_for(
            api,
            tmp_path,
            sqlite_db,
            SIDEGLIDE_HEALTH_LISTEN=f"127.0.0.1:{health}",
            **spec.settings,
        )
        if kind == "animation":
            seed_animation(settings)
        async with running(settings):
            lost, stalled = User(api, 71_001), User(api, 71_002)
            await asyncio.gather(spec.before(lost), spec.before(stalled))
            api.fail(spec.method, 500, chat_id=lost.id)  # not executed: safe to send again
            api.stall_after(spec.method, seconds=STALL_S, chat_id=stalled.id)
            await asyncio.gather(spec.trigger(lost), spec.trigger(stalled))

            # not executed: tried again, delivered once
            await api.wait_for_message(lost.id, kind=spec.sent_kind, timeout=90)
            lost_done = await barrier(lost)
            attempts = api.calls(spec.method, chat_id=lost.id)
            assert [c.fault is not None for c in attempts][:2] == [True, False], kind

            # executed, then stalled: delivered by the fake, and the bot gave up on the
            # answer; it counts that, and never sends the same thing again
            await api.wait_for_message(stalled.id, kind=spec.sent_kind, timeout=90)
            text = await metrics(health)
            for _ in range(1200):  # a hang guard: the bot counts it when it gives up
                if counted(text, "sideglide_send_timeouts_total", method=spec.method):
                    break
                await asyncio.sleep(0.05)
                text = await metrics(health)
            assert counted(text, "sideglide_send_timeouts_total", method=spec.method) == 1
            stalled_done = await barrier(stalled)  # the turn is over: no retry can come
            executed = api.calls(spec.method, chat_id=stalled.id)
            assert len([c for c in executed if c.fault is not None]) == 1, kind
            stalled_call = next(c for c in executed if c.fault is not None)
            again = [c for c in executed if c.at > stalled_call.at and same(c, stalled_call)]
            assert not again, f"{kind} sent again after it timed out"
            no_message_twice(api, lost.id, lost_done)
            no_message_twice(api, stalled.id, stalled_done)
            # and the bot goes on: the stalled user's next step still works
            if kind in ("voice", "animation"):
                await api.wait_for(lambda: _shows_step1(api.sent_to(stalled.id)[-1]))
                step1 = api.sent_to(stalled.id)[-1]  # the barrier showed the step again
                api.mark_read(stalled.id)
                await stalled.tap(t.B_NEXT, step1)
                step2 = await stalled.keyboard()
                assert "Step 2 of 8" in (step2.text or step2.caption or "")


def _shows_step1(msg: SentMessage) -> bool:
    return bool(msg.buttons) and "Step 1 of 8" in (msg.text or "")


@pytest.mark.parametrize("fault", ["refused", "unreadable"])
async def test_a_refused_or_unreadable_animation_leaves_the_set_its_text_and_buttons(
    tmp_path: Path, sqlite_db: Path, fault: str
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, sqlite_db, SIDEGLIDE_ANIMATIONS=True)
        seed_animation(settings)
        async with running(settings):
            user = User(api, 72_001)
            await onboard(user)
            if fault == "refused":
                api.fail(
                    "sendAnimation",
                    400,
                    "Bad Request: wrong file identifier/HTTP URL specified",
                    chat_id=user.id,
                )
            else:  # delivered, and answered with an animation PTB cannot read
                api.garble("sendAnimation", "animation.width", chat_id=user.id)
            await user.tap(t.B_START)
            step1 = await user.expect("Step 1 of 8", kind="text")
            assert step1.button_texts == STEP_BUTTONS  # the same text and buttons
            await user.tap(t.B_NEXT, step1)
            step2 = await user.keyboard()
            assert "Step 2 of 8" in (step2.text or step2.caption or "")
            [call] = api.calls("sendAnimation", chat_id=user.id)[:1]
            assert call.fault is not None
            assert "Step 1 of 8" in str(call.params.get("caption"))


async def test_a_429_storm_of_20_seconds_is_waited_out_and_the_reply_arrives_once(
    tmp_path: Path,
    sqlite_db: Path,
) -> None:
    """Three retries used to end it after about 6 s, and the reply was lost."""
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 73_001)
        storm = api.storm("sendMessage", seconds=20, retry_after=5, chat_id=user.id)
        user.say("/start")
        welcome = await user.expect("coach, not a doctor", timeout=90)  # a hang guard
        assert storm.started is not None and storm.hits >= 4  # 20 s at 5 s a try
        attempts = api.calls("sendMessage", chat_id=user.id)
        assert [c.fault is not None for c in attempts] == [True] * storm.hits + [False]
        # nothing executed while it lasted, and never sooner than Telegram said
        assert storm.over and welcome.call is attempts[-1]
        gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
        assert all(gap >= 5 for gap in gaps), gaps
        assert len(api.sent_to(user.id)) == 1


async def test_a_refused_progress_chart_still_says_its_summary(
    tmp_path: Path, sqlite_db: Path
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, sqlite_db)):
        user = User(api, 74_001)
        await welcomed(user)
        api.fail("sendPhoto", 400, "Bad Request: IMAGE_PROCESS_FAILED", chat_id=user.id)
        user.say("/progress")
        [refused] = await api.wait_for_calls(
            "sendPhoto", 1, predicate=lambda c: c.chat_id == user.id, timeout=60
        )
        caption = str(refused.params["caption"])
        summary = await api.wait_for_message(user.id, lambda m: m.text == caption, timeout=60)
        assert summary.kind == "text" and caption
        assert [m.kind for m in api.sent_to(user.id)].count("photo") == 0
