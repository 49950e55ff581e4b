"""Alerts per event: what a user receives, in four arrival orders, beside a TF-IDF baseline.

    .venv/bin/python bench/alerts.py [--streams corpus part1 part2] [--orders ...]

Streams: the labelled corpus (tests/data/corpus) and the two realistic streams
(tests/data/realistic), each replayed with its own watchlist into a fresh SQLite file.

Measures (tests/data/realistic/README.md): an event is *watched* when its records carry
topics; **event recall** = watched events that got at least one alert / watched events;
**alert precision** = watched events alerted / all alerts (an event's second alert, and any
alert for an unwatched event, lowers it); **story F1** = pairwise F1 of the stories against
the labelled situations (sagas; the corpus' stories).

Arrival orders (each a list of passes: a time and the articles that pass finds):
- published: one article a pass, in publication order;
- backlog: one pass holding every source's items, source after source (max_age is off here:
  the order is what is measured, not the first-start rule);
- delayed: each article 0-12 h late (three seeds), one a pass in order of arrival;
- time-lapse: each source polled every 3, 6, 12 or 24 h of stream time, the busiest source
  down for two days in the middle; a poll finds what the source published since its last
  good poll.

The baseline is single-pass TF-IDF clustering (online IDF, cosine to cluster centroids)
that alerts when an article matching a topic opens a cluster, at the threshold that scores
best on the stream (F1 of recall and precision, averaged over the orders).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from config import Watchlist, load_watchlist
from tests.support.arrivals import (
    STREAMS,
    EventScore,
    Pass,
    Record,
    backlog_order,
    delayed_order,
    load_stream,
    published_order,
    run_passes,
    score,
    time_lapse_order,
)
from tracker.text.match import TopicMatcher
from tracker.text.normalise import tokens
from tracker.text.words import is_stopword, stem

ORDERS = ("published", "backlog", "delayed", "time-lapse")
DELAY_SEEDS = (1, 2, 3)
BASELINE_THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 13)]


def orders(records: list[Record], wanted: Iterable[str]) -> dict[str, list[list[Pass]]]:
    """Each order's runs (the delayed order has one per seed)."""
    made: dict[str, list[list[Pass]]] = {}
    for name in wanted:
        if name == "published":
            made[name] = [published_order(records)]
        elif name == "backlog":
            made[name] = [backlog_order(records)]
        elif name == "delayed":
            made[name] = [delayed_order(records, seed) for seed in DELAY_SEEDS]
        elif name == "time-lapse":
            made[name] = [time_lapse_order(records)]
    return made


def mean(scores: list[EventScore]) -> EventScore:
    n = len(scores)
    return EventScore(
        sum(s.recall for s in scores) / n,
        sum(s.precision for s in scores) / n,
        sum(s.story_f1 for s in scores) / n,
        round(sum(s.alerts for s in scores) / n),
        tuple(m for s in scores for m in s.missed),
        tuple(r for s in scores for r in s.repeats),
    )


# --- ours ---------------------------------------------------------------------------------


def run_ours(passes: list[Pass], watchlist: Watchlist, records: list[Record]) -> EventScore:
    if any(p.at is None for p in passes):
        watchlist = without_max_age(watchlist)
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as scratch:
        outcomes = run_passes(passes, watchlist, f"sqlite:///{Path(scratch) / 'alerts.db'}")
    alerted = {record_id: o.alert and o.stored for record_id, o in outcomes.items()}
    story: dict[str, object] = {record_id: o.story_id for record_id, o in outcomes.items()}
    return score(records, alerted, story)


def without_max_age(watchlist: Watchlist) -> Watchlist:
    defaults = watchlist.defaults.model_copy(update={"max_age": "off"})
    sources = [s.model_copy(update={"max_age": "off"}) for s in watchlist.sources]
    return watchlist.model_copy(update={"defaults": defaults, "sources": sources})


# --- the baseline -------------------------------------------------------------------------


@cache
def _words(text: str) -> Counter[str]:
    return Counter(stem(t) for t in tokens(text) if not t.isdigit() and not is_stopword(t))


def run_baseline(
    passes: list[Pass], matcher: TopicMatcher, records: list[Record], threshold: float
) -> EventScore:
    """Single-pass clustering: each article joins the cluster whose centroid is most like
    it (cosine of TF-IDF vectors, IDF from the articles seen so far) when that is at least
    `threshold`, else opens a cluster; an article that matches a topic and opens a cluster
    is an alert."""
    seen_docs = 0
    document_frequency: Counter[str] = Counter()
    centroids: list[dict[str, float]] = []
    alerted: dict[str, bool] = {}
    story: dict[str, object] = {}
    for one_pass in passes:
        for record in sorted(one_pass.records, key=lambda r: r.published):
            title, text = record.raw.get("title") or "", record.raw["text"]
            words = _words(f"{title}\n{text}")
            seen_docs += 1
            document_frequency.update(words.keys())
            vector = {
                w: n * math.log((seen_docs + 1) / (document_frequency[w] + 1))
                for w, n in words.items()
            }
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            vector = {w: v / norm for w, v in vector.items()}
            best, best_index = 0.0, -1
            for index, centroid in enumerate(centroids):
                similarity = _cosine(vector, centroid)
                if similarity > best:
                    best, best_index = similarity, index
            if best >= threshold:
                for w, v in vector.items():
                    centroids[best_index][w] = centroids[best_index].get(w, 0.0) + v
                cluster, opened = best_index, False
            else:
                centroids.append(dict(vector))
                cluster, opened = len(centroids) - 1, True
            topics = matcher.match(tokens(title), tokens(text))
            alerted[record.id] = opened and bool(topics)
            story[record.id] = cluster
    return score(records, alerted, story)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(w, 0.0) for w, v in a.items())
    norm = math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


# --- the table ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", nargs="*", default=list(STREAMS), choices=list(STREAMS))
    parser.add_argument("--orders", nargs="*", default=list(ORDERS), choices=list(ORDERS))
    parser.add_argument("--no-baseline", action="store_true", help="ours only (faster)")
    args = parser.parse_args()
    rows: list[tuple[str, str, EventScore, EventScore | None, float | None]] = []
    for stream in args.streams:
        records = load_stream(stream)
        watchlist = load_watchlist([STREAMS[stream][1]])
        runs = orders(records, args.orders)
        ours = {
            name: mean([run_ours(p, watchlist, records) for p in r]) for name, r in runs.items()
        }
        baseline: dict[str, EventScore] = {}
        threshold = None
        if not args.no_baseline:
            matcher = TopicMatcher(watchlist.topics)
            best_f1 = -1.0
            for t in BASELINE_THRESHOLDS:
                scored = {
                    name: mean([run_baseline(p, matcher, records, t) for p in r])
                    for name, r in runs.items()
                }
                f1 = sum(s.f1 for s in scored.values()) / len(scored)
                if f1 > best_f1:
                    best_f1, baseline, threshold = f1, scored, t
        for name in runs:
            rows.append((stream, name, ours[name], baseline.get(name), threshold))
        events = len({r.event for r in records if r.watched})
        print(f"{stream}: {len(records)} records, {events} watched events", file=sys.stderr)
    print(_table(rows))


def _table(rows: list[tuple[str, str, EventScore, EventScore | None, float | None]]) -> str:
    lines = [
        "| stream | order | recall | precision | alerts | story F1 | baseline recall | "
        "baseline precision | baseline alerts (threshold) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for stream, order, ours, base, threshold in rows:
        tail = (
            f"{base.recall:.2f} | {base.precision:.2f} | {base.alerts} ({threshold})"
            if base
            else "- | - | -"
        )
        lines.append(
            f"| {stream} | {order} | {ours.recall:.2f} | {ours.precision:.2f} | {ours.alerts} | "
            f"{ours.story_f1:.2f} | {tail} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    main()
