"""Resident memory of the whole stack after many distinct conversations (issue 18: 20,000 conversations
leave the stack at most 1.5 GB RSS).

Each conversation is its own REST sender asking a citizen's question (the training examples of the
consultation categories, as bench/load.py); `--turns 2` and more start with a greeting. The RSS of every process of the stack is summed at
checkpoints; with `--start`, every process under the launcher counts (nginx, Redis and PostgreSQL too
when the launcher starts them), so that is the figure to quote.

    HOTLINE_LIMIT_SENDER=0/0 HOTLINE_LIMIT_REST_ADDRESS=0/0 \
        flock /tmp/hotline-stack.lock .venv/bin/python bench/memory.py --start
    ... --start --replicas 2      # through nginx, once `hotline run --replicas N` exists

The per-address REST limit must be off (all bench conversations come from 127.0.0.1). Exit status 1 if
the total is over --limit-mb or a turn failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import message_pool  # noqa: E402
from stackproc import REST_PATH, add_stack_arguments, base_url, bench_stack, pss_kb, rest_headers, rss_by_kind  # noqa: E402

LIMIT_MB = 1536  # 1.5 GB (GiB: /proc reports KiB)


async def run(url: str, headers: dict[str, str], conversations: int, turns: int, concurrency: int, seed: int,
              root: int | None, checkpoints: list[int], max_seconds: float | None = None) -> dict:
    pool = message_pool(seed)
    rng = random.Random(seed)
    run_id = f"{time.time_ns():x}"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)
    done = errors = sent = 0
    samples: list[dict] = [{"conversations": 0, "rss_mb": rss_by_kind(root)}]
    pending_checks = sorted(c for c in checkpoints if 0 < c <= conversations)
    timeout = aiohttp.ClientTimeout(total=60)
    started = time.perf_counter()

    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        async def post(sender: str, text: str) -> bool:
            nonlocal sent
            sent += 1
            try:
                async with session.post(url, json={"sender": sender, "message": text}, headers=headers) as resp:
                    body = await resp.read()
                    return resp.status == 200 and isinstance(json.loads(body), list)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                return False

        async def worker() -> None:
            nonlocal done, errors
            while True:
                if max_seconds is not None and time.perf_counter() - started > max_seconds:
                    return  # out of time: report how far it got
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                sender = f"bench-mem-{run_id}-{i}"
                texts = (["你好"] if turns > 1 else []) + [rng.choice(pool) for _ in range(max(1, turns - 1))]
                for text in texts:
                    if not await post(sender, text):
                        errors += 1
                done += 1
                while pending_checks and done >= pending_checks[0]:
                    pending_checks.pop(0)
                    sample = {"conversations": done, "seconds": round(time.perf_counter() - started, 1),
                              "rss_mb": rss_by_kind(root), "load": os.getloadavg()[0]}
                    samples.append(sample)
                    print(f"{done:>6} conversations  {sample['seconds']:>7} s  total "
                          f"{sum(sample['rss_mb'].values()):7.0f} MB  load {sample['load']:.1f}  {sample['rss_mb']}",
                          flush=True)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    await asyncio.sleep(2)  # let the servers finish their saves
    final = {"conversations": done, "seconds": round(time.perf_counter() - started, 1), "rss_mb": rss_by_kind(root),
             "pss_mb": rss_by_kind(root, pss_kb)}
    samples.append(final)
    total = round(sum(final["rss_mb"].values()))
    return {"conversations": done, "asked": conversations, "turns": turns, "sent": sent, "errors": errors,
            "msg_per_s": round(sent / final["seconds"], 1), "samples": samples, "total_mb": total,
            "total_pss_mb": round(sum(final["pss_mb"].values()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_stack_arguments(parser)
    parser.add_argument("--conversations", "-n", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=1,
                        help="turns per conversation: a citizen's question, after a greeting if more than one")
    parser.add_argument("--concurrency", "-c", type=int, default=16)
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--limit-mb", type=float, default=LIMIT_MB)
    parser.add_argument("--max-minutes", type=float,
                        help="start no conversation after this long (the stack lock is shared); the report "
                             "says how many were done")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    began = time.perf_counter()
    with bench_stack(args) as stack:
        start_s = time.perf_counter() - began
        checkpoints = [1_000, 2_000, 5_000, 10_000, 15_000, 20_000, args.conversations]
        result = asyncio.run(run(base_url(args, stack) + REST_PATH, rest_headers(args.replicas), args.conversations,
                                 args.turns, args.concurrency, args.seed, stack.root_pid, checkpoints,
                                 args.max_minutes * 60 if args.max_minutes else None))
    result["replicas"] = args.replicas
    result["whole_stack"] = bool(args.start)
    result["stack_start_s"], result["whole_run_s"] = round(start_s, 1), round(time.perf_counter() - began, 1)
    print(f"\n{result['conversations']} conversations x {result['turns']} turns, {result['replicas'] or 'single'}"
          f" replicas: sent {result['sent']}, errors {result['errors']}, {result['msg_per_s']} msg/s; stack start "
          f"{result['stack_start_s']} s, whole run {result['whole_run_s']} s")
    print(f"RSS after: {result['samples'][-1]['rss_mb']}  total {result['total_mb']} MB "
          f"(limit {args.limit_mb:.0f} MB{'' if args.start else '; servers only, without --start'}); "
          f"PSS total {result['total_pss_mb']} MB {result['samples'][-1]['pss_mb']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    short = result["conversations"] < result["asked"]
    if short:
        print(f"stopped after --max-minutes: {result['conversations']} of {result['asked']} conversations")
    return 1 if result["errors"] or short or result["total_mb"] > args.limit_mb else 0


if __name__ == "__main__":
    sys.exit(main())
