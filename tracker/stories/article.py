"""One article value, read once: every later stage takes it and nothing re-normalises.

The text is cut into paragraphs and sentences and each sentence is normalised once (times of
day are dropped first: they change between copies and state no facts). From those tokens
come the content hash, the fact numbers, the near-copy signature and the weighted features.
Each is computed when first asked for, then kept: copies never need features.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tracker.articles.incoming import IncomingArticle
from tracker.stories import fingerprint
from tracker.stories.features import Features, content_words, features_of
from tracker.stories.fingerprint import Signature
from tracker.text.calendar_words import TIME_OF_DAY, says_when
from tracker.text.normalise import guess_language, normalize
from tracker.text.numbers import fact_numbers, quantities
from tracker.text.sentences import excerpt, paragraphs, sentences

REAL_PARAGRAPH_WORDS = 20  # shorter lines may be an aggregator's furniture
LEAD_WORDS = 15  # the lead is the first paragraph this long: menus and tickers come first
FIGURES_IN_PROSE = 0.2  # a line with more figures than this is a box of rates or scores
TITLE_FROM_LEAD = 120  # characters of the lead that stand in for a missing title


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]


def read_sentence(text: str) -> Sentence:
    return Sentence(text, tuple(normalize(TIME_OF_DAY.sub(" ", text)).split()))


@dataclass(frozen=True, eq=False)
class ArticleText:
    """An incoming article and what its text says. Build with `ArticleText.read`."""

    incoming: IncomingArticle
    own_title: Sentence  # empty when the source gave none
    paragraphs: tuple[tuple[Sentence, ...], ...]
    lang: str  # as declared, else as its letters show

    @classmethod
    def read(cls, incoming: IncomingArticle) -> ArticleText:
        return cls(
            incoming,
            read_sentence(incoming.title),
            tuple(tuple(map(read_sentence, sentences(p))) for p in paragraphs(incoming.text)),
            incoming.lang or guess_language(incoming.text) or "ar",
        )

    @cached_property
    def title(self) -> Sentence:
        """Its title; for an untitled article (an excerpt, a bare feed item) the lead's
        first words stand in, as a reader would take them."""
        if self.own_title.tokens:
            return self.own_title
        return read_sentence(excerpt(self.lead, TITLE_FROM_LEAD))

    @cached_property
    def paragraph_tokens(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(t for s in p for t in s.tokens) for p in self.paragraphs)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """The normalised tokens of the body, in order."""
        return tuple(t for p in self.paragraph_tokens for t in p)

    @cached_property
    def lead_index(self) -> int:
        """The first paragraph that reads as prose: a site's menu, weather box, ticker or
        "3 hours ago" line comes before it, short or made of figures (a currency box)."""
        prose = (
            i
            for i, p in enumerate(self.paragraph_tokens)
            if len(p) >= LEAD_WORDS and sum(t.isdigit() for t in p) <= FIGURES_IN_PROSE * len(p)
        )
        return next(prose, 0)

    @cached_property
    def lead(self) -> str:
        """The lead paragraph, its spaces collapsed."""
        if not self.paragraphs:
            return ""
        return " ".join(s.text for s in self.paragraphs[self.lead_index])

    @cached_property
    def lead_tokens(self) -> tuple[str, ...]:
        return self.paragraph_tokens[self.lead_index] if self.paragraph_tokens else ()

    @cached_property
    def says_when(self) -> bool:
        """Whether its title or lead names the day of what it reports, as news does."""
        return says_when(self.title.tokens) or says_when(self.lead_tokens)

    @cached_property
    def title_words(self) -> frozenset[str]:
        """The content words of its title (the lead's first words for an untitled one)."""
        return content_words(self.title.tokens)

    @cached_property
    def title_quantities(self) -> frozenset[int]:
        """The figures of the title: the fact an outlet leads with."""
        return frozenset(quantities(self.title.tokens))

    @cached_property
    def leading_quantities(self) -> frozenset[int]:
        """The figures it leads with: its title's, else (a title stating none) its lead's."""
        return self.title_quantities or frozenset(quantities(self.lead_tokens))

    @cached_property
    def quantities(self) -> frozenset[int]:
        """The figures the article states in its title and real paragraphs (not in the
        short lines of furniture: a weather box, a ticker, a view count)."""
        real = (p for p in self.paragraph_tokens if len(p) >= REAL_PARAGRAPH_WORDS)
        return frozenset(quantities(self.title.tokens).union(*(quantities(p) for p in real)))

    @cached_property
    def content_hash(self) -> str:
        return fingerprint.content_hash(self.tokens)

    @cached_property
    def _paragraph_numbers(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(fact_numbers(tokens)) for tokens in self.paragraph_tokens)

    @cached_property
    def numbers(self) -> frozenset[str]:
        """The fact numbers of the title and the body: what the article states."""
        return frozenset(fact_numbers(self.title.tokens)).union(*self._paragraph_numbers)

    @cached_property
    def own_numbers(self) -> frozenset[str]:
        """The fact numbers of the real paragraphs only, not of an aggregator's short header
        and footer lines («أخبار 7 - تابعوا آخر الأخبار», «0 تعليق»): what tells an update
        from a copy wrapped in furniture."""
        real = zip(self.paragraph_tokens, self._paragraph_numbers, strict=True)
        return frozenset().union(
            *(numbers for tokens, numbers in real if len(tokens) >= REAL_PARAGRAPH_WORDS)
        )

    @cached_property
    def signature(self) -> Signature:
        return fingerprint.signature(self.tokens)

    @cached_property
    def features(self) -> Features:
        return features_of(
            self.title.text,
            self.title.tokens,
            self.lead,
            self.lead_tokens,
            self.incoming.text,
            self.tokens,
            self.lang,
        )
