"""The house rules a linter checks, held by the suite so CI holds them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_function_in_bot_or_flows_is_above_complexity_10() -> None:
    """A function past ten branches is split by what it does (ruff's C901, max 10)."""
    ruff = Path(sys.executable).parent / "ruff"
    found = subprocess.run(
        [str(ruff), "check", "--select", "C901", "--output-format", "concise", "bot", "flows"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stdout
