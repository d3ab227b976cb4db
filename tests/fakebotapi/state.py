"""What the fake Telegram remembers, and the one signal that it changed.

Why a module of its own: every concern of the fake (methods, users, faults, waits,
transports) reads and writes the same chats, messages, files and updates. They are
all declared here, once, with the "something changed" event every wait sleeps on
and the identities (users, chats, the bot) every part puts into updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import zlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from tests.fakebotapi.records import (
    JSON,
    Call,
    CallbackPress,
    ChatKey,
    Fault,
    SentMessage,
    StoredFile,
    WebhookDelivery,
    WebhookState,
)

if TYPE_CHECKING:  # faults' mixin builds on this module's class
    from tests.fakebotapi.faults import DelayRule, FaultRule, RandomFaults, Storm

Handler = Callable[[Call], Coroutine[Any, Any, Any]]


class FakeState:
    """The fake's memory; the mixins of FakeBotAPI each work on a part of it."""

    def __init__(
        self,
        *,
        valid_token: str | None = None,
        host: str = "127.0.0.1",
        bot_username: str = "sideglide_test_bot",
        bot_first_name: str = "Side Glide Coach",
    ) -> None:
        self.valid_token = valid_token
        self.host = host
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._instance = secrets.token_hex(3)  # makes file ids differ between fakes

        self._changed = asyncio.Event()
        self._closing = False  # set by stop(): sleeps and long polls end at once
        self._internal_errors: list[BaseException] = []

        # requests
        self._handlers: dict[str, Handler] = {}
        self._calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = {}
        self._tokens: list[str] = []
        self._downloads: list[str] = []
        # faults
        self._faults: list[Fault] = []
        self._blocked: set[ChatKey] = set()
        self._rules: list[FaultRule] = []
        self._delays: list[DelayRule] = []
        self._random: list[RandomFaults] = []
        self._storms: list[Storm] = []
        # chats and messages
        self._users: dict[int, JSON] = {}
        self._chats: dict[ChatKey, JSON] = {}
        self._next_mid: dict[ChatKey, int] = {}
        self._sent: dict[ChatKey, list[SentMessage]] = {}
        self._all_sent: list[SentMessage] = []
        self._bot_by_id: dict[tuple[ChatKey, int], SentMessage] = {}
        self._user_messages: dict[tuple[ChatKey, int], JSON] = {}
        self._cursors: dict[ChatKey, int] = {}
        self._log: dict[ChatKey, list[str]] = {}
        self._presses: dict[str, CallbackPress] = {}
        self._query_ids = itertools.count(4_382_000_000_000_000_001)
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        # files
        self._file_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        # updates
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self.webhook = WebhookState()
        self.webhook_deliveries: list[WebhookDelivery] = []

    # ------------------------------------------------------------------ change signalling

    def _bump(self) -> None:
        """Wake everything waiting for a change (waits re-check, long polls look again)."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, seconds: float | None) -> None:
        """Until the next change, or ``seconds`` (None: no limit)."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):  # no task per wait, unlike wait_for
                await event.wait()

    async def _sleep(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Sleep that ends early when the server stops (so stop() stays prompt), or as
        soon as ``until()`` is true; ``seconds`` may be infinite."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing and not (until is not None and until()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._wait_change(None if remaining == float("inf") else remaining)

    # ------------------------------------------------------------------ who is who

    def _bot_user(self, token: str) -> JSON:
        """The bot as a User: its id is the token's number, as on Telegram."""
        head = token.split(":", 1)[0]
        bot_id = int(head) if head.isdigit() else 1_000_001
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _user_obj(
        self, user_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> JSON:
        """A simulated user; a name or language given once sticks to later messages."""
        new = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        user = self._users.setdefault(user_id, {**new, "language_code": "en"})
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return dict(user)

    def _private_chat(self, user_id: int) -> JSON:
        user = self._user_obj(user_id)
        chat: JSON = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        self._chats[user_id] = chat
        return dict(chat)

    def _chat_object(self, chat: int) -> JSON:
        """The Chat a bot message goes to: as users made it, else guessed from the id."""
        known = self._chats.get(chat)
        if known is not None:
            return dict(known)
        if chat > 0:
            return {"id": chat, "type": "private", "first_name": f"User{chat}"}
        return {"id": chat, "type": "group", "title": f"Group {chat}"}

    def _chat_instance(self, chat: ChatKey) -> str:
        return str(zlib.crc32(f"{self._instance}:{chat}".encode()) * 1_000_003)

    def _alloc_message_id(self, chat: ChatKey) -> int:
        """Message ids count per chat, shared by the bot's and the users' messages."""
        mid = self._next_mid.get(chat, 1)
        self._next_mid[chat] = mid + 1
        return mid

    def _current_raw(self, chat: ChatKey, mid: int) -> JSON | None:
        """Message ``mid`` of the chat as Telegram would show it, by bot or user."""
        msg = self._bot_by_id.get((chat, mid))
        if msg is not None:
            return msg.raw
        return self._user_messages.get((chat, mid))

    def _log_line(self, chat: ChatKey, line: str) -> None:
        self._log.setdefault(chat, []).append(line)
