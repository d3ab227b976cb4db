"""Metrics render what was counted; the health server answers liveness, readiness, metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from types import SimpleNamespace
from typing import cast, get_args

import aiohttp
import pytest

from bot.ops.health import Check, HealthServer
from bot.ops.metrics import Metrics, ReminderResult


def test_metrics_instances_are_independent_and_render_counted_values() -> None:
    a, b = Metrics(), Metrics()  # a shared global registry would raise "Duplicated"
    a.count_update("message")
    a.count_update("message")
    a.count_error("handler")
    a.count_send("sendVoice", "retry")
    a.count_reminder("deferred", 2)
    a.count_tts_cache("hit")
    with a.handler_seconds.time():
        pass
    text = a.render().decode()
    assert 'sideglide_updates_total{kind="message"} 2.0' in text
    assert 'sideglide_errors_total{where="handler"} 1.0' in text
    assert 'sideglide_sends_total{method="sendVoice",result="retry"} 1.0' in text
    assert 'sideglide_reminders_total{result="deferred"} 2.0' in text
    assert 'sideglide_tts_cache_total{result="hit"} 1.0' in text
    assert "sideglide_handler_seconds_count 1.0" in text
    assert 'kind="message"' not in b.render().decode()


def test_closed_label_sets_start_at_zero_and_buckets_are_fine_grained() -> None:
    text = Metrics(process_metrics=False).render().decode()
    for result in get_args(ReminderResult):
        assert f'sideglide_reminders_total{{result="{result}"}} 0.0' in text
    for result in ("hit", "miss", "failure"):
        assert f'sideglide_tts_cache_total{{result="{result}"}} 0.0' in text
    assert 'sideglide_handler_seconds_bucket{le="0.0005"} 0.0' in text
    assert 'sideglide_handler_seconds_bucket{le="5.0"} 0.0' in text
    assert "process_" not in text


async def _true() -> bool:
    return True


async def _false() -> bool:
    return False


async def _raises() -> bool:
    raise RuntimeError("database is locked")


async def _hangs() -> bool:
    await asyncio.sleep(3600)
    return True


async def started(
    checks: Mapping[str, Check], metrics: Metrics | None = None, check_timeout: float = 2.0
) -> HealthServer:
    server = HealthServer(metrics, checks, check_timeout=check_timeout)
    await server.start("127.0.0.1", 0)
    return server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def get(
    session: aiohttp.ClientSession, server: HealthServer, path: str
) -> tuple[int, str, str]:
    async with session.get(f"http://127.0.0.1:{server.port}{path}") as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


async def test_healthz_readyz_and_metrics_when_all_is_well(http: aiohttp.ClientSession) -> None:
    metrics = Metrics()
    server = await started({"database": _true, "scheduler": _true}, metrics)
    try:
        assert server.port > 0
        status, ctype, body = await get(http, server, "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert ctype.startswith("application/json")

        status, _, body = await get(http, server, "/readyz")
        assert status == 200
        assert json.loads(body) == {
            "status": "ready",
            "checks": {"database": True, "scheduler": True},
        }

        metrics.count_update("callback_query")
        metrics.count_send("sendMessage", "ok")
        status, ctype, body = await get(http, server, "/metrics")
        assert status == 200
        assert ctype.startswith("text/plain; version=0.0.4")
        assert 'sideglide_updates_total{kind="callback_query"} 1.0' in body
        assert 'sideglide_sends_total{method="sendMessage",result="ok"} 1.0' in body
        for name in (
            "sideglide_errors_total",
            "sideglide_reminders_total",
            "sideglide_tts_cache_total",
            "sideglide_handler_seconds_bucket",
        ):
            assert name in body

        status, _, _ = await get(http, server, "/nothing-here")
        assert status == 404
    finally:
        await server.stop()


async def test_readyz_is_503_naming_failing_raising_and_hanging_checks(
    http: aiohttp.ClientSession,
) -> None:
    checks = {"database": _true, "scheduler": _false, "voice": _raises, "disk": _hangs}
    server = await started(checks, check_timeout=0.05)
    try:
        status, _, body = await get(http, server, "/readyz")
        assert status == 503
        data = json.loads(body)
        assert data["status"] == "unready"
        assert data["checks"] == {
            "database": True,
            "scheduler": False,
            "voice": False,
            "disk": False,
        }
        assert data["failing"] == ["disk", "scheduler", "voice"]
        # Liveness does not depend on readiness.
        status, _, _ = await get(http, server, "/healthz")
        assert status == 200
    finally:
        await server.stop()


async def test_checks_run_concurrently(http: aiohttp.ClientSession) -> None:
    # "first" can only finish once "second" has started: run one after the other, it
    # would time out and report not ready (30 s: long enough for any machine).
    second_started = asyncio.Event()

    async def first() -> bool:
        await second_started.wait()
        return True

    async def second() -> bool:
        second_started.set()
        return True

    server = await started({"first": first, "second": second}, check_timeout=30.0)
    try:
        status, _, body = await get(http, server, "/readyz")
        assert status == 200, body
    finally:
        await server.stop()


async def test_no_metrics_route_without_metrics_and_no_checks_means_ready(
    http: aiohttp.ClientSession,
) -> None:
    server = await started({})
    try:
        assert (await get(http, server, "/metrics"))[0] == 404
        status, _, body = await get(http, server, "/readyz")
        assert (status, json.loads(body)) == (200, {"status": "ready", "checks": {}})
    finally:
        await server.stop()


async def test_stop_closes_the_port_and_port_needs_a_started_server(
    http: aiohttp.ClientSession,
) -> None:
    server = HealthServer()
    with pytest.raises(RuntimeError):
        _ = server.port
    await server.start("127.0.0.1", 0)
    port = server.port
    with pytest.raises(RuntimeError):
        await server.start("127.0.0.1", 0)
    await server.stop()
    await server.stop()  # idempotent
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(f"http://127.0.0.1:{port}/healthz")


def test_the_reminder_metrics_count_the_tickers_own_report() -> None:
    """Every count the ticker reports lands under its declared label, none invented."""
    from bot.reminders.ticker import TickReport
    from bot.services import Services
    from bot.telegram.reminders import ReminderJob

    metrics = Metrics(process_metrics=False)
    job = ReminderJob.__new__(ReminderJob)  # only its counting is under test here
    job.services = cast(Services, SimpleNamespace(metrics=metrics))  # a stand-in: metrics only
    job.count(TickReport(sent=3, silent=2, blocked=1, failed=1, busy=4, held_back=5))
    text = metrics.render().decode()
    expected = {"sent": 3, "skipped": 2, "blocked": 1, "failed": 1, "deferred": 4}
    for result, n in {**expected, "held_back": 5, "retry_later": 0}.items():
        assert f'sideglide_reminders_total{{result="{result}"}} {float(n)}' in text, result
