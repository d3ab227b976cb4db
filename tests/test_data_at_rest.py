"""Data at rest: the SQLite files are the bot's user's alone, and /forget erases from
the disk, not only from the tables (bot/storage/sqlite/database.py).

Found on a running bot: after /forget the rows were gone from the tables and still
readable in the SQLite WAL; the database was 0644 under `make run`; the chart and
exports the console wrote stayed on disk.
"""

from __future__ import annotations

import asyncio
import io
import stat
from pathlib import Path

from bot import bootstrap
from bot.config import Settings
from bot.console.console import Console
from bot.storage.sqlite import SqliteStorage
from bot.storage.sqlite.database import Database
from flows import texts as t
from tests.botkit import User, plain_settings, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.test_console import ONBOARD
from tests.test_startup_errors import free_port

SIDE = ("-wal", "-shm")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_folder_are_private_from_the_first_byte(
    tmp_path: Path,
) -> None:
    db = tmp_path / "var" / "data" / "sideglide.sqlite3"
    storage = await SqliteStorage.open(db)
    try:
        assert mode(db.parent) == 0o700
        for path in (db, *(db.with_name(db.name + s) for s in SIDE)):
            assert path.exists() and mode(path) == 0o600, path
    finally:
        await storage.close()


async def test_an_existing_database_left_readable_is_made_private_at_start(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "var"
    db = folder / "sideglide.sqlite3"
    storage = await SqliteStorage.open(db)
    await storage.close()
    folder.chmod(0o755)  # as the first version left them
    for path in folder.iterdir():
        path.chmod(0o644)
    storage = await SqliteStorage.open(db)
    try:
        assert mode(folder) == 0o700
        assert {p.name: mode(p) for p in folder.iterdir()} == {
            p.name: 0o600 for p in folder.iterdir()
        }
        async with storage.db.conn.execute("PRAGMA secure_delete") as cur:
            assert await cur.fetchone() == (1,)  # what a DELETE frees is zeroed
    finally:
        await storage.close()


def on_disk(db: Path, marker: bytes) -> list[str]:
    """The database's files (database and WAL) that hold `marker` in their bytes."""
    found = []
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists() and marker in path.read_bytes():
            found.append(path.name)
    return found


async def test_after_forget_nothing_erased_is_readable_in_the_database_or_its_wal(
    tmp_path: Path,
    sqlite_db: Path,
) -> None:
    """In webhook mode each update waits in the inbox as JSON, the user's words
    included; handled, its row is deleted, and until a checkpoint the WAL still
    holds the page with it. /forget leaves neither file with anything of theirs."""
    port = free_port()
    typed = "quokkaflare in my left calf"
    async with FakeBotAPI() as api:
        settings = settings_for(
            api,
            tmp_path,
            sqlite_db,
            SIDEGLIDE_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
            SIDEGLIDE_WEBHOOK_SECRET="at-rest-secret-of-more-than-32-characters",
            SIDEGLIDE_LISTEN=f"127.0.0.1:{port}",
        )
        db = Path(str(settings.SIDEGLIDE_DB))
        async with running(settings):
            user = User(api, 6061, name="Zebulonqx")
            user.say("/start")
            await user.expect("coach, not a doctor")
            user.say(typed)  # free text: answered with the question again
            await user.keyboard()
            # the test can see what it looks for: the words are on disk now
            assert on_disk(db, b"quokkaflare") and on_disk(db, b"Zebulonqx")
            user.say("/forget")
            confirm = await user.keyboard()
            await user.tap(t.B_FORGET, confirm)
            await user.expect("everything I had stored about you is deleted")
            # while the bot still runs (the erasure came before its reply): the WAL
            # written back and emptied, nothing of theirs in the database or the WAL
            assert db.with_name(db.name + "-wal").stat().st_size == 0
            assert on_disk(db, b"quokkaflare") == []
            assert on_disk(db, b"Zebulonqx") == []


def console_settings(tmp_path: Path) -> Settings:
    return plain_settings(
        SIDEGLIDE_DB=tmp_path / "console.sqlite3",
        SIDEGLIDE_TTS="off",
        SIDEGLIDE_HEALTH_LISTEN="off",
        SIDEGLIDE_ANIMATIONS=False,
    )


async def test_the_consoles_charts_and_exports_go_with_forget(tmp_path: Path) -> None:
    settings = console_settings(tmp_path)
    reports = tmp_path / "reports"
    (tmp_path / "notes.txt").write_text("not the bot's")  # beside the database: kept
    built = await bootstrap.build(settings)
    try:
        out = io.StringIO()
        lines = [*ONBOARD, "/progress", "/export", "/quit"]
        await Console(built.services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
        written = sorted(p.suffix for p in reports.iterdir())
        assert written == [".csv", ".html", ".png"], out.getvalue()[-2000:]  # summary printed
        out = io.StringIO()
        lines = ["/forget", t.B_FORGET, "/quit"]
        await Console(built.services, io.StringIO("\n".join(lines) + "\n"), out, play=False).run()
        assert "everything I had stored about you is deleted" in out.getvalue()
        assert not reports.exists()
        assert (tmp_path / "notes.txt").exists()
    finally:
        await bootstrap.close(built)


async def test_the_checkpoint_after_an_erasure_waits_out_a_read_still_open(
    tmp_path: Path,
) -> None:
    """A read of another task's may have its statement open on the one connection when
    /forget checkpoints: the checkpoint is tried again once it ends, not failed (the
    sharing tests met it: "database table is locked" in the middle of a /forget)."""
    db = await Database.open(tmp_path / "wal.sqlite3")
    try:
        async with db.transaction() as conn:
            for n in (1, 2, 3):
                await conn.execute(
                    "INSERT INTO processed_updates (update_id, user_id, at) VALUES (?, 1, ?)",
                    (n, n),
                )
        reading = await db.conn.execute("SELECT update_id FROM processed_updates")
        assert await reading.fetchone() is not None  # the statement stays open: rows remain
        scrub = asyncio.create_task(db.scrub())
        await asyncio.sleep(0.2)
        await reading.close()
        await scrub
        wal = tmp_path / "wal.sqlite3-wal"
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        await db.close()
