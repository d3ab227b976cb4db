"""The webhook's HTTP server: our own, on aiohttp, in front of the application.

python-telegram-bot's built-in server (tornado) reads a whole request body, up to
100 MB, before it looks at the secret header, logs an update it cannot parse whole
(the user's words included) at CRITICAL, and answers Telegram as soon as an update is
queued. PTB documents running your own server instead (examples/customwebhookbot:
your server, `Update.de_json`, the application's update queue); this is that
pattern, with the checks in the order that costs an attacker the most and us the
least:

1. the path (404) and the method (405), by aiohttp's router;
2. the secret header, compared in constant time: missing or wrong is 403, and the
   body is never read (a client that sends "Expect: 100-continue" is refused before
   it is invited to send it);
3. the declared size: over `MAX_BODY` (1 MB; an update is a few KB) is 413, unread.
   A body without a declared size is read up to the same limit and refused past it
   (aiohttp's client_max_size), never decompressed;
4. the update itself: not JSON is 400; JSON that PTB cannot read is dropped with a
   warning that says its size and nothing of its content, and answered 200 (Telegram
   would otherwise send it again and again);
5. the per-user throttle (bot.telegram.handlers.admission), before anything waits:
   an update over a user's limit is answered 200 and turned away (a "slow down"
   once, a tap answered) without being stored, so a burst of one user's updates
   costs a dictionary lookup each, not an inbox row and a place in the queue;
6. the inbox (bot.telegram.inbox): the update is stored, and only then does Telegram
   get its 200. A database error is 500, and Telegram sends the update again.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.web_urldispatcher import _default_expect_handler
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.ops.metrics import Metrics
from bot.telegram.context import Adapter
from bot.telegram.handlers import admission, turn_away
from bot.telegram.inbox import UpdateInbox
from bot.telegram.throttle import Allowance

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes; Telegram's updates are a few KB
# after a refusal, how long the rest of an unread body is read and thrown away so the
# client sees our answer instead of a reset (aiohttp's lingering close); never stored
LINGER_S = 5.0

App = Application[Any, Any, Any, Any, Any, Any]


class WebhookServer:
    """Serves `path` on `host:port` until `stop()`; every accepted update goes to `inbox`."""

    def __init__(
        self, app: App, adapter: Adapter, inbox: UpdateInbox, path: str, secret: str
    ) -> None:
        self.app = app
        self.adapter = adapter
        self.inbox = inbox
        self.path = "/" + path.lstrip("/")
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the port bound (useful with port 0)

    @property
    def metrics(self) -> Metrics:
        return self.adapter.services.metrics

    async def start(self, host: str, port: int) -> None:
        server = web.Application(client_max_size=MAX_BODY)
        server.router.add_post(self.path, self._on_post, expect_handler=self._on_expect)
        # no access log: the path is public, but nobody needs a line per update either
        runner = web.AppRunner(
            server,
            access_log=None,
            handle_signals=False,
            auto_decompress=False,
            lingering_time=LINGER_S,
            shutdown_timeout=5.0,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1]) if runner.addresses else port

    async def stop(self) -> None:
        """No new connections; the requests in progress finish (their updates stored)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _refusal(self, request: web.Request) -> web.Response | None:
        """403 or 413 from the headers alone, or None: the body may be read."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.metrics.count_webhook("forbidden")
            return _refuse(403)
        declared = request.content_length
        if declared is not None and declared > MAX_BODY:
            self.metrics.count_webhook("too_large")
            return _refuse(413)
        return None

    async def _on_expect(self, request: web.Request) -> web.StreamResponse | None:
        """A client that asks before sending its body ("Expect: 100-continue") is
        refused before it is invited to send it."""
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        await _default_expect_handler(request)  # "100 Continue"
        return None

    async def _on_post(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)  # (counted only when it refuses: once)
        if refusal is not None:
            return refusal
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:  # no declared size, and too much of it
            self.metrics.count_webhook("too_large")
            return _refuse(413)
        try:
            data = json.loads(body)
        except ValueError:
            self.metrics.count_webhook("invalid")
            log.warning("a webhook body that is not JSON was refused (%d bytes)", len(body))
            return web.Response(status=400)
        update = self._read(data, len(body))
        if update is None:
            return web.Response(status=200)
        username = self.app.bot.username if self.app.bot is not None else None
        allowance = admission(self.adapter, update, username)
        if allowance is not Allowance.OK:
            self.metrics.count_webhook("throttled")
            self.app.create_task(turn_away(update, self.app.bot, allowance), update=update)
            return web.Response(status=200)
        try:
            new = await self.inbox.accept(update)
        except Exception as exc:
            # not stored: Telegram gets no 200 and sends it again
            log.error(
                "an update could not be stored (%s); Telegram will send it again",
                type(exc).__name__,
            )
            self.metrics.count_webhook("error")
            return web.Response(status=500)
        self.metrics.count_webhook("accepted")
        if new:  # sent again while still stored: whoever has it handles it, once
            self.inbox.handle(self.app, update)
        return web.Response(status=200)

    def _read(self, data: object, size: int) -> Update | None:
        """The update, or None when PTB cannot read it (logged without its content)."""
        try:
            update = Update.de_json(data, self.app.bot) if isinstance(data, dict) else None
        except Exception as exc:
            update = None
            reason = type(exc).__name__
        else:
            reason = "not an update"
        if update is None:
            self.metrics.count_webhook("invalid")
            log.warning(
                "an update that could not be read was dropped (%d bytes, %s)", size, reason
            )
            return None
        bot = self.app.bot
        if isinstance(bot, ExtBot):  # arbitrary callback data, as PTB's own server does
            bot.insert_callback_data(update)
        return update


def _refuse(status: int) -> web.Response:
    """An answer that closes the connection: a refused client starts over, if at all."""
    response = web.Response(status=status)
    response.force_close()
    return response
