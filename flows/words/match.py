"""Finding a language's concepts in what someone typed or said.

Patients write the way they talk: no punctuation, typos, slang, negations in
the middle ("no numbness but my bladder is leaking"). So text is split into
clauses (at sentence ends and at "but"), each clause into words, and a concept
is found where one of its phrases matches, or one phrase of each of a pair
stands within `PAIR_WINDOW` words of the other, unless a negation stands just
before it (within `NEGATION_REACH` words, not past an "and" or a comma) or a
"fine" just after. Long words forgive one typo; common short words never do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from flows.words.lexicon import Concept, Language

PAIR_WINDOW = 8  # words between the two halves of a pair
NEGATION_REACH = 4  # words from "no" to what it negates
FINE_REACH = 2  # words from a match to the "fine" that cancels it
MIN_TYPO_WORD = 6  # letters a whole word needs before one typo is forgiven
MIN_TYPO_STEM = 5  # the same for a stem (`numb*` never, `incontinen*` does)

_APOSTROPHES = str.maketrans("", "", "'’`´ʼ‘")
_TOKENS = re.compile(r"\w+|[,]|[.!?;:\n¿¡()]+")
_SENTENCE_END = re.compile(r"[.!?;:\n¿¡()]+")
COMMA = ","


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes ("can't" is "cant"), "ё" as "е"."""
    text = text.casefold().replace("ё", "е").translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clauses(text: str, lang: Language) -> list[tuple[str, ...]]:
    """The text's clauses, each a tuple of words (commas kept as "," tokens)."""
    out: list[tuple[str, ...]] = []
    current: list[str] = []
    for token in _TOKENS.findall(fold(text).replace("_", " ")):
        if _SENTENCE_END.fullmatch(token) or token in lang.clause_breaks:
            if current:
                out.append(tuple(current))
            current = []
        else:
            current.append(token)
    if current:
        out.append(tuple(current))
    return out


# --- patterns ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alt:
    word: str
    stem: bool  # `numb*`: the word starts so
    suffix: bool = False  # `*krebs`: the word ends so (compounds: "Brustkrebs")


@dataclass(frozen=True, slots=True)
class Slot:
    alts: tuple[Alt, ...]
    gap: int  # other words that may stand before this one


Pattern = tuple[Slot, ...]


@cache
def compile_phrase(phrase: str) -> tuple[Pattern, ...]:
    """ "a b|c ~1 d" is two patterns: the words a, b; and c, up to one word, d."""
    return tuple(_compile_one(alt) for alt in phrase.split("|") if alt.strip())


def _compile_one(phrase: str) -> Pattern:
    slots: list[Slot] = []
    gap = 0
    for part in fold(phrase).split():
        if part.startswith("~") and part[1:].isdigit():
            gap = int(part[1:])
            continue
        word = part.strip("*")
        if not word:
            raise ValueError(f"empty word in phrase {phrase!r}")
        alt = Alt(word, part.endswith("*"), part.startswith("*") and len(part) > 1)
        slots.append(Slot((alt,), gap))
        gap = 0
    if not slots:
        raise ValueError(f"empty phrase {phrase!r}")
    return tuple(slots)


def _distance_at_most_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one letter wrong, missing, extra or swapped)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one letter longer: drop each letter of b in turn
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@cache
def word_matches(alt: Alt, token: str, strict: frozenset[str]) -> bool:
    w = alt.word
    if alt.suffix:
        return token.endswith(w)
    if alt.stem:
        if token.startswith(w):
            return True
        if len(w) < MIN_TYPO_STEM or token in strict or token[:1] != w[:1]:
            return False
        n = len(w)
        return len(token) >= n - 1 and any(
            _distance_at_most_one(token[:k], w) for k in (n - 1, n, n + 1)
        )
    if token == w:
        return True
    return (
        len(w) >= MIN_TYPO_WORD
        and token not in strict
        and token[:1] == w[:1]
        and _distance_at_most_one(token, w)
    )


def _match_at(
    pattern: Pattern, words: tuple[str, ...], start: int, strict: frozenset[str]
) -> int | None:
    """The end (exclusive) of a match of `pattern` starting at `start`, or None."""

    def rest(i: int, at: int) -> int | None:
        if i == len(pattern):
            return at
        slot = pattern[i]
        reach = 0 if i == 0 else slot.gap
        for k in range(at, min(at + reach, len(words) - 1) + 1):
            token = words[k]
            if token != COMMA and any(word_matches(a, token, strict) for a in slot.alts):
                end = rest(i + 1, k + 1)
                if end is not None:
                    return end
        return None

    return rest(0, start)


def spans(phrase: str, words: tuple[str, ...], strict: frozenset[str]) -> list[tuple[int, int]]:
    """Where any of the phrase's alternatives matches: (start, end) word positions."""
    out = []
    for pattern in compile_phrase(phrase):
        for start in range(len(words)):
            end = _match_at(pattern, words, start, strict)
            if end is not None:
                out.append((start, end))
    return out


# --- concepts ---------------------------------------------------------------------------


def _negated_before(
    words: tuple[str, ...], start: int, lang: Language, floor: int = 0, reach: int | None = None
) -> bool:
    """A negation within reach before `start` (not before `floor`, not past an "and")."""
    reach = NEGATION_REACH if reach is None else reach
    for k in range(start - 1, max(start - reach, floor) - 1, -1):
        token = words[k]
        if token == COMMA or token in lang.negation_breaks:
            return False
        if token in lang.negations:
            return True
    return False


def _fine_after(words: tuple[str, ...], end: int, lang: Language) -> bool:
    """ "...is fine" right after `end` (not past a comma)."""
    after = words[end : end + FINE_REACH + 3]
    for phrase in lang.fine_after:
        for s, _ in spans(phrase, after, lang.no_typos):
            if s <= FINE_REACH and COMMA not in after[:s]:
                return True
    return False


def _about_others(words: tuple[str, ...], start: int, lang: Language) -> bool:
    return any(w in lang.relatives for w in words[:start])


def find(concept: Concept, words: tuple[str, ...], lang: Language) -> list[tuple[int, int]]:
    """Where in one clause `concept` is said (and not negated): (start, end) spans."""
    if _explained_away(concept, words, lang):
        return []
    found = _alone(concept, words, lang) + _paired(concept, words, lang)
    if concept.others:
        found = [(s, e) for s, e in found if not _about_others(words, s, lang)]
    return sorted(set(found))


def _explained_away(concept: Concept, words: tuple[str, ...], lang: Language) -> bool:
    """One of the concept's `unless` phrases, not itself negated, anywhere in the clause:
    the words mean something else ("fall asleep"). A negated one explains nothing away:
    "without dieting" does not explain a weight loss away."""
    return any(
        not _negated_before(words, s, lang)
        for phrase in concept.unless
        for s, _ in spans(phrase, words, lang.no_typos)
    )


def _alone(concept: Concept, words: tuple[str, ...], lang: Language) -> list[tuple[int, int]]:
    """The concept's phrases that say it by themselves, where no negation stands before
    and no "fine" after."""
    found: list[tuple[int, int]] = []
    for phrase in concept.alone:
        for s, e in spans(phrase, words, lang.no_typos):
            if _negated_before(words, s, lang, reach=concept.negation_reach):
                continue
            # "can't pee properly": a phrase that holds its own negation is not undone by
            # the "well" after it
            negative = any(w in lang.negations for w in words[s:e])
            if negative or not _fine_after(words, e, lang):
                found.append((s, e))
    return found


def _paired(concept: Concept, words: tuple[str, ...], lang: Language) -> list[tuple[int, int]]:
    """The concept said by two phrases together, one of each group within `PAIR_WINDOW`
    words ("can't control" ... "bladder"): the span from the first to the last word."""
    strict = lang.no_typos
    found: list[tuple[int, int]] = []
    for group_a, group_b in concept.pairs:
        a = [sp for p in group_a for sp in spans(p, words, strict)]
        if not a:
            continue  # the second group is not looked for: the pair cannot be said
        b = [sp for p in group_b for sp in spans(p, words, strict)]
        for first, second in _near(a, b):
            if not _pair_negated(concept, words, first, second, lang):
                found.append((first[0], max(first[1], second[1])))
    return found


def _near(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each span of `a` with each of `b` that starts within `PAIR_WINDOW` words of it
    (not the same span, which two groups may share), in the order they stand."""
    out: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for sa, ea in a:
        for sb, eb in b:
            if (sa, ea) == (sb, eb) or abs(sa - sb) > PAIR_WINDOW:
                continue
            first, second = sorted(((sa, ea), (sb, eb)))
            out.append((first, second))
    return out


def _pair_negated(
    concept: Concept,
    words: tuple[str, ...],
    first: tuple[int, int],
    second: tuple[int, int],
    lang: Language,
) -> bool:
    """A pair undone: a negation before its first half or between the two ("numbness,
    not in the groin"), or a "fine" after either half."""
    (s1, e1), (s2, e2) = first, second
    reach = concept.negation_reach
    return (
        _negated_before(words, s1, lang, reach=reach)
        or (s2 >= e1 and _negated_before(words, s2, lang, floor=e1, reach=reach))
        or _fine_after(words, e1, lang)
        or _fine_after(words, e2, lang)
    )


def said(concept: Concept, text: str, lang: Language) -> bool:
    return any(find(concept, words, lang) for words in clauses(text, lang))
