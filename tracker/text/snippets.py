"""The passage a search result quotes: real text around the words that matched.

The index holds normalised forms, which nobody wants to read; the passage comes from the
stored text as the outlet wrote it, and is found by normalising its words one by one and
comparing them with the query's keys the way the index does. Done in Python, so SQLite and
PostgreSQL quote the same passage.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.text.normalise import tokens
from tracker.text.sentences import paragraphs, sentences
from tracker.text.words import forms

WINDOW = 30  # words quoted at most: a long sentence is cut around its first match
BEFORE = 8  # words kept before that match, for context
_WORD = re.compile(r"\S+")
_EDGE_CATEGORIES = "PSZC"  # punctuation, symbols, spaces, controls: not part of a word


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...]  # character spans of the matching words

    def render(self, start: str = "[", end: str = "]") -> str:
        """The text with each matching word between `start` and `end`."""
        out, done = [], 0
        for begin, stop in self.marks:
            out += [self.text[done:begin], start, self.text[begin:stop], end]
            done = stop
        return "".join([*out, self.text[done:]])

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class _Word:
    span: tuple[int, int]
    keys: frozenset[str]  # the query keys it stands for


def snippet(title: str, body: str, keys: Sequence[str]) -> Snippet:
    """The sentence of `body` that holds the most of `keys` (then the most matching words
    side by side, then the most matching words, then the earliest), cut to WINDOW words;
    the title when the body holds none."""
    best: tuple[tuple[int, int, int], str, list[_Word]] | None = None
    for paragraph in paragraphs(body):
        for sentence in sentences(paragraph):
            words = _words(sentence, keys)
            hits = [w for w in words if w.keys]
            together = sum(bool(a.keys and b.keys) for a, b in itertools.pairwise(words))
            rank = (len(frozenset().union(*(w.keys for w in hits))), together, len(hits))
            if hits and (best is None or rank > best[0]):
                best = (rank, sentence, words)
    if best is None:
        return _cut(title, _words(title, keys))
    return _cut(best[1], best[2])


def _words(sentence: str, keys: Sequence[str]) -> list[_Word]:
    wanted = frozenset(keys)
    return [
        _Word(m.span(), frozenset().union(*(forms(t) & wanted for t in tokens(m.group()))))
        for m in _WORD.finditer(sentence)
    ]


def _letters(text: str, begin: int, end: int) -> tuple[int, int]:
    """The span of `text[begin:end]` without the quotes and punctuation around the word
    (a diacritic is part of the word: «قَيصرُ» keeps its last mark)."""
    while begin < end and unicodedata.category(text[begin])[0] in _EDGE_CATEGORIES:
        begin += 1
    while end > begin and unicodedata.category(text[end - 1])[0] in _EDGE_CATEGORIES:
        end -= 1
    return begin, end


def _cut(sentence: str, words: list[_Word]) -> Snippet:
    first = next((i for i, w in enumerate(words) if w.keys), 0)
    start = max(0, min(first - BEFORE, len(words) - WINDOW))
    chosen = words[start : start + WINDOW]
    if not chosen:
        return Snippet(sentence, ())
    begin, end = chosen[0].span[0], chosen[-1].span[1]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + WINDOW < len(words) else ""
    marks = []
    for word in chosen:
        if word.keys:
            a, b = _letters(sentence, *word.span)
            if a < b:
                marks.append((a - begin + len(prefix), b - begin + len(prefix)))
    return Snippet(prefix + sentence[begin:end] + suffix, tuple(marks))
