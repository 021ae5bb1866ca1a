"""The Fernet keys that encrypt personal numbers at rest (ID numbers, callback and applicant phones).

Where the key comes from, first found wins:
- `HOTLINE_FERNET_KEY`: one key, or several separated by commas for rotation (the first encrypts,
  every one decrypts: MultiFernet);
- `HOTLINE_FERNET_KEY_FILE`: a file holding the same;
- `<secrets dir>/fernet.key` (`HOTLINE_SECRETS_DIR`, default `var/secrets/`), generated on first run,
  0600 in a 0700 directory.
Production keeps the key apart from the database and its backups (README, "Security").
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from bot.security.secrets import secrets_dir, write_private

KEY_NAME = "fernet.key"


def key_file() -> Path:
    configured = os.environ.get("HOTLINE_FERNET_KEY_FILE")
    return Path(configured) if configured else secrets_dir() / KEY_NAME


def load_key(path: Path | None = None) -> bytes:
    """The configured key or keys (comma-separated), creating the key file on first run."""
    configured = os.environ.get("HOTLINE_FERNET_KEY")
    if configured:
        return configured.encode()
    path = path or key_file()
    if not path.exists():
        write_private(path, Fernet.generate_key())
    return path.read_bytes().strip()


@lru_cache(maxsize=4)
def fernet(key: bytes | None = None) -> MultiFernet:
    keys = [k.strip() for k in (key or load_key()).split(b",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_text(value: str) -> str:
    """A Fernet token (text) for `value`."""
    return fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()
