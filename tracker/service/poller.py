"""One poll of one source: listing → new links → pages → articles through the pipeline."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from config import Source, Watchlist
from config.intervals import format_interval
from storage import Database, queries
from tracker.articles.extract import extract
from tracker.articles.incoming import IncomingArticle
from tracker.articles.urls import canonical_url
from tracker.backoff import Backoff
from tracker.errors import FetchError, SourceError, reason_of
from tracker.service.health import note_poll
from tracker.service.pipeline import Outcome, Pipeline
from tracker.sources.discover import Candidate, discover
from tracker.sources.fetch import Fetched, Fetcher
from tracker.sources.netguard import source_is_internal
from tracker.sources.robots import RobotsRules

log = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(hours=1)  # clocks differ; beyond this a date is wrong
BACKOFF_AFTER = 3  # consecutive failures before a source is polled less often
BACKOFF_LONGEST = timedelta(hours=6)
BACKOFF_SLACK = timedelta(seconds=5)  # a scheduler's jitter is not a backoff


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
    skipped: datetime | None = None  # backing off until then
    backoff: timedelta | None = None  # this failure pushed the next poll this far

    def summary(self) -> str:
        if self.skipped:
            return f"{self.source}: skipped, failing; next try {self.skipped:%H:%M} UTC"
        if self.error:
            text = f"{self.source}: failed after {self.seconds:.1f} s: {self.error}"
            if self.backoff:
                text += f"; failing repeatedly, next try in {format_interval(self.backoff)}"
            return text
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
        self.page_concurrency = page_concurrency
        self.robots = RobotsRules(fetcher)
        # Links being fetched by a poll in flight: two sources listing the same article
        # at the same moment fetch and store it once.
        self._in_flight: set[str] = set()

    async def poll(
        self,
        source: Source,
        pipeline: Pipeline,
        next_due: datetime | None = None,
        *,
        respect_backoff: bool = False,
    ) -> PollReport:
        """Poll once. With `respect_backoff` (the service), a source that keeps failing is
        polled less and less often, up to once every BACKOFF_LONGEST."""
        report = PollReport(source.name)
        started = time.monotonic()
        state = await self.db.run(queries.source_state, source.name, source.kind, source.url)
        failures_before = state.consecutive_failures
        now = datetime.now(UTC)
        due = state.next_due_at
        backing_off = failures_before >= BACKOFF_AFTER and due is not None
        if respect_backoff and backing_off and due is not None and due > now + BACKOFF_SLACK:
            report.skipped = due
            return report
        stored_error: str | None = None
        etag, last_modified = state.etag, state.last_modified
        try:
            await self._check_robots(source, source.url)
            fetched = await self.fetcher.get(source.url, etag=etag, last_modified=last_modified)
            if fetched.not_modified:
                report.not_modified = True
            else:
                # Links may point anywhere; to an internal address only from an internal
                # source. Resolved once per poll.
                internal_allowed = await source_is_internal(source.url)
                candidates = await self._candidates(source, fetched, internal_allowed)
                report.listed = len(candidates)
                complete = await self._ingest_new(
                    source, state.id, candidates, pipeline, report, internal_allowed
                )
                # Keep the old validators while links are left over (a page that failed,
                # more new links than one poll takes): a 304 would hide them until the
                # listing changes.
                if complete:
                    etag, last_modified = fetched.etag, fetched.last_modified
        except SourceError as exc:
            report.error = str(exc)
            stored_error = reason_of(exc)  # the table already names the source
        report.seconds = time.monotonic() - started
        if stored_error is not None and failures_before + 1 >= BACKOFF_AFTER:
            policy = Backoff(source.interval * 2, BACKOFF_LONGEST)
            wait = policy.delay(failures_before + 2 - BACKOFF_AFTER)
            next_due = max(next_due or now, now + wait)
            report.backoff = wait
        await self.db.run(
            _record_poll,
            state.id,
            stored_error,
            etag,
            last_modified,
            next_due,
            source,
            pipeline.watchlist,
            failures_before,
        )
        return report

    async def _candidates(
        self, source: Source, fetched: Fetched, internal_allowed: bool
    ) -> list[Candidate]:
        listing = discover(source, fetched)
        candidates = list(listing.candidates)
        for sitemap_url in listing.sitemaps:
            child = await self.fetcher.get(sitemap_url, internal_allowed=internal_allowed)
            candidates += discover(source, child).candidates
        return candidates

    async def _ingest_new(
        self,
        source: Source,
        state_id: int,
        candidates: list[Candidate],
        pipeline: Pipeline,
        report: PollReport,
        internal_allowed: bool,
    ) -> bool:
        """Store the new links' articles; False when some are left for the next poll."""
        by_url = {canonical_url(c.url): c for c in candidates}
        known = await self.db.run(queries.known_urls, [*by_url, *(c.url for c in candidates)])
        known_guids = await self.db.run(
            queries.known_guids, state_id, [c.guid for c in candidates if c.guid]
        )
        unseen = [
            (url, c)
            for url, c in by_url.items()
            if url not in known
            and c.url not in known
            and not (c.guid and c.guid in known_guids)
            and url not in self._in_flight  # another source of ours is fetching it now
        ]
        new = unseen[: self.max_new]
        report.new = len(new)
        self._in_flight.update(url for url, _ in new)
        try:
            # Each poll its own page slots: one slow site must not hold back the others
            # (the fetcher keeps every host to its own pace).
            slots = asyncio.Semaphore(self.page_concurrency)
            pages = await asyncio.gather(
                *(
                    self._page(source, state_id, url, c, report, internal_allowed, slots)
                    for url, c in new
                )
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
        return len(ready) == len(unseen)

    async def _check_robots(self, source: Source, url: str) -> None:
        if source.robots and not await self.robots.allows(url):
            raise FetchError(url, "robots.txt of the site does not allow fetching it")

    async def _page(
        self,
        source: Source,
        state_id: int,
        url: str,
        candidate: Candidate,
        report: PollReport,
        internal_allowed: bool,
        slots: asyncio.Semaphore,
    ) -> _Page | None:
        async with slots:
            try:
                await self._check_robots(source, candidate.url)
                fetched = await self.fetcher.get(candidate.url, internal_allowed=internal_allowed)
                extracted = extract(
                    fetched.body, fetched.url, fetched.content_type, source.article, source.zone
                )
            except SourceError as exc:
                report.article_errors += 1
                log.warning("%s: skipped %s: %s", source.name, candidate.url, reason_of(exc))
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
                # A feed's date carries its zone, so it comes first.
                published=_publication_date(candidate.published, extracted.published),
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


def _record_poll(
    session: Session,
    state_id: int,
    error: str | None,
    etag: str | None,
    last_modified: str | None,
    next_due: datetime | None,
    source: Source,
    watchlist: Watchlist,
    failures_before: int,
) -> None:
    """The poll's outcome and, in the same transaction, the ops message it calls for."""
    state = queries.record_poll(
        session,
        state_id,
        error=error,
        etag=etag,
        last_modified=last_modified,
        next_due=next_due,
    )
    event = note_poll(session, watchlist, source, state, failures_before, datetime.now(UTC))
    if event == "source_down":
        log.warning(
            "%s is down after %d failed polls; the ops channel is told",
            source.name,
            state.consecutive_failures,
        )
    elif event == "source_up":
        log.info("%s works again; the ops channel is told", source.name)


def _publication_date(*dates: datetime | None) -> datetime | None:
    """The first date given that is not in the future (a date in the future is a mistake);
    when every date given is in the future, the time the article arrived."""
    now = datetime.now(UTC)
    given = [d for d in dates if d is not None]
    return next((d for d in given if d <= now + FUTURE_TOLERANCE), now if given else None)


def _same_site(canonical: str, url: str) -> bool:
    """Trust a page's canonical link only on its own host and not pointing at the home page."""
    a, b = urlsplit(canonical), urlsplit(url)
    return a.hostname == b.hostname and a.path not in ("", "/")


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
