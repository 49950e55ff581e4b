"""Stories stored before events existed (schema 0003): their state has no events, no
figures with times and words as a plain list. After the upgrade, the next article of
such a story is judged against its past, and `tracker stories` still says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from config import Watchlist
from storage import Article, Database, Event, Story
from tests.support.corpus import incoming
from tracker.articles.incoming import IncomingArticle
from tracker.cli import main
from tracker.service.pipeline import Decision, Outcome, Pipeline

WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "channels": {"desk": "json://127.0.0.1:9/alerts"},
        "topics": [{"name": "caesar-act", "any": ["قانون قيصر", "قيصر"], "notify": ["desk"]}],
    }
)


def _ingest(db: Database, pipeline: Pipeline, article: IncomingArticle) -> Outcome:
    with db.session() as session:
        return pipeline.ingest(session, article, now=article.published)


def _as_stored_before_events(db: Database) -> int:
    """Rewrite the database as version 0.3 left it: old state, old reasons, no events."""
    with db.session() as session:
        story = session.scalars(select(Story)).one()
        state = dict(story.state or {})
        story.state = {
            "weights": state["weights"],
            "langs": state["langs"],
            "topics": state["topics"],
            "numbers": state["numbers"],
            "words": sorted(w for group in state["words"].values() for w in group),
            "articles": state["articles"],
        }
        session.execute(update(Article).values(event_id=None, novelty=None))
        session.execute(delete(Event))
        return story.id


def test_the_next_article_of_a_story_from_before_events_is_judged_against_its_past(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    _ingest(sqlite_db, Pipeline(WATCHLIST), incoming("a001"))  # the House rules committee
    story_id = _as_stored_before_events(sqlite_db)
    restarted = Pipeline(WATCHLIST)  # a new process, after the upgrade

    rewrite = _ingest(sqlite_db, restarted, incoming("a002"))  # the same news, own words
    development = _ingest(sqlite_db, restarted, incoming("a004"))  # the House vote

    assert (rewrite.decision, rewrite.alert) == (Decision.COVERAGE, False)
    assert (development.decision, development.alert) == (Decision.DEVELOPMENT, True)
    with sqlite_db.session() as session:
        past = session.get_one(Event, rewrite.event_id)
        story = session.get_one(Story, story_id)
        assert past.title == story.title  # not the title of the article that found it
        assert past.story_id == story_id
    monkeypatch.setenv("TRACKER_DATABASE_URL", str(sqlite_db.url))
    assert main(["story", str(story_id), "--json"]) == 0
    first, later, *_ = json.loads(capsys.readouterr().out)
    assert "a new story" in first["why"]  # the old row had no reason stored
    assert "coverage of the event" in later["why"]
