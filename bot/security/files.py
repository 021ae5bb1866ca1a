"""Private files: `var/` (databases, logs, secrets, results) is readable by the service's own user only
(review M6). `hotline` sets umask 077, so new files are born private; this also tightens what an
older version left behind."""

from __future__ import annotations

import os
from pathlib import Path

from bot.security.secrets import private_dir

PRIVATE_UMASK = 0o077
_DB_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".sqlite", ".sqlite3")


def private_file(path: Path) -> None:
    """chmod 0600 when the file exists (SQLite creates its -wal/-shm files with the process umask)."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def private_sqlite(database: str | Path | None) -> None:
    """The SQLite database file and its companions, 0600."""
    if not database or str(database) == ":memory:":
        return
    base = Path(database)
    for suffix in ("", "-wal", "-shm", "-journal"):
        private_file(base.with_name(base.name + suffix))


def secure_var(var: Path) -> None:
    """var/ 0700; its databases and the effective endpoints file 0600."""
    private_dir(var)
    for path in var.iterdir():
        if path.is_file() and (path.name.endswith(_DB_SUFFIXES) or path.suffix in (".yml", ".yaml", ".key")):
            private_file(path)
        elif path.is_dir() and path.name in ("secrets", "logs"):
            private_dir(path)
