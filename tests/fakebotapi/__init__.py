"""A fake Telegram Bot API for end-to-end tests.

Why it exists: the bot must be tested the way Telegram sees it - real HTTP, the exact
encoding python-telegram-bot uses, Telegram's error codes and answers - on a machine with
no internet. The real bot is pointed at this server with ``base_url`` /
``base_file_url``; tests then play the users (send texts, press buttons) and read what the
bot sent, and can make Telegram misbehave (429, 5xx, blocked users, resets, stalls).
A test that needs no HTTP can skip the server: ``api.in_process_bot(token)`` is a PTB
Bot whose requests reach the same code in this process, without a socket.

Everything here runs on one event loop (the one that started the server, or the
in-process bot's): call its methods from that loop only (pytest-asyncio tests do).
Waiting helpers are driven by one "something changed" event, so a check and the wait
that follows it can never miss a change; they also re-check on a short interval, for
conditions on state the fake does not own.

The fake implements the methods the bot uses, and fails loudly on the rest:
- a method it does not implement answers 404 "Not Found", as Telegram does for an
  unknown method;
- ``parse_mode`` answers 400: the fake does not render markup, so a bot that starts
  using it gets a failing test instead of a silently wrong text;
- only inline keyboards are accepted (and echoed in the returned Message);
- files are sent as uploads or by file_id, not by URL;
- uploaded photos are not decoded: every photo is reported as 1280x960 (and smaller
  copies), whatever its bytes.

Typical use::

    async with FakeBotAPI() as tg:               # 127.0.0.1, ephemeral port
        bot = Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url)
        tg.send_text(42, "/start")               # user 42 types /start
        msg = await tg.wait_for_message(42)      # the bot's next message to chat 42
        tg.press_button(42, msg, "Yes")          # taps the inline button labelled Yes
        tg.fail("sendMessage", 429, retry_after=1)   # the next send is rate limited
        tg.stall_after("sendVoice", seconds=8)       # delivered, answered after 8 s
        held = tg.hold("sendMessage")                # the next send waits for the test...
        tg.release(held)                             # ...and is answered now
        assert len(tg.delivered(42)) == ...          # deliveries, vs tg.calls(): attempts

    api = FakeBotAPI()                           # the same, in process: no start()
    async with api.in_process_bot(TOKEN) as bot:
        await bot.send_message(42, "hi")         # api.sent_to(42) has it

The package, one concern a module (FakeBotAPI in api.py combines their mixins):
    records   the values tests read: Call, SentMessage, StoredFile, Fault, WaitTimeout...
    wire      paths, method names, field decoding, the Answer: pure, for every transport
    state     what the fake remembers, and the "something changed" signal
    faults    fail/reset/stall/delay/hold/fault_rate/block_user (not executed),
              stall_after/garble (executed, then the answer goes wrong), storm (429s
              for a set time), and choosing a fault
    files     file ids, paths, uploads, photo sizes
    methods   the Bot API methods the bot uses, checked as Telegram checks them
    dispatch  one request from path and fields to its answer: the road all transports take
    server    the aiohttp server on 127.0.0.1, start/stop, base_url
    inprocess InProcessRequest, a PTB transport into dispatch with no socket
    webhook   POSTing updates to the bot's webhook, with retries
    users     simulated users: texts, presses, stickers, photos, contacts...
    queries   reading what happened: calls, deliveries, transcripts, pending updates
    waits     wait_for and the waits built on it
"""

from tests.fakebotapi.api import FakeBotAPI
from tests.fakebotapi.faults import DelayRule, FaultRule, RandomFaults, Storm
from tests.fakebotapi.inprocess import (
    IN_PROCESS_BASE_FILE_URL,
    IN_PROCESS_BASE_URL,
    InProcessRequest,
)
from tests.fakebotapi.records import (
    JSON,
    ApiError,
    Call,
    CallbackPress,
    ChatKey,
    Fault,
    SentMessage,
    StoredFile,
    UploadedFile,
    WaitTimeout,
    WebhookDelivery,
    WebhookState,
)
from tests.fakebotapi.waits import POLL_INTERVAL, WAIT_TIMEOUT

__all__ = [
    "IN_PROCESS_BASE_FILE_URL",
    "IN_PROCESS_BASE_URL",
    "JSON",
    "POLL_INTERVAL",
    "WAIT_TIMEOUT",
    "ApiError",
    "Call",
    "CallbackPress",
    "ChatKey",
    "DelayRule",
    "FakeBotAPI",
    "Fault",
    "FaultRule",
    "InProcessRequest",
    "RandomFaults",
    "SentMessage",
    "StoredFile",
    "Storm",
    "UploadedFile",
    "WaitTimeout",
    "WebhookDelivery",
    "WebhookState",
]
