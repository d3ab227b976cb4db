"""The user's history as a chart, a summary, a CSV and a PT report, for any adapter.

Rendering runs in bot.progress.chart's worker process so a chart never stalls other
users; everything here only gathers rows and translated labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.presentation.i18n import _, render
from bot.presentation.texts import SUMMARY_NOW, SUMMARY_SETS, SUMMARY_TREND
from bot.progress import chart as charts
from bot.progress import export
from bot.services import Services
from flows.catalogue import exercise_name
from flows.effects import Effect, SendExport
from flows.session import Session
from flows.trend import TREND_LABELS, leg_trend, planned_sets_per_day, sets_this_week


def user_tz(session: Session) -> tzinfo:
    try:
        return ZoneInfo(session.tz) if session.tz else UTC
    except (KeyError, ValueError):
        return UTC


def planned_per_day(session: Session) -> int:
    if session.remind_mode == "fixed":
        return len([t for t in session.remind_times.split(",") if t])
    start, _, end = session.remind_window.partition("-")
    return planned_sets_per_day(
        session.remind_every, time.fromisoformat(start), time.fromisoformat(end)
    )


@dataclass(frozen=True, slots=True)
class Progress:
    png: bytes
    summary: str
    points: int


async def progress(services: Services, user_id: int, session: Session, now: datetime) -> Progress:
    store, lang = services.store, session.language
    history = await store.checkins(user_id)
    changes = await store.rung_changes(user_id)
    tz = user_tz(session)
    labels = charts.chart_labels(lambda m: _(lang, m))
    chart = await charts.render_progress_chart_async(history, changes, labels, now, tz)
    trend = leg_trend(history, now)
    lines = [
        render(lang, SUMMARY_TREND, {"trend": _(lang, TREND_LABELS[trend])}),
        render(
            lang,
            SUMMARY_SETS,
            {"done": sets_this_week(history, now, tz), "planned": 7 * planned_per_day(session)},
        ),
    ]
    if session.rung is not None:
        reason = changes[-1].reason if changes else ""
        params = {"exercise": exercise_name(session.rung)}
        lines.append(
            render(
                lang,
                SUMMARY_NOW,
                {
                    "exercise": exercise_name(session.rung),
                    "reason": render(lang, reason, params) if reason else "-",
                },
            )
        )
    return Progress(chart.png, "\n".join(lines), chart.points)


@dataclass(frozen=True, slots=True)
class Export:
    csv: bytes
    html: bytes


async def export_files(
    services: Services, user_id: int, session: Session, now: datetime
) -> Export:
    store, lang = services.store, session.language
    history = await store.checkins(user_id)
    changes = await store.rung_changes(user_id)
    tz = user_tz(session)
    chart = await charts.render_progress_chart_async(
        history, changes, charts.chart_labels(lambda m: _(lang, m)), now, tz
    )
    baseline = None
    if session.side is not None and session.baseline_reach is not None:
        baseline = export.Baseline(
            session.side,
            session.baseline_reach,
            session.baseline_pain or 0,
            changes[0].at if changes else None,
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


async def write_files(services: Services, user_id: int, lang: str, effect: Effect) -> list[Path]:
    """Console mode: the same files, written next to the database."""
    session = await services.coach.session(user_id) or Session(language=lang)
    now = services.coach.clock()
    out = Path(services.settings.SIDEGLIDE_DB).parent / "reports"
    out.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if isinstance(effect, SendExport):
        files = await export_files(services, user_id, session, now)
        csv_path, html_path = out / f"checkins-{stamp}.csv", out / f"report-{stamp}.html"
        csv_path.write_bytes(files.csv)
        html_path.write_bytes(files.html)
        return [csv_path, html_path]
    result = await progress(services, user_id, session, now)
    png = out / f"progress-{stamp}.png"
    png.write_bytes(result.png)
    (out / f"progress-{stamp}.txt").write_text(result.summary + "\n", encoding="utf-8")
    return [png]
