"""Text layer speed: normalisation throughput and topic matching at 10 to 10,000 topics.

    .venv/bin/python bench/text.py

Normalisation runs over the Arabic corpus texts (MB/s of UTF-8 input). Matching takes a
~4 KB Arabic article against watchlists of N topics with 10 terms each; the terms are
synthetic Arabic and Latin phrases (1-3 words) plus the corpus topics' own terms, so a few
topics hit and the rest must cost (almost) nothing.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from config import Topic, load_watchlist
from tracker.text.match import TopicMatcher
from tracker.text.normalise import normalize, tokens
from tracker.text.words import forms

DATA = Path(__file__).parents[1] / "tests" / "data"
PADDING_STORIES = {
    "hasakah-wheat-drought-2025-11",
    "damascus-electricity-deir-ali-2026-02",
    "damascus-book-fair-2026-02",
    "iraq-election-results-2025-11",
}
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _records() -> list[dict]:
    with (DATA / "corpus" / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def bench_normalisation(texts: list[str]) -> None:
    size = sum(len(t.encode("utf-8")) for t in texts)
    rounds = max(1, int(20_000_000 / size))
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            normalize(text)
    elapsed = time.perf_counter() - started
    print(
        f"normalisation: {size * rounds / elapsed / 1e6:.1f} MB/s of Arabic text "
        f"({size * rounds / 1e6:.0f} MB in {elapsed:.2f} s)"
    )


def _word(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
    return "".join(rng.choice(ARABIC_LETTERS) for _ in range(rng.randint(3, 7)))


def _topics(count: int, real: list[Topic], rng: random.Random) -> list[Topic]:
    topics = list(real[:count])
    while len(topics) < count:
        terms = [" ".join(_word(rng) for _ in range(rng.randint(1, 3))) for _ in range(10)]
        if rng.random() < 0.5:
            topics.append(Topic(name=f"t{len(topics)}", any=terms))
        else:
            topics.append(
                Topic(name=f"t{len(topics)}", all=[terms[:5], terms[5:8]], none=terms[8:])
            )
    return topics


def bench_matching(article: tuple[str, str], real: list[Topic]) -> None:
    rng = random.Random(7)
    title, body = article
    print(
        f"matching one {len((title + body).encode('utf-8')) / 1024:.1f} KB article "
        "(title + body, normalised in the timing, as before articles were read once):"
    )
    for count in (10, 1_000, 10_000):
        topics = _topics(count, real, rng)
        started = time.perf_counter()
        matcher = TopicMatcher(topics)
        build = time.perf_counter() - started
        warm, cold = [], []
        for _ in range(300):
            started = time.perf_counter()
            matched = matcher.match(tokens(title), tokens(body))
            warm.append(time.perf_counter() - started)
            forms.cache_clear()  # as if every word of the article were new
            started = time.perf_counter()
            matcher.match(tokens(title), tokens(body))
            cold.append(time.perf_counter() - started)
        print(
            f"  {count:>6} topics x 10 terms: median {statistics.median(warm) * 1e3:.3f} ms, "
            f"p95 {sorted(warm)[int(len(warm) * 0.95)] * 1e3:.3f} ms per article "
            f"(cold word cache: median {statistics.median(cold) * 1e3:.3f} ms); "
            f"{len(matched)} topics matched; index built in {build:.2f} s"
        )


def main() -> None:
    records = _records()
    arabic = [r["title"] + "\n\n" + r["text"] for r in records if r["lang"] == "ar"]
    bench_normalisation(arabic)
    real = load_watchlist([DATA / "corpus-watchlist.yaml"]).topics
    # A 4 KB article: a real caesar-act text padded with other corpus paragraphs.
    body = records[0]["text"]
    for r in records[1:]:
        if len(body.encode("utf-8")) >= 4000 - len(records[0]["title"].encode()):
            break
        if r["lang"] == "ar" and r["story"] in PADDING_STORIES:
            body += "\n\n" + r["text"].split("\n\n")[0]
    bench_matching((records[0]["title"], body), real)


if __name__ == "__main__":
    main()
