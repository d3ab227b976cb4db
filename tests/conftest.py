"""Shared test set-up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from tests import botkit
from tests.pgserver import PgServer, start_server

Storage = SqliteStorage | PostgresStorage
BACKENDS = ["sqlite-file", "sqlite-memory", "postgres"]
# the end-to-end modules: each of their tests runs once per backend
ON_BOTH = frozenset(
    {
        "test_e2e_telegram",
        "test_e2e_data",
        "test_e2e_reminders",
        "test_e2e_sharing",
        "test_e2e_languages",
        "test_e2e_voice",
        "test_hardening_input",
        "test_hardening_faults",
        "test_hardening_logs",
        "test_hardening_crash",
        "test_e2e_ops",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    once = metafunc.definition.get_closest_marker("no_database") is not None
    if "db_backend" in metafunc.fixturenames and name in ON_BOTH and not once:
        metafunc.parametrize("db_backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(autouse=True)
def db_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which database `tests.botkit.settings_for` gives the bot: SQLite in the test's
    folder, or a fresh PostgreSQL database on the test server."""
    backend = getattr(request, "param", "sqlite")
    botkit.DB_URL = request.getfixturevalue("pg_url") if backend == "postgres" else None
    try:
        yield backend
    finally:
        botkit.DB_URL = None


# PTB 22 warns on every RetryAfter / duration unless it may return timedeltas;
# with filterwarnings=error that warning would replace the real exception.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# charts and the health server must never reach for a display or a real port
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def need_voice_tools() -> None:
    """Voice tests fail (not skip) without the tools: `make test` installs them, so a
    missing one is a broken install step, not something this machine cannot have."""
    from bot.voice.encode import missing_tools  # after the environment above is set

    missing = ", ".join(missing_tools())
    if missing:
        pytest.fail(f"voice tests need {missing} on PATH (apt install ffmpeg espeak-ng)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One real PostgreSQL server per test process (see tests/pgserver.py)."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty database on that server."""
    return pg_server.new_database()


async def open_storage(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """One of the backends every storage contract test runs on."""
    if backend == "postgres":
        return await PostgresStorage.open(request.getfixturevalue("pg_url"))
    where = ":memory:" if backend == "sqlite-memory" else tmp_path / "db.sqlite3"
    return await SqliteStorage.open(where)


# --- the suite's time by layer, printed at the end ------------------------------


def layer_of(nodeid: str) -> str:
    """A test's layer: the first word of its file's name (test_e2e_data.py -> e2e)."""
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
    return name.removeprefix("test_").split("_", 1)[0]


_LAYER_SECONDS: dict[str, float] = {}
_LAYER_TESTS: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    layer = layer_of(report.nodeid)
    _LAYER_SECONDS[layer] = _LAYER_SECONDS.get(layer, 0.0) + report.duration
    if report.when == "call":
        _LAYER_TESTS[layer] = _LAYER_TESTS.get(layer, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _LAYER_SECONDS:
        return
    terminalreporter.section("time by layer (set-up + call + tear-down, summed over workers)")
    for layer, seconds in sorted(_LAYER_SECONDS.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(
            f"{layer:<12} {_LAYER_TESTS.get(layer, 0):>5} tests {seconds:>8.1f} s"
        )
    terminalreporter.write_line(
        f"{'total':<12} {sum(_LAYER_TESTS.values()):>5} tests "
        f"{sum(_LAYER_SECONDS.values()):>8.1f} s"
    )
