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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_conversation import WINDOW, script  # noqa: E402
from stackproc import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT))


async def run(html: Path | None, port: int) -> None:
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
    windows = {0: "first", len(messages) - WINDOW: "last"}
    profiler = None
    for i, text in enumerate(messages):
        if i in windows:
            profiler = Profiler(async_mode="enabled")
            profiler.start()
            started = time.perf_counter()
        await agent.handle_text(text, sender_id=sender)
        if profiler is not None and i - max(k for k in windows if k <= i) == WINDOW - 1:
            profiler.stop()
            name = windows[i - WINDOW + 1]
            print(f"\n===== {name} {WINDOW} turns: {1000 * (time.perf_counter() - started) / WINDOW:.0f} ms a turn =====")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if html:
                html.mkdir(parents=True, exist_ok=True)
                (html / f"{name}.html").write_text(profiler.output_html(), encoding="utf-8")
            profiler = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--html", type=Path)
    parser.add_argument("--actions-port", type=int, default=15055)
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
        asyncio.run(run(args.html, args.actions_port))
    finally:
        stack.stop([actions])


if __name__ == "__main__":
    main()
