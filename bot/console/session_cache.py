"""A few seconds' memory of live sessions in the web process, so that every page and assist call does
not cost a database round trip. Logout forgets at once; a user disabled from the CLI (another
process) loses access within TTL_SECONDS."""

from __future__ import annotations

import threading
import time

from sqlalchemy.engine import Engine

from bot.console import auth, users

TTL_SECONDS = 5.0
MAX_ENTRIES = 1000

_entries: dict[str, tuple[float, users.Session]] = {}
_lock = threading.Lock()


def cached(token: str | None) -> users.Session | None:
    """The remembered session, or None when it is not (or no longer) remembered."""
    if not token or len(token) > 128:
        return None
    with _lock:
        hit = _entries.get(auth.token_hash(token))
    if hit and time.monotonic() - hit[0] < TTL_SECONDS and hit[1].expires_at.timestamp() > time.time():
        return hit[1]
    return None


def lookup(engine: Engine, token: str | None) -> users.Session | None:
    """The session from the database (blocking), remembered for TTL_SECONDS."""
    if not token or len(token) > 128:
        return None
    key, now = auth.token_hash(token), time.monotonic()
    session = users.session_for(engine, token)
    with _lock:
        if session is None:
            _entries.pop(key, None)
        else:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (now, session)
    return session


def forget(token: str | None) -> None:
    if token:
        with _lock:
            _entries.pop(auth.token_hash(token), None)


def clear() -> None:
    with _lock:
        _entries.clear()
