"""`tracker discover URL` on a local site: the feed its page links, the news sitemap its
robots.txt reaches through a sitemap index, the common feed paths, and nothing at all."""

from __future__ import annotations

import textwrap

import pytest
from pytest_httpserver import HTTPServer
from ruamel.yaml import YAML

from config import Source
from tracker.cli import main

HOME = """<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>الخبر</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="الخبر RSS" href="/feed/">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
</head><body><h1>آخر الأخبار</h1></body></html>"""


def rss(*dates: str) -> str:
    items = "".join(
        f"<item><title>خبر {i}</title><link>/news/{i}</link><pubDate>{date}</pubDate></item>"
        for i, date in enumerate(dates)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>الخبر</title>'
        f"<link>/</link><description>d</description>{items}</channel></rss>"
    )


INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/news-sitemap.xml</loc><lastmod>2026-11-27T09:00:00Z</lastmod></sitemap>
  <sitemap><loc>{base}/post-sitemap.xml</loc><lastmod>2026-11-01T00:00:00Z</lastmod></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>"""

NEWS_URL = """<url><loc>{base}/news/{n}</loc><news:news>
  <news:publication><news:name>Al Khabar</news:name><news:language>ar</news:language>
  </news:publication>
  <news:publication_date>{date}</news:publication_date><news:title>خبر {n}</news:title>
</news:news></url>"""

POST_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/about</loc><lastmod>2026-01-01</lastmod></url></urlset>"""


@pytest.fixture(autouse=True)
def _missing_pages_are_404(httpserver: HTTPServer) -> None:
    httpserver.no_handler_status_code = 404  # as on a real site (the default, 500, is retried)


@pytest.fixture
def site(httpserver: HTTPServer) -> str:
    base = httpserver.url_for("").rstrip("/")
    news = [("1", "2026-11-27T08:15:00+03:00"), ("2", "2026-11-26T21:00:00Z")]
    urls = "\n".join(NEWS_URL.format(base=base, n=n, date=d) for n, d in news)
    serve = httpserver.expect_request
    serve("/").respond_with_data(HOME, content_type="text/html; charset=utf-8")
    serve("/feed/").respond_with_data(
        rss(
            "Fri, 27 Nov 2026 09:30:00 +0000",
            "Thu, 26 Nov 2026 18:00:00 +0000",
            "Wed, 25 Nov 2026 07:00:00 +0000",
        ),
        content_type="application/rss+xml; charset=utf-8",
    )
    serve("/robots.txt").respond_with_data(
        f"User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {base}/sitemap_index.xml\n",
        content_type="text/plain",
    )
    serve("/sitemap_index.xml").respond_with_data(
        INDEX.format(base=base), content_type="application/xml"
    )
    serve("/news-sitemap.xml").respond_with_data(
        NEWS_SITEMAP.format(urls=urls), content_type="application/xml"
    )
    serve("/post-sitemap.xml").respond_with_data(
        POST_SITEMAP.format(base=base), content_type="application/xml"
    )
    return base


def test_discover_finds_the_linked_feed_and_the_news_sitemap(site, capsys) -> None:
    assert main(["discover", f"{site}/"]) == 0
    out, err = capsys.readouterr()

    assert out.splitlines() == [
        f"# 1 feed and 1 news sitemap on {site}/; paste under `sources:`",
        "  # 3 items, newest 2026-11-27 09:30 UTC; linked from the page",
        "  - name: localhost",
        f"    feed: {site}/feed/",
        "  # 2 items, newest 2026-11-27 05:15 UTC; named in robots.txt, "
        "listed in sitemap_index.xml",
        "  - name: localhost-news",
        f"    sitemap: {site}/news-sitemap.xml",
    ]
    assert f"{site}/post-sitemap.xml: a sitemap without news entries, skipped" in err

    # What it prints is a valid `sources:` list, as pasted.
    pasted = YAML(typ="safe").load(textwrap.dedent("\n".join(out.splitlines()[1:])))
    assert [Source(**entry).kind for entry in pasted] == ["feed", "sitemap"]


def test_a_feed_address_is_read_as_the_feed(site, capsys) -> None:
    assert main(["discover", f"{site}/feed/"]) == 0
    out = capsys.readouterr().out
    assert "  # 3 items, newest 2026-11-27 09:30 UTC; the address itself is a feed" in out
    assert f"    feed: {site}/feed/" in out


def test_without_links_the_common_feed_paths_are_tried(httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/").respond_with_data("<html><body>hi</body></html>")
    httpserver.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": "/feed/"}
    )
    httpserver.expect_request("/feed/").respond_with_data(
        rss("Fri, 27 Nov 2026 09:30:00 +0000"), content_type="application/rss+xml"
    )
    httpserver.expect_request("/atom.xml").respond_with_data(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        "<entry><title>a</title><link href='/a'/><id>a</id><updated>2026-11-20T10:00:00Z</updated>"
        "</entry></feed>",
        content_type="application/atom+xml",
    )
    assert main(["discover", httpserver.url_for("/")]) == 0
    out = capsys.readouterr().out
    assert "# 2 feeds on" in out
    assert "  # 1 item, newest 2026-11-27 09:30 UTC; at a common path" in out
    assert f"    feed: {httpserver.url_for('/feed/')}" in out  # where /feed leads, once
    assert "  - name: localhost-2" in out
    assert f"    feed: {httpserver.url_for('/atom.xml')}" in out


def test_a_site_with_nothing_to_poll_says_so(httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/").respond_with_data("<html><body>hi</body></html>")
    assert main(["discover", httpserver.url_for("/")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"no feed or news sitemap found on {httpserver.url_for('/')}" in err
    assert "/feed, /rss, /rss.xml" in err


def test_an_unreachable_site_is_an_error_in_words(capsys) -> None:
    assert main(["discover", "http://127.0.0.1:9/"]) == 1
    assert "error: cannot connect" in capsys.readouterr().err


def test_a_malformed_address_is_an_error_in_words(capsys) -> None:
    assert main(["discover", "http://[x"]) == 2
    assert "error: invalid URL 'http://[x'" in capsys.readouterr().err
