"""ffmpeg/ffprobe for real: the files are what Telegram needs (opus, mono, right length)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.voice.encode import (
    MAX_NOTE_BYTES,
    SAMPLE_RATE,
    EncodeError,
    Silence,
    bitrate_for,
    concat,
    decode_pcm,
    encode_voice,
    ogg_opus_duration,
    pcm_seconds,
    probe,
    silence,
    silence_pcm,
    trim_pcm,
)
from bot.voice.tts import EspeakBackend

SENTENCE = "Slowly press your hips toward the wall, so that they glide under your rib cage."


pytestmark = pytest.mark.usefixtures("need_voice_tools")


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    out = tmp_path / "sentence.wav"
    EspeakBackend().synthesize(SENTENCE, "en", out)
    return out


def test_encode_voice_makes_mono_opus_of_the_spoken_length(wav: Path, tmp_path: Path) -> None:
    dst = tmp_path / "note.part"  # the name does not decide the format: -f ogg does
    encode_voice(wav, dst)
    info = probe(dst)
    assert (info.codec, info.channels) == ("opus", 1)
    assert 2.0 < info.duration < 15.0
    assert dst.stat().st_size < 60_000  # ~5 s at 24 kbit/s
    assert ogg_opus_duration(dst) == pytest.approx(info.duration, abs=0.02)


def test_silence_has_the_exact_length(tmp_path: Path) -> None:
    dst = tmp_path / "quiet.ogg"
    silence(2.345, dst)
    assert ogg_opus_duration(dst) == pytest.approx(2.345, abs=0.001)
    assert probe(dst).duration == pytest.approx(2.345, abs=0.02)
    assert len(silence_pcm(1.5)) == 2 * round(1.5 * SAMPLE_RATE)


def test_concat_adds_clips_and_silences_to_the_sample(wav: Path, tmp_path: Path) -> None:
    [pcm] = decode_pcm([wav], tmp_path)
    dst = tmp_path / "joined.ogg"
    seconds = concat([pcm, Silence(1.25), pcm, Silence(0.5)], dst)
    assert seconds == pytest.approx(2 * pcm_seconds(pcm) + 1.75, abs=1e-4)
    info = probe(dst)
    assert (info.codec, info.channels) == ("opus", 1)
    assert info.duration == pytest.approx(seconds, abs=0.03)


def test_decode_pcm_reads_many_sources_in_one_run(wav: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.wav"
    EspeakBackend().synthesize("Hold.", "en", other)
    long, short = decode_pcm([wav, other], tmp_path)
    assert pcm_seconds(long) > pcm_seconds(short) > 0.1


def test_trim_cuts_padding_but_keeps_the_word(wav: Path, tmp_path: Path) -> None:
    [pcm] = decode_pcm([wav], tmp_path)
    padded = silence_pcm(1.0) + pcm + silence_pcm(1.0)
    trimmed = trim_pcm(padded)
    assert pcm_seconds(trimmed) <= pcm_seconds(pcm) + 0.1
    assert pcm_seconds(trimmed) > pcm_seconds(pcm) - 1.0
    assert trim_pcm(silence_pcm(0.5)) == silence_pcm(0.5)  # nothing loud: never emptied


def test_bitrate_drops_only_when_a_note_would_pass_1_mb() -> None:
    assert bitrate_for(165.0) == 24
    long = bitrate_for(600.0)
    assert long < 24
    assert long * 1000 / 8 * 600 < MAX_NOTE_BYTES


def test_not_audio_is_an_encode_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"this is not audio" * 10)
    with pytest.raises(EncodeError):
        encode_voice(junk, tmp_path / "out.ogg")
    with pytest.raises(EncodeError):
        ogg_opus_duration(junk)
