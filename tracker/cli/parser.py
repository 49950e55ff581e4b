"""The command line's arguments: every command, its options and its help."""

from __future__ import annotations

import argparse
from datetime import datetime

from tracker import __version__
from tracker.cli.watchlist_parsers import add_watchlist_commands


def _common_options(defaults: bool) -> argparse.ArgumentParser:
    """Options accepted before and after the command; only the top level sets defaults,
    so `tracker --config X check` and `tracker check --config X` mean the same."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=None if defaults else argparse.SUPPRESS,
        help="watchlist file or folder of *.yaml files "
        "(default: $TRACKER_CONFIG, else config/watchlist.yaml)",
    )
    count: object = 0 if defaults else argparse.SUPPRESS
    common.add_argument("-v", "--verbose", action="count", default=count, help="more detail")
    common.add_argument(
        "-q", "--quiet", action="count", default=count, help="warnings and errors only"
    )
    common.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=None if defaults else argparse.SUPPRESS,
        help="log lines as text or one JSON object a line "
        "(default: $TRACKER_LOG_FORMAT, else text)",
    )
    return common


def _listen_address(text: str) -> str:
    from config.schema import parse_listen_address

    try:
        parse_listen_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _since(text: str) -> datetime:
    from tracker.cli.browse import parse_since

    return parse_since(text)


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(defaults=False)

    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Polls news outlets, drops copies, groups stories and alerts on the "
        "topics of your watchlist.",
        epilog="The database is $TRACKER_DATABASE_URL, else SQLite at storage/tracker.db.",
        parents=[_common_options(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        parents=[common],
        help="run the service until stopped",
        description="Poll every source on its interval and send alerts; "
        "reload the watchlist when it changes; stop on Ctrl-C.",
    )
    run.add_argument(
        "--http",
        metavar="HOST:PORT",
        type=_listen_address,
        help="serve /healthz and /metrics (Prometheus) at this address, e.g. 127.0.0.1:8080 "
        "(default: $TRACKER_HTTP, else the watchlist's http key, else off)",
    )
    once = commands.add_parser(
        "once", parents=[common], help="poll every source once, send alerts, exit (for cron)"
    )
    once.add_argument("--source", metavar="NAME", help="only this source")
    commands.add_parser(
        "check", parents=[common], help="validate the watchlist; exit 1 with file:line:col messages"
    )
    replay = commands.add_parser(
        "replay",
        parents=[common],
        help="run stored articles (JSON lines) through the pipeline",
        description="Back-test a watchlist: each record goes through normalise, dedup, story, "
        "match and the alert decision. Nothing is fetched or sent.",
    )
    replay.add_argument("stream", metavar="STREAM.jsonl", help="JSON lines file, or - for stdin")
    replay.add_argument("--json", action="store_true", help="one JSON object per record")
    replay.add_argument(
        "--database",
        metavar="URL",
        help="database to replay into (default: a throwaway SQLite file)",
    )
    test_alert = commands.add_parser(
        "test-alert", parents=[common], help="send a test message to one channel"
    )
    test_alert.add_argument("channel", metavar="CHANNEL")
    extract = commands.add_parser(
        "extract", parents=[common], help="show what the extractor takes from one page"
    )
    extract.add_argument("page", metavar="PATH_OR_URL")
    extract.add_argument("--url", help="the page's address, for a local file")
    extract.add_argument("--source", metavar="NAME", help="use this source's article selectors")
    extract.add_argument("--json", action="store_true", help="print one JSON object")
    sources = commands.add_parser(
        "sources", parents=[common], help="table of sources and their health"
    )
    sources.add_argument("--json", action="store_true", help="a JSON list of objects")
    alerts = commands.add_parser(
        "alerts",
        parents=[common],
        help="the alerts queue: pending, sent and dead alerts",
        description="What was sent, what waits for a retry and what was given up, with the "
        "last error; --retry queues dead alerts again.",
    )
    alerts.add_argument(
        "--status", choices=["pending", "held", "sent", "dead", "digested"], help="only these"
    )
    alerts.add_argument("--limit", type=int, default=30, help="how many (default 30)")
    alerts.add_argument(
        "--retry",
        type=int,
        nargs="*",
        metavar="ID",
        help="queue dead alerts again: these ids, or all when none is given",
    )
    stories = commands.add_parser(
        "stories",
        parents=[common],
        help="table of stories, the newest activity first",
        description="Stories with when they were first seen, their articles, events "
        "(the first and each development), topics and outlets.",
    )
    stories.add_argument("--topic", metavar="NAME", help="only stories that matched this topic")
    stories.add_argument(
        "--since",
        metavar="SPAN_OR_DATE",
        type=_since,
        help="only stories with activity since then: 7d, 12h, or a date (2026-01-20, UTC)",
    )
    stories.add_argument("--limit", type=int, default=30, help="how many (default 30)")
    stories.add_argument("--json", action="store_true", help="a JSON list of objects")
    stories.add_argument(
        "--story",
        type=int,
        metavar="ID",
        help="one story's timeline, as `tracker story ID`",
    )
    story = commands.add_parser(
        "story",
        parents=[common],
        help="one story's timeline: each article, its outlet, decision and why",
    )
    story.add_argument("story", type=int, metavar="ID")
    story.add_argument("--json", action="store_true", help="a JSON list of objects")
    search = commands.add_parser(
        "search",
        parents=[common],
        help="full-text search over stored articles, the closest match first",
        description="Articles whose title or text holds the query's words, spelt as "
        "topics match them (diacritics, hamza forms, attached و ب ال… do not matter); "
        "all the words next to each other first, then all of them, then some. "
        "Copies are left out (`tracker story ID` shows them).",
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help="words to look for")
    search.add_argument(
        "--since",
        metavar="SPAN_OR_DATE",
        type=_since,
        help="only articles published since then: 7d, 12h, or a date (2026-01-20, UTC)",
    )
    search.add_argument("--topic", metavar="NAME", help="only articles that matched this topic")
    search.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    search.add_argument("--json", action="store_true", help="a JSON list of objects")
    add_watchlist_commands(commands, common)
    return parser
