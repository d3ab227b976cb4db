"""Side questions that return to where the user was: settings, language, forget.

The wall shoulder is changeable here (design.md): from the painful side, or
the prescription a clinician gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flows import safety
from flows import texts as t
from flows.effects import Choice, Effect, ForgetUser, Say
from flows.i18n import Msg
from flows.onboarding import WALL_CHOICES, wall_value
from flows.session import Session, State
from flows.sets import GATED, TOWARD_A_STEP, gate
from flows.states import (
    BACK,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    enter,
    fixed,
    leads,
    on,
    on_any,
    spec,
)


def detour(s: Session, state: State) -> Outcome:
    """Open a side question; a detour taken from a detour returns where the first began."""
    back = s.cursor.return_to if spec(s).kind == Kind.DETOUR else s.state
    return enter(replace(s, cursor=replace(s.cursor, return_to=back)), state)


def back(s: Session, before: Sequence[Effect]) -> Outcome:
    target = s.cursor.return_to or State.IDLE
    if target == State.NEW:  # a detour taken before /start: carry on with the welcome
        target = State.WELCOME
    s = replace(s, cursor=replace(s.cursor, return_to=None))
    if target in TOWARD_A_STEP and not safety.may_offer_exercise(s):
        # held meanwhile (a warning sign, say): never back into a set
        return _gated(s, before)
    return enter(s, target, before)


# where a side question returns: where it was opened from, or (held meanwhile) what
# must come first
RETURNS = leads(BACK, GATED, State.IDLE, State.WELCOME)


def _gated(s: Session, before: Sequence[Effect]) -> Outcome:
    out = gate(replace(s, cursor=replace(s.cursor, state=State.IDLE))) or enter(s, State.IDLE)
    return Outcome(out.session, (*before, *out.effects))


# --- settings --------------------------------------------------------------------------


def _settings_question(s: Session) -> Question:
    voice = Msg(t.ON if s.voice else t.OFF)
    shoulder = s.glide_shoulder
    if shoulder is None:  # centre or both sides, no clinician's word yet
        return Question(t.SETTINGS_NO_WALL, {"voice": voice}, columns=2)
    why = t.WHY_PRESCRIBED if s.assessment.wall_shoulder is not None else t.WHY_PAIN_SIDE
    params = {"shoulder": Msg(t.SHOULDER[shoulder]), "why": Msg(why), "voice": voice}
    return Question(t.SETTINGS, params, columns=2)


def _settings_buttons(s: Session) -> tuple[Choice, ...]:
    return (
        Choice("wall", t.B_SET_WALL),
        Choice("voice", t.B_VOICE_OFF if s.voice else t.B_VOICE_ON),
        Choice("language", t.B_LANGUAGE),
        Choice("close", t.B_CLOSE),
    )


def _to_wall(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.SETTINGS_WALL)


def _voice(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(s, voice=not s.voice)
    return enter(s, State.SETTINGS, (Say(t.VOICE_ON if s.voice else t.VOICE_OFF),))


def _to_language(s: Session, value: str, ctx: Ctx) -> Outcome:
    return enter(s, State.LANGUAGE)  # returns where /settings was opened from


def _close(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(s, ())


def _wall(s: Session, value: str, ctx: Ctx) -> Outcome:
    s = replace(s, assessment=replace(s.assessment, wall_shoulder=wall_value(value)))
    shoulder = s.glide_shoulder
    saved = (Say(t.WALL_SAVED, {"shoulder": Msg(t.SHOULDER[shoulder])}),) if shoulder else ()
    return enter(s, State.SETTINGS, saved)


def _language(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(replace(s, language=value), (Say(t.LANGUAGE_SET),))


def _forget(s: Session, value: str, ctx: Ctx) -> Outcome:
    return Outcome(Session(language=s.language), (ForgetUser(), Say(t.FORGOTTEN)))


def _keep(s: Session, value: str, ctx: Ctx) -> Outcome:
    return back(s, (Say(t.FORGET_KEPT),))


STATES: dict[State, Spec] = {
    State.SETTINGS: Spec(
        ask=_settings_question,
        buttons=_settings_buttons,
        answers=(
            on("wall", _to_wall, State.SETTINGS_WALL),
            on("voice", _voice, State.SETTINGS),
            on("language", _to_language, State.LANGUAGE),
            on("close", _close, RETURNS),
        ),
        kind=Kind.DETOUR,
    ),
    State.SETTINGS_WALL: Spec(
        ask=lambda s: Question(t.ASK_WALL),
        buttons=fixed(*WALL_CHOICES),
        answers=(on_any(_wall, State.SETTINGS),),
        kind=Kind.DETOUR,
    ),
    State.LANGUAGE: Spec(
        ask=lambda s: Question(t.ASK_LANGUAGE, columns=2),
        buttons=fixed(*(Choice(code, name, literal=True) for code, name in t.LANGUAGES.items())),
        answers=(on_any(_language, RETURNS),),
        kind=Kind.DETOUR,
    ),
    State.FORGET_CONFIRM: Spec(
        ask=lambda s: Question(t.ASK_FORGET),
        buttons=fixed(Choice("yes", t.B_FORGET), Choice("no", t.B_KEEP)),
        answers=(on("yes", _forget, State.NEW), on("no", _keep, RETURNS)),
        kind=Kind.DETOUR,
    ),
}
