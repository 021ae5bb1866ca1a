"""The Fernet key that encrypts ID numbers at rest: from HOTLINE_FERNET_KEY, or generated on first
run into a file readable by the owner only (0600)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

from bot.paths import VAR

KEY_FILE = VAR / "secrets" / "fernet.key"


def load_key(path: Path = KEY_FILE) -> bytes:
    configured = os.environ.get("HOTLINE_FERNET_KEY")
    if configured:
        return configured.encode()
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


@lru_cache(maxsize=4)
def fernet(key: bytes | None = None) -> Fernet:
    return Fernet(key or load_key())
