"""A fake news site on a real local HTTP server: feeds and article pages made from corpus
records (or the corpus' own example pages), served under each record's URL path."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.support.corpus import PAGES


def article_page(record: dict[str, Any]) -> str:
    """A realistic article page: menus, ticker, caption twice, teasers, comment count."""
    lang = record.get("lang", "ar")
    direction = "rtl" if lang == "ar" else "ltr"
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in record["text"].split("\n\n"))
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
<head><meta charset="utf-8"><title>{html.escape(record["title"])} | {record["outlet"]}</title>
<meta property="article:published_time" content="{record["published"]}"></head>
<body>
<header><nav><a href="/">الرئيسية</a> <a href="/politics">سياسة</a></nav></header>
<div class="ticker">عاجل: أخبار متفرقة من الحسكة ودمشق</div>
<main><article>
<h1>{html.escape(record["title"])}</h1>
<time datetime="{record["published"]}">{record["published"]}</time>
<figure><img src="/photo.jpg"><figcaption>صورة أرشيفية</figcaption></figure>
<div class="article-body">
{paragraphs}
</div>
<div class="share">شارك: فيسبوك تويتر</div>
<div class="comments-count">0 تعليق</div>
</article>
<aside class="related"><h3>اقرأ أيضاً</h3>
<ul><li><a href="/other">خبر آخر عن غزة</a></li></ul></aside>
</main>
<footer>جميع الحقوق محفوظة</footer>
</body></html>"""


def rss_feed(base: str, records: Iterable[dict[str, Any]], title: str = "Feed") -> str:
    items = []
    for r in records:
        published = format_datetime(datetime.fromisoformat(r["published"]))
        items.append(
            f"<item><title>{html.escape(r['title'])}</title>"
            f"<link>{base}{urlsplit(r['url']).path}</link>"
            f'<guid isPermaLink="false">{r["id"]}</guid>'
            f"<pubDate>{published}</pubDate>"
            f"<description>{html.escape(r['text'][:200])}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{base}/</link>"
        + "".join(items)
        + "</channel></rss>"
    )


class NewsSite:
    """Routes on a pytest-httpserver: feeds, pages, and anything a test adds."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base = server.url_for("").rstrip("/")
        self.hits: dict[str, int] = {}
        self.hit_times: dict[str, list[float]] = {}  # time.monotonic() of each request
        self._routes: dict[str, tuple[bytes, str]] = {}
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def url(self, path: str) -> str:
        return self.base + path

    def add(
        self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8"
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._routes[path] = (data, content_type)
        return self.url(path)

    def add_article(self, record: dict[str, Any]) -> str:
        return self.add(urlsplit(record["url"]).path, article_page(record))

    def add_corpus_page(
        self, filename: str, record: dict[str, Any], content_type: str = "text/html"
    ) -> str:
        return self.add(urlsplit(record["url"]).path, (PAGES / filename).read_bytes(), content_type)

    def add_feed(self, path: str, records: list[dict[str, Any]], with_pages: bool = True) -> str:
        newest_first = sorted(
            records, key=lambda r: datetime.fromisoformat(r["published"]), reverse=True
        )
        if with_pages:
            for r in records:
                if urlsplit(r["url"]).path not in self._routes:
                    self.add_article(r)
        return self.add(
            path, rss_feed(self.base, newest_first), "application/rss+xml; charset=utf-8"
        )

    def _handle(self, request: Request) -> Response:
        path = request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        self.hit_times.setdefault(path, []).append(time.monotonic())
        if path not in self._routes:
            return Response("not found", status=404)
        body, content_type = self._routes[path]
        return Response(body, status=200, content_type=content_type)


def json_lines(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
