"""read → match → copy / near-copy / story / novelty → store → queue, in one transaction.

The article, its buckets, its topic hits, its story's new state and its outbox rows are
written together: an alert exists if and only if its article was stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alerts import AlertPayload, TopicLine, queue_alert
from config import Watchlist
from storage import models, queries
from storage.models import url_key
from storage.types import utcnow
from tracker.articles.incoming import IncomingArticle
from tracker.stories.article import ArticleText
from tracker.stories.index import StoryIndex, StoryState
from tracker.stories.neardup import near_copy_of
from tracker.stories.novelty import Novelty, assess
from tracker.text.match import TopicMatch, TopicMatcher
from tracker.text.sentences import excerpt

log = logging.getLogger(__name__)


class Decision(StrEnum):
    NEW_STORY = "new_story"
    DEVELOPMENT = "development"
    COVERAGE = "coverage"
    NEAR_DUPLICATE = "near_duplicate"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Outcome:
    article_id: int
    decision: Decision
    story_id: int
    dup_of: int | None
    topics: tuple[TopicMatch, ...]
    queued: tuple[str, ...]  # channels an alert was queued for
    stored: bool = True  # False when the URL was already stored
    alert: bool = False  # the decision calls for an alert (whether or not a channel is on)
    novelty: Novelty | None = None


@dataclass(frozen=True)
class _Placed:
    decision: Decision
    story_id: int
    dup_of: int | None = None
    novelty: Novelty | None = None
    alert_topics: frozenset[str] = frozenset()  # topics this article alerts for
    event: str = "new_story"


class Pipeline:
    """Decides what each incoming article is and stores the decision."""

    def __init__(self, watchlist: Watchlist, stories: StoryIndex | None = None) -> None:
        self.watchlist = watchlist
        self.matcher = TopicMatcher(watchlist.topics)
        self.stories = stories or StoryIndex()
        self._topics = {t.name: t for t in watchlist.topics}

    def ingest(self, session: Session, incoming: IncomingArticle) -> Outcome:
        known = queries.article_by_url(session, incoming.url)
        if known is not None:
            return Outcome(known.id, Decision.DUPLICATE, known.story_id, known.id, (), (), False)

        now = utcnow()
        article = ArticleText.read(incoming)
        matches = tuple(self.matcher.match(article.title.tokens, article.tokens))
        placed = self._place(session, article, {m.topic for m in matches}, now)
        link = incoming.link or incoming.url
        # Core inserts: the hot path needs no ORM bookkeeping for rows it will not touch again.
        connection = session.connection()
        article_id = connection.execute(
            insert(models.Article).returning(models.Article.id),
            {
                "source_id": incoming.source_id,
                "outlet": incoming.outlet,
                "url": incoming.url,
                "url_key": url_key(incoming.url),
                "link": link,
                "link_key": url_key(link),
                "guid": incoming.guid,
                "title": incoming.title,
                "text": incoming.text,
                "lang": incoming.lang,
                "published_at": incoming.published,
                "ingested_at": now,
                "content_hash": article.content_hash,
                "signature": article.signature.to_bytes(),
                "shingles": article.signature.shingles,
                "numbers": sorted(article.own_numbers),  # for the near-copy check
                "novelty": placed.novelty.to_json() if placed.novelty else None,
                "story_id": placed.story_id,
                "decision": placed.decision.value,
                "dup_of_id": placed.dup_of,
            },
        ).scalar_one()
        if placed.decision is not Decision.DUPLICATE:  # an exact copy's text has buckets
            connection.execute(
                insert(models.ArticleBucket),
                [{"article_id": article_id, "bucket": b} for b in set(article.signature.buckets())],
            )
        if matches:
            connection.execute(
                insert(models.TopicHit),
                [
                    {
                        "article_id": article_id,
                        "story_id": placed.story_id,
                        "topic": m.topic,
                        "terms": list(m.terms),
                    }
                    for m in matches
                ],
            )
        alerting = tuple(m for m in matches if m.topic in placed.alert_topics)
        queued = (
            self._queue_alerts(session, article, article_id, link, placed, alerting)
            if alerting
            else ()
        )
        return Outcome(
            article_id,
            placed.decision,
            placed.story_id,
            placed.dup_of,
            matches,
            queued,
            alert=bool(alerting),
            novelty=placed.novelty,
        )

    def _place(
        self, session: Session, article: ArticleText, topics: set[str], now: datetime
    ) -> _Placed:
        """Exact copy → near copy → a recent story (development or coverage) → new story."""
        copy_of = queries.first_with_text(session, article.content_hash)
        # Copies join their original's story but leave it as it was: they add nothing to
        # what it is about, nor to how long it stays open.
        if copy_of is not None:
            return _Placed(Decision.DUPLICATE, copy_of.story_id, copy_of.id)
        near = near_copy_of(session, article)
        if near is not None:
            return _Placed(Decision.NEAR_DUPLICATE, near.story_id, near.article_id)

        at = article.incoming.published or now
        self.stories.sync(session, at)
        match = self.stories.best_match(article, topics, at)
        if match is None:
            state = StoryState(0, {}, set(), set(), set(), set(), at)
            state.absorb(article, topics, at)
            story = self.stories.save(session, state, article.incoming.title, now)
            return _Placed(Decision.NEW_STORY, story.id, alert_topics=frozenset(topics))
        state = match.story
        gap_days = (at - state.last_at).total_seconds() / 86400
        novelty = assess(article, state, gap_days)
        known_topics = set(state.topics)
        state.absorb(article, topics, at)
        self.stories.save(session, state, article.incoming.title, now)
        if novelty.development:
            return _Placed(
                Decision.DEVELOPMENT,
                state.story_id,
                novelty=novelty,
                alert_topics=frozenset(topics),
                event="development",
            )
        # Coverage alerts only for a topic the story had not matched before.
        return _Placed(
            Decision.COVERAGE,
            state.story_id,
            novelty=novelty,
            alert_topics=frozenset(topics - known_topics),
        )

    def _queue_alerts(
        self,
        session: Session,
        article: ArticleText,
        article_id: int,
        link: str,
        placed: _Placed,
        matches: tuple[TopicMatch, ...],
    ) -> tuple[str, ...]:
        incoming = article.incoming
        also = list(
            dict.fromkeys(
                session.scalars(
                    select(models.Article.outlet)
                    .where(
                        models.Article.story_id == placed.story_id,
                        models.Article.id != article_id,
                    )
                    .order_by(models.Article.id)
                )
            )
        )
        queued = []
        for channel_name, channel in self.watchlist.channels.items():
            if not channel.enabled:
                continue
            lines = [
                TopicLine(m.topic, self._topics[m.topic].label, list(m.terms))
                for m in matches
                if channel_name in self._topics[m.topic].notify
            ]
            if not lines:
                continue
            published = incoming.published
            payload = AlertPayload(
                event=placed.event,
                topics=lines,
                title=incoming.title,
                outlet=incoming.outlet,
                url=link,
                published=published.astimezone(UTC).isoformat() if published else None,
                lead=excerpt(article.lead),
                lang=incoming.lang,
                also=[o for o in also if o != incoming.outlet],
                new_facts=placed.novelty.sentences if placed.novelty else [],
            )
            if queue_alert(session, channel_name, placed.story_id, article_id, payload):
                queued.append(channel_name)
        return tuple(queued)
