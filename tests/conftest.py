"""Shared test set-up."""

from __future__ import annotations

import os

import pytest

# PTB 22 warns on every RetryAfter / duration unless it may return timedeltas;
# with filterwarnings=error that warning would replace the real exception.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# charts and the health server must never reach for a display or a real port
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def need_voice_tools() -> None:
    """Voice tests fail (not skip) without the tools: `make test` installs them, so a
    missing one is a broken install step, not something this machine cannot have."""
    from bot.voice.encode import missing_tools  # after the environment above is set

    missing = ", ".join(missing_tools())
    if missing:
        pytest.fail(f"voice tests need {missing} on PATH (apt install ffmpeg espeak-ng)")
