"""The objects `--json` prints for stories, a story's timeline and sources: stable keys,
times as datetimes (ISO 8601 in UTC once printed), for scripts to read."""

from __future__ import annotations

from typing import Any

from config import Watchlist
from config.intervals import format_interval
from storage import queries
from storage.story_views import StorySummary, Timeline
from tracker.errors import redact
from tracker.stories.why import why_of


def story_record(story: StorySummary) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "first_seen": story.first_seen,
        "last_activity": story.last_activity,
        "last_published": story.last_published,
        "articles": story.articles,
        "events": story.events,
        "developments": story.developments,
        "outlets": story.outlets,
        "topics": story.topics,
    }


def timeline_records(timeline: Timeline) -> list[dict[str, Any]]:
    """One object per article of the story, in publication order."""
    outlets = {a.id: a.outlet for a in timeline.articles}
    return [
        {
            "id": article.id,
            "story": timeline.story.id,
            "published": article.published_at,
            "found": article.ingested_at,
            "outlet": article.outlet,
            "title": article.title,
            "url": article.link,
            "lang": article.lang,
            "decision": article.decision,
            "event": article.event_id,
            "event_title": timeline.event_titles.get(article.event_id)
            if article.event_id
            else None,
            "copy_of": article.dup_of_id,
            "topics": timeline.topics.get(article.id, []),
            "why": why_of(article, outlets),
            "reason": article.novelty,  # everything stored with the decision
        }
        for article in timeline.articles
    ]


def source_records(
    watchlist: Watchlist, rows: dict[str, queries.SourceRow]
) -> list[dict[str, Any]]:
    records = []
    for source in watchlist.sources:
        row = rows.get(source.name)
        state = row.state if row else None
        records.append(
            {
                "name": source.name,
                "kind": source.kind,
                "url": redact(source.url),  # a feed's key in its query stays private
                "enabled": source.enabled,
                "every": format_interval(source.interval),
                "last_success": state.last_success_at if state else None,
                "consecutive_failures": state.consecutive_failures if state else 0,
                "articles": row.articles if row else 0,
                "next_poll": state.next_due_at if state else None,
                "last_error": state.last_error if state else None,
                "last_error_at": state.last_error_at if state else None,
            }
        )
    return records
