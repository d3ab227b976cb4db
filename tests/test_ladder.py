"""The decision table, row by row, and the properties no row may break."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import ladder
from flows.ladder import (
    RULES,
    Ask,
    Change,
    Move,
    Reading,
    Row,
    Stage,
    Verdict,
    Where,
    decide,
    read,
)
from flows.model import Answer, Reach

P, H, G, B, F = (
    Stage.PRESS_UPS,
    Stage.HIPS_OFF_CENTRE,
    Stage.SIDE_GLIDE,
    Stage.BACK_PRESS_UPS,
    Stage.FLEXION_ROTATION,
)
N = ladder.DEFAULT_STALL_AFTER


def reading(
    stage: Stage = G,
    answer: Answer = Answer.NO_CHANGE,
    reach: Move = Move.SAME,
    pain: Change = Change.SAME,
    now: Where = Where.LEG,
    was: Where = Where.LEG,
    one_sided: bool = True,
    streak: int = 1,
    asked: frozenset[Ask] = frozenset(),
    recovered: bool = False,
) -> Reading:
    return Reading(
        stage, answer, reach, pain, now, was, one_sided, streak, N, asked, recovered=recovered
    )


W = frozenset({Ask.WORSE})
# one reading per row that the row decides (and no earlier row does): the row's number,
# then what the user sees happen
EXAMPLES: list[tuple[int, Reading, Verdict, Stage | None]] = [
    (1, reading(answer=Answer.WORSE, reach=Move.CLOSER), Verdict.STOP, None),
    (
        2,
        reading(was=Where.NONE, reach=Move.FURTHER, now=Where.BACK, recovered=True),
        Verdict.NEW_EPISODE,
        None,
    ),
    (3, reading(reach=Move.FURTHER, answer=Answer.CENTRALIZING), Verdict.ASK, None),
    (4, reading(pain=Change.UP, now=Where.LEG), Verdict.ASK, None),
    (5, reading(answer=Answer.ALL_GONE, now=Where.BACK, asked=W), Verdict.ASK, None),
    (6, reading(answer=Answer.NO_CHANGE, now=Where.NONE, reach=Move.CLOSER), Verdict.ASK, None),
    (7, reading(answer=Answer.LEG_GONE, now=Where.LEG), Verdict.ASK, None),
    (
        8,
        reading(answer=Answer.ALL_GONE, now=Where.NONE, reach=Move.CLOSER),
        Verdict.RECOVERED,
        None,
    ),
    (9, reading(stage=P, was=Where.LEG, now=Where.BACK, reach=Move.CLOSER), Verdict.CONTINUE, P),
    (10, reading(stage=H, was=Where.LEG, now=Where.BACK, reach=Move.CLOSER), Verdict.MOVE, P),
    (11, reading(stage=G, was=Where.LEG, now=Where.BACK, reach=Move.CLOSER), Verdict.MOVE, B),
    (12, reading(stage=F, was=Where.LEG, now=Where.BACK, reach=Move.CLOSER), Verdict.MOVE, B),
    (13, reading(stage=G, pain=Change.DOWN, streak=0), Verdict.CONTINUE, G),
    (14, reading(stage=H, reach=Move.CLOSER, streak=0), Verdict.CONTINUE, H),
    (15, reading(stage=P, streak=N), Verdict.MOVE, H),
    (
        16,
        reading(stage=P, streak=N, one_sided=False, now=Where.BACK, was=Where.BACK),
        Verdict.SEE_PT,
        None,
    ),
    (17, reading(stage=H, streak=N), Verdict.MOVE, G),
    (18, reading(stage=G, streak=N, answer=Answer.CENTRALIZING), Verdict.MOVE, F),
    (19, reading(stage=F, streak=N), Verdict.SEE_PT, None),
    (19, reading(stage=B, streak=N, now=Where.BACK, was=Where.BACK), Verdict.SEE_PT, None),
    (20, reading(stage=P, streak=1, answer=Answer.BACK_EASING), Verdict.CONTINUE, P),
    (20, reading(stage=G, streak=N - 1, answer=Answer.CENTRALIZING), Verdict.CONTINUE, G),
    (21, reading(stage=G, streak=N - 1), Verdict.CONTINUE, G),
]


@pytest.mark.parametrize(
    ("number", "r", "verdict", "to"), EXAMPLES, ids=[f"row{e[0]}" for e in EXAMPLES]
)
def test_each_row_decides_its_case(
    number: int, r: Reading, verdict: Verdict, to: Stage | None
) -> None:
    row = decide(r)
    assert RULES.index(row) + 1 == number
    assert row.verdict == verdict
    assert ladder.next_stage(row, r.stage) == (to or r.stage)


def test_every_row_has_an_example() -> None:
    assert {e[0] for e in EXAMPLES} == set(range(1, len(RULES) + 1))


def test_the_reason_names_what_the_protocol_says() -> None:
    """The sentences the user reads carry the protocol's decisions, not just a verdict."""
    by_row = {RULES.index(decide(r)) + 1: decide(r) for _, r, _, _ in EXAMPLES}
    assert "stop side gliding" in by_row[11].reason
    assert "physical therapist" in by_row[18].reason  # flexion stretch AND see a PT
    assert "good sign" in by_row[13].reason  # more back pain while the leg eases
    assert all("physical therapist" in by_row[i].reason for i in (1, 16, 19))
    assert all(row.protocol.startswith(("protocol.md", "design.md")) for row in RULES)


# every combination of what a check-in can measure
ALL_READINGS = [
    Reading(
        stage,
        answer,
        move,
        change,
        now,
        was,
        one_sided,
        streak,
        N,
        frozenset(asked),
        recovered=recovered,
    )
    for stage, answer, move, change, now, was, one_sided, streak, asked, recovered in (
        itertools.product(
            Stage,
            Answer,
            Move,
            Change,
            Where,
            Where,
            (True, False),
            (0, 1, N),
            [(), (Ask.WORSE,), (Ask.ALL_GONE,), (Ask.LEG_GONE,), tuple(Ask)],
            (False, True),
        )
    )
]


def test_the_stop_rule_wins_over_every_other_row() -> None:
    for r in ALL_READINGS:
        row = decide(r)
        if r.answer == Answer.WORSE:
            assert row.verdict == Verdict.STOP, r
        # numbers that say worse never carry on without the one plain question
        numbers_worse = r.reach == Move.FURTHER or (r.pain == Change.UP and r.now == Where.LEG)
        new_episode = r.was == Where.NONE and r.recovered
        if numbers_worse and Ask.WORSE not in r.asked and not new_episode:
            assert row.verdict in (Verdict.STOP, Verdict.ASK), r
            assert row.verdict == Verdict.STOP or row.ask == Ask.WORSE, r


def test_recovery_and_moves_never_come_from_a_contradiction() -> None:
    for r in ALL_READINGS:
        row = decide(r)
        if row.verdict == Verdict.RECOVERED:
            assert r.answer == Answer.ALL_GONE and r.now == Where.NONE, r
        if r.answer == Answer.ALL_GONE and r.now != Where.NONE and Ask.ALL_GONE not in r.asked:
            assert row.verdict in (Verdict.STOP, Verdict.ASK, Verdict.NEW_EPISODE), r
        if row.verdict == Verdict.ASK:
            assert row.ask is not None and row.ask not in r.asked, r


def test_pain_back_after_recovery_is_never_the_stop_rule_by_itself() -> None:
    for r in ALL_READINGS:
        back = r.was == Where.NONE and r.now != Where.NONE and r.answer != Answer.WORSE
        if back and r.recovered:
            assert decide(r).verdict == Verdict.NEW_EPISODE, r


def test_a_reading_of_no_pain_without_a_confirmed_recovery_is_just_a_reading() -> None:
    """Issue 23, 4: no pain read once (not confirmed), then pain spreading to the foot is
    judged by the stop rule: the one plain question, never "a new episode"."""
    for r in ALL_READINGS:
        if r.was == Where.NONE and not r.recovered and r.answer != Answer.WORSE:
            assert decide(r).verdict != Verdict.NEW_EPISODE, r
            if r.reach == Move.FURTHER and Ask.WORSE not in r.asked:
                assert decide(r).ask == Ask.WORSE, r


def test_progress_never_moves_the_user_off_an_exercise_except_leg_pain_gone() -> None:
    for r in ALL_READINGS:
        row = decide(r)
        if row.verdict == Verdict.MOVE and r.progress:
            assert r.was == Where.LEG and r.now == Where.BACK, r


@pytest.mark.parametrize(
    ("reach", "pain", "before_reach", "before_pain", "move", "change", "now", "was"),
    [
        (Reach.THIGH, 4, Reach.CALF, 6, Move.CLOSER, Change.DOWN, Where.LEG, Where.LEG),
        (Reach.FOOT, 6, Reach.CALF, 5, Move.FURTHER, Change.SAME, Where.LEG, Where.LEG),
        (Reach.CALF, 8, Reach.CALF, 6, Move.SAME, Change.UP, Where.LEG, Where.LEG),
        (Reach.BACK_SIDE, 3, Reach.BUTTOCK, 3, Move.CLOSER, Change.SAME, Where.BACK, Where.LEG),
        (Reach.NONE, 0, Reach.BACK_CENTRE, 2, Move.CLOSER, Change.DOWN, Where.NONE, Where.BACK),
        (Reach.NONE, 3, Reach.BACK_CENTRE, 3, Move.CLOSER, Change.SAME, Where.BACK, Where.BACK),
        (Reach.BACK_SIDE, 2, Reach.NONE, 0, Move.FURTHER, Change.UP, Where.BACK, Where.NONE),
    ],
)
def test_a_check_in_is_measured_against_the_previous_one(
    reach: Reach,
    pain: int,
    before_reach: Reach,
    before_pain: int,
    move: Move,
    change: Change,
    now: Where,
    was: Where,
) -> None:
    r = read(
        stage=G,
        answer=Answer.NO_CHANGE,
        reach=reach,
        pain=pain,
        before_reach=before_reach,
        before_pain=before_pain,
        one_sided=True,
        stall=1,
    )
    assert (r.reach, r.pain, r.now, r.was) == (move, change, now, was)
    assert r.streak == (0 if r.progress else 2)


@pytest.mark.parametrize(
    ("tried", "result", "stage", "stop"),
    [
        ("none", "", P, False),
        ("press", "helped", H, False),
        ("press", "same", H, False),
        ("press", "worse", H, True),
        ("both", "helped", G, False),
        ("both", "same", G, False),
        ("both", "worse", G, True),
    ],
)
def test_the_starting_exercise(tried: str, result: str, stage: Stage, stop: bool) -> None:
    start = (ladder.Tried(tried), ladder.TriedResult(result) if result else None)
    assert ladder.starting_stage(*start, one_sided=True)[:2] == (stage, stop)
    assert ladder.starting_stage(*start, one_sided=False)[:2] == (P, False)


def test_the_readme_carries_the_table_as_the_code_has_it() -> None:
    readme = (Path(__file__).parent.parent / "docs" / "ladder.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- ladder table: generated -->\n(.*?)\n<!-- /ladder table -->", readme, re.S
    )
    assert block is not None, "docs/ladder.md lacks the generated ladder table"
    assert block.group(1).strip() == ladder.markdown().strip(), (
        "docs/ladder.md's ladder table is stale: paste the output of "
        "`python -m flows.ladder` between the markers"
    )


def _run(stage: Stage, pains: list[int], reaches: list[Reach], answers: list[Answer]) -> list[Row]:
    """Check-ins one after another as flows.checkin feeds them: the previous check-in
    and the progress point carried along."""
    rows: list[Row] = []
    before_reach, before_pain = reaches[0], pains[0]
    point_reach, point_pain, stall = before_reach, before_pain, 0
    for reach, pain, answer in zip(reaches[1:], pains[1:], answers, strict=True):
        r = read(
            stage=stage,
            answer=answer,
            reach=reach,
            pain=pain,
            before_reach=before_reach,
            before_pain=before_pain,
            point_reach=point_reach,
            point_pain=point_pain,
            one_sided=True,
            stall=stall,
        )
        rows.append(decide(r))
        if r.progress:
            point_reach, point_pain = reach, pain
        before_reach, before_pain, stall = reach, pain, r.streak
    return rows


def test_steady_easing_is_progress_never_a_stall() -> None:
    """Issue 23, 2: leg pain 7 -> 6 -> 5 -> 4 with "easing" on the side glide is read as
    progress each time; "back pain easing" 6 -> 5 -> 4 -> 3 -> 2 on press-ups too."""
    thigh = [Reach.THIGH] * 4
    rows = _run(G, [7, 6, 5, 4], thigh, [Answer.CENTRALIZING] * 3)
    assert [r.reason for r in rows] == [ladder.R_PROGRESS_GLIDE] * 3
    back = [Reach.BACK_SIDE] * 5
    rows = _run(B, [6, 5, 4, 3, 2], back, [Answer.BACK_EASING] * 4)
    assert [r.reason for r in rows] == [ladder.R_PROGRESS] * 4


def test_one_point_falls_with_no_change_tapped_count_at_two_from_the_point() -> None:
    """design.md: 7 -> 6 -> 5 with "no change" tapped counts as progress at 5."""
    rows = _run(G, [7, 6, 5], [Reach.CALF] * 3, [Answer.NO_CHANGE] * 2)
    assert [r.verdict for r in rows] == [Verdict.CONTINUE, Verdict.CONTINUE]
    assert rows[0].reason == ladder.R_FAIR_TRIAL and rows[1].reason == ladder.R_PROGRESS_GLIDE


def test_easing_without_numbers_is_never_contradicted() -> None:
    rows = _run(P, [5, 5], [Reach.BACK_SIDE] * 2, [Answer.BACK_EASING])
    assert rows[0].reason == ladder.R_EASING


def test_no_change_at_the_same_numbers_still_stalls() -> None:
    rows = _run(P, [5, 5, 5, 5], [Reach.THIGH] * 4, [Answer.NO_CHANGE] * 3)
    assert rows[-1].reason == ladder.R_STALL_TO_HIPS


@settings(max_examples=400, deadline=None)
@given(
    stage=st.sampled_from(list(Stage)),
    start=st.integers(min_value=1, max_value=10),
    falls=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=10),
    answers=st.lists(
        st.sampled_from([Answer.NO_CHANGE, Answer.CENTRALIZING, Answer.BACK_EASING]),
        min_size=10,
        max_size=10,
    ),
    reach=st.sampled_from([r for r in Reach if r != Reach.NONE]),
)
def test_pain_that_keeps_falling_at_a_reach_never_further_is_never_a_stall(
    stage: Stage, start: int, falls: list[int], answers: list[Answer], reach: Reach
) -> None:
    """A property (issue 23): pain lower at every check-in, the reach never further: no
    row ever reads it as a stall, whatever non-worse answer was tapped."""
    pains = [start]
    for fall in falls:
        pains.append(max(0, pains[-1] - fall))
    pains = [p for i, p in enumerate(pains) if i == 0 or p < pains[i - 1]]
    rows = _run(stage, pains, [reach] * len(pains), answers[: len(pains) - 1])
    stall_rows = {r for r in RULES if r.stalled}
    assert not any(row in stall_rows for row in rows)
