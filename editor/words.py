"""Counted words for the UI: "1 frame", "2 frames", never "1 frames"."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """`n` and `word`, in the plural unless n is 1: plural(1, "clip") -> "1 clip";
    pass `words` for a plural that isn't word + "s"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {words or word + 's'}"
