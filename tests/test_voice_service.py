"""VoiceService with real espeak-ng and ffmpeg: cache, sharing, atomic writes, guided sets."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

from bot.voice import service as service_module
from bot.voice.encode import MAX_NOTE_BYTES, EncodeError, probe
from bot.voice.guided import GuidedReps, Say, duration, spoken_texts, timeline
from bot.voice.service import VoiceService
from bot.voice.tts import EspeakBackend, FallbackTTS, TTSError

T = TypeVar("T")

SENTENCE = "Stand with your body sideways to a wall, your feet about a foot and a half from it."
SETUP = [
    "Stand sideways to the wall, the painful side away from it.",
    "Bend the elbow nearest the wall and tuck it into your side.",
]


pytestmark = pytest.mark.usefixtures("need_voice_tools")


class Counting:
    """espeak-ng that counts its calls, optionally slowly (to make requests overlap)."""

    name = "espeak"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.inner = EspeakBackend()
        self.delay_s = delay_s
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        with self._lock:
            self.calls.append(text)
        time.sleep(self.delay_s)
        self.inner.synthesize(text, lang, out_path)


def service(tmp_path: Path, backend: Counting | None = None) -> VoiceService:
    return VoiceService(tmp_path / "cache", FallbackTTS(backend or Counting()))


async def test_clip_is_a_telegram_voice_note(tmp_path: Path) -> None:
    with service(tmp_path) as voice:
        clip = await voice.clip(SENTENCE, "en")
    assert clip is not None
    info = probe(clip.path)
    assert (info.codec, info.channels) == ("opus", 1)
    assert 2.0 < info.duration < 15.0
    assert clip.duration_s == max(1, round(info.duration))
    assert clip.size == clip.path.stat().st_size < MAX_NOTE_BYTES
    digest = hashlib.sha256(SENTENCE.encode()).hexdigest()
    assert clip.key == f"espeak-en-{digest}"
    assert clip.path == tmp_path / "cache" / f"{clip.key}.ogg"


@pytest.mark.parametrize("lang", ["de", "es", "ru"])
async def test_other_languages(lang: str, tmp_path: Path) -> None:
    text = {"de": "Halten Sie zwei bis drei Sekunden.", "es": "Mantenga dos o tres segundos."}
    text["ru"] = "Задержитесь на две-три секунды."
    with service(tmp_path) as voice:
        clip = await voice.clip(text[lang], lang)
    assert clip is not None and clip.key.startswith(f"espeak-{lang}-")
    assert probe(clip.path).duration > 1.0


async def test_second_request_synthesizes_nothing(tmp_path: Path) -> None:
    backend = Counting()
    with service(tmp_path, backend) as voice:
        first = await voice.clip(SENTENCE, "en")
        second = await voice.clip(SENTENCE, "en")
    assert first is not None and second == first
    assert backend.calls == [SENTENCE]
    assert (voice.hits, voice.misses, voice.failures) == (1, 1, 0)


async def test_cache_survives_a_restart(tmp_path: Path) -> None:
    with service(tmp_path) as voice:
        first = await voice.clip(SENTENCE, "en")
    backend = Counting()
    with service(tmp_path, backend) as again:
        second = await again.clip(SENTENCE, "en")
    assert first is not None and second is not None and second.path == first.path
    assert second.duration_s == first.duration_s and backend.calls == []


async def test_key_follows_text_and_language(tmp_path: Path) -> None:
    backend = Counting()
    with service(tmp_path, backend) as voice:
        clips = [
            await voice.clip(SENTENCE, "en"),
            await voice.clip(SENTENCE + " ", "en"),  # the exact text: one space differs
            await voice.clip(SENTENCE, "de"),
        ]
    keys = {c.key for c in clips if c is not None}
    assert len(keys) == 3 and len(backend.calls) == 3


async def test_concurrent_requests_share_one_synthesis(tmp_path: Path) -> None:
    backend = Counting(delay_s=0.3)
    with service(tmp_path, backend) as voice:
        clips = await asyncio.gather(*(voice.clip(SENTENCE, "en") for _ in range(6)))
    assert backend.calls == [SENTENCE]
    assert len({c.path for c in clips if c is not None}) == 1 and None not in clips
    assert (voice.misses, voice.hits) == (1, 5)


class Gated(Counting):
    """espeak-ng that starts only once the event loop has let it go: a synthesis that
    ran on the loop itself would wait for the loop forever (here: until `give_up_s`)."""

    def __init__(self, give_up_s: float = 60.0) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.give_up_s = give_up_s

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        self.entered.set()
        if not self.release.wait(self.give_up_s):
            raise TTSError("the event loop never released the synthesis: it was blocked")
        super().synthesize(text, lang, out_path)


async def test_a_slow_synthesis_does_not_block_the_event_loop(tmp_path: Path) -> None:
    backend = Gated()
    with service(tmp_path, backend) as voice:
        task = asyncio.ensure_future(voice.clip(SENTENCE, "en"))
        assert await asyncio.to_thread(backend.entered.wait, 60), "the synthesis never began"
        # the synthesis is under way in its worker, and the loop still runs this test
        assert not task.done()
        backend.release.set()
        assert await task is not None
    assert backend.calls == [SENTENCE]


class HalfThenCrash:
    """Writes part of a file, then dies: what a crash in the middle looks like."""

    name = "espeak"

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        out_path.write_bytes(b"RIFF\x00\x00")
        raise TTSError("crashed midway")


async def test_failed_synthesis_leaves_no_clip_and_returns_none(tmp_path: Path) -> None:
    with VoiceService(tmp_path / "cache", FallbackTTS(HalfThenCrash())) as voice:
        assert await voice.clip(SENTENCE, "en") is None
    assert list((tmp_path / "cache").iterdir()) == []
    assert (voice.misses, voice.failures) == (1, 1)


async def test_encoder_crash_midway_leaves_no_clip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(src: Path, dst: Path) -> None:
        dst.write_bytes(b"OggS" + bytes(5000))
        raise EncodeError("killed")

    backend = Counting()
    with service(tmp_path, backend) as voice:
        monkeypatch.setattr(service_module, "encode_voice", half_written)
        assert await voice.clip(SENTENCE, "en") is None
        assert list((tmp_path / "cache").iterdir()) == []  # no final file, no temp either
        monkeypatch.undo()
        clip = await voice.clip(SENTENCE, "en")  # a failure is not cached: retried
    assert clip is not None and probe(clip.path).codec == "opus"
    assert len(backend.calls) == 2


async def test_old_temp_files_from_a_crash_are_swept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    old, fresh = cache / ".espeak-en-x.abc.part", cache / ".espeak-en-y.def.part"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    past = time.time() - 7200
    os.utime(old, (past, past))
    VoiceService(cache, "espeak").close()
    assert not old.exists() and fresh.exists()  # fresh: maybe another process writing


def without_suspending(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that must finish in one step, never waiting on the loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coro.close()
    raise AssertionError("it waited for something (a thread, a process, the network)")


async def test_off_returns_none_at_once(tmp_path: Path) -> None:
    with VoiceService(tmp_path / "cache", "off") as voice:
        # "at once": answered without a single wait, so no worker, file or clock is involved
        clip = without_suspending(voice.clip(SENTENCE, "en"))
        reps = GuidedReps("a", "b", ("c",), "d")
        guided = without_suspending(voice.guided_set("en", SETUP, reps))
    assert clip is None and guided is None and not voice.enabled
    assert list((tmp_path / "cache").iterdir()) == []


async def test_empty_text_and_bad_language(tmp_path: Path) -> None:
    backend = Counting()
    with service(tmp_path, backend) as voice:
        assert await voice.clip("   ", "en") is None
        with pytest.raises(ValueError):
            await voice.clip(SENTENCE, "../../etc")
    assert backend.calls == []


def rep_script(reps: int = 10) -> GuidedReps:
    return GuidedReps(
        cue="glide",
        hold="hold",
        counts=("two", "three"),
        release="release",
        reps=reps,
        hold_s=3.0,
        rest_s=2.0,
        outro=("Step away from the wall without shifting your hips.",),
    )


async def test_guided_set_counts_real_holds_and_rests(tmp_path: Path) -> None:
    backend = Counting()
    reps = rep_script(10)
    with service(tmp_path, backend) as voice:
        clip = await voice.guided_set("en", SETUP, reps)
        again = await voice.guided_set("en", SETUP, reps)
    assert clip is not None and again == clip
    assert clip.key.startswith("espeak-en-guided-")
    info = probe(clip.path)
    assert (info.codec, info.channels) == ("opus", 1)
    assert info.duration >= reps.reps * (reps.hold_s + reps.rest_s)
    assert info.duration < 200 and clip.size < MAX_NOTE_BYTES
    assert backend.calls == spoken_texts(SETUP, reps)  # each word once, however often said


async def test_guided_key_covers_every_input(tmp_path: Path) -> None:
    with service(tmp_path) as voice:
        base = await voice.guided_set("en", SETUP, rep_script(2))
        slower = await voice.guided_set(
            "en", SETUP, GuidedReps("glide", "hold", ("two", "three"), "release", 2, 3.0, 4.0)
        )
        fewer = await voice.guided_set("en", SETUP[:1], rep_script(2))
    keys = {c.key for c in (base, slower, fewer) if c is not None}
    assert len(keys) == 3


def test_timeline_puts_counts_on_whole_seconds_and_holds_full_length() -> None:
    reps = rep_script(3)
    lengths = {t: 0.4 for t in spoken_texts(SETUP, reps)}
    lengths["hold"] = 0.6
    segments = timeline(SETUP, reps, lengths)
    starts: dict[str, list[float]] = {}
    now = 0.0
    for seg in segments:
        if isinstance(seg, Say):
            starts.setdefault(seg.text, []).append(now)
            now += lengths[seg.text]
        else:
            now += seg.seconds
    assert now == pytest.approx(duration(segments, lengths))
    for hold, two, three, release in zip(
        starts["hold"], starts["two"], starts["three"], starts["release"], strict=True
    ):
        assert two - hold == pytest.approx(1.0)
        assert three - hold == pytest.approx(2.0)
        assert release - hold == pytest.approx(3.0)
    assert len(starts["glide"]) == 3


def test_timeline_stretches_the_hold_for_slow_words_never_shortens_it() -> None:
    reps = rep_script(1)
    lengths = {t: 1.5 for t in spoken_texts(SETUP, reps)}  # slower than the count
    starts, now = [], 0.0
    for seg in timeline(SETUP, reps, lengths):
        if isinstance(seg, Say) and seg.text in ("hold", "release"):
            starts.append(now)
        now += lengths[seg.text] if isinstance(seg, Say) else seg.seconds
    hold, release = starts
    assert release - hold >= reps.hold_s


def test_guided_reps_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        GuidedReps("glide", "hold", ("two",), "release", reps=-1)
    with pytest.raises(ValueError):
        GuidedReps("glide", "", ("two",), "release")
