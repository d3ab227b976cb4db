"""ffmpeg and ffprobe behind small functions: everything Telegram needs from a voice note.

Telegram shows a voice message (waveform, duration) only for mono OGG/Opus under
about 1 MB, so every note ends up as libopus, 24 kbit/s, application voip, 48 kHz.
Multi-part notes (the guided set) are assembled as raw PCM in Python, because only
sample counts give the exact silences that make a 3 s hold really last 3 s; ffmpeg
then encodes the whole note once.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 48_000
SAMPLE_WIDTH = 2  # s16le
BITRATE_KBPS = 24
MIN_BITRATE_KBPS = 8
# Telegram draws the waveform only below 1 MiB; stay clearly under it.
MAX_NOTE_BYTES = 1_000_000
FFMPEG_TIMEOUT_S = 120.0

_FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y")
_OPUS_OUT = ("-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "libopus", "-application", "voip")
_PCM_IN = ("-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1")


class EncodeError(RuntimeError):
    """ffmpeg/ffprobe failed, is missing, or the note would be too big for Telegram."""


@dataclass(frozen=True)
class ProbeInfo:
    codec: str
    channels: int
    duration: float


@dataclass(frozen=True)
class Silence:
    """A pause of exact length inside a concatenated note."""

    seconds: float


def missing_tools() -> list[str]:
    """The external programs voice needs that are not on PATH (empty when all are)."""
    return [tool for tool in ("ffmpeg", "ffprobe", "espeak-ng") if shutil.which(tool) is None]


def _run(args: Sequence[str], *, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            list(args), input=stdin, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False
        )
    except FileNotFoundError as exc:
        raise EncodeError(f"{args[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise EncodeError(f"{args[0]} took longer than {FFMPEG_TIMEOUT_S:.0f}s") from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EncodeError(f"{args[0]} exit {done.returncode}: {err[-1] if err else '?'}")
    return done.stdout


def _check_size(dst: Path) -> None:
    size = dst.stat().st_size
    if size > MAX_NOTE_BYTES:
        raise EncodeError(f"voice note is {size} bytes, over {MAX_NOTE_BYTES}")


def bitrate_for(duration_s: float) -> int:
    """24 kbit/s unless that would break the size limit (with 10% headroom for VBR)."""
    if duration_s <= 0:
        return BITRATE_KBPS
    fitting = math.floor(MAX_NOTE_BYTES * 8 * 0.9 / duration_s / 1000)
    return max(MIN_BITRATE_KBPS, min(BITRATE_KBPS, fitting))


def encode_voice(src: Path, dst: Path) -> None:
    """Any audio file ffmpeg can read (gTTS MP3, espeak WAV) -> one Telegram voice note.

    The input format is probed from its content, so the name of `src` does not matter.
    `dst` is always written as OGG, whatever its suffix (temp names end in .part).
    """
    _run([*_FFMPEG, "-i", str(src), *_OPUS_OUT, "-b:a", f"{BITRATE_KBPS}k", "-f", "ogg", str(dst)])
    if dst.stat().st_size > MAX_NOTE_BYTES:  # only a very long text gets here
        kbps = bitrate_for(probe(dst).duration)
        _run([*_FFMPEG, "-i", str(src), *_OPUS_OUT, "-b:a", f"{kbps}k", "-f", "ogg", str(dst)])
        _check_size(dst)


def decode_pcm(sources: Sequence[Path], workdir: Path) -> list[bytes]:
    """Decode every source to mono s16le at 48 kHz, in ONE ffmpeg run (one process start)."""
    if not sources:
        return []
    args: list[str] = [*_FFMPEG]
    for src in sources:
        args += ["-i", str(src)]
    outs = [workdir / f"pcm-{i}.raw" for i in range(len(sources))]
    for i, out in enumerate(outs):
        args += ["-map", f"{i}:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE)]
        args += ["-c:a", "pcm_s16le", "-f", "s16le", str(out)]
    _run(args)
    return [out.read_bytes() for out in outs]


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / (SAMPLE_RATE * SAMPLE_WIDTH)


def silence_pcm(seconds: float) -> bytes:
    """Exactly round(seconds * 48000) zero samples."""
    return bytes(SAMPLE_WIDTH * max(0, round(seconds * SAMPLE_RATE)))


def trim_pcm(pcm: bytes, *, threshold: int = 400, keep_s: float = 0.04) -> bytes:
    """Cut the quiet padding TTS engines put around a word, so timed words start on time."""
    samples = memoryview(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH]).cast("h")
    n = len(samples)
    first = 0
    while first < n and abs(samples[first]) < threshold:
        first += 1
    if first == n:
        return pcm  # all quiet: leave it, a word should never be dropped
    last = n - 1
    while last > first and abs(samples[last]) < threshold:
        last -= 1
    keep = round(keep_s * SAMPLE_RATE)
    start, end = max(0, first - keep), min(n, last + 1 + keep)
    return pcm[start * SAMPLE_WIDTH : end * SAMPLE_WIDTH]


def encode_pcm(pcm: bytes, dst: Path) -> None:
    """Mono 48 kHz s16le -> one voice note, the bitrate lowered only if needed for 1 MB."""
    kbps = bitrate_for(pcm_seconds(pcm))
    _run(
        [
            *_FFMPEG,
            *_PCM_IN,
            "-i",
            "pipe:0",
            *_OPUS_OUT,
            "-b:a",
            f"{kbps}k",
            "-f",
            "ogg",
            str(dst),
        ],
        stdin=pcm,
    )
    _check_size(dst)


def concat(parts: Sequence[bytes | Silence], dst: Path) -> float:
    """Decoded clips (see decode_pcm) and exact silences, in order, into one voice note.

    Returns the note's length in seconds, exact to the sample.
    """
    pcm = b"".join(silence_pcm(p.seconds) if isinstance(p, Silence) else p for p in parts)
    encode_pcm(pcm, dst)
    return pcm_seconds(pcm)


def silence(seconds: float, dst: Path) -> None:
    """A voice note of silence, exactly `seconds` long (sample-exact in the Ogg granule)."""
    encode_pcm(silence_pcm(seconds), dst)


def probe(path: Path) -> ProbeInfo:
    """What ffprobe sees: the check that a file really is the voice note we think it is."""
    out = _run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)]
    )
    data = json.loads(out)
    audio = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise EncodeError(f"no audio stream in {path.name}")
    stream = audio[0]
    duration = stream.get("duration") or data.get("format", {}).get("duration") or 0
    return ProbeInfo(
        str(stream.get("codec_name")), int(stream.get("channels", 0)), float(duration)
    )


def ogg_opus_duration(path: Path) -> float:
    """Length of an Ogg/Opus file from its last page's granule: no subprocess, ~10 µs.

    Used on every cache hit, where an ffprobe run (tens of ms) would cost more than
    the hit saves. Raises EncodeError if the file is not Ogg/Opus.
    """
    with path.open("rb") as fh:
        head = fh.read(64)
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65_536))
        tail = fh.read()
    at = head.find(b"OpusHead")
    if not head.startswith(b"OggS") or at < 0:
        raise EncodeError(f"{path.name} is not an Ogg/Opus file")
    pre_skip = int.from_bytes(head[at + 10 : at + 12], "little")
    last = _last_page(tail)
    if last < 0:
        raise EncodeError(f"{path.name} has no complete last Ogg page")
    granule = int.from_bytes(tail[last + 6 : last + 14], "little")
    return max(0, granule - pre_skip) / SAMPLE_RATE


def _last_page(tail: bytes) -> int:
    """Offset of the Ogg page that ends exactly at the end of `tail` (-1 if none).

    Checking that the page's own length reaches EOF rules out "OggS" bytes that
    happen to occur inside compressed audio.
    """
    at = tail.rfind(b"OggS")
    while at >= 0:
        if len(tail) >= at + 27 and tail[at + 4] == 0:
            nseg = tail[at + 26]
            table = tail[at + 27 : at + 27 + nseg]
            if len(table) == nseg and at + 27 + nseg + sum(table) == len(tail):
                return at
        at = tail.rfind(b"OggS", 0, at)
    return -1
