"""What full-text search indexes and asks for, by the rules of topic matching.

An index holds one entry per word, but a word stands for several (`words.forms`:
«وبقانونها» is also «قانون»). So each position of the text carries every form of its word,
and a query word is looked up by the key a watchlist term would use (`words.term_key`):
«قانون قيصر» finds «وبقانون قَيصر» exactly when a topic with that term would match it.

The ingest path and the migration that fills the index for older articles both build a
document here, from the stored title and body, so an article is found the same way
however it came into the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.text.normalise import tokens
from tracker.text.words import forms, term_key

# Each word's forms, in text order: what the index stores at each position.
Positions = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SearchDocument:
    title: Positions
    body: Positions


# PostgreSQL refuses a lexeme of 2,048 bytes or more (a URL or a run of letters pasted
# without spaces): such a "word" is left out of the index and of queries, on both databases.
MAX_WORD_BYTES = 2000


def positions(words: Sequence[str]) -> Positions:
    return tuple(tuple(sorted(forms(word))) for word in words if _indexable(word))


def _indexable(word: str) -> bool:
    return len(word.encode("utf-8")) < MAX_WORD_BYTES


def search_document(title: str, body: str) -> SearchDocument:
    """The indexed words of an article's stored title and body (an emptied body: none)."""
    return document_of(tokens(title), tokens(body))


def document_of(title: Sequence[str], body: Sequence[str]) -> SearchDocument:
    """The same from words already normalised (at ingest, the article's own: nothing is
    normalised twice)."""
    return SearchDocument(positions(title), positions(body))


def query_keys(query: str) -> tuple[str, ...]:
    """The words a query looks up, in order, each once: «القانون» asks for «قانون»."""
    return tuple(dict.fromkeys(term_key(token) for token in tokens(query) if _indexable(token)))


def closeness(title: str, body: str, keys: Sequence[str]) -> int:
    """How closely an article matches: 2 when the title or the body holds the keys as a
    phrase (one after another), 1 when they hold every key, 0 when only some."""
    wanted, seen = frozenset(keys), set[str]()
    for text in (title, body):
        words = [forms(token) & wanted for token in tokens(text)]
        seen.update(*words)
        for start in range(len(words) - len(keys) + 1):
            if all(key in words[start + i] for i, key in enumerate(keys)):
                return 2
    return 1 if seen == wanted else 0
