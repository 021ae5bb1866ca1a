"""Agent-assist latency: C concurrent clients posting realistic questions to /api/assist/suggest.

    ./hotline run --quiet &
    .venv/bin/python bench/assist.py --concurrency 20 --requests 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
URL = "http://127.0.0.1:8000/api/assist/suggest"


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", "-c", type=int, default=20)
    parser.add_argument("--requests", "-n", type=int, default=50, help="per client")
    args = parser.parse_args()
    lines = (ROOT / "tests/data/heldout_classify_v2.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(ln)["text"] for ln in lines if ln.strip()]
    rng = random.Random(12348)
    latencies: list[float] = []
    errors = 0

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for _ in range(args.requests):
            start = time.perf_counter()
            try:
                async with session.post(URL, json={"text": rng.choice(questions)}) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for q in questions[:20]:  # warm-up, not measured: connections, first-use code paths
            async with session.post(URL, json={"text": q}) as resp:
                await resp.read()
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(client(session) for _ in range(args.concurrency))), 600)
        elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(f"assist: {len(latencies)} requests, {args.concurrency} concurrent, errors {errors}, "
          f"{len(latencies) / elapsed:.1f} req/s, p50 {1000 * statistics.median(ordered):.1f} ms, "
          f"p99 {1000 * p99:.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
