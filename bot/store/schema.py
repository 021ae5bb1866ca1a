"""The database schema is owned by Alembic migrations (bot/store/migrations); every process brings
its database to the latest revision once, before first use."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_done: set[str] = set()
_lock = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Runs pending migrations on this engine's database (once per process and URL).

    "heads": features add their revisions side by side off a common parent (a merge revision may
    join them later); every head is applied."""
    key = str(engine.url)
    if key in _done:
        return
    with _lock:
        if key in _done:
            return
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        _done.add(key)
