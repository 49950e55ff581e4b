"""read → match → copy / near-copy / story and event → store → queue, in one transaction.

The article, its buckets, its topic hits, its story's new state and its outbox rows are
written together: an alert exists if and only if its article was stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alerts import AlertPayload, TopicLine, queue_alert
from alerts.timing import hold_until
from config import Watchlist
from storage import Database, models, queries, search
from storage.models import url_key
from storage.types import utcnow
from tracker.articles.incoming import IncomingArticle
from tracker.stories.article import ArticleText
from tracker.stories.events import Placement, place, quoted_sentences
from tracker.stories.index import StoryIndex, StoryState
from tracker.stories.neardup import near_copy_of
from tracker.text.match import TopicMatch, TopicMatcher
from tracker.text.search_words import document_of
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
    why: dict[str, Any] | None = None  # what the decision rests on, stored with the article
    event_id: int | None = None
    too_old: bool = False  # it would have alerted, but was found long after it was published
    title: str = ""  # as stored: the article's own, else its lead's first words


@dataclass(frozen=True)
class _Placed:
    decision: Decision
    story_id: int
    event_id: int | None
    dup_of: int | None = None
    why: dict[str, Any] | None = None
    alert_topics: frozenset[str] = frozenset()  # topics this article alerts for
    kind: str = "new_story"  # the alert's: new_story or development
    new_facts: tuple[str, ...] = ()  # sentences quoted in the alert


class Pipeline:
    """Decides what each incoming article is and stores the decision."""

    def __init__(self, watchlist: Watchlist, stories: StoryIndex | None = None) -> None:
        self.watchlist = watchlist
        self.matcher = TopicMatcher(watchlist.topics)
        self.stories = stories or StoryIndex()
        self._topics = {t.name: t for t in watchlist.topics}

    def ingest(
        self, session: Session, incoming: IncomingArticle, now: datetime | None = None
    ) -> Outcome:
        """Decide and store one article. `now` is when it was found (a replay's clock):
        an article published longer than its source's max_age before then alerts nothing."""
        queries.lock_for_ingest(session)
        known = queries.article_by_url(session, incoming.url)
        if known is not None:
            return Outcome(
                known.id,
                Decision.DUPLICATE,
                known.story_id,
                known.id,
                (),
                (),
                False,
                event_id=known.event_id,
            )

        now = now or utcnow()
        article = ArticleText.read(incoming)
        title = article.title.text
        matches = tuple(self.matcher.match(article.title.tokens, article.tokens))
        placed = self._place(session, article, title, {m.topic for m in matches}, now)
        alerting = tuple(m for m in matches if m.topic in placed.alert_topics)
        too_old = bool(alerting) and self._too_old(incoming, now)
        if too_old:
            alerting = ()
        link = incoming.link or incoming.url
        why = {**(placed.why or {}), "too_old": True} if too_old else placed.why
        article_id = _store(session, article, placed, why, matches, now)
        queued = (
            self._queue_alerts(session, article, title, article_id, link, placed, alerting)
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
            why=placed.why,
            event_id=placed.event_id,
            too_old=too_old,
            title=title,
        )

    def _newly_notified(self, topics: set[str], already: set[str]) -> frozenset[str]:
        """Of `topics`, those notifying a channel that `already`'s topics do not (a topic
        without a channel stands for one of its own, so a back-test still sees it)."""
        told = {c for t in already for c in self._channels_of(t)}
        return frozenset(t for t in topics if set(self._channels_of(t)) - told)

    def _channels_of(self, topic: str) -> list[str]:
        found = self._topics.get(topic)
        return list(found.notify) if found and found.notify else [f"topic:{topic}"]

    def _too_old(self, incoming: IncomingArticle, now: datetime) -> bool:
        limit = self.watchlist.age_limit(incoming.outlet)
        published = incoming.published
        return limit is not None and published is not None and now - published > limit

    def _place(
        self, session: Session, article: ArticleText, title: str, topics: set[str], now: datetime
    ) -> _Placed:
        """Exact copy → near copy → an event of a story (new or known) → a new story."""
        copy_of = queries.first_with_text(session, article.content_hash)
        # Copies join their original's story and event but leave them as they were: they
        # add nothing to what it is about, nor to how long it stays open.
        if copy_of is not None:
            return _Placed(Decision.DUPLICATE, copy_of.story_id, copy_of.event_id, copy_of.id)
        near = near_copy_of(session, article)
        if near is not None and not near.added_numbers:
            why: dict[str, Any] = {
                "near_copy_of": near.article_id,
                "jaccard": round(near.jaccard, 2),
            }
            return _Placed(
                Decision.NEAR_DUPLICATE, near.story_id, near.event_id, near.article_id, why
            )

        at = article.incoming.published or now
        self.stories.sync(session, at)
        if near is not None and near.story_id in self.stories.stories:
            # The same text grown by new facts: judged in its original's story, its added
            # figures as if its title stated them.
            state = self.stories.stories[near.story_id]
            self.stories.open_legacy_event(session, state, now)
            counts = self.stories.language_counts(session, at, article.lang)
            placement = place(article, state, counts, at, update=near)
            return self._in_story(session, article, title, topics, state, placement, at, now)
        match = self.stories.best_match(article, topics, at)
        if match is None:
            return self._new_story(session, article, title, topics, at, now)
        state = match.story
        self.stories.open_legacy_event(session, state, now)
        placement = place(
            article, state, self.stories.language_counts(session, at, article.lang), at
        )
        placed = self._in_story(session, article, title, topics, state, placement, at, now)
        assert placed.why is not None
        placed.why["story_similarity"] = round(match.similarity, 2)
        return placed

    def _new_story(
        self,
        session: Session,
        article: ArticleText,
        title: str,
        topics: set[str],
        at: datetime,
        now: datetime,
    ) -> _Placed:
        state = StoryState.new(at)
        state.absorb(article, topics, at)
        self.stories.save(session, state, title, now)
        event = self.stories.open_event(session, state, title, at, now)
        event.absorb(article, at)
        event.alerted_topics |= topics
        self.stories.save(session, state, title, now)
        why = {"event": "opened", "reason": "a new story", "event_id": event.event_id}
        return _Placed(
            Decision.NEW_STORY, state.story_id, event.event_id, None, why, frozenset(topics)
        )

    def _in_story(
        self,
        session: Session,
        article: ArticleText,
        title: str,
        topics: set[str],
        state: StoryState,
        placement: Placement,
        at: datetime,
        now: datetime,
    ) -> _Placed:
        """Open the event the placement calls for, or join the one it names."""
        if placement.opened:
            event = self.stories.open_event(session, state, title, at, now)
            alert_topics = frozenset(topics)
            decision = Decision.DEVELOPMENT
        else:
            assert placement.event is not None
            event = placement.event
            # An event reaches each channel once: coverage alerts only for a topic the event
            # had not met, and only if that topic notifies a channel the event has not.
            alert_topics = self._newly_notified(topics - event.alerted_topics, event.alerted_topics)
            decision = Decision.COVERAGE
        event.absorb(article, at)
        event.alerted_topics |= topics
        state.absorb(article, topics, at)
        self.stories.save(session, state, title, now)
        self.stories.save_event(session, event)
        why: dict[str, Any] = {**placement.to_json(), "event_id": event.event_id}
        facts = tuple(quoted_sentences(article, set(placement.new_figures)))
        if facts and placement.opened:
            why["new_facts"] = list(facts)  # what the alert quotes, for the timeline too
        return _Placed(
            decision, state.story_id, event.event_id, None, why, alert_topics, "development", facts
        )

    def _queue_alerts(
        self,
        session: Session,
        article: ArticleText,
        title: str,
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
                event=placed.kind,
                topics=lines,
                title=title,
                outlet=incoming.outlet,
                url=link,
                published=published.astimezone(UTC).isoformat() if published else None,
                lead=excerpt(article.lead),
                lang=incoming.lang,
                also=[o for o in also if o != incoming.outlet],
                new_facts=list(placed.new_facts),
            )
            urgent = any(self._topics[line.name].urgent for line in lines)
            # On the wall clock, not a replay's: a channel's quiet hours are the user's.
            hold = hold_until(channel, utcnow(), urgent=urgent)
            if queue_alert(
                session, channel_name, placed.story_id, article_id, payload, placed.event_id, hold
            ):
                queued.append(channel_name)
        return tuple(queued)


# Built once: a statement object used again skips SQLAlchemy's building and cache-key work.
_INSERT_ARTICLE = insert(models.Article).returning(models.Article.id)
# RETURNING, though nothing reads it: SQLAlchemy then sends an article's 16 buckets as one
# multi-row INSERT ("insertmanyvalues"), where psycopg would run a statement per row.
_INSERT_BUCKETS = insert(models.ArticleBucket).returning(models.ArticleBucket.id)
_INSERT_HITS = insert(models.TopicHit)


def _store(
    session: Session,
    article: ArticleText,
    placed: _Placed,
    why: dict[str, Any] | None,
    matches: tuple[TopicMatch, ...],
    now: datetime,
) -> int:
    """The article's row, its near-copy buckets and its topic hits; its id."""
    incoming = article.incoming
    link = incoming.link or incoming.url
    # Core inserts: the hot path needs no ORM bookkeeping for rows it will not touch again.
    connection = session.connection()
    article_id = connection.execute(
        _INSERT_ARTICLE,
        {
            "source_id": incoming.source_id,
            "outlet": incoming.outlet,
            "url": incoming.url,
            "url_key": url_key(incoming.url),
            "link": link,
            "link_key": url_key(link),
            "guid": incoming.guid,
            "title": article.title.text,
            "text": incoming.text,
            "lang": incoming.lang,
            "published_at": incoming.published,
            "ingested_at": now,
            "content_hash": article.content_hash,
            "signature": article.signature.to_bytes(),
            "shingles": article.signature.shingles,
            "numbers": sorted(article.own_numbers),  # for the near-copy check
            "novelty": why,
            "story_id": placed.story_id,
            "event_id": placed.event_id,
            "decision": placed.decision.value,
            "dup_of_id": placed.dup_of,
        },
    ).scalar_one()
    if placed.decision is not Decision.DUPLICATE:  # an exact copy's text has buckets
        connection.execute(
            _INSERT_BUCKETS,
            [{"article_id": article_id, "bucket": b} for b in set(article.signature.buckets())],
        )
    if placed.dup_of is None:  # copies say what their original says: search shows that
        document = document_of(article.title.tokens, article.tokens)
        search.write(connection, article_id, document.title, document.body, replace=False)
    if matches:
        connection.execute(
            _INSERT_HITS,
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
    return int(article_id)


def ingest_in_order(
    db: Database,
    pipeline: Pipeline,
    articles: Iterable[IncomingArticle],
    now: datetime | None = None,
) -> list[tuple[IncomingArticle, Outcome]]:
    """One pass's new articles, from all its sources, oldest first, each in a transaction of
    its own: an original is stored before the copies of it that a faster source listed."""
    found = now or utcnow()
    done = []
    for incoming in sorted(articles, key=lambda a: a.published_or(found)):
        with db.session() as session:
            done.append((incoming, pipeline.ingest(session, incoming, now)))
    return done
