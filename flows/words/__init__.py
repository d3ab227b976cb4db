"""What a user's own words say: warning signs, check-in answers, a set's buttons.

Pure functions over text, reading one table per language (en.py, es.py,
de.py, ru.py). They only understand: what follows is always a question with
explicit buttons (flows.heard), so a match never decides by itself and a
miss never blocks anything. Text is read with the user's language and with
English, which many people mix in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, lru_cache

from flows.model import Reach
from flows.numbers import whole
from flows.words import de, en, es, ru
from flows.words.lexicon import Language
from flows.words.match import clauses, find, said, spans

LANGUAGES: dict[str, Language] = {
    lang.code: lang for lang in (en.LANGUAGE, es.LANGUAGE, de.LANGUAGE, ru.LANGUAGE)
}
# the order the questions are asked in (flows.screening.RED_FLAGS): emergencies first
SIGN_ORDER = (
    "bladder",
    "saddle",
    "both_legs",
    "weakness",
    "foot_drop",
    "sexual",
    "fever",
    "cancer",
    "trauma",
    "bones",
)
# check-in answers as words say them (flows.heard maps them onto the buttons offered)
WORSE, LEG_GONE, ALL_GONE, EASING, SAME = "worse", "leg_gone", "all_gone", "easing", "same"
ANSWER_KINDS = (WORSE, LEG_GONE, ALL_GONE, EASING, SAME)
SET_COMMANDS = ("stop", "done", "steps", "press", "repeat", "next")
MAX_SET_WORDS = 6  # a longer message at a step is talk, not a button said aloud


@cache
def tables(lang: str) -> tuple[Language, ...]:
    """The user's language, then English read with the user's own negations, clause
    breaks and relatives ("sin chemo", "mi madre tuvo cancer")."""
    own = LANGUAGES.get(lang, en.LANGUAGE)
    if own is en.LANGUAGE:
        return (own,)
    mixed = replace(
        en.LANGUAGE,
        negations=en.LANGUAGE.negations | own.negations,
        fine_after=en.LANGUAGE.fine_after + own.fine_after,
        clause_breaks=en.LANGUAGE.clause_breaks | own.clause_breaks,
        negation_breaks=en.LANGUAGE.negation_breaks | own.negation_breaks,
        relatives=en.LANGUAGE.relatives | own.relatives,
        no_typos=en.LANGUAGE.no_typos | own.no_typos,
    )
    return (own, mixed)


@lru_cache(maxsize=1024)  # pure, and the slowest step of a turn: a repeat is free
def signs(text: str, lang: str) -> tuple[str, ...]:
    """The warning signs `text` names, in the order their questions are asked."""
    found = {
        sign
        for table in tables(lang)
        for sign, concept in table.signs.items()
        if said(concept, text, table)
    }
    return tuple(sign for sign in SIGN_ORDER if sign in found)


@dataclass(frozen=True, slots=True)
class Understood:
    """A check-in in words: an answer kind (ANSWER_KINDS), the pain, the reach."""

    answer: str | None = None
    pain: int | None = None
    reach: Reach | None = None

    @property
    def empty(self) -> bool:
        return self.answer is None and self.pain is None and self.reach is None


@lru_cache(maxsize=1024)
def checkin(text: str, lang: str, before: Reach | None = None) -> Understood:
    """The check-in answers in `text`. "Worse" wins over every other answer; so does a
    reach further from the spine than `before` (the stop rule's side of any doubt)."""
    kinds: set[str] = set()
    for table in tables(lang):
        for kind, concept in table.answers.items():
            if said(concept, text, table):
                kinds.add(kind.split("+")[0])
    reach, moved = _reach(text, lang)
    pain = _pain(text, lang)
    answer: str | None = None
    further = reach is not None and before is not None and reach.rank < before.rank
    if WORSE in kinds or moved == WORSE or further:
        answer = WORSE
    elif LEG_GONE in kinds:
        answer = LEG_GONE
    elif ALL_GONE in kinds:
        answer = ALL_GONE
    elif EASING in kinds or moved == EASING:
        answer = EASING
    elif SAME in kinds:
        answer = SAME
    return Understood(answer, pain, reach)


_BACK_KINDS = ("back_centre", "back_side")
# a body part named: (order in the text, the reach, after "to"/"into", after "from")
Mention = tuple[int, Reach, bool, bool]


def _reach(text: str, lang: str) -> tuple[Reach | None, str | None]:
    """Where the pain reaches, and whether it moved from one part to another: the part
    after "to" / "into" if one is named so, else the furthest named."""
    mentions = _body_mentions(text, lang)
    if not mentions:
        return None, None
    mentions.sort(key=lambda m: m[0])
    targets = [m for m in mentions if m[2]]
    sources = [m for m in mentions if m[3]]
    reach = targets[-1][1] if targets else min((m[1] for m in mentions), key=lambda r: r.rank)
    return reach, _moved(reach, targets, sources)


def _body_mentions(text: str, lang: str) -> list[Mention]:
    """Every body part `text` names, clause by clause, read with the first table that
    names any: the user's own language said it; English is only a fallback."""
    mentions: list[Mention] = []
    order = 0
    for table in tables(lang):
        for words in clauses(text, table):
            for start, value, to, frm in _clause_mentions(words, table):
                mentions.append((order * 1000 + start, value, to, frm))
            order += 1
        if mentions:
            break
    return mentions


def _clause_mentions(words: tuple[str, ...], table: Language) -> list[Mention]:
    """The body parts one clause names, each at its word position, with whether a "to"
    or a "from" stands within three words before it."""
    found: dict[str, list[tuple[int, int]]] = {
        kind: find(concept, words, table) for kind, concept in table.body.items()
    }
    specific = [sp for kind in _BACK_KINDS for sp in found.get(kind, [])]
    mentions: list[Mention] = []
    for kind, where in found.items():
        for start, _end in where:
            value = _part(kind, start, words, table, specific)
            if value is None:
                continue
            before = words[max(0, start - 3) : start]
            to = any(w in table.to_words for w in before)
            frm = any(w in table.from_words for w in before)
            mentions.append((start, value, to, frm))
    return mentions


def _part(
    kind: str,
    start: int,
    words: tuple[str, ...],
    table: Language,
    specific: list[tuple[int, int]],
) -> Reach | None:
    """The reach a body part named at `start` stands for. The back in general is its
    side; None where the words say something else: a back inside a span of the centre
    or a side ("the middle of my back": said by the specific kind), or "one side" / "the
    middle" with no back named in the clause (of the back only when it is said)."""
    if kind == "back":
        if any(s <= start < e for s, e in specific):
            return None
        return Reach.BACK_SIDE
    if kind in _BACK_KINDS and not _mentions_back(words, table):
        return None
    return Reach(kind)


def _moved(reach: Reach, targets: list[Mention], sources: list[Mention]) -> str | None:
    """From one part to another ("from my leg into my back"): the first part named after
    a "from", before the last one after a "to". Closer to the spine is easing, further is
    worse; no "from" before a "to", or the same rank, says nothing."""
    if not (targets and sources and sources[0][0] < targets[-1][0]):
        return None
    came_from = sources[0][1]
    if reach.rank > came_from.rank:
        return EASING
    if reach.rank < came_from.rank:
        return WORSE
    return None


def _mentions_back(words: tuple[str, ...], table: Language) -> bool:
    return bool(find(table.body["back"], words, table)) or any(
        w.startswith(("spin", "column", "columna", "wirbel", "позвон", "спин", "поясниц"))
        for w in words
    )


def _pain(text: str, lang: str) -> int | None:
    """A pain score 0-10 in digits or words: the one after "now", else the last one;
    not a time, a count or the "10" of "out of 10"."""
    found: list[tuple[int, int, bool]] = []  # (position, value, after "now")
    position = 0
    for t in tables(lang):
        for words in clauses(text.replace("/", " outof "), t):
            for i, value, after_now in _clause_scores(words, t):
                found.append((position + i, value, after_now))
            position += 1000
        if found:
            break  # the user's own language said it; English is only a fallback
    if not found:
        return None
    latest = [f for f in found if f[2]]
    return (latest or found)[-1][1]


def _clause_scores(words: tuple[str, ...], t: Language) -> list[tuple[int, int, bool]]:
    """The pain scores in one clause: (word position, value, whether a "now" stands
    within two words before it)."""
    scores: list[tuple[int, int, bool]] = []
    for i in range(len(words)):
        value = _number(words, i, t)
        if value is None or value > 10 or not _is_score(words, i, t):
            continue
        after_now = any(w in t.now_words for w in words[max(0, i - 2) : i])
        scores.append((i, value, after_now))
    return scores


def _number(words: tuple[str, ...], i: int, t: Language) -> int | None:
    """The number word `i` is, in digits (at most two) or a word. A weak number word
    ("one", "nothing": as often not a score at all) counts only alone or before an
    "out of"."""
    word = words[i]
    value = whole(word, max_digits=2)
    if value is not None or word not in t.numbers:
        return value
    if word in t.weak_numbers and not (len(words) == 1 or _followed(words, i, t.out_of)):
        return None
    return t.numbers[word]


def _is_score(words: tuple[str, ...], i: int, t: Language) -> bool:
    """Whether the number at `i` can be a pain score by what stands around it: not a time
    or a count ("2 hours", "day 3"), not the 10 of "out of 10"."""
    if _followed(words, i, t.units) or _preceded(words, i, t.units_before):
        return False
    return not _preceded(words, i, t.out_of)


def _followed(words: tuple[str, ...], i: int, phrases: tuple[str, ...]) -> bool:
    rest = words[i + 1 : i + 4]
    return any(s == 0 for p in phrases for s, _ in spans(p, rest, frozenset()))


def _preceded(words: tuple[str, ...], i: int, phrases: tuple[str, ...]) -> bool:
    before = words[max(0, i - 3) : i]
    return any(e == len(before) for p in phrases for _, e in spans(p, before, frozenset()))


def set_word(text: str, lang: str) -> str | None:
    """A set's button said in words (SET_COMMANDS), for a short message only."""
    if sum(len(words) for words in clauses(text, en.LANGUAGE)) > MAX_SET_WORDS:
        return None
    for command in SET_COMMANDS:
        for table in tables(lang):
            concept = table.set_words.get(command)
            if concept is not None and said(concept, text, table):
                return command
    return None


def yes(text: str, lang: str) -> bool:
    """A plain yes ("yes", "yeah", "correct"), not negated."""
    if sum(len(words) for words in clauses(text, en.LANGUAGE)) > MAX_SET_WORDS:
        return False
    return any(said(table.yes, text, table) for table in tables(lang))
