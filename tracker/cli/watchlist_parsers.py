"""The arguments of the commands that work on the watchlist file itself: `schema`,
`import-opml`, `export-opml` and `discover` (added to the parser by parser.py)."""

from __future__ import annotations

import argparse
from typing import Any


def add_watchlist_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """`commands` is the parser's subparsers action (argparse keeps its class private)."""
    schema = commands.add_parser(
        "schema",
        parents=[common],
        help="write the watchlist's JSON Schema, for editors",
        description="The JSON Schema of a watchlist file, from the same models `tracker "
        "check` validates with; config/watchlist.schema.json ships a copy.",
    )
    schema.add_argument("--output", metavar="FILE", help="write it here (default: stdout)")
    import_opml = commands.add_parser(
        "import-opml",
        parents=[common],
        help="add the feeds of an RSS reader's OPML export to a watchlist file",
        description="Adds each feed not already in the file as a `- name:/feed:` source, "
        "named after its title; comments and layout stay as they are.",
    )
    import_opml.add_argument("file", metavar="FILE", help="the OPML file")
    import_opml.add_argument(
        "--into",
        metavar="FILE",
        help="the watchlist file to add to (default: --config, else config/watchlist.yaml)",
    )
    export_opml = commands.add_parser(
        "export-opml", parents=[common], help="write the watchlist's feeds as OPML 2.0"
    )
    export_opml.add_argument("--output", metavar="FILE", help="write it here (default: stdout)")
    discover = commands.add_parser(
        "discover",
        parents=[common],
        help="find a site's feeds and news sitemaps; print the watchlist entries",
        description='Reads the page\'s <link rel="alternate"> feeds (else the common feed '
        "paths) and the sitemaps robots.txt names, and prints each as a `sources:` item "
        "with how many items it lists and the newest date.",
    )
    discover.add_argument("url", metavar="URL", help="the site's address, or a page of it")
