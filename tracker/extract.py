"""From an article page to its title, body, date, language and canonical URL.

Order: schema.org NewsArticle/Article JSON-LD, then the source's own CSS selectors from the
watchlist, then a generic extractor that keeps the densest block of paragraphs and drops the
page's menus, tickers, captions, teasers, share and comment furniture.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from config import ArticleHints
from tracker.dates import parse_date
from tracker.decode import decode_html
from tracker.errors import ExtractError
from tracker.text import guess_language
from tracker.urls import canonical_url

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
_JUNK_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "figure",
    "figcaption",
    "iframe",
    "button",
    "svg",
    "marquee",
    "select",
    "template",
)
_JUNK_MARKERS = re.compile(
    r"comment|share|social|related|sidebar|ticker|breaking|newsletter|caption|advert|"
    r"(^|[-_ ])ads?($|[-_ ])|promo|sponsor|breadcrumb|(^|[-_ ])tags?($|[-_ ])|menu|"
    r"(^|[-_ ])nav|widget|read-?more|most-?read|popular|poll|weather|byline|dateline|"
    r"subscribe|footer|masthead|keyword",
    re.I,
)
_MIN_BODY_CHARS = 80


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
    body: bytes, url: str, content_type: str = "", hints: ArticleHints | None = None
) -> Extracted:
    """Raise ExtractError when the page holds no article text."""
    if not body.strip():
        raise ExtractError("the page is empty")
    tree = LexborHTMLParser(decode_html(body, content_type))
    if tree.body is None and tree.head is None:
        raise ExtractError("the page is not HTML")
    ld = _json_ld_article(tree)

    text = _paragraphs(str(ld.get("articleBody", "")).splitlines()) if ld else ""
    if not text and hints and hints.body:
        text = _paragraphs([n.text(separator=" ") for n in tree.css(hints.body)])
    if not text:
        text = _generic_body(tree)
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
        parse_date(_clean(ld.get("datePublished")))
        or (parse_date(_first_text(tree, hints.date)) if hints and hints.date else None)
        or parse_date(_meta(tree, "article:published_time"))
        or parse_date(_meta(tree, "pubdate"))
        or parse_date(_meta(tree, "date"))
        or _time_datetime(tree)
    )
    html = tree.css_first("html")
    lang_attr = (html.attributes.get("lang") or "").split("-")[0].lower() if html else ""
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


def _time_datetime(tree: LexborHTMLParser) -> datetime | None:
    node = tree.css_first("time[datetime]")
    return parse_date(node.attributes.get("datetime")) if node else None


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


def _is_junk(node: LexborNode) -> bool:
    marker = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    role = node.attributes.get("role") or ""
    return bool(marker.strip() and _JUNK_MARKERS.search(marker)) or role in (
        "navigation",
        "complementary",
        "banner",
        "contentinfo",
    )


def _generic_body(tree: LexborHTMLParser) -> str:
    root = tree.body or tree.root
    if root is None:
        return ""
    for node in root.css(",".join(_JUNK_TAGS)):
        node.decompose()
    for node in list(root.css("[class], [id], [role]")):
        if node.parent is not None and _is_junk(node):
            node.decompose()
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for paragraph in root.css("p"):
        length = len(paragraph.text(separator=" ").strip())
        if length < 20:
            continue
        parent = paragraph.parent
        for weight in (1.0, 0.5):
            if parent is None:
                break
            key = parent.mem_id
            nodes[key] = parent
            scores[key] = scores.get(key, 0.0) + length * weight
            parent = parent.parent
    if not scores:
        return ""
    best = nodes[max(scores, key=scores.__getitem__)]
    lines = [p.text(separator=" ") for p in best.css("p") if _link_density(p) < 0.5]
    return _paragraphs(lines)


def _link_density(node: LexborNode) -> float:
    total = len(node.text(separator=" ").strip()) or 1
    linked = sum(len(a.text(separator=" ").strip()) for a in node.css("a"))
    return linked / total
