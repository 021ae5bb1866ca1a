"""Engine creation from the configured database URL."""

from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.pool import QueuePool

from bot.paths import VAR
from bot.security.files import private_sqlite
from bot.security.secrets import private_dir


def database_url() -> str:
    """HOTLINE_DB_URL, or a SQLite file under var/ (the embedded default)."""
    url = os.environ.get("HOTLINE_DB_URL")
    if url:
        return url
    private_dir(VAR)
    return f"sqlite:///{VAR / 'hotline.db'}"


def engine(url: str | None = None) -> Engine:
    """The shared engine for `url`, by default the configured database, its schema at the latest
    migration. The data-access functions take this engine and never migrate themselves: the first
    engine of a process brings its database up to date, once (the servers ask for it at start-up)."""
    return _engine(url or database_url())


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    eng = new_engine(url)
    from bot.store import schema  # Alembic is needed here only, not by every user of the engine

    schema.upgrade(eng)
    return eng


def new_engine(url: str | None = None, *, pool_size: int = 4, max_overflow: int = 8,
               fsync: bool = True) -> Engine:
    """An engine of the caller's own, not shared and not migrated: for an owner that disposes of it
    (the web app, in its cleanup context) and migrates it at its start-up. Opens no connection yet.
    SQLite only: the pool's size, and `fsync=False` for commits that do not wait for the disk (WAL with
    synchronous=NORMAL: safe against a crash of the process; a power cut may lose the last commits)."""
    url = url or database_url()
    if url.startswith("sqlite") and ":memory:" not in url:
        # SQLAlchemy 1.4 opens a new SQLite connection (and runs its pragmas) for every transaction;
        # under load that was a third of the action server's time. A small pool keeps them open; a
        # connection is only ever used by the thread that checked it out.
        eng = create_engine(url, future=True, poolclass=QueuePool, pool_size=pool_size, max_overflow=max_overflow,
                            connect_args={"check_same_thread": False}, hide_parameters=True)
    else:
        # hide_parameters: a failed statement's error (and so the logs) never carries the citizen's
        # data, only the SQL (review M6).
        eng = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    if url.startswith("sqlite"):
        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the Rasa server and the action server write side by side.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            if not fsync:
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
            private_sqlite(eng.url.database)  # 0600, whatever the umask
    return eng
