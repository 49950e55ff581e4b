"""The news sites of bench/once.py, in a process of their own so their cost is not ours.

    .venv/bin/python bench/_feeds_server.py SOURCES ARTICLES

Serves SOURCES RSS feeds (/s{S}/feed.xml) of ARTICLES article pages each, made from the
corpus as tests/support/site.py makes them (each text made unique by a line of its own),
on 127.0.0.1 over HTTP/1.1 with keep-alive. Prints its base URL on stdout, then serves
until its stdin is closed.

Every response carries an ETag and a Last-Modified, and a conditional GET that matches them
is answered 304. A feed's lastBuildDate (hence its validators) is that of the server's
"generation": GET /_bench/next moves to the next one, so each feed answers the next
conditional GET with a 200 and the same items, as a feed that rebuilds itself does;
GET /_bench/shorter does too, and drops each feed's oldest item (every link it lists
is then known, but the listing is not the one read last).
GET /_bench/stats counts the answers so far by kind, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.support.site import article_page, rss_feed

CORPUS = Path(__file__).parents[1] / "tests" / "data" / "corpus" / "articles.jsonl"
HOST = "127.0.0.1"
# Feeds are rebuilt once an hour from here: generation g was built at EPOCH + g hours.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
FEED_TYPE = "application/rss+xml; charset=utf-8"
PAGE_TYPE = "text/html; charset=utf-8"


def feed_records(
    source: int, per_source: int, corpus: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The items of source `source`'s feed: corpus records, each text made unique."""
    items = []
    for a in range(per_source):
        base = corpus[(source * per_source + a) % len(corpus)]
        items.append(
            {
                **base,
                "id": f"s{source}a{a}",
                "url": f"https://x.test/s{source}/{a}/{base['id']}",
                "text": f"{base['text']}\n\nنشرة رقم {source}-{a}.",
            }
        )
    return items


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: str, content_type: str, modified: datetime) -> Resource:
        data = body.encode("utf-8")
        return cls(data, content_type, f'"{zlib.crc32(data):08x}"', modified)

    def unchanged_for(self, headers: dict[str, str]) -> bool:
        """Whether a conditional GET with these headers is answered 304 (If-None-Match
        first; If-Modified-Since only without it, as RFC 9110 says)."""
        tags = headers.get("if-none-match")
        if tags is not None:
            return tags.strip() == "*" or self.etag in (t.strip() for t in tags.split(","))
        since = headers.get("if-modified-since")
        if since is None:
            return False
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return when.tzinfo is not None and self.last_modified <= when


@dataclass
class Sites:
    base: str
    sources: int
    per_source: int
    corpus: list[dict[str, Any]]
    generation: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    _pages: dict[str, Resource] = field(default_factory=dict)
    _items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _feeds: dict[str, Resource] = field(default_factory=dict)  # this generation's

    def __post_init__(self) -> None:
        for s in range(self.sources):
            records = feed_records(s, self.per_source, self.corpus)
            self._items[f"/s{s}/feed.xml"] = sorted(
                records, key=lambda r: datetime.fromisoformat(r["published"]), reverse=True
            )
            for r in records:
                path = r["url"].removeprefix("https://x.test")
                self._pages[path] = Resource.of(article_page(r), PAGE_TYPE, EPOCH)

    def feed(self, path: str) -> Resource | None:
        found = self._feeds.get(path)
        if found is None and path in self._items:
            built = EPOCH + timedelta(hours=self.generation)
            xml = rss_feed(self.base, self._items[path], f"outlet {path.split('/')[1]}")
            xml = xml.replace(
                "<channel>",
                f"<channel><lastBuildDate>{format_datetime(built, usegmt=True)}</lastBuildDate>",
                1,
            )
            found = self._feeds[path] = Resource.of(xml, FEED_TYPE, built)
        return found

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        """Status, header lines and body for a GET of `path`."""
        if path in ("/_bench/next", "/_bench/shorter"):
            self.generation += 1
            self._feeds.clear()
            if path == "/_bench/shorter":
                self._items = {feed: items[:-1] for feed, items in self._items.items()}
            return 200, ["Content-Type: text/plain"], str(self.generation).encode()
        if path == "/_bench/stats":
            return 200, ["Content-Type: application/json"], json.dumps(self.counts).encode()
        is_feed = path.endswith("/feed.xml")
        found = self.feed(path) if is_feed else self._pages.get(path)
        kind = "feed" if is_feed else "page"
        if found is None:
            self.counts["404"] += 1
            return 404, ["Content-Type: text/plain"], b"not found"
        validators = [
            f"ETag: {found.etag}",
            f"Last-Modified: {format_datetime(found.last_modified, usegmt=True)}",
        ]
        if found.unchanged_for(headers):
            self.counts[f"{kind} 304"] += 1
            return 304, validators, b""
        self.counts[f"{kind} 200"] += 1
        return 200, [f"Content-Type: {found.content_type}", *validators], found.body


_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}


async def serve_connection(
    sites: Sites, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 GETs on one connection, kept alive until the client closes it."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            request = lines[0].split(" ")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            if len(request) != 3 or request[0] not in ("GET", "HEAD"):
                status, extra, body = 400, ["Content-Type: text/plain"], b"GET only"
            else:
                status, extra, body = sites.respond(request[1].split("?", 1)[0], headers)
            closing = headers.get("connection", "").lower() == "close" or request[-1] in (
                "HTTP/1.0",
                "",
            )
            lines_out = [
                f"HTTP/1.1 {status} {_REASONS[status]}",
                *extra,
                f"Content-Length: {len(body)}",
                "Connection: close" if closing else "Connection: keep-alive",
            ]
            writer.write("\r\n".join(lines_out).encode("latin-1") + b"\r\n\r\n")
            if request[0] != "HEAD" and status != 304:
                writer.write(body)
            await writer.drain()
            if closing:
                return
    finally:
        writer.close()


async def serve(sources: int, per_source: int, ports: int = 1) -> None:
    """Serve on `ports` ports (the same sites on each: a fetcher paces requests per host
    and port, so many ports stand for many outlets); print their base URLs on one line."""
    corpus = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    holder: list[Sites] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(holder[0], reader, writer)

    servers = [await asyncio.start_server(on_connect, HOST, 0, backlog=1024) for _ in range(ports)]
    bases = [f"http://{HOST}:{server.sockets[0].getsockname()[1]}" for server in servers]
    holder.append(Sites(bases[0], sources, per_source, corpus))
    print(" ".join(bases), flush=True)
    try:
        # Until whoever started us closes our stdin (or ends).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
    finally:
        for server in servers:
            server.close()


def main() -> None:
    if len(sys.argv) not in (3, 4):
        print("bench/_feeds_server.py SOURCES ARTICLES [PORTS]: started by bench/once.py")
        return
    ports = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), ports))


if __name__ == "__main__":
    main()
