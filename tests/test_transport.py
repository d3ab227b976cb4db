"""The aiohttp client under PTB: same requests on the wire as PTB's httpx, same errors.

Every test talks real HTTP to the fake Bot API on 127.0.0.1. The wire checks run
the same call through both clients and compare what the server received, so a
difference in encoding (fields, keyboards, file names, content types) fails here
and not in a user's chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.telegram.transport import AiohttpRequest
from tests.botkit import TOKEN
from tests.fakebotapi import FakeBotAPI
from tests.test_startup_errors import free_port

CHAT = 4242
QUESTION = "Where is the pain now? ü"
CLIENTS: dict[str, Callable[..., BaseRequest]] = {"aiohttp": AiohttpRequest, "httpx": HTTPXRequest}


@asynccontextmanager
async def bot_on(api: FakeBotAPI, request: BaseRequest) -> AsyncIterator[Bot]:
    bot = Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{api.port}/bot",
        base_file_url=f"http://127.0.0.1:{api.port}/file/bot",
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    async with bot:
        yield bot


async def post_once(url: str) -> Any:
    """One call on a fresh client, closed afterwards whatever happened."""
    request = AiohttpRequest()
    await request.initialize()
    try:
        return await request.post(url)
    finally:
        await request.shutdown()


def wire(call: Any) -> tuple[str, dict[str, Any], dict[str, tuple[str | None, str | None, bytes]]]:
    files = {k: (f.filename, f.content_type, f.data) for k, f in call.files.items()}
    return call.encoding, call.params, files


async def test_a_message_with_a_keyboard_reaches_the_server_as_httpx_sends_it() -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Leg pain easing ✓", callback_data="7:centralizing")]]
    )
    seen = {}
    async with FakeBotAPI() as api:
        api.send_text(CHAT, "hi")  # the fake only writes to chats it has heard from
        for name, make in CLIENTS.items():
            async with bot_on(api, make()) as bot:
                message = await bot.send_message(CHAT, QUESTION, reply_markup=keyboard)
            assert message.text == QUESTION
            assert message.reply_markup == keyboard
            seen[name] = wire(api.calls("sendMessage")[-1])
    assert seen["aiohttp"] == seen["httpx"]
    assert seen["aiohttp"][0] == "form"


async def test_an_upload_is_multipart_with_the_same_name_type_and_bytes() -> None:
    audio = bytes(range(256)) * 40
    seen = {}
    async with FakeBotAPI() as api:
        api.send_text(CHAT, "hi")
        for name, make in CLIENTS.items():
            async with bot_on(api, make()) as bot:
                sent = await bot.send_voice(CHAT, audio, filename="step-1.ogg", caption="Step 1")
            assert sent.voice is not None
            seen[name] = wire(api.calls("sendVoice")[-1])
    assert seen["aiohttp"] == seen["httpx"]
    encoding, params, files = seen["aiohttp"]
    assert encoding == "multipart" and params["caption"] == "Step 1"
    assert files["voice"][0] == "step-1.ogg" and files["voice"][2] == audio


async def test_telegram_errors_keep_their_ptb_types() -> None:
    async with FakeBotAPI() as api:
        api.send_text(CHAT, "hi")
        async with bot_on(api, AiohttpRequest()) as bot:
            api.fail("sendMessage", 400, "Bad Request: message text is empty")
            with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
                await bot.send_message(CHAT, "x")
            api.fail("sendMessage", 502)
            with pytest.raises(NetworkError):
                await bot.send_message(CHAT, "x")
            api.reset("sendMessage")
            with pytest.raises(NetworkError, match="aiohttp"):
                await bot.send_message(CHAT, "x")
            # and the session is still usable after each failure
            assert (await bot.send_message(CHAT, "after")).text == "after"


async def test_a_stalled_answer_is_a_timeout_after_the_read_timeout() -> None:
    async with FakeBotAPI() as api:
        api.send_text(CHAT, "hi")
        async with bot_on(api, AiohttpRequest(read_timeout=0.3)) as bot:
            api.stall("sendMessage", seconds=600)  # only the client's read timeout ends it
            with pytest.raises(TimedOut):
                await asyncio.wait_for(bot.send_message(CHAT, "x"), 60)  # a hang guard
            [call] = api.calls("sendMessage")
            # the server never answered nor dropped the connection: the client gave up
            assert call.fault is not None and call.fault.kind == "stall"
            assert call.status is None


async def test_waiting_for_a_busy_pool_times_out_without_sending() -> None:
    async with FakeBotAPI() as api:
        api.send_text(CHAT, "hi")
        request = AiohttpRequest(
            connection_pool_size=1, pool_timeout=0.2, connect_timeout=0.1, read_timeout=60
        )
        # initialize's getMe opened the one pooled connection: "slow" reuses it
        async with bot_on(api, request) as bot:
            held = api.hold("sendMessage")  # keeps the only connection busy until released
            first = asyncio.create_task(bot.send_message(CHAT, "slow"))
            await api.wait_for_calls("sendMessage", 1)
            with pytest.raises(TimedOut, match="not sent"):
                await asyncio.wait_for(bot.send_message(CHAT, "second"), 60)  # a hang guard
            # it gave up waiting for the pool while the connection was still busy, not
            # when the connection came free
            assert not first.done() and api.calls("sendMessage")[0].status is None
            api.release(held)
            assert (await first).text == "slow"
            assert [c.params["text"] for c in api.calls("sendMessage")] == ["slow"]


async def test_no_server_is_a_network_error_not_a_crash() -> None:
    with pytest.raises(NetworkError):
        await post_once(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")


async def test_the_session_lives_between_initialize_and_shutdown_and_can_come_back() -> None:
    request = AiohttpRequest(read_timeout=7)
    assert request.read_timeout == 7
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/", "POST")
    async with FakeBotAPI() as api:
        url = f"http://127.0.0.1:{api.port}/bot{TOKEN}/getMe"
        await request.initialize()
        me = await request.post(url)
        assert isinstance(me, dict) and me["is_bot"] is True
        await request.shutdown()
        await request.shutdown()  # twice is harmless (PTB may do it)
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(url, "POST")
        await request.initialize()  # an Application restarted in the same process
        me = await request.post(url)
        assert isinstance(me, dict) and me["is_bot"] is True
        await request.shutdown()


async def test_long_polling_waits_longer_than_the_read_timeout() -> None:
    """getUpdates adds its own timeout to the read timeout; a quiet poll is not an error."""
    async with FakeBotAPI() as api:
        bot = Bot(
            TOKEN,
            base_url=f"http://127.0.0.1:{api.port}/bot",
            get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=0.2),
        )
        async with bot:
            poll = asyncio.create_task(bot.get_updates(timeout=60))
            await api.wait_for_calls("getUpdates", 1)
            await asyncio.sleep(0.5)  # quiet for longer than the 0.2 s read timeout
            assert not poll.done()  # still waiting: no TimedOut
            pushed = api.send_text(CHAT, "late")
            [update] = await asyncio.wait_for(poll, 30)  # a hang guard
            assert update.update_id == pushed["update_id"]


async def test_a_proxy_from_the_environment_is_used_as_httpx_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hosts behind an outbound proxy keep working: the fake plays the proxy here."""
    async with FakeBotAPI() as api:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{api.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        # a name that never resolves: only the proxy can answer it
        me = await post_once(f"http://telegram.invalid/bot{TOKEN}/getMe")
        assert me["is_bot"] is True
        assert len(api.calls("getMe")) == 1


async def test_no_proxy_sends_listed_hosts_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeBotAPI() as api:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nobody there
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        me = await post_once(f"http://127.0.0.1:{api.port}/bot{TOKEN}/getMe")
        assert me["is_bot"] is True
