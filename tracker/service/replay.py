"""`tracker replay`: stored articles through the pipeline, without fetching or sending.

Input: JSON lines with id, url, outlet, lang, published, title, text (unknown keys ignored;
a missing `published` takes the previous record's time; a missing title, the lead's first
words). Output: one decision per record, with its story and event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import Database
from tracker.articles.dates import parse_date
from tracker.articles.incoming import IncomingArticle
from tracker.articles.urls import canonical_url
from tracker.errors import ReplayInputError
from tracker.service.pipeline import Pipeline


@dataclass(frozen=True)
class ReplayDecision:
    id: str
    decision: str
    story: int
    event: int | None
    topics: list[str]
    alert: bool
    dup_of: str | None
    title: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "decision": self.decision,
            "story": self.story,
            "event": self.event,
            "topics": self.topics,
            "alert": self.alert,
            "dup_of": self.dup_of,
        }


def read_records(lines: Iterable[str], name: str = "input") -> Iterator[dict[str, Any]]:
    previous_published: str | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReplayInputError(f"{name}:{number}: not valid JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise ReplayInputError(f"{name}:{number}: expected a JSON object")
        missing = [k for k in ("url", "text") if not isinstance(record.get(k), str)]
        if missing:
            raise ReplayInputError(f"{name}:{number}: missing {', '.join(missing)}")
        if not isinstance(record.get("title"), str):
            record["title"] = ""  # the lead stands in for it
        record.setdefault("id", str(number))
        if not record.get("published"):
            record["published"] = previous_published
        previous_published = record["published"]
        yield record


def incoming_of(record: dict[str, Any]) -> IncomingArticle:
    """A record (as read_records gives it) as the pipeline receives it."""
    return IncomingArticle(
        url=canonical_url(record["url"]),
        outlet=str(record.get("outlet") or "replay"),
        title=record.get("title") or "",
        text=record["text"],
        lang=record.get("lang"),
        published=parse_date(record.get("published")),
        link=record["url"],
    )


def replay(
    db: Database, pipeline: Pipeline, records: Iterable[dict[str, Any]]
) -> Iterator[ReplayDecision]:
    """Each record is found at the stream's own clock (the latest publication time seen so
    far), so max_age holds back a record published long before the records around it."""
    record_ids: dict[int, str] = {}
    clock: datetime | None = None
    for record in records:
        incoming = incoming_of(record)
        if incoming.published is not None:
            clock = max(clock or incoming.published, incoming.published)
        with db.session() as session:
            outcome = pipeline.ingest(session, incoming, clock)
        record_id = str(record["id"])
        record_ids.setdefault(outcome.article_id, record_id)
        yield ReplayDecision(
            id=record_id,
            decision=outcome.decision.value,
            story=outcome.story_id,
            event=outcome.event_id,
            topics=[m.topic for m in outcome.topics],
            alert=outcome.alert and outcome.stored,
            dup_of=record_ids.get(outcome.dup_of) if outcome.dup_of else None,
            title=outcome.title,
        )
