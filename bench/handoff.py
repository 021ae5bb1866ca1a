"""What the handoff gate adds to every citizen turn: `store.conversation` and, with a ticket,
`intercept.intercept`.

Runs the same store calls the Rasa server makes per message, on a fresh SQLite file (or
--db-url, e.g. a PostgreSQL), for conversations without a ticket (the common case) and for
conversations an agent holds (the message is recorded, the bot stays silent).

    .venv/bin/python bench/handoff.py            # prints medians and p99 in milliseconds
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.handoff import intercept, relay, store
from bot.handoff import tickets as T
from bot.store.db import engine as make_engine


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def turn(eng, sender: str, text: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    now = datetime.now(timezone.utc)
    active, feedback, _items = store.conversation(eng, sender, now)  # as bot/handoff/channel.py does
    if active is not None or feedback is not None or relay.decide(text, None, None).action != relay.PASS:
        intercept.intercept(eng, sender, text, now, active, feedback)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url")
    parser.add_argument("-n", type=int, default=2000, help="turns per case")
    parser.add_argument("--tickets", type=int, default=2000, help="closed tickets already stored")
    args = parser.parse_args()
    url = args.db_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    eng = make_engine(url)
    now = datetime.now(timezone.utc)
    summary = T.build_summary("wage_arrears", {}, [], [])
    for i in range(args.tickets):  # history, so the queries run against a non-empty table
        t = store.open_ticket(eng, sender_id=f"old-{i}", channel="rest", reason=T.REASON_REQUEST,
                              category="debt", summary=summary, now=now)
        store.close(eng, t.reference, "a", "duplicate", now)
    free = [turn(eng, f"free-{i % 200}", "老板欠了三个月工资不给怎么办") for i in range(args.n)]
    held = []
    for i in range(50):
        t = store.open_ticket(eng, sender_id=f"held-{i}", channel="rest", reason=T.REASON_REQUEST,
                              category="debt", summary=summary, now=now)
        store.claim(eng, t.reference, "agent", now)
    held = [turn(eng, f"held-{i % 50}", "欠了三个月，一共两万") for i in range(args.n)]
    print(f"database: {eng.url.get_backend_name()}, {args.tickets} closed tickets stored")
    for name, values in (("no ticket (bot answers)", free), ("claimed (silent, recorded)", held)):
        print(f"{name:28s} n={len(values)}  p50 {statistics.median(values):.2f} ms  p99 {pct(values, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
