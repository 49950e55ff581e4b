"""`tracker run`: one interval job per source, a dispatcher, watchlist reload, clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from alerts.timing import release_triggers
from config import ConfigError, Source, default_config_paths, load_watchlist
from tracker.errors import TrackerError
from tracker.service import retention
from tracker.service.app import App
from tracker.service.once import poll_together

if TYPE_CHECKING:
    from tracker.service.ops import OpsServer

log = logging.getLogger(__name__)

DISPATCH_EVERY = 10.0  # seconds between outbox checks when nothing wakes the dispatcher
RELOAD_EVERY = 3.0  # seconds between watchlist change checks
STOP_GRACE = 20.0  # seconds polls in flight may take to finish at stop


class Service:
    """`http`: (host, port) to serve /healthz and /metrics on, or None for no endpoint."""

    def __init__(self, app: App, http: tuple[str, int] | None = None) -> None:
        self.app = app
        self.http = http
        self.ops: OpsServer | None = None
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._stop = asyncio.Event()
        self._wake_dispatcher = asyncio.Event()
        self._in_flight: set[asyncio.Task[object]] = set()
        self._config_stamp = self._stamp()

    @property
    def scheduler_running(self) -> bool:
        return bool(self.scheduler.state == STATE_RUNNING)  # paused at stop: not running

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def run(self) -> None:
        """Serve until stop(), SIGTERM or SIGINT. Raises TrackerError (the app closed) when
        the operations endpoint cannot listen where it was told to."""
        if self.http is not None:
            from tracker.service.ops import OpsServer

            try:
                self.ops = OpsServer(self, *self.http)
            except TrackerError:
                await self.app.close()
                raise
            self.ops.start()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._request_stop, signum)
        self._wake_dispatcher.set()  # what a stopped run left queued goes out at once
        dispatcher = asyncio.create_task(self._dispatch_loop())
        # Started before the first pass (with no job yet), so /healthz sees it alive.
        self.scheduler.start()
        if await self._first_pass():
            await self._shutdown(dispatcher)
            return
        for source in self.app.sources:
            self._schedule(source)
        self.scheduler.add_job(
            self._reload_if_changed,
            "interval",
            seconds=RELOAD_EVERY,
            id="__reload__",
            max_instances=1,
            coalesce=True,
        )
        # Article bodies past the watchlist's retention: soon after start, then daily.
        self.scheduler.add_job(
            self._retention_job,
            "interval",
            seconds=retention.EVERY.total_seconds(),
            next_run_time=datetime.now(UTC) + retention.FIRST_AFTER,
            id="__retention__",
            max_instances=1,
            coalesce=True,
        )
        self._schedule_releases()
        endpoint = f", /healthz and /metrics at {self.ops.url}" if self.ops else ""
        log.info(
            "running: %d sources scheduled%s; stop with Ctrl-C or SIGTERM",
            len(self.app.sources),
            endpoint,
        )
        await self._stop.wait()
        await self._shutdown(dispatcher)

    async def _first_pass(self) -> bool:
        """Poll every source once and store what they found together, in publication
        order: a start after a pause (or the first) finds a backlog, and polled source by
        source it would be stored out of order. True when a stop came first."""
        log.info("first pass over %d sources", len(self.app.sources))
        first = asyncio.create_task(
            poll_together(self.app, list(self.app.sources), respect_backoff=True)
        )
        self._in_flight.add(first)
        stop = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({first, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not first.done():
            return True
        self._in_flight.discard(first)
        try:
            reports = first.result()
        except TrackerError as exc:
            log.error("first pass failed, the sources are polled on schedule: %s", exc)
        except Exception:
            log.exception("first pass failed unexpectedly; the sources are polled on schedule")
        else:
            if any(r.alerts for r in reports):
                self._wake_dispatcher.set()
        return self._stop.is_set()

    def _request_stop(self, signum: int) -> None:
        self.stop(f"{signal.Signals(signum).name} received")

    def stop(self, reason: str = "stop requested") -> None:
        """Stop after the work in flight, as SIGTERM does."""
        if self._stop.is_set():
            return
        log.info("%s: stopping after work in flight (at most %g s)", reason, STOP_GRACE)
        self._stop.set()

    async def _shutdown(self, dispatcher: asyncio.Task[None]) -> None:
        if self.scheduler.running:
            self.scheduler.pause()
        if self._in_flight:
            _, late = await asyncio.wait(self._in_flight, timeout=STOP_GRACE)
            for task in late:
                task.cancel()  # its articles stay unseen and are fetched next time
            if late:
                log.warning(
                    "abandoned %d polls still running; they resume at next start", len(late)
                )
                await asyncio.gather(*late, return_exceptions=True)
        self._wake_dispatcher.set()
        try:
            await asyncio.wait_for(dispatcher, timeout=STOP_GRACE)
        except TimeoutError:
            log.warning("alerts still sending at stop stay queued and are sent at next start")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.ops is not None:  # last, so /healthz said "stopping" until now
            await self.ops.stop()
        await self.app.close()
        log.info("stopped")

    def _schedule_releases(self) -> None:
        """Wake the dispatcher when a channel's digest period or quiet hours end, in the
        channel's zone; it releases what they held (and catches up at start)."""
        for job in self.scheduler.get_jobs():
            if job.id.startswith("__release__:"):
                job.remove()
        for name, channel in self.app.watchlist.channels.items():
            for when, trigger in release_triggers(channel).items():
                self.scheduler.add_job(
                    self._release_now,
                    trigger,
                    id=f"__release__:{name}:{when}",
                    misfire_grace_time=None,  # late is better than never
                    coalesce=True,
                )

    async def _release_now(self) -> None:
        # A coroutine, so it runs in the loop: an asyncio.Event is not for other threads.
        self._wake_dispatcher.set()

    def _schedule(self, source: Source, *, first: bool = False) -> None:
        """Poll `source` every interval: the first time within seconds when `first` (a
        source just added), else an interval from now."""
        interval = source.interval.total_seconds()
        jitter = min(interval * 0.1, 60.0)
        when: dict[str, datetime] = {}
        if first:  # spread over a few seconds rather than all at once
            when["next_run_time"] = datetime.now(UTC) + timedelta(seconds=random.uniform(0, 3))  # noqa: S311
        # (APScheduler takes next_run_time=None as "paused": leave it out instead.)
        self.scheduler.add_job(
            self._poll_job,
            "interval",
            seconds=interval,
            jitter=jitter,
            id=source.name,
            args=[source.name],
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(interval),
            replace_existing=True,
            **when,
        )

    async def _retention_job(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)  # a stop waits for the batch in hand, then it ends
        try:
            await retention.retention_job(
                self.app.db, self.app.watchlist.retention_limit, self._stop.is_set
            )
        finally:
            self._in_flight.discard(task)

    async def _poll_job(self, name: str) -> None:
        if self._stop.is_set():
            return
        source = self.app.watchlist.source(name)
        if source is None or not source.enabled:
            return
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            job = self.scheduler.get_job(name)
            report = await self.app.poll(
                source, job.next_run_time if job else None, respect_backoff=True
            )
            if report.alerts:
                self._wake_dispatcher.set()
        except TrackerError as exc:  # the database went away, say: said in words
            log.error("%s: poll failed: %s", name, exc)
        except Exception:  # one source must never take the service down
            log.exception("%s: poll failed unexpectedly", name)
        finally:
            self._in_flight.discard(task)

    async def _dispatch_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_dispatcher.wait(), timeout=DISPATCH_EVERY)
            self._wake_dispatcher.clear()
            try:
                await self.app.dispatch()
            except TrackerError as exc:
                log.error("sending alerts failed, they stay queued and are retried: %s", exc)
            except Exception:
                log.exception("sending alerts failed; they stay queued and are retried")
            if self._stop.is_set():
                return

    def _paths(self) -> list[Path]:
        try:
            return default_config_paths(self.app.config_source)
        except ConfigError:
            return self.app.config_paths  # an emptied folder: keep watching what we have

    def _stamp(self) -> tuple[tuple[str, float], ...]:
        stamps = []
        for path in self._paths():
            try:
                stamps.append((str(path), path.stat().st_mtime))
            except OSError:
                stamps.append((str(path), -1.0))
        return tuple(stamps)

    async def _reload_if_changed(self) -> None:
        stamp = self._stamp()
        if stamp == self._config_stamp:
            return
        self._config_stamp = stamp
        paths = self._paths()
        try:
            watchlist = load_watchlist(paths)
        except ConfigError as exc:
            log.error("watchlist not reloaded, the last good one stays in use:\n%s", exc)
            return
        if watchlist.http != self.app.watchlist.http:
            log.warning(
                "the watchlist's http address changed: the endpoint moves at the next start"
            )
        old = {s.name: s for s in self.app.sources}
        self.app.apply(watchlist, paths)
        self._schedule_releases()
        new = {s.name: s for s in self.app.sources}
        for name in old.keys() - new.keys():
            self.scheduler.remove_job(name)
        for name, source in new.items():
            if name not in old:
                self._schedule(source, first=True)
            elif source.interval != old[name].interval:
                self._schedule(source)
        log.info(
            "watchlist reloaded: %d sources (%d added, %d removed), %d topics, %d channels",
            len(new),
            len(new.keys() - old.keys()),
            len(old.keys() - new.keys()),
            len(watchlist.topics),
            len(watchlist.channels),
        )
