"""The shape of a language's word tables: what flows.words.match reads.

The tables are data so a clinician or a translator can add a phrasing without
touching the matcher: one `Concept` per warning sign, check-in answer, body
part and set word, in one module per language (en.py, es.py, de.py, ru.py).

A phrase is a string of word patterns separated by spaces:
- `bladder`   that word (a long word also matches with one typo: "bladdder")
- `numb*`     any word starting so (inflections: numb, numbness, numbed)
- `*krebs`    any word ending so (compounds: Brustkrebs, Darmkrebs)
- `a|b*|c`    any of these
- `~2`        up to two other words may stand here
Text is folded before matching (lower case, accents and apostrophes dropped,
"ё" read as "е"), and so are the patterns: write them as people type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Phrases = tuple[str, ...]


def words(text: str) -> frozenset[str]:
    """A set of single words, written as one string ("no not never")."""
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing people say, in many words.

    `alone`: phrases that say it by themselves. `pairs`: (A, B) phrase groups
    that say it together, one of each within a few words in the same clause
    ("can't control" ... "bladder"). `unless`: phrases that, anywhere in the
    clause, mean something else ("fall asleep"). `others`: when a relative is
    named before it in the clause, it is about them ("my mum had cancer").
    """

    alone: Phrases = ()
    pairs: tuple[tuple[Phrases, Phrases], ...] = ()
    unless: Phrases = ()
    others: bool = False
    # how many words back a "no" negates it (None: flows.words.match.NEGATION_REACH);
    # "worse" takes 2, so "no pain before, worse now" is still worse
    negation_reach: int | None = None


@dataclass(frozen=True, slots=True)
class Language:
    """Everything the matcher knows of one language."""

    code: str
    # warning signs, by the id of their question in flows.screening
    signs: dict[str, Concept]
    # words that cancel what follows them within a few words ("no", "never", "without")
    negations: frozenset[str]
    # phrases right after a match that cancel it ("bladder control is fine")
    fine_after: Phrases
    # words that end a clause ("but"): pairs and negations do not reach across them
    clause_breaks: frozenset[str]
    # words that end a negation's reach without ending the clause ("and")
    negation_breaks: frozenset[str]
    # relatives and others: a history sign said of them is not the user's
    relatives: frozenset[str]
    # check-in answers: worse, leg_gone, all_gone, easing, same (flows.words.ANSWER_KINDS)
    answers: dict[str, Concept]
    # where the pain reaches: flows.model.Reach values, and "back" for the back in general
    body: dict[str, Concept]
    # "from" and "to" before a body part: the pain moved from one to the other
    from_words: frozenset[str]
    to_words: frozenset[str]
    # numbers written as words, 0-10 ("one" and the like only with "out of ten")
    numbers: dict[str, int]
    weak_numbers: frozenset[str]
    # a number followed or preceded by these is not the pain ("2 hours", "day 3")
    units: Phrases
    units_before: Phrases
    # "out of" in "7 out of 10": the 10 is not the pain
    out_of: Phrases
    # a number after these is the pain now ("was 5 now 7")
    now_words: frozenset[str]
    # a set's buttons said aloud: next, repeat, done, stop, press
    set_words: dict[str, Concept]
    yes: Concept = field(default_factory=Concept)
    # words common enough never to be read as a near-miss of a longer word
    no_typos: frozenset[str] = frozenset()
