"""Liveness, readiness and metrics over HTTP, on the bot's own event loop.

Served by tornado, which python-telegram-bot's webhook extra already installs, so the
health port adds no dependency and no thread. It listens on its own address
(``SIDEGLIDE_HEALTH_LISTEN``, loopback by default) apart from the webhook, so metrics are
never exposed where Telegram can reach them.

- ``/healthz``: the process and its loop answer at all. Never touches the database, so
  a slow disk restarts nothing.
- ``/readyz``: every readiness check passes (database reachable, scheduler running...).
- ``/metrics``: Prometheus text format.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.ops.metrics import CONTENT_TYPE, Metrics

__all__ = ["Check", "HealthServer"]

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]


class _JsonHandler(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def reply(self, status: int, body: Mapping[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, sort_keys=True))


class _Liveness(_JsonHandler):
    def get(self) -> None:
        self.reply(200, {"status": "ok"})

    head = get


class _Readiness(_JsonHandler):
    def initialize(self, server: HealthServer) -> None:
        self.server = server

    async def get(self) -> None:
        results = await self.server.run_checks()
        failing = sorted(name for name, ok in results.items() if not ok)
        if failing:
            self.reply(503, {"status": "unready", "checks": results, "failing": failing})
        else:
            self.reply(200, {"status": "ready", "checks": results})

    head = get


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE)
        self.set_header("Cache-Control", "no-store")
        self.finish(self.metrics.render())


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Probes hit these every few seconds: only failures are worth a line.
    status = handler.get_status()
    if status >= 500 and handler.request.path != "/readyz":
        log.warning(
            "health server: %s %s -> %d", handler.request.method, handler.request.path, status
        )


class HealthServer:
    """HTTP server for /healthz, /readyz and /metrics; start and stop it inside the loop.

    ``checks`` maps a name (shown in the /readyz body) to an async callable returning
    True when that part is ready. A check that raises or exceeds ``check_timeout``
    seconds counts as not ready; checks run concurrently.
    """

    def __init__(
        self,
        metrics: Metrics | None = None,
        checks: Mapping[str, Check] | None = None,
        *,
        check_timeout: float = 2.0,
    ) -> None:
        self.metrics = metrics
        self.checks: dict[str, Check] = dict(checks or {})
        self.check_timeout = check_timeout
        self._server: HTTPServer | None = None
        self._sockets: list[socket.socket] = []

    @property
    def port(self) -> int:
        """The bound port (the real one when started with port 0)."""
        if not self._sockets:
            raise RuntimeError("health server is not started")
        port: int = self._sockets[0].getsockname()[1]
        return port

    def app(self) -> tornado.web.Application:
        routes: list[Any] = [
            (r"/healthz", _Liveness),
            (r"/readyz", _Readiness, {"server": self}),
        ]
        if self.metrics is not None:
            routes.append((r"/metrics", _MetricsHandler, {"metrics": self.metrics}))
        return tornado.web.Application(routes, log_function=_log_request)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._server is not None:
            raise RuntimeError("health server already started")
        # Bind here, inside the running loop, so tornado attaches to this loop.
        self._sockets = bind_sockets(port, address=host)
        self._server = HTTPServer(self.app())
        self._server.add_sockets(self._sockets)
        log.info("health server listening on %s:%d", host, self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()  # closes the listening sockets
        await server.close_all_connections()
        self._sockets = []

    async def run_checks(self) -> dict[str, bool]:
        names = list(self.checks)
        results = await asyncio.gather(*(self._run_one(n) for n in names))
        return dict(zip(names, results, strict=True))

    async def _run_one(self, name: str) -> bool:
        try:
            async with asyncio.timeout(self.check_timeout):
                return bool(await self.checks[name]())
        except TimeoutError:
            log.warning("readiness check %r timed out after %.1fs", name, self.check_timeout)
        except Exception as exc:  # a crashing check is a failing check, not a 500
            log.warning("readiness check %r failed: %s: %s", name, type(exc).__name__, exc)
        return False
