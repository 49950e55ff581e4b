"""Retention: article bodies older than the watchlist's `retention` are emptied, daily.

Only `text` goes, by far the largest column. What recognising and grouping read stays:
the content hash (an exact copy arriving later is still a duplicate), the MinHash
signature and its buckets (a near copy still finds its original), title, URLs and their
keys (a known link is never fetched again), fact numbers, story, event, decision and
dates. Stories keep their own state, so none of them reads an article's body again.
Full-text search keeps the title of an emptied article and forgets its body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from config.intervals import format_interval
from storage import Article, Database, search
from storage.types import utcnow
from tracker.errors import TrackerError
from tracker.text.search_words import search_document

log = logging.getLogger(__name__)

BATCH = 1000  # rows per transaction: a big prune never holds the write lock for long
EVERY = timedelta(days=1)
FIRST_AFTER = timedelta(minutes=5)  # after a start, once the first pass has settled


def prune_batch(
    session: Session, before: datetime, after_id: int, limit: int
) -> tuple[int, int] | None:
    """Empty the bodies of up to `limit` articles with ids above `after_id`, published (or,
    without a date, found) before `before`. Returns how many were emptied and the last id,
    or None when no article is left to empty."""
    published = func.coalesce(Article.published_at, Article.ingested_at)
    # In id order from where the last batch stopped: each prune reads the table once, not
    # the emptied rows again for every batch.
    query = (
        select(Article.id)
        .where(Article.id > after_id, published < before, Article.text != "")
        .order_by(Article.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Replicas pruning at the same time split the rows instead of queueing; NO KEY
        # UPDATE lets an ingest that stores a copy (a foreign key to the row) go on.
        query = query.with_for_update(skip_locked=True, key_share=True)
    # Locked (PostgreSQL) or under the write lock (SQLite): each id is emptied here.
    ids = list(session.scalars(query))
    if not ids:
        return None
    session.execute(
        update(Article)
        .where(Article.id.in_(ids))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    _search_titles_only(session, ids)
    return len(ids), ids[-1]


def _search_titles_only(session: Session, ids: list[int]) -> None:
    """Search keeps finding an emptied article by its title, and no longer by a body it
    cannot quote."""
    originals = select(Article.id, Article.title).where(
        Article.id.in_(ids), Article.dup_of_id.is_(None)
    )
    connection = session.connection()
    for article_id, title in session.execute(originals):
        document = search_document(title, "")
        search.write(connection, article_id, document.title, document.body, replace=True)


async def prune_bodies(
    db: Database,
    retention: timedelta | None,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Empty the bodies of articles older than `retention` (None: keep them for ever), a
    batch per transaction, until none is left or `stopping()`; how many were emptied."""
    if retention is None:
        return 0
    before = (now or utcnow()) - retention
    emptied, after_id = 0, 0
    while not stopping():
        # Each batch queues behind the ingest work on the database thread, not before it.
        done = await db.run(prune_batch, before, after_id, batch)
        if done is None:
            break
        count, after_id = done
        emptied += count
        if count < batch:
            break
    log.info(
        "retention: emptied %d article bodies published before %s (older than %s)",
        emptied,
        f"{before:%Y-%m-%d %H:%M} UTC",
        format_interval(retention),
    )
    return emptied


async def retention_job(
    db: Database, retention: timedelta | None, stopping: Callable[[], bool]
) -> None:
    """The service's daily prune: a failure is logged and the next day tries again."""
    try:
        await prune_bodies(db, retention, stopping=stopping)
    except TrackerError as exc:
        log.error("retention: pruning article bodies failed, retried tomorrow: %s", exc)
    except Exception:
        log.exception("retention: pruning article bodies failed unexpectedly; retried tomorrow")
