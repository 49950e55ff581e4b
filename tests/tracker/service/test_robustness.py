"""What keeps the service safe and honest when things go wrong: the alerts queue command,
leases of killed processes, the ops channel, backoff, robots.txt, internal addresses,
secrets in URLs and dates from the future."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from alerts import AlertPayload, outbox, queue_alert
from storage import Alert, AlertStatus, Article, SourceState, Story
from storage.types import utcnow
from tests.support.corpus import record
from tests.support.site import NewsSite
from tracker.cli import main
from tracker.errors import FetchError, redact
from tracker.service.app import App
from tracker.service.poller import BACKOFF_AFTER
from tracker.sources.fetch import Fetcher, FetchSettings

PAYLOAD = AlertPayload(
    event="new_story",
    topics=[],
    title="عنوان الخبر",
    outlet="wire",
    url="https://wire.test/1",
    published=None,
    lead="",
)


def _queue(db, count: int = 1) -> list[int]:
    """`count` alerts, one per story."""
    with db.session() as session:
        ids = []
        for i in range(count):
            story = Story(title="t")
            session.add(story)
            session.flush()
            article = Article(
                outlet="w",
                url=f"https://w.test/{i}",
                link=f"https://w.test/{i}",
                title="t",
                text="t",
                content_hash=f"{i:064x}",
                story_id=story.id,
                decision="new_story",
            )
            session.add(article)
            session.flush()
            queue_alert(session, "desk", story.id, article.id, PAYLOAD)
            ids.append(article.id)
        return ids


def test_alerts_command_lists_the_queue_and_retries_dead_alerts(
    tmp_path, monkeypatch, capsys, sqlite_db
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", str(sqlite_db.url))
    _queue(sqlite_db, 3)
    with sqlite_db.session() as session:
        first, second, third = session.scalars(select(Alert).order_by(Alert.id)).all()
        outbox.mark_sent(session, first.id)
        session.execute(
            update(Alert)
            .where(Alert.id == second.id)
            .values(status=AlertStatus.DEAD, attempts=12, last_error="HTTP 503 from the channel")
        )

    assert main(["alerts"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 pending, 1 sent, 1 dead"
    assert "HTTP 503 from the channel" in out
    assert "عنوان الخبر" in out

    assert main(["alerts", "--retry"]) == 0
    assert "1 dead alert queued again" in capsys.readouterr().out
    with sqlite_db.session() as session:
        retried = session.get_one(Alert, second.id)
        assert (retried.status, retried.attempts) == ("pending", 0)
        # The others are as they were: one sent stays sent, one pending stays pending.
        assert session.get_one(Alert, first.id).status == "sent"
        assert session.get_one(Alert, third.id).status == "pending"


def test_leases_of_a_killed_process_are_released_at_start(sqlite_db) -> None:
    _queue(sqlite_db, 2)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = os.uname().nodename
    with sqlite_db.session() as session:
        rows = session.scalars(select(Alert).order_by(Alert.id)).all()
        later = utcnow() + timedelta(minutes=2)
        rows[0].lease_owner, rows[0].lease_expires_at = f"{host}:{dead.stdout.strip()}:abc", later
        rows[1].lease_owner, rows[1].lease_expires_at = f"{host}:1:xyz", later  # alive: init

    with sqlite_db.session() as session:
        freed = outbox.release_orphans(session, f"{host}:{os.getpid()}:me")
    assert freed == 1
    with sqlite_db.session() as session:
        claimed = outbox.claim_due(session, "someone")
    assert [a.lease_owner for a in claimed] == ["someone"]


def _app(tmp_path, watchlist: str) -> App:
    config = tmp_path / "watchlist.yaml"
    config.write_text(watchlist, encoding="utf-8")
    return App.open(
        [config],
        f"sqlite:///{tmp_path / 'tracker.db'}",
        FetchSettings(host_delay=0.0, backoff=0.01),
    )


def test_the_ops_channel_hears_once_when_a_source_goes_down_and_once_when_it_is_back(
    tmp_path, news_site: NewsSite, webhook
) -> None:
    feed = news_site.url("/feed.xml")
    app = _app(
        tmp_path,
        f"""version: 1
channels: {{ops: "{webhook.url}"}}
ops: {{channel: ops, down_after: 2}}
sources:
  - {{name: wire-ar, feed: "{feed}"}}
""",
    )
    source = app.watchlist.sources[0]

    async def polls(count: int) -> None:
        for _ in range(count):
            await app.poll(source)
        await app.dispatch()

    try:
        asyncio.run(polls(4))  # the feed is missing: four failures
        news_site.add_feed("/feed.xml", [record("a012")])
        asyncio.run(polls(2))  # back
    finally:
        asyncio.run(app.close())

    titles = [m["title"] for m in webhook.messages]
    assert titles == ["Source down: wire-ar", "Source recovered: wire-ar"]
    assert "has failed 2 polls in a row: HTTP 404" in webhook.messages[0]["message"]


def test_a_failing_source_is_polled_less_often(tmp_path) -> None:
    app = _app(tmp_path, "version: 1\nsources:\n  - {name: gone, feed: 'http://127.0.0.1:9/f'}\n")
    source = app.watchlist.sources[0]

    async def run() -> list:
        return [await app.poll(source, respect_backoff=True) for _ in range(BACKOFF_AFTER + 1)]

    try:
        reports = asyncio.run(run())
    finally:
        asyncio.run(app.close())
    assert all(r.error for r in reports[:BACKOFF_AFTER])
    # Twice the interval (15m) after the third failure in a row, doubling from there.
    assert "failing repeatedly, next try in 30m" in reports[BACKOFF_AFTER - 1].summary()
    assert reports[BACKOFF_AFTER].skipped is not None
    assert "skipped, failing; next try" in reports[BACKOFF_AFTER].summary()
    with app.db.session() as session:
        state = session.scalars(select(SourceState)).one()
        assert state.consecutive_failures == BACKOFF_AFTER


def test_robots_txt_is_respected_when_asked(tmp_path, news_site: NewsSite) -> None:
    allowed, private = record("a012"), {**record("a046"), "url": "https://x.test/private/1"}
    news_site.add_feed("/feed.xml", [allowed, private])
    news_site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    app = _app(
        tmp_path,
        f"""version: 1
defaults: {{robots: true}}
sources:
  - {{name: polite, feed: "{news_site.url("/feed.xml")}"}}
""",
    )
    try:
        report = asyncio.run(app.poll(app.watchlist.sources[0]))
    finally:
        asyncio.run(app.close())
    assert report.decisions["new_story"] == 1
    assert report.article_errors == 1
    assert "/private/1" not in news_site.hits


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.20.30.40", "169.254.169.254", "192.168.1.1", "[::1]"]
)
def test_a_link_to_an_internal_address_is_refused_unfetched(address: str) -> None:
    """A link from a public source to a loopback, private or link-local address (a cloud
    metadata service, a router) is refused before any connection is tried."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text="metadata")

    url = f"http://{address}/latest/meta-data/"
    with pytest.raises(FetchError, match="private or local network address"):
        asyncio.run(_fetch(url, answer, internal_allowed=False))
    assert asked == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "169.254.169.254"])
def test_a_redirect_from_a_public_page_to_an_internal_address_is_not_followed(
    address: str,
) -> None:
    # The first hop is a public address (an IP literal, so nothing is resolved); the
    # transport answers in process, so nothing leaves this machine either.
    public = "http://93.184.215.14/article"
    private = f"http://{address}/latest/meta-data/"
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if str(request.url) == public:
            return httpx.Response(302, headers={"Location": private})
        return httpx.Response(200, text="metadata")

    with pytest.raises(FetchError, match="private or local network address"):
        asyncio.run(_fetch(public, answer, internal_allowed=False))
    assert asked == [public]
    # A source that itself lives on an internal network may follow its own links there.
    assert asyncio.run(_fetch(public, answer, internal_allowed=True)) == b"metadata"


def test_a_source_on_the_local_network_may_fetch_its_own_pages(httpserver) -> None:
    httpserver.expect_request("/page").respond_with_data("local page")
    url = f"http://127.0.0.1:{httpserver.port}/page"
    with pytest.raises(FetchError, match="private or local network address"):
        asyncio.run(_fetch(url, None, internal_allowed=False))
    assert not httpserver.log  # refused before any request was made
    assert asyncio.run(_fetch(url, None, internal_allowed=True)) == b"local page"


async def _fetch(
    url: str,
    answer: Callable[[httpx.Request], httpx.Response] | None,
    *,
    internal_allowed: bool,
) -> bytes:
    transport = httpx.MockTransport(answer) if answer else None
    fetcher = Fetcher(FetchSettings(host_delay=0.0), transport=transport)
    try:
        return (await fetcher.get(url, internal_allowed=internal_allowed)).body
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:hunter2@feeds.test/x", "https://user:***@feeds.test/x"),
        (
            "https://api.test/feed?token=abc123&lang=ar",
            "https://api.test/feed?token=%2A%2A%2A&lang=ar",
        ),
        (
            "https://api.test/feed?api_key=k&sig=s",
            "https://api.test/feed?api_key=%2A%2A%2A&sig=%2A%2A%2A",
        ),
    ],
)
def test_urls_in_errors_keep_their_secrets(url: str, shown: str) -> None:
    assert redact(url) == shown
    assert "hunter2" not in str(FetchError(url, "HTTP 500"))


def test_a_date_in_the_future_becomes_the_time_of_arrival(tmp_path, news_site) -> None:
    future = {**record("a012"), "published": "2099-01-01T00:00:00+00:00"}
    news_site.add_feed("/feed.xml", [future])
    app = _app(
        tmp_path, f"version: 1\nsources:\n  - {{name: s, feed: '{news_site.url('/feed.xml')}'}}\n"
    )
    try:
        before = datetime.now(UTC)
        asyncio.run(app.poll(app.watchlist.sources[0]))
        after = datetime.now(UTC)
        with app.db.session() as session:
            published = session.scalars(select(Article.published_at)).one()
    finally:
        asyncio.run(app.close())
    assert published is not None
    assert before <= published <= after


def test_an_article_whose_page_failed_is_fetched_again_though_the_feed_is_unchanged(
    tmp_path, httpserver
) -> None:
    """The feed answers 304 to a conditional GET; the page that failed must not be lost."""
    from werkzeug import Request, Response

    from tests.support.site import article_page, rss_feed

    base = httpserver.url_for("").rstrip("/")
    good, flaky = record("a012"), record("a046")
    feed = rss_feed(base, [good, flaky])
    failures = {"left": 1}

    def serve_feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(feed, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    def serve_flaky(request: Request) -> Response:
        if failures["left"]:
            failures["left"] -= 1
            return Response("busy", status=404)
        return Response(article_page(flaky), content_type="text/html")

    from urllib.parse import urlsplit

    httpserver.expect_request("/feed.xml").respond_with_handler(serve_feed)
    httpserver.expect_request(urlsplit(good["url"]).path).respond_with_data(
        article_page(good), content_type="text/html"
    )
    httpserver.expect_request(urlsplit(flaky["url"]).path).respond_with_handler(serve_flaky)
    app = _app(tmp_path, f"version: 1\nsources:\n  - {{name: s, feed: '{base}/feed.xml'}}\n")
    source = app.watchlist.sources[0]
    try:
        first = asyncio.run(app.poll(source))
        second = asyncio.run(app.poll(source))
        third = asyncio.run(app.poll(source))
    finally:
        asyncio.run(app.close())
    assert (first.article_errors, sum(first.decisions.values())) == (1, 1)
    assert sum(second.decisions.values()) == 1  # the page that failed, fetched again
    assert third.not_modified  # and now the feed's validators are kept


def test_a_feed_without_validators_is_read_again_until_all_its_links_are_stored(
    tmp_path, httpserver
) -> None:
    """A server that never answers 304 serves the same items every poll. The listing is
    remembered as read in full (its digest) only once every new link was stored: a page
    that failed is fetched again, and then the same listing asks nothing more."""
    from urllib.parse import urlsplit

    from werkzeug import Request, Response

    from storage.models import SourceState
    from tests.support.site import article_page, rss_feed

    base = httpserver.url_for("").rstrip("/")
    good, flaky = record("a012"), record("a046")
    feed = rss_feed(base, [good, flaky])
    failures = {"left": 1}
    page_requests: list[str] = []

    def serve_page(request: Request) -> Response:
        page_requests.append(request.path)
        wanted = flaky if request.path == urlsplit(flaky["url"]).path else good
        if wanted is flaky and failures["left"]:
            failures["left"] -= 1
            return Response("gone for now", status=404)
        return Response(article_page(wanted), content_type="text/html")

    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml"
    )
    for r in (good, flaky):
        httpserver.expect_request(urlsplit(r["url"]).path).respond_with_handler(serve_page)
    app = _app(tmp_path, f"version: 1\nsources:\n  - {{name: s, feed: '{base}/feed.xml'}}\n")
    source = app.watchlist.sources[0]

    def digest() -> str | None:
        with app.db.session() as session:
            return session.scalars(select(SourceState.listing_digest)).one()

    try:
        first = asyncio.run(app.poll(source))
        after_first = digest()
        second = asyncio.run(app.poll(source))
        after_second = digest()
        third = asyncio.run(app.poll(source))
    finally:
        asyncio.run(app.close())
    assert (first.article_errors, sum(first.decisions.values())) == (1, 1)
    assert after_first is None  # a link was left over
    assert (second.new, sum(second.decisions.values())) == (1, 1)  # fetched again
    assert after_second is not None
    assert (third.not_modified, third.listed, third.new) == (False, 2, 0)
    assert sorted(page_requests) == sorted(
        [urlsplit(good["url"]).path] + [urlsplit(flaky["url"]).path] * 2
    )


def test_an_article_the_database_refuses_is_left_for_the_next_poll_and_the_rest_are_kept(
    tmp_path, httpserver, caplog
) -> None:
    """A trigger refuses one article (as a full disk or a racing replica would): the
    others of the pass are stored, the feed's validators are not, and the next poll
    stores the refused one."""
    from urllib.parse import urlsplit

    from sqlalchemy import text

    from tests.support.site import article_page, rss_feed

    base = httpserver.url_for("").rstrip("/")
    kept, refused = record("a012"), record("a046")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base, [kept, refused]),
        content_type="application/rss+xml",
        headers={"ETag": '"v1"'},
    )
    for r in (kept, refused):
        httpserver.expect_request(urlsplit(r["url"]).path).respond_with_data(
            article_page(r), content_type="text/html"
        )
    app = _app(tmp_path, f"version: 1\nsources:\n  - {{name: s, feed: '{base}/feed.xml'}}\n")
    source = app.watchlist.sources[0]
    slug = urlsplit(refused["url"]).path.rsplit("/", 1)[-1]
    with app.db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON articles"
                f" WHEN NEW.url LIKE '%{slug}%'"
                " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
    try:
        first = asyncio.run(app.poll(source))
        with app.db.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER refuse"))
        second = asyncio.run(app.poll(source))
    finally:
        asyncio.run(app.close())

    assert (dict(first.decisions), first.store_errors) == ({"new_story": 1}, 1)
    assert "1 not stored" in first.summary()
    assert "database or disk is full" in caplog.text
    assert not second.not_modified  # the old validators were kept
    assert (second.new, sum(second.decisions.values())) == (1, 1)
    with app.db.session() as session:
        assert len(session.scalars(select(Article)).all()) == 2


def test_a_failing_channel_never_shows_its_secret(sqlite_db, caplog, capsys, monkeypatch) -> None:
    from alerts import Dispatcher
    from config import Channel

    _queue(sqlite_db, 1)
    secret = "json://desk:S3CRET-TOKEN@127.0.0.1:9/hook?token=S3CRET-TOKEN"
    with caplog.at_level("DEBUG"):
        asyncio.run(Dispatcher(sqlite_db, {"desk": Channel(url=secret)}, "t").dispatch_due())
    monkeypatch.setenv("TRACKER_DATABASE_URL", str(sqlite_db.url))
    assert main(["alerts"]) == 0
    shown = caplog.text + capsys.readouterr().out
    assert "not delivered" in caplog.text
    assert "S3CRET" not in shown
