"""The progression rules as a table: (rung, answer, reach, counters) -> (rung, reason)."""

from __future__ import annotations

import pytest

from flows.model import Answer, Reach, Rung
from flows.rules import (
    R_ALL_GONE,
    R_CENTRALIZING,
    R_LADDER_DONE,
    R_LEG_GONE_FROM_GLIDE,
    R_LEG_GONE_STAY,
    R_LEG_GONE_TO_PRESS,
    R_NO_CHANGE_UP,
    R_NO_CHANGE_WAIT,
    R_SPREAD,
    R_STALL,
    R_WORSE,
    Rules,
    Verdict,
    decide,
    next_rung,
)

P, H, G, F, PT = (
    Rung.PRESS_UPS,
    Rung.HIPS_OFF_CENTRE,
    Rung.SIDE_GLIDE,
    Rung.FLEXION_ROTATION,
    Rung.SEE_PT,
)
C, LG, NC, W, AG = (
    Answer.CENTRALIZING,
    Answer.LEG_GONE,
    Answer.NO_CHANGE,
    Answer.WORSE,
    Answer.ALL_GONE,
)

# rung, answer, reach, previous reach, no_change, stall -> verdict, rung, no_change, stall, reason
TABLE = [
    (G, C, Reach.THIGH, Reach.CALF, 0, 2, Verdict.CONTINUE, G, 0, 0, R_CENTRALIZING),
    (G, C, Reach.CALF, Reach.CALF, 0, 0, Verdict.CONTINUE, G, 0, 1, R_CENTRALIZING),
    (G, C, Reach.CALF, Reach.CALF, 0, 2, Verdict.CONTINUE, F, 0, 0, R_STALL),
    # the pain reaching further down is peripheralizing, whatever the button said
    (G, C, Reach.FOOT, Reach.CALF, 2, 2, Verdict.HALT, G, 0, 0, R_SPREAD),
    (P, NC, Reach.CALF, Reach.THIGH, 1, 0, Verdict.HALT, P, 0, 0, R_SPREAD),
    (H, AG, Reach.BUTTOCK, Reach.BACK_SIDE, 0, 0, Verdict.HALT, H, 0, 0, R_SPREAD),
    # leg pain gone by the reach answer on the side glide: back to straight press-ups
    (G, C, Reach.BACK_SIDE, Reach.THIGH, 0, 1, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_FROM_GLIDE),
    (G, NC, Reach.BACK_CENTRE, Reach.FOOT, 1, 1, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_FROM_GLIDE),
    # ...but not from the buttock (not the leg), and not on other rungs
    (G, C, Reach.BACK_SIDE, Reach.BUTTOCK, 0, 1, Verdict.CONTINUE, G, 0, 0, R_CENTRALIZING),
    (H, C, Reach.BACK_SIDE, Reach.THIGH, 0, 0, Verdict.CONTINUE, H, 0, 0, R_CENTRALIZING),
    (G, NC, Reach.CALF, Reach.CALF, 2, 2, Verdict.CONTINUE, F, 0, 0, R_NO_CHANGE_UP),
    # a "no change" that is not the 3rd in a row, on a stalled glide: the stall's reason
    (G, NC, Reach.CALF, Reach.CALF, 0, 2, Verdict.CONTINUE, F, 0, 0, R_STALL),
    (G, LG, Reach.BACK_SIDE, Reach.CALF, 2, 2, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_FROM_GLIDE),
    (P, LG, Reach.BACK_SIDE, Reach.CALF, 1, 0, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_STAY),
    (H, LG, Reach.BACK_SIDE, Reach.CALF, 1, 0, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_TO_PRESS),
    (F, LG, Reach.BACK_SIDE, Reach.CALF, 1, 0, Verdict.CONTINUE, P, 0, 0, R_LEG_GONE_TO_PRESS),
    (P, NC, Reach.THIGH, Reach.THIGH, 0, 0, Verdict.CONTINUE, P, 1, 0, R_NO_CHANGE_WAIT),
    (P, NC, Reach.THIGH, Reach.THIGH, 2, 0, Verdict.CONTINUE, H, 0, 0, R_NO_CHANGE_UP),
    (H, NC, Reach.THIGH, Reach.THIGH, 2, 0, Verdict.CONTINUE, G, 0, 0, R_NO_CHANGE_UP),
    (F, NC, Reach.THIGH, Reach.THIGH, 2, 0, Verdict.SEE_PT, PT, 0, 0, R_LADDER_DONE),
    (P, C, Reach.THIGH, Reach.THIGH, 2, 0, Verdict.CONTINUE, P, 0, 0, R_CENTRALIZING),
    (F, C, Reach.THIGH, Reach.THIGH, 0, 0, Verdict.CONTINUE, F, 0, 0, R_CENTRALIZING),
    (G, W, Reach.FOOT, Reach.CALF, 1, 1, Verdict.HALT, G, 0, 0, R_WORSE),
    (P, W, Reach.FOOT, Reach.CALF, 1, 1, Verdict.HALT, P, 0, 0, R_WORSE),
    (H, AG, Reach.NONE, Reach.CALF, 1, 1, Verdict.RECOVERED, H, 0, 0, R_ALL_GONE),
]


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r[0]}-{r[1]}-{r[10][:20]}")
def test_rules_table(row: tuple) -> None:  # type: ignore[type-arg]
    rung, answer, reach, prev, nc, st, verdict, to, nc2, st2, reason = row
    d = decide(
        rung=rung,
        one_sided=True,
        answer=answer,
        reach=reach,
        previous_reach=prev,
        no_change=nc,
        stall=st,
        rules=Rules(),
    )
    assert (d.verdict, d.rung, d.no_change, d.stall, d.reason) == (verdict, to, nc2, st2, reason)


def test_without_a_painful_side_press_ups_lead_to_a_pt() -> None:
    assert next_rung(P, one_sided=False) == PT
    assert [next_rung(r, True) for r in (P, H, G, F, PT)] == [H, G, F, PT, PT]


def test_reasons_name_the_exercise() -> None:
    d = decide(
        rung=P,
        one_sided=True,
        answer=NC,
        reach=Reach.THIGH,
        previous_reach=None,
        no_change=2,
        stall=0,
        rules=Rules(),
    )
    assert d.params["next_exercise"] == "press-ups with hips off centre"
