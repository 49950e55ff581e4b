"""Every lookup of the hot path uses an index on PostgreSQL: a table of articles grows by
thousands a day, and one sequential scan per article makes a pass quadratic.

The statements are the ones the service really sends (captured while it ingests, claims a
source, and sends alerts), explained with sequential scans priced out: a plan that still
reads a whole table has no index to use."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event

from alerts import outbox
from config import Watchlist
from storage import Database, queries
from storage.types import utcnow
from tests.support.corpus import incoming
from tracker.service.pipeline import Pipeline
from tracker.service.retention import prune_batch

pytestmark = pytest.mark.postgres

# Originals, copies, near-copies and developments of several stories.
RECORDS = ["a001", "a002", "a003", "a012", "a014", "a016", "a046", "a047", "a048", "a049"]
HOT_TABLES = ("articles", "article_buckets", "alerts", "stories", "sources", "topic_hits")
WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "channels": {"desk": "json://127.0.0.1:9/a"},
        "topics": [
            {"name": "caesar-act", "any": ["قانون قيصر", "قيصر"], "notify": ["desk"]},
            {"name": "coalition", "all": [["التحالف الدولي"], ["داعش"]], "notify": ["desk"]},
        ],
    }
)


def _captured(db: Database) -> list[tuple[str, Any]]:
    """The SELECTs the service sends while it ingests the records, claims a source and
    claims alerts to send."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    pipeline = Pipeline(WATCHLIST)
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for record_id in RECORDS:
            with db.session() as session:
                article = incoming(record_id)
                pipeline.ingest(session, article, now=article.published)
        with db.session() as session:
            queries.claim_source(session, "wire", "rss", "https://wire.test/feed", "host:1:me")
            queries.known_links(
                session,
                [queries.LinkQuestion(1, ["https://wire.test/a", "https://wire.test/b"], ["g1"])],
            )
            outbox.claim_due(session, "host:1:me")
            prune_batch(session, utcnow(), 1000)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return statements


def test_a_prune_reads_only_the_bodies_not_emptied_yet(db: Database) -> None:
    # Without it, the check each `tracker once` makes would walk every emptied row.
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.session() as session:
            prune_batch(session, utcnow(), 1000)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    explain = "EXPLAIN" if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
        plan = " ".join(
            str(row) for row in connection.exec_driver_sql(f"{explain} {statement}", parameters)
        )
    assert "ix_articles_unpruned" in plan, plan


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # plans of PostgreSQL
def test_the_hot_lookups_read_indexes_not_whole_tables(db: Database) -> None:
    statements = _captured(db)
    assert len(statements) > 20
    scans: list[str] = []
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            plan = "\n".join(
                row[0]
                for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters or {})
            )
            for table in re.findall(r"Seq Scan on (\w+)", plan):
                if table in HOT_TABLES:
                    scans.append(f"{table}: {statement}\n{plan}")
    assert not scans, "\n\n".join(scans)
