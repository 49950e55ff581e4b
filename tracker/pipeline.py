"""normalise → fingerprint → dedup / story / novelty → match → alert, in one transaction.

The article, its buckets, its topic hits, its story's new state and its outbox rows are
written together: an alert exists if and only if its article was stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alerts import AlertPayload, TopicLine, queue_alert
from config import Watchlist
from storage import Article, ArticleBucket, TopicHit, queries
from storage.types import utcnow
from tracker.features import ArticleFeatures, article_features, body_numbers
from tracker.fingerprint import Signature, content_hash, signature
from tracker.match import TopicMatch, TopicMatcher
from tracker.neardup import near_copy_of
from tracker.novelty import Novelty, assess
from tracker.stories import StoryIndex, StoryState
from tracker.text import lead, normalize

log = logging.getLogger(__name__)


class Decision(StrEnum):
    NEW_STORY = "new_story"
    DEVELOPMENT = "development"
    COVERAGE = "coverage"
    NEAR_DUPLICATE = "near_duplicate"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class IncomingArticle:
    url: str  # canonical
    outlet: str
    title: str
    text: str
    lang: str | None = None
    published: datetime | None = None
    link: str | None = None  # as listed, when it differs from the canonical URL
    guid: str | None = None
    source_id: int | None = None


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
        at = incoming.published or now
        tokens = normalize(incoming.text).split()
        digest = content_hash(" ".join(tokens))
        matches = tuple(self.matcher.match(incoming.title, incoming.text))
        topics = {m.topic for m in matches}
        lang = incoming.lang or "ar"
        features = article_features(incoming.title, incoming.text, lang, topics)
        fingerprint = signature(tokens)

        placed = self._place(session, incoming, digest, fingerprint, features, topics, at, now)
        article = Article(
            source_id=incoming.source_id,
            outlet=incoming.outlet,
            url=incoming.url,
            link=incoming.link or incoming.url,
            guid=incoming.guid,
            title=incoming.title,
            text=incoming.text,
            lang=incoming.lang,
            published_at=incoming.published,
            ingested_at=now,
            content_hash=digest,
            signature=fingerprint.to_bytes(),
            shingles=fingerprint.shingles,
            numbers=sorted(features.numbers),
            novelty=placed.novelty.to_json() if placed.novelty else None,
            story_id=placed.story_id,
            decision=placed.decision,
            dup_of_id=placed.dup_of,
        )
        session.add(article)
        session.flush()
        if placed.decision is not Decision.DUPLICATE:  # an exact copy's text has buckets
            session.execute(
                insert(ArticleBucket),
                [{"article_id": article.id, "bucket": b} for b in set(fingerprint.buckets())],
            )
        for match in matches:
            session.add(
                TopicHit(
                    article_id=article.id,
                    story_id=placed.story_id,
                    topic=match.topic,
                    terms=list(match.terms),
                )
            )
        alerting = tuple(m for m in matches if m.topic in placed.alert_topics)
        queued = self._queue_alerts(session, article, placed, alerting) if alerting else ()
        return Outcome(
            article.id,
            placed.decision,
            placed.story_id,
            placed.dup_of,
            matches,
            queued,
            alert=bool(alerting),
            novelty=placed.novelty,
        )

    def _place(
        self,
        session: Session,
        incoming: IncomingArticle,
        digest: str,
        fingerprint: Signature,
        features: ArticleFeatures,
        topics: set[str],
        at: datetime,
        now: datetime,
    ) -> _Placed:
        """Exact copy → near copy → a recent story (development or coverage) → new story."""
        copy_of = session.execute(
            select(Article.id, Article.story_id)
            .where(Article.content_hash == digest)
            .order_by(Article.id)
            .limit(1)
        ).first()
        if copy_of is not None:
            self.stories.touch(session, copy_of.story_id, at, now)
            return _Placed(Decision.DUPLICATE, copy_of.story_id, copy_of.id)
        near = near_copy_of(session, fingerprint, body_numbers(incoming.text))
        if near is not None:
            self.stories.touch(session, near.story_id, at, now)
            return _Placed(Decision.NEAR_DUPLICATE, near.story_id, near.article_id)

        self.stories.sync(session, at)
        match = self.stories.best_match(features, topics, at)
        if match is None:
            state = StoryState(0, {}, set(), set(), set(), set(), at)
            state.absorb(features, topics, at)
            story = self.stories.save(session, state, incoming.title, now)
            return _Placed(Decision.NEW_STORY, story.id, alert_topics=frozenset(topics))
        state = match.story
        gap_days = (at - state.last_at).total_seconds() / 86400
        novelty = assess(features, state, incoming.title, incoming.text, gap_days)
        known_topics = set(state.topics)
        state.absorb(features, topics, at)
        self.stories.save(session, state, incoming.title, now)
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
        article: Article,
        placed: _Placed,
        matches: tuple[TopicMatch, ...],
    ) -> tuple[str, ...]:
        also = list(
            dict.fromkeys(
                session.scalars(
                    select(Article.outlet)
                    .where(Article.story_id == article.story_id, Article.id != article.id)
                    .order_by(Article.id)
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
            payload = AlertPayload(
                event=placed.event,
                topics=lines,
                title=article.title,
                outlet=article.outlet,
                url=article.link,
                published=article.published_at.isoformat() if article.published_at else None,
                lead=lead(article.text),
                lang=article.lang,
                also=[o for o in also if o != article.outlet],
                new_facts=placed.novelty.sentences if placed.novelty else [],
            )
            if queue_alert(session, channel_name, article.story_id, article.id, payload):
                queued.append(channel_name)
        return tuple(queued)
