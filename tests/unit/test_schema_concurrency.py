"""The three servers start together and each brings the same database to the latest revision."""

from __future__ import annotations

import subprocess
import sys


def test_processes_upgrading_one_new_database_at_once_all_succeed(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    code = ("import sys; from bot.store.db import engine; from bot.store import schema; "
            "schema.upgrade(engine(sys.argv[1]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE) for _ in range(6)]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
