"""Shared test set-up: the fixtures and values more than one test module uses.

The database backends. A test that requests `storage` (the storage ports, opened
directly) or `bot_db` (the SIDEGLIDE_DB the bot is given) runs once per backend
those fixtures are parametrized over: which tests run on PostgreSQL follows from
what they request, never from a list of modules. A test that gives the bot a
database some other way says so (`sqlite_db`, SQLite in the test's folder).
"""

from __future__ import annotations

import os
import resource
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests (bot processes, the graph walk) first, in their files' order: with
    several workers they start early and the quick ones fill in around them, instead
    of a two-minute test starting last while the other workers sit idle.

    Under `--dist loadgroup` each worker also names a test's xdist_group in its id, as
    pytest-xdist means to: xdist 3.8 writes the suffix to `item._nodeid`, which pytest
    9.2 no longer reads (an item's id is its `_id`), so the group was lost and each
    worker built the graph walk for itself."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if hasattr(config, "workerinput") and config.getoption("loadgroup", False):
        for item in items:
            names = {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
            # before pytest 9.2 (no `_id`) xdist's own suffix works: nothing to do
            if names and "@" not in item.nodeid and hasattr(item, "_id"):
                from _pytest.nodeid import NodeId

                item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")


# --- the suite's time by layer, printed at the end ------------------------------
#
# Each phase's report (set-up, call, tear-down) carries its wall time (pytest's
# duration) and the CPU the worker and its finished child processes (a bot process, a
# render) used meanwhile; the controller sums them by layer. Wall far above CPU is a
# test waiting (a timeout it provokes, a lease, a server starting), not computing.


def layer_of(nodeid: str) -> str:
    """A test's layer: the first word of its file's name (test_e2e_data.py -> e2e)."""
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
    return name.removeprefix("test_").split("_", 1)[0]


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_cpu_mark = [0.0]


def pytest_runtest_logstart(nodeid: str) -> None:
    _cpu_mark[0] = _cpu_seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    now = _cpu_seconds()
    report.user_properties.append(("cpu_s", now - _cpu_mark[0]))
    _cpu_mark[0] = now
    return report


@dataclass
class _Spent:
    tests: int = 0
    wall: float = 0.0
    cpu: float = 0.0


_BY_LAYER: dict[str, _Spent] = {}
_BY_TEST: dict[str, _Spent] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    cpu = 0.0
    for key, value in report.user_properties:
        if key == "cpu_s" and isinstance(value, float):
            cpu += value
    for key, table in ((layer_of(report.nodeid), _BY_LAYER), (report.nodeid, _BY_TEST)):
        spent = table.setdefault(key, _Spent())
        spent.wall += report.duration
        spent.cpu += cpu
        spent.tests += int(report.when == "call")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _BY_LAYER:
        return
    write = terminalreporter.write_line
    terminalreporter.section("time by layer (set-up + call + tear-down, summed over workers)")
    write(f"{'layer':<12} {'tests':>5} {'wall s':>8} {'CPU s':>8}")
    for layer, spent in sorted(_BY_LAYER.items(), key=lambda kv: -kv[1].wall):
        write(f"{layer:<12} {spent.tests:>5} {spent.wall:>8.1f} {spent.cpu:>8.1f}")
    total = _Spent(
        sum(s.tests for s in _BY_LAYER.values()),
        sum(s.wall for s in _BY_LAYER.values()),
        sum(s.cpu for s in _BY_LAYER.values()),
    )
    write(f"{'total':<12} {total.tests:>5} {total.wall:>8.1f} {total.cpu:>8.1f}")
    waiting = sorted(_BY_TEST.items(), key=lambda kv: kv[1].cpu - kv[1].wall)[:10]
    write("most waiting (wall - CPU, s):")
    for nodeid, spent in waiting:
        write(f"{spent.wall - spent.cpu:>8.1f}  {nodeid}")
