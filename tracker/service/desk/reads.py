"""What the desk pages read, each in one transaction on the database thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import outbox
from storage import Alert, queries
from storage.story_views import StorySummary, Timeline, list_stories, story_detail


def stories(
    session: Session, topic: str | None, since: datetime | None, limit: int
) -> list[StorySummary]:
    return list_stories(session, topic=topic, since=since, limit=limit)


@dataclass(frozen=True)
class StoryPage:
    timeline: Timeline
    alerts: list[Alert]  # what it caused, to which channels (names only, never URLs)
    outlets: dict[int, str]  # by article id, to name the original of a copy


def story(session: Session, story_id: int) -> StoryPage | None:
    timeline = story_detail(session, story_id)
    if timeline is None:
        return None
    alerts = list(
        session.scalars(select(Alert).where(Alert.story_id == story_id).order_by(Alert.id))
    )
    outlets = {a.id: a.outlet for a in timeline.articles}
    return StoryPage(timeline, alerts, outlets)


def sources(session: Session) -> dict[str, queries.SourceRow]:
    return queries.source_rows(session)


@dataclass(frozen=True)
class AlertsPage:
    counts: outbox.OutboxCounts
    rows: list[Alert]


def alerts(session: Session, status: str | None, limit: int = 100) -> AlertsPage:
    return AlertsPage(outbox.counts(session), outbox.recent(session, status, limit))
