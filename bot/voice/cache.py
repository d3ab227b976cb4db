"""Voice notes on disk, one file per key, written atomically.

A key names exactly what is in the file: backend + language + sha256 of the exact
input, so a clip is synthesized once ever, and a clip spoken by espeak-ng while gTTS
was down is never mistaken for a gTTS clip. A file exists under its final name only
once it is complete (temp file in the same directory, then os.replace), so a crash
or a failed encode never leaves half a clip for the next reader.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.voice.encode import EncodeError, ogg_opus_duration

log = logging.getLogger(__name__)

_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
_BACKEND = re.compile(r"[a-z0-9]+")
_PART_SUFFIX = ".part"


@dataclass(frozen=True)
class Clip:
    """A finished voice note. `key` is stable across restarts: keep Telegram's file_id by it.

    duration_s is whole seconds, at least 1, as Telegram's sendVoice `duration` wants.
    """

    path: Path
    duration_s: int
    key: str
    size: int


def normalize_lang(lang: str) -> str:
    """`en_GB` / `EN-gb` -> `en-gb`; anything else is refused, it becomes part of a path."""
    norm = lang.strip().replace("_", "-").lower()
    if not _LANG.fullmatch(norm):
        raise ValueError(f"not a language tag: {lang!r}")
    return norm


def make_key(backend: str, lang: str, payload: str, *, kind: str = "") -> str:
    """`espeak-en-<sha256>`, or `espeak-en-guided-<sha256>` for another kind of note."""
    if not _BACKEND.fullmatch(backend):
        raise ValueError(f"not a backend name: {backend!r}")
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    middle = f"{kind}-" if kind else ""
    return f"{backend}-{normalize_lang(lang)}-{middle}{digest}"


class ClipCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._known: dict[str, Clip] = {}

    def path(self, key: str) -> Path:
        return self.root / f"{key}.ogg"

    def get(self, key: str) -> Clip | None:
        """The finished clip for `key`, or None. A stat plus, the first time, a tail read."""
        path = self.path(key)
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._known.pop(key, None)
            return None
        known = self._known.get(key)
        if known is not None and known.size == stat.st_size:
            return known
        try:
            seconds = ogg_opus_duration(path)
        except (EncodeError, OSError):
            log.warning("unreadable clip in cache, ignoring it: %s", path.name)
            return None
        clip = Clip(path, max(1, round(seconds)), key, stat.st_size)
        self._known[key] = clip
        return clip

    @contextlib.contextmanager
    def writing(self, key: str) -> Iterator[Path]:
        """A temp path to write the clip to; it becomes `path(key)` only if the block succeeds."""
        fd, name = tempfile.mkstemp(prefix=f".{key}.", suffix=_PART_SUFFIX, dir=self.root)
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            with tmp.open("rb") as fh:  # complete on disk before it gets its final name
                os.fsync(fh.fileno())
            tmp.chmod(0o644)  # mkstemp's 0600 would hide clips from a bot run as another user
            os.replace(tmp, self.path(key))
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def sweep(self, max_age_s: float = 3600.0) -> int:
        """Delete temp files left by a crash. Only old ones: another process (the
        render-audio command next to the running bot) may be writing fresh ones."""
        removed = 0
        limit = time.time() - max_age_s
        for tmp in self.root.glob(f".*{_PART_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                if tmp.stat().st_mtime < limit:
                    tmp.unlink()
                    removed += 1
        return removed
