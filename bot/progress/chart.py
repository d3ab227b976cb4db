"""The /progress chart: pain, where it reaches and sets per day, on the ladder's rungs.

Built with matplotlib's object-oriented API (a `Figure` and an Agg canvas, no
pyplot state), so renders are independent of each other. Rendering holds the
GIL for most of its ~0.1-0.5 s, which would stall every user's updates if it
ran on the event loop or in a thread; `ChartRenderer` runs it in a separate
process instead (see bench/bench_charts.py for the measured stall).

Every user-visible string comes in through `ChartLabels`, already translated.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import signal
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import (
    AutoDateLocator,
    ConciseDateFormatter,
    DateFormatter,
    DayLocator,
    date2num,
)
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from flows.catalogue import EXERCISES
from flows.i18n import N_
from flows.model import Answer, CheckIn, PsfsRating, Reach, Rung, RungChange
from flows.psfs import ACTIVITIES
from flows.texts import REACH_LABELS

WIDTH_PX = 1000
HEIGHT_PX = 1200
DPI = 100

# gids of the plotted artists, so tests and callers can read the data back
PAIN_GID = "pain"
REACH_GID = "reach"
WORSE_GID = "worse"
SETS_GID = "sets"
BAND_GID = "rung"
START_GID = "start"
PSFS_GID = "psfs"

RUNG_COLOURS: Mapping[Rung, str] = {
    Rung.PRESS_UPS: "#d6e6f5",
    Rung.HIPS_OFF_CENTRE: "#dcf0d5",
    Rung.SIDE_GLIDE: "#fbeec4",
    Rung.FLEXION_ROTATION: "#eadcf2",
    Rung.SEE_PT: "#e6e6e6",
}
PAIN_COLOUR = "#c0392b"
REACH_COLOUR = "#1f5f99"
SETS_COLOUR = "#5d6d7e"

# numeric dates read the same in every language (month names would come from
# the C locale, i.e. English)
_DATE_FORMATS = ["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"]
_ZERO_FORMATS = ["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"]
_OFFSET_FORMATS = ["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]

T_TITLE = N_("Your progress")
T_TITLE_FOR = N_("{name}: progress")
T_PAIN = N_("Pain (0-10)")
T_REACH = N_("Pain reaches")
T_SETS = N_("Sets per day")
T_TIME = N_("Date")
T_WORSE = N_("Worse / spreading")
T_EMPTY = N_("No check-ins yet.\nAfter your first set, your progress shows up here.")
T_SEE_PT = N_("See a physical therapist")
T_START = N_("Start")
T_CHECKINS = N_("Check-ins")
T_PSFS = N_("Everyday activities (0 = unable, 10 = as before): first rating → latest")


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every string the chart shows, translated by the caller."""

    title: str
    pain_axis: str
    reach_axis: str
    sets_axis: str
    time_axis: str
    worse: str
    empty_note: str
    reach_names: Mapping[Reach, str]
    rung_names: Mapping[Rung, str]
    start: str = "Start"  # the starting point's tick
    checkins_axis: str = "Check-ins"  # the x axis of a short history, one step per check-in
    psfs_title: str = "Activities"
    activity_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChartData:
    """What one chart is drawn from: one value, so the sync, worker and async entry
    points cannot drift apart in what they take."""

    history: Sequence[CheckIn]
    changes: Sequence[RungChange]
    labels: ChartLabels
    now: datetime
    tz: tzinfo = UTC
    start: Start | None = None  # the starting point saved at onboarding
    psfs: Sequence[PsfsRating] = ()  # the activities' ratings, drawn as a row of text


@dataclass(frozen=True, slots=True)
class Start:
    """Where the pain was before the first set: drawn as the first point."""

    at: datetime
    pain: int
    reach: Reach


# a history this short is drawn one step per check-in: by time, a day's sets would
# stand on one vertical line
SHORT_SPAN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ChartResult:
    png: bytes
    width_px: int
    height_px: int
    points: int  # check-ins plotted


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def chart_labels(translate: Callable[[str], str] = str) -> ChartLabels:
    """The chart's labels in one language, from the msgids (`translate` is a gettext)."""
    rung_names = {rung: sentence_case(translate(ex.name)) for rung, ex in EXERCISES.items()}
    rung_names.setdefault(Rung.SEE_PT, translate(T_SEE_PT))
    return ChartLabels(
        title=translate(T_TITLE),
        pain_axis=translate(T_PAIN),
        reach_axis=translate(T_REACH),
        sets_axis=translate(T_SETS),
        time_axis=translate(T_TIME),
        worse=translate(T_WORSE),
        empty_note=translate(T_EMPTY),
        reach_names={reach: translate(msgid) for reach, msgid in REACH_LABELS.items()},
        rung_names=rung_names,
        start=translate(T_START),
        checkins_axis=translate(T_CHECKINS),
        psfs_title=translate(T_PSFS),
        activity_names={key: translate(label) for key, label in ACTIVITIES.items()},
    )


def psfs_lines(ratings: Sequence[PsfsRating], names: Mapping[str, str]) -> list[str]:
    """One line per activity, first rating to latest ("Walking: 3 → 6"): the change a PT
    reads from the scale."""
    by_activity: dict[str, list[PsfsRating]] = {}
    for r in sorted(ratings, key=lambda r: r.at):
        by_activity.setdefault(r.activity, []).append(r)
    lines = []
    for activity, rated in by_activity.items():
        name = names.get(activity, activity)
        first, last = rated[0].score, rated[-1].score
        lines.append(f"{name}: {first}" if len(rated) == 1 else f"{name}: {first} → {last}")
    return lines


def _plain(text: str) -> str:
    """Keep translated text literal: matplotlib reads a pair of `$` as mathtext."""
    return text.replace("$", r"\$")


def rung_bands(
    history: Sequence[CheckIn], changes: Sequence[RungChange], end: datetime
) -> list[tuple[datetime, datetime, Rung]]:
    """(start, end, rung) spans: from the recorded changes, else from the check-ins' rung."""
    bands: list[tuple[datetime, datetime, Rung]] = []
    starts: list[tuple[datetime, Rung]] = []
    ordered_changes = sorted(changes, key=lambda c: c.at)
    checkins = sorted(history, key=lambda c: c.at)
    if ordered_changes:
        first = ordered_changes[0]
        before = first.from_rung
        if before is None and checkins and checkins[0].at < first.at:
            before = checkins[0].rung
        if before is not None and checkins and checkins[0].at < first.at:
            starts.append((checkins[0].at, before))
        starts.extend((c.at, c.to_rung) for c in ordered_changes)
    else:
        for c in checkins:
            if not starts or starts[-1][1] != c.rung:
                starts.append((c.at, c.rung))
    for i, (start, rung) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else max(end, start)
        if stop > start or i + 1 == len(starts):
            bands.append((start, stop, rung))
    return bands


def _x(at: datetime) -> float:
    """matplotlib's date number (days since its epoch), with a type mypy can check."""
    return float(date2num(at))  # type: ignore[no-untyped-call]


def _marker_size(n: int) -> float:
    if n <= 60:
        return 9.0
    if n <= 250:
        return 5.0
    return 2.5


def _style_axis(ax: Axes, ylabel: str) -> None:
    ax.set_ylabel(_plain(ylabel), fontsize=18)
    ax.tick_params(labelsize=15)
    ax.grid(axis="y", color="#cccccc", linewidth=0.8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


@dataclass(frozen=True, slots=True)
class _Panels:
    """The three plots that share the x axis, top to bottom."""

    pain: Axes
    reach: Axes
    sets: Axes

    @property
    def all(self) -> tuple[Axes, Axes, Axes]:
        return (self.pain, self.reach, self.sets)


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Where each check-in stands on the x axis: by date, or one step per check-in when
    the history is short (`by_checkin`), the starting point first."""

    points: list[CheckIn]  # in time order
    start: Start | None  # the starting point, never after the first check-in
    times: list[datetime]  # the starting point's and every check-in's
    by_checkin: bool
    xs: list[float]  # each point's x
    by_id: Mapping[int, float]  # a point's x by the check-in's id()

    def x_of(self, checkin: CheckIn) -> float:
        return self.by_id[id(checkin)]


def _timeline(data: ChartData) -> _Timeline:
    points = sorted(data.history, key=lambda c: c.at)
    start = data.start
    if start is not None and points and start.at > points[0].at:
        start = replace(start, at=points[0].at - timedelta(minutes=1))
    times = [*([start.at] if start else []), *(c.at for c in points)]
    by_checkin = bool(points) and times[-1] - times[0] < SHORT_SPAN
    offset = 1 if start is not None else 0
    # by check-in, each point has its own step even when two share a second
    xs = (
        [float(offset + i) for i in range(len(points))]
        if by_checkin
        else [_x(c.at) for c in points]
    )
    by_id = {id(c): x for c, x in zip(points, xs, strict=True)}
    return _Timeline(points, start, times, by_checkin, xs, by_id)


def _panels(fig: Figure, labels: ChartLabels, rated: Sequence[str]) -> _Panels:
    """The title, the three plots, and the activities' ratings as a row of text below."""
    fig.suptitle(_plain(labels.title), fontsize=26, fontweight="bold")
    rows = (4, 4, 2, 0.6 + 0.35 * len(rated)) if rated else (4, 4, 2)
    grid = fig.add_gridspec(len(rows), 1, height_ratios=rows)
    ax_pain = fig.add_subplot(grid[0])
    panels = _Panels(
        ax_pain,
        fig.add_subplot(grid[1], sharex=ax_pain),
        fig.add_subplot(grid[2], sharex=ax_pain),
    )
    if rated:
        ax_psfs = fig.add_subplot(grid[3])
        ax_psfs.axis("off")
        note = ax_psfs.text(
            0.0,
            1.0,
            _plain("\n".join([labels.psfs_title, *rated])),
            transform=ax_psfs.transAxes,
            ha="left",
            va="top",
            fontsize=17,
            gid=PSFS_GID,
            wrap=True,  # a long title wraps at the figure's edge
        )
        note.set_in_layout(False)  # the plots above keep their width
    return panels


def _x_range(ax: Axes, line: _Timeline, data: ChartData) -> datetime:
    """The x axis's limits; returns where the last rung's band ends (by date)."""
    first_seen = [*line.times[:1], *(c.at for c in data.changes)]
    start = min(first_seen) if first_seen else data.now - timedelta(days=7)
    end = max([data.now, *line.times[-1:]])
    if line.by_checkin:
        ax.set_xlim(-0.6, len(line.times) - 0.4)
        return line.times[-1]
    pad = max((end - start) * 0.03, timedelta(hours=12))
    ax.set_xlim(_x(start - pad), _x(end + pad))
    return end + pad


def _bands(
    panels: _Panels, line: _Timeline, data: ChartData, end: datetime
) -> dict[str, Patch | Line2D]:
    """Each rung's span in its colour behind every plot; the legend's entries for them."""
    changes, points = data.changes, line.points
    legend: dict[str, Patch | Line2D] = {}
    if line.by_checkin:  # each check-in's band spans its own step, the start the first one's
        first = changes[0].to_rung if changes else (points[0].rung if points else None)
        spans = [(0.0, first)] if line.start is not None and first is not None else []
        spans += [(line.x_of(c), c.rung) for c in points]
        bands = [(at - 0.5, at + 0.5, rung) for at, rung in spans]
    else:
        bands = [(_x(a), _x(b), rung) for a, b, rung in rung_bands(points, changes, end)]
    for left, right, rung in bands:
        colour = RUNG_COLOURS.get(rung, "#eeeeee")
        for ax in panels.all:
            ax.axvspan(left, right, color=colour, zorder=0, gid=BAND_GID, linewidth=0)
        name = _plain(data.labels.rung_names.get(rung, rung.value))
        legend.setdefault(name, Patch(facecolor=colour, edgecolor="#999999", label=name))
    return legend


def _pain(
    ax: Axes, line: _Timeline, labels: ChartLabels, legend: dict[str, Patch | Line2D]
) -> None:
    """The pain track, each "worse" answer marked (and named in the legend)."""
    size = _marker_size(len(line.points))
    ax.plot(
        line.xs,
        [c.pain for c in line.points],
        color=PAIN_COLOUR,
        marker="o",
        markersize=size,
        linewidth=2,
        gid=PAIN_GID,
    )
    worse = [c for c in line.points if c.answer == Answer.WORSE]
    if not worse:
        return
    ax.plot(
        [line.x_of(c) for c in worse],
        [c.pain for c in worse],
        linestyle="none",
        marker="X",
        markersize=size + 8,
        color="#000000",
        gid=WORSE_GID,
    )
    legend[_plain(labels.worse)] = Line2D(
        [],
        [],
        linestyle="none",
        marker="X",
        markersize=14,
        color="#000000",
        label=_plain(labels.worse),
    )


def _starting_point(panels: _Panels, line: _Timeline) -> None:
    """Where the pain was before the first set: an open marker on both tracks."""
    start = line.start
    if start is None:
        return
    size = _marker_size(len(line.points))
    sx = 0.0 if line.by_checkin else _x(start.at)
    panels.pain.plot(
        [sx],
        [start.pain],
        marker="o",
        markersize=size + 4,
        gid=START_GID,
        markerfacecolor="white",
        markeredgecolor=PAIN_COLOUR,
        markeredgewidth=2.5,
    )
    panels.reach.plot(
        [sx],
        [start.reach.rank],
        marker="s",
        markersize=size + 4,
        gid=START_GID,
        markerfacecolor="white",
        markeredgecolor=REACH_COLOUR,
        markeredgewidth=2.5,
    )


def _reach(ax: Axes, line: _Timeline, labels: ChartLabels) -> None:
    ax.plot(
        line.xs,
        [c.reach.rank for c in line.points],
        color=REACH_COLOUR,
        marker="s",
        markersize=_marker_size(len(line.points)),
        linewidth=2,
        gid=REACH_GID,
    )
    ax.set_ylim(-0.5, len(Reach) - 0.5)
    ax.set_yticks(
        [r.rank for r in Reach], [_plain(labels.reach_names.get(r, r.value)) for r in Reach]
    )
    _style_axis(ax, labels.reach_axis)


def _sets(ax: Axes, line: _Timeline, data: ChartData) -> None:
    """Sets per day as bars: over the day's own check-ins, or at the day's noon."""
    tz = data.tz
    sets = [c for c in line.points if c.answer != Answer.READING]  # a reading is not a set
    per_day = Counter(c.at.astimezone(tz).date() for c in sets)
    days = sorted(per_day)
    if line.by_checkin:  # one bar per day, over that day's own check-ins
        where = [
            sum(line.x_of(c) for c in sets if c.at.astimezone(tz).date() == d) / per_day[d]
            for d in days
        ]
    else:
        where = [_x(datetime(d.year, d.month, d.day, 12, tzinfo=tz)) for d in days]
    widths = [0.8] * len(days)  # a bar, not a slab across the day's check-ins
    bars = ax.bar(where, [per_day[d] for d in days], width=widths, color=SETS_COLOUR)
    for bar in bars:
        bar.set_gid(SETS_GID)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.set_ylim(0, max([1, *per_day.values()]) * 1.15)
    _style_axis(ax, data.labels.sets_axis)


def _time_axis(ax: Axes, line: _Timeline, labels: ChartLabels, tz: tzinfo) -> None:
    """The shared x axis, under the sets: check-in times, or dates in one format."""
    if line.by_checkin:
        ticks = [float(i) for i in range(len(line.times))]
        names = [f"{t.astimezone(tz):%H:%M}" for t in line.times]
        if line.start is not None:
            names[0] = labels.start
        ax.set_xticks(ticks, [_plain(n) for n in names])
        day = line.times[-1].astimezone(tz)
        ax.set_xlabel(_plain(f"{labels.checkins_axis} ({day:%Y-%m-%d})"), fontsize=18)
        return
    ax.set_xlabel(_plain(labels.time_axis), fontsize=18)
    if not line.points:  # nothing yet: the days of the window, one label format, no offset
        ax.xaxis.set_major_locator(DayLocator(interval=2, tz=tz))  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d", tz=tz))  # type: ignore[no-untyped-call]
        return
    locator = AutoDateLocator(tz=tz, minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator,
            tz=tz,
            formats=_DATE_FORMATS,
            zero_formats=_ZERO_FORMATS,
            offset_formats=_OFFSET_FORMATS,
        )
    )
    ax.xaxis.get_offset_text().set_fontsize(15)


def _empty_note(ax: Axes, labels: ChartLabels) -> None:
    ax.text(
        0.5,
        0.5,
        _plain(labels.empty_note),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=20,
        wrap=True,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#999999"},
    )


def build_progress_figure(data: ChartData) -> Figure:
    """The chart as a Figure (not yet drawn), so its data can be read back."""
    labels = data.labels
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    panels = _panels(fig, labels, psfs_lines(data.psfs, labels.activity_names))
    line = _timeline(data)
    end = _x_range(panels.pain, line, data)
    legend = _bands(panels, line, data, end)
    _pain(panels.pain, line, labels, legend)
    _starting_point(panels, line)
    panels.pain.set_ylim(-0.5, 10.5)
    panels.pain.set_yticks(range(0, 11, 2))
    _style_axis(panels.pain, labels.pain_axis)
    _reach(panels.reach, line, labels)
    _sets(panels.sets, line, data)
    _time_axis(panels.sets, line, labels, data.tz)
    for ax in (panels.pain, panels.reach):
        ax.tick_params(labelbottom=False)
    if not line.points:
        _empty_note(panels.pain, labels)
    fig.align_ylabels(list(panels.all))
    if legend:
        fig.legend(
            handles=list(legend.values()),
            loc="outside lower center",
            ncols=2,
            fontsize=15,
            frameon=False,
        )
    return fig


def render_progress_chart(data: ChartData) -> ChartResult:
    """The chart as a PNG. Blocking and CPU-bound: from async code use the async version."""
    fig = build_progress_figure(data)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    width, height = (int(v) for v in fig.canvas.get_width_height())
    return ChartResult(buf.getvalue(), width, height, len(data.history))


def _ignore_ctrl_c() -> None:
    """Ctrl-C in the console reaches the whole process group: the parent ends the worker
    itself, so the worker must not die on it with a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _noop() -> None:
    """Run once in a new worker so it imports matplotlib before the first real chart."""


class ChartRenderer:
    """Renders charts in a worker process, created on first use and ended by `close()`.

    A process, not a thread: matplotlib keeps the GIL for most of a render, so a
    thread would still stall the event loop (tens to hundreds of ms for a
    large history). Submissions go through a thread because starting a worker
    blocks for a moment too.
    """

    def __init__(self, max_workers: int = 1, start_method: str = "spawn") -> None:
        self._max_workers = max_workers
        self._start_method = start_method
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self._max_workers,
                    mp_context=multiprocessing.get_context(self._start_method),
                    initializer=_ignore_ctrl_c,
                )
            return self._pool

    def _submit(
        self, fn: Callable[..., object], *args: object
    ) -> tuple[ProcessPoolExecutor, Future[object]]:
        pool = self._get_pool()
        return pool, pool.submit(fn, *args)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool, unless another caller already replaced it."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, fn: Callable[..., object], *args: object) -> object:
        for attempt in range(2):
            pool: ProcessPoolExecutor | None = None
            try:
                # submitting may start a worker process, which blocks: not on the loop
                pool, future = await asyncio.to_thread(self._submit, fn, *args)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                # a worker died (e.g. killed for memory): start a fresh pool, once
                if pool is None:
                    pool = self._pool
                if pool is not None:
                    self._discard(pool)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def warm_up(self) -> None:
        """Start the worker now (e.g. at bot start), so the first /progress is not slow."""
        await self._run(_noop)

    async def render(self, data: ChartData) -> ChartResult:
        frozen = replace(data, history=tuple(data.history), changes=tuple(data.changes))
        result = await self._run(render_progress_chart, frozen)
        assert isinstance(result, ChartResult)
        return result

    def close(self) -> None:
        """End the worker; the next render starts a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)


_default = ChartRenderer()


async def render_progress_chart_async(data: ChartData) -> ChartResult:
    """`render_progress_chart` in the shared worker process, off the event loop."""
    return await _default.render(data)


async def warm_up() -> None:
    await _default.warm_up()


def close() -> None:
    """Stop the shared worker process (call from the application's shutdown)."""
    _default.close()
