"""/export: the check-ins as CSV, and a one-page HTML report for a physical therapist.

The CSV is for spreadsheets and other tools, so it uses the stable stored ids
(`side_glide`, `centralizing`, `thigh`), not translated words, and reads back
losslessly to the second. The report is for a person: every word comes in
through `ReportLabels`, already translated, and is HTML-escaped here.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Protocol

from bot.progress.chart import T_SEE_PT, sentence_case
from flows import ladder, texts
from flows.catalogue import EXERCISES
from flows.i18n import N_
from flows.model import Answer, CheckIn, Reach, Rung, RungChange, Side, Trend
from flows.screening import RED_FLAGS
from flows.trend import leg_trend, sets_this_week

CSV_COLUMNS = ("timestamp", "exercise", "answer", "pain", "reach")


def _utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def checkins_csv(history: Sequence[CheckIn]) -> bytes:
    """UTF-8 CSV, oldest first, timestamps ISO 8601 in UTC to the second."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(history, key=lambda c: c.at):
        writer.writerow((_utc_iso(c.at), c.rung.value, c.answer.value, c.pain, c.reach.value))
    return buf.getvalue().encode("utf-8")


def _parse_time(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    # the column is defined as UTC, so a spreadsheet that dropped the "Z" still means UTC
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def parse_checkins_csv(data: bytes) -> list[CheckIn]:
    """The inverse of `checkins_csv`; extra columns are ignored, anything malformed raises.

    Raises ValueError naming the line, never echoing the value (it is health data).
    """
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"CSV header lacks: {', '.join(missing)}")
    out: list[CheckIn] = []
    for row in reader:
        line = reader.line_num
        try:
            pain = int(row["pain"])
            if not 0 <= pain <= 10:
                raise ValueError("pain out of range")
            out.append(
                CheckIn(
                    at=_parse_time(row["timestamp"]),
                    rung=Rung(row["exercise"]),
                    answer=Answer(row["answer"]),
                    pain=pain,
                    reach=Reach(row["reach"]),
                )
            )
        except (ValueError, TypeError) as exc:
            raise ValueError(f"CSV line {line}: {type(exc).__name__} in a check-in") from None
    return out


@dataclass(frozen=True, slots=True)
class Baseline:
    """The onboarding assessment; `at` may be unknown for sessions stored before it was kept."""

    side: Side
    reach: Reach
    pain: int
    at: datetime | None = None
    wall: Side | None = None  # the side glide's wall shoulder (None: pain not one-sided)
    prescribed: bool = False  # a clinician chose the wall shoulder


class ScreeningAnswer(Protocol):
    """One answered red-flag question; bot.storage.sqlite.conversation.Screening has this shape."""

    @property
    def at(self) -> datetime: ...
    @property
    def question(self) -> str: ...  # a flows.screening RedFlag id
    @property
    def yes(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class RedFlagAnswer:
    at: datetime
    question: str
    yes: bool


@dataclass(frozen=True, slots=True)
class ReportLabels:
    """Every word of the report, translated by the caller (see `report_labels`).

    Templates use str.format fields: `generated` {date}; `trend_line` {trend};
    `sets_week_line` {count}; `latest_line` {pain} {reach} {date};
    `current_line` {exercise}. Reasons may use the rules' fields
    ({limit}, {exercise}, {next_exercise}, {count}).
    """

    lang: str
    title: str
    generated: str
    disclaimer: str
    summary_heading: str
    trend_line: str
    sets_week_line: str
    latest_line: str
    current_line: str
    red_flags_heading: str
    all_no: str
    not_screened: str
    times_in: str
    wall_line: str
    wall_prescribed: str
    wall_from_side: str
    shoulder_names: Mapping[Side, str]
    baseline_heading: str
    no_baseline: str
    chart_heading: str
    chart_alt: str
    rungs_heading: str
    no_rung_changes: str
    col_date: str
    col_side: str
    col_reach: str
    col_pain: str
    col_from: str
    col_to: str
    col_reason: str
    col_question: str
    cleared: str
    exercise_alt: str
    col_answer: str
    yes: str
    no: str
    unknown: str
    trend_names: Mapping[Trend, str]
    side_names: Mapping[Side, str]
    reach_names: Mapping[Reach, str]
    rung_names: Mapping[Rung, str]
    reasons: Mapping[str, str]  # reason msgid -> translated text
    questions: Mapping[str, str]  # red-flag id -> translated question


L_TITLE = N_("Side glide coach: progress report")
L_TITLE_FOR = N_("{name}: progress report (side glide coach)")
L_GENERATED = N_("Made on {date}")
L_DISCLAIMER = N_(
    "Self-reported by the patient through a coaching bot for the McKenzie side glide. "
    "This is not a diagnosis."
)
L_SUMMARY = N_("Summary")
L_TREND_LINE = N_("Trend over the last 7 days: {trend}")
L_SETS_WEEK = N_("Sets this week: {count}")
L_LATEST = N_("Latest check-in: pain {pain}/10, furthest point: {reach} ({date})")
L_CURRENT = N_("Current exercise: {exercise}")
L_RED_FLAGS = N_("Warning signs reported")
L_ALL_NO = N_("All {count} warning-sign questions answered no (last asked {date}).")
L_CLEARED = N_("cleared: answered no on {date}")
L_EXERCISE_ALT = N_("The patient's current exercise, as the bot shows it")
L_NOT_SCREENED = N_("The warning-sign questions have not been answered yet.")
L_TIMES_IN = N_("Times are in {zone}.")
L_WALL = N_("Side glide: {shoulder} shoulder to the wall ({why}).")
L_WALL_PRESCRIBED = N_("prescribed by a clinician")
L_WALL_FROM_SIDE = N_("away from the painful side; not prescribed")
L_BASELINE = N_("Starting point")
L_NO_BASELINE = N_("Not recorded.")
L_CHART = N_("Chart")
L_CHART_ALT = N_("Pain, where the pain reaches, and sets per day over time")
L_RUNGS = N_("Exercise changes")
L_NO_RUNG_CHANGES = N_("No changes yet.")
L_DATE = N_("Date")
L_SIDE = N_("Painful side")
L_REACH = N_("Pain reaches")
L_PAIN = N_("Pain (0-10)")
L_FROM = N_("From")
L_TO = N_("To")
L_REASON = N_("Reason")
L_QUESTION = N_("Question")
L_ANSWER = N_("Answer")
L_UNKNOWN = N_("unknown")
# McKenzie terms for the therapist, not the user-facing sentences of flows.trend
TREND_TERMS: Mapping[Trend, str] = {
    Trend.CENTRALIZING: N_("centralizing"),
    Trend.STABLE: N_("stable, no clear change"),
    Trend.PERIPHERALIZING: N_("peripheralizing (spreading or worse)"),
    Trend.UNKNOWN: N_("not enough check-ins to tell"),
}


def _known_reasons() -> list[str]:
    """Every msgid a RungChange.reason can hold (flows.ladder keeps the list)."""
    return list(ladder.recorded_reasons())


def report_labels(translate: Callable[[str], str] = str, lang: str = "en") -> ReportLabels:
    """The report's labels in one language, from the msgids (`translate` is a gettext)."""
    t = translate
    rung_names = {r: sentence_case(t(ex.name)) for r, ex in EXERCISES.items()}
    rung_names.setdefault(Rung.SEE_PT, t(T_SEE_PT))
    return ReportLabels(
        lang=lang,
        title=t(L_TITLE),
        generated=t(L_GENERATED),
        disclaimer=t(L_DISCLAIMER),
        summary_heading=t(L_SUMMARY),
        trend_line=t(L_TREND_LINE),
        sets_week_line=t(L_SETS_WEEK),
        latest_line=t(L_LATEST),
        current_line=t(L_CURRENT),
        red_flags_heading=t(L_RED_FLAGS),
        all_no=t(L_ALL_NO),
        cleared=t(L_CLEARED),
        exercise_alt=t(L_EXERCISE_ALT),
        not_screened=t(L_NOT_SCREENED),
        times_in=t(L_TIMES_IN),
        wall_line=t(L_WALL),
        wall_prescribed=t(L_WALL_PRESCRIBED),
        wall_from_side=t(L_WALL_FROM_SIDE),
        shoulder_names={k: t(v) for k, v in texts.SHOULDER.items()},
        baseline_heading=t(L_BASELINE),
        no_baseline=t(L_NO_BASELINE),
        chart_heading=t(L_CHART),
        chart_alt=t(L_CHART_ALT),
        rungs_heading=t(L_RUNGS),
        no_rung_changes=t(L_NO_RUNG_CHANGES),
        col_date=t(L_DATE),
        col_side=t(L_SIDE),
        col_reach=t(L_REACH),
        col_pain=t(L_PAIN),
        col_from=t(L_FROM),
        col_to=t(L_TO),
        col_reason=t(L_REASON),
        col_question=t(L_QUESTION),
        col_answer=t(L_ANSWER),
        yes=t(texts.B_YES),
        no=t(texts.B_NO),
        unknown=t(L_UNKNOWN),
        trend_names={k: t(v) for k, v in TREND_TERMS.items()},
        side_names={k: t(v) for k, v in texts.SIDE_LABELS.items()},
        reach_names={k: t(v) for k, v in texts.REACH_LABELS.items()},
        rung_names=rung_names,
        reasons={msgid: t(ladder.FOR_PT.get(msgid, msgid)) for msgid in _known_reasons()},
        questions={flag.id: t(flag.question) for flag in RED_FLAGS},
    )


def _fill(template: str, **params: object) -> str:
    """Format a translated template; a translation with a broken field shows unformatted."""
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def _when(at: datetime | None, tz: tzinfo, unknown: str) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at is not None else unknown


def zone_name(tz: tzinfo, at: datetime) -> str:
    """The zone as a PT reads it: "Europe/Berlin (UTC+01:00)", or "UTC"."""
    offset = at.astimezone(tz).strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset and offset != "+0000" else "UTC"
    key = getattr(tz, "key", None)
    return f"{key} ({utc})" if key and key != "UTC" else utc


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    out = [f"<table{attr}><thead><tr>"]
    out += [f"<th>{escape(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; max-width: 46em;
       margin: 1.5em auto; padding: 0 1em; line-height: 1.35; font-size: 11pt; }
h1 { font-size: 17pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: 1.1em 0 .4em; border-bottom: 1px solid #888; }
p.meta { color: #444; margin: 0; }
ul { margin: .3em 0; padding-left: 1.3em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #eee; }
td:first-child { white-space: nowrap; }
table.flags td { font-weight: bold; }
img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
@page { size: A4; margin: 1.2cm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  img { max-height: 10.5cm; width: auto; }
  h2, tr { break-inside: avoid; page-break-after: avoid; }
}
"""


@dataclass(frozen=True, slots=True)
class Section:
    """A table the report shows after its own (translated by the caller)."""

    heading: str
    head: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    empty: str  # what it says when there are no rows


def pt_report_html(
    *,
    history: Sequence[CheckIn],
    changes: Sequence[RungChange],
    baseline: Baseline | None,
    red_flags: Sequence[ScreeningAnswer],
    chart_png: bytes | None,
    labels: ReportLabels,
    now: datetime,
    tz: tzinfo = UTC,
    sections: Sequence[Section] = (),
    status: Sequence[str] = (),
    exercise_png: bytes | None = None,
) -> bytes:
    """One self-contained, printable HTML page (UTF-8): nothing is fetched when opened.

    `red_flags` may be every screening answer: only the "yes" answers are shown.
    """
    lb = labels
    points = sorted(history, key=lambda c: c.at)
    ordered_changes = sorted(changes, key=lambda c: c.at)
    parts = [
        *_head(lb, now, tz, status, exercise_png),
        f"<h2>{escape(lb.summary_heading)}</h2><ul>",
        *(
            f"<li>{escape(line)}</li>"
            for line in _summary(lb, points, ordered_changes, baseline, now, tz)
        ),
        "</ul>",
        f"<h2>{escape(lb.red_flags_heading)}</h2>",
        _red_flags(lb, red_flags, tz),
        f"<h2>{escape(lb.baseline_heading)}</h2>",
        _baseline(lb, baseline, tz),
    ]
    if chart_png:
        data = base64.b64encode(chart_png).decode("ascii")
        parts.append(f"<h2>{escape(lb.chart_heading)}</h2>")
        parts.append(f'<img src="data:image/png;base64,{data}" alt="{escape(lb.chart_alt)}">')
    rungs = Section(
        lb.rungs_heading,
        (lb.col_date, lb.col_from, lb.col_to, lb.col_reason),
        _rung_rows(lb, ordered_changes, tz),
        lb.no_rung_changes,
    )
    for section in (rungs, *sections):
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        if section.rows:
            parts.append(_table(section.head, section.rows))
        else:
            parts.append(f"<p>{escape(section.empty)}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8")


def _head(
    lb: ReportLabels, now: datetime, tz: tzinfo, status: Sequence[str], exercise_png: bytes | None
) -> list[str]:
    """The page's head, its title, when it was made, the disclaimer, the status now and
    the picture of the exercise."""
    picture = []
    if exercise_png:
        data = base64.b64encode(exercise_png).decode("ascii")
        alt = escape(lb.exercise_alt)
        picture.append(f'<img class="exercise" src="data:image/png;base64,{data}" alt="{alt}">')
    return [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lb.lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(lb.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(lb.title)}</h1>",
        f'<p class="meta">{escape(_fill(lb.generated, date=_when(now, tz, lb.unknown)))} '
        f"{escape(_fill(lb.times_in, zone=zone_name(tz, now)))}</p>",
        f'<p class="meta">{escape(lb.disclaimer)}</p>',
        *(f'<p class="status"><strong>{escape(line)}</strong></p>' for line in status),
        *picture,
    ]


def _summary(
    lb: ReportLabels,
    points: Sequence[CheckIn],
    ordered_changes: Sequence[RungChange],
    baseline: Baseline | None,
    now: datetime,
    tz: tzinfo,
) -> list[str]:
    """The leg-pain trend, the sets this week, the latest reading, the exercise now and
    the wall shoulder."""
    trend = leg_trend(points, now)
    lines = [
        _fill(lb.trend_line, trend=lb.trend_names.get(trend, trend.value)),
        _fill(lb.sets_week_line, count=sets_this_week(points, now, tz)),
    ]
    if points:
        last = points[-1]
        lines.append(
            _fill(
                lb.latest_line,
                pain=last.pain,
                reach=lb.reach_names.get(last.reach, last.reach.value),
                date=_when(last.at, tz, lb.unknown),
            )
        )
    current = (
        ordered_changes[-1].to_rung if ordered_changes else (points[-1].rung if points else None)
    )
    if current is not None:
        lines.append(_fill(lb.current_line, exercise=lb.rung_names.get(current, current.value)))
    if baseline is not None and baseline.wall is not None:
        why = lb.wall_prescribed if baseline.prescribed else lb.wall_from_side
        shoulder = lb.shoulder_names.get(baseline.wall, baseline.wall.value)
        lines.append(_fill(lb.wall_line, shoulder=shoulder, why=why))
    return lines


def _red_flags(lb: ReportLabels, red_flags: Sequence[ScreeningAnswer], tz: tzinfo) -> str:
    """Every "yes" with its date (and whether a later clean answer cleared it); else
    when all were answered no, or that nobody asked."""
    flagged = sorted((f for f in red_flags if f.yes), key=lambda f: f.at)
    if flagged:

        def answer(f: ScreeningAnswer) -> str:
            """A past yes a later clean answer to the same question cleared says so."""
            later = [a.at for a in red_flags if a.question == f.question and a.at > f.at]
            cleared = [a for a in red_flags if a.at in later and not a.yes]
            if cleared:
                when = _when(max(a.at for a in cleared), tz, lb.unknown)
                return f"{lb.yes} ({_fill(lb.cleared, date=when)})"
            return lb.yes

        rows = [
            (_when(f.at, tz, lb.unknown), lb.questions.get(f.question, f.question), answer(f))
            for f in flagged
        ]
        return _table((lb.col_date, lb.col_question, lb.col_answer), rows, "flags")
    if red_flags:
        asked = max(f.at for f in red_flags)
        line = _fill(lb.all_no, count=len(RED_FLAGS), date=_when(asked, tz, lb.unknown))
        return f"<p>{escape(line)}</p>"
    return f"<p>{escape(lb.not_screened)}</p>"


def _baseline(lb: ReportLabels, baseline: Baseline | None, tz: tzinfo) -> str:
    if baseline is None:
        return f"<p>{escape(lb.no_baseline)}</p>"
    row = (
        _when(baseline.at, tz, lb.unknown),
        lb.side_names.get(baseline.side, baseline.side.value),
        lb.reach_names.get(baseline.reach, baseline.reach.value),
        str(baseline.pain),
    )
    return _table((lb.col_date, lb.col_side, lb.col_reach, lb.col_pain), [row])


def _rung_rows(
    lb: ReportLabels, ordered_changes: Sequence[RungChange], tz: tzinfo
) -> list[tuple[str, str, str, str]]:
    """One row per move on the ladder: when, from, to, and why in the PT's words."""

    def rung_name(rung: Rung | None) -> str:
        return "" if rung is None else lb.rung_names.get(rung, rung.value)

    rows = []
    for c in ordered_changes:
        reason = _fill(lb.reasons.get(c.reason, c.reason), exercise=rung_name(c.to_rung))
        rows.append(
            (_when(c.at, tz, lb.unknown), rung_name(c.from_rung), rung_name(c.to_rung), reason)
        )
    return rows
