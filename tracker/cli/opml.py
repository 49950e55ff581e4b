"""`tracker import-opml` and `tracker export-opml`: feeds in from an RSS reader's export,
and out to one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker.errors import TrackerError


def import_opml(args: argparse.Namespace) -> int:
    from config import ConfigError, default_config_paths
    from config.opml import read_opml
    from config.sources_file import add_feeds

    beside: list[Path] = []
    if args.into:
        into = Path(args.into)
        try:  # the watchlist's other files: their sources and names count too
            paths = default_config_paths(args.config)
        except ConfigError:
            paths = []
        # Only when `into` is one of them (or joins their folder): a file elsewhere is
        # not part of that watchlist.
        folders = {p.resolve().parent for p in paths}
        if into.resolve().parent in folders:
            beside = [p for p in paths if p.resolve() != into.resolve()]
    else:
        paths = default_config_paths(args.config)
        if len(paths) > 1:
            raise TrackerError("the watchlist is a folder of files: choose one with --into FILE")
        into = paths[0]
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise TrackerError(f"cannot read {args.file}: {exc.strerror}") from None
    merge = add_feeds(into, read_opml(data, args.file), Path(args.file).name, beside)
    feeds = "feed" if len(merge.added) == 1 else "feeds"
    print(f"{into}: added {len(merge.added)} {feeds}, skipped {len(merge.skipped)}")
    width = max((len(a.name) for a in merge.added), default=0)
    for added in merge.added:
        print(f"  + {added.name:<{width}}  {added.url}")
    for skipped in merge.skipped:
        print(f"  = {skipped.title}  {skipped.url}: {skipped.reason}")
    if merge.added:
        print("run `tracker check` to validate it; the running service picks it up")
    return 0


def export_opml(args: argparse.Namespace) -> int:
    from config import default_config_paths, load_watchlist
    from config.opml import write_opml

    watchlist = load_watchlist(default_config_paths(args.config))
    feeds = [(s.name, s.feed) for s in watchlist.sources if s.feed]
    text = write_opml(feeds, "news tracker sources")
    if args.output is None:
        sys.stdout.write(text)
        return 0
    Path(args.output).write_text(text, encoding="utf-8")
    skipped = len(watchlist.sources) - len(feeds)
    others = f" (and not {skipped} page or sitemap source{'s' if skipped != 1 else ''})"
    print(f"wrote {len(feeds)} feeds to {args.output}{others if skipped else ''}")
    return 0
