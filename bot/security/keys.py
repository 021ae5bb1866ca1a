"""Shared secrets between the stack's own processes, generated on first use.

Each secret comes from its environment variable when set (production: a secret manager fills it),
otherwise from `var/secrets/<name>.key`, created 0600 in a 0700 directory on first run. The files are
never printed or logged; `hotline run` passes the values to its children through the environment.
"""

from __future__ import annotations

import hashlib
import os
import secrets as _random
import time
from dataclasses import dataclass
from pathlib import Path

from bot.security.secrets import secrets_dir, write_private



@dataclass(frozen=True)
class Secret:
    name: str  # file name under var/secrets/ (without .key)
    env: str  # environment variable that overrides the file


# The Rasa server sends it on every call to the action server (endpoints.yml `headers`).
ACTION_TOKEN = Secret("action_token", "HOTLINE_ACTION_TOKEN")
# Signs the chat page's session ids (bot/security/sessions.py).
CHAT_SESSION_KEY = Secret("chat_session", "HOTLINE_CHAT_SESSION_KEY")
# Bearer token for REST integrations that do not call from the host itself (bot/channels/rest.py).
REST_TOKEN = Secret("rest_token", "HOTLINE_REST_TOKEN")

MIN_CHARS = 32


def value(secret: Secret, directory: Path | None = None) -> str:
    """The secret's value: the environment first, then the file, created on first use."""
    from_env = os.environ.get(secret.env, "").strip()
    if from_env:
        if len(from_env) < MIN_CHARS:
            raise ValueError(f"{secret.env} must be at least {MIN_CHARS} characters")
        return from_env
    path = (directory or secrets_dir()) / f"{secret.name}.key"
    token = _random.token_urlsafe(32)
    # Created exclusively: when two processes start at once, the first file wins and both read it back.
    if write_private(path, (token + "\n").encode("ascii")):
        return token
    for _ in range(50):  # the other process may still be writing it
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= MIN_CHARS:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty or too short; delete it to generate a new secret")


def export_all(env: dict[str, str], directory: Path | None = None) -> dict[str, str]:
    """Fills `env` (a child environment) with every secret, so that children share one value each."""
    for secret in (ACTION_TOKEN, CHAT_SESSION_KEY, REST_TOKEN):
        if not env.get(secret.env):
            env[secret.env] = value(secret, directory)
    return env


_tag_key: list[bytes] = []


def address_tag(address: str) -> str:
    """A keyed hash of a client address: equal addresses give equal tags, and the tag alone does not
    give the address back."""
    if not _tag_key:
        _tag_key.append(value(CHAT_SESSION_KEY).encode())
    return hashlib.blake2b(address.encode(), key=_tag_key[0][:64], digest_size=8).hexdigest()
