"""Where a turn's time goes at the start and at the end of the 200-turn conversation of
bench/long_conversation.py: the Rasa agent in this process (the project's tracker store on a fresh
SQLite file), the action server as a child, pyinstrument around the first and the last 10 turns.

    .venv/bin/pip install pyinstrument   # a profiler, not a dependency of the hotline
    .venv/bin/python bench/profile_turns.py [--html var/results/profile]

The action server listens on a port of its own (--actions-port), so this needs no stack lock.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_conversation import FORM, FORM_AT, WINDOW, script  # noqa: E402
from stackproc import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT))


def growth(first: "pstats.Stats", last: "pstats.Stats", top: int = 25) -> None:
    """The functions whose time grew most from the first to the last window (cumulative seconds, calls)."""
    def table(stats: "pstats.Stats") -> dict:
        return {f"{Path(k[0]).name}:{k[2]}": (v[3], v[1]) for k, v in stats.stats.items()}  # type: ignore[attr-defined]

    a, b = table(first), table(last)
    rows = sorted(((b[k][0] - a.get(k, (0, 0))[0], k) for k in b), reverse=True)[:top]
    print(f"\n===== grew most (cumulative s over {WINDOW} turns: first -> last; calls) =====")
    for diff, k in rows:
        print(f"{a.get(k, (0, 0))[0]:8.3f} -> {b[k][0]:8.3f}  (+{diff:.3f})  calls {a.get(k, (0, 0))[1]} -> {b[k][1]}  {k}")


async def run(html: Path | None, port: int, deterministic: bool = False, timing_runs: int = 0) -> None:
    import cProfile
    import pstats

    from pyinstrument import Profiler
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_server, stack
    from bot.model import ensure_trained

    rasa_server.apply()
    import logging

    logging.getLogger().setLevel(logging.INFO)  # as the server runs; debug logs every state of the tracker
    for name in ("rasa", "bot", "actions"):
        logging.getLogger(name).setLevel(logging.INFO)
    db = Path(tempfile.mkdtemp()) / "tracker.db"
    endpoints = AvailableEndpoints(
        action=EndpointConfig(f"http://127.0.0.1:{port}/webhook",
                              headers={"X-Hotline-Action-Token": os.environ["HOTLINE_ACTION_TOKEN"]}),
        tracker_store=EndpointConfig(type=stack.TRACKER_STORE, dialect="sqlite", db=str(db)),
    )
    agent = await load_agent(model_path=str(ensure_trained()), endpoints=endpoints)
    messages = script(12348)
    sender = f"profile-{time.time_ns():x}"
    for text in messages[:WINDOW]:  # a first conversation loads what the servers load lazily
        await agent.handle_text(text, sender_id=sender + "-warm-up")
    if timing_runs:  # no profiler: per-turn times, median(last 10) / median(first 10) per run
        import statistics

        ratios = []
        for r in range(timing_runs):
            took = []
            for i, text in enumerate(messages):
                started = time.perf_counter()
                replies = await agent.handle_text(text, sender_id=f"{sender}-{r}")
                took.append(time.perf_counter() - started)
                if i == FORM_AT - 1 + len(FORM) - 1:  # the form's submission: the application is stored
                    said = " ".join(m.get("text") or "" for m in replies or [])
                    print(f"run {r + 1}: form submitted: {'受理编号' in said}", flush=True)
            first, last = statistics.median(took[:WINDOW]), statistics.median(took[-WINDOW:])
            ratios.append(last / first)
            print(f"run {r + 1}: first {WINDOW} p50 {1000 * first:.0f} ms, last {WINDOW} p50 {1000 * last:.0f} ms, "
                  f"ratio {last / first:.2f}x", flush=True)
        print(f"median ratio {statistics.median(ratios):.2f}x over {timing_runs} runs (in process)")
        return
    windows = {0: "first", len(messages) - WINDOW: "last"}
    profiler = None
    stats: dict = {}
    for i, text in enumerate(messages):
        if i in windows:
            profiler = cProfile.Profile() if deterministic else Profiler(async_mode="enabled")
            profiler.enable() if deterministic else profiler.start()
            started = time.perf_counter()
        await agent.handle_text(text, sender_id=sender)
        if profiler is not None and i - max(k for k in windows if k <= i) == WINDOW - 1:
            profiler.disable() if deterministic else profiler.stop()
            name = windows[i - WINDOW + 1]
            print(f"\n===== {name} {WINDOW} turns: {1000 * (time.perf_counter() - started) / WINDOW:.0f} ms a turn =====")
            if deterministic:
                stats[name] = pstats.Stats(profiler)
                if len(stats) == 2:
                    growth(stats["first"], stats["last"])
                profiler = None
                continue
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if html:
                html.mkdir(parents=True, exist_ok=True)
                (html / f"{name}.html").write_text(profiler.output_html(), encoding="utf-8")
            profiler = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--html", type=Path)
    parser.add_argument("--actions-port", type=int, default=15055)
    parser.add_argument("--timing", type=int, default=0, metavar="RUNS",
                        help="no profiler: time RUNS conversations and print the growth ratios")
    parser.add_argument("--cprofile", action="store_true",
                        help="deterministic profile: the functions whose time grew most, with call counts")
    args = parser.parse_args()
    from bot import stack
    from bot.security import settings

    env = stack.child_env()
    os.environ.update({k: v for k, v in env.items() if k.startswith(("HOTLINE_", "WECHAT_", "RASA_"))})
    actions = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--actions", "actions", "--host",
                                settings.bind_host("ACTIONS"), "--port", str(args.actions_port)],
                               cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        if not stack.wait_http(f"http://127.0.0.1:{args.actions_port}/health", 120, [actions]):
            raise SystemExit("the action server did not start")
        asyncio.run(run(args.html, args.actions_port, args.cprofile, args.timing))
    finally:
        stack.stop([actions])


if __name__ == "__main__":
    main()
