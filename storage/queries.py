"""Queries the engine needs, as plain functions over a session."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.leases import lease_is_free
from storage.models import Article, SourceState, Story, TopicHit, url_key
from storage.types import utcnow

# Longer than a poll takes (a listing and its pages, each under a minute's timeout): a
# replica that dies mid-poll hands its sources on when their leases run out.
SOURCE_LEASE = timedelta(minutes=10)


def source_state(session: Session, name: str, kind: str, url: str) -> SourceState:
    """The stored state of a source, created on first use; validators reset if its URL moved."""
    state = session.scalar(select(SourceState).where(SourceState.name == name))
    if state is None:
        state = SourceState(name=name, kind=kind, url=url, consecutive_failures=0)
        session.add(state)
        session.flush()
    else:
        _follow_move(state, kind, url)
    return state


def _follow_move(state: SourceState, kind: str, url: str) -> None:
    """A source the watchlist now points elsewhere: its validators were the old URL's."""
    if state.url != url or state.kind != kind:
        state.url, state.kind = url, kind
        state.etag = state.last_modified = None


@dataclass(frozen=True)
class SourceClaim:
    state: SourceState
    passed_over: str | None = None  # why it is not ours to poll now; None: it is


def claim_source(
    session: Session,
    name: str,
    kind: str,
    url: str,
    owner: str,
    ready: Callable[[SourceState, datetime], str | None] | None = None,
) -> SourceClaim | None:
    """Lease a source to `owner` for one poll, unless another process holds it or `ready`
    (the poller's schedule: backing off, polled moments ago by another replica) says why
    not. None when another process is claiming it at this very moment. On PostgreSQL the
    row is locked with SKIP LOCKED, so replicas claiming together split the sources
    instead of queueing behind each other; SQLite has one writer at a time anyway."""
    query = select(SourceState).where(SourceState.name == name)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    state = session.scalar(query)
    if state is None:
        if session.scalar(select(SourceState.id).where(SourceState.name == name)) is not None:
            return None  # locked by a replica claiming it now
        try:
            with session.begin_nested():
                state = source_state(session, name, kind, url)
        except IntegrityError:  # another replica created it a moment ago
            return None
    else:
        _follow_move(state, kind, url)
    now = utcnow()
    if not lease_is_free(state.lease_owner, state.lease_expires_at, now, owner):
        until = state.lease_expires_at
        return SourceClaim(
            state, f"{state.lease_owner} is polling it (lease until {until:%H:%M:%S} UTC)"
        )
    reason = ready(state, now) if ready is not None else None
    if reason is not None:
        return SourceClaim(state, reason)
    state.lease_owner, state.lease_expires_at = owner, now + SOURCE_LEASE
    state.last_attempt_at = now
    return SourceClaim(state)


# Any number every replica agrees on: the key of the advisory lock that orders ingestion.
_INGEST_LOCK = 7_310_868_211


def lock_for_ingest(session: Session) -> None:
    """Take, until the transaction ends, the lock that places articles one at a time
    across replicas. Placing reads the stories, the near-copy candidates and the events
    that the article then changes: two replicas placing two copies of one event at once
    would each find nothing and open two stories. SQLite needs none: its transactions
    take the write lock when they begin."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INGEST_LOCK})


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


def known_links(
    session: Session, source_id: int, urls: Iterable[str], guids: Iterable[str]
) -> tuple[set[str], set[str]]:
    """Which of a listing's `urls` are stored, and which of its `guids` this source's
    articles carry: one transaction for both."""
    return known_urls(session, urls), known_guids(session, source_id, guids)


def record_poll(
    session: Session,
    state_id: int,
    *,
    error: str | None,
    etag: str | None = None,
    last_modified: str | None = None,
    next_due: datetime | None = None,
    owner: str | None = None,
) -> SourceState:
    state = session.get_one(SourceState, state_id)
    now = utcnow()
    state.last_attempt_at = state.last_attempt_at or now  # a claim set it when it began
    state.next_due_at = next_due
    if owner is not None and state.lease_owner == owner:
        state.lease_expires_at = None  # released; the owner stays as who polled it last
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
