"""`tracker once`: one pass over the sources, then send what is queued, then exit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from config import Source
from storage.queries import SourceClaim
from tracker.service.app import App
from tracker.service.poller import CLAIM_CHUNK, Collected, PollReport

log = logging.getLogger(__name__)

PARALLEL_SOURCES = 8

# Told of each source as its poll ends: how many have ended, of how many, and its report.
# The command line draws a progress bar with it; the engine knows nothing of terminals.
PollProgress = Callable[[int, int, PollReport], None]


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


async def run_once(
    app: App, only: str | None = None, on_polled: PollProgress | None = None
) -> PassSummary:
    """Poll every source, store what they found, then send what is queued. `on_polled`
    hears of each poll in place of its `[n/N]` log line (a failure is logged all the same)."""
    sources = [s for s in app.sources if only is None or s.name == only]
    reports = await poll_together(app, sources, on_polled=on_polled)
    delivery = await app.dispatch()
    return PassSummary(reports, delivery.sent, delivery.failed + delivery.dead)


async def poll_together(
    app: App,
    sources: list[Source],
    *,
    respect_backoff: bool = False,
    on_polled: PollProgress | None = None,
) -> list[PollReport]:
    """Poll every source, then store what all of them found in publication order: a first
    start or a backlog decides as if the news had arrived as it was published."""
    gate = asyncio.Semaphore(PARALLEL_SOURCES)
    read = begun = 0
    progress = asyncio.Condition()

    async def collect(source: Source, claim: SourceClaim | None) -> Collected:
        nonlocal read, begun
        async with gate:
            async with progress:
                begun += 1
                progress.notify_all()
            collected = await app.poller.collect_claimed(source, claim)
        read += 1
        report = collected.report
        if report.error:
            log.warning("[%d/%d] %s: failed: %s", read, len(sources), source.name, report.error)
        elif on_polled is None and not report.skipped:
            log.info("[%d/%d] %s: %d new", read, len(sources), source.name, report.new)
        if on_polled is not None:
            on_polled(read, len(sources), report)
        return collected

    async def claim(chunk: list[Source]) -> dict[str, SourceClaim | None]:
        return await app.poller.claim(chunk, respect_backoff=respect_backoff)

    # Claimed a chunk at a time, as the pass reaches them (a lease taken for a source
    # polled many minutes later could run out before its poll), the next chunk while
    # this one is polled, so the polls never wait for a claim.
    chunks = [sources[start : start + CLAIM_CHUNK] for start in range(0, len(sources), CLAIM_CHUNK)]
    polls: list[asyncio.Task[Collected]] = []
    claiming = asyncio.create_task(claim(chunks[0])) if chunks else None
    for index, chunk in enumerate(chunks):
        assert claiming is not None
        claims = await claiming
        if index + 1 < len(chunks):
            claiming = asyncio.create_task(claim(chunks[index + 1]))
        polls += [asyncio.create_task(collect(s, claims[s.name])) for s in chunk]
        async with progress:  # until the last of this chunk has begun
            await progress.wait_for(lambda: begun >= len(polls))  # noqa: B023 (awaited here)
    collected = await asyncio.gather(*polls)
    await app.poller.store(collected, app.pipeline)
    reports = [c.report for c in collected]
    for report in reports:
        log.log(logging.WARNING if report.error else logging.INFO, "%s", report.summary())
    app.note_polls(reports)
    return reports
