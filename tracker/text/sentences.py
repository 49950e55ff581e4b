"""Paragraphs, sentences and the excerpt an alert quotes: one splitter for every stage."""

from __future__ import annotations

import re

# A sentence ends at . ! ? ؟ or 。 followed by a space: "U.S." and "3.5" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?؟。])\s+")


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of `text`, each with its spaces collapsed."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


def excerpt(paragraph: str, limit: int = 320) -> str:
    """The first whole sentences of `paragraph`, about `limit` characters at most."""
    if len(paragraph) <= limit:
        return paragraph
    taken = ""
    for sentence in sentences(paragraph):
        if taken and len(taken) + len(sentence) + 1 > limit:
            break
        taken = f"{taken} {sentence}".strip()
    if len(taken) > limit:
        taken = taken[:limit].rsplit(" ", 1)[0] + " …"
    return taken
