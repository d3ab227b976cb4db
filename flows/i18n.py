"""Marker for translatable text held in flow data.

Flows never translate: they carry English msgids that Babel extracts (keyword
`N_`) and adapters translate with the user's catalogue at render time, so a
language switch mid-flow re-renders the same step in the new language.
"""


def N_(msgid: str) -> str:
    return msgid


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """A plural pair (Babel keyword `Nn_:1,2`); the adapter picks the form by count."""
    return singular, plural


class Msg(str):
    """A msgid used as a parameter: adapters translate it before formatting."""

    __slots__ = ()
