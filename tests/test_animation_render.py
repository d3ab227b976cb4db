"""The real renderer: Blender (bpy, in .venv/render) renders frames of a shipped
animation and a shipped still again, and they match what is shipped. A broken pipeline
(bpy missing or another release, the job format, ffmpeg) fails here, in CI, rather
than the day someone changes a pose.

It needs the render venv that `make test` installs, and fails (does not skip) without
it, as the voice tests do without ffmpeg.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from bot.animation import render
from bot.animation.motions import Motion
from bot.animation.service import MEDIA, Drawing, StepStill
from flows.model import Rung, Side
from tests.test_animation import decode, has_arrow, has_sign

pytestmark = pytest.mark.usefixtures("need_voice_tools")


@pytest.fixture(scope="module")
def python() -> str:
    found = render.renderer_python()
    if found is None:
        pytest.fail("no renderer: `make test` installs bpy into .venv/render")
    return found


@pytest.fixture(scope="module")
def rendered(python: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three frames of the LEFT side glide (rest, gliding, holding) and one still, in
    one Blender process."""
    glide = Drawing(Motion.SIDE_GLIDE, Side.LEFT).target
    frames = copy.deepcopy(glide.job)
    frames["frames"] = [glide.job["frames"][i] for i in FRAMES]
    still = StepStill(Rung.FLEXION_ROTATION, 4, Side.RIGHT).target
    targets = [render.Target("frames.mp4", "loop", frames), still]
    folder = tmp_path_factory.mktemp("rendered")
    paths = render.render(targets, folder, python)
    return {"frames": paths[0], "still": paths[1], "shipped": MEDIA / glide.name}


FRAMES = (0, 14, 40)  # at rest, gliding toward the wall (arrow), holding (pause sign)


def test_the_renderer_draws_what_is_shipped(rendered: dict[str, Path]) -> None:
    again = decode(rendered["frames"])
    shipped = decode(rendered["shipped"])
    assert len(again) == len(FRAMES)
    for frame, i in zip(again, FRAMES, strict=True):
        diff = np.abs(frame - shipped[i])
        assert diff.mean() < 4.0 and (diff.max(axis=2) > 60).mean() < 0.01, i
    assert not has_arrow(again[0]) and has_arrow(again[1]) and has_sign(again[2])


def test_a_still_is_rendered_the_same(rendered: dict[str, Path]) -> None:
    again = decode(rendered["still"])[0]
    still = StepStill(Rung.FLEXION_ROTATION, 4, Side.RIGHT)
    shipped = decode(MEDIA / still.target.name)[0]
    diff = np.abs(again - shipped)
    assert diff.mean() < 4.0
    assert has_arrow(again)


def test_the_renderer_refuses_another_release(
    python: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key names the release it was rendered with: another bpy must not make files
    under this one's keys."""
    monkeypatch.setattr(render, "RENDERER", "4.2.0")
    still = StepStill(Rung.PRESS_UPS, 3).target
    with pytest.raises(render.RenderError, match=r"4\.2\.0"):
        render.render([still], tmp_path, python)
    assert list(tmp_path.glob("*.png")) == []
