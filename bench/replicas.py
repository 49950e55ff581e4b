"""Replicas sharing the work: `tracker run` processes on one PostgreSQL database polling
many local sources, and how the polls split between them.

    .venv/bin/python bench/replicas.py [SOURCES] [REPLICAS] [--every 20s] [--seconds 60]

Serves SOURCES feeds (bench/_feeds_server.py, in a process of its own, spread over PORTS
local "outlets"; the feeds list nothing, so each poll is a feed fetched, parsed and
recorded), starts REPLICAS `tracker run` processes on a
fresh PostgreSQL database, lets them run, stops them with SIGTERM, then prints each
replica's polls (from its log), the server's count of feed requests, and the feed requests
per source per interval (one means no source was polled twice in an interval).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from once import database, feeds_server  # noqa: E402  (bench/once.py, beside this one)

from config.intervals import parse_interval  # noqa: E402

# Outlets the sources are spread over (ports of the feeds server): the fetcher paces
# requests per host, as it would on the real web.
PORTS = 200
# A poll's summary line: "outlet-12: 1 listed, 0 new (0.1 s)" or "...: not modified".
POLLED = re.compile(r" INFO +outlet-\d+: (?:\d+ listed|not modified)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="?", type=int, default=300)
    parser.add_argument("replicas", nargs="?", type=int, default=3)
    parser.add_argument("--every", default="20s", help="each source's interval")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they run")
    args = parser.parse_args()
    interval = parse_interval(args.every).total_seconds()
    with (
        tempfile.TemporaryDirectory(prefix="bench-replicas-") as scratch_name,
        feeds_server(args.sources, 0, PORTS) as bases,
        database("postgres", Path(scratch_name)) as url,
    ):
        scratch = Path(scratch_name)
        config = scratch / "watchlist.yaml"
        lines = ["version: 1", "defaults:", f"  every: {args.every}", "sources:"]
        hosts = bases.split()
        for s in range(args.sources):
            lines += [f"  - name: outlet-{s}", f"    feed: {hosts[s % len(hosts)]}/s{s}/feed.xml"]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "TRACKER_DATABASE_URL": url, "PYTHONUTF8": "1"}
        # Migrate once before they start, as a deployment's first replica would.
        subprocess.run(
            [sys.executable, "-m", "tracker", "check", "--config", str(config)],
            env=env,
            check=True,
            capture_output=True,
        )
        logs = [scratch / f"replica-{n + 1}.log" for n in range(args.replicas)]
        handles = [log.open("wb") for log in logs]
        started = time.monotonic()
        replicas = [
            subprocess.Popen(
                [sys.executable, "-m", "tracker", "run", "--config", str(config)],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            for handle in handles
        ]
        try:
            time.sleep(args.seconds)
        finally:
            for replica in replicas:
                replica.send_signal(signal.SIGTERM)
            for replica in replicas:
                replica.wait(timeout=120)
            for handle in handles:
                handle.close()
        ran = time.monotonic() - started
        with urllib.request.urlopen(f"{hosts[0]}/_bench/stats", timeout=10) as answer:
            stats = json.loads(answer.read())
        polls = [
            sum(1 for line in log.read_text("utf-8", "replace").splitlines() if POLLED.search(line))
            for log in logs
        ]
    total = sum(polls)
    print(
        f"{args.sources} sources every {args.every}, {args.replicas} replicas on PostgreSQL, "
        f"{ran:.0f} s"
    )
    for n, count in enumerate(polls, 1):
        share = count / total if total else 0.0
        print(f"  replica {n}: {count} polls ({share:.0%})")
    feed_requests = sum(v for k, v in stats.items() if k.startswith("feed"))
    # Polls start at 0 and come every interval: this many fit in the run.
    due = int(ran // interval) + 1
    print(
        f"  feed requests served: {feed_requests} ({json.dumps(stats)}) = "
        f"{feed_requests / args.sources:.2f} per source; one per interval would be {due}"
    )


if __name__ == "__main__":
    main()
