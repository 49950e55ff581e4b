"""Retention: article bodies older than the watchlist's `retention` are emptied, daily by
`tracker run` and after each pass of `tracker once`.

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

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from config.intervals import format_interval
from storage import Article, Database, search
from storage.models import NOT_PRUNED
from storage.types import utcnow
from tracker.errors import TrackerError
from tracker.text.search_words import search_document

log = logging.getLogger(__name__)

BATCH = 1000  # rows per transaction: a big prune never holds the write lock for long
EVERY = timedelta(days=1)
FIRST_AFTER = timedelta(minutes=5)  # after a start, once the first pass has settled


def prune_batch(session: Session, before: datetime, limit: int) -> int:
    """Empty the bodies of up to `limit` articles published (or, without a date, found)
    before `before`, oldest first; how many were emptied (0: none was left)."""
    published = func.coalesce(Article.published_at, Article.ingested_at)
    # Read from ix_articles_unpruned, which holds the bodies not emptied yet: a batch, and
    # a check that finds nothing to do, never walk the rows emptied before.
    query = (
        select(Article.id)
        .where(published < before, text(NOT_PRUNED))
        .order_by(published)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Replicas pruning at the same time split the rows instead of queueing; NO KEY
        # UPDATE lets an ingest that stores a copy (a foreign key to the row) go on.
        query = query.with_for_update(skip_locked=True, key_share=True)
    # Locked (PostgreSQL) or under the write lock (SQLite): each id is emptied here.
    ids = list(session.scalars(query))
    if not ids:
        return 0
    session.execute(
        update(Article)
        .where(Article.id.in_(ids))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    _search_titles_only(session, ids)
    return len(ids)


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
    emptied = 0
    while not stopping():
        # Each batch queues behind the ingest work on the database thread, not before it.
        count = await db.run(prune_batch, before, batch)
        emptied += count
        if count < batch:
            break
    # Every pass of `tracker once` asks; a day's prune that finds nothing says so quietly.
    log.log(
        logging.INFO if emptied else logging.DEBUG,
        "retention: emptied %d article bodies published before %s (older than %s)",
        emptied,
        f"{before:%Y-%m-%d %H:%M} UTC",
        format_interval(retention),
    )
    return emptied


async def retention_job(
    db: Database, retention: timedelta | None, stopping: Callable[[], bool] = lambda: False
) -> None:
    """The service's daily prune, and `tracker once`'s after each pass (cheap when nothing
    is due): a failure is logged and the next one tries again."""
    try:
        await prune_bodies(db, retention, stopping=stopping)
    except TrackerError as exc:
        log.error("retention: pruning article bodies failed, retried later: %s", exc)
    except Exception:
        log.exception("retention: pruning article bodies failed unexpectedly; retried later")
