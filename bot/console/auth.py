"""Passwords, session tokens, CSRF tokens and the login throttle: pure functions, no I/O.

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

from bot.console import policy

ROLES = policy.ROLES
SESSION_LIFETIME = timedelta(hours=10)  # one shift
MIN_PASSWORD_CHARS = 10

# Login throttle (security review M4). Failures are counted per (account, address) and per address,
# never per account alone: a stranger elsewhere cannot lock an agent out, and the right password from
# an address that has not failed always works.
MAX_FAILURES = 5  # per (account, address): free tries for typing mistakes
PAIR_WINDOW = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=30)  # after MAX_FAILURES, doubling with each further failure
MAX_DELAY = timedelta(minutes=15)
ADDRESS_MAX_FAILURES = 30  # per address, over every account: slows password spraying
ADDRESS_WINDOW = timedelta(minutes=15)
ATTEMPTS_KEPT = timedelta(days=1)  # older login attempts are purged; longer than every window

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


def pair_retry_at(failures: list[datetime], now: datetime) -> datetime | None:
    """When one address may try one account again, or None when it may now.

    `failures` are that address's failed attempts for that account since its last success there.
    The first MAX_FAILURES within PAIR_WINDOW are free; then the wait doubles from FIRST_DELAY after
    each failure, up to MAX_DELAY."""
    recent = sorted(t for t in failures if now - t < PAIR_WINDOW)
    extra = len(recent) - MAX_FAILURES
    if extra < 0:
        return None
    delay = min(FIRST_DELAY * (2 ** min(extra, 16)), MAX_DELAY)
    until = recent[-1] + delay
    return until if until > now else None


def address_retry_at(failures: list[datetime], now: datetime) -> datetime | None:
    """When an address may try any account again after ADDRESS_MAX_FAILURES failures (all accounts,
    unknown names included) within ADDRESS_WINDOW; None when it may now."""
    recent = sorted(t for t in failures if now - t < ADDRESS_WINDOW)
    if len(recent) < ADDRESS_MAX_FAILURES:
        return None
    until = recent[-ADDRESS_MAX_FAILURES] + ADDRESS_WINDOW
    return until if until > now else None


def retry_at(pair_failures: list[datetime], address_failures: list[datetime], now: datetime) -> datetime | None:
    """The later of the two waits, or None when this attempt may be checked."""
    waits = [t for t in (pair_retry_at(pair_failures, now), address_retry_at(address_failures, now)) if t]
    return max(waits) if waits else None
