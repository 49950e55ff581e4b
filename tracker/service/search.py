"""Full-text search over stored articles, for the command line and the desk alike: the
query read as topics read terms, the database's ranking with the phrase checked on top,
and the passage each article is quoted by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage.search import search
from tracker.text.search_words import closeness, query_keys
from tracker.text.snippets import Snippet, snippet

OVERFETCH = 3  # rows read per row shown: SQLite's NEAR is looser than a phrase


@dataclass(frozen=True)
class Result:
    id: int
    story_id: int
    title: str
    outlet: str
    published: datetime | None
    url: str
    score: float
    snippet: Snippet  # str() gives it with the matching words in [brackets]


def search_articles(
    session: Session,
    query: str,
    *,
    since: datetime | None = None,
    topic: str | None = None,
    limit: int = 20,
) -> list[Result]:
    """The stored articles holding the words of `query`, the closest match first; none
    when the query holds no word."""
    keys = query_keys(query)
    found = search(session, keys, since=since, topic=topic, limit=limit * OVERFETCH)
    # The database ranks "all words within a few of each other" as a phrase on SQLite:
    # the phrase is checked here, on both databases alike.
    found.sort(key=lambda f: (-closeness(f.title, f.text, keys), -f.score))
    return [
        Result(
            f.id,
            f.story_id,
            f.title,
            f.outlet,
            f.published,
            f.url,
            f.score,
            snippet(f.title, f.text, keys),
        )
        for f in found[:limit]
    ]
