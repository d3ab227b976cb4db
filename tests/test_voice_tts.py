"""espeak-ng for real, and the circuit breaker's rules with a fake clock."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.voice.encode import encode_voice, probe
from bot.voice.tts import (
    EspeakBackend,
    FallbackTTS,
    GTTSBackend,
    TTSError,
    make_tts,
)
from tests.conftest import Clock

LINES = {
    "en": "Put your other hand on the hip that is farthest from the wall.",
    "de": "Legen Sie die andere Hand auf die Hüfte, die am weitesten von der Wand entfernt ist.",
    "es": "Ponga la otra mano sobre la cadera que está más lejos de la pared.",
    "ru": "Положите другую руку на бедро, которое дальше всего от стены.",
}


pytestmark = pytest.mark.usefixtures("need_voice_tools")


@pytest.mark.parametrize("lang", sorted(LINES))
def test_espeak_speaks_each_language(lang: str, tmp_path: Path) -> None:
    wav, ogg = tmp_path / "a.wav", tmp_path / "a.ogg"
    EspeakBackend().synthesize(LINES[lang], lang, wav)
    encode_voice(wav, ogg)
    info = probe(ogg)
    assert (info.codec, info.channels) == ("opus", 1)
    assert 2.0 < info.duration < 15.0


def test_espeak_voice_map_and_fallback() -> None:
    voice = EspeakBackend.voice_for
    assert [voice(x) for x in ("en", "en-GB", "de", "es", "ru")] == [
        "en-us",
        "en-us",
        "de",
        "es",
        "ru",
    ]
    assert voice("fr") == "en-us"  # unmapped: never a voice that might need MBROLA


def test_espeak_reads_text_from_stdin_even_with_a_leading_dash(tmp_path: Path) -> None:
    out = tmp_path / "dash.wav"
    EspeakBackend().synthesize("--help me stand up straight", "en", out)
    assert out.stat().st_size > 10_000  # spoken, not espeak's usage text or an error


def test_espeak_missing_binary_is_a_tts_error(tmp_path: Path) -> None:
    with pytest.raises(TTSError, match="not installed"):
        EspeakBackend(binary="no-such-espeak").synthesize("hi", "en", tmp_path / "x.wav")


class Broken:
    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        self.calls += 1
        raise TTSError("down")


class Fine:
    name = "fine"

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        out_path.write_bytes(b"audio")


def test_breaker_rests_the_primary_for_the_cooldown(caplog: pytest.LogCaptureFixture) -> None:
    primary, fallback, clock = Broken(), Fine(), Clock()
    tts = FallbackTTS(primary, fallback, cooldown_s=60, clock=lambda: clock().timestamp())
    assert tts.candidates() == [primary, fallback]
    caplog.set_level(logging.DEBUG, logger="bot.voice.tts")
    for _ in range(5):  # five notes fail on the primary during one outage
        tts.record_failure(primary, TTSError("down"))
        assert tts.candidates() == [fallback]
        clock.advance(timedelta(seconds=61))
        assert tts.candidates() == [primary, fallback]  # half-open: try it again
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "broken" in warnings[0].getMessage() and "fine" in warnings[0].getMessage()
    tts.record_success(primary)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "TTS broken works again"
    ]
    tts.record_failure(primary, TTSError("down again"))  # a new outage is logged again
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 2


def test_single_backend_is_always_tried() -> None:
    only = Broken()
    tts = FallbackTTS(only)
    tts.record_failure(only, TTSError("down"))
    assert tts.candidates() == [only]  # resting the last resort would mean no voice at all


def test_note_is_synthesized_by_one_backend_or_raises(tmp_path: Path) -> None:
    tts = FallbackTTS(Broken(), Fine())
    paths = tts.synthesize_note(Fine(), ["one", "two"], "en", tmp_path)
    assert [p.read_bytes() for p in paths] == [b"audio", b"audio"]
    with pytest.raises(TTSError):
        tts.synthesize_note(tts.primary, ["one", "two"], "en", tmp_path)


def test_note_deadline_stops_a_slow_backend(tmp_path: Path) -> None:
    clock = Clock()

    class Slow:
        name = "slow"

        def synthesize(self, text: str, lang: str, out_path: Path) -> None:
            clock.advance(timedelta(seconds=10))
            out_path.write_bytes(b"audio")

    tts = FallbackTTS(Slow(), Fine(), note_deadline_s=25, clock=lambda: clock().timestamp())
    with pytest.raises(TTSError, match="within 25s"):
        tts.synthesize_note(tts.primary, ["a", "b", "c", "d", "e"], "en", tmp_path)


def test_non_tts_exceptions_become_tts_errors(tmp_path: Path) -> None:
    class Buggy:
        name = "buggy"

        def synthesize(self, text: str, lang: str, out_path: Path) -> None:
            raise OSError("disk full")

    tts = FallbackTTS(Buggy())
    with pytest.raises(TTSError, match="disk full"):
        tts.synthesize_note(tts.primary, ["a"], "en", tmp_path)


def test_make_tts_by_name() -> None:
    assert make_tts("off") is None
    espeak = make_tts("espeak")
    assert espeak is not None and espeak.name == "espeak" and espeak.fallback is None
    gtts = make_tts("gtts", gtts_base_url="http://127.0.0.1:9", cooldown_s=5)
    assert gtts is not None and isinstance(gtts.primary, GTTSBackend)
    assert isinstance(gtts.fallback, EspeakBackend) and gtts.cooldown_s == 5
    with pytest.raises(ValueError, match="gtts"):
        make_tts("google")
