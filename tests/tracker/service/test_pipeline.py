from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from config import Watchlist
from storage import Alert, Article, Database, Event, Story, TopicHit
from tests.support.corpus import incoming, record
from tracker.articles.incoming import IncomingArticle
from tracker.service.pipeline import Decision, Pipeline

WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "channels": {
            "desk": "json://127.0.0.1:9/a",
            "mail": "mailto://127.0.0.1:9?from=a@b.org&to=c@d.org",
            "off": "",
        },
        "topics": [
            {
                "name": "caesar-act",
                "any": ["قانون قيصر", "قيصر"],
                "none": ["مسلسل"],
                "notify": ["desk", "mail", "off"],
            },
            {"name": "coalition", "all": [["التحالف الدولي"], ["داعش"]], "notify": ["desk"]},
        ],
    }
)


def _ingest(db: Database, record_id: str):
    with db.session() as session:
        article = incoming(record_id)
        return Pipeline(WATCHLIST).ingest(session, article, now=article.published)


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_watched_original_is_a_new_story_with_one_alert_per_channel_that_is_on(db) -> None:
    outcome = _ingest(db, "a046")

    assert outcome.decision is Decision.NEW_STORY
    assert outcome.alert
    assert [m.topic for m in outcome.topics] == ["caesar-act"]
    assert set(outcome.queued) == {"desk", "mail"}
    with db.session() as session:
        alerts = session.scalars(select(Alert).order_by(Alert.channel)).all()
        assert [(a.channel, a.event, a.status) for a in alerts] == [
            ("desk", "new_story", "pending"),
            ("mail", "new_story", "pending"),
        ]
        assert alerts[0].payload["title"] == record("a046")["title"]
        assert alerts[0].payload["topics"][0]["terms"] == ["قانون قيصر", "قيصر"]
        hit = session.scalars(select(TopicHit)).one()
        assert hit.topic == "caesar-act"


def test_an_exact_copy_is_a_duplicate_in_the_same_story_and_does_not_alert(db) -> None:
    original = _ingest(db, "a046")
    copy = _ingest(db, "a047")  # sham-post republishes the wire text, with its own title

    assert copy.decision is Decision.DUPLICATE
    assert copy.dup_of == original.article_id
    assert copy.story_id == original.story_id
    assert not copy.alert
    assert copy.queued == ()
    assert _count(db, Alert) == 2
    assert _count(db, Article) == 2
    assert _count(db, Story) == 1


def test_a_decoy_is_stored_as_its_own_story_without_topics(db) -> None:
    outcome = _ingest(db, "a035")  # a TV series called «قيصر»
    assert outcome.decision is Decision.NEW_STORY
    assert outcome.topics == ()
    assert not outcome.alert
    assert _count(db, Alert) == 0


def test_the_same_url_twice_is_not_stored_again(db) -> None:
    first = _ingest(db, "a012")
    again = _ingest(db, "a012")
    assert not again.stored
    assert again.article_id == first.article_id
    assert _count(db, Article) == 1
    assert _count(db, Alert) == 1


def test_article_hits_and_alerts_are_written_together_or_not_at_all(db) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        Pipeline(WATCHLIST).ingest(session, incoming("a046"))
        raise RuntimeError("the process dies before the commit")

    assert _count(db, Article) == 0
    assert _count(db, Alert) == 0
    assert _count(db, TopicHit) == 0


def test_a_transaction_that_rolls_back_leaves_the_story_as_the_database_has_it(db) -> None:
    """The story index changes in memory as it places an article; when the transaction
    fails, memory must not keep the event the database never stored."""
    pipeline = Pipeline(WATCHLIST)
    with db.session() as session:
        pipeline.ingest(session, incoming("a001"), now=incoming("a001").published)
    development = incoming("a004")  # the House passes the budget without the repeal
    with pytest.raises(RuntimeError), db.session() as session:
        pipeline.ingest(session, development, now=development.published)
        raise RuntimeError("the database goes away before the commit")

    with db.session() as session:
        outcome = pipeline.ingest(session, development, now=development.published)

    assert outcome.decision is Decision.DEVELOPMENT
    assert outcome.alert
    assert set(outcome.queued) == {"desk", "mail"}
    with db.session() as session:
        assert session.get(Event, outcome.event_id) is not None
        stored = session.scalars(select(Story)).one().state
    assert stored is not None and stored["articles"] == 2


def test_normalised_copies_with_spelling_variants_are_exact_duplicates(sqlite_db) -> None:
    r = record("a012")
    varied = r["text"].replace("أ", "ا").replace("ى", "ي").replace("،", "، ")
    with sqlite_db.session() as session:
        pipeline = Pipeline(WATCHLIST)
        first = pipeline.ingest(session, incoming("a012"))
        again = pipeline.ingest(
            session,
            IncomingArticle(
                url="https://other.test/x",
                outlet="other",
                title="x",
                text=varied,
                published=datetime(2025, 11, 2, tzinfo=UTC),
            ),
        )
    assert again.decision is Decision.DUPLICATE
    assert again.dup_of == first.article_id
