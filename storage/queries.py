"""Queries the engine needs, as plain functions over a session."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, SourceState, Story, TopicHit, url_key
from storage.types import utcnow


def source_state(session: Session, name: str, kind: str, url: str) -> SourceState:
    """The stored state of a source, created on first use; validators reset if its URL moved."""
    state = session.scalar(select(SourceState).where(SourceState.name == name))
    if state is None:
        state = SourceState(name=name, kind=kind, url=url, consecutive_failures=0)
        session.add(state)
        session.flush()
    elif state.url != url or state.kind != kind:
        state.url, state.kind = url, kind
        state.etag = state.last_modified = None
    return state


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of `urls` are stored, as an article's canonical URL or as its listed link."""
    by_key = {url_key(url): url for url in urls}
    keys = list(by_key)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for column in (Article.url_key, Article.link_key):
            found.update(
                by_key[k] for k in session.scalars(select(column).where(column.in_(chunk)))
            )
    return found


@dataclass(frozen=True)
class StoredArticle:
    id: int
    story_id: int
    event_id: int | None


def article_by_url(session: Session, url: str) -> StoredArticle | None:
    # Core, not ORM: this runs for every article and needs no objects.
    row = (
        session.connection()
        .execute(
            select(Article.id, Article.story_id, Article.event_id).where(
                Article.url_key == url_key(url)
            )
        )
        .first()
    )
    return StoredArticle(row.id, row.story_id, row.event_id) if row else None


def first_with_text(session: Session, content_hash: str) -> StoredArticle | None:
    """The first stored article with exactly this normalised text."""
    row = (
        session.connection()
        .execute(
            select(Article.id, Article.story_id, Article.event_id)
            .where(Article.content_hash == content_hash)
            .order_by(Article.id)
            .limit(1)
        )
        .first()
    )
    return StoredArticle(row.id, row.story_id, row.event_id) if row else None


def known_guids(session: Session, source_id: int, guids: Iterable[str]) -> set[str]:
    wanted = [g for g in dict.fromkeys(guids) if g]
    if not wanted:
        return set()
    query = select(Article.guid).where(Article.source_id == source_id, Article.guid.in_(wanted))
    return {g for g in session.scalars(query) if g}


def record_poll(
    session: Session,
    state_id: int,
    *,
    error: str | None,
    etag: str | None = None,
    last_modified: str | None = None,
    next_due: datetime | None = None,
) -> SourceState:
    state = session.get_one(SourceState, state_id)
    now = utcnow()
    state.last_attempt_at = now
    state.next_due_at = next_due
    if error is None:
        state.last_success_at = now
        state.consecutive_failures = 0
        if etag or last_modified:
            state.etag, state.last_modified = etag, last_modified
    else:
        state.last_error, state.last_error_at = error, now
        state.consecutive_failures += 1
    return state


@dataclass(frozen=True)
class SourceRow:
    state: SourceState
    articles: int


def source_rows(session: Session) -> dict[str, SourceRow]:
    counts: dict[int | None, int] = {
        source_id: count
        for source_id, count in session.execute(
            select(Article.source_id, func.count()).group_by(Article.source_id)
        )
    }
    return {
        s.name: SourceRow(s, counts.get(s.id, 0))
        for s in session.scalars(select(SourceState).order_by(SourceState.name))
    }


@dataclass(frozen=True)
class StoryRow:
    story: Story
    articles: int
    outlets: list[str]
    topics: list[str]


def recent_stories(session: Session, limit: int = 30) -> list[StoryRow]:
    stories = session.scalars(select(Story).order_by(Story.updated_at.desc()).limit(limit)).all()
    rows = []
    for story in stories:
        outlets = session.scalars(
            select(Article.outlet).where(Article.story_id == story.id).order_by(Article.id)
        ).all()
        topics = session.scalars(
            select(TopicHit.topic).where(TopicHit.story_id == story.id).distinct()
        ).all()
        rows.append(StoryRow(story, len(outlets), list(dict.fromkeys(outlets)), sorted(topics)))
    return rows


def story_timeline(session: Session, story_id: int) -> list[Article]:
    """A story's articles in the order they were published (stored order for ties)."""
    return list(
        session.scalars(
            select(Article)
            .where(Article.story_id == story_id)
            .order_by(Article.published_at.is_(None), Article.published_at, Article.id)
        )
    )
