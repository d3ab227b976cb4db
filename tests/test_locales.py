"""Every string in every language: catalogues complete, placeholders intact, .pot current.

A missing translation does not crash the bot (bot.presentation.i18n falls back to English),
so nothing but these tests notices a user in Madrid getting one English line
in the middle of a red-flag question. The conversation walk catches msgids the
catalogues cannot know about: text emitted by the engine without `N_`.
"""

from __future__ import annotations

import logging
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.presentation.i18n import ngettext, translate, translations
from bot.presentation.messages import Joined, merge_says, render_joined
from flows import remind, screening
from flows import texts as t
from flows.catalogue import EXERCISES
from flows.effects import Effect, RecordRungChange, Say, Speak
from flows.engine import Rules
from flows.events import ReminderDue, ReminderPress
from flows.i18n import Msg
from flows.ladder import FOR_PT, R_PT_LIFTED, R_PT_PRESCRIBED
from flows.model import Answer, Reach, RemindMode, Rung
from flows.session import Hold, State
from flows.trend import NUDGE_NO_PLAN
from tests.flowkit import Script, walk

# the conversation checks read the graph walk, computed once per worker (flowkit.walk)
pytestmark = pytest.mark.xdist_group("walk")

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
LANGS = ("es", "de", "ru")
NPLURALS = {"es": 2, "de": 2, "ru": 3}
LANGUAGE_NAMES = {"es": "Idioma: español.", "de": "Sprache: Deutsch.", "ru": "Язык: русский."}
COMMANDS = re.compile(r"/[a-z]+\b")
UPPER_WORDS = re.compile(r"\b[^\W\d_]{2,}\b")
ACRONYMS = {"OK", "PT", "CSV", "UTC"}  # upper case as abbreviations, not as emphasis

# Translations that are rightly the same text as the English msgid, with the reason.
IDENTICAL: dict[str, dict[str, str]] = {
    "es": {"No": "the Spanish word for No is No"},
    "de": {
        "Start": "the chart's first tick; German uses the English word",
        "Check-ins": "the chart's axis; German uses the English word",
    },
}
# msgids that are not text at all; kept out of "translated" checks that compare words
NOT_TEXT = {
    "en": "a language code picked up by Babel's default `_` keyword from "
    '`_("en", GROUP_HINT)` in bot/telegram/handlers.py',
}


# --- loading ------------------------------------------------------------------------


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


@cache
def pot() -> Catalog:
    return _read(POT)


@cache
def po(lang: str) -> Catalog:
    return _read(LOCALES / lang / "LC_MESSAGES" / "messages.po", lang)


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def singular(m: Message) -> str:
    return m.id if isinstance(m.id, str) else m.id[0]


def forms(m: Message) -> tuple[str, ...]:
    return (m.string,) if isinstance(m.string, str) else tuple(m.string or ())


def simple(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of the entries that are not plural."""
    for m in entries(catalog):
        if isinstance(m.id, str) and isinstance(m.string, str):
            yield m.id, m.string


def fields(text: str) -> Counter[str]:
    """Placeholder names as str.format sees them (raises on a stray brace)."""
    return Counter(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


# --- the catalogues ------------------------------------------------------------------


def test_the_template_has_the_conversation_in_it() -> None:
    ids = {singular(m) for m in entries(pot())}
    assert len(ids) > 200
    assert {f.question for f in screening.RED_FLAGS} <= ids
    assert {screening.EMERGENCY_ADVICE, screening.URGENT_ADVICE, t.WELCOME, t.HELP} <= ids


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_msgid_is_translated(lang: str) -> None:
    catalog = po(lang)
    missing, empty = [], []
    for m in entries(pot()):
        got = catalog.get(m.id)
        if got is None or got.id != m.id:
            missing.append(singular(m))
        elif not all(f.strip() for f in forms(got)) or (
            not isinstance(m.id, str) and len(forms(got)) != NPLURALS[lang]
        ):
            empty.append(singular(m))
    assert not missing, f"{lang}: run `make locales-update`; missing {missing[:5]}"
    assert not empty, f"{lang}: untranslated {empty[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_headers_name_the_language_and_its_plural_rule(lang: str) -> None:
    catalog = po(lang)
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == lang
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert catalog.num_plurals == NPLURALS[lang]
    assert headers["Plural-Forms"].startswith(f"nplurals={NPLURALS[lang]};")


@pytest.mark.parametrize("lang", LANGS)
def test_no_fuzzy_or_obsolete_entries(lang: str) -> None:
    catalog = po(lang)
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy"
    fuzzy = [singular(m) for m in entries(catalog) if m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy {fuzzy[:5]}"
    assert not catalog.obsolete, f"{lang}: obsolete #~ entries {list(catalog.obsolete)[:3]}"
    raw = (LOCALES / lang / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert "#, fuzzy" not in raw and "#~" not in raw


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_are_the_same_in_msgid_and_msgstr(lang: str) -> None:
    bad = [(msgid, text) for msgid, text in simple(po(lang)) if fields(text) != fields(msgid)]
    for m in entries(po(lang)):
        if not isinstance(m.id, str):
            expected = set(fields(m.id[0])) | set(fields(m.id[1]))
            bad += [(m.id[0], f) for f in forms(m) if set(fields(f)) != expected]
    assert not bad, f"{lang}: {bad[:3]}"


@pytest.mark.parametrize("lang", LANGS)
def test_commands_line_breaks_and_upper_case_emphasis_survive(lang: str) -> None:
    bad = []
    for msgid, text in simple(po(lang)):
        if sorted(COMMANDS.findall(msgid)) != sorted(COMMANDS.findall(text)):
            bad.append(("commands", msgid))
        if msgid.count("\n") != text.count("\n"):
            bad.append(("line breaks", msgid))
        shouted = [w for w in UPPER_WORDS.findall(msgid) if w.isupper() and w not in ACRONYMS]
        if shouted and not any(w.isupper() for w in UPPER_WORDS.findall(text)):
            bad.append(("UPPER CASE", msgid))
    assert not bad, f"{lang}: {bad[:3]}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_translation_is_just_the_english_left_in(lang: str) -> None:
    same = {msgid for msgid, text in simple(po(lang)) if text == msgid and msgid not in NOT_TEXT}
    assert same == set(IDENTICAL.get(lang, {}))


@pytest.mark.parametrize("lang", LANGS)
def test_language_set_names_its_own_language(lang: str) -> None:
    assert translations(lang).gettext(t.LANGUAGE_SET) == LANGUAGE_NAMES[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_emergency_advice_says_local_emergency_number_and_keeps_safety(lang: str) -> None:
    words = {"es": "número de emergencias local", "de": "lokale Notrufnummer",
             "ru": "местному номеру экстренной помощи"}  # fmt: skip
    advice = translations(lang).gettext(screening.EMERGENCY_ADVICE)
    assert words[lang] in advice
    assert "/safety" in advice and "/safety" in translations(lang).gettext(screening.URGENT_ADVICE)


@pytest.mark.parametrize("lang", LANGS)
def test_both_legs_question_keeps_its_upper_case_both(lang: str) -> None:
    both = {"es": "DOS", "de": "BEIDEN", "ru": "ОБЕИХ"}[lang]
    assert both in translations(lang).gettext("Do you have sciatica in BOTH legs?")


def _labels() -> Iterator[str]:
    yield from (*t.SIDE_LABELS.values(), *t.REACH_LABELS.values(), *remind.B_EVERY.values())
    for module in (t, remind):
        for name, value in vars(module).items():
            if name.startswith("B_") and isinstance(value, str):
                yield value


@pytest.mark.parametrize("lang", LANGS)
def test_button_labels_stay_short(lang: str) -> None:
    long = {m: translations(lang).gettext(m) for m in _labels()}
    long = {m: x for m, x in long.items() if len(x) > 30}
    assert not long, f"{lang}: {long}"
    labels = {**t.LEG_ANSWERS, **t.BACK_ANSWERS}
    answers = {a: translations(lang).gettext(labels[a]) for a in Answer if a in labels}
    assert all(len(x) <= 36 for x in answers.values()), answers


# --- rendering -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_render_formats_every_msgid_with_dummy_params(lang: str) -> None:
    for m in entries(pot()):
        if not isinstance(m.id, str):
            continue
        params = {name: 3 for name in fields(m.id)}
        expected = translations(lang).gettext(m.id).format(**params)
        assert translate(lang, m.id, params) == expected
        assert "{" not in expected, (lang, m.id)


@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_every_plural_form_formats(lang: str) -> None:
    plurals = [m for m in entries(pot()) if not isinstance(m.id, str)]
    for m in plurals:
        params = {name: 3 for name in fields(m.id[0]) | fields(m.id[1])}
        for n in (0, 1, 2, 3, 4, 5, 11, 21, 22, 25, 101):
            text = ngettext(lang, m.id[0], m.id[1], n).format(**params)
            assert text and "{" not in text
        assert ngettext(lang, m.id[0], m.id[1], 1) != ngettext(lang, m.id[0], m.id[1], 5)


def test_russian_plural_forms_follow_the_number() -> None:
    one, many = NUDGE_NO_PLAN
    words = {n: ngettext("ru", one, many, n).format(done=n) for n in (1, 2, 5, 21, 22, 11)}
    assert "подход." in words[1] and "подход." in words[21]
    assert "подхода." in words[2] and "подхода." in words[22]
    assert "подходов." in words[5] and "подходов." in words[11]


@pytest.mark.parametrize("lang", LANGS)
def test_msg_params_are_translated_too(lang: str) -> None:
    calf = t.REACH_LABELS[Reach.CALF]
    text = translate(lang, t.BASELINE_SAVED, {"pain": 6, "reach": Msg(calf)})
    assert translations(lang).gettext(calf) in text
    assert calf not in text


# --- the template is current --------------------------------------------------------------


def _makefile_keywords() -> dict[str, Any]:
    """The `-k` options of `make locales-extract`, so this test extracts exactly as it does."""
    text = (ROOT / "Makefile").read_text("utf-8")
    (line,) = [x for x in text.splitlines() if "pybabel" in x and " extract " in x]
    keywords: dict[str, Any] = {} if "--no-default-keywords" in line else dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(re.findall(r"(?:-k|--keywords?)[ =](\S+)", line)))
    return keywords


@cache
def _extracted() -> dict[str, set[str | tuple[str, ...]]]:
    """What `make locales-extract` finds, by file (`flows/texts.py`: {msgid, ...})."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    found: dict[str, set[str | tuple[str, ...]]] = {}
    for filename, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=_makefile_keywords()
    ):
        if message:
            msgid = message if isinstance(message, str) else tuple(message)
            found.setdefault(Path(filename).as_posix(), set()).add(msgid)
    return found


def test_the_template_is_up_to_date_with_the_code() -> None:
    in_code = set().union(*_extracted().values())
    in_pot = {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries(pot())}
    new = sorted(map(str, in_code - in_pot))
    gone = sorted(map(str, in_pot - in_code))
    assert not new and not gone, (
        f"run `make locales-update` and translate: new in code {new[:5]}, gone {gone[:5]}"
    )


def test_plural_markers_are_extracted_as_plurals() -> None:
    keywords = _makefile_keywords()
    uses_plural_marker = any(
        "Nn_(" in p.read_text("utf-8") for d in ("flows", "bot") for p in (ROOT / d).rglob("*.py")
    )
    if uses_plural_marker:
        assert keywords.get("Nn_") == (1, 2), "add `-k Nn_:1,2` to the Makefile's extract line"


# --- the whole conversation, in each language -----------------------------------------------

CONVERSATION_MODULES = (
    "flows/texts.py",
    "flows/screening.py",
    "flows/catalogue.py",
    "flows/ladder.py",
    "flows/safety.py",
    "flows/remind.py",
    "flows/heard.py",
)
# msgids of those modules that the engine never puts in a Say, with the reason
PT_REASONS = tuple(FOR_PT.values())
UNREACHED = {
    **{
        msgid: "a PT's prescription: the walk presses buttons, a PT sends it (bot.sharing)"
        for msgid in (
            t.PT_RX,
            t.PT_RX_REPS,
            t.PT_RX_WALL_LEFT,
            t.PT_RX_WALL_RIGHT,
            t.PT_RX_AFTER_SET,
            t.PT_RX_AFTER_OWED,
            t.PT_LIFTED,
            t.PT_RX_NEXT,
            t.PT_RX_HELD,
            t.PT_RX_RED_FLAG,
        )
    },
    R_PT_PRESCRIBED: "the reason a PT's prescription records: /progress's summary shows it",
    R_PT_LIFTED: "the reason a PT's lifted pause records: /progress's summary shows it",
    "Press up": "a rep cue: only the guided-set voice note says it (bot/voice_script.py)",
    "Glide": "a rep cue: only the guided-set voice note says it",
    "a physical therapist": "exercise_name's fallback for a rung without an exercise",
    **{
        reason: "a decision worded for a PT: only the PT report shows it"
        for reason in FOR_PT.values()
    },
}
MAX_MESSAGE = 400  # characters, in any language (a person in pain reads it on a phone)


def _shown(effects: Iterable[Effect]) -> Iterator[str]:
    """Every singular msgid a user can see or hear in these effects (plurals: `_plurals`)."""
    for e in effects:
        if isinstance(e, Say):
            yield from (x for x in (e.prefix, e.note) if x)
            if e.plural is None:
                yield e.text
            yield from (c.label for c in e.choices if not c.literal)
            yield from (v for v in e.params.values() if isinstance(v, Msg))
        elif isinstance(e, Speak):
            yield e.text
            yield from (v for v in e.params.values() if isinstance(v, Msg))
        elif isinstance(e, RecordRungChange):
            yield e.reason


def _variants() -> Iterator[Sequence[Effect]]:
    """Turns whose wording the graph walk merges away (its key ignores them)."""
    for mode in RemindMode:  # the next set, as the user's reminders will come
        s = Script().onboard().press("start").steps()
        s.session = replace(s.session, reminders=replace(s.session.reminders, mode=mode))
        yield tuple(s.checkin("centralizing", "5", "thigh").effects)
    s = Script().onboard().press("later")
    yield tuple(s.cmd("voice").effects) + tuple(s.cmd("voice").effects)
    yield tuple(Script().onboard().cmd("voice").press("start").steps().effects)  # learned
    yield tuple(Script(rules=Rules(voice=False)).onboard().cmd("voice").effects)
    yield s.send(ReminderDue()).effects
    for action in ("snooze", "skip"):
        yield s.send(ReminderPress(action)).effects
    s.cmd("remind").press("setup", "UTC", "every3", "08:00-21:00", "pause")
    yield tuple(s.effects)
    yield tuple(s.cmd("remind").effects)  # paused by the user: Resume
    yield tuple(s.press("resume").effects)
    s = Script().onboard().press("start").steps().checkin("centralizing", "5", "thigh")
    s.session = replace(s.session, cursor=replace(s.session.cursor, state=State.IDLE))
    yield s.wait(3).cmd("exercise").press("nothing").cmd("stop").press("just").effects
    s.cmd("checkin").checkin("centralizing", "4", "buttock")
    s.session = replace(
        s.session,
        safety=replace(s.session.safety, hold=Hold.SEE_PT),
        cursor=replace(s.session.cursor, state=State.HALTED),
    )
    yield tuple(s.press("pt_ok", "side_glide", "no").effects)  # "Ready for a set of ..."
    # the user's own words (flows.heard): what was understood, repeated back, and a
    # confirmed "worse" with its pain ("paused"), in both variants of the answers
    for reach, words in (
        ("thigh", "worse, 8"),
        ("thigh", "leg pain gone, only my back"),
        ("thigh", "the same"),
        ("back_side", "better"),
    ):
        s = Script().onboard(reach=reach, tried="none").press("start").steps().type(words)
        yield tuple(s.effects)
        yield tuple(s.press("yes").effects)


@cache
def _turns() -> tuple[Sequence[Effect], ...]:
    return (*walk().turns.values(), *_variants())


@cache
def _seen() -> set[str]:
    return {m for turn in _turns() for m in _shown(turn)}


@pytest.mark.slow  # reads the graph walk
def test_the_walk_reaches_the_whole_conversation() -> None:
    """Every msgid of the conversation's own modules is seen, so the checks below cover them."""
    must = {f.question for f in screening.RED_FLAGS} | set(t.LEG_ANSWERS.values())
    for module in CONVERSATION_MODULES:
        must |= {m for m in _extracted()[module] if isinstance(m, str)}
    missed = sorted(must - _seen() - set(UNREACHED))
    assert not missed, f"never shown (extend the walk, or UNREACHED with a reason): {missed[:5]}"
    assert not set(UNREACHED) & _seen(), "UNREACHED lists a msgid the walk does reach"


@pytest.mark.slow  # reads the graph walk
@pytest.mark.parametrize("lang", LANGS)
def test_every_msgid_seen_in_the_conversation_is_translated(lang: str) -> None:
    known = {m.id for m in entries(pot())}
    unknown = _seen() - known
    assert not unknown, f"emitted but not in the catalogue (missing N_?): {unknown}"
    trans, same = translations(lang), IDENTICAL.get(lang, {})
    untranslated = sorted(m for m in _seen() if m not in same and trans.gettext(m) in ("", m))
    assert not untranslated, f"{lang}: {untranslated[:5]}"


@pytest.mark.slow  # reads the graph walk
@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_every_message_renders_with_its_real_params_and_stays_short(
    lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each message as the user gets it (texts joined as the adapters join them)."""
    caplog.set_level(logging.WARNING, logger="bot.presentation.i18n")
    longest = ""
    for turn in _turns():
        for shown in merge_says(turn, voice=False, lang=lang):
            if isinstance(shown, Joined):
                message = render_joined(shown, lang)
                assert message.text.strip() and "{" not in message.text, shown
                assert all(b.label.strip() for row in message.rows for b in row)
                longest = max(longest, message.text, key=len)
    assert len(longest) <= MAX_MESSAGE, f"{lang}: {len(longest)} characters: {longest!r}"
    assert not caplog.records, [r.getMessage() for r in caplog.records][:3]


@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_no_msgid_is_longer_than_a_message(lang: str) -> None:
    """Even alone (with its params at their longest), no text passes the limit."""
    for m in entries(pot()):
        if isinstance(m.id, str):
            params = {name: "x" * 30 for name in fields(m.id)}
            assert len(translate(lang, m.id, params)) <= MAX_MESSAGE, (lang, m.id)


# the word for each side in each language (a stem: German and Russian inflect it)
SIDE_WORDS = {
    "en": ("LEFT", "RIGHT"),
    "es": ("IZQUIERD", "DERECH"),
    "de": ("LINK", "RECHT"),
    "ru": ("ЛЕВ", "ПРАВ"),
}


@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_every_language_names_the_right_side_in_the_side_steps(lang: str) -> None:
    """The wall shoulder, the way the hips move and the side to lie on, in every language."""
    left, right = SIDE_WORDS[lang]
    for rung in (Rung.SIDE_GLIDE, Rung.HIPS_OFF_CENTRE, Rung.FLEXION_ROTATION):
        step = next(step for step in EXERCISES[rung].steps if step.left)
        for text, side, other in ((step.left, left, right), (step.right, right, left)):
            shown = translate(lang, text or "", {})
            first = min((i for i in (shown.find(side), shown.find(other)) if i >= 0), default=-1)
            assert side in shown, (lang, rung, shown)
            # hips off centre names the painful side second ("to the LEFT, away from your
            # painful right side"): the side the movement is about comes first
            assert shown.find(side) == first, (lang, rung, shown)


@pytest.mark.parametrize("lang", LANGS)
def test_the_translation_fixes_of_the_ladder_review_stay_fixed(lang: str) -> None:
    """Found reading every language line by line against protocol.md."""
    g = translations(lang).gettext
    glide = {step.text: g(step.text) for step in EXERCISES[Rung.SIDE_GLIDE].steps}
    no_swing = next(text for msgid, text in glide.items() if "swing your hips" in msgid)
    worse = g(t.LEG_ANSWERS[Answer.WORSE])
    if lang == "es":
        assert "abajo" in worse  # spreading further DOWN the leg
        assert "pared" in no_swing  # don't swing your hips away FROM THE WALL
    if lang == "ru":
        assert "ниже" in worse
        assert "стен" in no_swing
        far_hip = next(text for msgid, text in glide.items() if "other hand" in msgid)
        # one word for the hip the hand rests on, another for the thigh the pain reaches
        assert (
            "бедр" not in far_hip.lower()
            and g(t.REACH_LABELS[Reach.THIGH]) == "Бедро (выше колена)"
        )
    if lang == "de":
        assert "während der Beinschmerz nachlässt" in g(t.ASK_ANSWER)
