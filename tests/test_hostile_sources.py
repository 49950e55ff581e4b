"""Hostile sources never stop the service and never hurt a healthy source.

One `tracker once` pass (a subprocess, as cron runs it) reads a watchlist that holds one
healthy feed (corpus originals a012, a046 and a065, whose alerts must reach the json://
webhook exactly once) beside one source per hostile case, each on its own local HTTP
server: an entity bomb and external entities, a 50 MB body and a lying Content-Length, an
endless slow body, a redirect loop, lying and missing charsets, binary garbage, a page of
100,000 nested <div>s, a feed of 10,000 items, duplicate GUIDs, and dates in 2099 or none
at all. The module fixture runs that pass once (about a minute: the endless body is only
cut by the fetcher's 60 s total timeout) and the `test_pass_*` tests read its outcome case
by case; the smaller tests below them call the fetcher, discovery, extraction and the
poller directly to pinpoint each behaviour.

Hostile articles are about the weather and books: they match no watched topic, so every
alert that arrives must be a healthy one.
"""

from __future__ import annotations

import asyncio
import html
import logging
import random
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

import tracker.articles.extract
from config import Source, load_watchlist
from storage import Article, Database, SourceState
from tests.support.corpus import record
from tests.support.process import run_tracker
from tests.support.receivers import WebhookReceiver, wait_for
from tests.support.site import NewsSite
from tests.support.tables import parse_table
from tests.support.watchlists import topics_yaml
from tracker.articles.decode import decode_html
from tracker.articles.extract import extract
from tracker.errors import DiscoverError, ExtractError, FetchError
from tracker.service.pipeline import Pipeline
from tracker.service.poller import Poller, PollReport
from tracker.sources.discover import discover
from tracker.sources.fetch import Fetched, Fetcher, FetchSettings
from tracker.stories.fingerprint import signature

MB = 1024 * 1024
HEALTHY = ["a012", "a046", "a065"]
ARABIC_TITLES = [
    "أمطار غزيرة تغمر شوارع اللاذقية",
    "افتتاح معرض الكتاب في دمشق بمشاركة واسعة",
    "ارتفاع أسعار الخبز في أسواق حلب",
]
PAGE_DATE = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
# Only a safety net: a hang fails the test instead of holding up the suite.
PASS_TIMEOUT = 150
HANG_GUARD = 30.0


# --- a server that misbehaves on purpose ----------------------------------------------------

Route = Callable[[BaseHTTPRequestHandler, str], None]


class HostileServer:
    """A real local HTTP/1.0 server (each response ends by closing its connection) whose
    routes write raw responses: bodies from generators, lies about their length, a few
    bytes every second. It counts requests and body bytes per path, and notes which
    streamed bodies were written to their end."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.finished: set[str] = set()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                with server._lock:
                    server.hits[path] += 1
                route = server.routes.get(path) or next(
                    (r for p, r in server.prefixes.items() if path.startswith(p)), None
                )
                try:
                    if route is None:
                        server.head(self, 404, "text/plain", 9)
                        server.write(self, path, b"not found")
                    else:
                        route(self, path)
                except OSError:
                    pass  # the client hung up: that is what its caps are for

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def seen(self) -> Counter[str]:
        """Requests per path so far (a copy: handlers add to it from their threads)."""
        with self._lock:
            return Counter(self.hits)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # writing

    def head(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        content_type: str,
        length: int | None,
        extra: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        for name, value in (extra or {}).items():
            handler.send_header(name, value)
        handler.end_headers()

    def write(self, handler: BaseHTTPRequestHandler, path: str, data: bytes) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        with self._lock:
            self.sent[path] += len(data)

    # routes

    def add(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        def route(handler: BaseHTTPRequestHandler, path: str) -> None:
            self.head(handler, 200, content_type, len(body))
            self.write(handler, path, body)

        self.routes[path] = route
        return self.url(path)

    def add_prefix(self, prefix: str, body: bytes, content_type: str = "text/html") -> None:
        """The same body for every path under `prefix`."""

        def route(handler: BaseHTTPRequestHandler, path: str) -> None:
            self.head(handler, 200, content_type, len(body))
            self.write(handler, path, body)

        self.prefixes[prefix] = route

    def add_stream(
        self,
        path: str,
        chunks: Callable[[], Iterable[bytes]],
        content_type: str,
        declared_length: int | None = None,
    ) -> str:
        """A body written chunk by chunk as `chunks()` makes it (never held whole), with
        the Content-Length given (true or not) or none at all."""

        def route(handler: BaseHTTPRequestHandler, path: str) -> None:
            self.head(handler, 200, content_type, declared_length)
            for chunk in chunks():
                if self.stopping.is_set():
                    return
                self.write(handler, path, chunk)
            with self._lock:
                self.finished.add(path)

        self.routes[path] = route
        return self.url(path)

    def add_redirect(self, path: str, location: str) -> str:
        def route(handler: BaseHTTPRequestHandler, path: str) -> None:
            self.head(handler, 302, "text/plain", 0, {"Location": location})

        self.routes[path] = route
        return self.url(path)

    def trickle(self, head: bytes) -> Callable[[], Iterator[bytes]]:
        """`head`, then a few bytes every second, forever (until the server closes)."""

        def chunks() -> Iterator[bytes]:
            yield head
            while not self.stopping.wait(1.0):
                yield b"  \n"

        return chunks


# --- what the servers serve -----------------------------------------------------------------

WEATHER = [
    "شهدت مدينة {city} أمطاراً غزيرة منذ ساعات الصباح، وقالت مديرية الأرصاد الجوية إن "
    "كمية الهطولات بلغت {n} مليمتراً في بعض الأحياء المنخفضة.",
    "وأضافت المديرية أن درجات الحرارة ستنخفض خلال الأيام المقبلة، مع رياح نشطة على "
    "المرتفعات الغربية وضباب كثيف في ساعات الليل المتأخرة.",
    "ودعت البلدية السكان إلى توخي الحذر أثناء القيادة، وأعلنت فتح {k} مراكز إيواء مؤقتة "
    "للعائلات التي تضررت منازلها في الريف القريب من {city}.",
]
BOOKS = (
    "افتتح معرض الكتاب السنوي أبوابه للزوار صباح اليوم، وشاركت فيه دور نشر من عشرين بلداً.\n\n"
    "وامتدت الطوابير أمام القاعات حتى المساء، وقال المنظمون إن الإقبال فاق توقعاتهم هذا العام."
)
CITIES = ["اللاذقية", "طرطوس", "حمص", "حماة", "إدلب", "درعا", "السويداء", "دير الزور"]


def neutral_text(n: int) -> str:
    """A few paragraphs about the weather that match no watched topic."""
    city = CITIES[n % len(CITIES)]
    return "\n\n".join(s.format(city=city, n=12 + n, k=3 + n % 5) for s in WEATHER)


def page(text: str, title: str | None = None, published: str | None = None) -> bytes:
    """An article page in UTF-8; with no title, the stored title is the feed's."""
    head = '<meta charset="utf-8">'
    if title:
        head += f"<title>{html.escape(title)}</title>"
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    heading = f"<h1>{html.escape(title)}</h1>" if title else ""
    return (
        f'<!DOCTYPE html><html lang="ar"><head>{head}</head><body><main><article>'
        f'{heading}<div class="article-body">{paragraphs}</div></article></main></body></html>'
    ).encode()


def item(
    title_xml: str,
    link: str,
    guid: str | None = None,
    date: str | None = None,
    description_xml: str | None = None,
) -> str:
    """An RSS item; `title_xml` and `description_xml` go in as written (they may hold
    entity references)."""
    parts = [f"<title>{title_xml}</title>", f"<link>{html.escape(link)}</link>"]
    if description_xml:
        parts.append(f"<description>{description_xml}</description>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{html.escape(guid)}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def rss(items: Iterable[str], declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{declaration}<rss version="2.0"><channel><title>feed</title><link>http://x.test/</link>'
        + "".join(items)
        + "</channel></rss>"
    )


BILLION_LAUGHS_DTD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n<!ENTITY lol0 "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10)
    )  # &lol9; is 3 × 10⁹ characters
    + "]>"
)


def billion_laughs_feed(link: str) -> bytes:
    return rss(
        [item("&lol9;", link, "bomb-1", description_xml="&lol9;")], BILLION_LAUGHS_DTD
    ).encode()


def external_entity_feed(link: str, secret: Path) -> bytes:
    declaration = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n'
        '<!ENTITY passwd SYSTEM "file:///etc/passwd">\n'
        f'<!ENTITY secret SYSTEM "{secret.as_uri()}">\n]>'
    )
    return rss([item("طقس &passwd; &secret;", link, "xxe-1")], declaration).encode()


def windows_1256_feed(links: list[str], declaration: str) -> bytes:
    entries = [
        item(t, link, f"cp1256-{i}")
        for i, (t, link) in enumerate(zip(ARABIC_TITLES, links, strict=True))
    ]
    return rss(entries, declaration).encode("cp1256")


def garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def nested_page(depth: int) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in neutral_text(7).split("\n\n"))
    return (
        '<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>عمق</title></head>'
        f"<body>{'<div>' * depth}{paragraphs}{'</div>' * depth}</body></html>"
    ).encode()


def huge_feed(total: int) -> Callable[[], Iterator[bytes]]:
    """A feed's start, then comments up to `total` bytes, made one chunk at a time."""

    def chunks() -> Iterator[bytes]:
        head = rss([]).split("</channel>")[0].encode()
        yield head
        pad = b"<!-- " + b"padding " * 131_000 + b"-->\n"
        for _ in range((total - len(head)) // len(pad)):
            yield pad

    return chunks


def feed_then_flood(feed: bytes, total: int) -> Callable[[], Iterator[bytes]]:
    """A complete small feed (what Content-Length announces), then a flood past it."""

    def chunks() -> Iterator[bytes]:
        yield feed
        junk = b"\x00" * MB
        for _ in range(total // MB):
            yield junk

    return chunks


# --- the pass ---------------------------------------------------------------------------------

TOPICS = topics_yaml()


@dataclass(frozen=True)
class Stored:
    title: str
    text: str
    link: str
    guid: str | None
    published: datetime | None


@dataclass
class Pass:
    run: subprocess.CompletedProcess[str]
    rows: dict[str, dict[str, str]]
    articles: dict[str, list[Stored]]
    alerts: list[dict[str, Any]]
    healthy: NewsSite
    servers: dict[str, HostileServer]
    links: dict[str, dict[str, str]] = field(default_factory=dict)  # source → role → URL
    secret: str = ""

    def row(self, source: str) -> dict[str, str]:
        return self.rows[source]

    def stored(self, source: str) -> list[Stored]:
        return self.articles.get(source, [])


def _serve_hostile(tmp: Path) -> tuple[dict[str, HostileServer], dict[str, dict[str, str]], str]:
    """One server per hostile source, so no two share a host's connection slots."""
    servers: dict[str, HostileServer] = {}
    links: dict[str, dict[str, str]] = {}

    def server(name: str) -> HostileServer:
        servers[name] = HostileServer()
        links[name] = {}
        return servers[name]

    # 3. An endless slow body, as a feed and as one of a feed's pages (first: they set the
    # pass's length, and the other sources run beside them).
    s = server("endless-feed")
    links["endless-feed"]["feed"] = s.add_stream(
        "/feed.xml",
        s.trickle(b'<?xml version="1.0"?><rss version="2.0"><channel>'),
        "application/rss+xml",
    )
    s = server("endless-page")
    links["endless-page"]["good"] = s.add("/good", page(neutral_text(1), "طقس الساحل"))
    links["endless-page"]["slow"] = s.add_stream(
        "/slow", s.trickle(b"<html><body><p>"), "text/html; charset=utf-8"
    )
    links["endless-page"]["feed"] = s.add(
        "/feed.xml",
        rss(
            [item("slow", s.url("/slow"), "slow-1"), item("good", s.url("/good"), "good-1")]
        ).encode(),
        "application/rss+xml",
    )

    # 7. A page of 100,000 nested <div>s, listed by an otherwise fine feed.
    s = server("deep-page")
    links["deep-page"]["deep"] = s.add("/deep", nested_page(100_000))
    links["deep-page"]["feed"] = s.add(
        "/feed.xml", rss([item("deep", s.url("/deep"), "deep-1")]).encode(), "application/rss+xml"
    )

    # 8. A feed of 10,000 items, newest first; every page is the same small article.
    s = server("ten-thousand")
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    entries = [
        item(
            f"item {i}",
            s.url(f"/item/{i}"),
            f"big-{i}",
            (start - timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        )
        for i in range(10_000)
    ]
    s.add_prefix("/item/", page(neutral_text(2), "نشرة الطقس"))
    links["ten-thousand"]["feed"] = s.add("/feed.xml", rss(entries).encode(), "application/rss+xml")

    # 1. An entity bomb, and external entities (one a file only this test knows).
    s = server("entity-bomb")
    links["entity-bomb"]["feed"] = s.add(
        "/feed.xml", billion_laughs_feed(s.url("/a")), "application/rss+xml"
    )
    s.add("/a", page(neutral_text(3), "طقس حمص"))
    secret = f"SECRET-{random.Random(7).getrandbits(64):016x}"
    secret_file = tmp / "secret.txt"
    secret_file.write_text(secret + "\n", encoding="utf-8")
    s = server("external-entity")
    links["external-entity"]["feed"] = s.add(
        "/feed.xml", external_entity_feed(s.url("/a"), secret_file), "application/rss+xml"
    )
    s.add("/a", page(neutral_text(4), "طقس حماة"))

    # 2. A 50 MB body with no length; a Content-Length that announces 2,000 bytes of a
    # good feed and is followed by 50 MB more.
    s = server("huge-body")
    links["huge-body"]["feed"] = s.add_stream(
        "/feed.xml", huge_feed(50 * MB), "application/rss+xml"
    )
    s = server("lying-length")
    small = rss([item("ok", s.url("/a"), "ll-1")]).encode()
    small += b" " * (2000 - len(small))
    links["lying-length"]["feed"] = s.add_stream(
        "/feed.xml", feed_then_flood(small, 50 * MB), "application/rss+xml", declared_length=2000
    )
    s.add("/a", page(neutral_text(5), "طقس إدلب"))

    # 4. A redirect loop.
    s = server("redirect-loop")
    s.add_redirect("/b", s.url("/feed.xml"))
    links["redirect-loop"]["feed"] = s.add_redirect("/feed.xml", s.url("/b"))

    # 5. Windows-1256 feeds: one says UTF-8 (header and XML declaration), one says nothing.
    # Their pages have no title of their own, so the stored titles are the feed's.
    for name, declaration, content_type in (
        (
            "charset-lying",
            '<?xml version="1.0" encoding="utf-8"?>',
            "application/rss+xml; charset=utf-8",
        ),
        ("charset-missing", '<?xml version="1.0"?>', "application/rss+xml"),
    ):
        s = server(name)
        pages = [s.add(f"/p{i}", page(neutral_text(10 + i))) for i in range(3)]
        links[name]["feed"] = s.add(
            "/feed.xml", windows_1256_feed(pages, declaration), content_type
        )

    # 6. Binary garbage as a feed, and as one of a fine feed's two pages.
    s = server("garbage-feed")
    links["garbage-feed"]["feed"] = s.add("/feed.xml", garbage(64 * 1024, 1), "application/rss+xml")
    s = server("garbage-page")
    links["garbage-page"]["garbage"] = s.add("/garbage", garbage(64 * 1024, 2), "text/html")
    links["garbage-page"]["good"] = s.add("/good", page(neutral_text(6), "طقس درعا"))
    links["garbage-page"]["feed"] = s.add(
        "/feed.xml",
        rss([item("g", s.url("/garbage"), "g-1"), item("ok", s.url("/good"), "g-2")]).encode(),
        "application/rss+xml",
    )

    # 9. Two items with one GUID and different links.
    s = server("duplicate-guids")
    links["duplicate-guids"]["one"] = s.add("/one", page(neutral_text(8), "طقس السويداء"))
    links["duplicate-guids"]["two"] = s.add(
        "/two",
        page(BOOKS, "معرض الكتاب"),
    )
    links["duplicate-guids"]["feed"] = s.add(
        "/feed.xml",
        rss(
            [item("one", s.url("/one"), "same-guid"), item("two", s.url("/two"), "same-guid")]
        ).encode(),
        "application/rss+xml",
    )

    # 10. Dates: in 2099, not a date, an impossible one, and one past year 9999 in UTC.
    # Every page states its own date, PAGE_DATE.
    s = server("odd-dates")
    dated = {
        "future": "Thu, 01 Jan 2099 10:00:00 GMT",
        "invalid": "not a date",
        "impossible": "Sat, 31 Feb 2026 25:61:00 GMT",
        "edge": "Fri, 31 Dec 9999 23:00:00 -0500",
    }
    entries = []
    for i, (role, date) in enumerate(dated.items()):
        links["odd-dates"][role] = s.add(
            f"/{role}", page(neutral_text(20 + i), f"طقس {role}", PAGE_DATE.isoformat())
        )
        entries.append(item(role, s.url(f"/{role}"), f"date-{role}", date))
    links["odd-dates"]["feed"] = s.add("/feed.xml", rss(entries).encode(), "application/rss+xml")

    return servers, links, secret


def _stored_articles(database: str) -> dict[str, list[Stored]]:
    db = Database(database)
    try:
        with db.session() as session:
            rows = session.execute(
                select(SourceState.name, Article).join(Article, Article.source_id == SourceState.id)
            ).all()
            found: dict[str, list[Stored]] = {}
            for name, a in rows:
                found.setdefault(name, []).append(
                    Stored(a.title, a.text, a.link, a.guid, a.published_at)
                )
            return found
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def hostile_pass(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pass]:
    tmp = tmp_path_factory.mktemp("hostile")
    httpserver = HTTPServer(host="127.0.0.1", threaded=True)
    httpserver.start()
    webhook = WebhookReceiver()
    servers: dict[str, HostileServer] = {}
    try:
        healthy = NewsSite(httpserver)
        healthy.add_feed("/wire/feed.xml", [record(r) for r in HEALTHY])
        servers, links, secret = _serve_hostile(tmp)
        # The healthy source comes last: it waits for a free slot behind the hostile ones.
        sources = (
            "".join(f"  - name: {name}\n    feed: {links[name]['feed']}\n" for name in servers)
            + f"  - name: wire-ar\n    feed: {healthy.url('/wire/feed.xml')}\n"
        )
        config = tmp / "watchlist.yaml"
        config.write_text(
            # The corpus is past news, found today.
            f"version: 1\ndefaults: {{max_age: off}}\n"
            f'channels:\n  desk: "{webhook.url}"\nsources:\n{sources}{TOPICS}',
            encoding="utf-8",
        )
        database = f"sqlite:///{tmp / 'tracker.db'}"
        run = run_tracker(["once", "--config", str(config)], tmp, database, PASS_TIMEOUT)
        table = run_tracker(["sources", "--config", str(config)], tmp, database, PASS_TIMEOUT)
        assert table.returncode == 0, table.stderr
        yield Pass(
            run=run,
            rows=parse_table(table.stdout),
            articles=_stored_articles(database),
            alerts=list(webhook.messages),
            healthy=healthy,
            servers=servers,
            links=links,
            secret=secret,
        )
    finally:
        for server in servers.values():
            server.close()
        webhook.close()
        httpserver.clear()
        httpserver.stop()


def _link_in(message: str) -> str:
    return next(line for line in message.splitlines() if line.startswith("http"))


def _has_no_error(p: Pass, source: str) -> None:
    row = p.row(source)
    assert (row["failures"], row["last error"]) == ("0", ""), row


def _failed_plainly(p: Pass, source: str, reason: str) -> None:
    row = p.row(source)
    assert row["failures"] == "1", row
    assert row["last success"] == "never", row
    assert reason in row["last error"], row
    assert "Traceback" not in row["last error"] and "Error:" not in row["last error"], row


# --- the whole pass ---------------------------------------------------------------------------


@pytest.mark.slow
def test_pass_completes_with_status_0_and_no_traceback(hostile_pass: Pass) -> None:
    p = hostile_pass
    assert p.run.returncode == 0, p.run.stderr[-4000:]
    assert "Traceback" not in p.run.stderr
    # Four sources cannot be read at all: the endless, 50 MB, looping and garbage feeds.
    assert f"pass done: {len(p.servers) + 1} sources polled (4 failed)" in p.run.stderr


@pytest.mark.slow
def test_pass_delivers_every_healthy_alert_exactly_once_and_nothing_else(
    hostile_pass: Pass,
) -> None:
    p = hostile_pass
    links = Counter(_link_in(m["message"]) for m in p.alerts)
    expected = {p.healthy.url(urlsplit(record(r)["url"]).path) for r in HEALTHY}
    assert set(links) == expected
    assert all(n == 1 for n in links.values()), links
    assert all(m["title"].startswith("New story · ") for m in p.alerts)
    row = p.row("wire-ar")
    assert (row["failures"], row["articles"], row["last error"]) == ("0", "3", "")


@pytest.mark.slow
def test_pass_an_entity_bomb_is_not_expanded_and_its_item_is_read(hostile_pass: Pass) -> None:
    # The feed parser leaves &lol9; as it is (a user would accept an error too); what
    # matters is that nothing expands it and the item's page is still read.
    p = hostile_pass
    _has_no_error(p, "entity-bomb")
    [article] = p.stored("entity-bomb")
    assert article.title == "طقس حمص"
    every = " ".join(a.title + a.text for v in p.articles.values() for a in v)
    assert "lollol" not in every


@pytest.mark.slow
def test_pass_external_entities_are_never_read(hostile_pass: Pass) -> None:
    p = hostile_pass
    _has_no_error(p, "external-entity")
    assert len(p.stored("external-entity")) == 1
    every = " ".join(a.title + a.text for v in p.articles.values() for a in v)
    every += " ".join(m["message"] + m["title"] for m in p.alerts) + p.run.stderr
    assert p.secret not in every
    assert "root:" not in every


@pytest.mark.slow
def test_pass_a_50_mb_body_is_cut_at_the_10_mb_cap(hostile_pass: Pass) -> None:
    p = hostile_pass
    _failed_plainly(p, "huge-body", "response over the 10,485,760-byte cap")
    server = p.servers["huge-body"]
    assert server.seen()["/feed.xml"] == 1  # a response over the cap is not asked for again
    assert "/feed.xml" not in server.finished  # the client hung up long before 50 MB


@pytest.mark.slow
def test_pass_a_lying_content_length_is_read_to_its_word_and_no_further(
    hostile_pass: Pass,
) -> None:
    # HTTP says a response ends where its Content-Length says: the 2,000 announced bytes are
    # a good feed, its item is read, and the 50 MB after them are never taken in.
    p = hostile_pass
    _has_no_error(p, "lying-length")
    assert [a.title for a in p.stored("lying-length")] == ["طقس إدلب"]
    assert "/feed.xml" not in p.servers["lying-length"].finished


@pytest.mark.slow
def test_pass_an_endless_slow_feed_is_cut_by_the_total_timeout_and_not_retried(
    hostile_pass: Pass,
) -> None:
    p = hostile_pass
    _failed_plainly(p, "endless-feed", "took longer than 60 s")
    # A retry would only double the wait: the next poll tries again.
    assert p.servers["endless-feed"].seen()["/feed.xml"] == 1


@pytest.mark.slow
def test_pass_an_endless_slow_page_is_skipped_and_its_neighbour_stored(
    hostile_pass: Pass,
) -> None:
    # A page that cannot be read is logged and skipped; its source's poll succeeded.
    p = hostile_pass
    _has_no_error(p, "endless-page")
    assert [a.link for a in p.stored("endless-page")] == [p.links["endless-page"]["good"]]
    slow = p.links["endless-page"]["slow"]
    assert f"endless-page: skipped {slow}: took longer than 60 s" in p.run.stderr


@pytest.mark.slow
def test_pass_a_redirect_loop_is_a_plain_error(hostile_pass: Pass) -> None:
    p = hostile_pass
    _failed_plainly(p, "redirect-loop", "more than 5 redirects")
    assert sum(p.servers["redirect-loop"].seen().values()) == 6  # 1 request + 5 redirects


@pytest.mark.slow
def test_pass_a_windows_1256_feed_without_a_charset_gives_arabic_titles(
    hostile_pass: Pass,
) -> None:
    p = hostile_pass
    _has_no_error(p, "charset-missing")
    assert sorted(a.title for a in p.stored("charset-missing")) == sorted(ARABIC_TITLES)


@pytest.mark.slow
def test_pass_a_windows_1256_feed_that_says_utf_8_is_read_without_error(
    hostile_pass: Pass,
) -> None:
    p = hostile_pass
    _has_no_error(p, "charset-lying")
    assert len(p.stored("charset-lying")) == 3


@pytest.mark.slow
def test_pass_a_windows_1256_feed_that_says_utf_8_still_gives_arabic_titles(
    hostile_pass: Pass,
) -> None:
    # A user wants the titles readable: bytes that are not UTF-8 cannot be UTF-8, whatever
    # the header says, and windows-1256 is what Arabic sites fall back to.
    p = hostile_pass
    assert sorted(a.title for a in p.stored("charset-lying")) == sorted(ARABIC_TITLES)


@pytest.mark.slow
def test_pass_binary_garbage_as_a_feed_is_a_plain_error(hostile_pass: Pass) -> None:
    _failed_plainly(hostile_pass, "garbage-feed", "not a readable RSS/Atom feed")


@pytest.mark.slow
def test_pass_binary_garbage_as_a_page_does_not_stop_its_feed(hostile_pass: Pass) -> None:
    p = hostile_pass
    _has_no_error(p, "garbage-page")
    links = [a.link for a in p.stored("garbage-page")]
    assert p.links["garbage-page"]["good"] in links


@pytest.mark.slow
def test_pass_binary_garbage_as_a_page_is_skipped_not_stored(hostile_pass: Pass) -> None:
    # A user wants junk bytes skipped with a plain reason, never stored (nor alerted on).
    p = hostile_pass
    garbage_link = p.links["garbage-page"]["garbage"]
    assert garbage_link not in [a.link for a in p.stored("garbage-page")]
    assert f"garbage-page: skipped {garbage_link}:" in p.run.stderr


@pytest.mark.slow
def test_pass_a_page_of_100000_nested_divs_is_skipped(hostile_pass: Pass) -> None:
    # Parsing it would hold up every other source for tens of seconds (lexbor's parse grows
    # faster than quadratically with depth), so the page is refused before parsing, with
    # a plain reason, and the source itself stays healthy.
    p = hostile_pass
    _has_no_error(p, "deep-page")
    assert p.stored("deep-page") == []
    assert "deep-page: skipped" in p.run.stderr
    assert "elements deep, past 2,000" in p.run.stderr


@pytest.mark.slow
def test_pass_a_feed_of_10000_items_fetches_a_bounded_number_of_pages(
    hostile_pass: Pass,
) -> None:
    # A user wants the newest items now and the rest over the next polls, not 10,000
    # requests in one pass: at most 100 pages, the newest (the feed lists newest first).
    p = hostile_pass
    _has_no_error(p, "ten-thousand")
    hits = p.servers["ten-thousand"].seen()
    pages = {path for path in hits if path.startswith("/item/")}
    assert pages == {f"/item/{i}" for i in range(100)}
    assert all(hits[path] == 1 for path in pages)
    assert p.row("ten-thousand")["articles"] == "100"


@pytest.mark.slow
def test_pass_items_sharing_a_guid_with_different_links_are_both_stored(
    hostile_pass: Pass,
) -> None:
    # The GUID is the feed's mistake; the links lead to two different articles, and a
    # user wants both rather than losing one to the other.
    p = hostile_pass
    _has_no_error(p, "duplicate-guids")
    stored = sorted((a.link, a.guid) for a in p.stored("duplicate-guids"))
    one, two = p.links["duplicate-guids"]["one"], p.links["duplicate-guids"]["two"]
    assert stored == sorted([(one, "same-guid"), (two, "same-guid")])


@pytest.mark.slow
def test_pass_future_and_invalid_dates_never_store_a_date_in_the_future(
    hostile_pass: Pass,
) -> None:
    # Invalid or impossible feed dates fall back to the page's own date, and so does a
    # date in 2099: it is a mistake, the page's own date is not.
    p = hostile_pass
    _has_no_error(p, "odd-dates")
    by_role = {
        role: next(a for a in p.stored("odd-dates") if a.link == link)
        for role, link in p.links["odd-dates"].items()
        if role != "feed"
    }
    assert {r: a.published for r, a in by_role.items() if r != "future"} == {
        "invalid": PAGE_DATE,
        "impossible": PAGE_DATE,
        "edge": PAGE_DATE,
    }
    assert by_role["future"].published == PAGE_DATE


# --- one case at a time ------------------------------------------------------------------------


def _fetch(url: str, settings: FetchSettings | None = None) -> Fetched:
    async def go() -> Fetched:
        fetcher = Fetcher(settings or FetchSettings())
        try:
            return await asyncio.wait_for(fetcher.get(url), HANG_GUARD)
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


def _fetch_error(url: str, settings: FetchSettings | None = None) -> FetchError:
    with pytest.raises(FetchError) as caught:
        _fetch(url, settings)
    return caught.value


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.close()


def _listing(body: bytes, content_type: str = "application/rss+xml") -> Fetched:
    return Fetched("http://x.test/feed.xml", 200, {"content-type": content_type}, body)


def _feed_titles(body: bytes, content_type: str = "application/rss+xml") -> list[str | None]:
    source = Source(name="s", feed="http://x.test/feed.xml")
    return [c.title for c in discover(source, _listing(body, content_type)).candidates]


def test_an_entity_bomb_in_a_feed_is_read_without_expanding() -> None:
    titles = _feed_titles(billion_laughs_feed("http://x.test/a"))
    assert titles == ["&lol9;"]  # left as written: see test_pass_an_entity_bomb_...


def test_external_entities_in_a_feed_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER\n", encoding="utf-8")
    [title] = _feed_titles(external_entity_feed("http://x.test/a", secret))
    assert title is not None
    assert "SECRET-MARKER" not in title and "root:" not in title


def test_a_50_mb_streamed_body_is_cut_at_the_cap(hostile: HostileServer) -> None:
    url = hostile.add_stream("/big", huge_feed(50 * MB), "application/rss+xml")
    error = _fetch_error(url)
    assert error.reason == "response over the 10,485,760-byte cap"
    assert hostile.seen()["/big"] == 1
    assert "/big" not in hostile.finished


def test_a_declared_50_mb_body_is_refused_before_reading(hostile: HostileServer) -> None:
    url = hostile.add_stream(
        "/big", huge_feed(50 * MB), "application/rss+xml", declared_length=50 * MB
    )
    error = _fetch_error(url)
    assert error.reason == "response of 52,428,800 bytes is over the cap"
    assert hostile.sent["/big"] < 11 * MB


def test_a_content_length_shorter_than_the_body_ends_the_body(hostile: HostileServer) -> None:
    feed = rss([item("ok", "http://x.test/a", "1")]).encode()
    url = hostile.add_stream(
        "/lie", feed_then_flood(feed, 50 * MB), "application/rss+xml", declared_length=len(feed)
    )
    fetched = _fetch(url)
    assert fetched.body == feed
    assert "/lie" not in hostile.finished


def test_an_endless_slow_body_is_cut_at_the_total_timeout_without_a_retry(
    hostile: HostileServer,
) -> None:
    url = hostile.add_stream("/slow", hostile.trickle(b"<rss>"), "application/rss+xml")
    settings = FetchSettings(read_timeout=5.0, total_timeout=2.0, backoff=0.01)
    error = _fetch_error(url, settings)
    assert error.reason == "took longer than 2 s"
    assert not error.retryable
    assert hostile.seen()["/slow"] == 1
    assert "/slow" not in hostile.finished


def test_a_redirect_loop_stops_after_the_redirect_limit(hostile: HostileServer) -> None:
    hostile.add_redirect("/b", hostile.url("/a"))
    url = hostile.add_redirect("/a", hostile.url("/b"))
    error = _fetch_error(url)
    assert error.reason == "more than 5 redirects"
    assert sum(hostile.seen().values()) == 6


def test_a_windows_1256_feed_without_a_charset_gives_arabic_titles() -> None:
    links = [f"http://x.test/{i}" for i in range(3)]
    body = windows_1256_feed(links, '<?xml version="1.0"?>')
    assert _feed_titles(body) == ARABIC_TITLES


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="utf-8"?>', "application/rss+xml; charset=utf-8"),
        ('<?xml version="1.0" encoding="utf-8"?>', "application/rss+xml"),
        ('<?xml version="1.0"?>', "application/rss+xml; charset=utf-8"),
    ],
    ids=["header-and-xml", "xml-only", "header-only"],
)
def test_a_windows_1256_feed_that_says_utf_8_gives_arabic_titles(
    declaration: str, content_type: str
) -> None:
    links = [f"http://x.test/{i}" for i in range(3)]
    assert _feed_titles(windows_1256_feed(links, declaration), content_type) == ARABIC_TITLES


def test_a_windows_1256_page_that_says_utf_8_gives_arabic_text() -> None:
    text = neutral_text(0)
    body = f"<html><body><p>{text}</p></body></html>".encode("cp1256")
    assert text in decode_html(body, "text/html; charset=utf-8")


def test_binary_garbage_is_not_a_feed() -> None:
    with pytest.raises(DiscoverError, match="not a readable RSS/Atom feed"):
        _feed_titles(garbage(64 * 1024, 1))


@pytest.mark.parametrize("content_type", ["text/html", "application/octet-stream", "image/jpeg"])
def test_binary_garbage_is_not_an_article(content_type: str) -> None:
    with pytest.raises(ExtractError):
        extract(garbage(64 * 1024, 2), "http://x.test/garbage", content_type)


def test_text_deeper_than_400_elements_keeps_its_paragraphs_and_drops_scripts() -> None:
    # A user wants the same text however deep the page's markup: paragraphs apart (a watched
    # term glued to the word before it no longer matches), no script or style source.
    body = nested_page(500).replace(
        b"<p>", b"<script>var tracking = 1;</script><style>.x{color:red}</style><p>", 1
    )
    extracted = extract(body, "http://x.test/deep", "text/html; charset=utf-8")
    assert extracted.text == neutral_text(7)


def test_text_nested_1500_elements_deep_is_still_read() -> None:
    # Deeper than 2,000 elements a page is refused (see the 100,000-div case); below, its
    # text is read whole.
    extracted = extract(nested_page(1_500), "http://x.test/deep", "text/html; charset=utf-8")
    assert all(p in extracted.text for p in neutral_text(7).split("\n\n"))
    assert len(extracted.text) < len(neutral_text(7)) + 10


def test_a_deeply_nested_page_is_refused_before_it_is_parsed(
    tmp_path: Path,
    sqlite_db: Database,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A user wants one hostile page (here 440 KB, well under the 10 MB cap) never to
    # freeze the service: parsing it would hold the event loop for seconds. The page is
    # measured before it is parsed, refused with the cap named, and never parsed.
    hostile.add("/deep", nested_page(40_000))
    feed = hostile.add(
        "/feed.xml", rss([item("deep", hostile.url("/deep"), "d")]).encode(), "application/rss+xml"
    )
    parsed: list[int] = []
    real_parser = tracker.articles.extract.LexborHTMLParser

    def recording_parser(html: str) -> Any:
        parsed.append(len(html))
        return real_parser(html)

    monkeypatch.setattr(tracker.articles.extract, "LexborHTMLParser", recording_parser)
    config = tmp_path / "watchlist.yaml"
    config.write_text(f"version: 1\nsources:\n  - name: deep\n    feed: {feed}\n")
    loaded = load_watchlist([config])

    async def go() -> PollReport:
        fetcher = Fetcher(FetchSettings())
        try:
            poller = Poller(sqlite_db, fetcher, "test-host:1:bench")
            return await asyncio.wait_for(
                poller.poll(loaded.sources[0], Pipeline(loaded)), HANG_GUARD
            )
        finally:
            await fetcher.aclose()

    with caplog.at_level(logging.WARNING):
        report = asyncio.run(go())
    assert report.error is None, report.error
    assert report.article_errors == 1
    assert "elements deep, past 2,000" in caplog.text
    assert parsed == []


def test_slow_pages_of_one_source_do_not_hold_up_another_sources_pages(
    tmp_path: Path,
    sqlite_db: Database,
    hostile: HostileServer,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Eight endless pages on one site, cut at 1 s each: a user wants the healthy source's
    # one page fetched beside them, not after them (with the defaults, 100 such pages
    # would hold every source back for 100 / 2 × 60 s, 50 minutes). So the healthy poll
    # is done before the first slow page is given up.
    signature(["a", "first", "signature", "loads", "its", "library"])  # not in the race
    slow = [
        hostile.add_stream(f"/slow/{i}", hostile.trickle(b"<p>"), "text/html") for i in range(8)
    ]
    slow_feed = hostile.add(
        "/feed.xml",
        rss([item(f"s{i}", url, f"s{i}") for i, url in enumerate(slow)]).encode(),
        "application/rss+xml",
    )
    healthy_feed = news_site.add_feed("/wire/feed.xml", [record("a012")])
    config = tmp_path / "watchlist.yaml"
    config.write_text(
        f"version: 1\nsources:\n  - name: slow\n    feed: {slow_feed}\n"
        f"  - name: wire-ar\n    feed: {healthy_feed}\n",
        encoding="utf-8",
    )
    watchlist = load_watchlist([config])
    settings = FetchSettings(read_timeout=5.0, total_timeout=1.0, backoff=0.01)

    def slow_pages_given_up() -> int:
        return sum("slow: skipped" in r.getMessage() for r in caplog.records)

    async def go() -> tuple[int, PollReport, PollReport]:
        fetcher = Fetcher(settings)
        poller = Poller(sqlite_db, fetcher, "test-host:1:bench")
        pipeline = Pipeline(watchlist)
        try:
            slow_poll = asyncio.create_task(poller.poll(watchlist.sources[0], pipeline))
            # Once its pages are asked for, they are queued for the page slots.
            asked = await asyncio.to_thread(
                wait_for, lambda: any(path.startswith("/slow/") for path in hostile.seen()), 10
            )
            assert asked
            report = await asyncio.wait_for(poller.poll(watchlist.sources[1], pipeline), HANG_GUARD)
            given_up_meanwhile = slow_pages_given_up()
            return given_up_meanwhile, report, await asyncio.wait_for(slow_poll, HANG_GUARD)
        finally:
            await fetcher.aclose()

    with caplog.at_level(logging.WARNING):
        given_up_meanwhile, healthy, slow_report = asyncio.run(go())
    assert healthy.error is None and sum(healthy.decisions.values()) == 1
    assert given_up_meanwhile == 0, "the healthy page waited for slow pages to be cut"
    assert slow_report.article_errors == 8 == slow_pages_given_up()


def test_duplicate_guids_with_different_links_stay_two_candidates() -> None:
    body = rss([item("one", "http://x.test/1", "same"), item("two", "http://x.test/2", "same")])
    source = Source(name="s", feed="http://x.test/feed.xml")
    candidates = discover(source, _listing(body.encode())).candidates
    assert [(c.url, c.guid) for c in candidates] == [
        ("http://x.test/1", "same"),
        ("http://x.test/2", "same"),
    ]
