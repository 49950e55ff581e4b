"""Inside a story, is an article a development (real new facts) or more coverage?

A development states a number the story has not stated before (a vote count, a toll, a
deadline: calendar numbers do not count), or, in a language the story already speaks, most of
its content words are new to the story: a new institution, place or turn of events. A
rewrite restates the story in other words but brings neither. The decision keeps its
reasons, and the sentences that carry them are quoted in the alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tracker.stories.features import LANGUAGE_BOUND, ArticleFeatures, fact_numbers
from tracker.stories.index import StoryState

NEW_WORD_SHARE = 0.7  # of an article's words new to the story, on the day of the story
LATE_NEW_WORD_SHARE = 0.5  # days later, a retelling is rare: a new step is likelier
LATE_AFTER_DAYS = 2.0
QUOTED_SENTENCES = 2
_SENTENCE = re.compile(r"[^.!?؟\n]+[.!?؟]?")


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


def assess(
    features: ArticleFeatures, story: StoryState, title: str, text: str, gap_days: float = 0.0
) -> Novelty:
    new_numbers = sorted(features.numbers - story.numbers, key=lambda n: (len(n), n))
    words = [f for f in features.weights if f.startswith(LANGUAGE_BOUND)]
    share = None
    if features.lang in story.langs and words:
        share = round(sum(1 for w in words if w not in story.words) / len(words), 2)
    needed = LATE_NEW_WORD_SHARE if gap_days >= LATE_AFTER_DAYS else NEW_WORD_SHARE
    development = bool(new_numbers) or (share is not None and share >= needed)
    sentences = _new_sentences(text, set(new_numbers)) if development else []
    return Novelty(development, new_numbers, share, sentences)


def _new_sentences(text: str, numbers: set[str]) -> list[str]:
    """The sentences stating the new numbers; else the lead sentences."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) >= 4]
    stating = [s for s in sentences if numbers & fact_numbers(s)]
    return (stating or sentences)[:QUOTED_SENTENCES]
