"""Start-up time of the command line: `tracker --help` and `tracker check`, whole process.

    .venv/bin/python bench/startup.py [RUNS]

Prints the median and fastest wall time of RUNS runs of each (after one warm-up), and the
imports that cost the most in `tracker check` (from python -X importtime).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
COMMANDS = {
    "tracker --help": ["--help"],
    "tracker check": ["check", "--config", str(ROOT / "config" / "watchlist.yaml")],
}


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tracker", *args], cwd=ROOT, capture_output=True, check=True
    )
    return time.perf_counter() - started


def costliest_imports(args: list[str], count: int = 8) -> list[tuple[int, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tracker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines()[1:]:  # the first line is the header
        _, cumulative, name = line.split("|")
        name = name[1:]  # one space, then two per level of nesting
        if not name.startswith(" "):  # imported by the command itself, not by a library
            rows.append((int(cumulative), name))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for label, args in COMMANDS.items():
        timed(args)  # warm the file cache
        times = [timed(args) for _ in range(runs)]
        print(
            f"{label}: median {statistics.median(times) * 1e3:.0f} ms, "
            f"fastest {min(times) * 1e3:.0f} ms ({runs} runs, whole process)"
        )
    print("costliest top-level imports of `tracker check` (cumulative ms):")
    for micros, name in costliest_imports(COMMANDS["tracker check"]):
        print(f"  {micros / 1e3:7.1f}  {name}")


if __name__ == "__main__":
    main()
