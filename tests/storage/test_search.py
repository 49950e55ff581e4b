"""`tracker search` on SQLite and PostgreSQL: articles stored by the pipeline, found however
an outlet spelt the query's words, the closest match first, quoted as they were written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from config import Watchlist
from storage import Database
from storage.migrate import upgrade
from storage.search import search
from tracker.articles.incoming import IncomingArticle
from tracker.cli import main
from tracker.service.pipeline import Pipeline
from tracker.service.retention import prune_batch
from tracker.text.search_words import query_keys

NOW = datetime.now(UTC)
WATCHLIST = Watchlist.model_validate(
    {
        "version": 1,
        "topics": [{"name": "prisons", "any": ["سجن", "سجون"]}],
    }
)
# The phrase, with a proclitic and diacritics, and إلغاء with its hamza.
PHRASE = IncomingArticle(
    url="https://wire.test/1",
    outlet="wire-ar",
    title="الكونغرس يصوت على مشروع الموازنة العسكرية",
    text="صوّت مجلس النواب مساء الأربعاء على مشروع يتضمن إلغاء العقوبات المفروضة "
    "وبقانون قَيصر المعروف، بعد نقاش طويل بين الحزبين.\n"
    "ورحبت دمشق بالخطوة ووصفتها بأنها تصحيح لمسار خاطئ.",
    lang="ar",
    published=NOW - timedelta(days=2),
)
# Both words, far apart; its title holds one of them, so bm25 alone might rank it first.
APART = IncomingArticle(
    url="https://levant.test/2",
    outlet="levant-daily",
    title="قانون جديد للاستثمار في سوريا",
    text="أصدرت الحكومة السورية قانونا ينظم الاستثمار الأجنبي في قطاعات الطاقة والزراعة "
    "والصناعة والنقل والاتصالات والمصارف، ويمنح المستثمرين إعفاءات ضريبية لمدة عشر سنوات "
    "في المناطق الصناعية والحرة وفي المحافظات الشرقية والشمالية على حد سواء. "
    "ويأتي ذلك بعد أشهر من رفع العقوبات التي فرضها قيصر على القطاع المصرفي.",
    lang="ar",
    published=NOW - timedelta(days=3),
)
# One word only, in an article about a prison: the topic filter's article, found long ago.
PARTIAL = IncomingArticle(
    url="https://furat.test/3",
    outlet="furat-news",
    title="نقل معتقلين من سجن الشدادي",
    text="نقلت قوات سوريا الديمقراطية عشرات المعتقلين من سجن الشدادي إلى الحسكة، "
    "وقال مسؤول إن ملف قيصر لم يطرح في الاجتماع.",
    lang="ar",
    published=NOW - timedelta(days=40),
)


def ingest(db: Database, *articles: IncomingArticle) -> dict[str, int]:
    """Each article through the real pipeline; its id by URL."""
    pipeline = Pipeline(WATCHLIST)
    ids = {}
    for article in articles:
        with db.session() as session:
            ids[article.url] = pipeline.ingest(session, article, now=NOW).article_id
    return ids


def found(db: Database, query: str, **filters: Any) -> list[int]:
    with db.session() as session:
        return [f.id for f in search(session, query_keys(query), **filters)]


@pytest.fixture
def stored(db: Database) -> dict[str, int]:
    return ingest(db, PHRASE, APART, PARTIAL)


def test_found_without_diacritics_with_another_hamza_and_without_proclitics(db, stored) -> None:
    phrase = stored[PHRASE.url]
    assert phrase in found(db, "قانون قيصر")  # the text has «وبقانون قَيصر»
    assert found(db, "الغاء") == [phrase]  # written «إلغاء»
    assert found(db, "ألغاء") == [phrase]
    assert found(db, "صوت") == [phrase]  # written «صوّت»
    assert found(db, "المعروفة") == []  # a word the articles do not hold


def test_the_closer_match_ranks_first(db, stored) -> None:
    assert found(db, "قانون قيصر") == [stored[PHRASE.url], stored[APART.url], stored[PARTIAL.url]]
    # Reversed, the words are no longer a phrase: the article holding both still leads.
    assert found(db, "قيصر الشدادي")[0] == stored[PARTIAL.url]


def test_since_and_topic_filter(db, stored) -> None:
    week = NOW - timedelta(days=7)
    assert sorted(found(db, "قيصر")) == sorted(stored.values())
    assert sorted(found(db, "قيصر", since=week)) == [stored[PHRASE.url], stored[APART.url]]
    assert found(db, "قيصر", topic="prisons") == [stored[PARTIAL.url]]
    assert found(db, "قيصر", topic="prisons", since=week) == []
    assert len(found(db, "قيصر", limit=1)) == 1


def test_copies_are_left_out(db, stored) -> None:
    copy = IncomingArticle(**{**PHRASE.__dict__, "url": "https://copy.test/1", "outlet": "copy"})
    ids = ingest(db, copy)
    assert ids[copy.url] not in found(db, "قانون قيصر")
    assert stored[PHRASE.url] in found(db, "قانون قيصر")


def test_an_emptied_body_leaves_its_title_searchable(db, stored) -> None:
    with db.session() as session:
        prune_batch(session, NOW - timedelta(days=30), 1000)  # PARTIAL is 40 days old
    assert found(db, "الشدادي") == [stored[PARTIAL.url]]  # in its title
    assert found(db, "الحسكة") == []  # only in its body, gone
    assert stored[PARTIAL.url] not in found(db, "قيصر")


def run_search(capsys, database_url: str, monkeypatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    status = main(["search", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_command_prints_results_with_the_passage_as_written(
    db, stored, database_url, monkeypatch, capsys
) -> None:
    status, out, _ = run_search(capsys, database_url, monkeypatch, "قانون", "قيصر")
    assert status == 0
    assert "\x1b[" not in out  # not a terminal: brackets, no colour codes
    blocks = out.strip().split("\n\n")
    assert [b.splitlines()[0].split()[0] for b in blocks] == [
        f"#{stored[u]}" for u in (PHRASE.url, APART.url, PARTIAL.url)
    ]
    heading, passage, url = blocks[0].splitlines()
    assert PHRASE.title in heading and "wire-ar" in heading
    assert "العقوبات المفروضة [وبقانون] [قَيصر] المعروف" in passage  # the outlet's spelling
    assert "ورحبت دمشق" not in passage  # the sentence that holds the words, not the next
    assert url == PHRASE.url

    status, out, _ = run_search(
        capsys, database_url, monkeypatch, "قيصر", "--since", "7d", "--json"
    )
    records = json.loads(out)
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == [stored[PHRASE.url], stored[APART.url]]
    assert set(records[0]) == {
        "id", "story_id", "title", "outlet", "published", "url", "score", "snippet"
    }  # fmt: skip
    assert by_id[stored[APART.url]]["snippet"].endswith("التي فرضها [قيصر] على القطاع المصرفي.")
    assert datetime.fromisoformat(by_id[stored[PHRASE.url]]["published"]) == PHRASE.published

    status, out, err = run_search(
        capsys, database_url, monkeypatch, "الكونغرس", "--topic", "prisons"
    )
    assert (status, out) == (0, "")
    assert "no articles match «الكونغرس» on the topic prisons" in err


def test_articles_stored_before_the_index_are_found_after_the_upgrade(database_url) -> None:
    database = Database(database_url)
    try:
        upgrade(database.engine, "0006")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO stories (id, title, created_at, updated_at)"
                    " VALUES (1, 'old', :t, :t)"
                ),
                {"t": NOW},
            )
            for number, (title, body) in enumerate(
                [
                    ("تعليق عقوبات قيصر", "أعلنت واشنطن تعليق العمل بقانونِ قيصر مؤقتا."),
                    ("الأسد يغادر", "غادر الرئيس المخلوع البلاد."),
                ],
                start=1,
            ):
                connection.execute(
                    text(
                        "INSERT INTO articles (id, outlet, url, link, url_key, link_key, title,"
                        " text, ingested_at, content_hash, story_id, decision)"
                        " VALUES (:id, 'wire', :url, :url, :key, :key, :title, :body, :t,"
                        " :key, 1, 'new_story')"
                    ),
                    {
                        "id": number,
                        "url": f"https://old.test/{number}",
                        "key": str(number),
                        "title": title,
                        "body": body,
                        "t": NOW,
                    },
                )

        database.upgrade()

        assert found(database, "قانون قيصر") == [1]
        assert found(database, "الاسد") == [2]
    finally:
        database.dispose()


def test_words_a_few_apart_are_not_a_phrase(db, stored, database_url, monkeypatch, capsys) -> None:
    # Both words in a short title, three words apart: the databases rank it first on its
    # own (and SQLite's NEAR takes it for a phrase); the phrase still comes first.
    close = IncomingArticle(
        url="https://capital.test/4",
        outlet="capital-times",
        title="قانون الاستثمار الجديد يتجاوز آثار قيصر",
        text="يدخل القانون حيز التنفيذ الشهر المقبل وفق ما أعلنته وزارة الاقتصاد السورية.",
        lang="ar",
        published=NOW - timedelta(days=1),
    )
    ids = ingest(db, close)
    _, out, _ = run_search(capsys, database_url, monkeypatch, "قانون قيصر", "--json")
    assert [r["id"] for r in json.loads(out)][:2] == [stored[PHRASE.url], ids[close.url]]
    _, out, _ = run_search(capsys, database_url, monkeypatch, "قانون قيصر", "--limit", "1")
    assert out.startswith(f"#{stored[PHRASE.url]} ")


def test_a_word_too_long_for_an_index_is_stored_and_searched_without_it(db) -> None:
    """A pasted run of letters with no space (2,100 bytes) would make PostgreSQL refuse
    the article's index entry, and with it the article."""
    run = "ب" * 1050
    article = IncomingArticle(
        url="https://wire.test/long",
        outlet="wire-ar",
        title="قافلة مساعدات تصل إلى الشدادي",
        text=f"وصلت قافلة مساعدات إلى بلدة الشدادي صباح اليوم. {run} وقال مسؤول إنها الأولى.",
        lang="ar",
        published=NOW,
    )
    [article_id] = ingest(db, article).values()

    assert found(db, "قافلة الشدادي") == [article_id]
    assert found(db, run) == []  # asked for, it is no word either
