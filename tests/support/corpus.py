"""The labelled Syria corpus (copied under tests/data) and the five seed articles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from tracker.articles.incoming import IncomingArticle

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "corpus"
PAGES = CORPUS / "pages"
CORPUS_WATCHLIST = DATA / "corpus-watchlist.yaml"
# Third-party texts: read from the shared folder beside the repository, never copied.
SEEDS = Path(__file__).parents[3] / "shared" / "corpus" / "seeds"


@cache
def records() -> list[dict[str, Any]]:
    with (CORPUS / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def record(record_id: str) -> dict[str, Any]:
    return next(r for r in records() if r["id"] == record_id)


def incoming(record_id: str, **changes: Any) -> IncomingArticle:
    """A corpus record as the pipeline receives it; `changes` replace record fields."""
    r = {**record(record_id), **changes}
    return IncomingArticle(
        url=r["url"],
        outlet=r["outlet"],
        title=r["title"],
        text=r["text"],
        lang=r["lang"],
        published=datetime.fromisoformat(r["published"]),
    )


def fresh(
    chosen: list[dict[str, Any]], newest: timedelta = timedelta(hours=1)
) -> list[dict[str, Any]]:
    """The records moved in time, gaps kept, so the newest was published `newest` ago: a
    service polling them now finds them within its max_age, as it would live news."""
    latest = max(datetime.fromisoformat(r["published"]) for r in chosen)
    shift = datetime.now(UTC) - newest - latest
    return [
        {**r, "published": (datetime.fromisoformat(r["published"]) + shift).isoformat()}
        for r in chosen
    ]
