"""The service's Prometheus metrics, in a registry of its own so that several services can
share a process (tests do). Counters are recorded where poll and delivery reports are
made; the database's figures (stories, the alert queue, failing sources) are read at
scrape time, by `read_figures` on a database thread.

Imported only when the operations endpoint is on: `tracker --help` never loads
prometheus_client."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import DeliveryReport
from storage import Alert, AlertStatus, SourceState, Story
from tracker.service.pipeline import Decision
from tracker.service.poller import PollReport

OUTCOMES = ("ok", "not_modified", "error")
# Seconds per source poll: a feed answers in well under a second, a listing page with
# fresh articles takes one fetch per article.
FETCH_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


@dataclass(frozen=True)
class DatabaseFigures:
    stories: int
    alerts_pending: int
    oldest_pending_alert: datetime | None
    source_failures: dict[str, int]  # consecutive failures of each watched source
    read_at: datetime


def read_figures(session: Session, sources: Iterable[str]) -> DatabaseFigures:
    """What /metrics reports from the database; `sources` are the watched ones (a source
    removed from the watchlist keeps its row but is no longer polled)."""
    watched = set(sources)
    stories = session.scalar(select(func.count()).select_from(Story)) or 0
    pending, oldest = session.execute(
        select(func.count(), func.min(Alert.created_at)).where(Alert.status == AlertStatus.PENDING)
    ).one()
    failures = {
        name: count
        for name, count in session.execute(
            select(SourceState.name, SourceState.consecutive_failures)
        )
        if name in watched
    }
    return DatabaseFigures(stories, pending, oldest, failures, datetime.now(UTC))


class DatabaseCollector:
    """Yields the figures of the last database read; none but `tracker_database_up 0`
    when that read failed, rather than stale numbers."""

    def __init__(self) -> None:
        self.figures: DatabaseFigures | None = None

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        yield GaugeMetricFamily(
            "tracker_database_up",
            "1 when this scrape could read the database, else 0",
            value=0 if figures is None else 1,
        )
        if figures is None:
            return
        yield GaugeMetricFamily("tracker_stories", "Stories stored", value=figures.stories)
        yield GaugeMetricFamily(
            "tracker_alerts_pending", "Alerts queued and not sent yet", value=figures.alerts_pending
        )
        oldest = figures.oldest_pending_alert
        yield GaugeMetricFamily(
            "tracker_alerts_oldest_pending_age_seconds",
            "Age of the oldest alert still queued (0 when none is)",
            value=(figures.read_at - oldest).total_seconds() if oldest else 0.0,
        )
        failures = GaugeMetricFamily(
            "tracker_source_consecutive_failures",
            "Polls in a row that failed, per source (0: its last poll worked)",
            labels=["source"],
        )
        for name, count in sorted(figures.source_failures.items()):
            failures.add_metric([name], count)
        yield failures


class Metrics:
    """One service's metrics; `render()` gives the Prometheus text format."""

    def __init__(self) -> None:
        # A `_created` timestamp beside each counter doubles the series for nothing a
        # dashboard uses (prometheus_client only offers a process-wide switch).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        self.fetches = Counter(
            "tracker_fetches",
            "Source polls by outcome (a source passed over, backing off or polled by "
            "another replica, is not counted)",
            ["outcome"],
            registry=self.registry,
        )
        self.fetch_seconds = Histogram(
            "tracker_fetch_seconds",
            "Seconds one source poll took: listing, new pages and storing",
            buckets=FETCH_BUCKETS,
            registry=self.registry,
        )
        self.articles = Counter(
            "tracker_articles_stored",
            "Articles stored, by decision",
            ["decision"],
            registry=self.registry,
        )
        self.alerts_sent = Counter(
            "tracker_alerts_sent", "Alerts a channel took", registry=self.registry
        )
        self.alerts_failed = Counter(
            "tracker_alerts_failed",
            "Alert deliveries that failed and wait for a retry",
            registry=self.registry,
        )
        self.alerts_dead = Counter(
            "tracker_alerts_dead",
            "Alerts given up after their last failed attempt",
            registry=self.registry,
        )
        # Every series from the start, at 0: rate() and absent() then work from the first scrape.
        for outcome in OUTCOMES:
            self.fetches.labels(outcome)
        for decision in Decision:
            self.articles.labels(decision.value)
        self.database = DatabaseCollector()
        self.registry.register(self.database)
        self.last_success_at: datetime | None = None

    def record_polls(self, reports: Iterable[PollReport]) -> None:
        for report in reports:
            if report.skipped:
                continue
            outcome = "error" if report.error else "not_modified" if report.not_modified else "ok"
            self.fetches.labels(outcome).inc()
            self.fetch_seconds.observe(report.seconds)
            for decision, count in report.decisions.items():
                self.articles.labels(decision).inc(count)
            if outcome != "error":
                self.last_success_at = datetime.now(UTC)

    def record_delivery(self, report: DeliveryReport) -> None:
        self.alerts_sent.inc(report.sent)
        self.alerts_failed.inc(report.failed)
        self.alerts_dead.inc(report.dead)

    def render(self) -> bytes:
        return generate_latest(self.registry)
