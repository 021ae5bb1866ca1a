"""Agent-assist latency: C concurrent clients posting realistic questions to /api/assist/suggest.

    ./hotline run --quiet &
    .venv/bin/python bench/assist.py --concurrency 20 --requests 50

The API is for logged-in staff: the script creates a throwaway agent account in the configured
database (HOTLINE_DB_URL or var/hotline.db, as the running stack), logs in like the console does and
disables the account when done.
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
BASE = "http://127.0.0.1:8000"
URL = f"{BASE}/api/assist/suggest"


async def login(session: aiohttp.ClientSession, username: str, password: str) -> str:
    """Logs in through the console's form and returns the CSRF token for API calls."""
    import re

    async with session.get(f"{BASE}/console/login") as resp:
        token = re.search(r'name="csrf" value="([^"]+)"', await resp.text()).group(1)
    async with session.post(f"{BASE}/console/login", allow_redirects=False,
                            data={"csrf": token, "username": username, "password": password}) as resp:
        if resp.status != 302:
            raise SystemExit(f"login failed: HTTP {resp.status}")
    async with session.get(f"{BASE}/console/api/me") as resp:
        return (await resp.json())["csrf"]


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

    import secrets

    sys.path.insert(0, str(ROOT))
    from bot.console import users
    from bot.store.db import engine

    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    users.add_user(engine(), username, password, "agent")
    timeout = aiohttp.ClientTimeout(total=30)
    # unsafe=True: keep cookies from 127.0.0.1 (aiohttp drops cookies set by IP addresses by default).
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        session.headers["X-CSRF-Token"] = await login(session, username, password)
        for q in questions[:20]:  # warm-up, not measured: connections, first-use code paths
            async with session.post(URL, json={"text": q}) as resp:
                await resp.read()
        # The article search is built in the background at startup; measure with it in place.
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            async with session.post(URL, json={"text": questions[0]}) as resp:
                if (await resp.json()).get("articles"):
                    break
            await asyncio.sleep(1)
        else:
            print("warning: the article search was not ready; measuring without it", file=sys.stderr)
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(client(session) for _ in range(args.concurrency))), 600)
        elapsed = time.perf_counter() - start
    users.set_disabled(engine(), username)
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(f"assist: {len(latencies)} requests, {args.concurrency} concurrent, errors {errors}, "
          f"{len(latencies) / elapsed:.1f} req/s, p50 {1000 * statistics.median(ordered):.1f} ms, "
          f"p99 {1000 * p99:.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
