"""The user's history as a chart, a summary, a CSV and a PT report, for any adapter.

Rendering runs in bot.progress.chart's worker process so a chart never stalls other
users; everything here only gathers rows and translated labels.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.presentation.i18n import _, translate
from bot.presentation.texts import SUMMARY_NOW, SUMMARY_SETS, SUMMARY_SETS_HELD, SUMMARY_TREND
from bot.progress import chart as charts
from bot.progress import export
from bot.storage.ports import History
from flows import safety
from flows.catalogue import exercise_name
from flows.effects import Effect, SendExport
from flows.remind import planned_per_day, user_tz
from flows.session import Session
from flows.trend import TREND_LABELS, leg_trend, sets_this_week


@dataclass(frozen=True, slots=True)
class Progress:
    png: bytes
    summary: str
    points: int


async def _chart_data(
    store: History, user_id: int, session: Session, now: datetime
) -> charts.ChartData:
    lang = session.language
    history = await store.checkins(user_id)
    changes = await store.rung_changes(user_id)
    a = session.assessment
    start = None
    if a.baseline_reach is not None and a.baseline_pain is not None:
        at = changes[0].at if changes else (min(c.at for c in history) if history else now)
        start = charts.Start(at, a.baseline_pain, a.baseline_reach)
    return charts.ChartData(
        history=history,
        changes=changes,
        labels=charts.chart_labels(lambda m: _(lang, m)),
        now=now,
        tz=user_tz(session),
        start=start,
    )


async def progress(store: History, user_id: int, session: Session, now: datetime) -> Progress:
    lang = session.language
    data = await _chart_data(store, user_id, session, now)
    history, changes, tz = data.history, data.changes, data.tz
    chart = await charts.render_progress_chart_async(data)
    trend = leg_trend(history, now)
    lines = [
        translate(lang, SUMMARY_TREND, {"trend": _(lang, TREND_LABELS[trend])}),
        # held (a warning sign, the stop rule): no set is planned, so none is counted as due
        translate(
            lang,
            SUMMARY_SETS if safety.may_offer_exercise(session) else SUMMARY_SETS_HELD,
            {"done": sets_this_week(history, now, tz), "planned": 7 * planned_per_day(session)},
        ),
    ]
    if session.rung is not None:
        reason = changes[-1].reason if changes else ""
        params = {"exercise": exercise_name(session.rung)}
        lines.append(
            translate(
                lang,
                SUMMARY_NOW,
                {
                    "exercise": exercise_name(session.rung),
                    "reason": translate(lang, reason, params) if reason else "-",
                },
            )
        )
    return Progress(chart.png, "\n".join(lines), chart.points)


@dataclass(frozen=True, slots=True)
class Export:
    csv: bytes
    html: bytes


async def export_files(store: History, user_id: int, session: Session, now: datetime) -> Export:
    lang = session.language
    data = await _chart_data(store, user_id, session, now)
    history, changes, tz = data.history, data.changes, data.tz
    chart = await charts.render_progress_chart_async(data)
    baseline = None
    if session.assessment.side is not None and session.assessment.baseline_reach is not None:
        baseline = export.Baseline(
            session.assessment.side,
            session.assessment.baseline_reach,
            session.assessment.baseline_pain or 0,
            changes[0].at if changes else None,
            wall=session.glide_shoulder if session.one_sided else None,
            prescribed=session.assessment.wall_shoulder is not None,
        )
    html = export.pt_report_html(
        history=history,
        changes=changes,
        baseline=baseline,
        red_flags=await store.screenings(user_id),
        chart_png=chart.png,
        labels=export.report_labels(lambda m: _(lang, m), lang),
        now=now,
        tz=tz,
    )
    return Export(export.checkins_csv(history), html)


async def write_files(
    store: History, user_id: int, session: Session, now: datetime, out: Path, effect: Effect
) -> list[Path]:
    """Console mode: the same files /progress and /export send, written into `out`."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if isinstance(effect, SendExport):
        files = await export_files(store, user_id, session, now)
        named = {f"checkins-{stamp}.csv": files.csv, f"report-{stamp}.html": files.html}
    else:
        result = await progress(store, user_id, session, now)
        summary = (result.summary + "\n").encode("utf-8")
        named = {f"progress-{stamp}.png": result.png, f"progress-{stamp}.txt": summary}
    paths = await asyncio.to_thread(_save, out, named)
    return [p for p in paths if p.suffix != ".txt"]


def _save(out: Path, named: dict[str, bytes]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in named.items():
        (out / name).write_bytes(data)
    return [out / name for name in named]
