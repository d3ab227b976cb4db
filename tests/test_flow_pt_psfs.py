"""A PT's prescription and the functional scale, on the pure engine.

The prescription arrives as `Prescribed` (bot.sharing checked the share): it is
recorded at once, applied now or after the set under way, and never lifts a hold.
"""

from __future__ import annotations

from flows import ladder
from flows import texts as t
from flows.effects import RecordPrescription, RecordPsfs, RecordRungChange, Stopped
from flows.events import Prescribed
from flows.model import Prescription, Rung, Side
from flows.session import Hold, Session, State
from tests.flowkit import Script

GLIDE_LEFT = Prescription(Rung.SIDE_GLIDE, wall=Side.LEFT, reps=12)


def now(s: Script) -> Session:
    """The session as it is now: mypy keeps what an earlier assert narrowed
    `s.session.state` to across the calls that changed it; a call's result it does not."""
    return s.session


def test_a_prescription_reverses_the_wall_shoulder_and_sets_the_dose() -> None:
    s = Script().onboard(side="left")  # left pain: the RIGHT shoulder goes to the wall
    s.press("later")
    assert s.session.glide_shoulder == Side.RIGHT
    s.send(Prescribed(GLIDE_LEFT, pt_id=77))
    assert RecordPrescription(prescription=GLIDE_LEFT, pt_id=77) in s.effects
    assert t.PT_RX in s.texts() and t.PT_RX_WALL_LEFT in s.texts()
    assert now(s).glide_shoulder == Side.LEFT
    s.cmd("exercise")
    if s.session.state == State.PRESET:
        s.press("nothing")
    shown = " ".join(str(say.params) + say.text for say in s.says())
    assert "12" in shown


def test_during_a_set_the_prescription_waits_for_the_check_in() -> None:
    s = Script().onboard(side="left")
    s.press("start")
    assert s.session.state == State.STEP
    s.send(Prescribed(Prescription(Rung.PRESS_UPS), pt_id=77))
    assert t.PT_RX_AFTER_SET in s.texts()
    assert s.of(RecordPrescription)  # recorded at once
    assert s.session.state == State.STEP  # the set goes on, unchanged
    assert s.session.rung == Rung.SIDE_GLIDE
    s.steps().checkin("centralizing", "5", "buttock")
    assert now(s).rung == Rung.PRESS_UPS
    moved = [e for e in s.all_of(RecordRungChange) if e.reason == ladder.R_PT_PRESCRIBED]
    assert moved and moved[-1].to_rung == Rung.PRESS_UPS


def test_a_prescription_never_lifts_the_stop_rule() -> None:
    s = Script().onboard(side="left")
    s.press("start").steps().checkin("worse", "7", "thigh")
    assert s.session.safety.hold == Hold.STOP_RULE
    stops = s.all_of(Stopped)  # once, when the hold began
    assert len(stops) == 1 and stops[0].reason == ladder.R_WORSE
    s.send(Prescribed(GLIDE_LEFT, pt_id=77))
    assert s.session.safety.hold == Hold.STOP_RULE
    assert t.PT_RX_HELD in s.texts()
    assert len(s.all_of(Stopped)) == 1  # the same hold is not reported twice
    s.cmd("exercise")
    assert s.session.state != State.STEP


def test_a_prescription_never_lifts_a_red_flag() -> None:
    s = Script().cmd("start").press("ok", "yes")
    assert s.session.state == State.REDFLAG
    s.send(Prescribed(GLIDE_LEFT, pt_id=77))
    assert s.session.safety.red_flag is not None
    assert t.PT_RX_RED_FLAG in s.texts()


def test_psfs_is_offered_once_then_weekly_and_rated_from_a_list() -> None:
    s = Script().onboard(side="left")
    s.press("start").steps().checkin("centralizing", "5", "buttock")
    assert t.PSFS_OFFER in s.texts()
    s.do_set().checkin("centralizing", "4", "buttock")
    assert t.PSFS_OFFER not in s.texts()  # once

    s.cmd("psfs")
    assert s.session.state == State.PSFS_PICK
    s.press("walk", "sit")
    offered = [c.value for c in s.says()[-1].choices]
    assert "walk" not in offered and "sit" not in offered  # picked ones go away
    s.press("done")
    assert now(s).state == State.PSFS_RATE
    s.press("3")
    s.type("6")  # a typed number counts too
    saved = s.of(RecordPsfs)
    assert saved, s.texts()
    ratings = saved[0].ratings
    assert [(r.activity, r.score) for r in ratings] == [("walk", 3), ("sit", 6)]

    s.wait(24 * 8)
    s.do_set().checkin("centralizing", "4", "buttock")
    assert t.PSFS_DUE in s.texts()
    s.cmd("psfs")  # the same activities again, straight to the ratings
    assert now(s).state == State.PSFS_RATE


def test_psfs_not_now_keeps_nothing() -> None:
    s = Script().onboard(side="left")
    s.press("later").cmd("psfs").press("cancel")
    assert t.PSFS_LATER in s.texts()
    assert not s.all_of(RecordPsfs)
    assert s.session.psfs.activities == ()
