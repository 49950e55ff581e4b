"""Labelled streams in the orders news really arrives in, and the alerts-per-event measure
(tests/data/realistic/README.md), shared by the tests and bench/alerts.py.

- an event is *watched* when its records carry topics;
- event recall = watched events that got at least one alert / watched events;
- alert precision = watched events that got an alert / all alerts.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from config import Watchlist
from storage import Database
from tracker.service.pipeline import Outcome, Pipeline, ingest_in_order
from tracker.service.replay import incoming_of

DATA = Path(__file__).parents[1] / "data"
STREAMS = {
    "corpus": (DATA / "corpus" / "articles.jsonl", DATA / "corpus-watchlist.yaml"),
    "part1": (DATA / "realistic" / "part1.jsonl", DATA / "realistic" / "part1-watchlist.yaml"),
    "part2": (DATA / "realistic" / "part2.jsonl", DATA / "realistic" / "part2-watchlist.yaml"),
}
POLL_HOURS = (3, 6, 12, 24)


@dataclass(frozen=True)
class Record:
    """One labelled record: the raw JSON, and the event and situation it belongs to."""

    raw: dict[str, Any]
    event: str
    situation: str

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def outlet(self) -> str:
        return str(self.raw["outlet"])

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.raw["published"])

    @property
    def watched(self) -> bool:
        return bool(self.raw["topics"])


@dataclass(frozen=True)
class Pass:
    """What one pass (or one poll) finds, and when; `at` None: at once, age unchecked."""

    at: datetime | None
    records: list[Record]


@dataclass(frozen=True)
class EventScore:
    recall: float
    precision: float
    story_f1: float
    alerts: int
    missed: tuple[str, ...]  # watched events that got no alert
    repeats: tuple[str, ...]  # records whose alert told an event already told

    @property
    def f1(self) -> float:
        total = self.recall + self.precision
        return 2 * self.recall * self.precision / total if total else 0.0

    def __str__(self) -> str:
        return (
            f"recall {self.recall:.2f}, precision {self.precision:.2f} ({self.alerts} alerts; "
            f"missed {list(self.missed)}; repeats {list(self.repeats)})"
        )


def load_stream(name: str) -> list[Record]:
    with STREAMS[name][0].open(encoding="utf-8") as lines:
        raw = [json.loads(line) for line in lines]
    events = _events(raw)
    records = []
    for r in raw:
        situation = r.get("saga") or r["story"]
        if situation == "decoy":
            situation = f"decoy:{r['event']}"
        records.append(Record(r, events[r["id"]], situation))
    return records


def _events(raw: list[dict[str, Any]]) -> dict[str, str]:
    """The realistic streams label events; the corpus' rule is in its README: a copy or
    near-copy belongs to the event of its dup_of, each development with expected_alert is
    an event of its own, everything else belongs to the event that opened its story. One
    refinement: a rewrite follows its dup_of too, so the aggregator's copy of a rewrite of
    a development belongs to that development, not to the story's first event."""
    if all("event" in r for r in raw):
        return {r["id"]: r["event"] for r in raw}
    by_id = {r["id"]: r for r in raw}
    opened: dict[str, str] = {}
    for r in sorted(raw, key=lambda r: r["published"]):
        opened.setdefault(r["story"], r["id"])
    events = {}
    for r in raw:
        source = r
        while source["kind"] in ("copy", "near_copy", "rewrite") and source.get("dup_of"):
            source = by_id[source["dup_of"]]
        if source["kind"] == "development" and source.get("expected_alert"):
            events[r["id"]] = source["id"]
        else:
            events[r["id"]] = opened[source["story"]]
    return events


# --- arrival orders -----------------------------------------------------------------------


def published_order(records: list[Record]) -> list[Pass]:
    return [Pass(r.published, [r]) for r in sorted(records, key=lambda r: r.published)]


def backlog_order(records: list[Record]) -> list[Pass]:
    """Every source's items in one pass, source after source."""
    return [Pass(None, sorted(records, key=lambda r: (r.outlet, r.published)))]


def delayed_order(records: list[Record], seed: int) -> list[Pass]:
    """Each record 0-12 h late, one a pass, in order of arrival."""
    rng = random.Random(seed)
    arrivals = [(r.published + timedelta(hours=rng.uniform(0, 12)), r) for r in records]
    arrivals.sort(key=lambda pair: pair[0])
    return [Pass(at, [r]) for at, r in arrivals]


@dataclass(frozen=True)
class Poll:
    at: datetime
    outlet: str
    failing: bool  # its source is down then


def time_lapse_polls(records: list[Record], seed: int = 7) -> list[Poll]:
    """Each source polled every 3, 6, 12 or 24 h of stream time (from a random offset),
    the busiest down for two days a third of the way in. Polls that could find nothing
    (nothing published since the last poll that worked) are left out; failing ones stay."""
    rng = random.Random(seed)
    start = min(r.published for r in records)
    end = max(r.published for r in records)
    down, down_from, down_until = down_window(records)
    times: dict[str, list[datetime]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r.published):
        times[r.outlet].append(r.published)
    polls = []
    for index, outlet in enumerate(sorted(times)):
        period = timedelta(hours=POLL_HOURS[index % len(POLL_HOURS)])
        at, read_until = start + period * rng.random(), start - timedelta(seconds=1)
        while at <= end + period:
            failing = outlet == down and down_from <= at < down_until
            if any(read_until < t <= at for t in times[outlet]):
                polls.append(Poll(at, outlet, failing))
                if not failing:
                    read_until = at
            at += period
    return sorted(polls, key=lambda p: (p.at, p.outlet))


def time_lapse_order(records: list[Record], seed: int = 7) -> list[Pass]:
    """The time-lapse polls that work, each a pass finding what its source published
    since its last good poll."""
    waiting: dict[str, list[Record]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r.published):
        waiting[r.outlet].append(r)
    passes = []
    for poll in time_lapse_polls(records, seed):
        if poll.failing:
            continue
        found = [r for r in waiting[poll.outlet] if r.published <= poll.at]
        if found:
            waiting[poll.outlet] = waiting[poll.outlet][len(found) :]
            passes.append(Pass(poll.at, found))
    return passes


def run_passes(passes: list[Pass], watchlist: Watchlist, database_url: str) -> dict[str, Outcome]:
    """Each record's outcome when its pass is ingested (as `tracker replay` reads it, in
    publication order within a pass) into a fresh database at `database_url`."""
    db = Database(database_url)
    db.upgrade()
    pipeline = Pipeline(watchlist)
    outcomes: dict[str, Outcome] = {}
    try:
        for one_pass in passes:
            found = {r.id: incoming_of(r.raw) for r in one_pass.records}
            by_url = {article.url: record_id for record_id, article in found.items()}
            at = one_pass.at or max(r.published for r in one_pass.records)
            for article, outcome in ingest_in_order(db, pipeline, found.values(), at):
                outcomes[by_url[article.url]] = outcome
    finally:
        db.dispose()
    return outcomes


def down_window(records: list[Record]) -> tuple[str, datetime, datetime]:
    """The source the time-lapse order takes down, and when."""
    start = min(r.published for r in records)
    end = max(r.published for r in records)
    busiest = Counter(r.outlet for r in records).most_common(1)[0][0]
    down_from = start + (end - start) / 3
    return busiest, down_from, down_from + timedelta(days=2)


# --- the measure --------------------------------------------------------------------------


def score(
    records: list[Record], alerted: Mapping[str, bool], story: Mapping[str, object]
) -> EventScore:
    watched = {r.event for r in records if r.watched}
    order = sorted(records, key=lambda r: r.published)
    told: set[str] = set()
    alerts = repeats = 0
    repeated: list[str] = []
    for r in order:
        if not alerted.get(r.id):
            continue
        alerts += 1
        if r.event in told or r.event not in watched:
            repeats += 1
            repeated.append(r.id)
        told.add(r.event)
    got = told & watched
    return EventScore(
        recall=len(got) / len(watched) if watched else 1.0,
        precision=len(got) / alerts if alerts else 1.0,
        story_f1=pairwise_f1(records, story),
        alerts=alerts,
        missed=tuple(sorted(watched - got)),
        repeats=tuple(repeated),
    )


def pairwise_f1(records: list[Record], predicted: Mapping[str, object]) -> float:
    """How well the stories found group the labelled situations (pairs of records)."""
    true_pairs = found_pairs = both = 0
    for a, b in combinations(records, 2):
        same_label = a.situation == b.situation
        same_found = predicted.get(a.id) == predicted.get(b.id)
        true_pairs += same_label
        found_pairs += same_found
        both += same_label and same_found
    if not both:
        return 0.0
    precision, recall = both / found_pairs, both / true_pairs
    return 2 * precision * recall / (precision + recall)


def as_json_lines(records: list[Record]) -> str:
    """The records as a replay stream, in the order given."""
    return "".join(json.dumps(r.raw, ensure_ascii=False) + "\n" for r in records)
