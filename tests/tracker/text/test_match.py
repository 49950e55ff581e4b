from __future__ import annotations

from pathlib import Path

import pytest

from config import Topic, load_watchlist
from tests.support.corpus import CORPUS_WATCHLIST, records
from tracker.text.match import TopicMatcher
from tracker.text.normalise import tokens


def _matcher(**topic: object) -> TopicMatcher:
    return TopicMatcher([Topic.model_validate({"name": "t", **topic})])


def _hits(matcher: TopicMatcher, text: str, title: str = "") -> list[str]:
    return [m.topic for m in matcher.match(tokens(title), tokens(text))]


@pytest.mark.parametrize(
    "text",
    ["قانون قيصر", "وبقانون قيصر", "بـ«قانون قيصر»", "فالقانون قيصر", "للقانون قيصر", "قانونِ قيصرَ"],
)
def test_arabic_terms_match_with_proclitics_quotes_and_diacritics(text: str) -> None:
    assert _hits(_matcher(any=["قانون قيصر"]), text) == ["t"]


@pytest.mark.parametrize("text", ["لقسد", "«قسد»", "وقسد", 'لـ"قسد"'])
def test_short_names_match_when_attached(text: str) -> None:
    assert _hits(_matcher(any=["قسد"]), f"اتهم الجيش {text} بالمسؤولية") == ["t"]


def test_a_term_with_the_article_also_matches_without_it() -> None:
    assert _hits(_matcher(any=["الشدادي"]), "في بلدة شدادي") == ["t"]
    assert _hits(_matcher(any=["سجن"]), "داخل السجن المركزي") == ["t"]


def test_english_terms_match_whole_words_and_plurals() -> None:
    matcher = _matcher(any=["prison", "Caesar Act"])
    assert _hits(matcher, "Two PRISONS were emptied") == ["t"]
    assert _hits(matcher, "the caesar act's repeal") == ["t"]
    assert _hits(matcher, "Caesarea and imprisonment") == []


def test_all_needs_a_term_from_every_group_and_none_vetoes() -> None:
    matcher = _matcher(all=[["قسد", "SDF"], ["سجن", "prison"]], none=["صيدنايا"])
    assert _hits(matcher, "SDF guards at the prison") == ["t"]
    assert _hits(matcher, "SDF fighters advanced") == []
    assert _hits(matcher, "سجن صيدنايا وقسد") == []


def test_in_title_restricts_where_a_topic_looks() -> None:
    matcher = _matcher(any=["Caesar"], **{"in": ["title"]})
    assert _hits(matcher, "body mentions Caesar", title="Other news") == []
    assert _hits(matcher, "nothing here", title="Caesar repeal passes") == ["t"]


def test_the_match_records_the_terms_that_hit_as_written() -> None:
    matcher = _matcher(any=["قانون قيصر", "Caesar Act", "NDAA"])
    [match] = matcher.match((), tokens("ألغى الكونغرس بقانون قيصر ... the Caesar Act"))
    assert match.terms == ("قانون قيصر", "Caesar Act")


def test_corpus_watchlist_reproduces_every_topic_label() -> None:
    watchlist = load_watchlist([Path(CORPUS_WATCHLIST)])
    matcher = TopicMatcher(watchlist.topics)
    wrong = {
        r["id"]: (
            [m.topic for m in matcher.match(tokens(r["title"]), tokens(r["text"]))],
            r["topics"],
        )
        for r in records()
        if sorted(m.topic for m in matcher.match(tokens(r["title"]), tokens(r["text"])))
        != sorted(r["topics"])
    }
    assert wrong == {}
