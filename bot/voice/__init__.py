"""Voice notes: text -> speech (gTTS, espeak-ng) -> OGG/Opus, cached on disk.

Imports nothing from telegram; the Telegram adapter keeps file_ids by `Clip.key`.
"""

from bot.voice.cache import Clip
from bot.voice.encode import ProbeInfo, probe
from bot.voice.guided import GuidedReps
from bot.voice.prerender import GuidedJob, RenderReport, progress_bar, render_all
from bot.voice.service import VoiceService
from bot.voice.tts import (
    BACKEND_NAMES,
    EspeakBackend,
    FallbackTTS,
    GTTSBackend,
    TTSBackend,
    TTSError,
    make_tts,
)

__all__ = [
    "BACKEND_NAMES",
    "Clip",
    "EspeakBackend",
    "FallbackTTS",
    "GTTSBackend",
    "GuidedJob",
    "GuidedReps",
    "ProbeInfo",
    "RenderReport",
    "TTSBackend",
    "TTSError",
    "VoiceService",
    "make_tts",
    "probe",
    "progress_bar",
    "render_all",
]
