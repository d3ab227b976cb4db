"""The PT's conversation (flows.clinician.desk) held to its table, walked like the patient's.

The walk presses every value each screen offers and values it never offers,
at every place a button can carry and with every answer storage can give
(share live or not, each hold, one-sided or not). Each reply must be one its
row declares, and the rules a clinician's trust rests on must hold whatever
was pressed: nothing without a live share, no lift over a warning sign, no
shoulder guessed, every button's data fitting Telegram's 64 bytes and read
back to the same place.
"""

from __future__ import annotations

import dataclasses

import pytest

from flows import texts as t
from flows.catalogue import EXERCISES
from flows.clinician import desk as d
from flows.clinician import graph
from flows.clinician import texts as st
from flows.clinician.desk import SCREENS, Desk, Facts, Screen, Wall, pack, unpack
from flows.clinician.graph import Pressed
from flows.model import Rung
from flows.session import Hold

ACTS_ON_A_SHARE = (d.Chart, d.Report, d.Prescribe, d.LiftHold)


def names(targets: frozenset[d.Target]) -> list[str]:
    return sorted(x.value if isinstance(x, Screen) else x.__name__ for x in targets)


def broken_rule(p: Pressed) -> str | None:
    """What is wrong with one press, or None."""
    entry, reply = SCREENS[p.desk.screen], p.reply
    if entry.on_share and not p.facts.live:
        return None if reply == d.Tell(st.NOT_SHARED) else "answered without a live share"
    declared = p.declared
    if declared is None:
        return None if reply == d.Tell(st.OLD_BUTTON) else "no row took it, yet it acted"
    if p.went not in declared:
        return f"led to {names(frozenset({p.went}))[0]}, its row declares {names(declared)}"
    if isinstance(reply, ACTS_ON_A_SHARE) and reply.share != int(p.desk.ref):
        return "acted on another share than the button's"
    if isinstance(reply, d.LiftHold | d.Prescribe):
        return _treatment_rule(p, reply)
    if isinstance(reply, d.Asked):
        return _buttons_rule(reply)
    return None


def _treatment_rule(p: Pressed, reply: d.LiftHold | d.Prescribe) -> str | None:
    rx = reply.rx
    if rx.rung not in t.EXERCISE_BUTTONS:
        return f"an exercise no PT can choose: {rx.rung}"
    if isinstance(reply, d.LiftHold):
        if p.facts.hold not in (Hold.STOP_RULE, Hold.SEE_PT):
            return f"a lift with the exercises held by {p.facts.hold}"
        if rx.rung == Rung.SIDE_GLIDE and rx.wall is None and not p.facts.one_sided:
            return "a shoulder guessed for centre or both-sided pain"
        return None
    if rx.reps is not None and (rx.reps not in d.REPS_CHOICES or EXERCISES[rx.rung].reps is None):
        return f"a dose the sources do not give: {rx.reps}"
    return None


def _buttons_rule(asked: d.Asked) -> str | None:
    for choice in asked.choices:
        data = pack(asked.desk, choice.value)
        if len(("p:" + data).encode()) > 64:
            return f"button data over 64 bytes: {data}"
        if unpack(data) != (asked.desk, choice.value):
            return f"button data not read back: {data}"
    return None


def test_the_table_has_no_dangling_or_unreachable_screen() -> None:
    assert graph.problems() == []


def test_a_screen_nothing_opens_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    card = SCREENS[Screen.CARD]
    rows = tuple(row for row in card.answers if Screen.RX_EXERCISE not in row.to)
    monkeypatch.setitem(SCREENS, Screen.CARD, dataclasses.replace(card, answers=rows))
    assert set(graph.problems()) == {f"unreachable screen: {s}" for s in ("rx", "rxwall", "reps")}


def test_every_press_keeps_to_its_row_and_the_rules() -> None:
    broken: dict[str, Pressed] = {}
    rows_used: set[tuple[Screen, str]] = set()
    count = 0
    for pressed in graph.walk():
        count += 1
        problem = broken_rule(pressed)
        if problem is not None:
            broken.setdefault(problem, pressed)
        if pressed.declared is not None:
            rows_used.add((pressed.desk.screen, str(names(pressed.declared))))
    assert broken == {}
    assert count > 20_000
    every_row = {(s, str(names(r.to))) for s, e in SCREENS.items() for r in e.answers}
    assert rows_used == every_row, "every row of the table was taken by some press"


def test_a_row_that_leads_where_it_does_not_say_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    card = SCREENS[Screen.CARD]
    rows = tuple(
        dataclasses.replace(row, to=frozenset({d.Tell})) if "rx" in row.values else row
        for row in card.answers
    )
    monkeypatch.setitem(SCREENS, Screen.CARD, dataclasses.replace(card, answers=rows))
    live = Facts(live=True)
    pressed = Pressed(
        Desk(Screen.CARD, "7"), "rx", live, d.answer(Desk(Screen.CARD, "7"), "rx", live)
    )
    assert broken_rule(pressed) == "led to rx, its row declares ['Tell']"


@pytest.mark.parametrize("hold", [Hold.RED_FLAG])
def test_no_lift_over_a_warning_sign_at_any_step(hold: Hold) -> None:
    facts = Facts(live=True, hold=hold, one_sided=True)
    for desk, value in (
        (Desk(Screen.CARD, "7"), "lift"),
        (Desk(Screen.LIFT_EXERCISE, "7"), "press_ups"),
        (Desk(Screen.LIFT_WALL, "7", Rung.SIDE_GLIDE), "k"),
    ):
        assert d.answer(desk, value, facts) == d.Tell(st.LIFT_RED_FLAG)


def test_a_lift_button_from_before_the_patient_went_on_is_an_old_button() -> None:
    for desk, value in (
        (Desk(Screen.CARD, "7"), "lift"),
        (Desk(Screen.LIFT_EXERCISE, "7"), "press_ups"),
        (Desk(Screen.LIFT_WALL, "7", Rung.SIDE_GLIDE), "l"),
    ):
        assert d.answer(desk, value, Facts(live=True)) == d.Tell(st.OLD_BUTTON)


def test_the_card_offers_a_lift_only_where_a_pt_may_lift() -> None:
    def offered(hold: Hold | None) -> list[str]:
        facts = Facts(live=True, hold=hold)
        return [c.value for c in SCREENS[Screen.CARD].buttons(Desk(Screen.CARD, "7"), facts)]

    assert "lift" in offered(Hold.STOP_RULE) and "lift" in offered(Hold.SEE_PT)
    assert "lift" not in offered(Hold.RED_FLAG) and "lift" not in offered(None)


def test_a_prescription_walks_exercise_wall_reps() -> None:
    live = Facts(live=True)
    first = d.answer(Desk(Screen.CARD, "7"), "rx", live)
    assert isinstance(first, d.Asked) and first.desk == Desk(Screen.RX_EXERCISE, "7")
    wall = d.answer(first.desk, Rung.SIDE_GLIDE.value, live)
    assert isinstance(wall, d.Asked) and wall.desk.screen == Screen.RX_WALL
    reps = d.answer(wall.desk, Wall.LEFT, live)
    assert isinstance(reps, d.Asked) and reps.desk.wall == Wall.LEFT
    done = d.answer(reps.desk, "12", live)
    assert isinstance(done, d.Prescribe) and done.share == 7
    assert (done.rx.rung, done.rx.reps) == (Rung.SIDE_GLIDE, 12)
    assert done.rx.wall is not None and done.rx.wall.value == "left"


@pytest.mark.parametrize(
    "data",
    [
        "c:x12",  # the buttons before this table, forged
        "w:12:see_pt:l",  # no PT chooses "see a PT"
        "d:12:press_ups:q:8",
        "q:12",
        "card:12::",  # four fields
        "card:x12:::chart",  # a share screen names a share by number
        "rx:12:see_pt::press_ups",  # no PT chooses "see a PT"
        "nope:12:::chart",
        "card:" + "9" * 60 + ":::chart",  # longer than a button can carry
    ],
)
def test_data_no_button_of_ours_carries_is_not_read(data: str) -> None:
    assert unpack(data) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("c:12", (Desk(Screen.CARD, "12"), "chart")),
        ("r:12", (Desk(Screen.CARD, "12"), "report")),
        ("x:12", (Desk(Screen.CARD, "12"), "rx")),
        ("l:12", (Desk(Screen.CARD, "12"), "lift")),
        ("v:12", (Desk(Screen.SHARING, "12"), "stop")),
        ("e:12:side_glide", (Desk(Screen.RX_EXERCISE, "12"), "side_glide")),
        ("w:12:side_glide:l", (Desk(Screen.RX_WALL, "12", Rung.SIDE_GLIDE), "l")),
        ("d:12:press_ups:k:8", (Desk(Screen.RX_REPS, "12", Rung.PRESS_UPS, Wall.KEEP), "8")),
        ("m:12:press_ups", (Desk(Screen.LIFT_EXERCISE, "12"), "press_ups")),
        ("o:12:side_glide:r", (Desk(Screen.LIFT_WALL, "12", Rung.SIDE_GLIDE), "r")),
        ("y:AbCdEfGhIjKlMnOpQrStUv", (Desk(Screen.LINK, "AbCdEfGhIjKlMnOpQrStUv"), "yes")),
        ("n:-", (Desk(Screen.LINK, ""), "no")),
        ("z:UTC+1", (Desk(Screen.ZONE), "UTC+1")),
        ("f:y", (Desk(Screen.FORGET), "delete")),
        ("f:n", (Desk(Screen.FORGET), "keep")),
    ],
)
def test_the_buttons_made_before_the_table_still_work(old: str, new: tuple[Desk, str]) -> None:
    """Cards, alerts and summaries already in chats carry the older data: read into the
    same place, they go through the same table and the same checks."""
    assert unpack(old) == new
