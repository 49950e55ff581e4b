"""The labelled corpus replayed in published order: the product's central promise, one alert
per new story and per real development, none for copies, near-copies and rewrites."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from config import load_watchlist
from storage import Database
from tests.support.corpus import CORPUS, CORPUS_WATCHLIST, SEEDS, record, records
from tests.support.databases import fresh_postgres_database
from tests.support.scoring import score
from tracker.articles.incoming import IncomingArticle
from tracker.cli import main
from tracker.service.pipeline import Pipeline

# a077 (the handover deal) comes 7.8 days after its story's latest article, past the
# 7-day window in which a story stays open, so it opens a story of its own (and alerts as
# one). a074 (the ministry ready to take the Hasakah prisons) comes three days after the
# al-Shaddadi escape it cites and joins it as a development (and alerts as one).
KNOWN_MISSES = {"a074", "a077"}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def decisions(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, Any]]]:
    """`tracker replay --json` over the corpus, as a user would run it, into a SQLite file
    and into PostgreSQL."""
    if request.param == "sqlite":
        databases: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('replay')}/r.db"])
    else:
        databases = fresh_postgres_database()
    database = next(databases)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(
            [
                "replay",
                str(CORPUS / "articles.jsonl"),
                "--config",
                str(CORPUS_WATCHLIST),
                "--database",
                database,
                "--json",
            ]
        )
    assert status == 0
    yield {d["id"]: d for d in map(json.loads, buffer.getvalue().splitlines())}
    for _ in databases:  # drops the PostgreSQL database
        pass


def _same_text(a: str, b: str) -> bool:
    return record(a)["text"] == record(b)["text"]


def test_alerts_are_one_per_story_and_per_development(decisions) -> None:
    result = score(records(), decisions)
    assert result.alert_recall == 1.0, result
    assert result.alert_precision >= 0.95, result
    decoys = [r["id"] for r in records() if not r["topics"]]
    assert not [i for i in decoys if decisions[i]["alert"]]


def test_stories_group_the_labelled_coverage(decisions) -> None:
    result = score(records(), decisions)
    assert result.story_f1 >= 0.9, result


def test_copies_are_duplicates_of_their_source(decisions) -> None:
    for r in records():
        if r["kind"] == "copy":
            got = decisions[r["id"]]
            assert got["decision"] == "duplicate", r["id"]
            assert got["dup_of"] == r["dup_of"] or _same_text(got["dup_of"], r["dup_of"])
            assert got["alert"] is False


def test_near_copies_are_near_duplicates_of_their_source_or_a_copy_of_it(decisions) -> None:
    for r in records():
        if r["kind"] == "near_copy":
            got = decisions[r["id"]]
            assert got["decision"] == "near_duplicate", r["id"]
            assert got["dup_of"] == r["dup_of"] or _same_text(got["dup_of"], r["dup_of"]), r["id"]
            assert got["story"] == decisions[r["dup_of"]]["story"]


def test_rewrites_are_coverage_in_their_story(decisions) -> None:
    for r in records():
        if r["kind"] == "rewrite":
            got = decisions[r["id"]]
            assert got["story"] == decisions[r["dup_of"]]["story"], r["id"]
            assert got["alert"] is False, r["id"]
            if r["topics"]:
                assert got["decision"] == "coverage", r["id"]
                assert got["event"] == decisions[r["dup_of"]]["event"], r["id"]


def test_developments_alert_as_developments(decisions) -> None:
    developments = [r["id"] for r in records() if r["kind"] == "development"]
    assert all(decisions[i]["alert"] for i in developments)
    wrong = {i for i in developments if decisions[i]["decision"] != "development"}
    assert wrong <= KNOWN_MISSES, wrong


def test_originals_open_stories(decisions) -> None:
    originals = [r["id"] for r in records() if r["kind"] in ("original", "unrelated")]
    wrong = {i for i in originals if decisions[i]["decision"] != "new_story"}
    assert wrong <= KNOWN_MISSES, wrong


# The seeds: real articles, in date order (their own datelines).
SEED_DATES = {
    "000": "2025-11-02T10:00:00+02:00",
    "003": "2025-11-03T09:00:00+03:00",
    "004": "2025-11-11T01:00:00+03:00",
    "001": "2025-11-11T08:00:00+02:00",
    "002": "2025-11-11T12:00:00+03:00",
}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles live in ../shared/corpus")
def test_the_seed_articles_make_two_stories(tmp_path) -> None:
    watchlist = load_watchlist(
        [Path(__file__).parents[3] / "config" / "watchlist.yaml"], environ={}
    )
    db = Database(f"sqlite:///{tmp_path / 'seeds.db'}")
    db.upgrade()
    pipeline = Pipeline(watchlist)
    story = {}
    for number, published in SEED_DATES.items():
        [path] = SEEDS.glob(f"{number}_*.txt")
        title, *lines = [
            line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        with db.session() as session:
            outcome = pipeline.ingest(
                session,
                IncomingArticle(
                    url=f"https://seeds.test/{number}",
                    outlet="seeds",
                    title=title,
                    text="\n\n".join(lines),
                    lang="ar",
                    published=datetime.fromisoformat(published),
                ),
            )
        story[number] = outcome.story_id
    db.dispose()
    # The announced visit, and the White House meeting.
    assert story["000"] == story["003"]
    assert story["001"] == story["002"] == story["004"]
    assert story["000"] != story["001"]
