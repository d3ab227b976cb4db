"""Reading what happened: the calls, faults, deliveries, chats and updates tests assert on.

Why a module of its own: a test's assertions should read the fake's state through a
few stable questions (what was sent to this chat, how often was sendMessage tried,
which updates are unconfirmed) rather than through its internals, which can then
change without breaking the tests.
"""

from __future__ import annotations

import copy
import json

from tests.fakebotapi.records import JSON, Call, ChatKey, Fault, SentMessage, chat_key
from tests.fakebotapi.state import FakeState
from tests.fakebotapi.wire import canonical, is_chat_send


class QueriesMixin(FakeState):
    """Read-only views of the fake's state, plus the per-chat read cursor."""

    @property
    def tokens(self) -> list[str]:
        """Every distinct token used, in first-use order."""
        return list(self._tokens)

    def calls(self, method: str | None = None, *, chat_id: ChatKey | None = None) -> list[Call]:
        """Every request (attempts, faulted or not), optionally for one method / chat."""
        pool = self._calls if method is None else self._calls_by_method.get(canonical(method), [])
        key = chat_key(chat_id)
        return [c for c in pool if key is None or c.chat_id == key]

    def faults(self, method: str | None = None) -> list[Fault]:
        """Injected failures and blocks, in order."""
        name = None if method is None else canonical(method)
        return [f for f in self._faults if name is None or f.method == name]

    def sent_to(self, chat_id: ChatKey) -> list[SentMessage]:
        """Messages delivered to a chat, in order."""
        return list(self._sent.get(chat_key(chat_id) or 0, []))

    def delivered(self, chat_id: ChatKey | None = None) -> list[SentMessage]:
        """Every delivered message (or one chat's): compare with calls() to spot retries."""
        if chat_id is not None:
            return self.sent_to(chat_id)
        return list(self._all_sent)

    def last_message(self, chat_id: ChatKey) -> SentMessage | None:
        messages = self._sent.get(chat_key(chat_id) or 0)
        return messages[-1] if messages else None

    def unread(self, chat_id: ChatKey) -> list[SentMessage]:
        """Messages after this chat's read cursor (not consumed)."""
        key = chat_key(chat_id) or 0
        return list(self._sent.get(key, [])[self._cursors.get(key, 0) :])

    def mark_read(self, chat_id: ChatKey) -> list[SentMessage]:
        """Consume everything unread in the chat and return it."""
        key = chat_key(chat_id) or 0
        unread = self.unread(key)
        self._cursors[key] = len(self._sent.get(key, []))
        return unread

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for a scope (default scope) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True), language_code
        return copy.deepcopy(self._commands.get(key, []))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (getUpdates offset or webhook 2xx)."""
        return copy.deepcopy(self._pending)

    def awaiting_reply(self, since_poll: int = 0) -> set[ChatKey]:
        """Chats whose update the bot has fetched and not answered yet: mid-turn.

        Reads the newest getUpdates answer that carried updates (among the polls from
        index ``since_poll``, e.g. one bot process's): a chat of that batch counts while
        no send to it has arrived since that answer was made.
        """
        polls = self._calls_by_method.get("getUpdates", [])[since_poll:]
        batch = next((c for c in reversed(polls) if c.ok and c.result), None)
        if batch is None or batch.answered_at is None:
            return set()
        handed_out = batch.answered_at
        chats: set[ChatKey] = set()
        for update in batch.result:
            body = update.get("message") or (update.get("callback_query") or {}).get("message")
            chat = chat_key(((body or {}).get("chat") or {}).get("id"))
            if chat is not None:
                chats.add(chat)
        for call in reversed(self._calls):  # in order of arrival: newest first
            if call.at < handed_out or not chats:
                break
            if is_chat_send(call.method) and call.chat_id is not None:
                chats.discard(call.chat_id)
        return chats

    def is_confirmed(self, update: JSON | int) -> bool:
        update_id = int(update["update_id"]) if isinstance(update, dict) else int(update)
        if update_id >= self._next_update_id:
            return False
        return all(u["update_id"] != update_id for u in self._pending)

    def transcript(self, chat_id: ChatKey) -> str:
        """Both sides of a chat as text, for failure messages."""
        lines = self._log.get(chat_key(chat_id) or 0, [])
        return "\n".join(lines) if lines else "(nothing in this chat)"
