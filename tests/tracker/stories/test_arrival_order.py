"""Decisions rest on what articles say and when they were published, not on the order they
reach the tracker; and news found long after it was published is kept, not alerted."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from config import Watchlist, load_watchlist
from storage import Database
from storage.story_views import list_stories
from tests.support.corpus import fresh, incoming, record
from tests.support.site import NewsSite
from tests.support.watchlists import topics_yaml
from tracker.articles.incoming import IncomingArticle
from tracker.cli import main
from tracker.service.app import App
from tracker.service.once import run_once
from tracker.service.pipeline import Decision, Outcome, Pipeline
from tracker.sources.fetch import FetchSettings

WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "channels": {"desk": "json://127.0.0.1:9/alerts"},
        "topics": [
            {
                "name": "sdf-prisons",
                "all": [["قسد", "SDF"], ["سجن", "الشدادي", "prison"]],
                "notify": ["desk"],
            },
        ],
    }
)


def _ingest(db: Database, pipeline: Pipeline, article: IncomingArticle) -> Outcome:
    with db.session() as session:
        return pipeline.ingest(session, article, now=article.published)


def test_an_original_arriving_after_its_near_copy_alerts_nothing(sqlite_db: Database) -> None:
    # An aggregator's copy, its own header and footer around the wire text, is listed by
    # a faster source; the wire original arrives after it.
    pipeline = Pipeline(WATCHLIST)
    wrapped = f"أخبار 7 - تابعوا آخر الأخبار\n\n{record('a065')['text']}\n\n0 تعليق"
    copy = _ingest(sqlite_db, pipeline, incoming("a065", url="https://agg.test/1", text=wrapped))
    original = _ingest(sqlite_db, pipeline, incoming("a065"))
    assert copy.alert and copy.decision is Decision.NEW_STORY
    assert original.decision is Decision.NEAR_DUPLICATE
    assert not original.alert
    assert (original.story_id, original.event_id) == (copy.story_id, copy.event_id)


def test_an_article_published_before_the_story_it_belongs_to_joins_it(
    sqlite_db: Database,
) -> None:
    # The English rewrite (published first) reaches us after the Arabic original.
    pipeline = Pipeline(WATCHLIST)
    arabic = _ingest(sqlite_db, pipeline, incoming("a065"))
    before = datetime.fromisoformat(record("a065")["published"]) - timedelta(hours=3)
    english = _ingest(sqlite_db, pipeline, incoming("a069", published=before.isoformat()))
    assert english.decision is Decision.COVERAGE
    assert (english.story_id, english.event_id) == (arabic.story_id, arabic.event_id)
    assert not english.alert


def test_the_same_articles_in_any_order_make_the_same_stories_and_events(
    tmp_path: Path,
) -> None:
    ids = ["a065", "a066", "a067", "a068", "a069", "a070", "a071", "a072", "a073"]

    def run(order: list[str]) -> dict[str, tuple[int, int | None]]:
        db = Database(f"sqlite:///{tmp_path / ('-'.join(order[:2]) + '.db')}")
        db.upgrade()
        pipeline = Pipeline(WATCHLIST)
        try:
            grouped = {}
            for record_id in order:
                outcome = _ingest(db, pipeline, incoming(record_id))
                grouped[record_id] = (outcome.story_id, outcome.event_id)
            return grouped
        finally:
            db.dispose()

    def partition(grouped: dict[str, tuple[int, int | None]]) -> set[frozenset[str]]:
        by_event: dict[tuple[int, int | None], set[str]] = {}
        for record_id, key in grouped.items():
            by_event.setdefault(key, set()).add(record_id)
        return {frozenset(members) for members in by_event.values()}

    in_order = partition(run(ids))
    reversed_order = partition(run(list(reversed(ids))))
    assert in_order == reversed_order
    assert len(in_order) == 3  # the escape, the recapture toll, the English follow-up


@pytest.mark.usefixtures("_restore_logging")
def test_a_back_catalogue_older_than_max_age_is_stored_but_alerts_nothing(
    tmp_path: Path, news_site: NewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    # A new source's feed lists a week of news: a first start must not flood.
    week_old = fresh([record("a065")], newest=timedelta(days=7))
    recent = fresh([record("a012")])
    news_site.add_feed("/feed.xml", [*week_old, *recent])
    config = tmp_path / "watchlist.yaml"
    config.write_text(
        f'version: 1\nchannels:\n  desk: "json://127.0.0.1:9/alerts"\nsources:\n'
        f"  - name: wire\n    feed: {news_site.url('/feed.xml')}\n{topics_yaml()}",
        encoding="utf-8",
    )
    load_watchlist([config])

    async def go():
        database = f"sqlite:///{tmp_path / 'tracker.db'}"
        app = App.open([config], database, FetchSettings(host_delay=0))
        try:
            return await run_once(app)
        finally:
            await app.close()

    with caplog.at_level(logging.INFO):
        summary = asyncio.run(go())
    [report] = summary.reports
    assert sum(report.decisions.values()) == 2  # both stored
    assert report.alerts == 1  # only the recent one alerts
    assert "no alert: published longer than max_age before it was found" in caplog.text
    db = Database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with db.session() as session:
            titles = [story.title for story in list_stories(session)]
    finally:
        db.dispose()
    assert record("a065")["title"] in titles  # grouped and shown all the same


def test_the_story_timeline_says_which_event_each_article_is_in_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", database)
    db = Database(database)
    db.upgrade()
    pipeline = Pipeline(WATCHLIST)
    try:
        first = _ingest(db, pipeline, incoming("a065"))
        _ingest(db, pipeline, incoming("a068"))
        _ingest(db, pipeline, incoming("a070"))
    finally:
        db.dispose()
    assert main(["stories", "--story", str(first.story_id)]) == 0
    out = capsys.readouterr().out
    assert f"#{first.event_id}" in out
    assert "a new story" in out
    assert "new figures: 126" in out or "new figures: 81, 126" in out
    assert "coverage of the event" in out
