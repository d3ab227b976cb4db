"""render_all (behind `sideglide render-audio`) and its progress bar."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from bot.voice.guided import GuidedJob, GuidedReps
from bot.voice.prerender import progress_bar, render_all
from bot.voice.service import VoiceService
from bot.voice.tts import EspeakBackend, FallbackTTS, TTSError

STEPS = [
    ("Stand sideways to a wall.", "en"),
    ("Lean that shoulder against the wall.", "en"),
    ("Stellen Sie sich seitlich an eine Wand.", "de"),
    ("Stand sideways to a wall.", "en"),  # the same clip twice: made once
]
GUIDED = GuidedJob(
    "en",
    ("Press your hips toward the wall.",),
    GuidedReps("glide", "hold", ("two",), "release", 2),
)


pytestmark = pytest.mark.usefixtures("need_voice_tools")


class Watching:
    """espeak-ng that records how many syntheses run at the same time."""

    name = "espeak"

    def __init__(self) -> None:
        self.inner = EspeakBackend()
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            self.inner.synthesize(text, lang, out_path)
        finally:
            with self._lock:
                self.running -= 1


def voice_notes(folder: Path) -> list[Path]:
    return list(folder.glob("*.ogg"))


async def test_render_all_makes_everything_once(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    backend = Watching()
    with VoiceService(tmp_path, FallbackTTS(backend)) as voice:
        report = await render_all(voice, STEPS, [GUIDED], lambda d, t: seen.append((d, t)))
        again = await render_all(voice, STEPS, [GUIDED])
    assert (report.total, report.ok, report.failed) == (4, 4, 0)
    assert (report.synthesized, report.cached) == (4, 0)
    assert (again.synthesized, again.cached, again.ok) == (0, 4, 4)
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert backend.most <= 2  # two workers on a 2-core machine
    assert len(voice_notes(tmp_path)) == 4


async def test_render_all_counts_failures(tmp_path: Path) -> None:
    class Dead:
        name = "espeak"

        def synthesize(self, text: str, lang: str, out_path: Path) -> None:
            raise TTSError("no voice")

    with VoiceService(tmp_path, FallbackTTS(Dead())) as voice:
        report = await render_all(voice, STEPS[:2], ())
    assert (report.total, report.ok, report.failed) == (2, 0, 2)


def test_progress_bar_draws_one_line() -> None:
    out = io.StringIO()
    draw = progress_bar(out)
    draw(0, 40)
    draw(12, 40)
    draw(40, 40)
    assert out.getvalue() == (
        "\r[..........] 0/40 clips\r[###.......] 12/40 clips\r[##########] 40/40 clips\n"
    )
