"""Near-copies, story grouping across languages and processes, and what a development
alert says."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from alerts import AlertPayload
from config import Watchlist
from storage import Alert, Database
from tests.support.corpus import incoming, record
from tracker.articles.incoming import IncomingArticle
from tracker.service.pipeline import Decision, Pipeline
from tracker.stories.fingerprint import signature
from tracker.text.normalise import normalize
from tracker.text.translit import arabic_skeleton, latin_skeleton

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
            {
                "name": "coalition",
                "all": [["التحالف الدولي", "coalition"], ["داعش", "ISIS"]],
                "notify": ["desk"],
            },
        ],
    }
)


def _ingest(db: Database, pipeline: Pipeline, incoming: IncomingArticle):
    with db.session() as session:
        return pipeline.ingest(session, incoming, now=incoming.published)  # found at once


def test_an_aggregator_copy_with_its_own_lines_is_a_near_duplicate(db) -> None:
    pipeline = Pipeline(WATCHLIST)
    original = _ingest(db, pipeline, incoming("a065"))
    wrapped = record("a065")["text"]
    wrapped = (
        "عاجل - تابعونا لحظة بلحظة\n\n" + wrapped + "\n\nاقرأ أيضاً: أسعار الذهب اليوم\n\n0 تعليق"
    )
    copy = _ingest(db, pipeline, incoming("a065", url="https://agg.test/1", text=wrapped))
    assert copy.decision is Decision.NEAR_DUPLICATE
    assert copy.dup_of == original.article_id
    assert copy.story_id == original.story_id
    assert not copy.alert


def test_a_copy_missing_a_paragraph_is_a_near_duplicate(sqlite_db) -> None:
    pipeline = Pipeline(WATCHLIST)
    original = _ingest(sqlite_db, pipeline, incoming("a070"))
    paragraphs = record("a070")["text"].split("\n\n")
    shorter = "\n\n".join(paragraphs[:2] + paragraphs[3:])
    copy = _ingest(sqlite_db, pipeline, incoming("a070", url="https://x.test/2", text=shorter))
    assert (copy.decision, copy.dup_of) == (Decision.NEAR_DUPLICATE, original.article_id)


def test_the_same_text_with_a_new_paragraph_of_numbers_is_an_update(sqlite_db) -> None:
    """Hours after the original, as a new figure in a title would have to be."""
    pipeline = Pipeline(WATCHLIST)
    original = _ingest(sqlite_db, pipeline, incoming("a065"))
    update = (
        record("a065")["text"] + "\n\nوأعلنت وزارة الداخلية في وقت لاحق مساء اليوم أن "
        "قواتها أعادت القبض على 57 من الفارين من سجن الشدادي بعد عمليات تمشيط واسعة "
        "شملت القرى المحيطة بالبلدة، فيما لا يزال 69 منهم متوارين عن الأنظار بحسب البيان "
        "الذي نشرته الوزارة على منصاتها الرسمية"
    )
    later = _ingest(
        sqlite_db,
        pipeline,
        incoming(
            "a065",
            url="https://x.test/update",
            text=update,
            published=(
                datetime.fromisoformat(record("a065")["published"]) + timedelta(hours=7)
            ).isoformat(),
        ),
    )
    assert later.decision is Decision.DEVELOPMENT
    assert later.story_id == original.story_id
    assert later.event_id != original.event_id
    assert later.why is not None
    assert later.why["reason"] == f"an update of #{original.article_id} adds 57, 69"
    assert later.alert


def test_an_update_within_its_events_first_hours_is_coverage_of_it(sqlite_db) -> None:
    """The toll or count updated an hour later is the same happening told again."""
    pipeline = Pipeline(WATCHLIST)
    original = _ingest(sqlite_db, pipeline, incoming("a065"))
    update = record("a065")["text"] + (
        "\n\nوأعلنت وزارة الداخلية بعد ساعة أن قواتها أعادت القبض على 57 من الفارين من "
        "سجن الشدادي بعد عمليات تمشيط واسعة شملت القرى المحيطة بالبلدة، بحسب البيان الذي "
        "نشرته الوزارة على منصاتها الرسمية مساء اليوم"
    )
    published = datetime.fromisoformat(record("a065")["published"]) + timedelta(hours=1)
    later = _ingest(
        sqlite_db,
        pipeline,
        incoming("a065", url="https://x.test/u", text=update, published=published.isoformat()),
    )
    assert later.decision is Decision.COVERAGE
    assert later.event_id == original.event_id
    assert not later.alert


def test_an_english_report_joins_the_arabic_story(sqlite_db) -> None:
    pipeline = Pipeline(WATCHLIST)
    arabic = _ingest(sqlite_db, pipeline, incoming("a012"))
    english = _ingest(sqlite_db, pipeline, incoming("a013"))
    assert english.story_id == arabic.story_id
    assert english.decision is Decision.COVERAGE
    assert not english.alert


def test_a_development_alert_quotes_what_is_new_and_names_the_other_outlets(sqlite_db) -> None:
    pipeline = Pipeline(WATCHLIST)
    for record_id in ("a065", "a068", "a070"):
        outcome = _ingest(sqlite_db, pipeline, incoming(record_id))
    assert outcome.decision is Decision.DEVELOPMENT
    with sqlite_db.session() as session:
        alert = session.scalars(select(Alert).where(Alert.article_id == outcome.article_id)).one()
        payload = AlertPayload.from_json(alert.payload)
    assert payload.event == "development"
    assert any("126" in sentence for sentence in payload.new_facts)
    assert payload.also == ["wire-ar", "furat-news"]


def test_two_processes_sharing_a_database_share_stories(db) -> None:
    first, second = Pipeline(WATCHLIST), Pipeline(WATCHLIST)
    original = _ingest(db, first, incoming("a065"))
    rewrite = _ingest(db, second, incoming("a068"))
    assert rewrite.story_id == original.story_id
    assert rewrite.decision is Decision.COVERAGE
    # And the first process sees what the second one added.
    development = _ingest(db, first, incoming("a070"))
    assert development.story_id == original.story_id


def test_an_older_article_arriving_late_does_not_join_a_later_story(sqlite_db) -> None:
    """Sources polled side by side deliver out of order: the escape (January) arrives after
    the handover story (February) and is still its own story."""
    pipeline = Pipeline(WATCHLIST)
    later = _ingest(sqlite_db, pipeline, incoming("a077"))
    earlier = _ingest(sqlite_db, pipeline, incoming("a065"))
    assert earlier.decision is Decision.NEW_STORY
    assert earlier.story_id != later.story_id


def test_a_story_closes_after_a_quiet_week(sqlite_db) -> None:
    pipeline = Pipeline(WATCHLIST)
    original = _ingest(sqlite_db, pipeline, incoming("a065"))
    late = datetime.fromisoformat(record("a068")["published"]) + timedelta(days=8)
    rewrite = _ingest(sqlite_db, pipeline, incoming("a068", published=late.isoformat()))
    assert rewrite.story_id != original.story_id


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("شدادي", "al-Shaddadi"),
        ("باراك", "Barrack"),
        ("غويران", "Ghwayran"),
        ("سنتكوم", "CENTCOM"),
        ("حسكه", "Hasakah"),
        ("قامشلي", "Qamishli"),
        ("ترمب", "Trump"),
        ("ترامب", "Trump"),
        ("شيباني", "Shaibani"),
    ],
)
def test_names_meet_their_transliteration(arabic: str, latin: str) -> None:
    assert arabic_skeleton(arabic) == latin_skeleton(latin)


TEXT = record("a019")["text"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    dropped=st.integers(0, len(TEXT.split("\n\n")) - 1),
    lines=st.lists(
        st.sampled_from(["0 تعليق", "اقرأ أيضاً: طقس دمشق", "أخبار 7 - عاجل", "تابعونا على تلغرام"]),
        max_size=3,
    ),
)
def test_a_near_copy_stays_near(dropped: int, lines: list[str]) -> None:
    """Boilerplate lines added and one paragraph dropped keep the signatures close."""
    paragraphs = TEXT.split("\n\n")
    del paragraphs[dropped]
    copy = "\n\n".join(lines + paragraphs)
    a, b = signature(normalize(TEXT).split()), signature(normalize(copy).split())
    assert a.jaccard(b) >= 0.5 or a.containment(b) >= 0.8
    assert set(a.buckets()) & set(b.buckets())
