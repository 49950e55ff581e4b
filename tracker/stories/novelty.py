"""Inside a story, is an article a development (real new facts) or more coverage?

A development states a number the story has not stated before (a vote count, a toll, a
deadline: calendar numbers do not count), or, in a language the story already speaks, most of
its content words are new to the story: a new institution, place or turn of events. A
rewrite restates the story in other words but brings neither. The decision keeps its
reasons, and the sentences that carry them are quoted in the alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.stories.article import ArticleText
from tracker.stories.features import LANGUAGE_BOUND
from tracker.stories.index import StoryState
from tracker.text.numbers import fact_numbers

NEW_WORD_SHARE = 0.7  # of an article's words new to the story, on the day of the story
LATE_NEW_WORD_SHARE = 0.5  # days later, a retelling is rare: a new step is likelier
LATE_AFTER_DAYS = 2.0
QUOTED_SENTENCES = 2
MIN_QUOTED_WORDS = 4


@dataclass(frozen=True)
class Novelty:
    development: bool
    new_numbers: list[str] = field(default_factory=list)
    new_word_share: float | None = None
    sentences: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "development": self.development,
            "new_numbers": self.new_numbers,
            "new_word_share": self.new_word_share,
            "sentences": self.sentences,
        }


def assess(article: ArticleText, story: StoryState, gap_days: float = 0.0) -> Novelty:
    new_numbers = sorted(article.numbers - story.numbers, key=lambda n: (len(n), n))
    words = [f for f in article.features.weights if f.startswith(LANGUAGE_BOUND)]
    share = None
    if article.lang in story.langs and words:
        share = round(sum(1 for w in words if w not in story.words) / len(words), 2)
    needed = LATE_NEW_WORD_SHARE if gap_days >= LATE_AFTER_DAYS else NEW_WORD_SHARE
    development = bool(new_numbers) or (share is not None and share >= needed)
    sentences = _new_sentences(article, set(new_numbers)) if development else []
    return Novelty(development, new_numbers, share, sentences)


def _new_sentences(article: ArticleText, numbers: set[str]) -> list[str]:
    """The sentences stating the new numbers; else the lead sentences."""
    quotable = [s for p in article.paragraphs for s in p if len(s.text.split()) >= MIN_QUOTED_WORDS]
    stating = [s for s in quotable if numbers & fact_numbers(s.tokens)]
    return [s.text for s in (stating or quotable)[:QUOTED_SENTENCES]]
