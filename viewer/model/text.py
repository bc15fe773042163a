"""Untrusted text made safe to show next to other text.

A title from a file may hold bidi controls (U+202E reverses what follows it). Wrapped in a first
strong isolate (U+2068 … U+2069) it is laid out on its own and cannot reorder the text around it.
A stray U+2069 inside the text would close our isolate early, so unmatched ones are dropped.
"""

from __future__ import annotations

FSI = "\u2068"
PDI = "\u2069"
_OPENERS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI


def isolate(text: str) -> str:
    """`text` wrapped in a bidi isolate, with any isolate it leaves open closed inside it."""
    if not any(c in _OPENERS or c == PDI for c in text):
        return f"{FSI}{text}{PDI}"
    out: list[str] = []
    depth = 0
    for c in text:
        if c in _OPENERS:
            depth += 1
        elif c == PDI:
            if depth == 0:
                continue  # would close our isolate: drop it
            depth -= 1
        out.append(c)
    return FSI + "".join(out) + PDI * (depth + 1)
