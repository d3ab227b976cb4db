"""The physical therapist's conversation as a table: each screen's question, its buttons,
and where each answer leads (a next question, or an act for the outside world).

A PT has one card per patient on screen at once, so this conversation keeps no
state of its own: each button carries its place (`Desk`: which screen, which
share or link, the answers so far) and the presser's rights are read from
storage at the press (`Facts`), never from the button: a button names a share
and grants nothing. `answer` is the one dispatch; flows.graph reads `SCREENS`
to validate and draw it, and walks it like the patient's conversation.

An answer is either `Asked` (the next screen's question) or an act that
bot.sharing.clinic carries out with storage, the coach and the files: a chart,
a report, a prescription, a lifted hold, a revoke, a confirmed link, a time
zone, a clinician's /forget, or a plain reply (`Tell`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from flows import remind
from flows import texts as t
from flows.catalogue import EXERCISES, REPS
from flows.clinician import texts as st
from flows.effects import Choice
from flows.model import Prescription, Rung, Side
from flows.session import Hold

REPS_CHOICES = (5, 8, 10, 12, 15)
MAX_DATA = 62  # Telegram's 64 bytes of callback data, less the adapter's "p:"


class Screen(StrEnum):
    """Where a press comes from; the values ride in the buttons, so they stay short."""

    LINK = "link"  # after /start <code>: are you <name>'s physical therapist?
    ZONE = "zone"  # a new PT's time zone, for the Monday summary
    FORGET = "forget"  # a clinician's /forget
    SHARING = "sharing"  # the patient's /sharing: stop sharing with <pt>
    ALERT = "alert"  # a letter about a patient: chart, report
    CARD = "card"  # /patients: chart, report, set the exercise, lift the pause
    RX_EXERCISE = "rx"
    RX_WALL = "rxwall"
    RX_REPS = "reps"
    LIFT_EXERCISE = "lift"
    LIFT_WALL = "liftwall"


class Wall(StrEnum):
    LEFT = "l"
    RIGHT = "r"
    KEEP = "k"  # as now (a prescription) or the usual pain-free side (a lift)

    @property
    def side(self) -> Side | None:
        return {Wall.LEFT: Side.LEFT, Wall.RIGHT: Side.RIGHT}.get(self)


@dataclass(frozen=True, slots=True)
class Desk:
    """A screen and what the PT chose on the way to it: carried in its buttons."""

    screen: Screen
    ref: str = ""  # the share's id, or the link's code
    rung: Rung | None = None
    wall: Wall | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What storage says at the press, about the share the button names."""

    live: bool = False  # the presser holds that share live right now
    hold: Hold | None = None  # the patient's exercises are held, and why
    one_sided: bool = False  # "the usual pain-free side" exists


NOBODY = Facts()


# --- what an answer comes to -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Asked:
    """The next question: its screen (with the answers so far) and its buttons."""

    desk: Desk
    text: str
    choices: tuple[Choice, ...]
    columns: int
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tell:
    """A plain reply: a refusal, a declined link, nothing deleted."""

    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    share: int


@dataclass(frozen=True, slots=True)
class Report:
    share: int


@dataclass(frozen=True, slots=True)
class Prescribe:
    share: int
    rx: Prescription


@dataclass(frozen=True, slots=True)
class LiftHold:
    share: int
    rx: Prescription


@dataclass(frozen=True, slots=True)
class Revoke:
    share: int


@dataclass(frozen=True, slots=True)
class Confirm:
    code: str


@dataclass(frozen=True, slots=True)
class SetZone:
    tz: str


@dataclass(frozen=True, slots=True)
class ForgetMe:
    """A clinician who is not a patient here deletes what is kept about them."""


Act = Tell | Chart | Report | Prescribe | LiftHold | Revoke | Confirm | SetZone | ForgetMe
Reply = Asked | Act
Target = Screen | type[Act]
Run = Callable[[Desk, str, Facts], Reply]


@dataclass(frozen=True, slots=True)
class Row:
    """One answer: the button values it takes (empty: any value the screen offers), the
    named handler, and every screen or act it may lead to (held by tests/test_desk)."""

    values: frozenset[str]
    run: Run
    to: frozenset[Target]

    @property
    def label(self) -> str:
        return "/".join(sorted(self.values)) or "any"


def on(values: str | Iterable[str], run: Run, *to: Target) -> Row:
    return Row(frozenset({values} if isinstance(values, str) else values), run, frozenset(to))


def on_any(run: Run, *to: Target) -> Row:
    return Row(frozenset(), run, frozenset(to))


@dataclass(frozen=True, slots=True)
class Entry:
    ask: str  # the question's msgid (a card's and an alert's text is the clinic's)
    buttons: Callable[[Desk, Facts], tuple[Choice, ...]]
    answers: tuple[Row, ...]
    columns: int = 1
    on_share: bool = False  # the presser must hold the share live right now
    entered_by: str = ""  # how the screen opens from outside the table, for the diagram
    rungs: frozenset[Rung] = frozenset()  # if any: the exercises its place may carry

    def row(self, desk: Desk, value: str, facts: Facts) -> Row | None:
        """The row that answers `value`: its own, else an open row if the screen offers
        `value` now. A forged or out-of-date value, or a place no button of ours
        carries, has no row."""
        if self.rungs and desk.rung not in self.rungs:
            return None
        for row in self.answers:
            if value in row.values:
                return row
        offered = {c.value for c in self.buttons(desk, facts)}
        open_rows = [row for row in self.answers if not row.values]
        return open_rows[0] if open_rows and value in offered else None


# --- the handlers --------------------------------------------------------------------------


def _share(desk: Desk) -> int:
    return int(desk.ref)


def ask(desk: Desk, facts: Facts) -> Asked:
    entry = SCREENS[desk.screen]
    return Asked(desk, entry.ask, entry.buttons(desk, facts), entry.columns, {"reps": REPS})


def _chart(desk: Desk, value: str, facts: Facts) -> Reply:
    return Chart(_share(desk))


def _report(desk: Desk, value: str, facts: Facts) -> Reply:
    return Report(_share(desk))


def _prescribing(desk: Desk, value: str, facts: Facts) -> Reply:
    return ask(Desk(Screen.RX_EXERCISE, desk.ref), facts)


def _rx_exercise(desk: Desk, value: str, facts: Facts) -> Reply:
    rung = Rung(value)
    if rung == Rung.SIDE_GLIDE:
        return ask(Desk(Screen.RX_WALL, desk.ref, rung), facts)
    return _dose(replace(desk, rung=rung, wall=Wall.KEEP), facts)


def _rx_wall(desk: Desk, value: str, facts: Facts) -> Reply:
    return _dose(replace(desk, wall=Wall(value)), facts)


def _dose(desk: Desk, facts: Facts) -> Reply:
    """The repetitions, where the sources give a dose; else the prescription as it is."""
    assert desk.rung is not None
    if EXERCISES[desk.rung].reps is None:
        return _prescribe(desk, None)
    return ask(replace(desk, screen=Screen.RX_REPS), facts)


def _rx_reps(desk: Desk, value: str, facts: Facts) -> Reply:
    count = int(value)
    return _prescribe(desk, count if count in REPS_CHOICES else None)


def _prescribe(desk: Desk, reps: int | None) -> Reply:
    assert desk.rung is not None
    wall = desk.wall.side if desk.wall is not None else None
    return Prescribe(_share(desk), Prescription(rung=desk.rung, wall=wall, reps=reps))


def _held_now(run: Run) -> Run:
    """Every lift step checks the hold again (it may have changed since the card): a
    warning sign is lifted by a doctor and the patient's clean re-screen, never by a
    tap here; nothing held any more (the patient went on) makes the button an old one."""

    def guarded(desk: Desk, value: str, facts: Facts) -> Reply:
        if facts.hold == Hold.RED_FLAG:
            return Tell(st.LIFT_RED_FLAG)
        if facts.hold is None:
            return Tell(st.OLD_BUTTON)
        return run(desk, value, facts)

    guarded.__name__ = run.__name__
    return guarded


@_held_now
def _lifting(desk: Desk, value: str, facts: Facts) -> Reply:
    return ask(Desk(Screen.LIFT_EXERCISE, desk.ref), facts)


@_held_now
def _lift_exercise(desk: Desk, value: str, facts: Facts) -> Reply:
    rung = Rung(value)
    if rung == Rung.SIDE_GLIDE:
        return ask(Desk(Screen.LIFT_WALL, desk.ref, rung), facts)
    return LiftHold(_share(desk), Prescription(rung=rung))


@_held_now
def _lift_wall(desk: Desk, value: str, facts: Facts) -> Reply:
    assert desk.rung is not None
    return LiftHold(_share(desk), Prescription(rung=desk.rung, wall=Wall(value).side))


def _confirm(desk: Desk, value: str, facts: Facts) -> Reply:
    return Confirm(desk.ref)


def _declined(desk: Desk, value: str, facts: Facts) -> Reply:
    return Tell(st.LINK_DECLINED)


def _zone(desk: Desk, value: str, facts: Facts) -> Reply:
    return SetZone(value)


def _forget(desk: Desk, value: str, facts: Facts) -> Reply:
    return ForgetMe()


def _kept(desk: Desk, value: str, facts: Facts) -> Reply:
    return Tell(st.KEPT)


def _revoke(desk: Desk, value: str, facts: Facts) -> Reply:
    return Revoke(_share(desk))


# --- the buttons ---------------------------------------------------------------------------


def _fixed(*choices: Choice) -> Callable[[Desk, Facts], tuple[Choice, ...]]:
    return lambda desk, facts: choices


_EXERCISES = tuple(Choice(rung.value, label) for rung, label in t.EXERCISE_BUTTONS.items())
_FILES = (Choice("chart", st.B_CHART), Choice("report", st.B_REPORT))
_WALLS = (Choice(Wall.LEFT, t.B_PT_WALL_LEFT), Choice(Wall.RIGHT, t.B_PT_WALL_RIGHT))


def _card(desk: Desk, facts: Facts) -> tuple[Choice, ...]:
    """ "Lift the pause" only where a PT may lift it: the stop rule or "see a PT"."""
    lift = (Choice("lift", st.B_LIFT),) if facts.hold in (Hold.STOP_RULE, Hold.SEE_PT) else ()
    return (*_FILES, Choice("rx", st.B_PRESCRIBE), *lift)


def _lift_walls(desk: Desk, facts: Facts) -> tuple[Choice, ...]:
    """ "The usual" only for one-sided pain (design.md: for centre or both-sided pain
    the shoulder comes from a clinician only)."""
    usual = (Choice(Wall.KEEP, t.B_PT_WALL_USUAL),) if facts.one_sided else ()
    return (*_WALLS, *usual)


_GLIDE = frozenset({Rung.SIDE_GLIDE})
_DOSED = frozenset(rung for rung in t.EXERCISE_BUTTONS if EXERCISES[rung].reps is not None)
_REPS = (
    *(Choice(str(n), str(n), literal=True) for n in REPS_CHOICES),
    Choice("0", st.B_RX_REPS_KEEP),
)


# --- the table -----------------------------------------------------------------------------

FILES = (on("chart", _chart, Chart), on("report", _report, Report))

SCREENS: dict[Screen, Entry] = {
    Screen.LINK: Entry(
        ask=st.LINK_CONFIRM,
        buttons=_fixed(Choice("yes", st.B_I_AM), Choice("no", st.B_NOT_ME)),
        answers=(on("yes", _confirm, Confirm), on("no", _declined, Tell)),
        columns=2,
        entered_by="/start with a link's code",
    ),
    Screen.ZONE: Entry(
        ask=st.ASK_PT_TZ,
        buttons=_fixed(*(Choice(tz, tz, literal=True) for tz in remind.TZ_CHOICES)),
        answers=(on_any(_zone, SetZone),),
        columns=4,
        entered_by="a PT's first confirmed link",
    ),
    Screen.FORGET: Entry(
        ask=st.ASK_PT_FORGET,
        buttons=_fixed(Choice("delete", st.B_DELETE), Choice("keep", st.B_KEEP)),
        answers=(on("delete", _forget, ForgetMe), on("keep", _kept, Tell)),
        columns=2,
        entered_by="/forget from a clinician who is not a patient",
    ),
    Screen.SHARING: Entry(
        ask=st.SHARING_ONE,
        buttons=_fixed(Choice("stop", st.B_REVOKE)),
        answers=(on("stop", _revoke, Revoke),),
        entered_by="/sharing",
    ),
    Screen.ALERT: Entry(
        ask=st.ALERT,
        buttons=_fixed(*_FILES),
        answers=FILES,
        columns=2,
        on_share=True,
        entered_by="a stop, the patient's go-on, the weekly summary",
    ),
    Screen.CARD: Entry(
        ask=st.PATIENT_CARD,
        buttons=_card,
        answers=(
            *FILES,
            on("rx", _prescribing, Screen.RX_EXERCISE),
            on("lift", _lifting, Screen.LIFT_EXERCISE, Tell),
        ),
        columns=2,
        on_share=True,
        entered_by="/patients",
    ),
    Screen.RX_EXERCISE: Entry(
        ask=st.ASK_RX_EXERCISE,
        buttons=_fixed(*_EXERCISES),
        answers=(on_any(_rx_exercise, Screen.RX_WALL, Screen.RX_REPS, Prescribe),),
        on_share=True,
    ),
    Screen.RX_WALL: Entry(
        ask=st.ASK_RX_WALL,
        buttons=_fixed(*_WALLS, Choice(Wall.KEEP, st.B_RX_WALL_KEEP)),
        answers=(on_any(_rx_wall, Screen.RX_REPS, Prescribe),),
        columns=2,
        on_share=True,
        rungs=_GLIDE,
    ),
    Screen.RX_REPS: Entry(
        ask=st.ASK_RX_REPS,
        buttons=_fixed(*_REPS),
        answers=(on_any(_rx_reps, Prescribe),),
        columns=len(REPS_CHOICES),
        on_share=True,
        rungs=_DOSED,
    ),
    Screen.LIFT_EXERCISE: Entry(
        ask=st.ASK_LIFT_EXERCISE,
        buttons=_fixed(*_EXERCISES),
        answers=(on_any(_lift_exercise, Screen.LIFT_WALL, LiftHold, Tell),),
        on_share=True,
    ),
    Screen.LIFT_WALL: Entry(
        ask=st.ASK_RX_WALL,
        buttons=_lift_walls,
        answers=(on_any(_lift_wall, LiftHold, Tell),),
        columns=2,
        on_share=True,
        rungs=_GLIDE,
    ),
}


def answer(desk: Desk, value: str, facts: Facts) -> Reply:
    """A press, through its row of the table (the one dispatch). A share screen answers
    only a presser holding the share live now; a value the screen does not offer now
    (forged, or from before the patient's state changed) is an old button."""
    row = taking(desk, value, facts)
    if row is None:
        refused = SCREENS[desk.screen].on_share and not facts.live
        return Tell(st.NOT_SHARED if refused else st.OLD_BUTTON)
    return row.run(desk, value, facts)


def taking(desk: Desk, value: str, facts: Facts) -> Row | None:
    """The row that takes a press; None when none may: no live share on a share screen,
    or a value or place the screen does not offer now (flows.clinician.graph checks
    each reply against this row)."""
    entry = SCREENS[desk.screen]
    if entry.on_share and not facts.live:
        return None
    return entry.row(desk, value, facts)


# --- the buttons' data: a screen, its place and the answer, in one short string ----------


def pack(desk: Desk, value: str) -> str:
    rung = desk.rung.value if desk.rung is not None else ""
    wall = desk.wall.value if desk.wall is not None else ""
    return ":".join((desk.screen.value, desk.ref, rung, wall, value))


def unpack(data: str) -> tuple[Desk, str] | None:
    """A press back into its place and answer (also from the buttons made before this
    table, `_OLD`); None for anything never made here: a forged button."""
    if len(data.encode()) > MAX_DATA:
        return None
    try:
        pressed = _new(data) or _old(data)
    except (IndexError, ValueError):  # a screen, exercise or wall that does not exist
        return None
    if pressed is None:
        return None
    desk = pressed[0]
    numbered = SCREENS[desk.screen].on_share or desk.screen == Screen.SHARING
    if numbered and not (desk.ref.isascii() and desk.ref.isdigit() and len(desk.ref) < 19):
        return None
    if desk.rung is not None and desk.rung not in t.EXERCISE_BUTTONS:
        return None
    return pressed


def _new(data: str) -> tuple[Desk, str] | None:
    parts = data.split(":", 4)
    if len(parts) != 5 or parts[0] not in _SCREEN_VALUES:
        return None
    screen, ref, rung, wall, value = parts
    desk = Desk(Screen(screen), ref, Rung(rung) if rung else None, Wall(wall) if wall else None)
    return desk, value


_SCREEN_VALUES = frozenset(screen.value for screen in Screen)


def _old(data: str) -> tuple[Desk, str] | None:
    letter, _, rest = data.partition(":")
    read = _OLD.get(letter)
    return read(rest.split(":")) if read is not None else None


# The buttons' data before this table ("<letter>:<share>:..."), still on the cards,
# alerts and summaries in chats: read into the same places, so they keep working.
_OLD: dict[str, Callable[[list[str]], tuple[Desk, str]]] = {
    "c": lambda p: (Desk(Screen.CARD, p[0]), "chart"),
    "r": lambda p: (Desk(Screen.CARD, p[0]), "report"),
    "x": lambda p: (Desk(Screen.CARD, p[0]), "rx"),
    "l": lambda p: (Desk(Screen.CARD, p[0]), "lift"),
    "v": lambda p: (Desk(Screen.SHARING, p[0]), "stop"),
    "e": lambda p: (Desk(Screen.RX_EXERCISE, p[0]), p[1]),
    "m": lambda p: (Desk(Screen.LIFT_EXERCISE, p[0]), p[1]),
    "w": lambda p: (Desk(Screen.RX_WALL, p[0], Rung(p[1])), p[2]),
    "o": lambda p: (Desk(Screen.LIFT_WALL, p[0], Rung(p[1])), p[2]),
    "d": lambda p: (Desk(Screen.RX_REPS, p[0], Rung(p[1]), Wall(p[2])), p[3]),
    "y": lambda p: (Desk(Screen.LINK, p[0]), "yes"),
    "n": lambda p: (Desk(Screen.LINK, ""), "no"),
    "z": lambda p: (Desk(Screen.ZONE), p[0]),
    "f": lambda p: (Desk(Screen.FORGET), "delete" if p[0] == "y" else "keep"),
}
