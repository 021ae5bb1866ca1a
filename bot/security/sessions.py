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


class SharedRevoked(Revoked):
    """`Revoked` for the replicated stack: ended sessions are also kept in Redis (a key per session
    expiring with its last token), so a page that ended its session on one Rasa server cannot rejoin it
    on another, nor after a restart. This process's own memory still answers if Redis is unreachable."""

    def __init__(self, client, ttl: int = TTL) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ttl)
        self.client = client

    @staticmethod
    def key(session_id: str) -> str:
        return "hotline:revoked:" + hashlib.sha256(session_id.encode()).hexdigest()[:32]

    def add(self, session_id: str, now: float) -> None:
        super().add(session_id, now)
        try:
            self.client.set(self.key(session_id), "1", ex=self.ttl)
        except Exception:  # noqa: BLE001 - Redis down: revoked here at least
            import logging

            logging.getLogger(__name__).warning("session revocation not shared (Redis unreachable)")

    def __call__(self, session_id: str, now: float) -> bool:
        if super().__call__(session_id, now):
            return True
        try:
            return bool(self.client.exists(self.key(session_id)))
        except Exception:  # noqa: BLE001 - Redis down: what this process knows
            return False


def revoked_for_environment() -> Revoked:
    """SharedRevoked when HOTLINE_REDIS_URL is set (the replicated stack), else the in-process set."""
    import os

    url = os.environ.get("HOTLINE_REDIS_URL", "").strip()
    if not url:
        return Revoked()
    import redis

    return SharedRevoked(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1))
