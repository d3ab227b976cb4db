"""The HTTP client under python-telegram-bot: aiohttp instead of PTB's default httpx.

Why: every button tap costs two Bot API calls (answerCallbackQuery and the reply),
so the client's cost per call sets the bot's throughput. Profiling the default
client under load (py-spy, bench/bench_bot.py) showed most of the bot's CPU in
httpcore's pool bookkeeping: every request walks every pooled connection and asks
its socket for its peer name, and looks for `sniffio` with a fresh import. aiohttp's
connector does neither, and it is already a well-kept dependency of PTB's own
ecosystem (ptbcontrib offers the same idea, but is not published on PyPI).

PTB's contract (telegram.request.BaseRequest) stays intact: same form encoding as
HTTPXRequest (url-encoded fields, multipart when there are files), same mapping
of failures (timeouts -> TimedOut, transport errors -> NetworkError), so the rate
limiter, the retries and PTB's own error handling see exactly what they saw before.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

NOT_SENT = "Timed out waiting for a connection; the request was not sent to Telegram."


class NotSent(TimedOut):
    """A timeout before any byte of the request left: Telegram cannot have executed it,
    so it is safe to send again (bot.telegram.policy); any other TimedOut may not be."""


class AiohttpRequest(BaseRequest):
    """One aiohttp session per instance; PTB keeps one for calls and one for getUpdates.

    Timeouts mean what they mean for HTTPXRequest: read (wait for a piece of the
    answer), write (sending the body, longer for uploads), connect (TCP connect) and
    pool (waiting for a free connection). aiohttp knows no per-write timeout and no
    pool-only one, so the wait for a connection including its TCP connect is capped
    at pool + connect, and the whole request at pool + connect + write + read: a
    stalled upload still ends, with TimedOut, in the time PTB would have allowed it.
    """

    __slots__ = ("_media_write_timeout", "_pool_size", "_proxies", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        # created here, not in __init__: an aiohttp session belongs to the running loop
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )
            self._proxies.clear()  # the environment is read again on each start

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _pick(self, name: str, value: ODVInput[float]) -> float | None:
        return self._timeouts[name] if isinstance(value, DefaultValue) else value

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
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = bool(request_data and request_data.contains_files)
        read = self._pick("read", read_timeout)
        connect = self._pick("connect", connect_timeout)
        pool = self._pick("pool", pool_timeout)
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if has_files else self._timeouts["write"]
        else:
            write = write_timeout
        parts = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p or 0.0 for p in parts),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:  # pool wait or TCP connect
            raise NotSent(message=NOT_SENT) from err
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # the class name helps when the message is empty (a reset, say)
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY / NO_PROXY, honoured as httpx did, read once per host.

        aiohttp's own trust_env reads the environment on every request, which halved
        the bot's throughput (bench/bench_bot.py); the Bot API host never changes.
        """
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]


def _body(request_data: RequestData | None) -> Any:
    """Url-encoded fields, or multipart with the files: what HTTPXRequest sends too."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields or None
    form = aiohttp.FormData(fields)
    for name, part in request_data.multipart_data.items():
        filename, content, *mime = part
        form.add_field(name, content, filename=filename, content_type=mime[0] if mime else None)
    return form
