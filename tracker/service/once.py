"""`tracker once`: one pass over the sources, then send what is queued, then exit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from tracker.service.app import App
from tracker.service.poller import PollReport

log = logging.getLogger(__name__)

PARALLEL_SOURCES = 8


@dataclass(frozen=True)
class PassSummary:
    reports: list[PollReport]
    sent: int
    failed: int

    def __str__(self) -> str:
        failed_sources = sum(1 for r in self.reports if r.error)
        stored = sum(sum(r.decisions.values()) for r in self.reports)
        text = (
            f"pass done: {len(self.reports)} sources polled ({failed_sources} failed), "
            f"{stored} articles stored, {self.sent} alerts sent"
        )
        if self.failed:
            text += f", {self.failed} alerts waiting for a retry"
        return text


async def run_once(app: App, only: str | None = None) -> PassSummary:
    sources = [s for s in app.sources if only is None or s.name == only]
    gate = asyncio.Semaphore(PARALLEL_SOURCES)
    done = 0

    async def poll(source_index: int) -> PollReport:
        nonlocal done
        async with gate:
            report = await app.poller.poll(sources[source_index], app.pipeline)
        done += 1
        level = logging.WARNING if report.error else logging.INFO
        log.log(level, "[%d/%d] %s", done, len(sources), report.summary())
        return report

    reports = await asyncio.gather(*(poll(i) for i in range(len(sources))))
    delivery = await app.dispatch()
    return PassSummary(list(reports), delivery.sent, delivery.failed + delivery.dead)
