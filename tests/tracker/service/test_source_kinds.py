"""Listing pages, news sitemaps and sitemap indexes flow to alerts like feeds do; broken
article pages are skipped one by one with a clear log line, never stopping the source."""

from __future__ import annotations

import asyncio
import html
import logging
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from config import load_watchlist
from storage import SourceState
from tests.support.corpus import record
from tests.support.site import NewsSite
from tracker.service.app import App
from tracker.service.once import run_once

TOPICS = """
topics:
  - name: caesar-act
    any: ["قانون قيصر", "قيصر"]
    none: ["مسلسل"]
    notify: [desk]
  - name: sdf-prisons
    all: [["قسد"], ["سجن", "الشدادي"]]
    notify: [desk]
"""


def _once(tmp_path: Path, watchlist: str):
    config = tmp_path / "watchlist.yaml"
    config.write_text(watchlist + TOPICS, encoding="utf-8")
    load_watchlist([config])

    async def go():
        app = App.open([config], f"sqlite:///{tmp_path / 'tracker.db'}")
        try:
            return await run_once(app), app
        finally:
            await app.close()

    return asyncio.run(go())


def _path(record_id: str) -> str:
    return urlsplit(record(record_id)["url"]).path


def test_a_listing_page_source_reaches_an_alert(tmp_path, news_site: NewsSite, webhook) -> None:
    for rid in ("a001", "a033"):
        news_site.add_article(record(rid))
    listing = f"""<html><body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
      <h3 class="title"><a href="{_path("a001")}">{html.escape(record("a001")["title"])}</a></h3>
      <h3 class="title"><a href="{news_site.url(_path("a033"))}">Iraq</a></h3>
      <h3 class="title"><a href="javascript:void(0)">share</a></h3></body></html>"""
    news_site.add("/news", listing)

    summary, _ = _once(
        tmp_path,
        f"""version: 1
defaults: {{max_age: off}}  # the corpus is past news, found today
channels: {{desk: "{webhook.url}"}}
sources:
  - name: levant-daily
    page: {news_site.url("/news")}
    links: "h3.title a"
""",
    )

    [report] = summary.reports
    assert (report.listed, report.new, report.error) == (2, 2, None)
    [alert] = webhook.messages
    assert record("a001")["title"] in alert["message"]
    assert news_site.url(_path("a001")) in alert["message"]


def test_a_news_sitemap_and_a_sitemap_index_reach_alerts(
    tmp_path, news_site: NewsSite, webhook
) -> None:
    urls = []
    for rid in ("a065", "a074"):
        news_site.add_article(record(rid))
        urls.append(f"""<url><loc>{news_site.url(_path(rid))}</loc><news:news>
          <news:publication><news:name>wire</news:name><news:language>ar</news:language>
          </news:publication><news:publication_date>{record(rid)["published"]}
          </news:publication_date><news:title>{html.escape(record(rid)["title"])}</news:title>
          </news:news></url>""")
    news_site.add(
        "/news-sitemap.xml",
        f"""<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
              xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(urls)}
      </urlset>""",
        "application/xml",
    )
    news_site.add(
        "/sitemap-index.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
      <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>/news-sitemap.xml</loc><lastmod>2026-02-01</lastmod></sitemap>
      </sitemapindex>""",
        "application/xml",
    )

    summary, _ = _once(
        tmp_path,
        f"""version: 1
defaults: {{max_age: off}}  # the corpus is past news, found today
channels: {{desk: "{webhook.url}"}}
sources:
  - name: wire-news
    sitemap: {news_site.url("/news-sitemap.xml")}
  - name: wire-index
    sitemap: {news_site.url("/sitemap-index.xml")}
""",
    )

    reports = {r.source: r for r in summary.reports}
    assert reports["wire-news"].listed == 2
    assert reports["wire-index"].listed == 2
    # Both sources list the same two articles: each is fetched once and alerts once.
    assert sorted(m["message"].split("\n")[0] for m in webhook.messages) == sorted(
        f"**{record(rid)['title']}**" for rid in ("a065", "a074")
    )
    assert news_site.hits[_path("a065")] == 1


def test_broken_article_pages_are_skipped_one_by_one(
    tmp_path, news_site: NewsSite, webhook, caplog
) -> None:
    good = record("a046")
    bad = [
        {**good, "url": "https://x.test/empty", "title": "empty"},
        {**good, "url": "https://x.test/no-article", "title": "nav only"},
        {**good, "url": "https://x.test/broken", "title": "broken"},
        {**good, "url": "https://x.test/missing", "title": "404"},
    ]
    news_site.add_feed("/feed.xml", [good, *bad], with_pages=False)
    news_site.add_article(good)
    news_site.add("/empty", b"")
    news_site.add("/no-article", "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>")
    news_site.add("/broken", b"<html><body><div><p>\x00\xff<<<</p><table><tr><td>" * 500)

    with caplog.at_level(logging.WARNING):
        summary, app = _once(
            tmp_path,
            f"""version: 1
defaults: {{max_age: off}}  # the corpus is past news, found today
channels: {{desk: "{webhook.url}"}}
sources:
  - name: wire-ar
    feed: {news_site.url("/feed.xml")}
""",
        )

    [report] = summary.reports
    assert report.error is None
    assert report.article_errors == 4
    assert report.decisions["new_story"] == 1
    assert len(webhook.messages) == 1
    logged = caplog.text
    assert f"wire-ar: skipped {news_site.url('/empty')}: the page is empty" in logged
    assert f"skipped {news_site.url('/no-article')}: no article text found" in logged
    assert f"skipped {news_site.url('/missing')}: HTTP 404" in logged
    with app.db.session() as session:
        state = session.scalars(select(SourceState)).one()
        assert state.consecutive_failures == 0
