"""Replicas on one PostgreSQL share the work: each source polled by one of them per
interval, each alert sent by one, one story for one event however the copies race."""

from __future__ import annotations

import itertools
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from config import load_watchlist
from storage import Alert, Database, SourceState, Story, queries
from storage.types import utcnow
from tests.support.corpus import record
from tests.support.process import Service
from tests.support.receivers import WebhookReceiver, wait_for
from tests.support.site import NewsSite
from tests.support.watchlists import topics_yaml
from tracker.service.pipeline import Pipeline
from tracker.service.replay import incoming_of
from tracker.stories.index import StoryIndex

pytestmark = pytest.mark.postgres

INTERVAL = 4.0  # seconds: several intervals fit in a test
# Five watched stories: originals on one outlet, exact copies on another, one story on a
# third, and one on a fourth that publishes only once a replica has been killed.
FEEDS = {
    "/wire/feed.xml": ["a012", "a046", "a065", "a044"],
    "/sham/feed.xml": ["a014", "a047", "a066", "a045"],
    "/levant/feed.xml": ["a055"],
    "/late/feed.xml": ["a001"],
}
EXPECTED_ALERTS = 5  # the stories of a012, a046, a065, a055 and a001


def _watchlist(site: NewsSite, webhook: WebhookReceiver) -> str:
    sources = "".join(
        f"  - name: outlet-{index}\n    feed: {site.url(path)}\n"
        for index, path in enumerate(FEEDS)
    )
    return (
        f"version: 1\ndefaults:\n  every: {INTERVAL:g}s\n  max_age: off\n"
        f'channels:\n  desk: "{webhook.url}"\nsources:\n{sources}{topics_yaml(["desk"])}'
    )


def _migrate(url: str) -> None:
    db = Database(url)
    db.upgrade()
    db.dispose()


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.slow
def test_two_replicas_poll_each_source_once_per_interval_and_survive_a_kill(
    tmp_path: Path, news_site: NewsSite, webhook: WebhookReceiver, postgres_url: str
) -> None:
    # The last feed starts empty: an article appears on it after one replica is killed.
    for path, ids in FEEDS.items():
        news_site.add_feed(path, [record(r) for r in ids] if path != "/late/feed.xml" else [])
    config = tmp_path / "watchlist.yaml"
    config.write_text(_watchlist(news_site, webhook), encoding="utf-8")
    _migrate(postgres_url)  # before both start: one migrates, none races
    replicas = [
        Service.start(config, tmp_path, postgres_url, tmp_path / f"replica-{n}.log") for n in (1, 2)
    ]
    try:
        assert wait_for(lambda: len(webhook.messages) >= EXPECTED_ALERTS - 1, timeout=60)
        time.sleep(5 * INTERVAL)  # both replicas running side by side
        both_until = time.monotonic()
        replicas[0].process.send_signal(signal.SIGKILL)
        replicas[0].process.wait(timeout=30)
        killed_at = time.monotonic()
        news_site.add_feed("/late/feed.xml", [record("a001")])
        arrived = wait_for(lambda: len(webhook.messages) >= EXPECTED_ALERTS, timeout=60)
        assert arrived, (webhook.messages, replicas[1].output[-4000:])
        time.sleep(3 * INTERVAL)  # the survivor alone
        replicas[1].stop()
    finally:
        for replica in replicas:
            replica.close()

    logs = "\n".join(r.output for r in replicas)
    for path in FEEDS:
        times = news_site.hit_times[path]
        # Never twice in one interval: a poll is due 0.8 of an interval after the last was
        # claimed, whichever replica made it (the fetch itself may come a moment after its
        # claim on a loaded machine, hence the margin)...
        assert min(_gaps(times)) >= 0.5 * INTERVAL, (path, _gaps(times), logs[-3000:])
        side_by_side = [t for t in times if t <= both_until]
        span = side_by_side[-1] - side_by_side[0]
        assert len(side_by_side) <= span / (0.8 * INTERVAL) + 2, (path, _gaps(side_by_side))
        # ...and polled every interval or so while both ran...
        assert max(_gaps(side_by_side)) <= 2.5 * INTERVAL, (path, _gaps(side_by_side))
        # ...and still after one replica was killed: the survivor took its sources over.
        assert sum(1 for t in times if t > killed_at) >= 2, (path, times, killed_at)
    # Each alert arrived exactly once, the one queued after the kill included.
    titles = [m["title"] for m in webhook.messages]
    assert len(titles) == EXPECTED_ALERTS, titles
    assert len(set(titles)) == EXPECTED_ALERTS
    assert "polled it" in logs or "is polling it" in logs  # the replicas passed work over


def test_a_source_claimed_by_one_replica_is_passed_over_by_another(postgres_url: str) -> None:
    db = Database(postgres_url)
    db.upgrade()
    try:
        first, second = "host-a:1:aaaaaa", "host-b:2:bbbbbb"
        with db.session() as session:
            session.add(SourceState(name="wire", kind="rss", url="http://x.test/f"))
        with db.session() as session:
            claim = queries.claim_source(session, "wire", "rss", "http://x.test/f", first)
            assert claim is not None and claim.passed_over is None
            # While the first claim's transaction holds the row, another skips it.
            with db.session() as other:
                assert queries.claim_source(other, "wire", "rss", "http://x.test/f", second) is None
        with db.session() as session:
            held = queries.claim_source(session, "wire", "rss", "http://x.test/f", second)
            assert held is not None and held.passed_over is not None
            assert "host-a:1:aaaaaa is polling it" in held.passed_over
        with db.session() as session:  # the first replica died: its lease runs out
            session.execute(update(SourceState).values(lease_expires_at=utcnow()))
        with db.session() as session:
            taken = queries.claim_source(session, "wire", "rss", "http://x.test/f", second)
            assert taken is not None and taken.passed_over is None
            assert taken.state.lease_owner == second
    finally:
        db.dispose()


def test_two_replicas_placing_copies_of_one_event_at_once_make_one_story_and_one_alert(
    tmp_path: Path, postgres_url: str
) -> None:
    config = tmp_path / "watchlist.yaml"
    config.write_text(
        'version: 1\ndefaults:\n  max_age: off\nchannels:\n  desk: "json://127.0.0.1:9/x"\n'
        + topics_yaml(["desk"]),
        encoding="utf-8",
    )
    watchlist = load_watchlist([config])
    _migrate(postgres_url)
    # a046 and a047: two outlets' tellings of the House vote; each replica gets one.
    copies = [incoming_of(record("a046")), incoming_of(record("a047"))]
    databases = [Database(postgres_url) for _ in copies]
    start = threading.Barrier(len(copies))
    outcomes: list[Any] = [None] * len(copies)

    def replica(index: int) -> None:
        pipeline = Pipeline(watchlist, StoryIndex())  # a process of its own, as it were
        start.wait()
        with databases[index].session() as session:
            outcomes[index] = pipeline.ingest(session, copies[index])

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(len(copies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        with databases[0].session() as session:
            stories = session.scalar(select(func.count()).select_from(Story))
            alerts = session.scalar(select(func.count()).select_from(Alert))
    finally:
        for database in databases:
            database.dispose()
    assert {o.story_id for o in outcomes} == {outcomes[0].story_id}
    assert stories == 1
    assert alerts == 1
    assert sorted(o.decision.value for o in outcomes)[0] in ("duplicate", "near_duplicate")
