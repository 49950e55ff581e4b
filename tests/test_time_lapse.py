"""A news web released over simulated time: each outlet a local feed that shows what it
has published by the simulated clock, polled every 3 to 24 hours as `tracker run` polls its
sources, the busiest outlet down (HTTP 503) for two days. Every watched event of the corpus
alerts once, whatever order its articles reach the tracker in."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from config import load_watchlist
from storage import Alert, Article
from tests.support.arrivals import Record, down_window, load_stream, time_lapse_polls
from tests.support.site import article_page, rss_feed
from tracker.service.app import App
from tracker.sources.fetch import FetchSettings

TOPICS = Path(__file__).parent / "data" / "corpus-watchlist.yaml"


class ReleasingWeb:
    """Every outlet's feed lists what it published up to `clock`; its pages are served
    from the start (a page that is not listed yet is never asked for)."""

    def __init__(self, server: HTTPServer, records: list[Record]) -> None:
        self.base = server.url_for("").rstrip("/")
        self.records = records
        self.clock = min(r.published for r in records)
        self.down: tuple[str, datetime, datetime] | None = None
        self.pages = {_path(r): r for r in records}
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def feed_url(self, outlet: str) -> str:
        return f"{self.base}/{outlet}/feed.xml"

    def _handle(self, request: Request) -> Response:
        if request.path.endswith("/feed.xml"):
            outlet = request.path.split("/")[1]
            if self.down and self.down[0] == outlet and self.down[1] <= self.clock < self.down[2]:
                return Response("down for maintenance", status=503)
            listed = [
                r.raw
                for r in sorted(self.records, key=lambda r: r.published, reverse=True)
                if r.outlet == outlet and r.published <= self.clock
            ]
            return Response(rss_feed(self.base, listed), content_type="application/rss+xml")
        record = self.pages.get(request.path)
        if record is None:
            return Response("not found", status=404)
        return Response(article_page(record.raw), content_type="text/html; charset=utf-8")


def _path(record: Record) -> str:
    return urlsplit(record.raw["url"]).path


def test_each_event_alerts_once_across_polls_at_different_rates_and_an_outage(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    records = load_stream("corpus")
    web = ReleasingWeb(httpserver, records)
    web.down = down_window(records)
    outlets = sorted({r.outlet for r in records})
    sources = "".join(f"  - name: {o}\n    feed: {web.feed_url(o)}\n" for o in outlets)
    topics = TOPICS.read_text(encoding="utf-8").split("\ntopics:\n", 1)[1]
    config = tmp_path / "watchlist.yaml"
    config.write_text(
        "version: 1\ndefaults: {max_age: off}  # the corpus is past news\n"
        'channels:\n  desk: "json://127.0.0.1:9/alerts"\n'
        f"sources:\n{sources}topics:\n{topics}",
        encoding="utf-8",
    )
    watchlist = load_watchlist([config])
    failed = 0

    async def go() -> None:
        nonlocal failed
        # All outlets share one local host here; real ones are paced per host.
        settings = FetchSettings(host_delay=0.0)
        app = App.open([config], f"sqlite:///{tmp_path / 'tracker.db'}", settings)
        try:
            for poll in time_lapse_polls(records):
                web.clock = poll.at
                source = watchlist.source(poll.outlet)
                assert source is not None
                report = await app.poller.poll(source, app.pipeline)
                failed += report.error is not None
        finally:
            await app.close()

    asyncio.run(go())

    from storage import Database

    db = Database(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with db.session() as session:
            rows = session.execute(
                select(Article.link).join(Alert, Alert.article_id == Article.id)
            ).all()
            stored = session.scalar(select(Article.id).order_by(Article.id.desc()).limit(1))
    finally:
        db.dispose()
    by_path = {_path(r): r for r in records}
    alerted = Counter(by_path[urlsplit(link).path].event for (link,) in rows)
    watched = {r.event for r in records if r.watched}
    assert failed > 0, "the outage never showed"
    assert stored == len(records)
    assert set(alerted) == watched, sorted(set(alerted) ^ watched)
    assert all(n == 1 for n in alerted.values()), {e: n for e, n in alerted.items() if n > 1}
