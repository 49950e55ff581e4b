"""What each `tracker` command does. Each imports what it uses when it runs, so
`tracker --help` and `tracker check` start without the database layer, the HTTP client or
apprise."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import DeliveryError, TrackerError

if TYPE_CHECKING:
    from config import ArticleHints, Watchlist
    from storage import Database

log = logging.getLogger("tracker")


def _paths(args: argparse.Namespace) -> list[Path]:
    from config import default_config_paths

    return default_config_paths(args.config)


def _watchlist(args: argparse.Namespace) -> Watchlist:
    from config import load_watchlist

    return load_watchlist(_paths(args))


def _database(url: str | None = None) -> Database:
    """The database of $TRACKER_DATABASE_URL (or `url`), migrated to the current schema."""
    from storage import Database

    db = Database(url)
    db.upgrade()
    return db


def http_address(flag: str | None, watchlist: Watchlist) -> tuple[str, int] | None:
    """Where to serve the operations endpoint: --http, else $TRACKER_HTTP, else the
    watchlist's `http:` key, else nowhere."""
    import os

    from config.schema import parse_listen_address

    env = os.environ.get("TRACKER_HTTP", "").strip()
    chosen = flag or env or watchlist.http
    if not chosen:
        return None
    try:
        return parse_listen_address(chosen)
    except ValueError as exc:  # only $TRACKER_HTTP gets here unchecked
        raise TrackerError(f"TRACKER_HTTP: {exc}") from None


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    from tracker.service.app import App
    from tracker.service.run import Service

    async def go() -> None:
        app = App.open(_paths(args), config_source=args.config)
        try:
            http = http_address(args.http, app.watchlist)
        except TrackerError:
            await app.close()
            raise
        await Service(app, http).run()

    asyncio.run(go())
    return 0


def cmd_once(args: argparse.Namespace) -> int:
    import asyncio

    from tracker.cli.progress import pass_progress
    from tracker.service.app import App
    from tracker.service.once import run_once
    from tracker.service.retention import retention_job

    async def go() -> int:
        app = App.open(_paths(args))
        if args.source and app.watchlist.source(args.source) is None:
            await app.close()
            print(f"error: no source named {args.source!r} in the watchlist", file=sys.stderr)
            return 1
        try:
            with pass_progress(1 if args.source else len(app.sources)) as on_polled:
                summary = await run_once(app, args.source, on_polled)
            # Run from cron, a pass is the only time the tracker runs: it prunes what is due.
            await retention_job(app.db, app.watchlist.retention_limit)
        finally:
            await app.close()
        log.info("%s", summary)
        return 0

    return asyncio.run(go())


def cmd_check(args: argparse.Namespace) -> int:
    from config import load_watchlist

    paths = _paths(args)
    watchlist = load_watchlist(paths)
    if problems := _template_problems(watchlist, paths):
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    off = sum(1 for c in watchlist.channels.values() if not c.enabled)
    print(
        f"{', '.join(map(str, paths))}: OK: {len(watchlist.sources)} sources, "
        f"{len(watchlist.topics)} topics, {len(watchlist.channels)} channels"
        + (f" ({off} off: empty URL)" if off else "")
    )
    return 0


def _template_problems(watchlist: Watchlist, paths: list[Path]) -> list[str]:
    """Each channel template that cannot render a sample alert and digest, as file:line."""
    templated = {n: c for n, c in watchlist.channels.items() if c.template}
    if not templated:
        return []
    from alerts.render import check_template, template_path

    problems = []
    for name, channel in templated.items():
        path = template_path(channel, paths)
        if path is not None and (problem := check_template(path)):
            problems.append(f"{problem} (the template of channel {name})")
    return problems


def cmd_replay(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from tracker.service.pipeline import Pipeline
    from tracker.service.replay import read_records, replay

    watchlist = _watchlist(args)
    with tempfile.TemporaryDirectory(prefix="tracker-replay-") as scratch:
        db = _database(args.database or f"sqlite:///{Path(scratch) / 'replay.db'}")
        stream = sys.stdin if args.stream == "-" else None
        try:
            handle = stream or Path(args.stream).open(encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            print(f"error: cannot read {args.stream}: {exc.strerror}", file=sys.stderr)
            return 1
        alerts = records = 0
        stories: set[int] = set()
        try:
            with handle:
                for decision in replay(db, Pipeline(watchlist), read_records(handle, args.stream)):
                    records += 1
                    alerts += decision.alert
                    stories.add(decision.story)
                    if args.json:
                        print(json.dumps(decision.to_json(), ensure_ascii=False), flush=True)
                    else:
                        print(
                            f"{decision.id:>8}  {decision.decision:<14} story {decision.story:<5}"
                            f" {'ALERT' if decision.alert else '     '}  "
                            f"{','.join(decision.topics) or '-':<24} {decision.title[:70]}"
                        )
        finally:
            db.dispose()
    if not args.json:
        print(f"{records} records, {len(stories)} stories, {alerts} alerts")
    return 0


def cmd_test_alert(args: argparse.Namespace) -> int:
    import asyncio

    from alerts import send_test_message
    from alerts.render import template_path

    watchlist = _watchlist(args)
    channel = watchlist.channels.get(args.channel)
    if channel is None:
        names = ", ".join(watchlist.channels) or "none"
        print(f"error: no channel named {args.channel!r} (channels: {names})", file=sys.stderr)
        return 1
    try:
        template = template_path(channel, _paths(args))
        asyncio.run(send_test_message(args.channel, channel, template))
    except DeliveryError as exc:
        print(f"test message to {args.channel} failed: {exc.reason}", file=sys.stderr)
        return 1
    print(f"test message sent to {args.channel}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    import asyncio
    import gzip
    import json

    from tracker.articles.extract import extract
    from tracker.sources.fetch import Fetcher

    hints: ArticleHints | None = None
    zone: tzinfo = UTC
    if args.source:
        source = _watchlist(args).source(args.source)
        if source is None:
            print(f"error: no source named {args.source!r} in the watchlist", file=sys.stderr)
            return 1
        hints, zone = source.article, source.zone
    content_type = ""
    if args.page.startswith(("http://", "https://")):

        async def fetch() -> tuple[bytes, str, str]:
            fetcher = Fetcher()
            try:
                page = await fetcher.get(args.page)
            finally:
                await fetcher.aclose()
            return page.body, page.url, page.content_type

        body, url, content_type = asyncio.run(fetch())
    else:
        path = Path(args.page)
        try:
            body = path.read_bytes()
        except OSError as exc:
            print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 1
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        url = args.url or path.resolve().as_uri()
    result = extract(body, url, content_type, hints, zone)
    published = result.published.isoformat() if result.published else None
    if args.json:
        print(
            json.dumps(
                {
                    "title": result.title,
                    "published": published,
                    "lang": result.lang,
                    "canonical_url": result.canonical_url,
                    "text": result.text,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"title:     {result.title}\npublished: {published or 'unknown'}\n"
            f"lang:      {result.lang or 'unknown'}\ncanonical: {result.canonical_url or '-'}\n"
            f"\n{result.text}"
        )
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from tracker.cli.browse import sources

    watchlist = _watchlist(args)
    return sources(args, watchlist, _database())


def cmd_alerts(args: argparse.Namespace) -> int:
    from alerts import outbox
    from tracker.cli.tables import alerts_table

    db = _database()
    try:
        if args.retry is not None:
            with db.session() as session:
                count = outbox.retry_dead(session, args.retry or None)
            print(
                f"{count} dead alert{'s' if count != 1 else ''} queued again"
                + ("; the running service sends them within seconds" if count else "")
            )
            return 0
        with db.session() as session:
            totals = outbox.counts(session)
            held = f", {totals.held} held for a digest or quiet hours" if totals.held else ""
            print(f"{totals.pending} pending, {totals.sent} sent, {totals.dead} dead{held}")
            rows = outbox.recent(session, args.status, args.limit)
            if rows:
                print(alerts_table(rows))
    finally:
        db.dispose()
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    from tracker.cli.browse import stories

    return stories(args, _database())


def cmd_story(args: argparse.Namespace) -> int:
    from tracker.cli.browse import story

    return story(args.story, args.json, _database())


def cmd_search(args: argparse.Namespace) -> int:
    from tracker.cli.search import search

    return search(args, _database())


def cmd_schema(args: argparse.Namespace) -> int:
    from tracker.cli.schema import write_schema

    return write_schema(args.output)


def cmd_import_opml(args: argparse.Namespace) -> int:
    from tracker.cli.opml import import_opml

    return import_opml(args)


def cmd_export_opml(args: argparse.Namespace) -> int:
    from tracker.cli.opml import export_opml

    return export_opml(args)


def cmd_discover(args: argparse.Namespace) -> int:
    from tracker.cli.discover import discover

    return discover(args.url)


COMMANDS = {
    "run": cmd_run,
    "once": cmd_once,
    "check": cmd_check,
    "replay": cmd_replay,
    "test-alert": cmd_test_alert,
    "extract": cmd_extract,
    "sources": cmd_sources,
    "alerts": cmd_alerts,
    "stories": cmd_stories,
    "story": cmd_story,
    "search": cmd_search,
    "schema": cmd_schema,
    "import-opml": cmd_import_opml,
    "export-opml": cmd_export_opml,
    "discover": cmd_discover,
}
