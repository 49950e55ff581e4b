"""What the articles stage hands on: one article as it arrived, before anything is decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncomingArticle:
    url: str  # canonical
    outlet: str
    title: str
    text: str  # paragraphs separated by newlines
    lang: str | None = None
    published: datetime | None = None
    link: str | None = None  # as listed, when it differs from the canonical URL
    guid: str | None = None
    source_id: int | None = None

    def published_or(self, now: datetime) -> datetime:
        """When it was published; an undated article is placed when it was found, so it
        is stored in that order too."""
        return self.published or now
