"""What a site offers to poll: its feeds and news sitemaps, each read as a poll would read
it (`read_feed`, `read_sitemap`) to count its items and find the newest.

Feeds are the ones the page links (`<link rel="alternate">`), else the common paths; the
sitemaps are those robots.txt names (else /sitemap.xml), an index followed to its newest
sitemaps as a poll follows it. A sitemap is a news sitemap when its entries carry news
titles: a plain one lists every page of the site and is no source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from tracker.articles.decode import decode_html
from tracker.articles.urls import absolute_url
from tracker.errors import DiscoverError, FetchError
from tracker.sources.discover import Candidate, read_feed, read_sitemap
from tracker.sources.fetch import Fetched, Fetcher
from tracker.sources.netguard import source_is_internal
from tracker.sources.robots import read_robots

COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml")


@dataclass(frozen=True)
class Offer:
    kind: Literal["feed", "sitemap"]
    url: str
    items: int
    newest: datetime | None
    found: str  # where it was found, in words


@dataclass
class Probe:
    """What `probe_site` found, and what it tried that gave nothing usable."""

    url: str
    offers: list[Offer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def probe_site(fetcher: Fetcher, url: str) -> Probe:
    """Fetch `url` and find its feeds and news sitemaps; a failed home page raises."""
    page = await fetcher.get(url)  # the address the user typed, wherever it lives
    # Links found on the site are its own words: internal addresses only for a site that
    # is itself internal, as for a source.
    probe = Probe(page.url)
    reader = _Reader(fetcher, await source_is_internal(url), probe, {page.url})
    if feed := _as_feed(page):
        probe.offers.append(_offer("feed", page, feed, "the address itself is a feed"))
    else:
        linked = _linked_feeds(page)
        for link in linked:
            await reader.feed(link, "linked from the page")
        if not linked:
            for path in COMMON_FEED_PATHS:
                await reader.feed(urljoin(page.url, path), "at a common path", quiet=True)
    sitemaps = await reader.robots_sitemaps(urljoin(page.url, "/robots.txt"))
    for sitemap in sitemaps:
        await reader.sitemap(sitemap, "named in robots.txt")
    if not sitemaps:
        await reader.sitemap(urljoin(page.url, "/sitemap.xml"), "at /sitemap.xml", quiet=True)
    return probe


@dataclass
class _Reader:
    fetcher: Fetcher
    internal_allowed: bool
    probe: Probe
    seen: set[str] = field(default_factory=set)

    async def fetch(self, url: str, quiet: bool) -> Fetched | None:
        try:
            fetched = await self.fetcher.get(url, internal_allowed=self.internal_allowed)
        except FetchError as exc:
            if not quiet:
                self.probe.notes.append(f"{url}: {exc.reason}")
            return None
        if fetched.url in self.seen:  # two paths, one redirect target
            return None
        self.seen.add(fetched.url)
        return fetched

    async def feed(self, url: str, found: str, quiet: bool = False) -> None:
        fetched = await self.fetch(url, quiet)
        if fetched is None:
            return
        try:
            items = read_feed(fetched)
        except DiscoverError as exc:
            if not quiet:
                self.probe.notes.append(f"{url}: {exc}")
            return
        self.probe.offers.append(_offer("feed", fetched, items, found))

    async def robots_sitemaps(self, url: str) -> list[str]:
        fetched = await self.fetch(url, quiet=True)
        if fetched is None:
            return []
        sitemaps = read_robots(fetched).site_maps() or []
        return [absolute_url(link, fetched.url) for link in sitemaps]

    async def sitemap(self, url: str, found: str, quiet: bool = False, depth: int = 0) -> None:
        fetched = await self.fetch(url, quiet)
        if fetched is None:
            return
        try:
            listing = read_sitemap(fetched)
        except DiscoverError as exc:
            if not quiet:
                self.probe.notes.append(f"{url}: {exc}")
            return
        if listing.sitemaps and depth == 0:
            for child in listing.sitemaps:
                index = urlsplit(fetched.url).path.lstrip("/") or fetched.url
                await self.sitemap(child, f"{found}, listed in {index}", depth=1)
        elif any(c.title for c in listing.candidates):
            self.probe.offers.append(_offer("sitemap", fetched, listing.candidates, found))
        elif listing.candidates:
            self.probe.notes.append(f"{fetched.url}: a sitemap without news entries, skipped")


def _as_feed(page: Fetched) -> list[Candidate] | None:
    """The page's items when the address itself is a feed."""
    start = page.body[:512].lstrip().lower()
    if not (start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) or "xml" in page.content_type):
        return None
    try:
        return read_feed(page)
    except DiscoverError:
        return None


def _linked_feeds(page: Fetched) -> list[str]:
    tree = LexborHTMLParser(decode_html(page.body, page.content_type))
    links = []
    for node in tree.css("link[rel~=alternate][href]"):
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        href = (node.attributes.get("href") or "").strip()
        if kind in _FEED_TYPES and href:
            links.append(absolute_url(href, page.url))
    return list(dict.fromkeys(links))


def _offer(
    kind: Literal["feed", "sitemap"], fetched: Fetched, items: Iterable[Candidate], found: str
) -> Offer:
    listed = list(items)
    dates = [c.published for c in listed if c.published is not None]
    return Offer(kind, fetched.url, len(listed), max(dates, default=None), found)
