"""The CSV reads back as the same check-ins; the PT report holds what a PT needs."""

from __future__ import annotations

import base64
import csv
import io
import re
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.progress.export import (
    CSV_COLUMNS,
    Baseline,
    RedFlagAnswer,
    checkins_csv,
    parse_checkins_csv,
    pt_report_html,
    report_labels,
)
from flows import ladder
from flows.model import Answer, CheckIn, Reach, Rung, RungChange, Side, Trend

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
LABELS = report_labels()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00fake image bytes\xff" * 4


def ci(hours_ago: float, reach: Reach, pain: int, answer: Answer = Answer.CENTRALIZING) -> CheckIn:
    return CheckIn(NOW - timedelta(hours=hours_ago), Rung.SIDE_GLIDE, answer, pain, reach)


HISTORY = [
    ci(100, Reach.CALF, 7, Answer.NO_CHANGE),
    ci(50, Reach.THIGH, 6),
    ci(30, Reach.BUTTOCK, 5),
    ci(3, Reach.BACK_SIDE, 6),
]


# -- CSV ---------------------------------------------------------------------------------


def test_csv_header_and_row_format() -> None:
    text = checkins_csv([ci(0, Reach.THIGH, 4)]).decode("utf-8")
    header, row, *rest = text.split("\r\n")
    assert header == "timestamp,exercise,answer,pain,reach"
    assert row == "2024-05-15T12:00:00Z,side_glide,centralizing,4,thigh"
    assert rest == [""]


def test_csv_is_oldest_first_and_in_utc() -> None:
    plus5 = timezone(timedelta(hours=5))
    late = CheckIn(
        datetime(2024, 5, 2, 1, 0, tzinfo=plus5), Rung.PRESS_UPS, Answer.WORSE, 9, Reach.FOOT
    )
    early = CheckIn(
        datetime(2024, 5, 1, 8, 0, tzinfo=UTC), Rung.PRESS_UPS, Answer.NO_CHANGE, 3, Reach.NONE
    )
    rows = list(csv.DictReader(io.StringIO(checkins_csv([late, early]).decode())))
    assert [r["timestamp"] for r in rows] == ["2024-05-01T08:00:00Z", "2024-05-01T20:00:00Z"]
    for row in rows:
        assert datetime.fromisoformat(row["timestamp"]).utcoffset() == timedelta(0)
        assert 0 <= int(row["pain"]) <= 10


def test_csv_round_trip() -> None:
    assert parse_checkins_csv(checkins_csv(HISTORY)) == sorted(HISTORY, key=lambda c: c.at)


def test_empty_csv_round_trip() -> None:
    assert checkins_csv([]) == b"timestamp,exercise,answer,pain,reach\r\n"
    assert parse_checkins_csv(checkins_csv([])) == []


checkins = st.builds(
    CheckIn,
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0, fold=0)),  # UTC has no fold; CSV carries none
    rung=st.sampled_from(Rung),
    answer=st.sampled_from(Answer),
    pain=st.integers(0, 10),
    reach=st.sampled_from(Reach),
)


@given(st.lists(checkins, max_size=30))
def test_csv_round_trip_any_history(history: list[CheckIn]) -> None:
    parsed = parse_checkins_csv(checkins_csv(history))
    assert sorted(parsed, key=repr) == sorted(history, key=repr)


def test_csv_drops_sub_second_precision() -> None:
    precise = replace(HISTORY[0], at=HISTORY[0].at.replace(microsecond=999_999))
    (parsed,) = parse_checkins_csv(checkins_csv([precise]))
    assert parsed == replace(precise, at=precise.at.replace(microsecond=0))


def test_parse_tolerates_bom_extra_columns_and_a_missing_z() -> None:
    data = (
        "\ufeffnote,reach,pain,answer,exercise,timestamp\n"
        "hi,thigh,4,no_change,press_ups,2024-05-01T08:00:00\n"
    ).encode()
    assert parse_checkins_csv(data) == [
        CheckIn(
            datetime(2024, 5, 1, 8, tzinfo=UTC), Rung.PRESS_UPS, Answer.NO_CHANGE, 4, Reach.THIGH
        )
    ]


@pytest.mark.parametrize(
    ("row", "line"),
    [
        ("2024-05-01T08:00:00Z,side_glide,centralizing,11,thigh", 2),
        ("2024-05-01T08:00:00Z,side_glide,centralizing,four,thigh", 2),
        ("2024-05-01T08:00:00Z,yoga,centralizing,4,thigh", 2),
        ("2024-05-01T08:00:00Z,side_glide,better,4,thigh", 2),
        ("2024-05-01T08:00:00Z,side_glide,centralizing,4,knee", 2),
        ("yesterday,side_glide,centralizing,4,thigh", 2),
        ("2024-05-01T08:00:00Z,side_glide,centralizing", 2),
    ],
)
def test_parse_rejects_bad_rows_without_echoing_them(row: str, line: int) -> None:
    data = f"{','.join(CSV_COLUMNS)}\r\n{row}\r\n".encode()
    with pytest.raises(ValueError, match=f"line {line}") as err:
        parse_checkins_csv(data)
    for value in ("11", "four", "yoga", "better", "knee", "yesterday"):
        assert value not in str(err.value)


def test_parse_requires_the_columns() -> None:
    with pytest.raises(ValueError, match="pain"):
        parse_checkins_csv(b"timestamp,exercise,answer,reach\r\n")


# -- PT report -----------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Text and image sources of a page, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if tag == "img" and name == "src" and value:
                self.images.append(value)
            elif name in ("src", "href") and value:
                self.external.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def report(**overrides: object) -> str:
    kwargs: dict[str, Any] = {
        "history": HISTORY,
        "changes": [
            RungChange(NOW - timedelta(hours=120), None, Rung.HIPS_OFF_CENTRE, "start"),
            RungChange(
                NOW - timedelta(hours=110),
                Rung.HIPS_OFF_CENTRE,
                Rung.SIDE_GLIDE,
                ladder.R_STALL_TO_GLIDE,
            ),
        ],
        "baseline": Baseline(Side.LEFT, Reach.CALF, 7, NOW - timedelta(hours=120)),
        "red_flags": [RedFlagAnswer(NOW - timedelta(hours=20), "fever", True)],
        "chart_png": PNG,
        "labels": LABELS,
        "now": NOW,
    }
    kwargs.update(overrides)
    html = pt_report_html(**kwargs)
    assert isinstance(html, bytes)
    return html.decode("utf-8")


def page_text(html: str) -> str:
    parser = _Collector()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())


def test_report_embeds_the_chart_and_fetches_nothing() -> None:
    html = report()
    parser = _Collector()
    parser.feed(html)
    (src,) = parser.images
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    assert base64.b64decode(src[len(prefix) :]) == PNG
    assert parser.external == []
    assert "<link" not in html and "@import" not in html
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html


def test_report_without_a_chart_has_no_image() -> None:
    html = report(chart_png=None)
    assert "<img" not in html


def test_report_has_baseline_rungs_reasons_red_flags_and_summary() -> None:
    text = page_text(report())
    # baseline: side, reach, pain, date
    assert "Left side" in text and "Below the knee" in text and "2024-05-10 12:00" in text
    # rung history with the reason, its fields filled in from the change itself
    assert "Press-ups with hips off centre" in text and "Side glide at a wall" in text
    # the reason as a PT reads it, not the sentence the patient was told
    assert "No progress on press-ups with hips off centre over several check-ins" in text
    assert "have not moved your pain for a while" not in text
    assert "{" not in text
    # red flag: question, answer, date
    assert "Do you have a fever along with your back pain?" in text
    assert "2024-05-14 16:00" in text and "Yes" in text
    # summary
    assert "Trend over the last 7 days: centralizing" in text
    assert "Sets this week: 3" in text  # 3 since Monday 13 May (UTC)
    assert "Latest check-in: pain 6/10, furthest point: Low back, one side" in text
    assert "Current exercise: Side glide at a wall" in text


def test_report_respects_the_users_time_zone() -> None:
    text = page_text(report(tz=ZoneInfo("Europe/Berlin")))
    assert "2024-05-14 18:00" in text  # the red flag at 16:00 UTC


def test_only_yes_answers_are_listed_as_warning_signs() -> None:
    answers = [
        RedFlagAnswer(NOW - timedelta(hours=9), "bladder", False),
        RedFlagAnswer(NOW - timedelta(hours=8), "trauma", True),
        RedFlagAnswer(NOW - timedelta(hours=7), "saddle", False),
    ]
    text = page_text(report(red_flags=answers))
    assert "Did the pain start after a significant fall or accident?" in text
    assert "bladder" not in text and "genitals" not in text
    all_no = page_text(report(red_flags=answers[:1]))
    assert "All 10 warning-sign questions answered no (last asked 2024-05-15 03:00)" in all_no


def test_report_escapes_every_caller_string() -> None:
    evil = "<script>alert('x')</script> & \"q\""
    labels = replace(
        LABELS,
        title=evil,
        lang='en"><script>',
        chart_alt=evil,
        reasons={ladder.R_STALL_TO_GLIDE: evil},
        questions={"fever": evil},
        rung_names={**LABELS.rung_names, Rung.SIDE_GLIDE: evil},
        trend_names={**LABELS.trend_names, Trend.CENTRALIZING: evil},
    )
    html = report(labels=labels)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in html
    assert evil in page_text(html)


def test_report_with_nothing_recorded_says_so() -> None:
    text = page_text(report(history=[], changes=[], baseline=None, red_flags=[], chart_png=None))
    assert LABELS.no_baseline in text
    assert LABELS.not_screened in text
    assert LABELS.no_rung_changes in text
    assert "not enough check-ins to tell" in text
    assert "Sets this week: 0" in text


def test_unknown_reason_and_question_ids_show_as_given() -> None:
    text = page_text(
        report(
            changes=[RungChange(NOW, Rung.SIDE_GLIDE, Rung.SEE_PT, "some.future.reason")],
            red_flags=[RedFlagAnswer(NOW, "new_flag", True)],
        )
    )
    assert "some.future.reason" in text and "new_flag" in text
    assert "See a physical therapist" in text


def test_a_broken_translation_does_not_break_the_report() -> None:
    labels = replace(LABELS, sets_week_line="Sätze diese Woche: {anzahl}")
    assert "Sätze diese Woche: {anzahl}" in page_text(report(labels=labels))


def test_every_label_is_filled() -> None:
    for field in fields(LABELS):
        assert getattr(LABELS, field.name), field.name
    assert set(LABELS.trend_names) == set(Trend)
    assert set(LABELS.reach_names) == set(Reach)
    assert set(LABELS.rung_names) == set(Rung)
    assert re.search(r"\{date\}", LABELS.generated)


def test_report_names_the_wall_shoulder_and_the_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    prescribed = Baseline(Side.LEFT, Reach.CALF, 6, NOW, wall=Side.LEFT, prescribed=True)
    text = page_text(report(baseline=prescribed, tz=berlin))
    assert "Side glide: LEFT shoulder to the wall (prescribed by a clinician)." in text
    assert "Times are in Europe/Berlin (UTC+02:00)." in text
    assert "2024-05-15 14:00" in text  # the report's own time, in the patient's zone
    usual = Baseline(Side.LEFT, Reach.CALF, 6, NOW, wall=Side.RIGHT)
    text = page_text(report(baseline=usual))
    assert "RIGHT shoulder to the wall (away from the painful side; not prescribed)" in text
    assert "Times are in UTC." in text
