"""Marker for translatable text held in flow data.

Flows never translate: they carry English msgids that Babel extracts (keyword
`N_`) and adapters translate with the user's catalogue at render time, so a
language switch mid-flow re-renders the same step in the new language.
"""


def N_(msgid: str) -> str:
    return msgid


class Msg(str):
    """A msgid used as a parameter: adapters translate it before formatting."""

    __slots__ = ()
