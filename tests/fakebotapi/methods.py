"""The Bot API methods the bot uses, each checked the way Telegram checks it.

Why a module of its own: this is the fake Telegram proper - what getUpdates hands
out, what a send stores and answers, which parameters earn a 400. It knows nothing
of transports or fault injection: dispatch.py calls a handler only for a request
that got that far, and turns its result or ApiError into the answer.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from typing import Any

from tests.fakebotapi.files import FilesMixin
from tests.fakebotapi.records import JSON, ApiError, Call, SentMessage, StoredFile, WebhookState
from tests.fakebotapi.state import Handler
from tests.fakebotapi.wire import utf16_len, words

_DEFAULT_EXCLUDED_UPDATES = words("chat_member message_reaction message_reaction_count")
_CHAT_ACTIONS = words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
_BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def update_type(update: JSON) -> str:
    """The kind of an update: its one field besides update_id."""
    return next((key for key in update if key != "update_id"), "")


def markup_summary(markup: JSON | None) -> str:
    """An inline keyboard as transcripts show it: "  [Yes | No / Later]"."""
    if not markup:
        return ""
    rows = [" | ".join(str(b.get("text")) for b in row) for row in markup["inline_keyboard"]]
    return "  [" + " / ".join(rows) + "]"


class MethodsMixin(FilesMixin):
    """One handler per implemented method: ``Call`` in, the ``result`` out (or ApiError)."""

    def _method_handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getFile": self._get_file,
        }
        for kind in ("voice", "photo", "document", "animation"):
            handlers["send" + kind.capitalize()] = self._media_sender(kind)
        return handlers

    # ------------------------------------------------------------------ identity, files

    async def _get_me(self, call: Call) -> JSON:
        return {
            **self._bot_user(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_file(self, call: Call) -> JSON:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        result: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.size is not None:
            result["file_size"] = stored.size
        return result

    async def _set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        cleaned = []
        for item in commands:
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
            cleaned.append({"command": command, "description": description})
        scope = json.dumps(call.params.get("scope") or {"type": "default"}, sort_keys=True)
        self._commands[scope, str(call.params.get("language_code") or "")] = cleaned
        return True

    # ------------------------------------------------------------------ updates

    async def _get_updates(self, call: Call) -> list[JSON]:
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._bump()  # an older long poll still waiting now answers 409, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._take_batch(limit)
            if batch:
                return batch
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            await self._wait_change(remaining)

    def _confirm(self, offset: int) -> None:
        """An offset confirms every update before it; a negative one keeps the last few."""
        before = len(self._pending)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        if len(self._pending) != before:
            self._bump()

    def _is_allowed(self, update: JSON, allowed: list[str] | None) -> bool:
        kind = update_type(update)
        if allowed is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in allowed

    def _take_batch(self, limit: int) -> list[JSON]:
        kept = [u for u in self._pending if self._is_allowed(u, self._allowed_updates)]
        if len(kept) != len(self._pending):
            self._pending = kept  # Telegram never delivers types the bot opted out of
            self._bump()
        return copy.deepcopy(kept[:limit])

    async def _set_webhook(self, call: Call) -> bool:
        p = call.params
        url = str(p.get("url") or "")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        allowed = p.get("allowed_updates")
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = WebhookState(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=[str(a) for a in allowed] if allowed else None,
        )
        if allowed is not None:
            self._allowed_updates = [str(a) for a in allowed] or None
        self._poll_generation += 1
        self._bump()
        return True

    async def _delete_webhook(self, call: Call) -> bool:
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = WebhookState()
        self._bump()
        return True

    # ------------------------------------------------------------------ sending

    async def _send_message(self, call: Call) -> JSON:
        chat = self._require_chat(call)
        text = call.params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._check_markup(call.params.get("reply_markup"))
        msg = self._store_bot_message(call, chat, "text", {"text": text}, text, markup)
        return msg.raw

    def _media_sender(self, kind: str) -> Handler:
        async def send(call: Call) -> JSON:
            chat = self._require_chat(call)
            p = call.params
            caption = str(p["caption"]) if p.get("caption") else None
            if caption is not None and utf16_len(caption) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            markup = self._check_markup(p.get("reply_markup"))
            stored, uploaded = self._resolve_media(call, kind)
            content = self._media_content(kind, stored)
            if caption:
                content["caption"] = caption
            msg = self._store_bot_message(
                call, chat, kind, content, caption, markup, stored, uploaded
            )
            return msg.raw

        return send

    async def _send_chat_action(self, call: Call) -> bool:
        self._require_chat(call)
        if call.params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _answer_callback_query(self, call: Call) -> bool:
        press = self._presses.get(str(call.params.get("callback_query_id") or ""))
        if press is None or press.answer is not None:
            raise ApiError(400, _BAD_QUERY)
        text = call.params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        press.answer = dict(call.params)
        press.answered_at = time.monotonic()
        return True

    # ------------------------------------------------------------------ checks

    def _require_chat(self, call: Call) -> int:
        chat = call.chat_id
        if chat is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _check_markup(self, markup: Any) -> JSON | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            raise ApiError(
                400,
                "Bad Request: the fake Bot API (tests/fakebotapi) supports inline keyboards "
                f"only, not {sorted(markup)}",
            )
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup")
        buttons = [button for row in rows for button in row]
        if len(buttons) > 100:
            raise ApiError(400, "Bad Request: too many inline keyboard buttons")
        for button in buttons:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed")
            if len([a for a in ("callback_data", "url") if a in button]) != 1:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard",
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _reply_target(self, chat: int, params: dict[str, Any]) -> JSON | None:
        """The message a send replies to (PTB 22 sends every reply as reply_parameters)."""
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            return None
        raw = self._current_raw(chat, int(reply.get("message_id") or 0))
        if raw is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        target = copy.deepcopy(raw)
        target.pop("reply_to_message", None)
        return target

    # ------------------------------------------------------------------ storing

    def _store_bot_message(
        self,
        call: Call,
        chat: int,
        kind: str,
        content: JSON,
        text: str | None,
        markup: JSON | None,
        stored: StoredFile | None = None,
        uploaded: bool = False,
    ) -> SentMessage:
        reply_to = self._reply_target(chat, call.params)
        mid = self._alloc_message_id(chat)
        raw: JSON = {
            "message_id": mid,
            "from": self._bot_user(call.token),
            "chat": self._chat_object(chat),
            "date": int(time.time()),
            **copy.deepcopy(content),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if markup:
            raw["reply_markup"] = copy.deepcopy(markup)
        msg = SentMessage(
            chat_id=chat,
            message_id=mid,
            kind=kind,
            text=text,
            reply_markup=copy.deepcopy(markup) if markup else None,
            method=call.method,
            call=call,
            raw=raw,
            file=stored,
            uploaded=uploaded,
            at=time.monotonic(),
        )
        self._sent.setdefault(chat, []).append(msg)
        self._all_sent.append(msg)
        self._bot_by_id[(chat, mid)] = msg
        label = "" if kind == "text" else f"[{kind}] "
        self._log_line(chat, f"bot #{mid}: {label}{text or ''}{markup_summary(markup)}")
        self._bump()
        return msg
