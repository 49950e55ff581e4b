"""From a fetched listing (feed, page or sitemap) to the article links it offers."""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from config import Source
from tracker.articles.dates import from_struct_time, parse_date
from tracker.articles.decode import declared_charset, decode_html, usable_charset
from tracker.articles.pagecheck import check_page
from tracker.articles.urls import absolute_url
from tracker.errors import DiscoverError, ExtractError
from tracker.sources.fetch import Fetched


@dataclass(frozen=True)
class Candidate:
    """An article link and whatever the listing said about it."""

    url: str
    title: str | None = None
    published: datetime | None = None
    summary_html: str | None = None  # as listed; see `summary`
    guid: str | None = None

    @property
    def summary(self) -> str | None:
        """The listing's summary as plain text, read on demand: a poll lists many links and
        rarely needs their summaries."""
        return _plain_text(self.summary_html) if self.summary_html else None


@dataclass(frozen=True)
class Listing:
    candidates: list[Candidate]
    sitemaps: list[str]  # nested sitemaps a sitemap index points to


def discover(source: Source, fetched: Fetched) -> Listing:
    if source.kind == "feed":
        return Listing(read_feed(fetched), [])
    if source.kind == "page":
        assert source.links is not None
        return Listing(read_page(fetched, source.links), [])
    return read_sitemap(fetched)


def _feed_bytes(fetched: Fetched) -> tuple[bytes, dict[str, str]]:
    """A feed whose bytes are not in the charset it declares (or that declares none and is
    not UTF-8) is transcoded to UTF-8 first: feedparser's own guess takes windows-1256
    Arabic for KOI8-R or windows-1252."""
    headers = dict(fetched.headers)
    declared = declared_charset(fetched.body, fetched.content_type)
    charset = usable_charset(fetched.body, fetched.content_type)
    if charset == declared or (declared is None and charset == "utf-8"):
        return fetched.body, headers
    text = fetched.body.decode(charset, errors="replace")
    text = _XML_ENCODING.sub(r"\1utf-8\2", text, count=1)
    headers["content-type"] = "application/xml; charset=utf-8"
    return text.encode("utf-8"), headers


_XML_ENCODING = re.compile(r"""(<\?xml[^>]*encoding\s*=\s*["'])[^"']*(["'])""")


def read_feed(fetched: Fetched) -> list[Candidate]:
    body, headers = _feed_bytes(fetched)
    # Bytes, never a string: feedparser takes a string for a URL or a path.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        harmless = isinstance(
            problem, feedparser.NonXMLContentType | feedparser.CharacterEncodingOverride
        )
        if parsed.get("version") and (problem is None or harmless):
            return []  # a feed with nothing in it (even if served with a wrong media type)
        if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
            raise DiscoverError(f"not a readable RSS/Atom feed: {parsed.bozo_exception}")
        if not parsed.get("version"):
            raise DiscoverError("not an RSS or Atom feed (no feed elements found)")
        return []
    candidates = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None
        )
        if not link:
            continue
        candidates.append(
            Candidate(
                url=absolute_url(link, fetched.url),
                title=(entry.get("title") or "").strip() or None,
                published=from_struct_time(entry.get("published_parsed"))
                or from_struct_time(entry.get("updated_parsed")),
                summary_html=entry.get("summary") or None,
                guid=entry.get("id") or None,
            )
        )
    return _unique(candidates)


def read_page(fetched: Fetched, selector: str) -> list[Candidate]:
    text = decode_html(fetched.body, fetched.content_type)
    try:
        check_page(text, fetched.content_type)
    except ExtractError as exc:
        raise DiscoverError(f"not a readable listing page: {exc}") from exc
    tree = LexborHTMLParser(text)
    candidates = []
    for node in tree.css(selector):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        url = absolute_url(href, fetched.url)
        if urlsplit(url).scheme not in ("http", "https"):
            continue  # javascript:, mailto:, tel: and the like
        candidates.append(Candidate(url=url, title=_plain_text(node.html or "") or None))
    if not candidates:
        raise DiscoverError(f"the links selector {selector!r} matched no article links")
    return _unique(candidates)


_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def read_sitemap(fetched: Fetched) -> Listing:
    try:
        # The standard parser neither fetches external entities nor expands entity bombs
        # (expat >= 2.4.1 refuses them).
        root = ET.fromstring(fetched.body)  # noqa: S314
    except ET.ParseError as exc:
        raise DiscoverError(f"not a readable sitemap: {exc}") from exc
    if root.tag.endswith("sitemapindex"):
        entries = [
            (loc.text.strip(), parse_date(_text(node, "sm:lastmod")))
            for node in root.findall("sm:sitemap", _NS)
            if (loc := node.find("sm:loc", _NS)) is not None and loc.text
        ]
        oldest = datetime.min.replace(tzinfo=UTC)
        newest = sorted(entries, key=lambda entry: entry[1] or oldest, reverse=True)
        return Listing([], [absolute_url(url, fetched.url) for url, _ in newest[:3]])
    if not root.tag.endswith("urlset"):
        raise DiscoverError("not a sitemap (no <urlset> or <sitemapindex>)")
    candidates = []
    for node in root.findall("sm:url", _NS):
        address = _text(node, "sm:loc")
        if not address:
            continue
        candidates.append(
            Candidate(
                url=absolute_url(address, fetched.url),
                title=_text(node, "news:news/news:title"),
                published=parse_date(_text(node, "news:news/news:publication_date"))
                or parse_date(_text(node, "sm:lastmod")),
            )
        )
    return Listing(_unique(candidates), [])


_BLOCK_TAG = re.compile(r"<(/?(?:p|div|li|ul|ol|br|h[1-6]|tr|td|blockquote)\b)", re.I)


def _plain_text(html: str) -> str:
    """Text of an HTML fragment: inline markup joins words, block tags separate them."""
    spaced = _BLOCK_TAG.sub(r" <\1", html)
    return " ".join(LexborHTMLParser(spaced).text(separator="").split())


def _text(node: ET.Element, path: str) -> str | None:
    found = node.find(path, _NS)
    return found.text.strip() if found is not None and found.text else None


def listing_digest(candidates: list[Candidate]) -> str:
    """What a listing links to, in a few bytes: equal for the same links in any order."""
    links = sorted(f"{c.url} {c.guid or ''}" for c in candidates)
    return hashlib.sha256("\n".join(links).encode()).hexdigest()


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.url, candidate)
    return list(seen.values())
