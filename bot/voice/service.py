"""The voice notes the bot sends: synthesized once, cached on disk, made off the event loop.

The Telegram adapter asks for a clip by (text, language) and gets a finished OGG/Opus
file with its duration, or None when voice is off or no backend could speak; it then
keeps Telegram's file_id by `Clip.key`. Voice is an extra: nothing here raises on a TTS
or encoding failure.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.voice.cache import Clip, ClipCache, make_key, normalize_lang
from bot.voice.encode import (
    EncodeError,
    Silence,
    concat,
    decode_pcm,
    encode_voice,
    pcm_seconds,
    trim_pcm,
)
from bot.voice.guided import GuidedReps, fingerprint, spoken_texts, timeline
from bot.voice.tts import FallbackTTS, TTSError, make_tts

log = logging.getLogger(__name__)

# (synthesized audio files in text order, destination, scratch dir) -> writes the note
Builder = Callable[[list[Path], Path, Path], None]


@dataclass(frozen=True)
class _Note:
    """One voice note to make: what is spoken, and how the parts become one file."""

    lang: str
    kind: str
    payload: str  # everything that determines the audio; hashed into the key
    texts: tuple[str, ...]
    build: Builder

    def key(self, backend: str) -> str:
        return make_key(backend, self.lang, self.payload, kind=self.kind)


@dataclass(frozen=True)
class _Outcome:
    clip: Clip | None
    synthesized: bool
    fell_back: bool


def _build_clip(paths: list[Path], dst: Path, _work: Path) -> None:
    encode_voice(paths[0], dst)


def _guided_builder(setup_texts: Sequence[str], reps: GuidedReps) -> Builder:
    def build(paths: list[Path], dst: Path, work: Path) -> None:
        texts = spoken_texts(setup_texts, reps)
        audio = {t: trim_pcm(pcm) for t, pcm in zip(texts, decode_pcm(paths, work), strict=True)}
        lengths = {t: pcm_seconds(pcm) for t, pcm in audio.items()}
        segments = timeline(setup_texts, reps, lengths)
        concat([s if isinstance(s, Silence) else audio[s.text] for s in segments], dst)

    return build


class VoiceService:
    """Voice notes by (text, language), cached under `cache_dir`.

    backend: `gtts` (espeak-ng as fallback), `espeak`, `off`, or a ready FallbackTTS.
    workers: syntheses/encodes running at once (ffmpeg is CPU-bound; 2 cores here).

    Counters for metrics, only ever increasing:
      hits      requests answered without synthesizing (disk cache, or sharing a
                synthesis another request already started)
      misses    notes synthesized (one per key, however many requests wanted it)
      failures  notes no backend could make (the request got None)
      fallbacks notes spoken by the fallback because the primary failed or was resting
    Call close() (or use `with`) to stop the worker threads.
    """

    def __init__(
        self,
        cache_dir: Path,
        backend: str | FallbackTTS | None = "espeak",
        *,
        workers: int = 2,
        gtts_base_url: str | None = None,
        cooldown_s: float = 300.0,
    ) -> None:
        self.cache = ClipCache(cache_dir)
        self.cache.sweep()
        if isinstance(backend, str):
            self.tts = make_tts(backend, gtts_base_url=gtts_base_url, cooldown_s=cooldown_s)
        else:
            self.tts = backend
        self.hits = 0
        self.misses = 0
        self.failures = 0
        self.fallbacks = 0
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voice")
        self._inflight: dict[str, asyncio.Future[Clip | None]] = {}

    @property
    def enabled(self) -> bool:
        return self.tts is not None

    @property
    def backend_name(self) -> str:
        return "off" if self.tts is None else self.tts.name

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def __enter__(self) -> VoiceService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def clip(self, text: str, lang: str, *, make: bool = True) -> Clip | None:
        """The voice note for one instruction. Raises only ValueError for a bad `lang`.

        make=False only looks in the cache: a reply must never wait for speech.
        """
        lang = normalize_lang(lang)
        if self.tts is None or not text.strip():
            return None
        return await self._get(_Note(lang, "", text, (text,), _build_clip), make)

    async def guided_set(
        self, lang: str, setup_texts: list[str], rep_script: GuidedReps, *, make: bool = True
    ) -> Clip | None:
        """One note: the set-up steps, then `rep_script.reps` timed repetitions."""
        lang = normalize_lang(lang)
        if self.tts is None:
            return None
        setup = [t for t in setup_texts if t.strip()]
        note = _Note(
            lang,
            "guided",
            fingerprint(setup, rep_script),
            tuple(spoken_texts(setup, rep_script)),
            _guided_builder(setup, rep_script),
        )
        return await self._get(note, make)

    def _cached(self, note: _Note) -> Clip | None:
        """The note by the best backend available now. An espeak-ng clip made during a
        gTTS outage is not served once gTTS is back: the better voice is made instead."""
        assert self.tts is not None
        return self.cache.get(note.key(self.tts.candidates()[0].name))

    async def _get(self, note: _Note, make: bool = True) -> Clip | None:
        found = self._cached(note)
        if found is not None:
            self.hits += 1
            return found
        if not make:
            return None
        assert self.tts is not None
        flight = note.key(self.tts.name)
        running = self._inflight.get(flight)
        if running is not None:
            shared = await asyncio.shield(running)
            if shared is not None:
                self.hits += 1
            return shared
        task = asyncio.ensure_future(self._render(note))
        self._inflight[flight] = task

        def forget(done: asyncio.Future[Clip | None]) -> None:
            if self._inflight.get(flight) is done:
                del self._inflight[flight]

        task.add_done_callback(forget)
        return await asyncio.shield(task)

    async def _render(self, note: _Note) -> Clip | None:
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self._executor, self._make, note)
        except Exception:  # a bug must not take a conversation down with it
            log.exception("voice note could not be made")
            self.misses += 1
            self.failures += 1
            return None
        if outcome.synthesized:
            self.misses += 1
        else:
            self.hits += 1
        if outcome.clip is None:
            self.failures += 1
        elif outcome.fell_back:
            self.fallbacks += 1
        return outcome.clip

    def _make(self, note: _Note) -> _Outcome:
        """In a worker thread: the best available backend, whole note, atomically cached."""
        assert self.tts is not None
        primary = self.tts.primary
        for backend in self.tts.candidates():
            key = note.key(backend.name)
            found = self.cache.get(key)  # made meanwhile by another process?
            if found is not None:
                return _Outcome(found, synthesized=False, fell_back=backend is not primary)
            try:
                with tempfile.TemporaryDirectory(prefix="sideglide-voice-") as scratch:
                    work = Path(scratch)
                    parts = self.tts.synthesize_note(backend, note.texts, note.lang, work)
                    with self.cache.writing(key) as tmp:
                        note.build(parts, tmp, work)
            except (TTSError, EncodeError, OSError) as exc:
                self.tts.record_failure(backend, exc)
                continue
            self.tts.record_success(backend)
            log.debug("voice note made: %s", key)
            made = self.cache.get(key)
            return _Outcome(made, synthesized=True, fell_back=backend is not primary)
        return _Outcome(None, synthesized=True, fell_back=False)
