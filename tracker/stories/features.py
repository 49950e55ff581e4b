"""What an article is about, as weighted features for story grouping and events.

- `w:` content words, stemmed (language-bound: they only compare within a language);
- `n:` numbers that state facts (a vote count, a toll), not calendar numbers (years, days
  of a month, times of day), and small numbers written as words;
- `k:` consonant skeletons of names, which carry across Arabic and Latin script;
- `t:` the watchlist topics the article matched (the watchlist pairs Arabic and English
  aliases as one concept), added by the story index.

Features from the title and lead paragraph weigh more: they say what the event is, while
later paragraphs often recall earlier events.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tracker.text import english
from tracker.text.normalise import is_arabic_token
from tracker.text.numbers import fact_numbers, spelled_numbers
from tracker.text.translit import MIN_SKELETON, arabic_skeleton, latin_skeleton
from tracker.text.words import is_stopword, stem

HEAD_WEIGHT = 2.0
KIND_WEIGHT = {"w": 1.0, "n": 3.0, "k": 1.0, "t": 3.0}
LANGUAGE_BOUND = "w:"
SCRIPT_BOUND = "k"  # name skeletons: "ka:" from Arabic words, "kl:" from Latin names
ARABIC_NAME, LATIN_NAME = "ka:", "kl:"
TOPIC = "t:"
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z'’-]{2,}")


@dataclass(frozen=True)
class Features:
    weights: dict[str, float]  # feature -> weight before IDF
    head: frozenset[str] = frozenset()  # the features of the title and lead

    def with_topics(self, topics: set[str]) -> dict[str, float]:
        return {**self.weights, **{TOPIC + t: KIND_WEIGHT["t"] for t in topics}}


@lru_cache(maxsize=262144)
def _word_features(token: str) -> tuple[str, ...]:
    """The features of one normalised token (words repeat: computed once each)."""
    if token.isdigit() or len(token) < 3 or is_stopword(token):
        return ()
    stemmed = stem(token)
    if is_arabic_token(stemmed) and len(skeleton := arabic_skeleton(stemmed)) >= MIN_SKELETON:
        return (f"w:{stemmed}", f"{ARABIC_NAME}{skeleton}")
    return (f"w:{stemmed}",)


def content_words(tokens: Sequence[str]) -> frozenset[str]:
    """The language-bound word features of some normalised tokens (a title's, say)."""
    return frozenset(
        feature
        for token in tokens
        for feature in _word_features(token)
        if feature.startswith(LANGUAGE_BOUND)
    )


def _part_features(raw: str, tokens: Sequence[str], lang: str) -> set[str]:
    """Features of one part (the head, or the whole text), from its raw text (for names
    written with capitals) and its normalised tokens."""
    found = {feature for token in tokens for feature in _word_features(token)}
    if lang != "ar":
        for name in _LATIN_NAME.findall(raw):
            skeleton = latin_skeleton(name)
            # A long name with a short skeleton (Kiswah: ks) still names something.
            shortest = MIN_SKELETON - (len(name) >= 6)
            if name.lower() not in english.STOPWORDS and len(skeleton) >= shortest:
                found.add(f"{LATIN_NAME}{skeleton}")
    found.update(f"n:{n}" for n in fact_numbers(tokens) | spelled_numbers(tokens))
    return found


def features_of(
    title: str,
    title_tokens: Sequence[str],
    lead: str,
    lead_tokens: Sequence[str],
    text: str,
    body_tokens: Sequence[str],
    lang: str,
) -> Features:
    """The features of an article whose head is its title and lead paragraph."""
    head = _part_features(f"{title}\n{lead}", [*title_tokens, *lead_tokens], lang)
    body = _part_features(text, body_tokens, lang)
    # Sorted: dict order decides float sums and ties later, and set order changes with
    # each process's string hashing; decisions must not.
    weights = {
        feature: KIND_WEIGHT[feature[0]] * (HEAD_WEIGHT if feature in head else 1.0)
        for feature in sorted(body | head)
    }
    return Features(weights, frozenset(head))
