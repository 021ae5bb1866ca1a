"""The issue-18 figures through nginx, for 1 and 2 replicas (`./hotline run --replicas N`, docs/replicas.md):
capacity and think-time p50/p99 (bench/load.py), errors while a Rasa server and an action server are
killed with -9 mid-load, RSS of the whole stack after N distinct conversations (bench/memory.py), and
the 200-turn growth (bench/long_conversation.py). One stack start per replica count.

    flock /tmp/hotline-stack.lock .venv/bin/python bench/replicas.py --json var/results/replicas.json
    ... --replicas 2 --conversations 20000        # one count, the full memory run (about 40 min on 2 cores)

Needs `hotline run --replicas` (branch `replicas`); without it the launcher exits and so does this.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
import long_conversation  # noqa: E402
import memory  # noqa: E402
from stackproc import REST_PATH, ROOT, Stack, exit_on_sigterm, pss_kb, rest_headers, rss_by_kind  # noqa: E402

STATE = ROOT / "var" / "replicas" / "state.json"
KILLED = ("rasa-0", "actions-0")
KILL_AFTER = 15.0  # seconds into the think-time run


def kill_later(delay: float) -> asyncio.Task:
    async def kill() -> list[str]:
        await asyncio.sleep(delay)
        state = json.loads(STATE.read_text(encoding="utf-8"))
        done = []
        for name in KILLED:
            pid = (state.get("processes") or {}).get(name, {}).get("pid")
            if pid:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                    done.append(f"{name} (pid {pid})")
                except ProcessLookupError:
                    pass
        return done

    return asyncio.ensure_future(kill())


async def load_figures(concurrency: int, seed: int, kill: bool = True) -> dict:
    pool = load.message_pool(seed)
    think = await load.scenario("think", concurrency, 20, (0.5, 1.5), 10.0, seed, pool)
    capacity = await load.scenario("capacity", concurrency, 20, None, 0.0, seed, pool)
    if not kill:
        return {"think": think, "capacity": capacity}
    killer = kill_later(KILL_AFTER)
    killed_run = await load.scenario("kill", concurrency, 20, (0.5, 1.5), 10.0, seed + 1, pool)
    killed = await killer
    return {"think": think, "capacity": capacity, "kill": {**killed_run, "killed": killed}}


def summary(n: int, figures: dict) -> str:
    t, c, k = figures["think"], figures["capacity"], figures.get("kill")
    m, lg = figures.get("memory"), figures.get("long")
    lines = [f"== {n} replica(s), through nginx :8080 (load average {figures.get('load', '?')}) ==",
             f"think time: {t['msg_per_s']} msg/s, p50 {t['p50_ms']} ms, p99 {t['p99_ms']} ms, errors {t['errors']} of {t['sent']}",
             f"capacity: {c['msg_per_s']} msg/s, p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, errors {c['errors']}"]
    if k:
        lines.append(f"kill -9 {', '.join(k['killed']) or 'nothing'} after {KILL_AFTER:.0f} s: errors {k['errors']} of "
                     f"{k['sent']}, p99 {k['p99_ms']} ms")
    if m:
        lines.append(f"memory after {m['conversations']} conversations: RSS {m['total_mb']} MB, PSS {m['total_pss_mb']} MB "
                     f"{m['samples'][-1]['rss_mb']}")
    if lg:
        lines.append(f"200 turns: first 10 p50 {lg['first_ms']} ms, last 10 p50 {lg['last_ms']} ms, ratio {lg['ratio']}x")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, action="append", help="default: 1 and 2")
    parser.add_argument("--concurrency", "-c", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=20_000, help="for the memory figure; 0 skips it")
    parser.add_argument("--long-runs", type=int, default=1, help="200-turn conversations; 0 skips them")
    parser.add_argument("--no-kill", dest="kill", action="store_false",
                        help="skip the kill -9 run (capacity and think time only)")
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for n in args.replicas or [1, 2]:
        stack = Stack(replicas=n, env={"HOTLINE_LIMIT_SENDER": "0/0", "HOTLINE_LIMIT_REST_ADDRESS": "0/0"})
        started = time.monotonic()
        previous = signal.signal(signal.SIGTERM, exit_on_sigterm)  # stop the stack on a SIGTERM too
        try:
            stack.start()
            figures: dict = {"start_seconds": round(time.monotonic() - started, 1)}
            url = stack.base_url + REST_PATH
            load.URL = url
            load.HEADERS.update(rest_headers(n))
            figures.update(asyncio.run(load_figures(args.concurrency, args.seed, args.kill)))
            if args.long_runs:
                messages = long_conversation.script(args.seed)
                runs = [long_conversation.one_run(url, rest_headers(n), f"bench-long-{time.time_ns():x}-{r}", messages)
                        for r in range(args.long_runs)]
                figures["long"] = {"ratio": statistics.median(r["ratio"] for r in runs),
                                   "first_ms": statistics.median(r["first_ms"] for r in runs),
                                   "last_ms": statistics.median(r["last_ms"] for r in runs), "runs": runs}
            if args.conversations:
                figures["memory"] = asyncio.run(memory.run(
                    url, rest_headers(n), args.conversations, 1, 16, args.seed, stack.root_pid,
                    [1_000, 5_000, 10_000, 20_000]))
            figures["rss_mb"] = rss_by_kind(stack.root_pid)
            figures["pss_mb"] = rss_by_kind(stack.root_pid, pss_kb)
            figures["load"] = round(os.getloadavg()[0], 1)
        finally:
            stack.stop()
            signal.signal(signal.SIGTERM, previous)
        results[n] = figures
        print(summary(n, figures), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
