"""bot.progress.chart: what is plotted (read from the figure's data) and the PNG it becomes."""

from __future__ import annotations

import os
import signal
import struct
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from bot.progress.chart import (
    BAND_GID,
    PAIN_GID,
    PSFS_GID,
    REACH_GID,
    SETS_GID,
    START_GID,
    WORSE_GID,
    ChartData,
    ChartRenderer,
    Start,
    build_progress_figure,
    chart_labels,
    render_progress_chart,
    rung_bands,
)
from flows.model import Answer, CheckIn, PsfsRating, Reach, Rung, RungChange

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
LABELS = chart_labels()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def history(n: int, step: timedelta = timedelta(hours=3)) -> list[CheckIn]:
    reaches = list(Reach)
    return [
        CheckIn(
            NOW - step * (n - i),
            Rung.SIDE_GLIDE if i < n // 2 else Rung.PRESS_UPS,
            Answer.WORSE if i == 1 else Answer.CENTRALIZING,
            (i * 3) % 11,
            reaches[i % len(reaches)],
        )
        for i in range(n)
    ]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def lines(fig: Figure, gid: str) -> list[Line2D]:
    return [line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == gid]


def patches(fig: Figure, gid: str) -> list[Rectangle]:
    found = [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]
    assert all(isinstance(p, Rectangle) for p in found)
    return [p for p in found if isinstance(p, Rectangle)]


def xdata(line: Line2D) -> list[float]:
    return [float(x) for x in np.asarray(line.get_xdata())]


def ydata(line: Line2D) -> list[float]:
    return [float(y) for y in np.asarray(line.get_ydata())]


def test_seven_check_ins_plot_seven_points_on_each_track() -> None:
    points = history(7, step=timedelta(hours=20))
    fig = build_progress_figure(ChartData(points, [], LABELS, NOW))
    (pain,) = lines(fig, PAIN_GID)
    (reach,) = lines(fig, REACH_GID)
    assert len(xdata(pain)) == 7
    assert ydata(pain) == [c.pain for c in points]
    assert ydata(reach) == [c.reach.rank for c in points]
    (worse,) = lines(fig, WORSE_GID)
    assert len(xdata(worse)) == 1
    # one bar per day with sets, their heights adding up to the sets done
    bars = patches(fig, SETS_GID)
    days = {c.at.date() for c in points}
    assert len(bars) == len(days)
    assert sum(bar.get_height() for bar in bars) == 7


def test_check_ins_are_plotted_in_time_order() -> None:
    points = history(5)
    fig = build_progress_figure(ChartData(list(reversed(points)), [], LABELS, NOW))
    (pain,) = lines(fig, PAIN_GID)
    assert ydata(pain) == [c.pain for c in points]


def test_reach_axis_and_title_use_the_callers_labels() -> None:
    names = {r: f"R-{r.value}" for r in Reach}
    labels = replace(LABELS, title="Mein Fortschritt", reach_names=names)
    fig = build_progress_figure(ChartData(history(3), [], labels, NOW))
    reach_ax = lines(fig, REACH_GID)[0].axes
    assert reach_ax is not None
    ticks = [t.get_text() for t in reach_ax.get_yticklabels()]
    assert ticks == [names[r] for r in Reach]
    assert fig.get_suptitle() == "Mein Fortschritt"


def test_dollar_signs_in_translations_stay_literal() -> None:
    # an unescaped pair of $ would be parsed as (here invalid) mathtext and raise
    labels = replace(LABELS, title=r"Cost $\frac$ and $", pain_axis="$$")
    result = render_progress_chart(ChartData(history(3), [], labels, NOW))
    assert png_size(result.png)[0] >= 800


def test_png_is_valid_and_wide_enough_for_a_phone() -> None:
    result = render_progress_chart(
        ChartData(history(7), [], LABELS, NOW, ZoneInfo("Europe/Berlin"))
    )
    width, height = png_size(result.png)
    assert width >= 800
    assert (width, height) == (result.width_px, result.height_px)
    assert result.points == 7


def test_empty_history_gives_a_friendly_chart() -> None:
    fig = build_progress_figure(ChartData([], [], LABELS, NOW))
    (pain,) = lines(fig, PAIN_GID)
    assert len(xdata(pain)) == 0
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert LABELS.empty_note in texts
    result = render_progress_chart(ChartData([], [], LABELS, NOW))
    assert png_size(result.png)[0] >= 800
    assert result.points == 0


def test_a_thousand_check_ins() -> None:
    points = history(1000, step=timedelta(hours=2))
    fig = build_progress_figure(ChartData(points, [], LABELS, NOW))
    assert len(xdata(lines(fig, PAIN_GID)[0])) == 1000
    assert len(xdata(lines(fig, REACH_GID)[0])) == 1000
    result = render_progress_chart(ChartData(points, [], LABELS, NOW))
    assert png_size(result.png)[0] >= 800
    assert result.points == 1000


def test_rung_bands_follow_the_recorded_changes() -> None:
    points = history(6, step=timedelta(days=1))
    changes = [
        RungChange(points[2].at, Rung.SIDE_GLIDE, Rung.FLEXION_ROTATION, "stall"),
        RungChange(points[4].at, Rung.FLEXION_ROTATION, Rung.PRESS_UPS, "leg gone"),
    ]
    bands = rung_bands(points, changes, NOW)
    assert bands == [
        (points[0].at, points[2].at, Rung.SIDE_GLIDE),
        (points[2].at, points[4].at, Rung.FLEXION_ROTATION),
        (points[4].at, NOW, Rung.PRESS_UPS),
    ]
    fig = build_progress_figure(ChartData(points, changes, LABELS, NOW))
    assert len(patches(fig, BAND_GID)) == 3 * 3  # drawn behind all three tracks
    legend_texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    for rung in (Rung.SIDE_GLIDE, Rung.FLEXION_ROTATION, Rung.PRESS_UPS):
        assert LABELS.rung_names[rung] in legend_texts


def test_rung_bands_fall_back_to_the_check_ins_rung() -> None:
    points = history(4, step=timedelta(days=1))  # side glide twice, then press-ups
    assert rung_bands(points, [], NOW) == [
        (points[0].at, points[2].at, Rung.SIDE_GLIDE),
        (points[2].at, NOW, Rung.PRESS_UPS),
    ]
    assert rung_bands([], [], NOW) == []


def test_renders_in_parallel_threads_do_not_interfere() -> None:
    """No pyplot state: concurrent renders give the same bytes as one alone."""
    jobs = [history(n) for n in (3, 20, 50, 3)]
    alone = [render_progress_chart(ChartData(h, [], LABELS, NOW)).png for h in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(lambda h: render_progress_chart(ChartData(h, [], LABELS, NOW)).png, jobs)
        )
    assert together == alone


@pytest.fixture
async def renderer() -> AsyncIterator[ChartRenderer]:
    r = ChartRenderer()
    yield r
    await r.aclose()


async def test_async_render_in_a_worker_process(renderer: ChartRenderer) -> None:
    points = history(7)
    result = await renderer.render(ChartData(points, [], LABELS, NOW))
    assert result.png == render_progress_chart(ChartData(points, [], LABELS, NOW)).png
    assert result.points == 7


async def test_close_then_render_starts_a_new_worker(renderer: ChartRenderer) -> None:
    await renderer.warm_up()
    renderer.close()
    result = await renderer.render(ChartData(history(2), [], LABELS, NOW))
    assert png_size(result.png)[0] >= 800


async def test_a_dead_worker_is_replaced(renderer: ChartRenderer) -> None:
    await renderer.warm_up()
    pool = renderer._pool
    assert pool is not None
    for pid in list(pool._processes):  # the worker this test started
        os.kill(pid, signal.SIGKILL)
    result = await renderer.render(ChartData(history(2), [], LABELS, NOW))
    assert result.points == 2
    assert renderer._pool is not pool


@pytest.mark.parametrize(
    "span",
    [timedelta(hours=h) for h in (0, 1, 24, 84, 16 * 24, 75 * 24, 400 * 24, 1100 * 24)],
    ids=lambda s: f"{s.total_seconds() / 3600:g}h",
)
def test_any_time_span_gets_date_ticks_without_warnings(span: timedelta) -> None:
    points = history(10, step=span / 10)
    fig = build_progress_figure(ChartData(points, [], LABELS, NOW))
    fig.canvas.draw()  # tick locators run here; pytest turns their warnings into errors
    sets_ax = patches(fig, SETS_GID)[0].axes
    assert sets_ax is not None
    ticks = [t.get_text() for t in sets_ax.get_xticklabels() if t.get_text()]
    assert 2 <= len(ticks) <= 12


def test_a_first_day_is_drawn_one_step_per_check_in_from_the_starting_point() -> None:
    start = Start(NOW - timedelta(hours=7), 7, Reach.CALF)
    points = history(3, step=timedelta(hours=2))  # three sets in one afternoon
    fig = build_progress_figure(ChartData(points, [], LABELS, NOW, start=start))
    (pain,) = lines(fig, PAIN_GID)
    assert xdata(pain) == [1.0, 2.0, 3.0]  # side by side, not on one vertical line
    pain_start, reach_start = lines(fig, START_GID)
    assert (xdata(pain_start), ydata(pain_start)) == ([0.0], [7.0])
    assert ydata(reach_start) == [float(Reach.CALF.rank)]
    ticks = [label.get_text() for label in fig.axes[-1].get_xticklabels()]
    assert ticks == ["Start", *(f"{c.at:%H:%M}" for c in points)]
    (bar,) = patches(fig, SETS_GID)
    assert bar.get_height() == 3


def test_a_longer_history_is_drawn_by_date_with_the_starting_point_first() -> None:
    points = history(12, step=timedelta(hours=12))  # six days
    start = Start(points[0].at - timedelta(hours=1), 5, Reach.THIGH)
    fig = build_progress_figure(ChartData(points, [], LABELS, NOW, start=start))
    (pain,) = lines(fig, PAIN_GID)
    xs = xdata(pain)
    assert xs == sorted(xs) and xs[0] > 1000  # matplotlib date numbers, not steps
    (pain_start, _) = lines(fig, START_GID)
    assert xdata(pain_start)[0] < xs[0]
    assert len(patches(fig, SETS_GID)) >= 6  # a bar per day


def test_check_ins_in_the_same_second_still_get_a_step_each() -> None:
    """The console (or a fast user) can store two check-ins within one second."""
    same = [CheckIn(NOW, Rung.SIDE_GLIDE, Answer.CENTRALIZING, p, Reach.BUTTOCK) for p in (5, 4)]
    start = Start(NOW, 6, Reach.THIGH)
    fig = build_progress_figure(ChartData(same, [], LABELS, NOW, start=start))
    (pain,) = lines(fig, PAIN_GID)
    assert xdata(pain) == [1.0, 2.0] and ydata(pain) == [5.0, 4.0]
    pain_start, _ = lines(fig, START_GID)
    assert xdata(pain_start) == [0.0]
    assert len(patches(fig, BAND_GID)) >= 3 * 3  # a band per step, on each of the 3 axes


def test_the_activity_ratings_are_listed_and_the_plots_keep_their_width() -> None:
    """PSFS: first rating to latest per activity, in a panel that never squeezes the plots
    (its long title once narrowed them to a third of the page)."""
    rated = [
        PsfsRating(NOW - timedelta(days=8), "walk", 3),
        PsfsRating(NOW - timedelta(days=8), "sit", 5),
        PsfsRating(NOW - timedelta(days=1), "walk", 6),
    ]
    labels = replace(LABELS, psfs_title="A long translated title, longer than the page. " * 4)
    plain = build_progress_figure(ChartData(history(6), [], labels, NOW))
    with_psfs = build_progress_figure(ChartData(history(6), [], labels, NOW, psfs=rated))
    texts = [t.get_text() for ax in with_psfs.axes for t in ax.texts if t.get_gid() == PSFS_GID]
    assert len(texts) == 1
    assert "Walking: 3 → 6" in texts[0] and "Sitting: 5" in texts[0]
    assert not [t for ax in plain.axes for t in ax.texts if t.get_gid() == PSFS_GID]
    for fig in (plain, with_psfs):
        fig.canvas.draw()  # the layout is computed on draw
    width = plain.axes[0].get_position().width
    assert with_psfs.axes[0].get_position().width >= 0.95 * width
