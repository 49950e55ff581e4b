"""Dedup and story speed, and near-copy recall beside datasketch's MinHashLSH.

    .venv/bin/python bench/dedup.py [--sizes 10000 100000 1000000] [--keep DIR]

1. Lookup time per article with N stored articles (10k, 100k, 1M): the near-copy lookup
   (LSH buckets, an indexed query, then confirmation) and the story lookup (the in-memory
   index of the stories open in the last 7 days). Stored articles are synthetic: random
   signatures spread over two years, so buckets rarely collide, as with real distinct news.
2. Ingest throughput through the whole pipeline (normalise, fingerprint, dedup, story,
   match, store) into a SQLite file that already holds 100k articles.
3. Near-copy recall: corpus texts perturbed the ways the corpus' near-copies are (boilerplate
   lines, a dropped or moved paragraph, diacritics, hamza-less spelling, a few changed words),
   found by our rule and by MinHashLSH(threshold=0.5) on the same signatures.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).parents[1]))

from config import load_watchlist
from storage import Article, ArticleBucket, Database, Story
from storage.models import url_key
from tracker.articles.incoming import IncomingArticle
from tracker.service.pipeline import Pipeline
from tracker.stories.article import ArticleText
from tracker.stories.fingerprint import NUM_PERM, Signature, signature
from tracker.stories.index import StoryIndex
from tracker.stories.neardup import CONTAINMENT, JACCARD, near_copy_of
from tracker.text.normalise import normalize

ROOT = Path(__file__).parents[1]
RECORDS = [json.loads(line) for line in (ROOT / "tests/data/corpus/articles.jsonl").open()]
WATCHLIST = load_watchlist([ROOT / "tests/data/corpus-watchlist.yaml"])
NOW = datetime(2026, 2, 15, tzinfo=UTC)
BOILERPLATE = [
    "أخبار 7 - تابعوا آخر الأخبار لحظة بلحظة",
    "0 تعليق",
    "اقرأ أيضاً: طقس دمشق",
    "تابعونا على تلغرام لآخر الأخبار",
    "صورة أرشيفية",
]
DIACRITICS = [chr(c) for c in range(0x064B, 0x0651)]


def fill(db: Database, size: int, rng: np.random.Generator) -> None:
    """`size` synthetic stored articles over two years, with their buckets."""
    batch = 20_000
    with db.engine.begin() as connection:
        connection.execute(
            insert(Story), [{"id": 1, "title": "synthetic", "created_at": NOW, "updated_at": NOW}]
        )
    start = 0
    while start < size:
        count = min(batch, size - start)
        hashes = rng.integers(0, 2**32, size=(count, NUM_PERM), dtype=np.uint32)
        rows, buckets = [], []
        for i in range(count):
            article_id = start + i + 1
            sig = Signature(hashes[i], 150)
            rows.append(
                {
                    "id": article_id,
                    "outlet": "bench",
                    "url": f"https://bench.test/{article_id}",
                    "link": f"https://bench.test/{article_id}",
                    "title": "t",
                    "text": "t",
                    "url_key": url_key(f"https://bench.test/{article_id}"),
                    "link_key": url_key(f"https://bench.test/{article_id}"),
                    "content_hash": f"{article_id:064x}",
                    "story_id": 1,
                    "decision": "new_story",
                    "signature": sig.to_bytes(),
                    "shingles": 150,
                    "numbers": [],
                    "published_at": NOW - timedelta(days=730 * (size - article_id) / size),
                }
            )
            buckets += [{"article_id": article_id, "bucket": b} for b in sig.buckets()]
        with db.engine.begin() as connection:
            connection.execute(insert(Article), rows)
            connection.execute(insert(ArticleBucket), buckets)
        start += count
        print(f"\r  stored {start:,}/{size:,}", end="", flush=True)
    print()


def perturb(text_: str, rng: random.Random) -> str:
    paragraphs = text_.split("\n\n")
    choice = rng.randrange(6)
    if choice == 0 and len(paragraphs) > 2:
        del paragraphs[rng.randrange(len(paragraphs))]
    elif choice == 1 and len(paragraphs) > 2:
        paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop())
    elif choice == 2:
        paragraphs = rng.sample(BOILERPLATE, 2) + paragraphs + [BOILERPLATE[1]]
    elif choice == 3:
        paragraphs = [
            "".join(c + (rng.choice(DIACRITICS) if rng.random() < 0.2 else "") for c in p)
            for p in paragraphs
        ]
    elif choice == 4:
        paragraphs = [p.replace("أ", "ا").replace("إ", "ا").replace("ة", "ه") for p in paragraphs]
    else:
        words = " ".join(paragraphs).split()
        for _ in range(max(1, len(words) // 20)):  # 5% of the words changed
            words[rng.randrange(len(words))] = rng.choice(["قال", "أعلن", "مصدر", "اليوم"])
        paragraphs = [" ".join(words)]
    return "\n\n".join(paragraphs)


def _read(record: dict) -> ArticleText:
    """A corpus record read as the pipeline reads it, its signature and features computed
    before any timing starts."""
    article = ArticleText.read(
        IncomingArticle(
            url=record["url"],
            outlet=record["outlet"],
            title=record["title"],
            text=record["text"],
            lang=record["lang"],
        )
    )
    _ = article.signature, article.own_numbers, article.features  # computed, then kept
    return article


def near_copy_lookup(db: Database, queries: list[ArticleText]) -> float:
    times = []
    with db.session() as session:
        for article in queries:  # once untimed: warm caches and compiled statements
            near_copy_of(session, article)
        for article in queries:
            started = time.perf_counter()
            near_copy_of(session, article)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def story_lookup(index: StoryIndex, at: datetime) -> float:
    times = []
    for article in map(_read, RECORDS):
        started = time.perf_counter()
        index.best_match(article, set(), at)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def bench_lookup(sizes: list[int], keep: Path | None) -> Database | None:
    rng = np.random.default_rng(5)
    queries = [_read(r) for r in RECORDS]
    kept = None
    print("lookup per article (median) with N stored articles:")
    baseline = None
    for size in sizes:
        folder = keep or Path(tempfile.mkdtemp(prefix="bench-dedup-"))
        path = folder / f"bench-{size}.db"
        fresh = not path.exists()
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        if fresh:
            fill(db, size, rng)
        with db.session() as session:
            session.execute(text("ANALYZE"))
        near = near_copy_lookup(db, queries)
        baseline = baseline or near
        print(
            f"  {size:>9,} stored: near-copy lookup {near:.3f} ms "
            f"({near / baseline:.2f}x the first size)"
        )
        db.dispose()
        if size == 100_000:
            # Ingest into a copy, so a kept database stays as generated for the next run.
            copy = Path(tempfile.mkdtemp(prefix="bench-ingest-")) / path.name
            shutil.copyfile(path, copy)
            kept = Database(f"sqlite:///{copy}")
    return kept


def bench_ingest(db: Database, count: int = 2000) -> None:
    rng = random.Random(3)
    run = f"{time.time_ns():x}"  # new URLs each run, when the database is kept
    pipeline = Pipeline(WATCHLIST)
    incoming = []
    for i in range(count):
        record = RECORDS[i % len(RECORDS)]
        text_ = perturb(record["text"], rng) + f"\n\nنشرة رقم {i}."
        incoming.append(
            IncomingArticle(
                url=f"https://ingest.test/{run}/{i}",
                outlet=record["outlet"],
                title=record["title"],
                text=text_,
                lang=record["lang"],
                published=NOW - timedelta(days=3) + timedelta(minutes=2 * i),
            )
        )
    started = time.perf_counter()
    for article in incoming:
        with db.session() as session:
            pipeline.ingest(session, article)
    elapsed = time.perf_counter() - started
    print(
        f"ingest into SQLite holding 100k articles: {count / elapsed:.0f} articles/s "
        f"({count} articles in {elapsed:.1f} s, whole pipeline, one commit each)"
    )
    at = incoming[-1].published or NOW
    print(
        f"story lookup with {len(pipeline.stories.stories)} stories open: "
        f"{story_lookup(pipeline.stories, at):.3f} ms per article (median; it depends on "
        "the stories of the last 7 days, not on the number stored)"
    )


def bench_recall(copies_per_text: int = 20) -> None:
    rng = random.Random(11)
    lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
    sources = {}
    for record in RECORDS:
        if record["kind"] in ("copy", "near_copy"):
            continue
        sig = signature(normalize(record["text"]).split())
        sources[record["id"]] = sig
        lsh.insert(
            record["id"], MinHash(num_perm=NUM_PERM, hashvalues=sig.hashes, scheme="affine32")
        )
    ours = theirs = total = false_ours = false_theirs = 0
    for source_id in sources:
        text_ = next(r["text"] for r in RECORDS if r["id"] == source_id)
        for _ in range(copies_per_text):
            sig = signature(normalize(perturb(text_, rng)).split())
            total += 1
            found = {
                i
                for i, s in sources.items()
                if set(sig.buckets()) & set(s.buckets())
                and (sig.jaccard(s) >= JACCARD or sig.containment(s) >= CONTAINMENT)
            }
            ours += source_id in found
            false_ours += len(found - {source_id})
            got = set(
                lsh.query(MinHash(num_perm=NUM_PERM, hashvalues=sig.hashes, scheme="affine32"))
            )
            theirs += source_id in got
            false_theirs += len(got - {source_id})
    print(
        f"near-copy recall on {total} perturbed copies of {len(sources)} texts: ours "
        f"{ours / total:.3f} ({false_ours} wrong matches), MinHashLSH(threshold=0.5) "
        f"{theirs / total:.3f} ({false_theirs} wrong matches)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the databases here")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    bench_recall()
    db = bench_lookup(args.sizes, args.keep)
    if db is not None:
        bench_ingest(db)
        db.dispose()


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    main()
