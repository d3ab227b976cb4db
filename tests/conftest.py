"""Shared test set-up."""

from __future__ import annotations

import os

# PTB 22 warns on every RetryAfter / duration unless it may return timedeltas;
# with filterwarnings=error that warning would replace the real exception.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# charts and the health server must never reach for a display or a real port
os.environ.setdefault("MPLBACKEND", "Agg")
