"""`tracker discover URL`: a site's feeds and news sitemaps, as watchlist entries to paste."""

from __future__ import annotations

import sys
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fetcher loads httpx: only when the command runs
    from tracker.sources.probe import Offer, Probe


def discover(url: str) -> int:
    import asyncio

    from tracker.sources.fetch import Fetcher, FetchSettings
    from tracker.sources.probe import probe_site

    async def go() -> Probe:
        # No retries: most addresses tried do not exist, and a person can run it again.
        fetcher = Fetcher(FetchSettings(retries=0))
        try:
            return await probe_site(fetcher, url)
        finally:
            await fetcher.aclose()

    from config.schema import check_http_url

    if "://" not in url:
        url = f"https://{url}"  # "example.org", as people type it
    try:
        url = check_http_url(url)
        probe = asyncio.run(go())
    except ValueError as exc:  # a malformed address ("http://[x")
        problem = str(exc) if str(exc).startswith("invalid URL") else f"invalid URL {url!r}: {exc}"
        print(f"error: {problem}", file=sys.stderr)
        return 2
    for note in probe.notes:
        print(f"note: {note}", file=sys.stderr)
    if not probe.offers:
        print(
            f'no feed or news sitemap found on {probe.url} (looked for <link rel="alternate"> '
            "feeds, /feed, /rss, /rss.xml, /feed.xml, /atom.xml, /index.xml, and sitemaps "
            "in robots.txt and at /sitemap.xml)",
            file=sys.stderr,
        )
        return 1
    print(f"# {_summary(probe.offers)} on {probe.url}; paste under `sources:`")
    print("\n".join(entry_lines(probe)))
    return 0


def entry_lines(probe: Probe) -> list[str]:
    """Each offer as a commented `sources:` item, named after the site's host."""
    from config.source_names import host_name, unique_name
    from config.sources_file import render_entries

    base = host_name(probe.url)
    taken: set[str] = set()
    lines = []
    for offer in probe.offers:
        name = unique_name(base if offer.kind == "feed" else f"{base}-news", taken)
        taken.add(name)
        lines.append(f"  # {_described(offer)}")
        lines.extend(render_entries([{"name": name, offer.kind: offer.url}], indent=2))
    return lines


def _described(offer: Offer) -> str:
    items = f"{offer.items} item{'s' if offer.items != 1 else ''}"
    newest = offer.newest.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if offer.newest else ""
    dated = f"newest {newest}" if newest else "undated"
    return f"{items}, {dated}; {offer.found}"


def _summary(offers: list[Offer]) -> str:
    feeds = sum(1 for o in offers if o.kind == "feed")
    sitemaps = len(offers) - feeds
    parts = []
    if feeds:
        parts.append(f"{feeds} feed{'s' if feeds != 1 else ''}")
    if sitemaps:
        parts.append(f"{sitemaps} news sitemap{'s' if sitemaps != 1 else ''}")
    return " and ".join(parts)
