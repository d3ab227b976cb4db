"""Typed numbers, read the one way every question and adapter shares.

`str.isdigit` passes '²' and '①', which `int` refuses, and a user who types
"11" at a 0-10 question means eleven, not the eleventh button. So a typed
number is a whole number in any script's decimal digits (Arabic-Indic,
Devanagari, full-width...), with nothing else around it but spaces.
"""

from __future__ import annotations

import unicodedata


def whole(text: str, *, max_digits: int = 12) -> int | None:
    """The whole number `text` is, in any script's decimal digits; None otherwise."""
    stripped = text.strip()
    if not stripped or len(stripped) > max_digits:
        return None
    value = 0
    for ch in stripped:
        digit = unicodedata.decimal(ch, -1)
        if digit < 0:
            return None
        value = value * 10 + digit
    return value


def in_range(text: str, lo: int, hi: int) -> int | None:
    """A whole number from `lo` to `hi` typed as `text`; None for anything else."""
    value = whole(text)
    return value if value is not None and lo <= value <= hi else None


def looks_numeric(text: str) -> bool:
    """Whether `text` is an attempt at a number ("11", "-1", "6.5", "²"): such an answer
    gets "a whole number from 0 to 10", not "please tap a button"."""
    stripped = text.strip()
    return (
        any(unicodedata.numeric(ch, None) is not None for ch in stripped)
        and len([ch for ch in stripped if ch.isalpha()]) <= 1
    )
