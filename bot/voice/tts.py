"""Text-to-speech backends and the circuit breaker that falls back from gTTS to espeak-ng.

Every backend is blocking and is called from a worker thread, never on the event loop.
gTTS needs Google's service and can hang; espeak-ng is local and always answers, so it
is the fallback. The choice of backend is a plain string (`gtts`, `espeak`, `off`);
parsing SIDEGLIDE_TTS is the config module's job.
"""

from __future__ import annotations

import io
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from gtts import gTTS

log = logging.getLogger(__name__)

BACKEND_NAMES = ("gtts", "espeak", "off")

# Only voices checked to work without MBROLA; anything else speaks American English.
ESPEAK_VOICES = {"en": "en-us", "es": "es", "de": "de", "ru": "ru"}
ESPEAK_FALLBACK_VOICE = "en-us"

# The path gTTS posts to (gtts/tts.py, _prepare_requests); kept here so a base_url
# override can rebuild the same URL on another host.
GTTS_PATH = "_/TranslateWebserverUi/data/batchexecute"


class TTSError(RuntimeError):
    """A backend could not produce audio (network, timeout, missing binary, bad output)."""


class TTSBackend(Protocol):
    name: str

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        """Write audio for `text` to `out_path` (any format ffmpeg reads), or raise."""
        ...


def primary_lang(lang: str) -> str:
    """`en-GB` -> `en`: both engines are asked by primary language only."""
    return lang.split("-", 1)[0].split("_", 1)[0].lower()


class _RoutedGTTS(gTTS):  # type: ignore[misc]  # gTTS ships no type hints
    """gTTS whose requests go to `base_url` instead of https://translate.google.<tld>.

    gTTS builds its URL inside `_prepare_requests` from a hard-coded template (only the
    tld varies). This override keeps everything gTTS prepares (body, headers) and
    re-points each prepared request, so a test can serve the batchexecute answer from
    127.0.0.1. tests/test_voice_gtts.py fails if a gTTS upgrade breaks this.
    """

    def __init__(self, *args: Any, base_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._base_url = base_url.rstrip("/")

    def _prepare_requests(self) -> list[Any]:
        prepared: list[Any] = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(f"{self._base_url}/{GTTS_PATH}", None)
        return prepared


class GTTSBackend:
    """Google Translate's voice through gTTS (MP3). Bounded in time, unlike plain gTTS.

    Each HTTP request gets `request_timeout_s` (connect and between bytes) and a whole
    call gets `deadline_s`: the download runs in a daemon thread that fills a memory
    buffer, so a server that trickles bytes forever is abandoned at the deadline and
    nothing is written to disk after it.
    """

    name = "gtts"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        tld: str = "com",
        request_timeout_s: float = 5.0,
        deadline_s: float = 15.0,
        slow: bool = False,
    ) -> None:
        self.base_url = base_url
        self.tld = tld
        self.request_timeout_s = request_timeout_s
        self.deadline_s = deadline_s
        self.slow = slow

    def _make(self, text: str, lang: str) -> gTTS:
        kwargs: dict[str, Any] = {
            "tld": self.tld,
            "lang": primary_lang(lang),
            "slow": self.slow,
            "lang_check": False,
            "timeout": self.request_timeout_s,
        }
        if self.base_url is None:
            return gTTS(text, **kwargs)
        return _RoutedGTTS(text, base_url=self.base_url, **kwargs)

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        tts = self._make(text, lang)
        result: dict[str, Any] = {}
        done = threading.Event()

        def download() -> None:
            try:
                buf = io.BytesIO()
                tts.write_to_fp(buf)
                result["audio"] = buf.getvalue()
            except BaseException as exc:  # handed to the caller, never lost in the thread
                result["error"] = exc
            finally:
                done.set()

        threading.Thread(target=download, name="gtts-download", daemon=True).start()
        if not done.wait(self.deadline_s):
            raise TTSError(f"gTTS: no audio within {self.deadline_s:g}s")
        if "error" in result:
            exc = result["error"]
            raise TTSError(f"gTTS: {type(exc).__name__}: {exc}") from exc
        audio: bytes = result.get("audio", b"")
        if not audio:
            raise TTSError("gTTS: empty audio")
        out_path.write_bytes(audio)


class EspeakBackend:
    """espeak-ng, offline (WAV). Text goes on stdin (never argv: a text could start with
    '-'), output via `-w file` because the WAV header of `--stdout` is broken."""

    name = "espeak"

    def __init__(
        self, *, binary: str = "espeak-ng", speed_wpm: int = 150, timeout_s: float = 30.0
    ) -> None:
        self.binary = binary
        self.speed_wpm = speed_wpm
        self.timeout_s = timeout_s

    @staticmethod
    def voice_for(lang: str) -> str:
        return ESPEAK_VOICES.get(primary_lang(lang), ESPEAK_FALLBACK_VOICE)

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        args = [self.binary, "-b", "1", "-v", self.voice_for(lang), "-s", str(self.speed_wpm)]
        args += ["-w", str(out_path)]
        try:
            done = subprocess.run(
                args,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except FileNotFoundError as exc:
            raise TTSError(f"{self.binary} is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise TTSError(f"{self.binary} took longer than {self.timeout_s:g}s") from exc
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip()
            raise TTSError(f"{self.binary} exit {done.returncode}: {err[:200]}")
        if not out_path.exists() or out_path.stat().st_size <= 44:  # a bare WAV header
            raise TTSError(f"{self.binary} wrote no audio")


class FallbackTTS:
    """A primary backend and an optional fallback, with a circuit breaker on the primary.

    After the primary fails, it is skipped for `cooldown_s` and the fallback speaks; then
    the primary is tried again. A failing backend is logged once per outage (a WARNING
    when it starts failing, an INFO when it recovers), never once per clip. Callers
    synthesize a whole note with one backend (`synthesize_note`), so a note never mixes
    two voices. Thread-safe: notes are synthesized from several worker threads.
    """

    def __init__(
        self,
        primary: TTSBackend,
        fallback: TTSBackend | None = None,
        *,
        cooldown_s: float = 300.0,
        note_deadline_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.cooldown_s = cooldown_s
        self.note_deadline_s = note_deadline_s
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = float("-inf")
        self._failing: set[str] = set()

    @property
    def name(self) -> str:
        return self.primary.name

    def candidates(self) -> list[TTSBackend]:
        """Backends to try for the next note, best first."""
        if self.fallback is None:
            return [self.primary]
        with self._lock:
            if self._clock() < self._open_until:
                return [self.fallback]
        return [self.primary, self.fallback]

    def synthesize_note(
        self, backend: TTSBackend, texts: Sequence[str], lang: str, out_dir: Path
    ) -> list[Path]:
        """All of a note's texts with one backend, within `note_deadline_s`, or TTSError.

        The deadline is checked before each text; each backend bounds its own call (gTTS
        by its deadline_s), so a note takes at most note_deadline_s plus one call.
        """
        started = self._clock()
        paths: list[Path] = []
        for i, text in enumerate(texts):
            if self._clock() - started > self.note_deadline_s:
                raise TTSError(f"{backend.name}: note not done within {self.note_deadline_s:g}s")
            path = out_dir / f"{backend.name}-{i}.audio"
            try:
                backend.synthesize(text, lang, path)
            except TTSError:
                raise
            except Exception as exc:  # a backend bug or OSError still means "no audio"
                raise TTSError(f"{backend.name}: {type(exc).__name__}: {exc}") from exc
            paths.append(path)
        return paths

    def record_failure(self, backend: TTSBackend, error: BaseException) -> None:
        with self._lock:
            first = backend.name not in self._failing
            self._failing.add(backend.name)
            if backend is self.primary and self.fallback is not None:
                self._open_until = self._clock() + self.cooldown_s
        if first:
            if backend is self.primary and self.fallback is not None:
                log.warning(
                    "TTS %s failed (%s); using %s, retrying %s every %gs",
                    backend.name,
                    error,
                    self.fallback.name,
                    backend.name,
                    self.cooldown_s,
                )
            else:
                log.warning("TTS %s failed (%s); voice notes are skipped", backend.name, error)
        else:
            log.debug("TTS %s still failing: %s", backend.name, error)

    def record_success(self, backend: TTSBackend) -> None:
        with self._lock:
            recovered = backend.name in self._failing
            self._failing.discard(backend.name)
            if backend is self.primary:
                self._open_until = float("-inf")
        if recovered:
            log.info("TTS %s works again", backend.name)


def make_tts(
    backend: str,
    *,
    gtts_base_url: str | None = None,
    gtts_tld: str = "com",
    request_timeout_s: float = 5.0,
    deadline_s: float = 15.0,
    cooldown_s: float = 300.0,
) -> FallbackTTS | None:
    """`gtts` (espeak-ng as fallback), `espeak`, or `off` (None: voice disabled)."""
    if backend == "off":
        return None
    if backend == "espeak":
        return FallbackTTS(EspeakBackend())
    if backend == "gtts":
        gtts = GTTSBackend(
            base_url=gtts_base_url,
            tld=gtts_tld,
            request_timeout_s=request_timeout_s,
            deadline_s=deadline_s,
        )
        return FallbackTTS(gtts, EspeakBackend(), cooldown_s=cooldown_s)
    raise ValueError(f"unknown TTS backend {backend!r}; expected one of {BACKEND_NAMES}")
