"""Listings to candidate links: RSS/Atom feeds, HTML listing pages and sitemaps; plus the
URL, date and charset helpers they lean on."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import Source
from tests.support.corpus import PAGES, record, records
from tracker.articles.dates import parse_date
from tracker.articles.decode import decode_html
from tracker.articles.urls import canonical_url
from tracker.errors import DiscoverError
from tracker.sources.discover import Candidate, discover
from tracker.sources.fetch import Fetched

RSS_ORDER = "a079 a078 a073 a066 a059 a047 a045 a042 a035 a029 a023 a021 a014 a011 a007 a005"
ATOM_ORDER = "a072 a064 a062 a056 a052 a027 a022 a015"
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_source(url="https://x.test/feed/"):
    return Source(name="feed-source", feed=url)


def page_source(url="https://x.test/news/", links="a.headline"):
    return Source(name="page-source", page=url, links=links)


def sitemap_source(url="https://x.test/sitemap.xml"):
    return Source(name="sitemap-source", sitemap=url)


def fetched(url, body, content_type="application/rss+xml; charset=utf-8"):
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"content-type": content_type} if content_type else {}
    return Fetched(url=url, status=200, headers=headers, body=data)


def feed_candidates(body, url="https://x.test/feed/", content_type="application/rss+xml"):
    return discover(feed_source(url), fetched(url, body, content_type)).candidates


def by_url():
    return {r["url"]: r for r in records()}


def rss(*items, encoding="UTF-8"):
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        "<title>Feed</title><link>https://x.test/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def item(link, title="Title"):
    return f"<item><title>{title}</title><link>{link}</link></item>"


# --- the corpus feeds ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sham_post_listing():
    body = (PAGES / "feed_sham-post.xml").read_bytes()
    source = feed_source("https://sham-post.test/feed/")
    return discover(source, fetched("https://sham-post.test/feed/", body, "application/rss+xml"))


@pytest.fixture(scope="module")
def capital_times_listing():
    body = (PAGES / "feed_capital-times.atom").read_bytes()
    url = "https://capital-times.test/feed.atom"
    return discover(feed_source(url), fetched(url, body, "application/atom+xml"))


def test_rss_feed_gives_every_item_newest_first(sham_post_listing):
    known = by_url()

    ids = [known[c.url]["id"] for c in sham_post_listing.candidates]

    assert ids == RSS_ORDER.split()
    assert sham_post_listing.sitemaps == []


def test_rss_items_carry_title_guid_and_the_published_instant(sham_post_listing):
    known = by_url()
    for candidate in sham_post_listing.candidates:
        expected = known[candidate.url]
        assert candidate.title == expected["title"]
        assert re.fullmatch(r"https://sham-post\.test/\?p=\d+", candidate.guid)
        assert candidate.guid != candidate.url
        assert candidate.published.tzinfo is not None
        assert candidate.published.utcoffset() == timedelta(0)
        assert candidate.published == datetime.fromisoformat(expected["published"])


def test_rss_guids_are_distinct(sham_post_listing):
    guids = [c.guid for c in sham_post_listing.candidates]

    assert len(set(guids)) == 16


def test_rss_summaries_are_the_item_descriptions(sham_post_listing):
    root = ET.parse(PAGES / "feed_sham-post.xml").getroot()
    descriptions = {i.findtext("link"): i.findtext("description") for i in root.iter("item")}
    known = by_url()
    for candidate in sham_post_listing.candidates:
        assert candidate.summary == descriptions[candidate.url].strip()
        # The summary is the opening of the article text, cut with an ellipsis.
        assert known[candidate.url]["text"].startswith(candidate.summary.rstrip("…"))


def test_rss_pubdate_with_an_offset_becomes_utc(sham_post_listing):
    first = sham_post_listing.candidates[0]  # pubDate Thu, 05 Feb 2026 10:00:00 +0300

    assert first.published == datetime(2026, 2, 5, 7, 0, tzinfo=UTC)


def test_atom_feed_gives_every_entry(capital_times_listing):
    known = by_url()

    ids = [known[c.url]["id"] for c in capital_times_listing.candidates]

    assert ids == ATOM_ORDER.split()


def test_atom_entries_carry_title_id_date_and_summary(capital_times_listing):
    root = ET.parse(PAGES / "feed_capital-times.atom").getroot()
    entries = {e.find(f"{ATOM}link").get("href"): e for e in root.findall(f"{ATOM}entry")}
    known = by_url()
    for candidate in capital_times_listing.candidates:
        expected = known[candidate.url]
        entry = entries[candidate.url]
        assert candidate.title == expected["title"]
        assert candidate.guid == entry.findtext(f"{ATOM}id")
        assert candidate.guid.startswith("tag:capital-times.test,")
        assert candidate.published == datetime.fromisoformat(expected["published"])
        assert candidate.published.utcoffset() == timedelta(0)
        assert candidate.summary == entry.findtext(f"{ATOM}summary").strip()


# --- feed edge cases -------------------------------------------------------------------------


def test_relative_rss_links_are_resolved_against_the_feed_url():
    body = rss(item("/2026/01/05/one"), item("two"), item("https://other.test/three"))

    urls = [c.url for c in feed_candidates(body, url="https://x.test/feed/")]

    assert urls == [
        "https://x.test/2026/01/05/one",
        "https://x.test/feed/two",
        "https://other.test/three",
    ]


def test_relative_atom_links_are_resolved_against_the_feed_url():
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>F</title><id>tag:x</id><updated>2026-01-01T00:00:00Z</updated>"
        '<entry><title>E</title><link rel="alternate" href="/2026/a"/><id>tag:e</id>'
        "<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
    )

    candidates = feed_candidates(body, "https://x.test/feeds/main.atom", "application/atom+xml")

    assert [c.url for c in candidates] == ["https://x.test/2026/a"]
    assert candidates[0].published == datetime(2026, 1, 1, tzinfo=UTC)  # from <updated>


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "text/xml", "application/xml", None]
)
def test_a_windows_1256_feed_with_a_declaration_decodes_arabic_titles(content_type):
    text = (PAGES / "feed_sham-post.xml").read_text(encoding="utf-8")
    body = text.replace('encoding="UTF-8"', 'encoding="windows-1256"', 1).encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the bytes really are not UTF-8
    known = by_url()

    candidates = feed_candidates(body, "https://sham-post.test/feed/", content_type)

    assert len(candidates) == 16
    for candidate in candidates:
        assert candidate.title == known[candidate.url]["title"]
        assert known[candidate.url]["text"].startswith(candidate.summary.rstrip("…"))


def test_a_windows_1256_feed_declared_in_the_header_decodes():
    body = rss(item("/a", "خبر عاجل من دمشق «قسد»"), encoding="windows-1256").encode("cp1256")

    candidates = feed_candidates(body, content_type="text/xml; charset=windows-1256")

    assert candidates[0].title == "خبر عاجل من دمشق «قسد»"


def test_an_html_page_is_not_a_feed():
    body = (PAGES / "sham-post_a023.html").read_bytes()

    with pytest.raises(DiscoverError, match="not a readable RSS/Atom feed"):
        feed_candidates(body, content_type="text/html; charset=utf-8")


def test_a_well_formed_xhtml_page_is_not_a_feed():
    body = '<?xml version="1.0"?><html><body><a href="/x">x</a></body></html>'

    with pytest.raises(DiscoverError, match="not an RSS or Atom feed"):
        feed_candidates(body, content_type="application/xml")


@pytest.mark.parametrize(
    "body", [bytes(range(256)) * 4, b"", b'{"items": [{"link": "https://x.test/a"}]}']
)
def test_garbage_is_not_a_feed(body):
    with pytest.raises(DiscoverError, match="RSS"):
        feed_candidates(body)


def test_an_empty_but_valid_channel_gives_no_candidates():
    assert feed_candidates(rss()) == []


def test_an_empty_valid_channel_served_as_text_html_gives_no_candidates():
    assert feed_candidates(rss(item("/a")), content_type="text/html")  # with items: fine

    assert feed_candidates(rss(), content_type="text/html") == []


def test_items_without_a_link_are_skipped():
    body = rss("<item><title>no link</title><description>x</description></item>", item("/a"))

    assert [c.url for c in feed_candidates(body)] == ["https://x.test/a"]


def test_duplicate_links_collapse_to_the_first_candidate():
    body = rss(
        item("https://x.test/a", "first"),
        item("https://x.test/b", "other"),
        item("https://x.test/a", "again"),
        item("/a", "relative again"),
    )

    candidates = feed_candidates(body)

    assert [(c.url, c.title) for c in candidates] == [
        ("https://x.test/a", "first"),
        ("https://x.test/b", "other"),
    ]


def test_html_in_a_summary_becomes_text():
    body = rss(
        "<item><title>T</title><link>/a</link>"
        "<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item>"
    )

    (candidate,) = feed_candidates(body)

    assert "<" not in candidate.summary
    assert " ".join(candidate.summary.split()) == "Hello world"


def test_inline_markup_in_a_summary_does_not_split_words():
    body = rss(
        "<item><title>T</title><link>/a</link>"
        "<description>&lt;p&gt;News from Da&lt;em&gt;mascus&lt;/em&gt; today&lt;/p&gt;"
        "</description></item>"
    )

    (candidate,) = feed_candidates(body)

    assert candidate.summary == "News from Damascus today"


def test_an_item_without_dates_or_guid_has_none():
    (candidate,) = feed_candidates(rss(item("/a", "  padded title  ")))

    assert candidate == Candidate(url="https://x.test/a", title="padded title")


# --- HTML listing pages ----------------------------------------------------------------------

LISTING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title></head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<ul>
  <li><a class="headline" href="/2026/01/05/first-story">  First
      <span>story</span> </a></li>
  <li><a class="headline" href="second-story">Second story</a></li>
  <li><a class="headline" href="https://other.test/third">Third story</a></li>
  <li><a class="headline" href="#comments">Comments</a></li>
  <li><a class="headline" href="javascript:void(0)">Load more</a></li>
  <li><a class="headline" href="mailto:desk@x.test">Write to us</a></li>
  <li><a class="headline">No href</a></li>
  <li><a class="headline" href="/2026/01/05/first-story">First story again</a></li>
  <li><a class="headline" href="/2026/01/06/no-text"><img src="/p.jpg"></a></li>
</ul>
<aside><a href="/most-read">Most read</a></aside>
</body></html>"""


def test_a_page_source_finds_the_article_links_its_selector_names():
    source = page_source("https://x.test/news/", "a.headline")

    listing = discover(source, fetched("https://x.test/news/", LISTING, "text/html"))

    assert [(c.url, c.title) for c in listing.candidates] == [
        ("https://x.test/2026/01/05/first-story", "First story"),
        ("https://x.test/news/second-story", "Second story"),
        ("https://other.test/third", "Third story"),
        ("https://x.test/2026/01/06/no-text", None),
    ]
    assert listing.sitemaps == []


def test_a_page_listing_in_windows_1256_decodes_its_titles():
    page = (
        '<html><head><meta charset="windows-1256"></head><body>'
        '<div class="news"><a href="/a1">تحسن في ساعات وصل الكهرباء بدمشق</a></div></body></html>'
    )
    source = page_source("https://x.test/", "div.news a")

    listing = discover(source, fetched("https://x.test/", page.encode("cp1256"), "text/html"))

    assert listing.candidates == [
        Candidate(url="https://x.test/a1", title="تحسن في ساعات وصل الكهرباء بدمشق")
    ]


def test_a_selector_that_matches_nothing_is_a_discover_error():
    source = page_source("https://x.test/news/", "article h2 a")

    with pytest.raises(DiscoverError, match=r"'article h2 a' matched no article links"):
        discover(source, fetched("https://x.test/news/", LISTING, "text/html"))


def test_a_selector_that_matches_only_non_article_links_is_a_discover_error():
    page = '<div class="x"><a href="#top">Top</a><a href="javascript:go()">Go</a></div>'
    source = page_source("https://x.test/news/", "div.x a")

    with pytest.raises(DiscoverError, match="matched no article links"):
        discover(source, fetched("https://x.test/news/", page, "text/html"))


def test_non_article_links_are_skipped_whatever_their_case_or_padding():
    page = (
        '<div class="x"><a href="/real">Real</a><a href="JavaScript:void(0)">More</a>'
        '<a href=" #top">Top</a><a href="MAILTO:desk@x.test">Mail</a></div>'
    )
    source = page_source("https://x.test/news/", "div.x a")

    listing = discover(source, fetched("https://x.test/news/", page, "text/html"))

    assert [c.url for c in listing.candidates] == ["https://x.test/real"]


# --- sitemaps --------------------------------------------------------------------------------

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://x.test/2026/02/05/power</loc>
    <news:news>
      <news:publication><news:name>X</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2026-02-05T10:00:00+03:00</news:publication_date>
      <news:title>تحسن في ساعات وصل الكهرباء بدمشق</news:title>
    </news:news>
  </url>
  <url>
    <loc> https://x.test/2026/02/03/prisons </loc>
    <lastmod>2026-02-03T15:30:00Z</lastmod>
  </url>
  <url><lastmod>2026-02-01</lastmod></url>
  <url>
    <loc>https://x.test/2026/02/05/power</loc>
    <news:news><news:title>duplicate</news:title></news:news>
  </url>
</urlset>"""


def test_a_news_sitemap_gives_candidates_with_titles_and_dates():
    listing = discover(sitemap_source(), fetched("https://x.test/sitemap.xml", NEWS_SITEMAP, ""))

    assert listing.candidates == [
        Candidate(
            url="https://x.test/2026/02/05/power",
            title="تحسن في ساعات وصل الكهرباء بدمشق",
            published=datetime(2026, 2, 5, 7, 0, tzinfo=UTC),
        ),
        Candidate(
            url="https://x.test/2026/02/03/prisons",
            title=None,
            published=datetime(2026, 2, 3, 15, 30, tzinfo=UTC),
        ),
    ]
    assert listing.sitemaps == []


SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://x.test/sitemap-2025-12.xml</loc><lastmod>2025-12-31</lastmod></sitemap>
  <sitemap><loc>https://x.test/sitemap-undated.xml</loc></sitemap>
  <sitemap><loc>https://x.test/sitemap-2026-02.xml</loc><lastmod>2026-02-05T10:00:00Z</lastmod></sitemap>
  <sitemap><loc>/sitemap-2026-01.xml</loc><lastmod>2026-01-31T23:00:00+03:00</lastmod></sitemap>
  <sitemap><loc>https://x.test/sitemap-2025-11.xml</loc><lastmod>2025-11-30</lastmod></sitemap>
  <sitemap><lastmod>2026-03-01</lastmod></sitemap>
</sitemapindex>"""


def test_a_sitemap_index_gives_the_newest_three_nested_sitemaps():
    listing = discover(
        sitemap_source(), fetched("https://x.test/sitemap.xml", SITEMAP_INDEX, "application/xml")
    )

    assert listing.candidates == []
    assert listing.sitemaps == [
        "https://x.test/sitemap-2026-02.xml",
        "https://x.test/sitemap-2026-01.xml",
        "https://x.test/sitemap-2025-12.xml",
    ]


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://x.test/&lol9;</loc></url></urlset>"
)


def test_an_entity_expansion_bomb_is_refused_not_expanded():
    assert BILLION_LAUGHS.count("<!ENTITY") == 10  # lol and lol1..lol9: 10**9 "lol"s

    with pytest.raises(DiscoverError, match="not a readable sitemap"):
        discover(sitemap_source(), fetched("https://x.test/sitemap.xml", BILLION_LAUGHS, ""))


def test_an_external_entity_is_not_fetched():
    body = (
        '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://x.test/&x;</loc></url></urlset>"
    )

    with pytest.raises(DiscoverError, match="not a readable sitemap"):
        discover(sitemap_source(), fetched("https://x.test/sitemap.xml", body, ""))


def test_an_rss_feed_is_not_a_sitemap():
    body = rss(item("/a"))

    with pytest.raises(DiscoverError, match="not a sitemap"):
        discover(sitemap_source(), fetched("https://x.test/sitemap.xml", body, ""))


def test_an_html_page_is_not_a_readable_sitemap():
    body = (PAGES / "sham-post_a023.html").read_bytes()

    with pytest.raises(DiscoverError, match="not a readable sitemap"):
        discover(sitemap_source(), fetched("https://x.test/sitemap.xml", body, "text/html"))


# --- canonical_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.test/a?utm_source=tw&utm_medium=social&id=3", "https://x.test/a?id=3"),
        ("https://x.test/a?UTM_Campaign=x&fbclid=abc&p=48553", "https://x.test/a?p=48553"),
        ("https://x.test/a?gclid=1", "https://x.test/a"),
        ("https://x.test/a#comments", "https://x.test/a"),
        ("HTTPS://News.X.TEST/Path/Case", "https://news.x.test/Path/Case"),
        ("https://x.test:443/a", "https://x.test/a"),
        ("http://x.test:80/a", "http://x.test/a"),
        ("http://x.test:8080/a", "http://x.test:8080/a"),
        ("https://x.test:80/a", "https://x.test:80/a"),
        ("https://x.test/2026/01/story/amp", "https://x.test/2026/01/story"),
        ("https://x.test/2026/01/story/amp/", "https://x.test/2026/01/story"),
        ("https://x.test/2026/01/story?amp=1", "https://x.test/2026/01/story"),
        ("https://x.test/2026/01/story-amp", "https://x.test/2026/01/story-amp"),
        ("https://x.test/?p=48553&page=2", "https://x.test/?p=48553&page=2"),
        ("https://x.test", "https://x.test/"),
        # One encoding for a path, however the listing wrote it.
        ("https://x.test/سوريا", "https://x.test/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"),
        (
            "https://x.test/%d8%b3%d9%88%d8%b1%d9%8a%d8%a7",
            "https://x.test/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7",
        ),
        ("https://x.test/%7Euser/a%20b", "https://x.test/~user/a%20b"),
        ("https://x.test/a%2Fb/c", "https://x.test/a%2Fb/c"),  # an encoded slash stays one
        ("https://x.test/a%2bb", "https://x.test/a%2Bb"),  # an encoded "+" is not a "+"
        ("https://x.test/a+b", "https://x.test/a+b"),
        ("https://x.test/%C7%E1", "https://x.test/%C7%E1"),  # windows-1256 bytes survive
        # Parameters in one order, their values in one encoding.
        ("https://x.test/a?b=2&a=1", "https://x.test/a?a=1&b=2"),
        ("https://x.test/s?q=سوريا&p=2", "https://x.test/s?p=2&q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"),
        ("https://x.test/s?q=%d8%b3", "https://x.test/s?q=%D8%B3"),
        ("https://مثال.x.test/a", "https://xn--mgbh0fb.x.test/a"),
        ("https://Straße.x.test/a", "https://xn--strae-oqa.x.test/a"),  # IDNA 2008
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_of_the_wire_ar_canonical_link_is_the_record_url():
    page = (PAGES / "wire-ar_a046.html").read_text(encoding="utf-8")
    href = re.search(r'<link[^>]+rel="canonical"[^>]+href="([^"]+)"', page)
    if href is None:
        href = re.search(r'<link[^>]+href="([^"]+)"[^>]+rel="canonical"', page)
    assert "utm_" in href.group(1)

    assert canonical_url(href.group(1).replace("&amp;", "&")) == record("a046")["url"]


def test_canonical_url_resolves_against_a_base():
    assert (
        canonical_url("../b?utm_source=x#top", base="https://X.test/news/a/")
        == "https://x.test/news/b"
    )


def test_canonical_url_is_idempotent():
    once = canonical_url("https://X.test:443/a/amp?utm_source=x&q=1#f")

    assert canonical_url(once) == once


@given(
    st.lists(st.text("abسوريا%2F-_.~ ", min_size=1, max_size=6), min_size=1, max_size=3),
    st.dictionaries(st.text("abcq", min_size=1, max_size=3), st.text("xyسو %+&=", max_size=4)),
)
def test_canonical_url_is_one_form_whatever_the_encoding_and_order(segments, params) -> None:
    path = "/".join(segments)
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
    reversed_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in reversed(params.items()))
    written = canonical_url(f"https://x.test/{path}?{query}")
    assert canonical_url(f"https://x.test/{quote(path, safe='/%')}?{reversed_query}") == written
    assert canonical_url(written) == written


def test_canonical_url_keeps_ipv6_hosts_valid():
    assert canonical_url("http://[::1]:8080/a?utm_source=x") == "http://[::1]:8080/a"


# --- parse_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00+03:00", datetime(2026, 1, 5, 7, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00-05:00", datetime(2026, 1, 5, 15, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00.250+0300", datetime(2026, 1, 5, 7, 0, 0, 250000, tzinfo=UTC)),
        ("Thu, 05 Feb 2026 10:00:00 +0300", datetime(2026, 2, 5, 7, 0, tzinfo=UTC)),
        ("Thu, 05 Feb 2026 10:00:00 GMT", datetime(2026, 2, 5, 10, 0, tzinfo=UTC)),
        ("Thu, 05 Feb 2026 10:00:00 -0000", datetime(2026, 2, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
        ("  2026-01-05T10:00:00Z \n", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_date(value, expected):
    parsed = parse_date(value)

    assert parsed == expected
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)


def test_parse_date_reads_every_corpus_published_value():
    for r in records():
        parsed = parse_date(r["published"])
        assert parsed == datetime.fromisoformat(r["published"])
        assert parsed.tzinfo == UTC


def test_parse_date_keeps_the_instant_of_an_offset():
    damascus = timezone(timedelta(hours=3))

    assert parse_date("2026-01-06T21:00:00+03:00") == datetime(2026, 1, 6, 21, tzinfo=damascus)


@pytest.mark.parametrize("value", [None, "", "   ", "garbage", "yesterday", "32/13/2026"])
def test_parse_date_of_garbage_is_none(value):
    assert parse_date(value) is None


# --- decode_html -----------------------------------------------------------------------------


def test_the_header_charset_beats_the_meta_charset():
    body = '<meta charset="windows-1256"><p>خبر عاجل</p>'.encode()

    assert "خبر عاجل" in decode_html(body, "text/html; charset=utf-8")
    assert "خبر عاجل" not in decode_html(body, "text/html")  # the meta alone misleads


def test_the_meta_charset_of_the_levant_daily_page_is_honoured():
    body = (PAGES / "levant-daily_a055.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")

    text = decode_html(body, "text/html")

    assert record("a055")["title"] in text
    assert "\ufffd" not in text


def test_a_windows_1256_header_decodes_the_levant_daily_page():
    body = (PAGES / "levant-daily_a055.html").read_bytes()

    assert record("a055")["title"] in decode_html(body, "text/html; charset=windows-1256")


def test_a_meta_http_equiv_charset_is_honoured():
    body = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><p>شام بوست</p>'
    ).encode("cp1256")

    assert "شام بوست" in decode_html(body)


def test_an_unknown_header_charset_falls_back_to_the_meta():
    body = '<meta charset="windows-1256"><p>دمشق</p>'.encode("cp1256")

    assert "دمشق" in decode_html(body, "text/html; charset=x-no-such-charset")


def test_undeclared_utf8_is_read_as_utf8():
    assert decode_html("<p>دمشق «قسد»</p>".encode()) == "<p>دمشق «قسد»</p>"


def test_undeclared_non_utf8_bytes_fall_back_to_cp1256():
    body = "<p>الحسكة ودمشق</p>".encode("cp1256")

    assert decode_html(body) == "<p>الحسكة ودمشق</p>"
