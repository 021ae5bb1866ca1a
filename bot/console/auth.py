"""Passwords, session tokens, CSRF tokens and the login rate limit: pure functions, no I/O.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile).
Session tokens are random; only their SHA-256 is stored, so a leaked table opens no session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("agent", "mediator", "supervisor")
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=10)  # one shift
MIN_PASSWORD_CHARS = 10

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"密码至少 {MIN_PASSWORD_CHARS} 个字符"
    if len(set(password)) < 4:
        return "密码过于简单"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def locked_until(failures_since_last_success: list[datetime], now: datetime) -> datetime | None:
    """The end of the lock after MAX_FAILURES failures within LOCK_WINDOW, or None when not locked.

    `failures_since_last_success` are the failed attempts after the last successful login."""
    recent = sorted(t for t in failures_since_last_success if now - t < LOCK_WINDOW)
    if len(recent) < MAX_FAILURES:
        return None
    until = recent[MAX_FAILURES - 1] + LOCK_WINDOW
    return until if until > now else None
