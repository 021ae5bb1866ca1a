"""Small shared secrets between our own processes, and the directory that holds them.

`load_or_create(name)` returns the secret from the environment (`HOTLINE_SECRET_<NAME>`) when set,
otherwise from `<secrets dir>/<name>`, creating it on first use with 256 random bits (0600, in a 0700
directory). The secrets directory is `HOTLINE_SECRETS_DIR`, by default `var/secrets/`; production
keeps it outside `var/` and out of database backups (README, "Security").

Every process of one deployment reads the same file, so the Rasa server and the web app agree without
configuration; two processes creating it at once agree too (the file is created exclusively and the
loser reads the winner's secret).
"""

from __future__ import annotations

import os
import re
import secrets as _random
from pathlib import Path

from bot.paths import VAR

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def secrets_dir() -> Path:
    return Path(os.environ.get("HOTLINE_SECRETS_DIR") or VAR / "secrets")


def env_name(name: str) -> str:
    """relay-notify → HOTLINE_SECRET_RELAY_NOTIFY."""
    return "HOTLINE_SECRET_" + name.upper().replace("-", "_")


def private_dir(path: Path) -> Path:
    """Creates `path` (and parents) and makes it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> bool:
    """Writes a new 0600 file; False (and nothing written) if it already exists."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return True


def load_or_create(name: str, directory: Path | None = None) -> str:
    """The secret `name` (URL-safe text), from the environment or its file, created if missing."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"bad secret name {name!r}")
    configured = os.environ.get(env_name(name))
    if configured:
        return configured
    path = (directory or secrets_dir()) / name
    if not path.exists():
        write_private(path, _random.token_urlsafe(32).encode())
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(f"secret file {path} is empty")
    return value
