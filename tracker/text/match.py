"""Topic matching: `any` / `all` / `none` term rules over normalised tokens.

A term is a phrase of normalised tokens that must appear consecutively. Arabic tokens match
however an outlet attaches them (the rules live in tracker/text/arabic.py):

- proclitics: an optional و or ف, then an optional ب, ك or ل, then an optional ال, and the
  contracted لل («وبقانون», «لقسد», «فالتحالف», «للتحالف»); a term token written with ال
  also matches without it («الشدادي» finds «شدادي»);
- suffixes on words of three letters or more: the possessive pronouns ه ها هم هما هن كم كما
  نا, the plural and dual endings ات ون ين ان تان تين, with ة written ت before a suffix
  («حكومتها», «الحكومات» find حكومة). The nisba ي is not a suffix here: «قيصرية»
  (a caesarean section) must not find قيصر;
- a term ending in `*` matches any word that starts with it («داعش*» finds «الداعشيين»).

Latin tokens match whole words, case-insensitively, singular or simple plural ("prison",
"prisons", "facility", "facilities"); "Caesar" never finds "Caesarea".

All terms of all topics sit in one index keyed by token, so the cost of matching an article
follows its length and the few topics it touches, not the size of the watchlist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from config import Topic
from tracker.text.normalise import tokens
from tracker.text.words import forms, term_key

STARTS_KEPT = 1 << 14  # words whose starting terms are kept


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    terms: tuple[str, ...]  # as written in the watchlist, in the order they first hit


@dataclass(frozen=True)
class _Term:
    text: str
    keys: tuple[str, ...]
    prefix: bool  # the last token is a prefix (the term ended with *)

    def continues_at(self, token_forms: Sequence[frozenset[str]], start: int) -> bool:
        if start + len(self.keys) > len(token_forms):
            return False
        last = len(self.keys) - 1
        for k in range(1, len(self.keys)):
            if k == last and self.prefix:
                if not any(f.startswith(self.keys[k]) for f in token_forms[start + k]):
                    return False
            elif self.keys[k] not in token_forms[start + k]:
                return False
        return True


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
        self._term_ids: dict[tuple[tuple[str, ...], bool], int] = {}
        self._by_first_key: dict[str, list[int]] = defaultdict(list)
        self._by_first_prefix: dict[str, list[int]] = defaultdict(list)
        self._topics = [self._compile(topic) for topic in topics]
        self._prefix_lengths = sorted({len(p) for p in self._by_first_prefix})
        self._topics_by_term: dict[int, set[int]] = defaultdict(set)
        for index, compiled in enumerate(self._topics):
            for term_id in (*compiled.any, *(t for g in compiled.all for t in g), *compiled.none):
                self._topics_by_term[term_id].add(index)
        # Per word, not per occurrence: most of a text's words are ones it, or the articles
        # before it, used already, and almost none of them starts a term.
        self._terms_starting_at = lru_cache(maxsize=STARTS_KEPT)(self._starting_at)

    def _term_id(self, text: str) -> int:
        prefix = text.rstrip().endswith("*")
        keys = tuple(term_key(t) for t in tokens(text))
        if prefix and keys:
            keys = (*keys[:-1], tokens(text)[-1])  # a prefix keeps its ال: «ال*» is a choice
        identity = (keys, prefix)
        if identity not in self._term_ids:
            term_id = len(self._terms)
            self._term_ids[identity] = term_id
            self._terms.append(_Term(text, keys, prefix))
            if keys:
                first_is_prefix = prefix and len(keys) == 1
                index = self._by_first_prefix if first_is_prefix else self._by_first_key
                index[keys[0]].append(term_id)
        return self._term_ids[identity]

    def _compile(self, topic: Topic) -> _CompiledTopic:
        return _CompiledTopic(
            topic,
            tuple(self._term_id(t) for t in topic.any),
            tuple(tuple(self._term_id(t) for t in group) for group in topic.all),
            tuple(self._term_id(t) for t in topic.none),
        )

    def _starting_at(self, token_form_set: frozenset[str]) -> tuple[int, ...]:
        found: set[int] = set()
        for form in token_form_set:
            found.update(self._by_first_key.get(form, ()))
            for length in self._prefix_lengths:
                if len(form) >= length:
                    found.update(self._by_first_prefix.get(form[:length], ()))
        return tuple(found)

    def _hits(self, text_tokens: Sequence[str]) -> dict[int, int]:
        """term id → position of its first occurrence in `text_tokens`."""
        found: dict[int, int] = {}
        token_forms = [forms(t) for t in text_tokens]
        for position, token_form_set in enumerate(token_forms):
            for term_id in self._terms_starting_at(token_form_set):
                if term_id not in found and self._terms[term_id].continues_at(
                    token_forms, position
                ):
                    found[term_id] = position
        return found

    def match(self, title: Sequence[str], body: Sequence[str]) -> list[TopicMatch]:
        """The topics an article matches, in watchlist order, with the terms that hit;
        `title` and `body` are its normalised tokens."""
        hits_by_field = {"title": self._hits(title), "body": self._hits(body)}
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
