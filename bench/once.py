"""End-to-end pass speed: `tracker once` over many local sources, beside what fetching and
parsing the same feeds costs at the least.

    .venv/bin/python bench/once.py [SOURCES] [ARTICLES] [--database sqlite|postgres]
        [--profile first|known|changed|unchanged ...] [--profile-dir DIR]

bench/_feeds_server.py serves SOURCES RSS feeds of ARTICLES article pages each (corpus texts,
made unique per page) from a process of its own, with ETag and Last-Modified. Then, with
the same 20 connections to it:

- floor: an httpx.AsyncClient only fetching each feed and parsing it with feedparser
  (the best of three; and fetching alone; and, after our passes, of the feeds the
  changed pass read, one item shorter); and the first pass's floor: each feed fetched and
  parsed and every page it links fetched, nothing read from them;
- first pass: `tracker once` on a fresh database (SQLite file, or a PostgreSQL database
  created for the run and dropped after): every link new, its page fetched, extracted and
  ingested (measured against the first pass's floor);
- known pass: the feeds rebuilt (new lastBuildDate, so every conditional GET is answered
  200), the same items: every listing is the one read in full last time;
- changed pass: the feeds rebuilt without their oldest item: every link already known,
  but each listing new, so the database is asked which of its links are stored;
- unchanged pass: every conditional GET answered 304.

Our passes run in a child process, logging as `tracker once` does (into a file), so its peak
RSS is theirs alone. --profile runs cProfile over the passes named (the event loop's thread
and the database thread apart, each in its own CPU time) and prints where the time went;
the figures of a profiled run are slower than the plain ones.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import feedparser
import httpx
import sqlalchemy

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.support.databases import create_postgres_database, drop_postgres_database
from tracker.service.app import App
from tracker.service.logs import setup_logging
from tracker.service.once import run_once
from tracker.service.poller import PollReport
from tracker.sources.fetch import FetchSettings
from tracker.stories.fingerprint import signature

BENCH = Path(__file__).parent
CONNECTIONS = 20  # the floor's pool, and our fetcher's limit to the one local host
POSTGRES_ADMIN_URL = os.environ.get(
    "TRACKER_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSES = ("first", "known", "changed", "unchanged")
LABELS = {
    "first": "first pass (all new)",
    "known": "known pass (200s, same items)",
    "changed": "changed pass (200s, all known)",
    "unchanged": "unchanged pass (all 304)",
}
FLOOR_RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description="`tracker once` over many local sources.")
    parser.add_argument("sources", nargs="?", type=int, default=50)
    parser.add_argument("articles", nargs="?", type=int, default=10, help="per source")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", nargs="+", choices=PASSES, default=[])
    parser.add_argument("--profile-dir", type=Path, help="keep the .prof files here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # our passes, in a child
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-once-") as scratch_name:
        scratch = Path(scratch_name)
        profile_dir = args.profile_dir or scratch
        profile_dir.mkdir(parents=True, exist_ok=True)
        with (
            feeds_server(args.sources, args.articles) as base,
            database(args.database, scratch) as url,
        ):
            feeds = [f"{base}/s{s}/feed.xml" for s in range(args.sources)]
            config = write_watchlist(scratch, feeds)
            floors = [asyncio.run(floor(feeds)) for _ in range(FLOOR_RUNS)]
            fetch_only = min(asyncio.run(floor(feeds, parse=False)) for _ in range(FLOOR_RUNS))
            with_pages = min(asyncio.run(floor(feeds, pages=True)) for _ in range(FLOOR_RUNS))
            spec = {
                "base": base,
                "config": str(config),
                "database": url,
                "profile": args.profile,
                "profile_dir": str(profile_dir),
            }
            log_path = scratch / "tracker.log"
            results = run_worker(spec, log_path)
            # The changed pass's feeds are shorter: its floor is theirs.
            shorter = min(asyncio.run(floor(feeds)) for _ in range(FLOOR_RUNS))
            logged = sum(1 for _ in log_path.open(encoding="utf-8"))
        report(args, floors, fetch_only, with_pages, shorter, results, logged)
        for name in args.profile:
            for thread in ("loop", "db"):
                print_profile(profile_dir / f"{name}-{thread}.prof", f"{LABELS[name]}, {thread}")


@contextmanager
def feeds_server(sources: int, per_source: int, ports: int = 1) -> Iterator[str]:
    """bench/_feeds_server.py in a process of its own; its base URL (its base URLs, one
    per port, separated by spaces)."""
    server = subprocess.Popen(
        [
            sys.executable,
            str(BENCH / "_feeds_server.py"),
            str(sources),
            str(per_source),
            str(ports),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        base = server.stdout.readline().strip()
        if not base.startswith("http://"):
            raise SystemExit(f"the feeds server did not start: {base!r}")
        yield base
    finally:
        server.stdin.close()  # it serves until then
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def database(kind: str, scratch: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file in `scratch`, or a PostgreSQL database created
    for the run and dropped at its end."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch / 'bench.db'}"
        return
    try:
        url = create_postgres_database("bench_once", POSTGRES_ADMIN_URL)
    except sqlalchemy.exc.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
        ) from exc
    try:
        yield url
    finally:
        drop_postgres_database(url, POSTGRES_ADMIN_URL)


def write_watchlist(scratch: Path, feeds: list[str]) -> Path:
    lines = ["version: 1", "sources:"]
    for s, feed in enumerate(feeds):
        lines += [f"  - name: outlet-{s}", f"    feed: {feed}"]
    lines += ["topics:", "  - name: caesar", '    any: ["قيصر", "Caesar"]']
    config = scratch / "watchlist.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


async def floor(feeds: list[str], parse: bool = True, pages: bool = False) -> float:
    """Seconds to fetch each feed and parse it (with `parse`), and (with `pages`) every page
    it links, no more, on CONNECTIONS connections. At most CONNECTIONS requests are in
    flight, as in our fetcher: httpx's pool slows down with every request queued in it
    (1000 queued make the floor twice as slow)."""
    limits = httpx.Limits(max_connections=CONNECTIONS)
    gate = asyncio.Semaphore(CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=60.0, trust_env=False) as client:

        async def one(url: str) -> int:
            async with gate:
                response = await client.get(url)
            response.raise_for_status()
            if not parse:
                return 0
            parsed = feedparser.parse(
                io.BytesIO(response.content), response_headers=dict(response.headers)
            )
            if pages:
                await asyncio.gather(*(page(entry.link) for entry in parsed.entries))
            return len(parsed.entries)

        async def page(url: str) -> None:
            async with gate:
                response = await client.get(url)
            response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in feeds))
        return time.perf_counter() - started


def run_worker(spec: dict[str, Any], log_path: Path) -> list[dict[str, Any]]:
    """Our passes in a child process, its log (as `tracker once` writes it) in a file."""
    with log_path.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
        )
    if done.returncode:
        tail = log_path.read_text(encoding="utf-8").splitlines()[-30:]
        raise SystemExit("our passes failed:\n" + "\n".join(tail))
    results: list[dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return results


def report(
    args: argparse.Namespace,
    floors: list[float],
    fetch_only: float,
    with_pages: float,
    shorter: float,
    results: list[dict[str, Any]],
    logged: int,
) -> None:
    best = min(floors)
    profiled = f", cProfile on: {' '.join(args.profile)}" if args.profile else ""
    print(
        f"bench/once.py {args.sources} sources × {args.articles} articles, {args.database}, "
        f"{CONNECTIONS} connections to one local host{profiled}"
    )
    rows = [("", "seconds", "× floor", "rate", "server answered")]
    rows.append(
        (
            "floor (httpx + feedparser)",
            f"{best:.2f}",
            "1.00",
            f"{args.sources / best:.0f} feeds/s",
            "runs " + " ".join(f"{f:.2f}" for f in floors) + " s",
        )
    )
    rows.append(
        (
            "  of which fetching (no parse)",
            f"{fetch_only:.2f}",
            f"{fetch_only / best:.2f}",
            f"{args.sources / fetch_only:.0f} feeds/s",
            f"best of {FLOOR_RUNS}",
        )
    )
    rows.append(
        (
            "floor of a first pass: + every page",
            f"{with_pages:.2f}",
            f"{with_pages / best:.2f}",
            f"{args.sources * args.articles / with_pages:.0f} pages/s",
            f"best of {FLOOR_RUNS}; the first pass's",
        )
    )
    rows.append(
        (
            "floor, feeds one item shorter",
            f"{shorter:.2f}",
            f"{shorter / best:.2f}",
            f"{args.sources / shorter:.0f} feeds/s",
            f"best of {FLOOR_RUNS}; the changed pass's",
        )
    )
    for r in results:
        seconds = r["seconds"]
        against = {"changed": shorter, "first": with_pages}.get(r["pass"], best)
        if r["pass"] == "first":
            rate = f"{r['stored'] / seconds:.1f} articles/s"
        else:
            rate = f"{r['sources'] / seconds:.0f} sources/s"
        served = ", ".join(f"{k} ×{v}" for k, v in sorted(r["served"].items()))
        rows.append(
            (LABELS[r["pass"]], f"{seconds:.2f}", f"{seconds / against:.2f}", rate, served or "-")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print(
            "  "
            + "  ".join(
                cell.ljust(w) if i in (0, 4) else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for r in results:
        print(
            f"  {LABELS[r['pass']]}: {r['listed']} listed, {r['new']} new, {r['stored']} "
            f"stored, {r['errors']} failed sources, {r['article_errors']} unreadable pages; "
            f"slowest source {r['slowest']:.2f} s; peak RSS so far {r['peak_mb']:.0f} MB"
        )
    print(
        f"  peak RSS of our passes {results[-1]['peak_mb']:.0f} MB "
        f"({results[0]['start_mb']:.0f} MB before the first); {logged} log lines"
    )


def print_profile(path: Path, title: str, top: int = 30) -> None:
    if not path.exists():
        return
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        print(f"\n=== {title}: by {order} ({path}) ===", file=out)
        stats = pstats.Stats(str(path), stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        print(out.getvalue())


# The child process: our passes.

SETTINGS = FetchSettings(
    # All sources share one local host here, which real outlets do not: no pacing, and
    # as many requests in flight to it as the floor has connections.
    host_delay=0.0,
    per_host=CONNECTIONS,
)


def worker(spec: dict[str, Any]) -> list[dict[str, Any]]:
    setup_logging()  # as `tracker once` does: INFO lines on stderr (a file here)
    # A process pays for loading the MinHash library once, at its first signature; that
    # is start-up, not the pass.
    signature(["warm", "the", "library"])
    start_mb = _peak_mb()
    results = []
    for name in PASSES:
        if name == "known":
            _control(spec["base"], "/_bench/next")  # every feed rebuilt: 200s again
        elif name == "changed":
            _control(spec["base"], "/_bench/shorter")  # and its oldest item dropped
        before = json.loads(_control(spec["base"], "/_bench/stats"))
        app = App.open([Path(spec["config"])], spec["database"], SETTINGS)
        profile = Path(spec["profile_dir"]) / name if name in spec["profile"] else None
        started = time.perf_counter()
        reports = asyncio.run(_pass(app, profile))
        seconds = time.perf_counter() - started
        after = json.loads(_control(spec["base"], "/_bench/stats"))
        results.append(
            {
                "pass": name,
                "seconds": seconds,
                "sources": len(reports),
                "listed": sum(r.listed for r in reports),
                "new": sum(r.new for r in reports),
                "stored": sum(sum(r.decisions.values()) for r in reports),
                "errors": sum(1 for r in reports if r.error),
                "article_errors": sum(r.article_errors for r in reports),
                "slowest": max((r.seconds for r in reports), default=0.0),
                "served": {
                    k: v - before.get(k, 0) for k, v in after.items() if v > before.get(k, 0)
                },
                "start_mb": start_mb,
                "peak_mb": _peak_mb(),
            }
        )
    return results


async def _pass(app: App, profile: Path | None) -> list[PollReport]:
    """One `tracker once` pass; with `profile`, the event loop's thread and the database
    thread are profiled apart, into `{profile}-loop.prof` and `{profile}-db.prof`."""
    # The database's one thread (storage.db.Database runs every transaction there).
    executor: Executor | None = getattr(app.db, "_executor", None)
    # CPU time of each thread: the pass is CPU-bound on one GIL, and a wall-clock timer
    # would charge one thread's calls with the time the other held the GIL.
    loop_profile, db_profile = (
        cProfile.Profile(time.thread_time),
        cProfile.Profile(time.thread_time),
    )
    loop = asyncio.get_running_loop()
    if profile is not None:
        if executor is not None:
            await loop.run_in_executor(executor, db_profile.enable)
        loop_profile.enable()
    try:
        return (await run_once(app)).reports
    finally:
        if profile is not None:
            loop_profile.disable()
            loop_profile.dump_stats(f"{profile}-loop.prof")
            if executor is not None:
                await loop.run_in_executor(executor, db_profile.disable)
                db_profile.dump_stats(f"{profile}-db.prof")
        await app.close()


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _control(base: str, path: str) -> str:
    with _NO_PROXY.open(base + path, timeout=30) as response:
        body: bytes = response.read()
    return body.decode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        main()
