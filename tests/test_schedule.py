"""The reminder schedule rules, with explicit instants (no clock, no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.model import RemindMode
from flows.schedule import (
    Schedule,
    catch_up,
    describe,
    in_quiet_hours,
    next_due,
    previous_slot,
    snooze,
    tz_label,
    validate_tz,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(
    zone: ZoneInfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0
) -> datetime:
    """A wall-clock time in `zone`, as the UTC instant the rules work with."""
    return datetime(y, mo, d, h, mi, tzinfo=zone, fold=fold).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def walk(schedule: Schedule, start: datetime, count: int) -> list[datetime]:
    out, at = [], start
    for _ in range(count):
        nxt = next_due(schedule, at)
        assert nxt is not None
        out.append(nxt)
        at = nxt
    return out


def wall(zone: ZoneInfo, instants: list[datetime]) -> list[str]:
    return [i.astimezone(zone).strftime("%m-%d %H:%M %Z") for i in instants]


# --- every N hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "slots"),
    [
        (2, ["08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]),
        (3, ["08:00", "11:00", "14:00", "17:00", "20:00"]),
        (4, ["08:00", "12:00", "16:00", "20:00"]),
    ],
)
def test_every_n_hours_slots_fill_the_window_then_wrap_to_the_next_morning(
    hours: int, slots: list[str]
) -> None:
    s = Schedule("UTC", every_hours=hours)
    got = walk(s, utc(2024, 6, 1, 7, 0), len(slots) + 1)
    assert [g.strftime("%H:%M") for g in got] == [*slots, "08:00"]
    assert got[-1].date() == datetime(2024, 6, 2).date()


def test_end_of_window_is_inclusive() -> None:
    s = Schedule("UTC", every_hours=3, start=time(9, 0), end=time(21, 0))
    assert next_due(s, utc(2024, 6, 1, 19, 0)) == utc(2024, 6, 1, 21, 0)


def test_next_due_is_strictly_after() -> None:
    s = Schedule("UTC")
    assert next_due(s, utc(2024, 6, 1, 11, 0)) == utc(2024, 6, 1, 14, 0)
    assert next_due(s, utc(2024, 6, 1, 10, 59, 59)) == utc(2024, 6, 1, 11, 0)


def test_paused_has_no_next_due() -> None:
    assert next_due(Schedule("UTC", paused=True), utc(2024, 6, 1)) is None


def test_fixed_times_are_sorted_deduplicated_and_repeat_daily() -> None:
    s = Schedule(
        "UTC", mode=RemindMode.FIXED, fixed_times=(time(18, 30), time(7, 15), time(18, 30))
    )
    assert s.fixed_times == (time(7, 15), time(18, 30))
    got = walk(s, utc(2024, 6, 1, 12, 0), 3)
    assert got == [utc(2024, 6, 1, 18, 30), utc(2024, 6, 2, 7, 15), utc(2024, 6, 2, 18, 30)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Mars/Olympus"},
        {"tz": "europe/berlin"},  # canonical names only; validate_tz() fixes case
        {"tz": "UTC", "every_hours": 5},
        {"tz": "UTC", "mode": "hourly"},
        {"tz": "UTC", "start": time(21, 0), "end": time(8, 0)},
        {"tz": "UTC", "mode": "fixed"},
        {"tz": "UTC", "mode": "fixed", "fixed_times": (time(9, 0, 30),)},
        {"tz": "UTC", "mode": "fixed", "fixed_times": tuple(time(h) for h in range(13))},
    ],
)
def test_invalid_schedules_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Schedule(**kwargs)


# --- time zones and DST ---------------------------------------------------------


def test_slots_follow_the_users_wall_clock() -> None:
    s = Schedule("Asia/Tokyo", mode=RemindMode.FIXED, fixed_times=(time(9, 0),))
    # 09:00 in Tokyo (UTC+9) is 00:00 UTC.
    assert next_due(s, utc(2024, 6, 1, 1, 0)) == utc(2024, 6, 2, 0, 0)


def test_berlin_spring_forward_shifts_a_missing_time_forward() -> None:
    # 2024-03-31: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
    s = Schedule("Europe/Berlin", mode=RemindMode.FIXED, fixed_times=(time(2, 30), time(9, 0)))
    got = walk(s, local(BERLIN, 2024, 3, 30, 12, 0), 4)
    assert wall(BERLIN, got) == [
        "03-31 03:30 CEST",
        "03-31 09:00 CEST",
        "04-01 02:30 CEST",
        "04-01 09:00 CEST",
    ]


def test_berlin_spring_forward_keeps_every_n_on_the_wall_clock() -> None:
    s = Schedule("Europe/Berlin", every_hours=3)
    got = walk(s, local(BERLIN, 2024, 3, 30, 21, 0), 2)
    assert wall(BERLIN, got) == ["03-31 08:00 CEST", "03-31 11:00 CEST"]
    # the night was an hour shorter
    assert got[0] - local(BERLIN, 2024, 3, 30, 20, 0) == timedelta(hours=11)


def test_berlin_fall_back_fires_an_ambiguous_time_once() -> None:
    # 2024-10-27: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    s = Schedule("Europe/Berlin", mode=RemindMode.FIXED, fixed_times=(time(2, 30),))
    got = walk(s, local(BERLIN, 2024, 10, 26, 12, 0), 2)
    assert got[0] == local(BERLIN, 2024, 10, 27, 2, 30, fold=0) == utc(2024, 10, 27, 0, 30)
    assert wall(BERLIN, got) == ["10-27 02:30 CEST", "10-28 02:30 CET"]
    # Asking again between the two occurrences does not fire the second one.
    assert next_due(s, local(BERLIN, 2024, 10, 27, 2, 45, fold=0)) == got[1]


def test_new_york_dst_both_directions() -> None:
    s = Schedule("America/New_York", every_hours=4)
    spring = walk(s, local(NEW_YORK, 2024, 3, 9, 20, 30), 2)
    assert wall(NEW_YORK, spring) == ["03-10 08:00 EDT", "03-10 12:00 EDT"]
    assert spring[0] == utc(2024, 3, 10, 12, 0)
    autumn = walk(s, local(NEW_YORK, 2024, 11, 2, 20, 30), 2)
    assert wall(NEW_YORK, autumn) == ["11-03 08:00 EST", "11-03 12:00 EST"]
    assert autumn[0] == utc(2024, 11, 3, 13, 0)

    # 02:15 does not exist on 03-10; 01:30 happens twice on 11-03 and fires once.
    fixed = Schedule(
        "America/New_York", mode=RemindMode.FIXED, fixed_times=(time(1, 30), time(2, 15))
    )
    got = walk(fixed, utc(2024, 3, 9, 12, 0), 3)
    assert wall(NEW_YORK, got) == ["03-10 01:30 EST", "03-10 03:15 EDT", "03-11 01:30 EDT"]
    got = walk(fixed, utc(2024, 11, 2, 12, 0), 3)
    assert wall(NEW_YORK, got) == ["11-03 01:30 EDT", "11-03 02:15 EST", "11-04 01:30 EST"]
    assert got[2] - got[0] == timedelta(hours=25)


def test_previous_slot_mirrors_next_due() -> None:
    s = Schedule("Europe/Berlin")
    at = local(BERLIN, 2024, 3, 31, 12, 0)
    assert previous_slot(s, at) == local(BERLIN, 2024, 3, 31, 11, 0)
    assert previous_slot(s, local(BERLIN, 2024, 3, 31, 11, 0)) == local(BERLIN, 2024, 3, 31, 11)
    assert previous_slot(s, local(BERLIN, 2024, 3, 31, 7, 0)) == local(BERLIN, 2024, 3, 30, 20)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin ", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc-5", "Etc/GMT+5"),
        ("+02:00", "Etc/GMT-2"),
        ("-0800", "Etc/GMT+8"),
        ("GMT+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("UTC\u22123", "Etc/GMT+3"),
        ("+0", "UTC"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
    ],
)
def test_validate_tz_accepts_names_cities_and_offsets(typed: str, zone: str) -> None:
    assert validate_tz(typed) == zone
    Schedule(zone)  # every answer is usable as is


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "garbage", "Mars/Olympus", "UTC+15", "UTC-13", "-03:30", "+2:99", "../etc/passwd",
     "/etc/localtime", "Factory", "localtime", "2", "x" * 200],
)  # fmt: skip
def test_validate_tz_refuses_garbage(typed: str) -> None:
    assert validate_tz(typed) is None


def test_the_inverted_etc_sign_really_means_utc_plus() -> None:
    zone = validate_tz("UTC+2")
    assert zone is not None
    assert datetime(2024, 1, 1, tzinfo=ZoneInfo(zone)).utcoffset() == timedelta(hours=2)
    assert tz_label(zone) == "UTC+2"
    assert tz_label("Etc/GMT+5") == "UTC-5"
    assert tz_label("Europe/Berlin") == "Europe/Berlin"


# --- quiet hours and catch-up ---------------------------------------------------


@pytest.mark.parametrize(
    ("hhmm", "quiet"),
    [((7, 59), True), ((8, 0), False), ((14, 0), False), ((21, 0), False), ((21, 1), True),
     ((3, 0), True)],
)  # fmt: skip
def test_quiet_hours_are_outside_the_window_in_local_time(
    hhmm: tuple[int, int], quiet: bool
) -> None:
    s = Schedule("Europe/Berlin")
    assert in_quiet_hours(s, local(BERLIN, 2024, 6, 1, *hhmm)) is quiet


def test_fixed_times_widen_the_window() -> None:
    s = Schedule("UTC", mode=RemindMode.FIXED, fixed_times=(time(6, 30), time(22, 0)))
    assert not in_quiet_hours(s, utc(2024, 6, 1, 6, 30))
    assert not in_quiet_hours(s, utc(2024, 6, 1, 21, 30))
    assert in_quiet_hours(s, utc(2024, 6, 1, 6, 29))


def test_on_time_ping_is_sent_and_moves_to_the_next_slot() -> None:
    s = Schedule("UTC")
    d = catch_up(s, utc(2024, 6, 1, 11), utc(2024, 6, 1, 11, 0, 9))
    assert (d.send, d.slot, d.next_due, d.catch_up) == (
        True,
        utc(2024, 6, 1, 11),
        utc(2024, 6, 1, 14),
        False,
    )


def test_the_last_slot_is_not_silenced_by_the_edge_of_the_window() -> None:
    s = Schedule("UTC")
    d = catch_up(s, utc(2024, 6, 1, 20), utc(2024, 6, 1, 20, 5))
    assert d.send and d.next_due == utc(2024, 6, 2, 8)
    late_end = Schedule("UTC", end=time(20, 0))
    assert catch_up(late_end, utc(2024, 6, 1, 20), utc(2024, 6, 1, 20, 5)).send


def test_ten_hour_outage_sends_exactly_one_catch_up() -> None:
    s = Schedule("UTC", every_hours=2)
    due, now = utc(2024, 6, 1, 8), utc(2024, 6, 1, 18, 20)
    d = catch_up(s, due, now)
    assert d.send and d.catch_up
    assert d.slot == utc(2024, 6, 1, 18)  # the latest missed slot, not the first
    assert d.next_due == utc(2024, 6, 1, 20)
    # Applying the decision leaves nothing due: a second look sends nothing more.
    assert d.next_due is not None
    assert not catch_up(s, d.next_due, now).send


def test_outage_ending_in_quiet_hours_sends_nothing_and_waits_for_morning() -> None:
    s = Schedule("Europe/Berlin")
    d = catch_up(s, local(BERLIN, 2024, 6, 1, 14), local(BERLIN, 2024, 6, 2, 0, 30))
    assert not d.send
    assert d.next_due == local(BERLIN, 2024, 6, 2, 8)


def test_max_late_limits_a_stale_catch_up() -> None:
    s = Schedule("UTC", mode=RemindMode.FIXED, fixed_times=(time(9, 0),), end=time(21, 0))
    due, now = utc(2024, 6, 1, 9), utc(2024, 6, 1, 15)
    assert catch_up(s, due, now).send
    assert not catch_up(s, due, now, max_late=timedelta(hours=2)).send


def test_snooze_fires_even_just_outside_the_window() -> None:
    s = Schedule("UTC")
    until = snooze(utc(2024, 6, 1, 20, 50))
    assert until == utc(2024, 6, 1, 21, 20)
    d = catch_up(s, until, until + timedelta(seconds=5))
    assert d.send and d.slot == until and not d.catch_up
    assert d.next_due == utc(2024, 6, 2, 8)
    with pytest.raises(ValueError):
        snooze(utc(2024, 6, 1), minutes=0)


def test_not_yet_due_and_paused() -> None:
    s = Schedule("UTC")
    d = catch_up(s, utc(2024, 6, 1, 11), utc(2024, 6, 1, 10))
    assert not d.send and d.next_due == utc(2024, 6, 1, 11)
    p = catch_up(Schedule("UTC", paused=True), utc(2024, 6, 1, 11), utc(2024, 6, 1, 12))
    assert not p.send and p.next_due is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        next_due(Schedule("UTC"), datetime(2024, 6, 1))


# --- description ----------------------------------------------------------------


def test_describe_every_fixed_and_paused() -> None:
    msg, params = describe(Schedule("Etc/GMT-2"), utc(2024, 6, 1, 9))
    assert msg == "Reminders every {hours} hours from {start} to {end} ({tz}). Next one at {next}."
    assert msg.format(**params) == (
        "Reminders every 3 hours from 08:00 to 21:00 (UTC+2). Next one at 11:00."
    )
    fixed = Schedule("UTC", mode=RemindMode.FIXED, fixed_times=(time(9), time(18, 30)))
    msg, params = describe(fixed)
    assert msg.format(**params) == "Reminders every day at 09:00, 18:30 (UTC)."
    assert describe(Schedule("UTC", paused=True), paused_reason="worse")[0] == (
        "Reminders are paused while your pain is worse."
    )
    assert describe(Schedule("UTC", paused=True), paused_reason="weird")[0] == (
        "Reminders are paused."
    )


# --- properties over many zones, schedules and instants -------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
         "America/Santiago", "Pacific/Apia", "Etc/GMT-14"]  # fmt: skip

schedules = st.one_of(
    st.builds(
        Schedule,
        tz=st.sampled_from(ZONES),
        every_hours=st.sampled_from([2, 3, 4]),
        start=st.builds(time, st.integers(0, 11), st.sampled_from([0, 30])),
        end=st.builds(time, st.integers(12, 23), st.sampled_from([0, 59])),
    ),
    st.builds(
        Schedule,
        tz=st.sampled_from(ZONES),
        mode=st.just("fixed"),
        fixed_times=st.lists(
            st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
            min_size=1,
            max_size=4,
        ).map(tuple),
    ),
)
instants = st.datetimes(
    min_value=datetime(2011, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(schedules, instants)
def test_next_due_is_the_first_slot_after(s: Schedule, after: datetime) -> None:
    nxt = next_due(s, after)
    assert nxt is not None and nxt > after
    assert nxt - after <= timedelta(days=2)
    assert previous_slot(s, nxt) == nxt  # it is a slot
    before = previous_slot(s, nxt - timedelta(microseconds=1))
    assert before is None or before <= after  # and none was skipped


@settings(max_examples=300, deadline=None)
@given(schedules, instants, st.integers(0, 30 * 24 * 60))
def test_catch_up_never_floods(s: Schedule, due: datetime, minutes_late: int) -> None:
    now = due + timedelta(minutes=minutes_late)
    d = catch_up(s, due, now)
    assert d.next_due is not None and d.next_due > now  # nothing left to send at `now`
    assert d.slot is not None and due <= d.slot <= now
