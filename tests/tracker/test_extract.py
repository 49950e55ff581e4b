from __future__ import annotations

import gzip
import json
from datetime import datetime

import pytest

from config import ArticleHints
from tests.support.corpus import PAGES, record
from tests.support.site import article_page
from tracker.cli import main
from tracker.errors import ExtractError
from tracker.extract import extract

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


@pytest.mark.parametrize("filename", [f for f in PAGE_RECORDS if not f.startswith("levant")])
def test_machine_readable_publish_dates_are_read_as_utc(filename: str) -> None:
    expected = record(PAGE_RECORDS[filename])
    page = extract((PAGES / filename).read_bytes(), expected["url"])
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
        (b"\x00\xff\xfe binary \x00 garbage", "no article text"),
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
