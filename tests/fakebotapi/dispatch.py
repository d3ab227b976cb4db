"""One request, from its path and fields to the answer: the single road every transport takes.

Why a module of its own: the HTTP server and the in-process transport must behave
the same in every respect a test can see - what is recorded as a Call, which token
is refused, when a fault or a block applies, how a handler's result or error is
answered. Both hand (http method, path, fields, files) to ``_dispatch`` and only
translate its Answer into their own terms.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakebotapi.faults import FaultRule, FaultsMixin
from tests.fakebotapi.records import JSON, ApiError, Call, UploadedFile
from tests.fakebotapi.wire import (
    DROPPED,
    NGINX_502,
    NOT_FOUND,
    UNAUTHORIZED,
    Answer,
    canonical,
    decode_field,
    is_chat_send,
    route,
)


class DispatchMixin(FaultsMixin):
    """Routes a request, records it, applies faults and blocks, runs the handler, answers."""

    async def _dispatch(
        self,
        http_method: str,
        path: str,
        fields: dict[str, Any],
        files: dict[str, UploadedFile],
        encoding: str,
    ) -> Answer:
        """Answer one request. ``fields`` are as on the wire (strings PTB encoded)."""
        where = route(path)
        if where is None:
            return Answer.json(404, NOT_FOUND)
        if where.kind == "file":
            return self._download(where.token, where.target)
        params = {key: decode_field(key, value) for key, value in fields.items()}
        call = Call(
            canonical(where.target),
            where.token,
            params,
            files,
            time.monotonic(),
            http_method,
            encoding,
        )
        return await self._call_method(call)

    def _download(self, token: str, path: str) -> Answer:
        if self.valid_token is not None and token != self.valid_token:
            return Answer.json(401, UNAUTHORIZED)
        self._downloads.append(path)
        self._bump()
        stored = self._files_by_path.get(path)
        if stored is None or stored.data is None:
            return Answer.json(404, NOT_FOUND)
        return Answer(200, stored.data, "application/octet-stream")

    async def _call_method(self, call: Call) -> Answer:
        self._calls.append(call)
        self._calls_by_method.setdefault(call.method, []).append(call)
        if call.token not in self._tokens:
            self._tokens.append(call.token)
        self._bump()
        if self.valid_token is not None and call.token != self.valid_token:
            return self._error(call, ApiError(401, "Unauthorized"))
        handler = self._handlers.get(call.method)
        if handler is None:  # what Telegram answers for a method it does not know
            return self._finish(call, 404, dict(NOT_FOUND))
        parse_mode = call.params.get("parse_mode")
        if parse_mode:
            return self._error(
                call,
                ApiError(
                    400,
                    f"Bad Request: parse_mode {parse_mode!r} is not supported by the "
                    "fake Bot API (tests/fakebotapi): it does not render markup",
                ),
            )
        delay = self._take_delay(call)
        if delay is not None:
            await self._sleep(delay.seconds, lambda: delay.released)
        injected = self._take_fault(call)
        if injected is not None and not injected.executes:
            return await self._inject(call, injected)
        chat = call.chat_id
        if is_chat_send(call.method) and chat is not None and chat in self._blocked:
            error = ApiError(403, "Forbidden: bot was blocked by the user")
            self._record_fault(call, "blocked", 403, error.description, None)
            return self._error(call, error)
        try:
            result = await handler(call)
        except ApiError as exc:
            return self._error(call, exc)
        except Exception as exc:  # a bug in the fake: answer, and fail the test on exit
            self._internal_errors.append(exc)
            return self._error(call, ApiError(500, f"Internal Server Error: fake: {exc!r}"))
        if injected is not None:  # executed: now the answer goes wrong
            return await self._after(call, injected, result)
        return self._finish(call, 200, {"ok": True, "result": result})

    async def _after(self, call: Call, rule: FaultRule, result: Any) -> Answer:
        """A fault after the method ran: the answer late, or one the client cannot read."""
        kind = "garbled" if rule.kind == "garble" else rule.kind
        self._record_fault(call, kind, 200, None, None)
        if rule.kind == "executed_stall":
            await self._sleep(rule.stall_seconds)
            return self._finish(call, 200, {"ok": True, "result": result})
        garbled = copy.deepcopy(result)
        *path, last = rule.drop
        target = garbled
        for key in path:
            target = target.get(key, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            target.pop(last, None)
        return self._finish(call, 200, {"ok": True, "result": garbled})

    def _finish(self, call: Call, status: int, payload: Any) -> Answer:
        call.status = status
        call.response = payload
        call.answered_at = time.monotonic()
        self._bump()
        if isinstance(payload, str):  # the HTML page of a 502 from Telegram's front end
            return Answer(status, payload.encode(), "text/html")
        return Answer.json(status, payload)

    def _error(self, call: Call, error: ApiError) -> Answer:
        payload: JSON = {"ok": False, "error_code": error.status, "description": error.description}
        if error.parameters:
            payload["parameters"] = error.parameters
        return self._finish(call, error.status, payload)

    async def _inject(self, call: Call, rule: FaultRule) -> Answer:
        """The answer a fault rule makes: none at all (reset, stall), or an error."""
        if rule.kind in ("reset", "stall"):
            self._record_fault(call, rule.kind, None, None, None)
            if rule.kind == "stall":
                await self._sleep(rule.stall_seconds)
            return DROPPED
        status = rule.status or 500
        kind = str(status) if status in (429, 500, 502) else "http"
        self._record_fault(call, kind, status, rule.description, rule.retry_after)
        if rule.html_body:
            return self._finish(call, status, NGINX_502)
        params = {"retry_after": rule.retry_after} if rule.retry_after is not None else None
        return self._error(call, ApiError(status, rule.description or "Error", params))
