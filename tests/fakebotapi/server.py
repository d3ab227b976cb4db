"""The fake Bot API over real HTTP: an aiohttp server on 127.0.0.1, and its lifecycle.

Why a module of its own: a bot under test (in this process or as a child process)
talks HTTP exactly as it would to Telegram's servers. This adapter only reads a
request's form or multipart body, hands it to the dispatcher, and writes the Answer
back - or drops the connection when the Answer is none.
"""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.fakebotapi.dispatch import DispatchMixin
from tests.fakebotapi.records import UploadedFile
from tests.fakebotapi.webhook import WebhookMixin

_MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for a bot's upload; aiohttp answers 413


async def read_form(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile], str]:
    """The fields and files of a form or multipart body, as PTB sends them.

    Any other body (JSON, say: PTB never sends it) carries no fields, as the encoding
    "empty" records.
    """
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    ctype = request.content_type
    if not request.body_exists or ctype not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        await request.read()
        return fields, files, "empty"
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        else:
            fields[key] = value
    return fields, files, "multipart" if ctype == "multipart/form-data" else "form"


class ServerMixin(DispatchMixin, WebhookMixin):
    """start/stop, the URLs to give the bot, and the aiohttp request handler."""

    _runner: web.AppRunner | None = None
    _port: int | None = None

    async def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port (the one it had, on a restart) and serve."""
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/{path:.*}", self._on_request)
        # access_log=None: request paths contain the token, which must never be logged.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # a restart binds the port it had, so a bot configured with it reconnects
        sock.bind((self.host, self._port or 0))
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        self._closing = False
        self._start_webhook_delivery()
        return self

    async def stop(self) -> None:
        """Answer pending long polls, stop serving, close the client; safe to call twice."""
        if self._runner is None:
            return
        self._closing = True
        self._bump()
        await self._stop_webhook_delivery()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None and self._internal_errors:
            raise RuntimeError("the fake Bot API itself failed") from self._internal_errors[0]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For Bot(base_url=...) / TELEGRAM_BASE_URL: PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        fields, files, encoding = await read_form(request)
        answer = await self._dispatch(request.method, request.path, fields, files, encoding)
        if answer.status is None:  # a reset or a stall: the client gets no answer at all
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        return web.Response(
            status=answer.status, body=answer.body, content_type=answer.content_type
        )
