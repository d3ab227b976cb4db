"""Every string in every language: catalogues complete, placeholders intact, .pot current.

A missing translation does not crash the bot (bot.i18n falls back to English),
so nothing but these tests notices a user in Madrid getting one English line
in the middle of a red-flag question. The conversation walk catches msgids the
catalogues cannot know about: text emitted by the engine without `N_`.
"""

from __future__ import annotations

import logging
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import ngettext, render, translations
from bot.render import render_say
from flows import remind, screening
from flows import texts as t
from flows.catalogue import SIDE_GLIDE
from flows.effects import Effect, RecordRungChange, Say, Speak
from flows.events import Other, ReminderDue, ReminderPress
from flows.i18n import Msg
from flows.model import Answer, Reach
from flows.trend import NUDGE_NO_PLAN
from tests.flowkit import Script

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
    answers = {a: translations(lang).gettext(t.ANSWER_LABELS[a]) for a in Answer}
    assert all(len(x) <= 36 for x in answers.values()), answers


# --- rendering -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("en", *LANGS))
def test_render_formats_every_msgid_with_dummy_params(lang: str) -> None:
    for m in entries(pot()):
        if not isinstance(m.id, str):
            continue
        params = {name: 3 for name in fields(m.id)}
        expected = translations(lang).gettext(m.id).format(**params)
        assert render(lang, m.id, params) == expected
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
    text = render(lang, t.BASELINE_SAVED, {"pain": 6, "reach": Msg(calf)})
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
    "flows/rules.py",
    "flows/remind.py",
)
# msgids of those modules that the engine never puts in a Say, with the reason
UNREACHED = {
    "Press up": "a rep cue: only the guided-set voice note says it (bot/voice_script.py)",
    "Glide": "a rep cue: only the guided-set voice note says it",
    "Stretch": "a rep cue: only the guided-set voice note says it",
    "Shift your hips a few centimetres (a few inches) to one side, usually away from the "
    "painful side.": "the side-less variant: hips off centre is only offered one-sided pain",
    "Stand side-on to a wall, feet 30-45 cm (12-18 inches) from it, with your painful side "
    "facing away from the wall.": "the side-less variant: the side glide needs a painful side",
    "a physical therapist": "the name of the last rung, which R_LADDER_DONE announces in words",
}


def _walk_main(lang: str) -> Script:
    """Onboarding, a full side glide set, /help, /remind both ways, then up the ladder."""
    s = Script().cmd("start")
    s.cmd("language").press(lang)
    assert s.session.language == lang and s.session.state == "welcome"
    s.press("ok")
    while s.session.state.startswith("screen."):
        s.press("no")
    s.press("left", "no", "calf", "6", "both", "same")
    assert s.session.state == "offer"
    s.cmd("help").press("start")
    seen = 0
    while s.session.state.startswith("ex."):
        if seen == 1:
            s.press("repeat")
            s.press("voice")
            s.cmd("voice")
        s.type("what now?")
        s.send(Other("sticker"))
        s.press("next")
        seen += 1
    assert seen == len(SIDE_GLIDE.steps)
    s.checkin("centralizing", "5", "thigh")
    s.cmd("safety")
    while s.session.state.startswith("screen."):
        s.press("no")
    # /remind: every N hours, with each wrong typed answer once
    s.cmd("remind").press("setup")
    s.type("Mars/Olympus").press("UTC+1").press("every3")
    s.type("25:00").press("08:00-21:00")
    assert s.session.state == "remind.menu"
    s.press("pause").cmd("remind").press("resume")
    s.cmd("remind").press("tz").press("UTC+2")
    # and fixed times
    s.cmd("remind").press("setup", "fixed").type("x").press("08:00,14:00,20:00")
    s.press("close")
    s.send(ReminderDue())
    s.send(ReminderPress("snooze"))
    s.send(ReminderPress("skip"))
    s.send(ReminderPress("start"))
    s.cmd("exercise").cmd("stop").cmd("stop").cmd("frobnicate")
    s.cmd("start").cmd("checkin")
    s.checkin("no_change", "6", "thigh")
    for _ in range(2):
        s.do_set().checkin("no_change", "6", "thigh")
    s.do_set()  # the flexion with rotation stretch
    s.checkin("leg_gone", "3", "back_side")  # to straight press-ups
    s.do_set().checkin("leg_gone", "2", "back_side")
    s.cmd("exercise").press("new")
    while s.session.state.startswith("screen."):
        s.press("no")
    s.cmd("language").press(lang)
    s.cmd("forget").press("no").cmd("forget").press("yes")
    return s


def _glide(lang: str, side: str = "left", wall: str = "no") -> Script:
    s = Script().cmd("start")
    s.cmd("language").press(lang)
    s.press("ok")
    while s.session.state.startswith("screen."):
        s.press("no")
    s.press(side)
    if s.session.state == "assess.wall":
        s.press(wall)
    s.press("calf", "6", "both", "same", "start")
    while s.session.state.startswith("ex."):
        s.press("next")
    return s


def _walks(lang: str) -> Iterator[Script]:
    yield _walk_main(lang)
    for answer in ("centralizing", "no_change", "leg_gone"):
        yield _glide(lang).checkin(answer, "5", "thigh")
    s = _glide(lang).press("worse", "8", "foot")
    yield s.cmd("exercise").press("pt_ok")
    yield _glide(lang).checkin("centralizing", "5", "foot")  # calf -> foot: spreading
    s = Script().cmd("start")
    s.cmd("language").press(lang)
    yield s.press("ok").cmd("exercise")  # mid-screening: finish the questions first
    s = Script().cmd("start")
    s.cmd("language").press(lang)
    yield s.screened().press("both", "foot", "yes")  # both sides, down a leg: both legs?
    s = Script().cmd("start")
    s.cmd("language").press(lang)
    yield s.screened().press("left", "no", "thigh", "6", "press", "worse")  # halted at once
    for mode in ("every", "fixed"):  # the next set as the user's reminders will come
        s = _glide(lang)
        s.session = replace(s.session, remind_mode=mode)
        yield s.checkin("centralizing", "5", "thigh")
    s = _glide(lang, "right", "right").checkin("all_gone", "0", "none")
    yield s.press("more").cmd("stop")
    s = _glide(lang, "right", "left").checkin("all_gone", "0", "none")
    yield s.press("done")
    s = _glide(lang, "left", "left")
    for _ in range(4):  # no closer to the spine: a stall
        s.checkin("centralizing", "5", "calf").do_set()
    yield s
    for side, tried in (("left", "none"), ("right", "press"), ("centre", "none")):
        s = Script().cmd("start")
        s.cmd("language").press(lang)
        s.screened().press(side)
        if s.session.state == "assess.wall":
            s.press("no")
        s.press("thigh", "5")
        if s.session.state == "assess.tried":
            s.press(tried)
        if s.session.state == "assess.tried_result":
            s.press("helped")
        s.press("later").cmd("exercise")
        for _ in range(12):  # up the whole ladder to "see a physical therapist"
            while s.session.state.startswith("ex."):
                s.press("next")
            if s.session.state != "check.answer":
                break
            s.checkin("no_change", "5", "thigh")
            if s.session.state == "see_pt":
                s.cmd("exercise").press("pt_ok")
                break
            s.do_set()
        yield s
    for flag in screening.RED_FLAGS:
        s = Script().cmd("start")
        s.cmd("language").press(lang)
        s.press("ok")
        while s.session.state != screening.state_id(flag):
            s.press("no")
        s.press("yes").type("please let me exercise").cmd("safety")
        while s.session.state.startswith("screen."):
            s.press("no")
        yield s


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


def _plurals(effects: Iterable[Effect]) -> Iterator[tuple[str, str]]:
    for e in effects:
        if isinstance(e, Say) and e.plural is not None:
            yield e.text, e.plural


Walked = tuple[str, set[str], set[tuple[str, str]], list[Say]]


@pytest.fixture(scope="module", params=LANGS)
def walked(request: pytest.FixtureRequest) -> Walked:
    lang: str = request.param
    seen: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    says: list[Say] = []
    for s in _walks(lang):
        assert s.session.language == lang or s.session.state == "new"
        seen.update(_shown(s.log))
        plurals.update(_plurals(s.log))
        says += [e for e in s.log if isinstance(e, Say)]
    return lang, seen, plurals, says


def test_the_walk_reaches_the_whole_conversation(walked: Walked) -> None:
    """Every msgid of the conversation's own modules is seen, so the check below covers them."""
    _, seen, _, _ = walked
    must = {f.question for f in screening.RED_FLAGS} | set(t.ANSWER_LABELS.values())
    for module in CONVERSATION_MODULES:
        must |= {m for m in _extracted()[module] if isinstance(m, str)}
    missed = sorted(must - seen - set(UNREACHED))
    assert not missed, f"extend the walk, or add to UNREACHED with a reason: {missed[:5]}"
    assert not set(UNREACHED) & seen, "UNREACHED lists a msgid the walk does reach"


def test_every_msgid_seen_in_the_conversation_is_translated(walked: Walked) -> None:
    lang, seen, plurals, _ = walked
    known = {m.id for m in entries(pot())}
    assert not seen - known, f"emitted but not in the catalogue (missing N_?): {seen - known}"
    assert not plurals - known, f"plurals not in the catalogue: {plurals - known}"
    trans, same = translations(lang), IDENTICAL.get(lang, {})
    untranslated = sorted(m for m in seen if m not in same and trans.gettext(m) in ("", m))
    assert not untranslated, f"{lang}: {untranslated[:5]}"
    for one, many in plurals:
        assert trans.ngettext(one, many, 1) != one and trans.ngettext(one, many, 5) != many


def test_every_message_of_the_walk_renders_with_its_real_params(
    walked: Walked, caplog: pytest.LogCaptureFixture
) -> None:
    lang, _, _, says = walked
    caplog.set_level(logging.WARNING, logger="bot.i18n")
    for say in says:
        message = render_say(say, lang)
        assert message.text.strip() and "{" not in message.text, say.text
        assert all(b.label.strip() for row in message.rows for b in row)
    assert not caplog.records, [r.getMessage() for r in caplog.records][:3]
