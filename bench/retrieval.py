"""Retrieval cost: index build for 1,000 entries, query latency, and one agent-assist call (FAQ search
plus the long-tail article search) on the shipped base, in-process.

    .venv/bin/python bench/retrieval.py
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import time
from pathlib import Path

from bot.kb import assist, faq, statutes
from bot.kb.articles import ArticleIndex
from bot.kb.retrieval import Index

ROOT = Path(__file__).resolve().parents[1]


def thousand_entries() -> list[faq.FaqEntry]:
    """The real base repeated (ids made unique) up to 1,000 entries."""
    base = faq.load()
    out = []
    while len(out) < 1000:
        for e in base:
            out.append(dataclasses.replace(e, id=f"{e.id}-copy{len(out)}"))
    return out[:1000]


def main() -> None:
    entries = thousand_entries()
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = Index(entries)
        builds.append(time.perf_counter() - start)
    lines = (ROOT / "tests/data/heldout_faq.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(ln)["question"] for ln in lines if ln.strip()]
    index.search(questions[0])  # warm-up
    latencies = []
    for q in questions * 2:
        start = time.perf_counter()
        index.search(q, category="debt")
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    print(f"index build, 1,000 entries: median {statistics.median(builds):.2f} s over 3 builds")
    print(f"query: {len(latencies)} queries, p50 {1000 * statistics.median(latencies):.2f} ms, "
          f"p99 {1000 * latencies[int(0.99 * (len(latencies) - 1))]:.2f} ms")
    _assist()


def _assist() -> None:
    """What one /api/assist/suggest request costs the server, without HTTP and login."""
    index, articles = Index(faq.load()), ArticleIndex(statutes.load_shipped())
    lines = (ROOT / "tests/data/heldout_classify_v2.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(ln)["text"] for ln in lines if ln.strip()]
    for q in questions[:50]:  # warm-up
        assist.suggest(index, q, articles=articles)
    latencies = []
    for q in (questions * 3)[:2000]:
        start = time.perf_counter()
        assist.suggest(index, q, articles=articles)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    print(f"assist.suggest with articles: {len(latencies)} calls, "
          f"mean {1000 * statistics.mean(latencies):.2f} ms, "
          f"p50 {1000 * statistics.median(latencies):.2f} ms, "
          f"p99 {1000 * latencies[int(0.99 * (len(latencies) - 1))]:.2f} ms")


if __name__ == "__main__":
    main()
