"""Retention: old article bodies are emptied, and what recognises copies and groups stories
stays, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from config import Watchlist
from storage import Alert, Article, ArticleBucket, Database, Story
from tests.support.corpus import incoming, record
from tracker.cli import main
from tracker.service.app import App
from tracker.service.pipeline import Decision, Outcome, Pipeline
from tracker.service.retention import prune_bodies
from tracker.service.run import Service

WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "channels": {"desk": "json://127.0.0.1:9/a"},
        "topics": [
            {"name": "caesar-act", "any": ["قانون قيصر"], "none": ["مسلسل"], "notify": ["desk"]},
            {"name": "israel-talks", "any": ["إسرائيل"], "notify": ["desk"]},
        ],
    }
)

OLD, RECENT = "a046", "a055"  # published 2025-12-10 and 2026-01-06
# 40 days before this, 2025-12-27: a046 is past the limit, a055 within it.
NOW = datetime.fromisoformat(record(RECENT)["published"]) + timedelta(days=30)
LIMIT = timedelta(days=40)
KEPT = (
    "content_hash",
    "signature",
    "shingles",
    "numbers",
    "title",
    "url",
    "link",
    "url_key",
    "link_key",
    "guid",
    "story_id",
    "event_id",
    "decision",
    "dup_of_id",
    "published_at",
    "ingested_at",
    "lang",
    "outlet",
)


def ingest(db: Database, pipeline: Pipeline, record_id: str, **changes: Any) -> Outcome:
    article = incoming(record_id, **changes)
    with db.session() as session:
        return pipeline.ingest(session, article, now=article.published)


def rows(db: Database) -> dict[str, dict[str, Any]]:
    with db.session() as session:
        return {
            a.url: {c: getattr(a, c) for c in (*KEPT, "text")}
            for a in session.scalars(select(Article))
        }


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def prune(db: Database, limit: timedelta | None = LIMIT, **options: Any) -> int:
    return asyncio.run(prune_bodies(db, limit, now=NOW, **options))


def test_old_bodies_are_emptied_recent_ones_kept_and_the_rest_of_the_row_stays(db) -> None:
    pipeline = Pipeline(WATCHLIST)
    ingest(db, pipeline, OLD)
    ingest(db, pipeline, RECENT)
    buckets = count(db, ArticleBucket)
    before = rows(db)

    assert prune(db) == 1
    after = rows(db)

    old, recent = record(OLD)["url"], record(RECENT)["url"]
    assert after[old]["text"] == ""
    assert after[recent]["text"] == record(RECENT)["text"]
    for url in (old, recent):
        assert {c: after[url][c] for c in KEPT} == {c: before[url][c] for c in KEPT}
    assert count(db, ArticleBucket) == buckets
    assert prune(db) == 0, "an emptied body is not counted again"


def test_a_later_copy_and_near_copy_of_a_pruned_article_are_still_recognised(db) -> None:
    pipeline = Pipeline(WATCHLIST)
    original = ingest(db, pipeline, OLD)
    assert original.decision is Decision.NEW_STORY and original.queued == ("desk",)
    assert prune(db) == 1
    stories, alerts = count(db, Story), count(db, Alert)

    # A fresh pipeline, as after a restart: nothing remembered in memory helps.
    pipeline = Pipeline(WATCHLIST)
    copy = ingest(db, pipeline, "a047")  # the wire text verbatim, another URL
    near = ingest(db, pipeline, "a048")  # an aggregator's copy with its own furniture

    assert (copy.decision, copy.dup_of, copy.story_id) == (
        Decision.DUPLICATE,
        original.article_id,
        original.story_id,
    )
    assert (near.decision, near.dup_of, near.story_id) == (
        Decision.NEAR_DUPLICATE,
        original.article_id,
        original.story_id,
    )
    assert not copy.alert and not near.alert
    assert (count(db, Story), count(db, Alert)) == (stories, alerts)


def test_tracker_stories_still_shows_a_pruned_story_with_its_titles(
    db, database_url, monkeypatch, capsys
) -> None:
    pipeline = Pipeline(WATCHLIST)
    original = ingest(db, pipeline, OLD)
    ingest(db, pipeline, "a047")
    assert prune(db) == 2
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)

    assert main(["stories"]) == 0
    listing = capsys.readouterr().out
    assert main(["stories", "--story", str(original.story_id)]) == 0
    timeline = capsys.readouterr().out

    assert record(OLD)["title"][:40] in listing
    for record_id in (OLD, "a047"):
        assert record(record_id)["title"][:40] in timeline
    assert "copy of" in timeline


def test_undated_articles_age_from_when_they_were_found_and_batches_cover_them_all(db) -> None:
    pipeline = Pipeline(WATCHLIST)
    found = NOW - LIMIT - timedelta(days=1)
    old_ids = ["a001", "a006", "a012", "a019", "a023"]  # five stories, published in 2025
    for record_id in old_ids:
        ingest(db, pipeline, record_id)
    undated = replace(incoming("a038"), published=None)
    with db.session() as session:
        pipeline.ingest(session, undated, now=found)  # ingested_at: `found`
    recent_undated = replace(incoming("a065"), published=None)
    with db.session() as session:
        pipeline.ingest(session, recent_undated, now=NOW - timedelta(days=1))

    assert prune(db, batch=2) == 6  # three full batches of two, then an empty one

    after = rows(db)
    assert all(after[record(r)["url"]]["text"] == "" for r in [*old_ids, "a038"])
    assert after[record("a065")["url"]]["text"] == record("a065")["text"]


def test_two_replicas_pruning_together_empty_each_body_once(db, database_url) -> None:
    pipeline = Pipeline(WATCHLIST)
    old_ids = ["a001", "a006", "a012", "a019", "a023", "a038"]
    for record_id in old_ids:
        ingest(db, pipeline, record_id)
    other = Database(database_url)  # another replica: its own engine and database thread

    async def both() -> list[int]:
        return list(
            await asyncio.gather(
                prune_bodies(db, LIMIT, now=NOW, batch=1),
                prune_bodies(other, LIMIT, now=NOW, batch=1),
            )
        )

    try:
        counts = asyncio.run(both())
    finally:
        other.dispose()

    assert sum(counts) == len(old_ids)
    assert all(row["text"] == "" for row in rows(db).values())


def test_retention_off_prunes_nothing(db) -> None:
    pipeline = Pipeline(WATCHLIST)
    ingest(db, pipeline, OLD)
    off = Watchlist.model_validate({"version": 1, "retention": "off"})
    assert off.retention_limit is None

    assert prune(db, off.retention_limit) == 0
    assert rows(db)[record(OLD)["url"]]["text"] == record(OLD)["text"]


def test_the_service_schedules_retention_daily_and_prunes_with_the_watchlist_limit(
    tmp_path: Path,
) -> None:
    config = tmp_path / "watchlist.yaml"
    config.write_text("version: 1\nretention: 30d\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    app = App.open([config], url, config_source=str(config))
    ingest(app.db, app.pipeline, OLD)  # published in 2025: long past 30 days

    async def serve() -> tuple[Any, str]:
        service = Service(app)
        running = asyncio.create_task(service.run())
        try:
            for _ in range(200):
                if job := service.scheduler.get_job("__retention__"):
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("no __retention__ job")
            await service._retention_job()
            with app.db.session() as session:
                text = session.scalars(select(Article.text)).one()
            return job, text
        finally:
            service.stop()
            await running

    job, text = asyncio.run(serve())

    assert job.trigger.interval == timedelta(days=1)
    assert text == ""


def test_tracker_once_prunes_what_is_due_after_its_pass(
    tmp_path: Path, db, database_url, monkeypatch
) -> None:
    # Run from cron, `tracker once` is all the tracker ever runs: its bodies age out too.
    ingest(db, Pipeline(WATCHLIST), OLD)  # published in 2025: long past 30 days
    config = tmp_path / "watchlist.yaml"
    config.write_text("version: 1\nretention: 30d\n", encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)

    assert main(["once", "--config", str(config)]) == 0

    assert rows(db)[record(OLD)["url"]]["text"] == ""


@pytest.mark.parametrize("body", ["", "x"])
def test_an_empty_database_or_one_without_old_articles_prunes_nothing(db, body) -> None:
    if body:
        ingest(db, Pipeline(WATCHLIST), RECENT)
    assert prune(db) == 0
