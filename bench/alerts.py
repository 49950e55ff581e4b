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
import json
import math
import random
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from config import Watchlist, load_watchlist
from storage import Database
from tracker.articles.incoming import IncomingArticle
from tracker.service.pipeline import Pipeline, ingest_in_order
from tracker.text.match import TopicMatcher
from tracker.text.normalise import tokens
from tracker.text.words import is_stopword, stem

DATA = Path(__file__).parents[1] / "tests" / "data"
STREAMS = {
    "corpus": (DATA / "corpus" / "articles.jsonl", DATA / "corpus-watchlist.yaml"),
    "part1": (DATA / "realistic" / "part1.jsonl", DATA / "realistic" / "part1-watchlist.yaml"),
    "part2": (DATA / "realistic" / "part2.jsonl", DATA / "realistic" / "part2-watchlist.yaml"),
}
ORDERS = ("published", "backlog", "delayed", "time-lapse")
DELAY_SEEDS = (1, 2, 3)
POLL_HOURS = (3, 6, 12, 24)
BASELINE_THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 13)]


@dataclass(frozen=True)
class Record:
    id: str
    outlet: str
    published: datetime
    event: str
    situation: str
    watched: bool
    incoming: IncomingArticle


@dataclass(frozen=True)
class Pass:
    at: datetime | None  # the pass's clock; None: no max_age check
    records: list[Record]


@dataclass
class Score:
    recall: float
    precision: float
    story_f1: float
    alerts: int

    @property
    def f1(self) -> float:
        total = self.recall + self.precision
        return 2 * self.recall * self.precision / total if total else 0.0


# --- streams ------------------------------------------------------------------------------


def load_stream(path: Path) -> list[Record]:
    raw = [json.loads(line) for line in path.open(encoding="utf-8")]
    events = _events(raw)
    records = []
    for r in raw:
        published = datetime.fromisoformat(r["published"])
        situation = r.get("saga") or r["story"]
        if situation == "decoy":
            situation = f"decoy:{r['event']}"
        records.append(
            Record(
                id=r["id"],
                outlet=r["outlet"],
                published=published,
                event=events[r["id"]],
                situation=situation,
                watched=bool(r["topics"]),
                incoming=IncomingArticle(
                    url=r["url"],
                    outlet=r["outlet"],
                    title=r.get("title") or "",
                    text=r["text"],
                    lang=r.get("lang"),
                    published=published,
                    link=r["url"],
                ),
            )
        )
    return records


def _events(raw: list[dict]) -> dict[str, str]:
    """The realistic streams label events; the corpus' rule is in its README: a copy or
    near-copy belongs to the event of its dup_of, each development with expected_alert is
    an event of its own, everything else belongs to the event that opened its story."""
    if all("event" in r for r in raw):
        return {r["id"]: r["event"] for r in raw}
    by_id = {r["id"]: r for r in raw}
    opened: dict[str, str] = {}
    events: dict[str, str] = {}
    for r in sorted(raw, key=lambda r: r["published"]):
        opened.setdefault(r["story"], r["id"])
    for r in raw:
        source = r
        while source["kind"] in ("copy", "near_copy") and source.get("dup_of"):
            source = by_id[source["dup_of"]]
        if source["kind"] == "development" and source.get("expected_alert"):
            events[r["id"]] = source["id"]
        else:
            events[r["id"]] = opened[source["story"]]
    return events


# --- arrival orders -----------------------------------------------------------------------


def published_order(records: list[Record]) -> list[Pass]:
    ordered = sorted(records, key=lambda r: r.published)
    return [Pass(r.published, [r]) for r in ordered]


def backlog_order(records: list[Record]) -> list[Pass]:
    by_source = sorted(records, key=lambda r: (r.outlet, r.published))
    return [Pass(None, by_source)]


def delayed_order(records: list[Record], seed: int) -> list[Pass]:
    rng = random.Random(seed)
    arrivals = [(r.published + timedelta(hours=rng.uniform(0, 12)), r) for r in records]
    arrivals.sort(key=lambda pair: pair[0])
    return [Pass(at, [r]) for at, r in arrivals]


def time_lapse_order(records: list[Record], seed: int = 7) -> list[Pass]:
    rng = random.Random(seed)
    start = min(r.published for r in records)
    end = max(r.published for r in records)
    outlets = sorted({r.outlet for r in records})
    busiest = Counter(r.outlet for r in records).most_common(1)[0][0]
    down_from = start + (end - start) / 3
    down_until = down_from + timedelta(days=2)
    polls: list[tuple[datetime, str]] = []
    for index, outlet in enumerate(outlets):
        period = timedelta(hours=POLL_HOURS[index % len(POLL_HOURS)])
        at = start + period * rng.random()
        while at <= end + period:
            if not (outlet == busiest and down_from <= at < down_until):
                polls.append((at, outlet))
            at += period
    polls.sort()
    waiting = defaultdict(list)
    for r in sorted(records, key=lambda r: r.published):
        waiting[r.outlet].append(r)
    passes = []
    for at, outlet in polls:
        found = [r for r in waiting[outlet] if r.published <= at]
        if found:
            waiting[outlet] = waiting[outlet][len(found) :]
            passes.append(Pass(at, found))
    return passes


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


# --- scoring ------------------------------------------------------------------------------


def score(records: list[Record], alerted: dict[str, bool], story: dict[str, object]) -> Score:
    watched = {r.event for r in records if r.watched}
    by_id = {r.id: r for r in records}
    alerts = [by_id[i] for i, alert in alerted.items() if alert]
    got = {r.event for r in alerts if r.event in watched}
    recall = len(got) / len(watched) if watched else 1.0
    precision = len(got) / len(alerts) if alerts else 1.0
    return Score(recall, precision, pairwise_f1(records, story), len(alerts))


def pairwise_f1(records: list[Record], predicted: dict[str, object]) -> float:
    true_pairs = found_pairs = both = 0
    for a, b in combinations(records, 2):
        same_label = a.situation == b.situation
        same_found = predicted[a.id] == predicted[b.id]
        true_pairs += same_label
        found_pairs += same_found
        both += same_label and same_found
    if not both:
        return 0.0
    precision, recall = both / found_pairs, both / true_pairs
    return 2 * precision * recall / (precision + recall)


def mean(scores: list[Score]) -> Score:
    n = len(scores)
    return Score(
        sum(s.recall for s in scores) / n,
        sum(s.precision for s in scores) / n,
        sum(s.story_f1 for s in scores) / n,
        round(sum(s.alerts for s in scores) / n),
    )


# --- ours ---------------------------------------------------------------------------------


def run_ours(passes: list[Pass], watchlist: Watchlist, records: list[Record]) -> Score:
    if any(p.at is None for p in passes):
        watchlist = without_max_age(watchlist)
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as scratch:
        db = Database(f"sqlite:///{Path(scratch) / 'alerts.db'}")
        db.upgrade()
        pipeline = Pipeline(watchlist)
        alerted: dict[str, bool] = {}
        story: dict[str, object] = {}
        by_url = {r.incoming.url: r.id for r in records}
        try:
            for one_pass in passes:
                batch = [r.incoming for r in one_pass.records]
                at = one_pass.at or max(r.published for r in one_pass.records)
                for incoming, outcome in ingest_in_order(db, pipeline, batch, at):
                    record_id = by_url[incoming.url]
                    alerted[record_id] = outcome.alert and outcome.stored
                    story[record_id] = outcome.story_id
        finally:
            db.dispose()
    return score(records, alerted, story)


def without_max_age(watchlist: Watchlist) -> Watchlist:
    defaults = watchlist.defaults.model_copy(update={"max_age": "off"})
    sources = [s.model_copy(update={"max_age": "off"}) for s in watchlist.sources]
    return watchlist.model_copy(update={"defaults": defaults, "sources": sources})


# --- the baseline -------------------------------------------------------------------------


def baseline_words(text: str) -> Counter[str]:
    return Counter(stem(t) for t in tokens(text) if not t.isdigit() and not is_stopword(t))


def run_baseline(
    passes: list[Pass], matcher: TopicMatcher, records: list[Record], threshold: float
) -> Score:
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
            incoming = record.incoming
            words = baseline_words(f"{incoming.title}\n{incoming.text}")
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
            topics = matcher.match(tokens(incoming.title), tokens(incoming.text))
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
    rows: list[tuple[str, str, Score, Score | None, float | None]] = []
    for stream in args.streams:
        path, watchlist_path = STREAMS[stream]
        records = load_stream(path)
        watchlist = load_watchlist([watchlist_path])
        runs = orders(records, args.orders)
        ours = {
            name: mean([run_ours(p, watchlist, records) for p in r]) for name, r in runs.items()
        }
        baseline: dict[str, Score] = {}
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


def _table(rows: list[tuple[str, str, Score, Score | None, float | None]]) -> str:
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
