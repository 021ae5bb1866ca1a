"""The tooling is real (style review 2026-12-01, §7 item 6 and recommendation 7): pytest turns warnings
into errors with named third-party exceptions only, and `hotline test` runs a pinned mypy on the pure
domain."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_warnings_are_errors_and_every_exception_is_narrow_and_third_party() -> None:
    filters = CONFIG["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert filters[0] == "error"
    ours = []
    for f in filters[1:]:
        action, message, category, module, *_ = (f.split(":") + ["", "", "", ""])[:5]
        assert action == "ignore", f
        assert message or module or category.startswith(("pyparsing.",)), f"{f}: ignores a whole category"
        if module.startswith(("bot", "actions", "tests")):
            ours.append(f)
    # Our own code is never excused: the last exception, the console's string request keys (aiohttp's
    # NotAppKeyWarning), went with their change to web.RequestKey (bot/console/keys.py).
    assert ours == []
    assert "TEMPORARY" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_console_keeps_its_state_under_typed_keys() -> None:
    from aiohttp import web

    from bot.console import keys

    for name in ("SESSION", "TOKEN"):
        assert isinstance(getattr(keys, name), web.RequestKey), name
    for name in ("ENGINE_KEY", "TRANSPORT_KEY", "STREAMS_KEY", "SESSION_STREAMS_KEY"):
        assert isinstance(getattr(keys, name), web.AppKey), name


def test_hotline_test_runs_mypy_and_the_lock_pins_it() -> None:
    from bot import cli

    assert '"mypy"' in inspect.getsource(cli.cmd_test)
    lock = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("mypy==") for line in lock)


def test_mypy_checks_files_that_exist_and_includes_the_pure_domain() -> None:
    files = CONFIG["tool"]["mypy"]["files"]
    assert all((ROOT / f).exists() for f in files), [f for f in files if not (ROOT / f).exists()]
    for required in ("bot/eligibility", "bot/legal_aid/intake.py", "bot/masking.py", "bot/security",
                     "bot/kb/retrieval.py", "bot/lexicon.py"):
        assert required in files


def test_the_retrieval_checks_clean(tmp_path) -> None:
    """bot/kb/retrieval.py reused `docs` (the word lists) for the TF-IDF rows, so mypy read a sparse row
    selection as a list's (style review 2026-12-01, "Left")."""
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "bot/kb/retrieval.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout
