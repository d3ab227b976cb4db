"""The user's history as a chart, a summary, a CSV and a PT report, for any adapter.

Rendering runs in bot.progress.chart's worker process so a chart never stalls other
users; everything here only gathers rows and translated labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from bot.clock import Clock
from bot.presentation.i18n import _, translate
from bot.presentation.texts import (
    SUMMARY_NOW,
    SUMMARY_PSFS,
    SUMMARY_SETS,
    SUMMARY_SETS_HELD,
    SUMMARY_TREND,
)
from bot.progress import chart as charts
from bot.progress import export
from bot.progress.chart import sentence_case
from bot.storage.ports import Conversations, History, Share, Shares
from flows import safety
from flows.catalogue import exercise_name
from flows.i18n import N_
from flows.remind import planned_per_day, user_tz
from flows.schedule import tz_label
from flows.session import Session
from flows.texts import SHOULDER
from flows.trend import TREND_LABELS, leg_trend, sets_this_week

L_PSFS = N_("Activities (Patient-Specific Functional Scale)")
L_ACTIVITY = N_("Activity")
L_SCORE = N_("Score (0 = unable, 10 = as before)")
L_NO_PSFS = N_("No activities rated yet.")
L_RX = N_("Set by the physical therapist")
L_EXERCISE = N_("Exercise")
L_WALL_COL = N_("Wall shoulder")
L_REPS = N_("Repetitions")
L_NO_RX = N_("Nothing set by a physical therapist.")
L_ACCESS = N_("Who could see this progress")
L_WHO = N_("Physical therapist")
L_SINCE = N_("Since")
L_UNTIL = N_("Until")
L_LOOKED = N_("Last looked")
L_STILL = N_("still sharing")
L_NO_ACCESS = N_("Shared with no one.")


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
        psfs=await store.psfs(user_id),
    )


def _for_reader(
    data: charts.ChartData, lang: str, for_name: str | None, tz: tzinfo | None
) -> charts.ChartData:
    """A PT's view: titled with the patient's name, dated in the reader's zone, named (one
    time zone per view, the one the PT's card and summary use)."""
    if for_name is not None:
        title = translate(lang, charts.T_TITLE_FOR, {"name": for_name})
        data = replace(data, labels=replace(data.labels, title=title))
    if tz is not None:
        axis = f"{data.labels.time_axis} ({tz_label(str(tz))})"
        data = replace(data, tz=tz, labels=replace(data.labels, time_axis=axis))
    return data


async def progress(
    store: History,
    user_id: int,
    session: Session,
    now: datetime,
    *,
    for_name: str | None = None,
    tz: tzinfo | None = None,
) -> Progress:
    """The chart and its summary; `for_name`, `tz`: a PT's view (see `_for_reader`)."""
    lang = session.language
    data = _for_reader(await _chart_data(store, user_id, session, now), lang, for_name, tz)
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
    rated = charts.psfs_lines(data.psfs, data.labels.activity_names)
    if rated:
        lines.append(translate(lang, SUMMARY_PSFS, {"ratings": "; ".join(rated)}))
    return Progress(chart.png, "\n".join(lines), chart.points)


@dataclass(frozen=True, slots=True)
class Export:
    csv: bytes
    html: bytes


async def export_files(
    store: History,
    user_id: int,
    session: Session,
    now: datetime,
    shares: Sequence[Share] = (),
    *,
    for_name: str | None = None,
    status: Sequence[str] = (),
    tz: tzinfo | None = None,
    exercise_png: bytes | None = None,
) -> Export:
    """`shares`: the shares the report's "who had access" lists (every one for the
    patient's own export, only the reader's for a PT). `for_name`: a PT's report, headed
    with the patient's name; `status`: where the patient stands now, shown first."""
    lang = session.language
    data = _for_reader(await _chart_data(store, user_id, session, now), lang, for_name, tz)
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
    labels = export.report_labels(lambda m: _(lang, m), lang)
    if for_name is not None:
        labels = replace(labels, title=translate(lang, export.L_TITLE_FOR, {"name": for_name}))
    html = export.pt_report_html(
        history=history,
        changes=changes,
        baseline=baseline,
        red_flags=await store.screenings(user_id),
        chart_png=chart.png,
        labels=labels,
        now=now,
        tz=tz,
        sections=await _pt_sections(store, user_id, lang, data, shares),
        status=status,
        exercise_png=exercise_png,
    )
    return Export(export.checkins_csv(history), html)


async def _pt_sections(
    store: History, user_id: int, lang: str, data: charts.ChartData, shares: Sequence[Share]
) -> list[export.Section]:
    """What the physical therapist's side adds: PSFS, prescriptions, who had access."""
    tz = data.tz
    names = data.labels.activity_names

    def when(at: datetime | None) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at is not None else "-"

    psfs = sorted(data.psfs, key=lambda r: r.at)
    prescribed = await store.prescriptions(user_id)
    shoulders = {side: _(lang, word) for side, word in SHOULDER.items()}
    return [
        export.Section(
            _(lang, L_PSFS),
            (_(lang, export.L_DATE), _(lang, L_ACTIVITY), _(lang, L_SCORE)),
            [(when(r.at), names.get(r.activity, r.activity), str(r.score)) for r in psfs],
            _(lang, L_NO_PSFS),
        ),
        export.Section(
            _(lang, L_RX),
            (_(lang, export.L_DATE), _(lang, L_EXERCISE), _(lang, L_WALL_COL), _(lang, L_REPS)),
            [
                (
                    when(p.at),
                    sentence_case(translate(lang, exercise_name(p.prescription.rung))),
                    shoulders[p.prescription.wall] if p.prescription.wall else "-",
                    str(p.prescription.reps) if p.prescription.reps is not None else "-",
                )
                for p in prescribed
            ],
            _(lang, L_NO_RX),
        ),
        export.Section(
            _(lang, L_ACCESS),
            (_(lang, L_WHO), _(lang, L_SINCE), _(lang, L_UNTIL), _(lang, L_LOOKED)),
            [
                (
                    sh.pt_name or "-",
                    when(sh.since),
                    when(sh.revoked) if sh.revoked else _(lang, L_STILL),
                    when(sh.last_viewed),
                )
                for sh in shares
                if sh.pt_id is not None
            ],
            _(lang, L_NO_ACCESS),
        ),
    ]


class UserData:
    """A user's stored data as the renderer shows it (bot.presentation.render.Stored):
    /progress's chart, /export's files (the report lists everyone the user shared with),
    /mydata's counts. `clock` is read when an effect asks, not when this is made."""

    def __init__(
        self, history: History, shares: Shares, conversations: Conversations, clock: Clock
    ) -> None:
        self.history = history
        self.shares = shares
        self.conversations = conversations
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    async def chart(self, user_id: int, session: Session, now: datetime) -> Progress:
        return await progress(self.history, user_id, session, now)

    async def export(self, user_id: int, session: Session, now: datetime) -> Export:
        shared = await self.shares.of_patient(user_id)  # the report: who had access
        return await export_files(self.history, user_id, session, now, shared)

    async def counts(self, user_id: int) -> Mapping[str, int]:
        return await self.conversations.count_rows(user_id)
