"""End-to-end pass speed: `tracker once` over many sources served by a local HTTP server.

Serves SOURCES feeds of ARTICLES pages each (corpus texts, made unique per page), runs one
pass in process (fetch → discover → extract → normalise → dedup → match → store → queue)
into a fresh SQLite file, then a second pass (all conditional GETs answered 200 again, every
link already known). Prints pages/s, per-source latency and peak memory.

    .venv/bin/python bench/once.py [SOURCES] [ARTICLES]
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

sys.path.insert(0, str(Path(__file__).parents[1]))

from config import load_watchlist
from storage import Database
from tests.support.site import NewsSite
from tracker.service.app import App
from tracker.service.once import run_once
from tracker.sources.fetch import FetchSettings
from tracker.stories.fingerprint import signature

CORPUS = Path(__file__).parents[1] / "tests" / "data" / "corpus" / "articles.jsonl"


def main() -> None:
    sources = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    per_source = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    records = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    server = HTTPServer(threaded=True)
    server.start()
    site = NewsSite(server)
    lines = ["version: 1", "sources:"]
    for s in range(sources):
        feed = []
        for a in range(per_source):
            base = records[(s * per_source + a) % len(records)]
            feed.append(
                {
                    **base,
                    "id": f"s{s}a{a}",
                    "url": f"https://x.test/s{s}/{a}/{base['id']}",
                    "text": f"{base['text']}\n\nنشرة رقم {s}-{a}.",
                }
            )
        lines += [f"  - name: outlet-{s}", f"    feed: {site.add_feed(f'/s{s}/feed.xml', feed)}"]
    lines += ["topics:", "  - name: caesar", '    any: ["قيصر", "Caesar"]']
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "watchlist.yaml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        load_watchlist([config])
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        Database(url).upgrade()
        pages = sources * per_source
        # A process pays for loading the MinHash library once, at its first signature;
        # that is start-up, not the pass.
        signature(["warm", "the", "library"])
        for label in ("first pass (all new)", "second pass (all known)"):
            # All sources share one local host here; real outlets are paced per host.
            app = App.open([config], url, FetchSettings(host_delay=0.0))
            started = time.perf_counter()
            summary = asyncio.run(_pass(app))
            elapsed = time.perf_counter() - started
            stored = sum(sum(r.decisions.values()) for r in summary)
            slowest = max(r.seconds for r in summary)
            print(
                f"{label}: {sources} sources, {pages} links, {stored} stored in "
                f"{elapsed:.2f} s = {pages / elapsed:.0f} links/s; slowest source "
                f"{slowest:.2f} s"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    server.stop()


async def _pass(app: App) -> list:
    try:
        return (await run_once(app)).reports
    finally:
        await app.close()


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    main()
