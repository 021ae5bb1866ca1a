"""Load generator for the running stack over REST on loopback.

Models real citizens: C concurrent conversations of 20 turns, arriving staggered, with 0.5–1.5 s
of think time; plus a capacity run (no think time), a burst of C new conversations at the same
moment, and one 200-turn conversation. Every run is bounded in requests and in time.

    ./hotline run --quiet &          # in one terminal (or let --start do it)
    .venv/bin/python bench/load.py --concurrency 50

The stack's abuse limits stay on (README "Security"): each bench conversation is its own REST
sender, and 20 turns fit in a sender's burst. The 200-turn conversation sends faster than any person
(about 10 turns a second) and is throttled by the per-sender limit (a 429 counts as an error); it
measures how a turn's cost grows with the conversation, so run it against a stack started with
HOTLINE_LIMIT_SENDER=0/0.
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
import yaml

ROOT = Path(__file__).resolve().parents[1]
URL = "http://127.0.0.1:5005/webhooks/rest/webhook"  # --url for another entry (nginx: bench/replicas.py)
HEADERS: dict[str, str] = {}  # the REST bearer token through nginx (bench/stackproc.py rest_headers)
REQUEST_TIMEOUT = 60
RUN_DEADLINE = 600  # seconds; a run stops issuing turns after this


def message_pool(seed: int) -> list[str]:
    """Citizen-like messages: the training examples of the consultation categories and dialogue."""
    texts = []
    for path in sorted((ROOT / "intents").glob("*.yml")):
        if path.stem in ("rules", "crisis"):
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            texts += [ln[2:].strip() for ln in block["examples"].splitlines() if ln.strip()]
    random.Random(seed).shuffle(texts)
    return texts


def conversation(rng: random.Random, pool: list[str], turns: int) -> list[str]:
    buttons = ["/continue_consult", "/apply_legal_aid", "谢谢", "/continue_consult"]
    out = ["你好"]
    while len(out) < turns:
        out.append(rng.choice(pool) if rng.random() < 0.75 else rng.choice(buttons))
    return out


class Recorder:
    def __init__(self) -> None:
        self.latency: dict[int, list[float]] = {}
        self.errors = 0
        self.sent = 0

    def add(self, turn: int, seconds: float) -> None:
        self.latency.setdefault(turn, []).append(seconds)


async def run_conversation(session: aiohttp.ClientSession, sender: str, messages: list[str], rec: Recorder,
                           think: tuple[float, float] | None, rng: random.Random, deadline: float) -> None:
    for turn, text in enumerate(messages, 1):
        if time.monotonic() > deadline:
            return
        start = time.perf_counter()
        try:
            async with session.post(URL, json={"sender": sender, "message": text}, headers=HEADERS) as resp:
                body = await resp.read()
                ok = resp.status == 200 and isinstance(json.loads(body), list)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok = False
        rec.sent += 1
        if ok:
            rec.add(turn, time.perf_counter() - start)
        else:
            rec.errors += 1
        if think:
            await asyncio.sleep(rng.uniform(*think))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def rss_mb() -> dict[str, float]:
    """Resident memory of the stack's processes, from /proc."""
    found: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (proc / "status").read_text()
        except OSError:
            continue
        name = ("rasa server" if (" rasa run" in cmd or "bot.rasa_server" in cmd) else "action server"
                if ("rasa_sdk" in cmd or "bot.action_server" in cmd) else "web app" if "bot.web.app" in cmd else None)
        if name:
            kb = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS")))
            found[name] = found.get(name, 0) + kb / 1024
    return found


async def scenario(name: str, conversations: int, turns: int, think: tuple[float, float] | None,
                   stagger: float, seed: int, pool: list[str]) -> dict:
    rng = random.Random(seed)
    run_id = f"{time.time_ns():x}"
    rec = Recorder()
    deadline = time.monotonic() + RUN_DEADLINE
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one(i: int) -> None:
            await asyncio.sleep(stagger * i / max(1, conversations))
            sender = f"bench-{name}-{run_id}-{i}"  # fresh conversations on every run
            await run_conversation(session, sender, conversation(rng, pool, turns), rec, think, rng, deadline)

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(conversations)))
        elapsed = time.perf_counter() - start
    all_lat = [v for vs in rec.latency.values() for v in vs]
    return {
        "scenario": name, "conversations": conversations, "turns": turns, "sent": rec.sent, "errors": rec.errors,
        "seconds": round(elapsed, 2), "msg_per_s": round(rec.sent / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(all_lat), 1) if all_lat else None,
        "p99_ms": round(1000 * pct(all_lat, 99), 1) if all_lat else None,
        "per_turn": {t: (round(1000 * statistics.median(v), 1), round(1000 * pct(v, 99), 1))
                     for t, v in sorted(rec.latency.items())},
        "rss_mb": {k: round(v) for k, v in rss_mb().items()},
    }


def report(result: dict) -> None:
    print(f"\n== {result['scenario']}: {result['conversations']} conversations x {result['turns']} turns ==")
    print(f"sent {result['sent']}  errors {result['errors']}  {result['seconds']} s  "
          f"{result['msg_per_s']} msg/s  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms")
    turns = result["per_turn"]
    shown = [t for t in turns if t in (1, 2, 5, 10, 15, 20) or t % 50 == 0 or t == max(turns)]
    print("turn  p50_ms  p99_ms")
    for t in shown:
        print(f"{t:>4}  {turns[t][0]:>6}  {turns[t][1]:>6}")
    first, last = turns.get(1), turns.get(max(turns)) if turns else None
    if first and last:
        print(f"last-turn p50 / turn-1 p50 = {last[0] / first[0]:.2f}x")
    rss = result["rss_mb"]
    print("RSS MB:", ", ".join(f"{k} {v}" for k, v in rss.items()), f"| total {sum(rss.values())}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", "-c", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--only", choices=["think", "capacity", "burst", "long"], action="append")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--url", help="REST webhook to load (default: the embedded stack's Rasa server)")
    parser.add_argument("--bearer", action="store_true", help="send the REST token (a remote caller, e.g. via nginx)")
    args = parser.parse_args()
    global URL
    if args.url:
        URL = args.url
    if args.bearer:
        from stackproc import rest_headers

        HEADERS.update(rest_headers(1))
    pool = message_pool(args.seed)
    c = args.concurrency
    plans = {
        "think": dict(conversations=c, turns=20, think=(0.5, 1.5), stagger=10.0),
        "capacity": dict(conversations=c, turns=20, think=None, stagger=0.0),
        "burst": dict(conversations=c, turns=1, think=None, stagger=0.0),
        "long": dict(conversations=1, turns=200, think=None, stagger=0.0),
    }
    results = []
    for name in args.only or list(plans):
        result = await scenario(name, seed=args.seed, pool=pool, **plans[name])
        report(result)
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
