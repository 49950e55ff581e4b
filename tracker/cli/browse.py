"""`tracker stories`, `tracker story ID` and `tracker sources`: what the database holds,
as a table for people or JSON for scripts (`--json`)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from config import Watchlist
    from storage import Database


def parse_since(text: str) -> datetime:
    """`--since`: a span back from now ("7d", "12h", "1d12h") or a date ("2026-01-20",
    "2026-01-20T08:00", UTC unless it names its offset)."""
    from config.intervals import parse_interval

    try:
        return now() - parse_interval(text)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} reaches back before year 1") from None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a span (7d, 12h, 1d12h) nor a date (2026-01-20)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)


def stories(args: argparse.Namespace, db: Database) -> int:
    from storage.story_views import list_stories
    from tracker.cli.output import print_json, show
    from tracker.cli.records import story_record
    from tracker.cli.tables import stories_table

    if args.story is not None:  # the older spelling of `tracker story ID`
        return story(args.story, args.json, db)
    try:
        with db.session() as session:
            if problem := unknown_topic(session, args.topic):
                print(problem, file=sys.stderr)
                return 1
            found = list_stories(session, topic=args.topic, since=args.since, limit=args.limit)
    finally:
        db.dispose()
    if args.json:
        print_json([story_record(s) for s in found])
    elif found:
        show(stories_table(found))
    else:
        print("no stories" + _filters(args), file=sys.stderr)
    return 0


def unknown_topic(session: Session, topic: str | None) -> str | None:
    """What to say when `topic` was never matched (most often a typo); None when it was."""
    from storage.story_views import stored_topics

    if topic is None:
        return None
    known = stored_topics(session)
    if topic in known:
        return None
    names = ", ".join(known) or "none yet"
    return f"error: no stored story matched a topic named {topic!r} (topics: {names})"


def _filters(args: argparse.Namespace) -> str:
    said = []
    if args.topic:
        said.append(f"on the topic {args.topic}")
    if args.since:
        said.append(f"with activity since {args.since:%Y-%m-%d %H:%M} UTC")
    return (" " + " ".join(said)) if said else " yet"


def story(story_id: int, as_json: bool, db: Database) -> int:
    from storage.story_views import story_detail
    from tracker.cli.output import print_json, show
    from tracker.cli.records import timeline_records
    from tracker.cli.tables import story_heading, timeline_table

    try:
        with db.session() as session:
            timeline = story_detail(session, story_id)
            if timeline is None:
                print(f"error: no story {story_id} (`tracker stories` lists them)", file=sys.stderr)
                return 1
            if as_json:
                print_json(timeline_records(timeline))
            else:
                show(timeline_table(timeline), story_heading(timeline))
    finally:
        db.dispose()
    return 0


def sources(args: argparse.Namespace, watchlist: Watchlist, db: Database) -> int:
    from storage import queries
    from tracker.cli.output import print_json, show
    from tracker.cli.records import source_records
    from tracker.cli.tables import sources_table

    try:
        with db.session() as session:
            rows = queries.source_rows(session)
            if args.json:
                print_json(source_records(watchlist, rows))
            else:
                show(sources_table(watchlist, rows))
    finally:
        db.dispose()
    return 0
