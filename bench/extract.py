"""Article-body extraction: our extractor against trafilatura, side by side, same pages.

    .venv/bin/python bench/extract.py [--pages N] [--worst N] [--generic]

Pages: ../shared/extraction (real pages with ground-truth bodies, scored as the
article-extraction-benchmark does: 4-token shingles, per-page normalised TP/FP/FN) and the
corpus pages in tests/data/corpus/pages (ground truth: their records' text). Prints median
and p95 ms per page, precision, recall and F1 for each extractor. trafilatura is a bench
dependency only (pip install '.[bench]'). --worst N lists our N lowest-F1 pages after the
table; --generic adds a row for the generic extractor alone (no JSON-LD or selectors).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).parents[1]))

from tracker.articles.decode import decode_html
from tracker.articles.extract import extract
from tracker.articles.generic import generic_body
from tracker.errors import ExtractError

ROOT = Path(__file__).parents[1]
BENCHMARK = ROOT.parent / "shared" / "extraction"
CORPUS = ROOT / "tests" / "data" / "corpus"
_TOKEN = re.compile(r"\w+")

Extractor = Callable[[bytes, str], str]


def ours(body: bytes, url: str) -> str:
    try:
        return extract(body, url).text
    except ExtractError:
        return ""


def generic(body: bytes, url: str) -> str:
    return generic_body(LexborHTMLParser(decode_html(body)))


def trafilatura_extractor() -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(body: bytes, url: str) -> str:
        return trafilatura.extract(decode_html(body), url=url, favor_precision=False) or ""

    return run


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def page_score(predicted: str, truth: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, as the benchmark computes them."""
    p, t = shingles(predicted), shingles(truth)
    tp = sum((p & t).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total == 0:
        return 1.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def load_pages(limit: int | None) -> list[tuple[str, bytes, str, str]]:
    pages = []
    if BENCHMARK.is_dir():
        truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
        for key in sorted(truth)[:limit]:
            body = gzip.decompress((BENCHMARK / "html" / f"{key}.html.gz").read_bytes())
            pages.append(("benchmark", body, truth[key]["url"], truth[key]["articleBody"]))
    records = {}
    for line in (CORPUS / "articles.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        records[record["id"]] = record
    for path in sorted((CORPUS / "pages").glob("*.html")):
        record = records[path.stem.split("_")[1]]
        pages.append(("corpus", path.read_bytes(), record["url"], record["text"]))
    return pages


def f1_of(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run(
    name: str, extractor: Extractor, pages: list[tuple[str, bytes, str, str]]
) -> list[tuple[float, float, float, str, str]]:
    """Print one line per group; return (f1, precision, recall, group, url) of every page."""
    per_page = []
    for group in ("benchmark", "corpus"):
        chosen = [p for p in pages if p[0] == group]
        if not chosen:
            continue
        times, tp, fp, fn = [], 0.0, 0.0, 0.0
        for _, body, url, truth in chosen:
            started = time.perf_counter()
            predicted = extractor(body, url)
            times.append((time.perf_counter() - started) * 1000)
            a, b, c = page_score(predicted, truth)
            tp, fp, fn = tp + a, fp + b, fn + c
            p, r, f = f1_of(a, b, c)
            per_page.append((f, p, r, group, url))
        precision, recall, f1 = f1_of(tp, fp, fn)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"{name:<12} {group:<9} {len(chosen):>4} pages  median {statistics.median(times):6.2f}"
            f" ms  p95 {p95:6.2f} ms  precision {precision:.3f}  recall {recall:.3f}"
            f"  F1 {f1:.3f}"
        )
    return per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, help="only the first N benchmark pages")
    parser.add_argument("--worst", type=int, metavar="N", help="list our N lowest-F1 pages")
    parser.add_argument("--generic", action="store_true", help="also run the generic extractor")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    per_page = run("ours", ours, pages)
    if args.generic:
        run("generic", generic, pages)
    other = trafilatura_extractor()
    if other is None:
        print("trafilatura is not installed: pip install '.[bench]' to compare")
    else:
        run("trafilatura", other, pages)
    if args.worst:
        print(f"\nour {args.worst} worst pages (F1, precision, recall):")
        for f, p, r, group, url in sorted(per_page)[: args.worst]:
            print(f"  {f:.3f}  P {p:.2f}  R {r:.2f}  {group:<9} {url}")


if __name__ == "__main__":
    main()
