"""Telegram's users, simulated: what they type, tap and send becomes queued updates.

Why a module of its own: tests play the people on the other side of the chat. Each
helper builds the Update Telegram would deliver (a message with its entities, a
callback query carrying the message as it is now, a shared contact...), records it
in the chat's transcript and queues it for getUpdates or the webhook.
"""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

from tests.fakebotapi.files import FilesMixin, guess_mime
from tests.fakebotapi.records import (
    JSON,
    CallbackPress,
    ChatKey,
    SentMessage,
    chat_key,
    find_button,
    inline_buttons,
)
from tests.fakebotapi.wire import utf16_len


def bot_command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram adds to a text starting with /command[@bot]."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?(?=\s|$)", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


class UsersMixin(FilesMixin):
    """The simulated users' actions; each returns the update it queued (or the press)."""

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update; assigns the next update_id (any given one is replaced)."""
        stored = copy.deepcopy(dict(update))
        stored.pop("update_id", None)
        if len(stored) != 1:
            raise ValueError("an update carries exactly one field besides update_id")
        json.dumps(stored)  # fail here, not in the bot, if it cannot be sent
        stored = {"update_id": self._next_update_id, **stored}
        self._next_update_id += 1
        self._pending.append(stored)
        self._bump()
        return stored

    def _push_kicked_update(self, user_id: int) -> None:
        """The my_chat_member update Telegram sends when a user blocks the bot."""
        bot = self._bot_user(self._tokens[-1] if self._tokens else "")
        self.push_update(
            {
                "my_chat_member": {
                    "chat": self._private_chat(user_id),
                    "from": self._user_obj(user_id),
                    "date": int(time.time()),
                    "old_chat_member": {"user": bot, "status": "member"},
                    "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
                }
            }
        )

    def _user_message(
        self,
        user_id: int,
        content: JSON,
        chat_id: ChatKey | None,
        chat_type: str,
        first_name: str | None,
        language_code: str | None,
        summary: str,
    ) -> JSON:
        user = self._user_obj(user_id, first_name, language_code)
        key, chat = self._user_chat(user_id, chat_id, chat_type)
        self._blocked.discard(key)
        mid = self._alloc_message_id(key)
        msg: JSON = {
            "message_id": mid,
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self._user_messages[(key, mid)] = msg
        self._log_line(key, f"user {user_id} #{mid}: {summary}")
        return self.push_update({"message": msg})

    def _user_chat(
        self, user_id: int, chat_id: ChatKey | None, chat_type: str
    ) -> tuple[ChatKey, JSON]:
        if chat_type == "private":
            if chat_id is not None and chat_key(chat_id) != user_id:
                raise ValueError("a private chat's id is the user's id")
            return user_id, self._private_chat(user_id)
        key = chat_key(chat_id)
        if key is None:
            raise ValueError(f"chat_id is required for a {chat_type} chat")
        chat = self._chats.get(key)
        if chat is None or chat.get("type") != chat_type:
            chat = {"id": key, "type": chat_type, "title": f"Group {key}"}
            self._chats[key] = chat
        return key, dict(chat)

    def send_text(
        self,
        user_id: int,
        text: str,
        language_code: str | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
    ) -> JSON:
        """The user types ``text``; returns the queued update.

        A leading /command gets the bot_command entity Telegram adds (length of the command
        word, "@botname" included). ``language_code`` None keeps the user's last one ("en"
        for a new user).
        """
        content: JSON = {"text": text}
        entities = bot_command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(
            user_id, content, chat_id, chat_type, first_name, language_code, text
        )

    def _pressed_message(self, user_id: int, message: SentMessage | int) -> tuple[ChatKey, JSON]:
        """The chat and the Message a press is on (an int is in the user's private chat)."""
        if isinstance(message, SentMessage):
            chat, mid = message.chat_id, message.message_id
        else:
            chat, mid = user_id, int(message)
        raw = self._current_raw(chat, mid)
        if raw is None:
            raise LookupError(f"no message {mid} in chat {chat}")
        return chat, raw

    def press(
        self,
        user_id: int,
        message: SentMessage | int,
        callback_data: str,
        *,
        check: bool = True,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> CallbackPress:
        """The user taps an inline button; queues a callback_query update.

        ``message`` is a SentMessage or a message_id in the user's private chat. With
        ``check`` the button must exist on that message.
        """
        chat, raw = self._pressed_message(user_id, message)
        mid = int(raw["message_id"])
        buttons = inline_buttons(raw)
        if check and callback_data not in [b.get("callback_data") for b in buttons]:
            raise ValueError(
                f"message {mid} has no button with callback_data {callback_data!r}; "
                f"it has {[b['callback_data'] for b in buttons if 'callback_data' in b]}"
            )
        query_id = str(next(self._query_ids))
        user = self._user_obj(user_id, first_name, language_code)
        self._blocked.discard(chat)
        press = CallbackPress(query_id, user_id, chat, mid, callback_data)
        self._presses[query_id] = press
        label = next(
            (b.get("text") for b in buttons if b.get("callback_data") == callback_data),
            callback_data,
        )
        self._log_line(chat, f"user {user_id} pressed [{label}] on #{mid}")
        press.update = self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": copy.deepcopy(raw),
                    "chat_instance": self._chat_instance(chat),
                    "data": callback_data,
                }
            }
        )
        return press

    def press_button(
        self, user_id: int, message: SentMessage | int, label: str, **kwargs: Any
    ) -> CallbackPress:
        """Press by button text (exact, else a unique case-insensitive substring)."""
        _, raw = self._pressed_message(user_id, message)
        data = str(find_button(raw, label)["callback_data"])
        return self.press(user_id, message, data, **kwargs)

    def send_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        stored = self._new_file("sticker", None)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeStickers",
        }
        return self._user_message(
            user_id,
            {"sticker": sticker},
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[sticker {emoji}]",
        )

    def send_photo_message(
        self,
        user_id: int,
        data: bytes | None = None,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """The user sends a ``width`` x ``height`` photo; with ``data`` getFile serves it."""
        stored = self._new_file("photo", data, None, "image/jpeg")
        self._photo_sizes(stored, width, height)
        content = self._media_content("photo", stored)
        if caption:
            content["caption"] = caption
        return self._user_message(
            user_id,
            content,
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[photo] {caption or ''}",
        )

    def send_voice_message(
        self,
        user_id: int,
        data: bytes | None = None,
        duration: int = 1,
        mime_type: str = "audio/ogg",
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        stored = self._new_file("voice", data, None, mime_type)
        stored.duration = duration
        content = self._media_content("voice", stored)
        return self._user_message(
            user_id, content, chat_id, chat_type, first_name, language_code, "[voice]"
        )

    def send_document_message(
        self,
        user_id: int,
        data: bytes = b"",
        file_name: str = "file.txt",
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        mime = mime_type or guess_mime(file_name, "application/octet-stream")
        stored = self._new_file("document", data, file_name, mime)
        content = self._media_content("document", stored)
        if caption:
            content["caption"] = caption
        return self._user_message(
            user_id,
            content,
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[document {file_name}] {caption or ''}",
        )

    def send_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        return self._user_message(
            user_id,
            {"location": {"latitude": latitude, "longitude": longitude}},
            chat_id,
            chat_type,
            first_name,
            language_code,
            f"[location {latitude},{longitude}]",
        )

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: ChatKey | None = None,
        chat_type: str = "private",
        language_code: str | None = None,
    ) -> JSON:
        """The user shares a contact; by default their own (contact.user_id == user_id)."""
        user = self._user_obj(user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or user["first_name"],
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        return self._user_message(
            user_id,
            {"contact": contact},
            chat_id,
            chat_type,
            None,
            language_code,
            "[contact]",
        )

    def edited_message(
        self,
        user_id: int,
        message_id: int,
        text: str,
        chat_id: ChatKey | None = None,
    ) -> JSON:
        """The user edits one of their own messages; queues an edited_message update."""
        chat = user_id if chat_id is None else chat_key(chat_id) or user_id
        original = self._user_messages.get((chat, message_id))
        if original is None:
            raise LookupError(f"user message {message_id} not found in chat {chat}")
        edited = copy.deepcopy(original)
        edited["text"] = text
        edited.pop("entities", None)
        entities = bot_command_entities(text)
        if entities:
            edited["entities"] = entities
        edited["edit_date"] = int(time.time())
        self._user_messages[(chat, message_id)] = edited
        self._log_line(chat, f"user {user_id} edited #{message_id}: {text}")
        return self.push_update({"edited_message": edited})

    def channel_post(self, chat_id: int, text: str, title: str = "Channel") -> JSON:
        chat = {"id": chat_id, "type": "channel", "title": title}
        self._chats[chat_id] = chat
        mid = self._alloc_message_id(chat_id)
        post = {
            "message_id": mid,
            "sender_chat": dict(chat),
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        self._user_messages[(chat_id, mid)] = post
        self._log_line(chat_id, f"channel #{mid}: {text}")
        return self.push_update({"channel_post": post})
