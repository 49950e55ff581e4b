"""`tracker search QUERY`: stored articles holding the query's words, the closest match
first, each with the passage that holds them; `--json` for scripts."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage import Database
    from tracker.service.search import Result

BOLD, PLAIN = "\x1b[1m", "\x1b[22m"


def search(args: argparse.Namespace, db: Database) -> int:
    from tracker.cli.output import print_json
    from tracker.service.search import search_articles
    from tracker.text.search_words import query_keys

    query = " ".join(args.query)
    if not query_keys(query):
        print(f"error: {query!r} holds no word to search for", file=sys.stderr)
        return 1
    from tracker.cli.browse import unknown_topic

    try:
        with db.session() as session:
            if problem := unknown_topic(session, args.topic):
                print(problem, file=sys.stderr)
                return 1
            found = search_articles(
                session, query, since=args.since, topic=args.topic, limit=args.limit
            )
    finally:
        db.dispose()
    if args.json:
        print_json([_record(r) for r in found])
    elif found:
        terminal = sys.stdout.isatty()
        print("\n\n".join(_block(r, terminal) for r in found))
    else:
        print(f"no articles match «{query}»{_filters(args)}", file=sys.stderr)
    return 0


def _block(result: Result, terminal: bool) -> str:
    when = f"{result.published:%Y-%m-%d %H:%M}" if result.published else "undated"
    heading = f"#{result.id}  {when}  {result.outlet}  story {result.story_id}  {result.title}"
    if terminal:  # bold instead of brackets: the words read as written
        return "\n".join(
            (f"{BOLD}{heading}{PLAIN}", result.snippet.render(BOLD, PLAIN), result.url)
        )
    return "\n".join((heading, str(result.snippet), result.url))


def _record(result: Result) -> dict[str, Any]:
    return {
        "id": result.id,
        "story_id": result.story_id,
        "title": result.title,
        "outlet": result.outlet,
        "published": result.published,
        "url": result.url,
        "score": float(f"{result.score:.4g}"),  # bm25 of a small database is tiny
        "snippet": str(result.snippet),
    }


def _filters(args: argparse.Namespace) -> str:
    said = []
    if args.topic:
        said.append(f" on the topic {args.topic}")
    if args.since:
        said.append(f" published since {args.since:%Y-%m-%d %H:%M} UTC")
    return "".join(said)
