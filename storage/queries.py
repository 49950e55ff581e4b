"""Queries the engine needs, as plain functions over a session."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import bindparam, func, select, text, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.leases import lease_is_free
from storage.models import Article, SourceState, url_key
from storage.types import utcnow

T = TypeVar("T")

# Longer than a poll takes (a listing and its pages, each under a minute's timeout): a
# replica that dies mid-poll hands its sources on when their leases run out.
SOURCE_LEASE = timedelta(minutes=10)


def _follow_move(state: SourceState, kind: str, url: str) -> None:
    """A source the watchlist now points elsewhere: its validators were the old URL's."""
    if state.url != url or state.kind != kind:
        state.url, state.kind = url, kind
        state.etag = state.last_modified = None


@dataclass(frozen=True)
class SourceClaim:
    state: SourceState
    passed_over: str | None = None  # why it is not ours to poll now; None: it is


@dataclass(frozen=True)
class ClaimRequest:
    """A source to claim, as the watchlist names it, and the poller's schedule for it:
    why it should not be polled now (backing off, polled moments ago by another replica),
    if it should not."""

    name: str
    kind: str
    url: str
    ready: Callable[[SourceState, datetime], str | None] | None = None


def claim_sources(
    session: Session, requests: list[ClaimRequest], owner: str
) -> dict[str, SourceClaim | None]:
    """Lease sources to `owner` for one poll each, unless another process holds one or its
    `ready` says why not; None for a source another process is claiming at this very
    moment. Their rows are read in one query: on PostgreSQL locked with SKIP LOCKED, so
    replicas claiming together split the sources instead of queueing behind each other
    (SQLite has one writer at a time anyway)."""
    names = [r.name for r in requests]
    rows = _claimable_rows(session, names)
    new = [r for r in requests if r.name not in rows]
    if new:
        _create_sources(session, new)
        rows.update(_claimable_rows(session, [r.name for r in new]))
    now = utcnow()
    claims: dict[str, SourceClaim | None] = {}
    for request in requests:
        state = rows.get(request.name)
        if state is None:  # locked by a replica claiming it at this very moment
            claims[request.name] = None
            continue
        _follow_move(state, request.kind, request.url)
        claims[request.name] = _lease(state, owner, request.ready, now)
    return claims


def _claimable_rows(session: Session, names: list[str]) -> dict[str, SourceState]:
    """The rows of the sources named, but those another transaction holds (PostgreSQL)."""
    locking = session.get_bind().dialect.name == "postgresql"
    rows: dict[str, SourceState] = {}
    for chunk in chunks(names):
        query = select(SourceState).where(SourceState.name.in_(chunk))
        if locking:
            query = query.with_for_update(skip_locked=True)
        rows.update((state.name, state) for state in session.scalars(query))
    return rows


def _create_sources(session: Session, requests: list[ClaimRequest]) -> None:
    """Rows for sources seen for the first time, in one statement; a row that exists (or
    that another replica is creating now) is left as it is."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    rows = [
        {"name": r.name, "kind": r.kind, "url": r.url, "consecutive_failures": 0} for r in requests
    ]
    for chunk in chunks(rows):
        statement = insert(SourceState).values(list(chunk))
        session.execute(statement.on_conflict_do_nothing(index_elements=["name"]))


def claim_source(
    session: Session,
    name: str,
    kind: str,
    url: str,
    owner: str,
    ready: Callable[[SourceState, datetime], str | None] | None = None,
) -> SourceClaim | None:
    """One source's claim_sources."""
    return claim_sources(session, [ClaimRequest(name, kind, url, ready)], owner)[name]


def _lease(
    state: SourceState,
    owner: str,
    ready: Callable[[SourceState, datetime], str | None] | None,
    now: datetime,
) -> SourceClaim:
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


# Parameters in one IN list (or rows in one INSERT): well within every driver's limit.
_CHUNK = 500


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in slices one statement can take."""
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# Any number every replica agrees on: the key of the advisory lock that orders ingestion.
_INGEST_LOCK = 7_310_868_211
_TAKE_INGEST_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_for_ingest(session: Session) -> None:
    """Take, until the transaction ends, the lock that places articles one at a time
    across replicas. Placing reads the stories, the near-copy candidates and the events
    that the article then changes: two replicas placing two copies of one event at once
    would each find nothing and open two stories. SQLite needs none: its transactions
    take the write lock when they begin."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_TAKE_INGEST_LOCK, {"key": _INGEST_LOCK})


@dataclass(frozen=True)
class StoredArticle:
    id: int
    story_id: int
    event_id: int | None


# Built once: a statement object used again skips SQLAlchemy's building, cache-key and
# result-adapting work, most of what a one-row lookup costs on every article.
_BY_URL_KEY = select(Article.id, Article.story_id, Article.event_id).where(
    Article.url_key == bindparam("key")
)
_FIRST_WITH_HASH = (
    select(Article.id, Article.story_id, Article.event_id)
    .where(Article.content_hash == bindparam("content_hash"))
    .order_by(Article.id)
    .limit(1)
)


def article_by_url(session: Session, url: str) -> StoredArticle | None:
    # Core, not ORM: this runs for every article and needs no objects.
    row = session.connection().execute(_BY_URL_KEY, {"key": url_key(url)}).first()
    return StoredArticle(row.id, row.story_id, row.event_id) if row else None


def first_with_text(session: Session, content_hash: str) -> StoredArticle | None:
    """The first stored article with exactly this normalised text."""
    found = session.connection().execute(_FIRST_WITH_HASH, {"content_hash": content_hash})
    row = found.first()
    return StoredArticle(row.id, row.story_id, row.event_id) if row else None


@dataclass(frozen=True)
class LinkQuestion:
    """A listing's links: which are stored already?"""

    source_id: int | None  # the source that listed them: its articles' guids
    urls: list[str]
    guids: list[str]


@dataclass(frozen=True)
class KnownLinks:
    urls: set[str]  # stored as an article's canonical URL or as its listed link
    guids: set[str]  # carried by the source's stored articles


# Built once, their lists expanding parameters: every poll asks them.
_STORED_KEYS = union_all(
    select(Article.url_key).where(Article.url_key.in_(bindparam("keys", expanding=True))),
    select(Article.link_key).where(Article.link_key.in_(bindparam("keys", expanding=True))),
)
_STORED_GUIDS = select(Article.source_id, Article.guid).where(
    Article.guid.in_(bindparam("guids", expanding=True)),
    Article.source_id.in_(bindparam("sources", expanding=True)),
)


def known_links(session: Session, questions: list[LinkQuestion]) -> list[KnownLinks]:
    """The answer to each question, for many listings at once: every poll of every source
    asks, so a few statements (Core, not ORM) answer a whole batch of them."""
    keys = {url: url_key(url) for q in questions for url in q.urls}
    wanted = list(dict.fromkeys(keys.values()))
    stored_keys: set[str] = set()
    for chunk in chunks(wanted):
        stored_keys.update(session.connection().scalars(_STORED_KEYS, {"keys": chunk}))
    sources = list({q.source_id for q in questions if q.source_id is not None and q.guids})
    guids = list({g for q in questions if q.source_id is not None for g in q.guids if g})
    stored_guids: set[tuple[int | None, str | None]] = set()
    for chunk in chunks(guids):
        found = session.connection().execute(_STORED_GUIDS, {"guids": chunk, "sources": sources})
        stored_guids.update(found.tuples())
    return [
        KnownLinks(
            {url for url in q.urls if keys[url] in stored_keys},
            {g for g in q.guids if (q.source_id, g) in stored_guids},
        )
        for q in questions
    ]


def record_poll(
    session: Session,
    state_id: int,
    *,
    error: str | None,
    etag: str | None = None,
    last_modified: str | None = None,
    next_due: datetime | None = None,
    owner: str | None = None,
    listing_digest: str | None = None,
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
        if listing_digest is not None:
            state.listing_digest = listing_digest
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


def story_timeline(session: Session, story_id: int) -> list[Article]:
    """A story's articles in the order they were published (stored order for ties)."""
    return list(
        session.scalars(
            select(Article)
            .where(Article.story_id == story_id)
            .order_by(Article.published_at.is_(None), Article.published_at, Article.id)
        )
    )
