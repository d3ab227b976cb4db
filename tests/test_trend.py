"""flows.trend on hand-made histories: the week's verdict, set counts, the nudge."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.model import Answer, CheckIn, Reach, Rung, Trend
from flows.trend import (
    NUDGE_BEYOND,
    NUDGE_DONE,
    NUDGE_NO_PLAN,
    NUDGE_PROGRESS,
    NUDGE_START,
    TREND_LABELS,
    adherence_nudge,
    in_window,
    leg_trend,
    planned_sets_per_day,
    sets_this_week,
    sets_today,
)

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday
BERLIN = ZoneInfo("Europe/Berlin")  # UTC+2 in May
NEW_YORK = ZoneInfo("America/New_York")  # UTC-4 in May


def ci(
    ago: timedelta,
    reach: Reach,
    pain: int = 5,
    answer: Answer = Answer.NO_CHANGE,
    rung: Rung = Rung.SIDE_GLIDE,
) -> CheckIn:
    return CheckIn(NOW - ago, rung, answer, pain, reach)


def days(n: float) -> timedelta:
    return timedelta(days=n)


# (name, history, expected)
CASES: list[tuple[str, list[CheckIn], Trend]] = [
    ("empty", [], Trend.UNKNOWN),
    ("one check-in", [ci(days(1), Reach.THIGH)], Trend.UNKNOWN),
    (
        "centralizing: leg pain climbs to the back",
        [
            ci(days(6), Reach.CALF, 6),
            ci(days(5), Reach.CALF, 6, Answer.CENTRALIZING),
            ci(days(4), Reach.THIGH, 6, Answer.CENTRALIZING),
            ci(days(2), Reach.BUTTOCK, 5, Answer.CENTRALIZING),
            ci(days(1), Reach.BACK_SIDE, 5, Answer.CENTRALIZING),
            ci(days(0.5), Reach.BACK_SIDE, 5, Answer.CENTRALIZING),
        ],
        Trend.CENTRALIZING,
    ),
    (
        "centralizing even though the back hurts more (protocol.md)",
        [
            ci(days(3), Reach.THIGH, 3),
            ci(days(2), Reach.BUTTOCK, 5, Answer.CENTRALIZING),
            ci(days(1), Reach.BACK_SIDE, 7, Answer.CENTRALIZING),
        ],
        Trend.CENTRALIZING,
    ),
    (
        "stalling: same reach, same pain",
        [
            ci(days(6), Reach.THIGH, 5),
            ci(days(4), Reach.THIGH, 5),
            ci(days(3), Reach.BUTTOCK, 4),
            ci(days(2), Reach.THIGH, 5),
            ci(days(1), Reach.THIGH, 4),
            ci(days(0.1), Reach.THIGH, 5),
        ],
        Trend.STABLE,
    ),
    (
        "worsening: pain spreads down the leg",
        [
            ci(days(5), Reach.BUTTOCK, 4),
            ci(days(3), Reach.THIGH, 4),
            ci(days(1), Reach.CALF, 4),
        ],
        Trend.PERIPHERALIZING,
    ),
    (
        "a 'worse' answer outweighs a centralizing reach",
        [
            ci(days(5), Reach.CALF, 6),
            ci(days(3), Reach.CALF, 7, Answer.WORSE),
            ci(days(1), Reach.BACK_SIDE, 3, Answer.CENTRALIZING),
        ],
        Trend.PERIPHERALIZING,
    ),
    (
        "same reach, pain falls: centralizing (pain is the tie-break)",
        [ci(days(4), Reach.THIGH, 7), ci(days(1), Reach.THIGH, 4)],
        Trend.CENTRALIZING,
    ),
    (
        "same reach in the leg, pain rises: peripheralizing",
        [ci(days(4), Reach.CALF, 3), ci(days(1), Reach.CALF, 6)],
        Trend.PERIPHERALIZING,
    ),
    (
        "same reach in the back, pain rises: not called worse",
        [ci(days(4), Reach.BACK_SIDE, 3), ci(days(1), Reach.BACK_SIDE, 6)],
        Trend.STABLE,
    ),
    (
        "pain wobbles by one point: stable",
        [ci(days(4), Reach.THIGH, 5), ci(days(1), Reach.THIGH, 4)],
        Trend.STABLE,
    ),
    (
        "one odd last check-in does not flip a centralizing week",
        [
            ci(days(6), Reach.CALF),
            ci(days(5.5), Reach.CALF),
            ci(days(5), Reach.THIGH),
            ci(days(4), Reach.BUTTOCK),
            ci(days(3), Reach.BACK_SIDE),
            ci(days(2), Reach.BACK_SIDE),
            ci(days(1.5), Reach.BACK_CENTRE),
            ci(days(1), Reach.BACK_SIDE),
            ci(days(0.5), Reach.THIGH),
        ],
        Trend.CENTRALIZING,
    ),
    (
        "old check-ins outside the window do not count",
        [
            ci(days(20), Reach.FOOT, 9),
            ci(days(10), Reach.CALF, 8),
            ci(days(2), Reach.THIGH, 5),
            ci(days(1), Reach.THIGH, 5),
        ],
        Trend.STABLE,
    ),
]


@pytest.mark.parametrize(
    ("history", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_leg_trend(history: list[CheckIn], expected: Trend) -> None:
    assert leg_trend(history, NOW) == expected


def test_leg_trend_ignores_input_order() -> None:
    history = [ci(days(1), Reach.BACK_SIDE), ci(days(5), Reach.CALF), ci(days(3), Reach.THIGH)]
    assert leg_trend(history, NOW) == Trend.CENTRALIZING
    assert leg_trend(list(reversed(history)), NOW) == Trend.CENTRALIZING


def test_window_start_is_inclusive_to_the_microsecond() -> None:
    at_edge = ci(days(7), Reach.CALF)
    just_outside = ci(days(7) + timedelta(microseconds=1), Reach.CALF)
    latest = ci(days(0), Reach.BACK_SIDE)
    assert leg_trend([at_edge, latest], NOW) == Trend.CENTRALIZING
    assert leg_trend([just_outside, latest], NOW) == Trend.UNKNOWN
    assert in_window([just_outside, at_edge, latest], NOW) == [at_edge, latest]


def test_check_ins_after_now_are_not_history() -> None:
    future = CheckIn(NOW + timedelta(minutes=1), Rung.SIDE_GLIDE, Answer.WORSE, 9, Reach.FOOT)
    history = [ci(days(2), Reach.THIGH), ci(days(1), Reach.THIGH), future]
    assert leg_trend(history, NOW) == Trend.STABLE


def test_window_length_is_a_parameter() -> None:
    history = [ci(days(10), Reach.CALF), ci(days(2), Reach.THIGH), ci(days(1), Reach.THIGH)]
    assert leg_trend(history, NOW) == Trend.STABLE
    assert leg_trend(history, NOW, days=14) == Trend.CENTRALIZING


def test_every_trend_has_a_label() -> None:
    assert set(TREND_LABELS) == set(Trend)


# "today" depends on the user's clock: NOW is 12:00 UTC
LATE = datetime(2024, 5, 14, 23, 30, tzinfo=UTC)  # Berlin: 15 May 01:30, New York: 14 May 19:30
TODAY_HISTORY = [
    CheckIn(
        datetime(2024, 5, 14, 22, 30, tzinfo=UTC),
        Rung.SIDE_GLIDE,
        Answer.NO_CHANGE,
        4,
        Reach.THIGH,
    ),
    CheckIn(
        datetime(2024, 5, 14, 21, 30, tzinfo=UTC),
        Rung.SIDE_GLIDE,
        Answer.NO_CHANGE,
        4,
        Reach.THIGH,
    ),
    CheckIn(
        datetime(2024, 5, 14, 3, 30, tzinfo=UTC), Rung.SIDE_GLIDE, Answer.NO_CHANGE, 4, Reach.THIGH
    ),
]


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        (UTC, 3),  # all on 14 May
        (BERLIN, 1),  # only 00:30 on 15 May; 23:30 and 05:30 are 14 May
        (NEW_YORK, 2),  # 18:30 and 17:30 on 14 May; 03:30 UTC is 23:30 on 13 May
    ],
    ids=["utc", "berlin", "new-york"],
)
def test_sets_today_uses_the_users_day(tz: ZoneInfo, expected: int) -> None:
    assert sets_today(TODAY_HISTORY, LATE, tz) == expected


def test_sets_today_empty_and_future() -> None:
    assert sets_today([], NOW, UTC) == 0
    future = CheckIn(NOW + timedelta(hours=1), Rung.SIDE_GLIDE, Answer.NO_CHANGE, 4, Reach.THIGH)
    assert sets_today([future], NOW, UTC) == 0


def test_sets_this_week_starts_on_the_users_monday() -> None:
    sunday_night_utc = datetime(2024, 5, 12, 23, 0, tzinfo=UTC)  # Berlin: Monday 01:00
    monday = datetime(2024, 5, 13, 9, 0, tzinfo=UTC)
    last_week = datetime(2024, 5, 10, 9, 0, tzinfo=UTC)
    history = [
        CheckIn(at, Rung.SIDE_GLIDE, Answer.NO_CHANGE, 4, Reach.THIGH)
        for at in (sunday_night_utc, monday, last_week, NOW)
    ]
    assert sets_this_week(history, NOW, UTC) == 2
    assert sets_this_week(history, NOW, BERLIN) == 3
    # a week that starts on Sunday takes in Sunday night in UTC too
    assert sets_this_week(history, NOW, UTC, first_weekday=6) == 3


@pytest.mark.parametrize(
    ("every", "start", "end", "expected"),
    [
        (3, time(8), time(21), 5),  # 08 11 14 17 20
        (2, time(8), time(20), 7),  # both ends included
        (3, time(8), time(8), 1),
        (1, time(8, 30), time(9, 15), 1),
        (4, time(22), time(6), 3),  # past midnight: 22 02 06
    ],
)
def test_planned_sets_per_day(every: int, start: time, end: time, expected: int) -> None:
    assert planned_sets_per_day(every, start, end) == expected


def test_planned_sets_needs_a_positive_interval() -> None:
    with pytest.raises(ValueError, match="every_hours"):
        planned_sets_per_day(0, time(8), time(20))


@pytest.mark.parametrize(
    ("done", "planned", "pair", "count"),
    [
        (0, 5, NUDGE_START, 5),
        (2, 5, NUDGE_PROGRESS, 5),
        (5, 5, NUDGE_DONE, 5),
        (7, 5, NUDGE_BEYOND, 7),  # never "7 of 5"
        (1, 0, NUDGE_NO_PLAN, 1),
        (3, 0, NUDGE_NO_PLAN, 3),
    ],
)
def test_adherence_nudge(done: int, planned: int, pair: tuple[str, str], count: int) -> None:
    nudge = adherence_nudge(done, planned)
    assert nudge is not None
    assert (nudge.msgid, nudge.plural) == pair
    assert nudge.count == count
    assert dict(nudge.params) == {"done": done, "planned": planned}
    # both forms format with the params the adapter gets, and read as English
    singular = nudge.msgid.format(**nudge.params)
    plural = nudge.plural.format(**nudge.params)
    assert str(done if planned <= 0 or done > planned else planned) in plural
    assert singular != plural


def test_nudge_is_silent_while_paused() -> None:
    assert adherence_nudge(0, 5, paused=True) is None


def test_nudges_never_scold() -> None:
    scolding = re.compile(r"\b(missed|behind|should|only \{done\}|failed|forgot|lazy)\b", re.I)
    for pair in (NUDGE_START, NUDGE_PROGRESS, NUDGE_DONE, NUDGE_NO_PLAN):
        for text in pair:
            assert not scolding.search(text), text
