"""Console latency: A agents, each holding the live queue stream open, load the queue and ticket pages.

    ./hotline run --quiet &
    .venv/bin/python bench/console.py --agents 20 --requests 30

Seeds T open tickets and A throwaway agent accounts in the configured database (HOTLINE_DB_URL or
var/hotline.db, as the running stack), closes the tickets and disables the accounts at the end. A ticket
page includes agent assist for the citizen's latest message, so it costs one FAQ retrieval.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

import assist
from assist import login  # the console's login form, shared with the assist bench

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = "http://127.0.0.1:8000"
QUESTIONS = ["老板拖欠我三个月工资，一共三万五，怎么办", "离婚后孩子归谁抚养", "邻居装修把我家墙弄裂了怎么赔",
             "开车被追尾了对方全责但不赔钱", "医院手术出了问题怎么维权", "借给朋友五万块不还能起诉吗"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", "-a", type=int, default=20)
    parser.add_argument("--requests", "-n", type=int, default=30, help="page loads per agent")
    parser.add_argument("--tickets", "-t", type=int, default=30)
    parser.add_argument("--base", default=BASE, help="the web app (another port for a throwaway instance)")
    args = parser.parse_args()
    base = assist.BASE = args.base.rstrip("/")

    from bot.console import users
    from bot.handoff import store, tickets
    from bot.store.db import engine

    eng, now, run = engine(), datetime.now(timezone.utc), secrets.token_hex(3)
    rng = random.Random(12348)
    refs = []
    for i in range(args.tickets):
        q = rng.choice(QUESTIONS)
        summary = tickets.build_summary("other_legal", {}, [], [{"speaker": "citizen", "text": q}])
        t = store.open_ticket(eng, sender_id=f"bench-{run}-{i}", channel="rest", reason=tickets.REASON_REQUEST,
                              category=None, summary=summary, now=now)
        store.record_citizen_message(eng, t.reference, q, now)
        refs.append(t.reference)
    accounts = [(f"bench-{run}-{i}", secrets.token_urlsafe(12)) for i in range(args.agents)]
    for name, password in accounts:
        users.add_user(eng, name, password, "agent")

    latencies: dict[str, list[float]] = {"login": [], "queue": [], "rows": [], "ticket": []}
    errors = 0
    events = 0

    logged_in: list[str] = []
    all_in = asyncio.Event()

    async def agent(name: str, password: str) -> None:
        nonlocal errors, events
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            start = time.perf_counter()
            await login(session, name, password)
            latencies["login"].append(time.perf_counter() - start)

            async def listen() -> None:
                nonlocal events
                async with session.get(f"{base}/console/queue/events") as resp:
                    async for line in resp.content:
                        events += line.startswith(b"event:")

            stream = asyncio.create_task(listen())
            # Measure with every agent connected, not during the login storm (20 argon2 checks, two at a
            # time, take seconds on a loaded 2-core machine and would be counted in the page times).
            logged_in.append(name)
            if len(logged_in) == len(accounts):
                all_in.set()
            await all_in.wait()
            for _ in range(args.requests):
                # the full queue page, its live fragment (what every stream event fetches), a ticket page
                kind = rng.choice(("queue", "rows", "ticket"))
                url = {"queue": f"{base}/console/queue", "rows": f"{base}/console/queue/rows",
                       "ticket": f"{base}/console/tickets/{rng.choice(refs)}"}[kind]
                start = time.perf_counter()
                try:
                    async with session.get(url) as resp:
                        await resp.read()
                        errors += resp.status != 200
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                latencies[kind].append(time.perf_counter() - start)
                await asyncio.sleep(rng.uniform(0.05, 0.3))
            stream.cancel()

    started = time.perf_counter()
    try:
        await asyncio.gather(*(agent(n, p) for n, p in accounts))
    finally:
        for ref in refs:
            store.close(eng, ref, "bench", "duplicate", datetime.now(timezone.utc), supervisor=True)
        for name, _ in accounts:
            users.set_disabled(eng, name)
    elapsed = time.perf_counter() - started
    print(f"console: {args.agents} agents with the queue stream open, {elapsed:.1f} s, errors {errors}, "
          f"stream events {events}")
    for kind, values in latencies.items():
        if not values:
            continue
        print(f"  {kind:<7} n={len(values):<4} p50 {1000 * statistics.median(values):6.1f} ms  "
              f"p99 {1000 * percentile(values, 0.99):6.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
