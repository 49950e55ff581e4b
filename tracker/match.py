"""Topic matching: `any` / `all` / `none` term rules over normalised tokens.

A term is a phrase of normalised tokens that must appear consecutively. An Arabic token also
matches with attached proclitics: an optional و or ف, then an optional ب, ك or ل, then an
optional ال (and the contracted لل), so «وبقانون» and «لقسد» match قانون and قسد; a term token
written with ال also matches without it. A Latin token matches whole tokens only, singular or
simple plural ("prison" and "prisons"). All terms of all topics sit in one index keyed by
token, so matching cost follows the article's length, not the number of topics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from config import Topic
from tracker.text import is_arabic_token, tokens

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")
_PROCLITICS = sorted(
    {c + p + a for c in _CONJUNCTIONS for p in _PREPOSITIONS for a in ("", "ال")}
    | {c + "لل" for c in _CONJUNCTIONS},
    key=len,
    reverse=True,
)
_PROCLITICS.remove("")
_MIN_STEM = 2


def _singular(token: str) -> str:
    if len(token) <= 3 or not token.isascii() or not token.isalpha():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("ses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


@lru_cache(maxsize=65536)
def token_forms(token: str) -> frozenset[str]:
    """Every base form a text token may stand for (itself, clitic-free, singular)."""
    if is_arabic_token(token):
        forms = {token}
        for prefix in _PROCLITICS:
            if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
                forms.add(token[len(prefix) :])
        return frozenset(forms)
    return frozenset({token, _singular(token)})


def term_key(token: str) -> str:
    """The form under which a term token is indexed: no ال for Arabic, singular for Latin."""
    if is_arabic_token(token):
        return token[2:] if token.startswith("ال") and len(token) - 2 >= _MIN_STEM else token
    return _singular(token)


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    terms: tuple[str, ...]  # as written in the watchlist, in the order they first hit


@dataclass(frozen=True)
class _Term:
    text: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _CompiledTopic:
    topic: Topic
    any: tuple[int, ...]
    all: tuple[tuple[int, ...], ...]
    none: tuple[int, ...]


class TopicMatcher:
    """Matches articles against every topic of a watchlist at once."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self._terms: list[_Term] = []
        self._term_ids: dict[str, int] = {}
        self._by_first_key: dict[str, list[int]] = defaultdict(list)
        self._topics = [self._compile(topic) for topic in topics]
        self._topics_by_term: dict[int, set[int]] = defaultdict(set)
        for index, compiled in enumerate(self._topics):
            for term_id in (*compiled.any, *(t for g in compiled.all for t in g), *compiled.none):
                self._topics_by_term[term_id].add(index)

    def _term_id(self, text: str) -> int:
        keys = tuple(term_key(t) for t in tokens(text))
        normalised = " ".join(keys)
        if normalised not in self._term_ids:
            self._term_ids[normalised] = len(self._terms)
            self._terms.append(_Term(text, keys))
            if keys:
                self._by_first_key[keys[0]].append(self._term_ids[normalised])
        return self._term_ids[normalised]

    def _compile(self, topic: Topic) -> _CompiledTopic:
        return _CompiledTopic(
            topic,
            tuple(self._term_id(t) for t in topic.any),
            tuple(tuple(self._term_id(t) for t in group) for group in topic.all),
            tuple(self._term_id(t) for t in topic.none),
        )

    def _hits(self, text_tokens: Sequence[str]) -> dict[int, int]:
        """term id → position of its first occurrence in `text_tokens`."""
        found: dict[int, int] = {}
        forms = [token_forms(t) for t in text_tokens]
        for position, token_form_set in enumerate(forms):
            for form in token_form_set:
                for term_id in self._by_first_key.get(form, ()):
                    if term_id in found:
                        continue
                    keys = self._terms[term_id].keys
                    end = position + len(keys)
                    if end <= len(forms) and all(
                        keys[k] in forms[position + k] for k in range(1, len(keys))
                    ):
                        found[term_id] = position
        return found

    def match(self, title: str, body: str) -> list[TopicMatch]:
        """The topics this article matches, in watchlist order, with the terms that hit."""
        hits_by_field = {"title": self._hits(tokens(title)), "body": self._hits(tokens(body))}
        candidates: set[int] = set()
        for hits in hits_by_field.values():
            for term_id in hits:
                candidates |= self._topics_by_term.get(term_id, set())
        matches = []
        for index in sorted(candidates):
            compiled = self._topics[index]
            seen = _merge_hits(hits_by_field[f] for f in compiled.topic.in_)
            if any(t in seen for t in compiled.none):
                continue
            if compiled.any and not any(t in seen for t in compiled.any):
                continue
            if not all(any(t in seen for t in group) for group in compiled.all):
                continue
            relevant = {*compiled.any, *(t for g in compiled.all for t in g)}
            in_order = sorted(seen, key=seen.__getitem__)
            terms = [self._terms[t].text for t in in_order if t in relevant]
            matches.append(TopicMatch(compiled.topic.name, tuple(dict.fromkeys(terms))))
        return matches


def _merge_hits(field_hits: Iterable[dict[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for offset, hits in enumerate(field_hits):
        for term_id, position in hits.items():
            # Title hits sort before body hits when both are searched.
            merged.setdefault(term_id, offset * 1_000_000 + position)
    return merged
