"""What a set of declared edges reaches: shared by the patient's graph (flows.graph) and
the PT's (flows.clinician.graph), which read their tables into (from, label, to)."""

from __future__ import annotations

from collections.abc import Iterable

Edge = tuple[str, str, str]


def reachable(edges: Iterable[Edge], start: Iterable[str]) -> set[str]:
    """Every node an edge path leads to from `start` (the start included)."""
    leads: dict[str, set[str]] = {}
    for a, _, b in edges:
        leads.setdefault(a, set()).add(b)
    seen = set(start)
    todo = list(seen)
    while todo:
        for b in leads.get(todo.pop(), ()):
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return seen
