"""One poll of one source: listing → new links → pages → articles through the pipeline."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from config import Source
from storage import Database, queries
from tracker.discover import Candidate, discover
from tracker.errors import TrackerError
from tracker.extract import extract
from tracker.fetch import Fetched, Fetcher
from tracker.pipeline import IncomingArticle, Outcome, Pipeline
from tracker.urls import canonical_url

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    source: str
    listed: int = 0
    new: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    alerts: int = 0
    article_errors: int = 0
    error: str | None = None
    not_modified: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        if self.error:
            return f"{self.source}: failed after {self.seconds:.1f} s: {self.error}"
        if self.not_modified:
            return f"{self.source}: not modified ({self.seconds:.1f} s)"
        stored = ", ".join(_count(n, d) for d, n in sorted(self.decisions.items()))
        parts = [f"{self.listed} listed", f"{self.new} new"]
        if stored:
            parts.append(stored)
        if self.alerts:
            parts.append(f"{self.alerts} alert{'s' if self.alerts > 1 else ''} queued")
        if self.article_errors:
            parts.append(f"{self.article_errors} unreadable")
        return f"{self.source}: {', '.join(parts)} ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class _Page:
    candidate: Candidate
    incoming: IncomingArticle


class Poller:
    def __init__(
        self, db: Database, fetcher: Fetcher, *, max_new: int = 100, page_concurrency: int = 4
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.max_new = max_new
        self._pages = asyncio.Semaphore(page_concurrency)
        # Links being fetched by a poll in flight: two sources listing the same article
        # at the same moment fetch and store it once.
        self._in_flight: set[str] = set()

    async def poll(
        self, source: Source, pipeline: Pipeline, next_due: datetime | None = None
    ) -> PollReport:
        report = PollReport(source.name)
        started = time.monotonic()
        state = await self.db.run(queries.source_state, source.name, source.kind, source.url)
        stored_error: str | None = None
        etag, last_modified = state.etag, state.last_modified
        try:
            fetched = await self.fetcher.get(source.url, etag=etag, last_modified=last_modified)
            if fetched.not_modified:
                report.not_modified = True
            else:
                etag, last_modified = fetched.etag, fetched.last_modified
                candidates = await self._candidates(source, fetched)
                report.listed = len(candidates)
                await self._ingest_new(source, state.id, candidates, pipeline, report)
        except TrackerError as exc:
            report.error = str(exc)
            stored_error = _without_url(exc)  # the table already names the source
        report.seconds = time.monotonic() - started
        await self.db.run(
            queries.record_poll,
            state.id,
            error=stored_error,
            etag=etag,
            last_modified=last_modified,
            next_due=next_due,
        )
        return report

    async def _candidates(self, source: Source, fetched: Fetched) -> list[Candidate]:
        listing = discover(source, fetched)
        candidates = list(listing.candidates)
        for sitemap_url in listing.sitemaps:
            child = await self.fetcher.get(sitemap_url)
            candidates += discover(source, child).candidates
        return candidates

    async def _ingest_new(
        self,
        source: Source,
        state_id: int,
        candidates: list[Candidate],
        pipeline: Pipeline,
        report: PollReport,
    ) -> None:
        by_url = {canonical_url(c.url): c for c in candidates}
        known = await self.db.run(queries.known_urls, [*by_url, *(c.url for c in candidates)])
        known_guids = await self.db.run(
            queries.known_guids, state_id, [c.guid for c in candidates if c.guid]
        )
        new = [
            (url, c)
            for url, c in by_url.items()
            if url not in known
            and c.url not in known
            and not (c.guid and c.guid in known_guids)
            and url not in self._in_flight  # another source of ours is fetching it now
        ][: self.max_new]
        report.new = len(new)
        self._in_flight.update(url for url, _ in new)
        try:
            pages = await asyncio.gather(
                *(self._page(source, state_id, url, c, report) for url, c in new)
            )
            # Oldest first, so an original is stored before the copies that cite it.
            ready = [p for p in pages if p is not None]
            oldest = datetime.min.replace(tzinfo=UTC)
            ready.sort(key=lambda p: p.incoming.published or oldest)
            for page in ready:
                outcome: Outcome = await self.db.run(pipeline.ingest, page.incoming)
                if outcome.stored:
                    report.decisions[outcome.decision.value] += 1
                    report.alerts += len(outcome.queued)
                    _log_outcome(source.name, page.incoming, outcome)
        finally:
            self._in_flight.difference_update(url for url, _ in new)

    async def _page(
        self, source: Source, state_id: int, url: str, candidate: Candidate, report: PollReport
    ) -> _Page | None:
        async with self._pages:
            try:
                fetched = await self.fetcher.get(candidate.url)
                extracted = extract(
                    fetched.body, fetched.url, fetched.content_type, source.article, source.zone
                )
            except TrackerError as exc:
                report.article_errors += 1
                log.warning("%s: skipped %s: %s", source.name, candidate.url, _without_url(exc))
                return None
        article_url = url
        page_canonical = extracted.canonical_url
        if page_canonical and _same_site(page_canonical, url):
            article_url = page_canonical
        return _Page(
            candidate,
            IncomingArticle(
                url=article_url,
                outlet=source.name,
                title=extracted.title or candidate.title or "",
                text=extracted.text,
                lang=extracted.lang,
                published=candidate.published or extracted.published,  # a feed date has its zone
                link=candidate.url,
                guid=candidate.guid,
                source_id=state_id,
            ),
        )


_PLURALS = {
    "new_story": "new stories",
    "duplicate": "duplicates",
    "near_duplicate": "near-duplicates",
    "development": "developments",
}


def _count(number: int, decision: str) -> str:
    if number == 1:
        return f"1 {decision.replace('_', ' ')}"
    return f"{number} {_PLURALS.get(decision, decision.replace('_', ' '))}"


def _same_site(canonical: str, url: str) -> bool:
    """Trust a page's canonical link only on its own host and not pointing at the home page."""
    a, b = urlsplit(canonical), urlsplit(url)
    return a.hostname == b.hostname and a.path not in ("", "/")


def _without_url(exc: Exception) -> str:
    return getattr(exc, "reason", None) or str(exc)


def _log_outcome(source: str, incoming: IncomingArticle, outcome: Outcome) -> None:
    topics = ", ".join(m.topic for m in outcome.topics)
    detail = f" [{topics}]" if topics else ""
    if outcome.queued:
        detail += f" → alert to {', '.join(outcome.queued)}"
    log.info(
        "%s: %s: %s%s",
        source,
        outcome.decision.value.replace("_", " "),
        incoming.title[:90],
        detail,
    )
