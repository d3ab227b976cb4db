"""Shared test set-up: the fixtures and values more than one test module uses.

The database backends. A test that requests `storage` (the storage ports, opened
directly) or `bot_db` (the SIDEGLIDE_DB the bot is given) runs once per backend
those fixtures are parametrized over: which tests run on PostgreSQL follows from
what they request, never from a list of modules. A test that gives the bot a
database some other way says so (`sqlite_db`, SQLite in the test's folder).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from tests.pgserver import PgServer, start_server

# PTB 22 warns on every RetryAfter / duration unless it may return timedeltas;
# with filterwarnings=error that warning would replace the real exception.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# charts and the health server must never reach for a display or a real port
os.environ.setdefault("MPLBACKEND", "Agg")

Storage = SqliteStorage | PostgresStorage
# the storage ports' contract runs on each; a bot's database is a file or a server
BACKENDS = ["sqlite-file", "sqlite-memory", "postgres"]
BOT_BACKENDS = ["sqlite", "postgres"]

# the tests' "now" when the day does not matter: a Monday, 09:00 UTC
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand; the code under test reads `now` by calling it.

    `step` moves it on by itself at every reading, for code that must see time pass
    between two reads (a turn's timestamps).
    """

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(0)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


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


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    """The bot's database as a SQLite file in the test's folder (SQLite only)."""
    return tmp_path / "sideglide.sqlite3"


@pytest.fixture(params=BOT_BACKENDS)
def bot_db(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """The bot's database (its SIDEGLIDE_DB) on each backend in turn: SQLite in the
    test's folder, then a fresh database on the test's PostgreSQL server."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    return tmp_path / "sideglide.sqlite3"


async def open_storage(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """One of the backends every storage contract test runs on."""
    if backend == "postgres":
        return await PostgresStorage.open(request.getfixturevalue("pg_url"))
    where = ":memory:" if backend == "sqlite-memory" else tmp_path / "db.sqlite3"
    return await SqliteStorage.open(where)


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """The storage ports, opened on each backend in turn, closed after the test."""
    opened = await open_storage(request.param, request, tmp_path)
    try:
        yield opened
    finally:
        await opened.close()


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
