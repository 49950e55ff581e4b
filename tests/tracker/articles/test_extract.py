from __future__ import annotations

import gzip
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config import ArticleHints
from tests.support.corpus import PAGES, record
from tests.support.site import article_page
from tracker.articles.extract import extract
from tracker.cli import main
from tracker.errors import ExtractError

PAGE_RECORDS = {
    "sham-post_a023.html": "a023",
    "furat-news_a068.html": "a068",
    "levant-daily_a055.html": "a055",
    "wire-ar_a046.html": "a046",
    "capital-times_a052.html": "a052",
}
CLUTTER = ["0 تعليق", "اقرأ أيضاً", "كلمات مفتاحية", "شارك", "عاجل"]


@pytest.mark.parametrize(("filename", "record_id"), PAGE_RECORDS.items())
def test_corpus_pages_extract_to_their_record(filename: str, record_id: str) -> None:
    expected = record(record_id)
    page = extract((PAGES / filename).read_bytes(), expected["url"], "text/html")
    assert page.text == expected["text"]
    assert page.title == expected["title"]
    assert page.lang == expected["lang"]
    for line in CLUTTER:
        assert line not in page.text.replace(expected["text"], "")


@pytest.mark.parametrize("filename", PAGE_RECORDS)
def test_publish_dates_are_read_as_utc(filename: str) -> None:
    """levant-daily prints only «الثلاثاء 6 كانون الثاني/يناير 2026 - 21:00», Damascus time."""
    expected = record(PAGE_RECORDS[filename])
    page = extract(
        (PAGES / filename).read_bytes(),
        expected["url"],
        "text/html",
        zone=ZoneInfo("Asia/Damascus"),
    )
    assert page.published == datetime.fromisoformat(expected["published"])
    assert page.published is not None and page.published.utcoffset().total_seconds() == 0


def test_canonical_url_drops_tracking_parameters() -> None:
    expected = record("a046")
    page = extract((PAGES / "wire-ar_a046.html").read_bytes(), expected["url"])
    assert page.canonical_url == expected["url"]


def test_generated_pages_drop_caption_share_comments_and_teasers() -> None:
    expected = record("a065")
    page = extract(article_page(expected).encode(), expected["url"])
    assert page.text == expected["text"]
    assert "غزة" not in page.text


def test_source_selectors_are_used_when_given() -> None:
    html = b"""<html><body><div class="x"><p>not this menu text at all, it is long enough to
    be taken by a generic extractor that likes paragraphs</p></div>
    <section id="story"><span>The real story lives in a span of this site, long enough to
    count as an article body for the extractor.</span></section></body></html>"""
    page = extract(html, "https://x.test/a", hints=ArticleHints(body="#story span"))
    assert page.text.startswith("The real story lives in a span")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"<html><body><nav><a href='/'>home</a></nav></body></html>", "no article text"),
        (b"\x00\xff\xfe binary \x00 garbage", "not text"),
    ],
)
def test_pages_without_an_article_give_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        extract(body, "https://x.test/a")


def test_extract_command_prints_json_for_a_gzipped_local_file(tmp_path, capsys) -> None:
    expected = record("a052")
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress((PAGES / "capital-times_a052.html").read_bytes()))

    status = main(["extract", str(path), "--url", expected["url"], "--json"])

    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"title", "published", "lang", "canonical_url", "text"}
    assert printed["title"] == expected["title"]
    assert printed["text"] == expected["text"]


def test_a_json_ld_body_cut_short_gives_way_to_the_page() -> None:
    body = " ".join(["The full story has many words in it."] * 20)
    page = f"""<html><head><script type="application/ld+json">
    {{"@type": "NewsArticle", "headline": "H", "articleBody": "The full story has many
    words in it. The full story has many words in it. The full …"}}</script></head>
    <body><article><h1>H</h1><p>{body}</p><p>{body}</p></article></body></html>"""
    text = extract(page.encode(), "https://x.test/a").text
    assert text == f"{body}\n\n{body}"


def test_html_inside_a_json_ld_body_becomes_paragraphs() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@type": "NewsArticle", "articleBody": "<p>First paragraph &amp; more words here.</p>\
<p>Second paragraph with enough words to count as an article body.</p>"}
    </script></head><body></body></html>"""
    text = extract(page.encode(), "https://x.test/a").text
    assert text == (
        "First paragraph & more words here.\n\n"
        "Second paragraph with enough words to count as an article body."
    )


def test_an_article_split_around_ads_is_joined_and_teasers_are_left_out() -> None:
    part = "<p>{} " + "and the words of the article go on for a while, " * 4 + "</p>"
    page = f"""<html><body><main>
      <div class="article-part">{part.format("One.")}{part.format("Two.")}</div>
      <div class="ad-slot">Advertisement</div>
      <div class="article-part">{part.format("Three.")}</div>
      <section class="related"><h3>More</h3><p><a href="/x">A teaser about Gaza …</a></p></section>
    </main></body></html>"""
    text = extract(page.encode(), "https://x.test/a").text
    assert [p.split()[0] for p in text.split("\n\n")] == ["One.", "Two.", "Three."]
    assert "Gaza" not in text and "Advertisement" not in text


def test_a_page_of_links_only_has_no_article() -> None:
    links = "".join(
        f'<li><a href="/{i}">Headline number {i} of the day</a></li>' for i in range(40)
    )
    with pytest.raises(ExtractError, match="no article text"):
        extract(f"<html><body><ul>{links}</ul></body></html>".encode(), "https://x.test/")
