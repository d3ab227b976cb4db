"""How long a /progress chart takes, and how long it stalls the event loop.

Prints numbers, asserts nothing. A ticker coroutine sleeps 1 ms in a loop and
records its worst lateness while one chart renders; the baseline is the same
render called inline on the loop (what a naive handler would do), measured in
the same run, next to a thread pool and the process pool that bot.progress.chart uses.

    .venv/bin/python bench/bench_charts.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.progress.chart import (
    ChartData,
    ChartLabels,
    ChartRenderer,
    chart_labels,
    render_progress_chart,
)
from flows.model import Answer, CheckIn, Reach, Rung, RungChange

NOW = datetime(2024, 5, 14, 18, 0, tzinfo=UTC)
SIZES = (1, 100, 1000)
TARGET_MS = 20.0


def history(n: int) -> list[CheckIn]:
    """n check-ins every 3 hours, the pain slowly centralizing."""
    reaches = list(Reach)
    out = []
    for i in range(n):
        at = NOW - timedelta(hours=3 * (n - i))
        reach = reaches[min(len(reaches) - 1, i * len(reaches) // n)]
        rung = Rung.SIDE_GLIDE if i < n * 0.6 else Rung.PRESS_UPS
        answer = Answer.WORSE if i == n // 4 else Answer.CENTRALIZING
        out.append(CheckIn(at, rung, answer, max(0, 8 - i * 8 // n), reach))
    return out


def changes(points: Sequence[CheckIn]) -> list[RungChange]:
    first = points[0]
    out = [RungChange(first.at, None, Rung.SIDE_GLIDE, "start")]
    switch = next((c for c in points if c.rung == Rung.PRESS_UPS), None)
    if switch is not None:
        out.append(RungChange(switch.at, Rung.SIDE_GLIDE, Rung.PRESS_UPS, "leg gone"))
    return out


async def worst_lateness(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(seconds the work took, worst lateness of a 1 ms ticker meanwhile)."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - start - 0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)  # let the ticker settle
    began = time.perf_counter()
    await work()
    took = time.perf_counter() - began
    done = True
    await task
    return took, worst


async def stall_table(repeat: int, labels: ChartLabels, start_method: str) -> None:
    renderer = ChartRenderer(start_method=start_method)
    t0 = time.perf_counter()
    _, start_stall = await worst_lateness(renderer.warm_up)
    print(
        f"worker start ({start_method}, off the loop): {(time.perf_counter() - t0) * 1e3:.0f} ms,"
        f" max stall meanwhile {start_stall * 1e3:.2f} ms"
    )

    async def idle() -> None:
        await asyncio.sleep(1.0)

    _, noise = await worst_lateness(idle)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"ticker noise floor (idle loop, 1 s): {noise * 1e3:.2f} ms; load average {load}")
    print("(a noise floor above a few ms means other processes compete for the CPUs)\n")
    print("stall: the ticker's worst lateness during one render, median of the runs; worst:")
    print("the worst run. 'idle' is the same ticker beside a 300 ms sleep: the noise floor now.")
    print(
        f"{'check-ins':>9} {'mode':<8} {'render ms':>10} {'stall ms':>9} {'worst ms':>9}"
        f" {'vs inline':>10}"
    )
    try:
        for n in SIZES:
            points = history(n)
            rungs = changes(points)

            async def idle_300() -> None:
                await asyncio.sleep(0.3)

            async def inline(
                points: list[CheckIn] = points, rungs: list[RungChange] = rungs
            ) -> None:
                render_progress_chart(ChartData(points, rungs, labels, NOW))

            async def thread(
                points: list[CheckIn] = points, rungs: list[RungChange] = rungs
            ) -> None:
                await asyncio.to_thread(
                    render_progress_chart, ChartData(points, rungs, labels, NOW)
                )

            async def process(
                points: list[CheckIn] = points, rungs: list[RungChange] = rungs
            ) -> None:
                await renderer.render(ChartData(points, rungs, labels, NOW))

            modes = (
                ("inline", inline),
                ("idle", idle_300),
                ("thread", thread),
                ("process", process),
            )
            base_stall = 0.0
            for name, work in modes:
                runs = [await worst_lateness(work) for _ in range(repeat)]
                took = statistics.median(r[0] for r in runs)
                stall = statistics.median(r[1] for r in runs)
                worst = max(r[1] for r in runs)
                if name == "inline":
                    base_stall = stall
                ratio = stall / base_stall if base_stall else float("nan")
                print(
                    f"{n:>9} {name:<8} {took * 1e3:>10.1f} {stall * 1e3:>9.2f} {worst * 1e3:>9.2f}"
                    f" {ratio:>9.3f}x"
                )
    finally:
        await renderer.aclose()


def render_times(repeat: int, labels: ChartLabels) -> None:
    print(f"{'check-ins':>9} {'median ms':>10} {'min ms':>8} {'PNG KB':>7}")
    for n in SIZES:
        points = history(n)
        rungs = changes(points)
        times = []
        size = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            size = len(render_progress_chart(ChartData(points, rungs, labels, NOW)).png)
            times.append(time.perf_counter() - t0)
        print(
            f"{n:>9} {statistics.median(times) * 1e3:>10.1f} {min(times) * 1e3:>8.1f} "
            f"{size / 1024:>7.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--start-method", default="spawn", choices=("spawn", "forkserver"))
    args = parser.parse_args()
    labels = chart_labels()
    render_progress_chart(ChartData([], [], labels, NOW))  # import and font cache warm-up
    print("== render time, inline ==")
    render_times(args.repeat, labels)
    print(f"\n== event-loop stall during one render (target < {TARGET_MS:.0f} ms) ==")
    asyncio.run(stall_table(args.repeat, labels, args.start_method))


if __name__ == "__main__":
    main()
