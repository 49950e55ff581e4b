"""From an article page to its title, body, date, language and canonical URL.

Order: schema.org NewsArticle/Article JSON-LD, then the source's own CSS selectors from the
watchlist, then a generic extractor that keeps the densest block of paragraphs and drops the
page's menus, tickers, captions, teasers, share and comment furniture.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from config import ArticleHints
from tracker.articles.dates import mentions_time, parse_date
from tracker.articles.decode import decode_html
from tracker.articles.generic import generic_body
from tracker.articles.pagecheck import check_page
from tracker.articles.urls import canonical_url
from tracker.errors import ExtractError
from tracker.text.normalise import guess_language

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "report",
    "analysisnewsarticle",
    "backgroundnewsarticle",
    "opinionnewsarticle",
}
_MIN_BODY_CHARS = 80
_DATE_ELEMENTS = (
    '[itemprop="datePublished"], [class*="date"], [id*="date"], [class*="time"], [class*="publish"]'
)
_UPDATED = re.compile(r"updat|modif|edit", re.I)
_BLOCK_END = re.compile(r"</?(?:p|div|br|li|h[1-6])\b[^>]*>", re.I)


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str  # paragraphs separated by one blank line
    published: datetime | None
    lang: str | None
    canonical_url: str | None


def _paragraphs(lines: list[str]) -> str:
    return "\n\n".join(p for p in (" ".join(line.split()) for line in lines) if p)


def extract(
    body: bytes,
    url: str,
    content_type: str = "",
    hints: ArticleHints | None = None,
    zone: tzinfo = UTC,
) -> Extracted:
    """Raise ExtractError when the page holds no article text. `zone` is the outlet's time
    zone, for dates the page prints without an offset."""
    if not body.strip():
        raise ExtractError("the page is empty")
    html_text = decode_html(body, content_type)
    check_page(html_text, content_type)
    tree = LexborHTMLParser(html_text)
    if tree.body is None and tree.head is None:
        raise ExtractError("the page is not HTML")
    ld = _json_ld_article(tree)

    text = _json_ld_body(ld)
    if not text and hints and hints.body:
        text = _paragraphs([n.text(separator=" ") for n in tree.css(hints.body)])
    if not text:
        text = generic_body(tree)
    if len(text) < _MIN_BODY_CHARS:
        raise ExtractError("no article text found on the page")

    title = (
        (_first_text(tree, hints.title) if hints and hints.title else None)
        or _clean(ld.get("headline"))
        or _meta(tree, "og:title")
        or _first_text(tree, "h1")
        or _first_text(tree, "title")
        or ""
    )
    published = (
        parse_date(_clean(ld.get("datePublished")), zone)
        or (parse_date(_first_text(tree, hints.date), zone) if hints and hints.date else None)
        or parse_date(_meta(tree, "article:published_time"), zone)
        or parse_date(_meta(tree, "pubdate"), zone)
        or parse_date(_meta(tree, "date"), zone)
        or _time_datetime(tree, zone)
        or _date_in_words(tree, zone)
    )
    root = tree.css_first("html")
    lang_attr = (root.attributes.get("lang") or "").split("-")[0].lower() if root else ""
    canonical = tree.css_first('link[rel="canonical"]')
    href = (canonical.attributes.get("href") if canonical else None) or _meta(tree, "og:url")
    return Extracted(
        title=" ".join(title.split()),
        text=text,
        published=published,
        lang=lang_attr or guess_language(text),
        canonical_url=canonical_url(href, base=url) if href else None,
    )


def _clean(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _meta(tree: LexborHTMLParser, name: str) -> str | None:
    node = tree.css_first(f'meta[property="{name}"]') or tree.css_first(f'meta[name="{name}"]')
    return _clean(node.attributes.get("content")) if node else None


def _first_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return _clean(node.text(separator=" ")) if node else None


def _time_datetime(tree: LexborHTMLParser, zone: tzinfo) -> datetime | None:
    node = tree.css_first("time[datetime]")
    return parse_date(node.attributes.get("datetime"), zone) if node else None


def _date_in_words(tree: LexborHTMLParser, zone: tzinfo) -> datetime | None:
    """A date printed in words in an element named for it («الثلاثاء 6 كانون الثاني…»),
    skipping "last updated" ones; one with a time of day beats a masthead's bare date."""
    dated: list[tuple[bool, datetime]] = []
    for node in tree.css(_DATE_ELEMENTS):
        marker = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        text = _clean(node.text(separator=" ")) or ""
        if not _UPDATED.search(marker) and (found := parse_date(text, zone)):
            dated.append((mentions_time(text), found))
    return next((when for timed, when in dated if timed), dated[0][1] if dated else None)


def _json_ld_body(ld: dict[str, Any]) -> str:
    """The JSON-LD articleBody as paragraphs, or "" when it is missing or cut short
    (some sites put a teaser ending in "…" there, others HTML)."""
    raw = ld.get("articleBody")
    if isinstance(raw, list):
        raw = "\n".join(str(part) for part in raw)
    if not isinstance(raw, str) or not raw.strip():
        return ""
    if "<" in raw and ">" in raw:
        fragment = LexborHTMLParser(_BLOCK_END.sub(r"\n\g<0>", raw))
        raw = fragment.text(separator="") if fragment.body else raw
    text = _paragraphs(html.unescape(raw).splitlines())
    return "" if text.rstrip(" ]").endswith(("…", "...")) else text


def _json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "null")
        except ValueError:
            continue
        for item in _walk(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                return item
    return {}


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])
