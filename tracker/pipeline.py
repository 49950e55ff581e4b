"""normalise → fingerprint → dedup/story → match → alert decision, stored in one transaction.

The article, its topic hits and its outbox rows are written together: an alert exists if
and only if its article was stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import AlertPayload, TopicLine, queue_alert
from config import Watchlist
from storage import Article, Story, TopicHit, queries
from storage.types import utcnow
from tracker.fingerprint import content_hash
from tracker.match import TopicMatch, TopicMatcher
from tracker.text import lead, normalize

log = logging.getLogger(__name__)


class Decision(StrEnum):
    NEW_STORY = "new_story"
    DEVELOPMENT = "development"
    COVERAGE = "coverage"
    NEAR_DUPLICATE = "near_duplicate"
    DUPLICATE = "duplicate"


ALERTING = {Decision.NEW_STORY, Decision.DEVELOPMENT}


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

    @property
    def alert(self) -> bool:
        return self.decision in ALERTING and bool(self.topics)


class Pipeline:
    """Decides what each incoming article is and stores the decision."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self.matcher = TopicMatcher(watchlist.topics)
        self._topics = {t.name: t for t in watchlist.topics}

    def ingest(self, session: Session, incoming: IncomingArticle) -> Outcome:
        known = queries.article_by_url(session, incoming.url)
        if known is not None:
            return Outcome(known.id, Decision.DUPLICATE, known.story_id, known.id, (), (), False)

        normalised = normalize(incoming.text)
        digest = content_hash(normalised)
        copy_of = session.scalar(
            select(Article).where(Article.content_hash == digest).order_by(Article.id).limit(1)
        )
        now = utcnow()
        if copy_of is not None:
            decision, story_id, dup_of = Decision.DUPLICATE, copy_of.story_id, copy_of.id
            story = session.get_one(Story, story_id)
            story.updated_at = now
        else:
            decision, dup_of = Decision.NEW_STORY, None
            story = Story(title=incoming.title, created_at=now, updated_at=now)
            session.add(story)
            session.flush()
            story_id = story.id

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
            story_id=story_id,
            decision=decision,
            dup_of_id=dup_of,
        )
        session.add(article)
        session.flush()

        matches = tuple(self.matcher.match(incoming.title, incoming.text))
        for match in matches:
            session.add(
                TopicHit(
                    article_id=article.id,
                    story_id=story_id,
                    topic=match.topic,
                    terms=list(match.terms),
                )
            )
        queued: tuple[str, ...] = ()
        if decision in ALERTING and matches:
            queued = self._queue_alerts(session, article, decision, matches)
        return Outcome(article.id, decision, story_id, dup_of, matches, queued)

    def _queue_alerts(
        self,
        session: Session,
        article: Article,
        decision: Decision,
        matches: tuple[TopicMatch, ...],
    ) -> tuple[str, ...]:
        also = list(
            dict.fromkeys(
                session.scalars(
                    select(Article.outlet).where(
                        Article.story_id == article.story_id, Article.id != article.id
                    )
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
                event=decision.value,
                topics=lines,
                title=article.title,
                outlet=article.outlet,
                url=article.link,
                published=article.published_at.isoformat() if article.published_at else None,
                lead=lead(article.text),
                lang=article.lang,
                also=[o for o in also if o != article.outlet],
            )
            if queue_alert(session, channel_name, article.story_id, article.id, payload):
                queued.append(channel_name)
        return tuple(queued)
