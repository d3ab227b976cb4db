"""The user's own words, typed or spoken: warning signs first, then what they answer.

design.md, "The user's own words": free text at any moment that names a
warning sign is answered first by that sign's question (flows.screening's,
explicit Yes / No); yes is the red-flag stop, exactly as in the screening; no
goes back to where the user was, with the rest of what they said understood.
At a check-in, words are read as an answer, a pain score and a reach, and
repeated back for one confirming tap: nothing is recorded unconfirmed. In a
set, "next", "repeat", "done" and "stop" do what the buttons do.

One rule keeps the words safe: a word can stop, only a tap goes on. A typed
or spoken "yes" to a warning sign's question, or to "did it get worse?", is
taken; a "no" to them needs the button. "Worse" is never read as anything
else (flows.words puts it before every other answer), and a match never
decides by itself: every path from here is a question with buttons.
"""

from __future__ import annotations

from dataclasses import replace

from flows import numbers, owed, screening, words
from flows import texts as t
from flows.checkin import EVALUATED, evaluate
from flows.effects import Choice, Effect, Say
from flows.events import Event, Other, Text
from flows.i18n import N_, Msg
from flows.ladder import Ask
from flows.model import Answer, Reach
from flows.onboarding import YES_NO, red_flag_yes
from flows.session import Heard, Session, State
from flows.sets import SET_BEGINS, stop_rule_now
from flows.states import (
    BACK,
    SAME,
    Ctx,
    Kind,
    Outcome,
    Question,
    Spec,
    answer,
    enter,
    fixed,
    leads,
    on,
    prompt,
    reprompt,
    spec,
)

# Other(kind) events the adapters send for a voice note (bot.telegram): recognition
# off (or not in this language), the note not understood, the note too long
VOICE_OFF, VOICE_UNCLEAR, VOICE_TOO_LONG = "voice", "voice_unclear", "voice_long"

SIGN_INTRO = N_("You mentioned something I need to ask about first:")
SIGN_BACK = N_("Thank you. Back to where we were:")
HEARD_AGAIN = N_("Then please tap the answer that fits:")
ANSWER_FIRST = N_(
    'Thank you. First, how did the pain change? Tap one below, or say for example "worse" '
    'or "the same".'
)
WORSE_PAUSED = N_("Please stop this exercise now: it is paused, and so are your reminders.")
NO_LISTEN = N_("I can't listen to voice notes here: please tap or type.")
NOT_HEARD = N_("I couldn't make out that voice note. Please say it again, or tap or type.")
TOO_LONG = N_(
    "That voice note is over a minute long. Please keep it under a minute, or tap or type."
)
B_RIGHT = N_("Yes, that's right")
B_WRONG = N_("No")
# "You said: ... Right?", by what was understood
HEARD: dict[tuple[bool, bool, bool], str] = {
    (True, False, False): N_("You said: {answer}. Right?"),
    (True, True, False): N_("You said: {answer}, pain {pain}. Right?"),
    (True, False, True): N_("You said: {answer}, reaching {reach}. Right?"),
    (True, True, True): N_("You said: {answer}, pain {pain}, reaching {reach}. Right?"),
    (False, True, False): N_("You said: pain {pain}. Right?"),
    (False, False, True): N_("You said: the pain reaches {reach}. Right?"),
    (False, True, True): N_("You said: pain {pain}, reaching {reach}. Right?"),
}
ANSWER_WORDS: dict[Answer, str] = {
    Answer.WORSE: N_("worse or spreading"),
    Answer.CENTRALIZING: N_("leg pain easing"),
    Answer.BACK_EASING: N_("back pain easing"),
    Answer.LEG_GONE: N_("leg pain gone"),
    Answer.NO_CHANGE: N_("no change"),
    Answer.ALL_GONE: N_("all pain gone"),
}

SET_STATES = frozenset({State.STEP, State.SET_CARD, State.SET_PRESS})
CHECK_STATES = frozenset({State.CHECK_ANSWER, State.CHECK_PAIN, State.CHECK_REACH})
# where a "worse" in words is asked to be confirmed: the set, its check-in, and at rest
WORSE_FROM = (
    SET_STATES
    | CHECK_STATES
    | {State.IDLE, State.OFFER, State.CHECK_WHICH, State.CHECK_CONFIRM, State.PRESET_REACH}
)
# a set's words as each state's buttons (flows.words.SET_COMMANDS -> button value)
SET_PRESSES: dict[State, dict[str, str]] = {
    State.STEP: {"next": "next", "done": "next", "repeat": "repeat", "stop": "stop"},
    State.SET_CARD: {
        "done": "done",
        "steps": "steps",
        "repeat": "steps",
        "press": "press",
        "stop": "stop",
    },
    State.SET_PRESS: {"done": "done", "next": "done", "stop": "stop"},
}


def hear(s: Session, event: Event, ctx: Ctx) -> Outcome | None:
    """The engine's one hook for free text and voice notes, before a state's own typed
    answer (flows.engine). None: not ours, the state answers as it always did."""
    if isinstance(event, Other):
        return _voice(s, event.kind)
    if not isinstance(event, Text) or s.state == State.NEW or not event.text.strip():
        return None
    text = event.text
    found = _new_signs(s, words.signs(text, s.language))
    if s.state == State.SIGN:
        return _at_sign(s, text, found, ctx)
    understood = _understand(s, text)
    if found:
        if s.state == State.CHECK_HEARD:
            understood = s.heard  # after the signs, the same confirming question
        return _ask_signs(s, found, understood)
    if s.state == State.CHECK_HEARD:
        return _at_heard(s, text, understood, ctx)
    return _take(s, understood, ctx)


def _at_sign(s: Session, text: str, found: tuple[str, ...], ctx: Ctx) -> Outcome | None:
    """Words while a warning sign's question is on screen: a "yes" is taken (a word can
    stop), a sign not asked yet joins the queue; a "no" needs the button."""
    if words.yes(text, s.language):
        return _sign_yes(owed.answering(s), "yes", ctx)
    if found:
        return _ask_signs(s, found, s.heard)
    return None


def _at_heard(s: Session, text: str, understood: Heard | None, ctx: Ctx) -> Outcome | None:
    """Words while "You said: ... Right?" is on screen: a "yes" confirms only a "worse"
    (a word can stop, only a tap goes on); new check-in words replace what was heard,
    and are asked about again."""
    if s.heard.answer == Answer.WORSE and words.yes(text, s.language):
        return _right(owed.answering(s), "yes", ctx)  # a word can stop
    if understood is not None:
        return enter(replace(s, heard=_with(s.heard, understood)), State.CHECK_HEARD)
    return None


def _take(s: Session, understood: Heard | None, ctx: Ctx) -> Outcome | None:
    """Understood words anywhere else: a button they say is pressed; a check-in is
    repeated back for one confirming tap (at the answer's own question, only with an
    answer: a pain or a reach alone asks for the answer first)."""
    if understood is None:
        return None
    if understood.press is not None:
        return answer(owed.answering(s), understood.press, ctx)
    if understood.answer is None and s.state == State.CHECK_ANSWER:
        return reprompt(s, ANSWER_FIRST)
    fresh = Heard(back=s.state, owed=owed.owed(s), told_voice=s.heard.told_voice)
    heard = _with(fresh, understood)
    return enter(replace(s, heard=heard), State.CHECK_HEARD)


# --- voice notes ------------------------------------------------------------------------


def _voice(s: Session, kind: str) -> Outcome | None:
    if kind == VOICE_OFF:
        if s.heard.told_voice:
            return None  # said once: a voice note is then like a sticker
        return _say_then_ask(replace(s, heard=replace(s.heard, told_voice=True)), NO_LISTEN)
    if kind == VOICE_UNCLEAR:
        return _say_then_ask(s, NOT_HEARD)
    if kind == VOICE_TOO_LONG:
        return _say_then_ask(s, TOO_LONG)
    return None


def _say_then_ask(s: Session, text: str) -> Outcome:
    if spec(s).buttons(s):
        return reprompt(s, text)
    return Outcome(s, (Say(text), *prompt(s)))


# --- what the words say, where the user is -----------------------------------------------


def _understand(s: Session, text: str) -> Heard | None:
    """What `text` answers in the state on screen: a button to press, or a check-in to
    confirm (answer, pain, reach). None: nothing the state can use."""
    if _typed_pain(s, text):
        return None  # a typed number is the pain, as always (flows.states.typed_scale)
    heard = words.checkin(text, s.language, _before(s))
    worse = heard.answer == words.WORSE and _may_stop(s)
    pressed = _worse_button(s, text, worse)
    if pressed is not None:
        return pressed
    if worse:
        return Heard(answer=Answer.WORSE, pain=heard.pain, reach=heard.reach)
    if s.state in SET_STATES:
        return _set_button(s, text)
    return _checkin_part(s, heard)


def _typed_pain(s: Session, text: str) -> bool:
    """A number typed at a pain question: the state reads it itself, not as words."""
    return s.state in (State.CHECK_PAIN, State.EPISODE_PAIN) and (
        numbers.in_range(text, 0, 10) is not None or numbers.looks_numeric(text)
    )


def _worse_button(s: Session, text: str, worse: bool) -> Heard | None:
    """The button that means "worse" where a state offers one, pressed by a "worse" in
    words (or a "yes", where the question is whether it got worse)."""
    if s.state == State.STOP_WHY and (worse or words.yes(text, s.language)):
        return Heard(press="worse")
    if (
        s.state == State.CHECK_CONFIRM
        and s.pending.asking in (None, Ask.WORSE)
        and (worse or words.yes(text, s.language))
    ):
        return Heard(press="yes")  # "is your leg worse?" - "yes, worse"
    if s.state == State.PRESET and worse:
        return Heard(press="new")  # "anything new?": the screening, then where it is now
    return None


def _set_button(s: Session, text: str) -> Heard | None:
    """A set's word ("next", "repeat", "done", "stop") as the button it stands for in this
    state, if that button is offered now."""
    command = words.set_word(text, s.language)
    value = SET_PRESSES[s.state].get(command or "")
    offered = {c.value for c in spec(s).buttons(s)}
    return Heard(press=value) if value in offered else None


def _checkin_part(s: Session, heard: words.Understood) -> Heard | None:
    """What the check-in question on screen can use of the words: at the answer's, an
    answer offered (with the pain and reach said), or an empty Heard when only a pain or
    a reach was said (the answer is asked first); at the pain's, the pain (and the reach
    said with it, at a set's check-in only, not at a reading outside a set); at the
    reach's, a reach among its buttons."""
    if s.state == State.CHECK_ANSWER:
        answer = _answer(s, heard.answer)
        if answer is not None:
            return Heard(answer=answer, pain=heard.pain, reach=heard.reach)
        return None if heard.pain is None and heard.reach is None else Heard()
    if s.state == State.CHECK_PAIN and heard.pain is not None:
        return Heard(pain=heard.pain, reach=heard.reach if not s.pending.reading else None)
    if s.state == State.CHECK_REACH and heard.reach is not None:
        return Heard(reach=heard.reach) if heard.reach in _reaches(s) else None
    return None


def _may_stop(s: Session) -> bool:
    """Where a "worse" in words is taken up: in a set, its check-in and at rest, for a
    user with exercises under way (held already, or recovered: design.md's own rules)."""
    return (
        s.state in WORSE_FROM | {State.STOP_WHY, State.PRESET}
        and s.assessment.onboarded
        and s.safety.hold is None
        and s.safety.red_flag is None
        and not s.ladder.recovered
    )


def _before(s: Session) -> Reach | None:
    """Where the pain reached before: a reach further than this is the stop rule's."""
    if s.state not in CHECK_STATES:
        return None
    return s.ladder.ref_reach or s.assessment.baseline_reach


def _answer(s: Session, kind: str | None) -> Answer | None:
    """The answer button a kind of words means, among those offered now."""
    offered = {Answer(c.value) for c in spec(s).buttons(s)}
    leg = Answer.CENTRALIZING in offered
    mapping = {
        words.LEG_GONE: Answer.LEG_GONE,
        words.ALL_GONE: Answer.ALL_GONE,
        words.EASING: Answer.CENTRALIZING if leg else Answer.BACK_EASING,
        words.SAME: Answer.NO_CHANGE,
    }
    answer = mapping.get(kind or "")
    return answer if answer in offered else None


def _reaches(s: Session) -> frozenset[Reach]:
    return frozenset(Reach(c.value) for c in spec(s).buttons(s))


def _with(base: Heard, understood: Heard) -> Heard:
    return replace(
        base,
        answer=understood.answer,
        pain=understood.pain,
        reach=understood.reach,
        press=understood.press,
    )


# --- a warning sign in words -------------------------------------------------------------


def _new_signs(s: Session, found: tuple[str, ...]) -> tuple[str, ...]:
    """Signs worth a question now: after a red flag's stop only one that needs an
    emergency more than the one answered yes (the advice changes)."""
    if s.state == State.REDFLAG:
        flagged = screening.BY_ID.get(s.safety.red_flag or "")
        if flagged is not None and flagged.emergency:
            return ()
        return tuple(f for f in found if screening.BY_ID[f].emergency)
    return tuple(f for f in found if f not in s.heard.signs or s.state != State.SIGN)


def _ask_signs(s: Session, found: tuple[str, ...], understood: Heard | None) -> Outcome:
    if s.state == State.SIGN:
        queue = (*s.heard.signs, *(f for f in found if f not in s.heard.signs))
        return enter(replace(s, heard=replace(s.heard, signs=queue)), State.SIGN)
    back = s.heard.back if s.state == State.CHECK_HEARD else s.state
    was_owed = s.heard.owed if s.state == State.CHECK_HEARD else owed.owed(s)
    heard = Heard(signs=found, back=back, owed=was_owed, told_voice=s.heard.told_voice)
    if understood is not None:
        heard = _with(heard, understood)
    return enter(replace(s, heard=heard), State.SIGN, prefix=SIGN_INTRO)


def _sign_question(s: Session) -> Question:
    flag = screening.BY_ID.get(s.heard.signs[0] if s.heard.signs else "", screening.RED_FLAGS[0])
    return Question(flag.question, columns=2)


def _sign_yes(s: Session, value: str, ctx: Ctx) -> Outcome:
    """Yes: the red-flag stop, exactly as the screening's yes; the question that was owed
    stays owed for after a clean re-screen."""
    flag = s.heard.signs[0] if s.heard.signs else screening.RED_FLAGS[0].id
    s = replace(
        s,
        heard=Heard(told_voice=s.heard.told_voice),
        pending=replace(s.pending, owed=s.heard.owed),
    )
    return red_flag_yes(s, flag)


def _sign_no(s: Session, value: str, ctx: Ctx) -> Outcome:
    rest = s.heard.signs[1:]
    if rest:
        return enter(replace(s, heard=replace(s.heard, signs=rest)), State.SIGN)
    return _resume(s, ctx)


def _resume(s: Session, ctx: Ctx) -> Outcome:
    """Every sign answered no: back where the words came, with the rest understood."""
    h = s.heard
    back = h.back or State.IDLE
    s = replace(
        s,
        heard=Heard(told_voice=h.told_voice),
        cursor=replace(s.cursor, state=back),
        pending=replace(s.pending, owed=h.owed),
    )
    if h.press is not None and h.press in {c.value for c in spec(s).buttons(s)}:
        return answer(owed.answering(s), h.press, ctx)
    if h.answer is not None or h.pain is not None or h.reach is not None:
        heard = replace(h, signs=(), back=back)
        return enter(replace(s, heard=heard), State.CHECK_HEARD, prefix=SIGN_BACK)
    return enter(s, back, prefix=SIGN_BACK)


# --- a check-in in words: one confirming tap ---------------------------------------------


def _heard_question(s: Session) -> Question:
    h = s.heard
    key = (h.answer is not None, h.pain is not None, h.reach is not None)
    params: dict[str, object] = {}
    if h.answer is not None:
        params["answer"] = Msg(ANSWER_WORDS[h.answer])
    if h.pain is not None:
        params["pain"] = h.pain
    if h.reach is not None:
        params["reach"] = Msg(t.REACH_LABELS[h.reach])
    return Question(HEARD.get(key, HEARD[(True, False, False)]), params, columns=2)


def _wrong(s: Session, value: str, ctx: Ctx) -> Outcome:
    """Not what was meant: the question the words answered, asked again."""
    back = s.heard.back or State.CHECK_ANSWER
    told, was_owed = s.heard.told_voice, s.heard.owed
    s = replace(s, heard=Heard(told_voice=told), pending=replace(s.pending, owed=was_owed))
    return enter(s, back, prefix=HEARD_AGAIN)


def _right(s: Session, value: str, ctx: Ctx) -> Outcome:
    """The confirmed words, as the taps they stand for: the answer (a "worse" stops in
    this very turn), then the pain, then the reach; the question that follows is asked."""
    h = s.heard
    back = h.back or State.CHECK_ANSWER
    s = replace(s, heard=Heard(told_voice=h.told_voice), cursor=replace(s.cursor, state=back))
    s = replace(s, pending=replace(s.pending, owed=h.owed))
    kept: list[Effect] = []
    if h.answer == Answer.WORSE:
        s = replace(s, pending=replace(s.pending, answer=None, pain=None, reach=None, asked=()))
        out = stop_rule_now(s, t.WORSE_NOTE)
    elif h.answer == Answer.ALL_GONE and not h.pain and h.reach in (None, Reach.NONE):
        # "all pain gone", confirmed: no pain anywhere (the button's own confirming tap)
        done = replace(s.pending, answer=Answer.ALL_GONE, pain=0, reach=Reach.NONE)
        return evaluate(replace(s, pending=done), ctx)
    elif h.answer is not None:
        s = replace(s, pending=replace(s.pending, answer=None, pain=None, reach=None))
        out = answer(s, h.answer.value, ctx)
    else:
        out = Outcome(s, ())
    for state, given in ((State.CHECK_PAIN, h.pain), (State.CHECK_REACH, h.reach)):
        if given is None or out.session.state != state:
            continue
        kept += [e for e in out.effects if not (isinstance(e, Say) and e.choices)]
        out = answer(out.session, str(given), ctx)
    if not out.effects:
        out = enter(out.session, out.session.state)
    if h.answer == Answer.WORSE and out.session.state == State.CHECK_REACH:
        kept.append(Say(WORSE_PAUSED))
    return Outcome(out.session, (*kept, *out.effects))


# what a set's word presses there leads to (flows.words: next, repeat, done, stop)
PRESSED = leads(State.STEP, State.SET_PRESS, State.STOP_WHY, State.CHECK_ANSWER, SET_BEGINS)
# what confirmed check-in words lead to: the next question of the check-in, or its verdict
APPLIED = leads(State.CHECK_PAIN, State.CHECK_REACH, EVALUATED, SAME, BACK)

STATES: dict[State, Spec] = {
    State.SIGN: Spec(
        ask=_sign_question,
        buttons=fixed(*YES_NO),
        answers=(
            on("yes", _sign_yes, State.REDFLAG),
            on("no", _sign_no, State.SIGN, State.CHECK_HEARD, BACK, PRESSED),
        ),
        kind=Kind.IN_SET,
    ),
    State.CHECK_HEARD: Spec(
        ask=_heard_question,
        buttons=fixed(Choice("yes", B_RIGHT), Choice("no", B_WRONG)),
        answers=(on("yes", _right, APPLIED), on("no", _wrong, BACK)),
        kind=Kind.IN_SET,
    ),
}
