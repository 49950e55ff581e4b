"""What the command line shows of stories: a list with their counts, and one story's
timeline. Read-only, a few batched queries whatever the number of stories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, Event, Story, TopicHit
from storage.queries import story_timeline


@dataclass(frozen=True)
class StorySummary:
    id: int
    title: str
    first_seen: datetime
    last_activity: datetime
    last_published: datetime | None
    articles: int
    events: int
    developments: int  # articles that opened an event after the first
    outlets: list[str]  # in the order they first covered it
    topics: list[str]
    languages: list[str]


@dataclass(frozen=True)
class Timeline:
    story: StorySummary
    articles: list[Article]  # in publication order
    event_titles: dict[int, str]
    topics: dict[int, list[str]]  # by article id


def list_stories(
    session: Session,
    *,
    topic: str | None = None,
    since: datetime | None = None,
    limit: int = 30,
) -> list[StorySummary]:
    """Stories with activity since `since` that matched `topic`, the newest activity first."""
    query = select(Story)
    if topic is not None:
        hits = select(TopicHit.id).where(TopicHit.story_id == Story.id, TopicHit.topic == topic)
        query = query.where(hits.exists())
    if since is not None:
        query = query.where(Story.updated_at >= since)
    stories = session.scalars(
        query.order_by(Story.updated_at.desc(), Story.id.desc()).limit(limit)
    ).all()
    return _summaries(session, stories)


def stored_topics(session: Session) -> list[str]:
    """The topics stored stories matched (a topic since removed from the watchlist too)."""
    return sorted(session.scalars(select(TopicHit.topic).distinct()))


def story_detail(session: Session, story_id: int) -> Timeline | None:
    story = session.get(Story, story_id)
    if story is None:
        return None
    articles = story_timeline(session, story_id)
    events = dict(
        session.execute(select(Event.id, Event.title).where(Event.story_id == story_id))
        .tuples()
        .all()
    )
    topics: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(TopicHit.article_id, TopicHit.topic)
        .where(TopicHit.story_id == story_id)
        .order_by(TopicHit.topic)
    )
    for article_id, name in rows:
        topics[article_id].append(name)
    [summary] = _summaries(session, [story])
    return Timeline(summary, articles, events, dict(topics))


def _summaries(session: Session, stories: Sequence[Story]) -> list[StorySummary]:
    ids = [s.id for s in stories]
    if not ids:
        return []
    outlets: dict[int, list[str]] = defaultdict(list)
    articles: dict[int, int] = defaultdict(int)
    developments: dict[int, int] = defaultdict(int)
    languages: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Article.story_id, Article.outlet, Article.decision, Article.lang)
        .where(Article.story_id.in_(ids))
        .order_by(Article.id)
    )
    for story_id, outlet, decision, lang in rows:
        articles[story_id] += 1
        if lang:
            languages[story_id].add(lang)
        developments[story_id] += decision == "development"
        if outlet not in outlets[story_id]:
            outlets[story_id].append(outlet)
    counted = select(Event.story_id, func.count()).where(Event.story_id.in_(ids))
    events = dict(session.execute(counted.group_by(Event.story_id)).tuples().all())
    topics: dict[int, list[str]] = defaultdict(list)
    for story_id, name in session.execute(
        select(TopicHit.story_id, TopicHit.topic)
        .where(TopicHit.story_id.in_(ids))
        .distinct()
        .order_by(TopicHit.topic)
    ):
        topics[story_id].append(name)
    return [
        StorySummary(
            id=s.id,
            title=s.title,
            first_seen=s.created_at,
            last_activity=s.updated_at,
            last_published=s.last_published_at,
            articles=articles[s.id],
            events=events.get(s.id, 0),
            developments=developments[s.id],
            outlets=outlets[s.id],
            topics=topics[s.id],
            languages=sorted(languages[s.id]),
        )
        for s in stories
    ]
