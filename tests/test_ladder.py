"""The decision table, row by row, and the properties no row may break."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from flows import ladder
from flows.ladder import RULES, Ask, Change, Move, Reading, Stage, Verdict, Where, decide, read
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
) -> Reading:
    return Reading(stage, answer, reach, pain, now, was, one_sided, streak, N, asked)


W = frozenset({Ask.WORSE})
# one reading per row that the row decides (and no earlier row does): the row's number,
# then what the user sees happen
EXAMPLES: list[tuple[int, Reading, Verdict, Stage | None]] = [
    (1, reading(answer=Answer.WORSE, reach=Move.CLOSER), Verdict.STOP, None),
    (2, reading(was=Where.NONE, reach=Move.FURTHER, now=Where.BACK), Verdict.NEW_EPISODE, None),
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
    (20, reading(stage=G, streak=N - 1), Verdict.CONTINUE, G),
    (20, reading(stage=P, streak=1, answer=Answer.BACK_EASING), Verdict.CONTINUE, P),
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
    Reading(stage, answer, move, change, now, was, one_sided, streak, N, frozenset(asked))
    for stage, answer, move, change, now, was, one_sided, streak, asked in itertools.product(
        Stage,
        Answer,
        Move,
        Change,
        Where,
        Where,
        (True, False),
        (0, 1, N),
        [(), (Ask.WORSE,), (Ask.ALL_GONE,), (Ask.LEG_GONE,), tuple(Ask)],
    )
]


def test_the_stop_rule_wins_over_every_other_row() -> None:
    for r in ALL_READINGS:
        row = decide(r)
        if r.answer == Answer.WORSE:
            assert row.verdict == Verdict.STOP, r
        # numbers that say worse never carry on without the one plain question
        numbers_worse = r.reach == Move.FURTHER or (r.pain == Change.UP and r.now == Where.LEG)
        if numbers_worse and Ask.WORSE not in r.asked and r.was != Where.NONE:
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
        if r.was == Where.NONE and r.now != Where.NONE and r.answer != Answer.WORSE:
            assert decide(r).verdict == Verdict.NEW_EPISODE, r


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
    assert ladder.starting_stage(tried, result, one_sided=True)[:2] == (stage, stop)
    assert ladder.starting_stage(tried, result, one_sided=False)[:2] == (P, False)


def test_the_readme_carries_the_table_as_the_code_has_it() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- ladder table: generated -->\n(.*?)\n<!-- /ladder table -->", readme, re.S
    )
    assert block is not None, "README.md lacks the generated ladder table"
    assert block.group(1).strip() == ladder.markdown().strip(), (
        "the README's ladder table is stale: paste the output of "
        "`python -m flows.ladder` between the markers"
    )
