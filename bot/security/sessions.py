"""Chat-page sessions: ids the server issues, carried by the page with an HMAC tag it cannot forge.

The socket.io channel (bot/channels/chat.py) issues `web:<128 random bits>` and a token
`<id>.<expiry>.<tag>`; a page presents the token to rejoin its conversation, and nothing else lets a
socket join it. Tokens expire after `TTL` seconds without a (re)connection, and a session the citizen
ended is refused until its last token would have expired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "web:"
TTL = 12 * 3600  # seconds a token stays valid after it was issued
_TAG_CHARS = 32


@dataclass(frozen=True)
class Session:
    id: str  # the conversation's sender id
    token: str  # what the page keeps (sessionStorage) to rejoin it


def _tag(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:_TAG_CHARS]


def issue(key: bytes, now: float, session_id: str | None = None, ttl: int = TTL) -> Session:
    """A new session, or a fresh token for `session_id` (the caller has verified it)."""
    sid = session_id or PREFIX + secrets.token_hex(16)
    body = f"{sid}.{int(now) + ttl}"
    return Session(sid, f"{body}.{_tag(key, body)}")


def verify(key: bytes, token: object, now: float) -> str | None:
    """The session id the token was issued for, or None (forged, altered, expired or malformed)."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    body, _, tag = token.rpartition(".")
    sid, _, expiry = body.rpartition(".")
    if not sid.startswith(PREFIX) or not expiry.isdigit():
        return None
    if not hmac.compare_digest(tag.encode(), _tag(key, body).encode()):
        return None
    return sid if int(expiry) >= now else None


class Revoked:
    """Sessions ended by the citizen (结束并清除对话), remembered until their tokens expire."""

    def __init__(self, ttl: int = TTL) -> None:
        self.ttl = ttl
        self._until: dict[str, float] = {}

    def add(self, session_id: str, now: float) -> None:
        self._until[session_id] = now + self.ttl
        if len(self._until) > 10_000:
            self._until = {k: t for k, t in self._until.items() if t >= now}

    def __call__(self, session_id: str, now: float) -> bool:
        until = self._until.get(session_id)
        return until is not None and until >= now
