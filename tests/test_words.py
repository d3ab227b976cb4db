"""The user's own words, measured: warning signs and check-in answers in four languages.

The labelled sets in tests/data/words are written the way patients write on
forums and in chat (typos, slang, no punctuation). For warning signs the
suite prints recall (a sign's phrasings that ask its question) and the false
positive rate (texts that name no sign but ask one) per language, and fails
under 95 % recall or over 5 % false positives. For check-ins it prints the
share read exactly right (answer, pain and reach), and asserts the one rule
with no tolerance: a "worse" is never read as anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows import words
from flows.model import Reach
from flows.screening import RED_FLAGS
from flows.words.match import fold

DATA = Path(__file__).parent / "data" / "words"
LANGS = ("en", "es", "de", "ru")
MIN_RECALL = 0.95
MAX_FALSE_POSITIVES = 0.05
MIN_CHECKIN_ACCURACY = 0.90
MIN_PHRASINGS = 150
BEFORE = Reach.THIGH  # where the pain reached at the last check-in, in the check-in sets


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class SignScore:
    positives: int
    negatives: int
    recall: float
    false_positives: float
    missed: list[tuple[str, str]]
    wrong: list[tuple[tuple[str, ...], str]]


def score_signs(lang: str) -> SignScore:
    positives = negatives = found = flagged = 0
    missed: list[tuple[str, str]] = []
    wrong: list[tuple[tuple[str, ...], str]] = []
    for label, text in _rows(f"signs_{lang}.tsv"):
        got = words.signs(text, lang)
        if label == "-":
            negatives += 1
            if got:
                flagged += 1
                wrong.append((got, text))
        else:
            positives += 1
            if label in got:
                found += 1
            else:
                missed.append((label, text))
    return SignScore(positives, negatives, found / positives, flagged / negatives, missed, wrong)


@pytest.mark.parametrize("lang", LANGS)
def test_warning_signs_recall_and_false_positives(
    lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    score = score_signs(lang)
    with capsys.disabled():
        print(
            f"\n[words] warning signs {lang}: {score.positives} named, {score.negatives} not: "
            f"recall {score.recall:.1%}, false positives {score.false_positives:.1%}"
        )
    assert score.recall >= MIN_RECALL, score.missed
    assert score.false_positives <= MAX_FALSE_POSITIVES, score.wrong


@pytest.mark.parametrize("lang", LANGS)
def test_the_sets_have_every_sign_both_ways_and_ordinary_replies(lang: str) -> None:
    rows = _rows(f"signs_{lang}.tsv")
    assert len(rows) >= MIN_PHRASINGS
    labels = [label for label, _ in rows]
    for flag in RED_FLAGS:
        assert labels.count(flag.id) >= 5, (lang, flag.id)
    # near misses for every sign ("no fever", "my mum had cancer") sit among the "-" rows:
    # each of them names a sign's words, so the ordinary replies are counted apart
    assert labels.count("-") >= 60


@dataclass(frozen=True)
class CheckinScore:
    total: int
    accuracy: float
    wrong: Sequence[tuple[tuple[object, ...], tuple[object, ...], str]]
    worse_missed: list[str]


def score_checkins(lang: str) -> CheckinScore:
    right = 0
    wrong = []
    worse_missed = []
    rows = _rows(f"checkin_{lang}.tsv")
    for answer, pain, reach, text in rows:
        expected = (
            None if answer == "-" else answer,
            None if pain == "-" else int(pain),
            None if reach == "-" else Reach(reach),
        )
        heard = words.checkin(text, lang, BEFORE)
        got = (heard.answer, heard.pain, heard.reach)
        if got == expected:
            right += 1
        else:
            wrong.append((expected, got, text))
        if answer == words.WORSE and heard.answer != words.WORSE:
            worse_missed.append(text)
    return CheckinScore(len(rows), right / len(rows), wrong, worse_missed)


@pytest.mark.parametrize("lang", LANGS)
def test_checkin_answers_in_words(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    score = score_checkins(lang)
    with capsys.disabled():
        print(
            f"\n[words] check-in answers {lang}: {score.total} phrasings, "
            f"{score.accuracy:.1%} read right (answer, pain and reach)"
        )
    assert score.worse_missed == [], "a worse read as something else"
    assert score.accuracy >= MIN_CHECKIN_ACCURACY, score.wrong


WORSE_EVERYWHERE = {
    "en": ("worse", "Worse.", "WORSE!!", "its worse", "wors", "werse", "spreading", "spredding"),
    "es": ("peor", "Peor.", "esta peor", "empeoro", "se extiende", "se esta extendiendo"),
    "de": ("schlimmer", "Schlimmer.", "schlechter", "verschlechtert", "breitet sich aus"),
    "ru": ("хуже", "Хуже.", "стало хуже", "ухудшилось", "распространяется"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_worse_wins_over_every_other_answer(lang: str) -> None:
    others = {
        "en": ("better", "the same", "all gone", "leg pain gone", "7"),
        "es": ("mejor", "igual", "sin dolor", "solo la espalda", "7"),
        "de": ("besser", "gleich", "schmerzfrei", "nur noch rücken", "7"),
        "ru": ("лучше", "так же", "все прошло", "только спина", "7"),
    }[lang]
    for worse in WORSE_EVERYWHERE[lang]:
        assert words.checkin(worse, lang).answer == words.WORSE, worse
        for other in others:
            for text in (f"{worse} {other}", f"{other}, {worse}", f"{other} but {worse}"):
                assert words.checkin(text, lang).answer == words.WORSE, text


@pytest.mark.parametrize(
    ("lang", "text", "command"),
    [
        ("en", "next", "next"),
        ("en", "Next.", "next"),
        ("en", "again", "repeat"),
        ("en", "repeat", "repeat"),
        ("en", "done", "done"),
        ("en", "Stop.", "stop"),
        ("es", "siguiente", "next"),
        ("es", "otra vez", "repeat"),
        ("es", "listo", "done"),
        ("es", "para ya basta", "stop"),
        ("de", "weiter", "next"),
        ("de", "nochmal", "repeat"),
        ("de", "fertig", "done"),
        ("de", "stopp", "stop"),
        ("ru", "дальше", "next"),
        ("ru", "еще раз", "repeat"),
        ("ru", "готово", "done"),
        ("ru", "стоп", "stop"),
        ("en", "i think i did the next one wrong, my back was twisted", None),
        ("en", "hello", None),
    ],
)
def test_a_sets_words(lang: str, text: str, command: str | None) -> None:
    assert words.set_word(text, lang) == command


@pytest.mark.parametrize(
    ("lang", "text", "yes"),
    [
        ("en", "yes", True),
        ("en", "Yes.", True),
        ("en", "yeah", True),
        ("en", "no", False),
        ("en", "not really", False),
        ("es", "sí", True),
        ("de", "ja", True),
        ("ru", "да", True),
        ("ru", "нет", False),
    ],
)
def test_yes(lang: str, text: str, yes: bool) -> None:
    assert words.yes(text, lang) is yes


def test_text_is_folded_as_people_type_it() -> None:
    assert fold("Can’t") == "cant"
    assert fold("Vejíga") == "vejiga"
    assert fold("Gefühl") == "gefuhl"
    assert fold("Всё") == "все"


def test_long_words_forgive_one_typo_short_common_ones_never() -> None:
    assert words.signs("bladdder is leaking", "en") == ("bladder",)
    assert words.signs("incontinance", "en") == ("bladder",)
    assert words.signs("never had a fever", "en") == ()
    assert words.signs("I never sleep well", "en") == ()


def test_negations_reach_a_few_words_but_not_past_and() -> None:
    assert words.signs("no fever", "en") == ()
    assert words.signs("no fever and I have lost weight", "en") == ("cancer",)
    assert words.signs("no numbness but my bladder is leaking", "en") == ("bladder",)
    assert words.signs("numbness, not in the groin", "en") == ()


def test_what_relatives_had_is_not_the_users() -> None:
    assert words.signs("my mum had cancer", "en") == ()
    assert words.signs("I had cancer like my mum", "en") == ("cancer",)
    assert words.signs("mi madre tuvo cancer", "es") == ()


def test_english_is_read_beside_the_users_language() -> None:
    assert words.signs("tengo fever", "es") == ("fever",)
    assert words.checkin("worse", "ru").answer == words.WORSE


def test_signs_come_in_the_order_of_their_questions() -> None:
    found = words.signs("fell off my bike and now I cant control my bladder", "en")
    assert found == ("bladder", "trauma")
    assert tuple(f.id for f in RED_FLAGS) == words.SIGN_ORDER


def test_pain_numbers_are_not_times_counts_or_the_ten_of_out_of_ten() -> None:
    assert words.checkin("7/10", "en").pain == 7
    assert words.checkin("7 out of 10", "en").pain == 7
    assert words.checkin("was 8 now 5", "en").pain == 5
    assert words.checkin("did 10 reps, pain 4", "en").pain == 4
    assert words.checkin("2 hours ago", "en").pain is None
    assert words.checkin("siete de 10", "es").pain == 7
    assert words.checkin("sieben von 10", "de").pain == 7
    assert words.checkin("семь из 10", "ru").pain == 7
    assert words.checkin("on one side", "en").pain is None
