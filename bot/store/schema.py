"""The database schema is owned by Alembic migrations (bot/store/migrations); every process brings
its database to the latest revision once, before first use."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_done: set[str] = set()
_lock = threading.Lock()
# Any 64-bit number, the same in every process: PostgreSQL's advisory lock for migrations.
_PG_LOCK_KEY = 12348_0001


@contextlib.contextmanager
def _one_process_at_a_time(engine: Engine) -> Iterator[None]:
    """The action server, the Rasa server and the web app start together and each upgrades the same
    database: one at a time, or two of them create the same table. A SQLite database is locked by a
    file beside it, taken before any connection reads the schema; PostgreSQL by an advisory lock
    (taken in `upgrade`, inside the migration's transaction)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(f"{engine.url.database}.migrate.lock", "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    else:
        yield


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
        with _one_process_at_a_time(engine), engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        _done.add(key)
