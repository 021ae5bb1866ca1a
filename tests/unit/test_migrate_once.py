"""The schema is brought up to date once, when a process first opens its database, not as a side effect
of the first query of each of 41 data-access functions (style review 2026-12-01, L9)."""

import re
from pathlib import Path

from sqlalchemy import inspect

from bot.store.db import engine

ROOT = Path(__file__).resolve().parents[2]
# Where migrating is the point: the engine factory, the migration runner (and its docstring), the
# console's start-up.
MIGRATORS = {"bot/store/db.py", "bot/store/schema.py", "bot/store/migrations/env.py", "bot/console/app.py"}


def test_the_first_engine_of_a_database_migrates_it(tmp_path) -> None:
    eng = engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    tables = set(inspect(eng).get_table_names())
    assert {"handoff_tickets", "legal_aid_applications", "consultation_log", "console_users"} <= tables


def test_no_data_access_function_migrates() -> None:
    callers = sorted(p.relative_to(ROOT).as_posix() for pkg in ("bot", "actions") for p in (ROOT / pkg).rglob("*.py")
                     if re.search(r"\bschema\.upgrade\(", p.read_text(encoding="utf-8")))
    assert set(callers) <= MIGRATORS, callers
