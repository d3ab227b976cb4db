"""The fake Bot API without sockets: a PTB transport that calls the dispatcher directly.

Why a module of its own: a test that only needs the bot's conversation does not need
a server, a port or the kernel's network stack. ``InProcessRequest`` is a
``telegram.request.BaseRequest``: PTB builds its URLs and RequestData as for
Telegram's servers, and the request goes down the same road as one over HTTP
(dispatch._dispatch: the same Call, token check, faults, blocks, handlers and
answers), so the two transports cannot drift apart. Timeouts, resets and stalls
surface as the PTB errors HTTPXRequest raises (TimedOut, NetworkError).

Use::

    api = FakeBotAPI()                      # no start(): nothing listens anywhere
    async with api.in_process_bot(TOKEN) as bot:
        await bot.send_message(42, "hi")
    # or, for an Application:
    ApplicationBuilder().token(TOKEN).base_url(IN_PROCESS_BASE_URL)
        .base_file_url(IN_PROCESS_BASE_FILE_URL)
        .request(InProcessRequest(api)).get_updates_request(InProcessRequest(api))
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlsplit

from telegram import Bot
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.fakebotapi.dispatch import DispatchMixin
from tests.fakebotapi.records import UploadedFile
from tests.fakebotapi.wire import Answer

# Any host will do (nothing resolves it); the paths are the ones Telegram serves.
IN_PROCESS_BASE_URL = "http://fakebotapi.invalid/bot"
IN_PROCESS_BASE_FILE_URL = "http://fakebotapi.invalid/file/bot"


class InProcessRequest(BaseRequest):
    """PTB's transport contract, fulfilled by handing the request to a FakeBotAPI.

    ``read_timeout`` (default 5 s, as HTTPXRequest's) bounds the wait for an answer;
    a request that outlives it goes on in the fake, as it would on a server, until
    it is answered or ``shutdown()`` cancels it. Write, connect and pool timeouts
    have nothing to bound here.
    """

    def __init__(self, api: DispatchMixin, read_timeout: float | None = 5.0) -> None:
        self._api = api
        self._read_timeout = read_timeout
        self._inflight: set[asyncio.Future[Answer]] = set()

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Cancel the requests still running in the fake for a caller that gave up."""
        pending = list(self._inflight)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The fake's answer as (status, body), as HTTPXRequest returns a server's."""
        # the fields and files HTTPXRequest would post: strings as PTB encoded them
        fields = dict(request_data.json_parameters) if request_data else {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                data = content.read() if hasattr(content, "read") else content
                files[name] = UploadedFile(filename, mimetype, bytes(data))
        encoding = "multipart" if files else "form" if fields else "empty"
        path = unquote(urlsplit(url).path)
        task = asyncio.ensure_future(self._api._dispatch(method, path, fields, files, encoding))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            raise TimedOut(f"fake Bot API (in process): no answer within {timeout} s")
        answer = task.result()
        if answer.status is None:
            raise NetworkError("fake Bot API (in process): the connection was dropped")
        return answer.status, answer.body


class InProcessMixin(DispatchMixin):
    """``in_process_bot``: a PTB Bot wired to this fake with no server running."""

    def in_process_bot(self, token: str) -> Bot:
        """A ``telegram.Bot`` (not yet initialized) whose every request, getUpdates and
        file downloads included, runs through this fake in this process: no start(),
        no port, no socket. Use it as ``async with api.in_process_bot(TOKEN) as bot``.
        """
        return Bot(
            token,
            base_url=IN_PROCESS_BASE_URL,
            base_file_url=IN_PROCESS_BASE_FILE_URL,
            request=InProcessRequest(self),
            get_updates_request=InProcessRequest(self),
        )
