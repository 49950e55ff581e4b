"""An article is read once: every stage shares one value and nothing normalises twice."""

from __future__ import annotations

from collections import Counter

import pytest

import tracker.text.normalise
from config import load_watchlist
from storage import Database
from tests.support.corpus import CORPUS_WATCHLIST, incoming, record
from tracker.service.pipeline import Decision, Pipeline
from tracker.stories.article import ArticleText


def test_ingesting_an_article_normalises_each_sentence_once(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database
) -> None:
    folded: Counter[str] = Counter()
    real_fold = tracker.text.normalise.fold_letters

    def counting_fold(text: str) -> str:
        folded[text] += 1
        return real_fold(text)

    pipeline = Pipeline(load_watchlist([CORPUS_WATCHLIST]))
    with sqlite_db.session() as session:
        pipeline.ingest(session, incoming("a001"))  # a story for the next one to join
    monkeypatch.setattr(tracker.text.normalise, "fold_letters", counting_fold)
    with sqlite_db.session() as session:
        outcome = pipeline.ingest(session, incoming("a012"))

    assert outcome.decision is not Decision.DUPLICATE
    text = record("a012")["text"]
    assert folded, "the article was never normalised"
    assert max(folded.values()) == 1, folded.most_common(3)
    assert all(len(piece) < len(text) / 2 for piece in folded), "the whole text went twice"


def test_the_value_holds_what_every_stage_reads() -> None:
    article = ArticleText.read(incoming("a046"))
    raw = record("a046")
    assert article.lang == "ar"
    assert article.lead == " ".join(raw["text"].split("\n\n")[0].split())
    assert article.tokens[: len(article.paragraph_tokens[0])] == article.paragraph_tokens[0]
    tokens = article.tokens
    shingles = {tokens[i : i + 3] for i in range(len(tokens) - 2)}
    assert article.signature.shingles == len(shingles)  # the signature hashed the tokens
    assert any(f.startswith("w:") for f in article.features.weights)


def test_a_copy_in_other_spellings_has_the_same_hash() -> None:
    text = record("a012")["text"]
    respelled = text.replace("أ", "ا").replace("إ", "ا").replace("ة", "ه") + "\n\n"
    assert respelled != text
    assert (
        ArticleText.read(incoming("a012", text=respelled)).content_hash
        == ArticleText.read(incoming("a012")).content_hash
    )


def test_numbers_of_furniture_lines_are_stated_but_are_not_the_articles_own() -> None:
    body = "صوّت مجلس الشيوخ بأغلبية 77 صوتاً مقابل 20 على مشروع القانون " * 3
    article = ArticleText.read(incoming("a012", text=f"أخبار 7 - تابعوا آخر الأخبار\n\n{body}"))
    assert {"7", "77", "20"} <= article.numbers
    assert article.own_numbers == {"77", "20"}


def test_times_of_day_are_no_fact_numbers_and_do_not_tell_copies_apart() -> None:
    record_ = record("a012")
    at_nine = ArticleText.read(incoming("a012", text=record_["text"] + "\n\nنُشر الساعة 09:30 مساءً"))
    at_ten = ArticleText.read(incoming("a012", text=record_["text"] + "\n\nنُشر الساعة 10:45 مساءً"))
    assert at_nine.content_hash == at_ten.content_hash
    assert not {"9", "09", "30"} & at_nine.numbers
