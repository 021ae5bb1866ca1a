"""Deployment settings of the public entries, from the environment (see README "Security").

By default every server listens on 127.0.0.1 and the chat page is served to a browser on the same
machine (http://localhost:8000/chat/, talking to :5005). In production a TLS reverse proxy publishes
one origin (HOTLINE_PUBLIC_ORIGIN, e.g. https://12348.example.gov.cn): the page, /socket.io/ and the
WeChat webhook, all same-origin; REST and the handoff relay stay on loopback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.security.ratelimit import Rate

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
DEV_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")
MAX_MESSAGE_CHARS = 1000  # the chat page's limit, enforced again by every channel before storage


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _rate(name: str, per_minute: float, burst: int) -> Rate:
    """HOTLINE_LIMIT_<NAME>="per_minute/burst", e.g. "30/20"; "0/0" switches that limit off."""
    raw = os.environ.get(f"HOTLINE_LIMIT_{name}", "").strip()
    if raw:
        per, _, b = raw.partition("/")
        return Rate(float(per), int(b or per))
    return Rate(per_minute, burst)


@dataclass(frozen=True)
class Limits:
    # Per conversation, every channel: a person types a message every few seconds at most; quick
    # replies allow a short burst.
    sender: Rate
    # Per client address on the chat page (an office or a 公共法律服务站 behind one NAT address).
    address: Rate
    # New chat sessions per client address.
    sessions: Rate
    # Per address on REST: a trusted integration sends all its users from one address.
    rest_address: Rate


def limits() -> Limits:
    return Limits(
        sender=_rate("SENDER", 30, 20),
        address=_rate("ADDRESS", 300, 100),
        sessions=_rate("SESSIONS", 30, 30),
        rest_address=_rate("REST_ADDRESS", 6000, 1000),
    )


def public_origins() -> tuple[str, ...]:
    """The origins the chat page is served from: HOTLINE_PUBLIC_ORIGIN (comma-separated), or the
    development origins of `hotline run`."""
    raw = os.environ.get("HOTLINE_PUBLIC_ORIGIN", "").strip()
    if not raw:
        return DEV_ORIGINS
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def behind_proxy() -> bool:
    """HOTLINE_BEHIND_PROXY=1: a reverse proxy on this host forwards requests and sets X-Forwarded-For."""
    return _env("HOTLINE_BEHIND_PROXY", "0") in ("1", "true", "yes")


def client_address(peer: str, forwarded_for: str | None) -> str:
    """The address rate limits count against: the peer, or behind a proxy on loopback, the address the
    proxy saw (the last X-Forwarded-For entry, the one the proxy itself appended)."""
    if behind_proxy() and peer in LOOPBACK and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last
    return peer


def bind_host(service: str) -> str:
    """HOTLINE_<SERVICE>_HOST (RASA, ACTIONS, WEB), 127.0.0.1 unless configured otherwise."""
    return _env(f"HOTLINE_{service}_HOST", "127.0.0.1")


def chat_socket_port() -> str:
    """Where the chat page opens socket.io: "" for its own origin (through the proxy), or :5005 of the
    page's host in development."""
    return "" if os.environ.get("HOTLINE_PUBLIC_ORIGIN", "").strip() else "5005"
