"""`hotline run` and `hotline run --replicas N` stop what they started on SIGTERM or Ctrl-C (one helper)."""

import os
import signal

from bot import cli


def test_sigterm_and_ctrl_c_ask_the_run_to_stop() -> None:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            stopping = cli.stop_on_signals()
            assert not stopping()
            os.kill(os.getpid(), sig)  # handled in the main thread before kill returns to Python code
            assert stopping()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
