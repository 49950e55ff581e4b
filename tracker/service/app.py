"""The application object shared by `tracker run` and `tracker once`: it loads the
watchlist, opens and migrates the database, and owns the fetcher, pipeline and dispatcher."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alerts import DeliveryReport, Dispatcher
from config import Source, Watchlist, load_watchlist
from storage import Database
from tracker.service.pipeline import Pipeline
from tracker.service.poller import Poller, PollReport
from tracker.sources.fetch import Fetcher, FetchSettings
from tracker.stories.index import StoryIndex

if TYPE_CHECKING:
    from tracker.service.metrics import Metrics

log = logging.getLogger(__name__)


class App:
    """Build with `App.open(...)` (which can raise ConfigError or StorageError)."""

    def __init__(
        self,
        config_paths: list[Path],
        watchlist: Watchlist,
        db: Database,
        fetch_settings: FetchSettings | None = None,
        config_source: str | None = None,
    ) -> None:
        self.config_paths = config_paths
        # What the user named (a file or a folder), so a reload sees files added to a folder.
        self.config_source = config_source
        self.watchlist = watchlist
        self.db = db
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.fetcher = Fetcher(fetch_settings or FetchSettings())
        # Story memory outlives watchlist reloads (it is rebuilt from the database anyway).
        self.stories = StoryIndex()
        self.pipeline = Pipeline(watchlist, self.stories)
        self.poller = Poller(db, self.fetcher, self.owner)
        self.dispatcher = Dispatcher(db, watchlist.channels, self.owner, config_paths)
        # Set by the operations endpoint; without it nothing is counted.
        self.metrics: Metrics | None = None

    @classmethod
    def open(
        cls,
        config_paths: list[Path],
        database_url: str | None = None,
        fetch_settings: FetchSettings | None = None,
        config_source: str | None = None,
    ) -> App:
        watchlist = load_watchlist(config_paths)
        db = Database(database_url)
        db.upgrade()
        log.info("database %s is ready", db.display_url)
        app = cls(config_paths, watchlist, db, fetch_settings, config_source)
        app.describe()
        return app

    def describe(self) -> None:
        """One line per thing a user may wonder about at start."""
        w = self.watchlist
        files = ", ".join(str(p) for p in self.config_paths)
        log.info(
            "watchlist %s: %d sources, %d topics, %d channels",
            files,
            len(w.sources),
            len(w.topics),
            len(w.channels),
        )
        for name, channel in w.channels.items():
            if not channel.enabled:
                log.warning("channel %s is off: its URL is empty", name)
            elif channel.digest or channel.quiet:
                timing = [f"a digest {channel.digest}"] if channel.digest else []
                timing += [f"quiet {channel.quiet}"] if channel.quiet else []
                log.info("channel %s: %s (%s)", name, ", ".join(timing), channel.timezone)
        for source in w.sources:
            if not source.enabled:
                log.info("source %s is disabled in the watchlist", source.name)
        on = {n for n, c in w.channels.items() if c.enabled}
        if not on:
            log.warning(
                "no channel has a URL: matches are stored but no alert is sent "
                "(give a channel an apprise URL to receive alerts)"
            )
            return
        for topic in w.topics:
            if not on.intersection(topic.notify):
                log.warning(
                    "topic %s notifies no channel that is on: its matches are "
                    "stored but no alert is sent",
                    topic.name,
                )

    def apply(self, watchlist: Watchlist, config_paths: list[Path]) -> None:
        self.watchlist = watchlist
        self.config_paths = config_paths
        self.pipeline = Pipeline(watchlist, self.stories)
        self.dispatcher.update_channels(watchlist.channels, config_paths)

    @property
    def sources(self) -> list[Source]:
        return [s for s in self.watchlist.sources if s.enabled]

    async def poll(
        self, source: Source, next_due: datetime | None = None, *, respect_backoff: bool = False
    ) -> PollReport:
        report = await self.poller.poll(
            source, self.pipeline, next_due, respect_backoff=respect_backoff
        )
        if report.skipped:
            log.debug("%s", report.summary())
        elif report.error:
            log.warning("%s", report.summary())
        else:
            log.info("%s", report.summary())
        self.note_polls([report])
        return report

    def note_polls(self, reports: list[PollReport]) -> None:
        """Count finished polls (for /metrics), wherever they were made."""
        if self.metrics is not None:
            self.metrics.record_polls(reports)

    async def dispatch(self) -> DeliveryReport:
        report = await self.dispatcher.dispatch_due()
        if self.metrics is not None:
            self.metrics.record_delivery(report)
        return report

    async def close(self) -> None:
        await self.fetcher.aclose()
        self.db.dispose()
