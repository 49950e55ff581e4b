"""Polling sources: listing → new links → pages, then the articles through the pipeline.

A poll collects first and stores after, so a pass over many sources (`tracker once`)
stores the new articles of all of them together, in publication order, not source after
source.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import Source, Watchlist
from config.intervals import format_interval
from storage import Database, SourceState, StorageError, queries
from storage.queries import SourceClaim
from tracker.articles.extract import extract
from tracker.articles.incoming import IncomingArticle
from tracker.articles.urls import canonical_url
from tracker.backoff import Backoff
from tracker.errors import FetchError, SourceError, reason_of
from tracker.service.health import note_poll
from tracker.service.linkcheck import LinkCheck
from tracker.service.pipeline import Outcome, Pipeline
from tracker.sources.discover import Candidate, discover, listing_digest
from tracker.sources.fetch import Fetched, Fetcher
from tracker.sources.netguard import source_is_internal
from tracker.sources.robots import RobotsRules

log = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(hours=1)  # clocks differ; beyond this a date is wrong
BACKOFF_AFTER = 3  # consecutive failures before a source is polled less often
BACKOFF_LONGEST = timedelta(hours=6)
BACKOFF_SLACK = timedelta(seconds=5)  # a scheduler's jitter is not a backoff
# A source another replica polled less than this share of its interval ago is not due:
# below one, so the replica whose timer comes first after that polls it.
DUE_SHARE = 0.8
# Sources a pass claims in one transaction, as it reaches them: one commit per chunk, and
# each chunk polled well within its leases.
CLAIM_CHUNK = 100


@dataclass
class PollReport:
    source: str
    listed: int = 0
    new: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    alerts: int = 0
    article_errors: int = 0  # pages that could not be fetched or read
    store_errors: int = 0  # articles read but not stored (tried again next poll)
    error: str | None = None
    not_modified: bool = False
    seconds: float = 0.0
    skipped: str | None = None  # why it was not polled: backing off, another replica's
    backoff: timedelta | None = None  # this failure pushed the next poll this far

    def summary(self) -> str:
        if self.skipped:
            return f"{self.source}: skipped, {self.skipped}"
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
        if self.store_errors:
            parts.append(f"{self.store_errors} not stored")
        return f"{self.source}: {', '.join(parts)} ({self.seconds:.1f} s)"


@dataclass
class Collected:
    """One source's poll before its articles are stored: what it found, and what to record
    about the poll once they are (validators, an error, the next due time)."""

    source: Source
    state_id: int
    failures_before: int
    report: PollReport
    started: float
    next_due: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    articles: list[IncomingArticle] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    listing_digest: str | None = None  # of the last listing read in full
    # What to keep of the listing once its articles are stored: all of its new links
    # were read.
    read_in_full: ReadInFull | None = None


@dataclass(frozen=True)
class ReadInFull:
    """A listing whose new links were all read: its validators, and its links' digest
    (the same listing again holds nothing new, even from a server that never answers 304)."""

    etag: str | None
    last_modified: str | None
    digest: str


class Poller:
    def __init__(
        self,
        db: Database,
        fetcher: Fetcher,
        owner: str,
        *,
        max_new: int = 100,
        page_concurrency: int = 4,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.owner = owner  # this process, in the sources' leases ("host:pid:token")
        self.max_new = max_new
        self.page_concurrency = page_concurrency
        self.robots = RobotsRules(fetcher)
        self.links = LinkCheck(db)
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
        collected = await self.collect(source, next_due, respect_backoff=respect_backoff)
        if collected.report.skipped:
            return collected.report
        await self.store([collected], pipeline)
        return collected.report

    async def collect(
        self, source: Source, next_due: datetime | None = None, *, respect_backoff: bool = False
    ) -> Collected:
        """Claim the source, fetch its listing and the pages of its new links; store
        nothing yet."""
        claims = await self.claim([source], respect_backoff=respect_backoff)
        return await self.collect_claimed(source, claims[source.name], next_due)

    async def claim(
        self, sources: list[Source], *, respect_backoff: bool = False
    ) -> dict[str, SourceClaim | None]:
        """Lease the sources to this process for one poll each, in one transaction (see
        queries.claim_source); with `respect_backoff` (the service), only those due."""
        return await self.db.run(_claim_sources, sources, self.owner, respect_backoff)

    async def collect_claimed(
        self, source: Source, claim: SourceClaim | None, next_due: datetime | None = None
    ) -> Collected:
        """Poll a source `claim`ed for this process (None: another replica holds it)."""
        report = PollReport(source.name)
        started = time.monotonic()
        if claim is None:  # another replica is claiming it this very moment
            report.skipped = "another replica is polling it"
            return Collected(source, 0, 0, report, started, next_due)
        state = claim.state
        collected = Collected(
            source,
            state.id,
            state.consecutive_failures,
            report,
            started,
            next_due,
            state.etag,
            state.last_modified,
            listing_digest=state.listing_digest,
        )
        if claim.passed_over is not None:
            report.skipped = claim.passed_over
            return collected
        try:
            await self._check_robots(source, source.url)
            fetched = await self.fetcher.get(
                source.url, etag=state.etag, last_modified=state.last_modified
            )
            if fetched.not_modified:
                report.not_modified = True
            else:
                # Links may point anywhere; to an internal address only from an internal
                # source. Resolved once per poll.
                internal_allowed = await source_is_internal(source.url)
                candidates = await self._candidates(source, fetched, internal_allowed)
                report.listed = len(candidates)
                digest = listing_digest(candidates)
                # A listing read in full before, links and all, has nothing new: most
                # feeds answer 200 with the same items (a new build date, no validators).
                complete = digest == collected.listing_digest or await self._read_new(
                    collected, candidates, internal_allowed
                )
                # Keep the old validators while links are left over (a page that failed,
                # more new links than one poll takes): a 304 would hide them until the
                # listing changes.
                if complete:
                    collected.read_in_full = ReadInFull(fetched.etag, fetched.last_modified, digest)
        except SourceError as exc:
            report.error = str(exc)
            collected.error = reason_of(exc)  # the table already names the source
        return collected

    async def store(self, polls: list[Collected], pipeline: Pipeline) -> None:
        """Store the articles of one pass's polls, from every source together, oldest
        first (an original before the copies a faster source listed), then record each
        poll."""
        now = datetime.now(UTC)
        found = [(article, c) for c in polls for article in c.articles]
        found.sort(key=lambda pair: pair[0].published_or(now))
        try:
            for incoming, collected in found:
                outcome = await self._store_one(incoming, collected, pipeline)
                if outcome is not None and outcome.stored:
                    collected.report.decisions[outcome.decision.value] += 1
                    collected.report.alerts += len(outcome.queued)
                    _log_outcome(collected.source.name, incoming, outcome)
        finally:
            for collected in polls:
                self._in_flight.difference_update(collected.in_flight)
        # One transaction for the pass's polls: a pass over a thousand sources would
        # otherwise spend more on commits than on recording.
        records = [self._record_of(c) for c in polls if not c.report.skipped]
        if records:
            await self.db.run(_record_polls, records, pipeline.watchlist, self.owner)

    async def _store_one(
        self, incoming: IncomingArticle, collected: Collected, pipeline: Pipeline
    ) -> Outcome | None:
        """One article in its own transaction. A database that fails fails the pass; an
        article that cannot be stored is left for the next poll, and the others are kept."""
        try:
            return await self.db.run(pipeline.ingest, incoming)
        except StorageError:
            raise
        except IntegrityError as exc:  # another process stored it a moment ago
            reason = str(exc.orig).splitlines()[0]
            log.warning("%s: not stored, %s: %s", collected.source.name, incoming.url, reason)
        except Exception:  # a bug on one article must not lose the others
            log.exception("%s: could not store %s", collected.source.name, incoming.url)
        collected.report.store_errors += 1
        collected.read_in_full = None  # keep the old validators: the next poll lists it again
        return None

    def _record_of(self, collected: Collected) -> _PollRecord:
        """What to record of a finished poll: its validators, error and next due time."""
        source, report = collected.source, collected.report
        full = collected.read_in_full
        etag, last_modified = (
            (full.etag, full.last_modified)
            if full
            else (
                collected.etag,
                collected.last_modified,
            )
        )
        report.seconds = time.monotonic() - collected.started
        now = datetime.now(UTC)
        next_due = collected.next_due
        if collected.error is not None and collected.failures_before + 1 >= BACKOFF_AFTER:
            policy = Backoff(source.interval * 2, BACKOFF_LONGEST)
            wait = policy.delay(collected.failures_before + 2 - BACKOFF_AFTER)
            next_due = max(next_due or now, now + wait)
            report.backoff = wait
        return _PollRecord(
            collected.state_id,
            collected.error,
            etag,
            last_modified,
            next_due,
            source,
            collected.failures_before,
            full.digest if full else None,
        )

    async def _candidates(
        self, source: Source, fetched: Fetched, internal_allowed: bool
    ) -> list[Candidate]:
        listing = discover(source, fetched)
        candidates = list(listing.candidates)
        for sitemap_url in listing.sitemaps:
            child = await self.fetcher.get(sitemap_url, internal_allowed=internal_allowed)
            candidates += discover(source, child).candidates
        return candidates

    async def _read_new(
        self, collected: Collected, candidates: list[Candidate], internal_allowed: bool
    ) -> bool:
        """Read the pages of the links not stored yet; False when some are left for the
        next poll."""
        source, state_id, report = collected.source, collected.state_id, collected.report
        by_url = {canonical_url(c.url): c for c in candidates}
        known = await self.links.ask(
            queries.LinkQuestion(
                state_id,
                [*by_url, *(c.url for c in candidates)],
                [c.guid for c in candidates if c.guid],
            )
        )
        unseen = [
            (url, c)
            for url, c in by_url.items()
            if url not in known.urls
            and c.url not in known.urls
            and not (c.guid and c.guid in known.guids)
            and url not in self._in_flight  # another source of ours is fetching it now
        ]
        new = unseen[: self.max_new]
        report.new = len(new)
        collected.in_flight = [url for url, _ in new]
        self._in_flight.update(collected.in_flight)
        # Each poll its own page slots: one slow site must not hold back the others (the
        # fetcher keeps every host to its own pace).
        slots = asyncio.Semaphore(self.page_concurrency)
        pages = await asyncio.gather(
            *(
                self._page(source, state_id, url, c, report, internal_allowed, slots)
                for url, c in new
            )
        )
        collected.articles = [p for p in pages if p is not None]
        return len(collected.articles) == len(unseen)

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
    ) -> IncomingArticle | None:
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
        return IncomingArticle(
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


def _claim_sources(
    session: Session, sources: list[Source], owner: str, respect_backoff: bool
) -> dict[str, SourceClaim | None]:
    requests = [
        queries.ClaimRequest(
            source.name,
            source.kind,
            source.url,
            partial(_ready, source, owner) if respect_backoff else None,
        )
        for source in sources
    ]
    return queries.claim_sources(session, requests, owner)


@dataclass(frozen=True)
class _PollRecord:
    state_id: int
    error: str | None
    etag: str | None
    last_modified: str | None
    next_due: datetime | None
    source: Source
    failures_before: int
    listing_digest: str | None


def _record_polls(
    session: Session, records: list[_PollRecord], watchlist: Watchlist, owner: str
) -> None:
    # The sources' rows in a query per chunk: each record then finds its row in the session
    # instead of selecting it. Held in a list until the polls are recorded: the session's
    # identity map keeps only weak references.
    ids = [r.state_id for r in records]
    rows = [
        state
        for chunk in queries.chunks(ids)
        for state in session.scalars(select(SourceState).where(SourceState.id.in_(chunk)))
    ]
    for record in records:
        _record_poll(session, record, watchlist, owner)
    del rows


def _record_poll(session: Session, record: _PollRecord, watchlist: Watchlist, owner: str) -> None:
    """The poll's outcome (its lease released) and, in the same transaction, the ops
    message it calls for."""
    source = record.source
    state = queries.record_poll(
        session,
        record.state_id,
        error=record.error,
        etag=record.etag,
        last_modified=record.last_modified,
        next_due=record.next_due,
        owner=owner,
        listing_digest=record.listing_digest,
    )
    now = datetime.now(UTC)
    event = note_poll(session, watchlist, source, state, record.failures_before, now)
    if event == "source_down":
        log.warning(
            "%s is down after %d failed polls; the ops channel is told",
            source.name,
            state.consecutive_failures,
        )
    elif event == "source_up":
        log.info("%s works again; the ops channel is told", source.name)


def _ready(source: Source, me: str, state: SourceState, now: datetime) -> str | None:
    """Why a scheduled poll of `source` should not happen now, if it should not: it keeps
    failing and its backoff has not run out, or another replica (or this service before a
    restart) polled it less than DUE_SHARE of its interval ago. Each replica schedules
    every source; this keeps each source to one poll per interval among them."""
    due = state.next_due_at
    if (
        state.consecutive_failures >= BACKOFF_AFTER
        and due is not None
        and due > now + BACKOFF_SLACK
    ):
        return f"failing; next try {due:%H:%M} UTC"
    last, by = state.last_attempt_at, state.lease_owner
    if by not in (None, me) and last is not None and now - last < source.interval * DUE_SHARE:
        return f"{by} polled it {(now - last).total_seconds():.0f} s ago"
    return None


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
    if outcome.too_old:
        detail += " (no alert: published longer than max_age before it was found)"
    log.info(
        "%s: %s: %s%s",
        source,
        outcome.decision.value.replace("_", " "),
        incoming.title[:90],
        detail,
    )
