"""robots.txt, for sources that ask to respect it (`robots: true` in the watchlist).

Each host's file is fetched once a day. A host with no file, or one that cannot be
fetched, allows everything: a feed is published to be read, and a broken robots.txt should
not silence a source (the fetch error is in the log).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from tracker.articles.decode import decode_html
from tracker.errors import FetchError
from tracker.sources.fetch import Fetched, Fetcher

log = logging.getLogger(__name__)

AGENT = "news-tracker"
KEEP_SECONDS = 24 * 3600


class RobotsRules:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._rules: dict[str, tuple[float, RobotFileParser | None]] = {}

    async def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        cached = self._rules.get(origin)
        if cached is None or time.monotonic() - cached[0] > KEEP_SECONDS:
            cached = (time.monotonic(), await self._load(origin))
            self._rules[origin] = cached
        rules = cached[1]
        return rules is None or rules.can_fetch(AGENT, url)

    async def _load(self, origin: str) -> RobotFileParser | None:
        try:
            fetched = await self.fetcher.get(f"{origin}/robots.txt")
        except FetchError as exc:
            log.debug("no robots.txt rules for %s: %s", origin, exc.reason)
            return None
        return read_robots(fetched)


def read_robots(fetched: Fetched) -> RobotFileParser:
    """A fetched robots.txt's rules (and the sitemaps it names)."""
    rules = RobotFileParser()
    rules.parse(decode_html(fetched.body, fetched.content_type).splitlines())
    return rules
