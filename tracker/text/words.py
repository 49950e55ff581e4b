"""A word's forms and stem by its script: the one entry to the Arabic and English rules."""

from __future__ import annotations

from functools import lru_cache

from tracker.text import arabic, english
from tracker.text.normalise import is_arabic_token


@lru_cache(maxsize=131072)
def forms(token: str) -> frozenset[str]:
    """Every base form a text token may stand for (itself, clitic-free, singular)."""
    if is_arabic_token(token):
        return frozenset(arabic.forms(token))
    return frozenset({token, english.singular(token)})


def term_key(token: str) -> str:
    """The form under which a watchlist term's token is indexed."""
    if is_arabic_token(token):
        return arabic.without_article(token)
    return english.singular(token)


def stem(token: str) -> str:
    """One stem per word, so that its inflections count as one feature."""
    if is_arabic_token(token):
        return arabic.light_stem(token)
    return english.singular(token)


def is_stopword(token: str) -> bool:
    return token in arabic.STOPWORDS or token in english.STOPWORDS
