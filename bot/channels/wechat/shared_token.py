"""The WeChat access token shared by every process of the replicated stack (`hotline run --replicas`).

WeChat keeps one valid token per app: a process that fetches a new one makes the others' copies expire
within minutes, so N Rasa servers each caching their own would keep invalidating each other. With
HOTLINE_REDIS_URL set, the token lives in Redis: one process at a time owns the fetch (a short Redis
lock, SET NX with an expiry so a fetcher that died frees it), the others wait and read what it stored.
Times are wall-clock seconds (processes do not share a monotonic clock).
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

from bot.channels.wechat.token import MARGIN_SECONDS

FETCH_LOCK_MS = 10_000  # longer than one /cgi-bin/token call with its timeout
REDIS_ENV = "HOTLINE_REDIS_URL"


class SharedTokenStore:
    """Token, expiry and the fetch lock under `hotline:wechat:token:<app id>` in Redis (or any client
    with redis-py's asyncio get/set/delete)."""

    def __init__(self, client: Any, app_id: str, margin: float = MARGIN_SECONDS) -> None:
        self.client = client
        self.key = f"hotline:wechat:token:{app_id}"
        self.lock_key = self.key + ":fetching"
        self.margin = margin
        self.owner = secrets.token_hex(8)

    async def get(self, now: float) -> str | None:
        raw = await self.client.get(self.key)
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        token, expires_at = data.get("token"), float(data.get("expires_at") or 0)
        return token if token and now < expires_at - self.margin else None

    async def store(self, token: str, expires_in: float, now: float) -> None:
        ttl = max(1, int(expires_in))
        await self.client.set(self.key, json.dumps({"token": token, "expires_at": now + float(expires_in)}), ex=ttl)

    async def invalidate(self, token: str) -> None:
        """Drops the token if it is still the stored one (another process may have replaced it)."""
        raw = await self.client.get(self.key)
        if raw and json.loads(raw).get("token") == token:
            await self.client.delete(self.key)

    async def acquire(self) -> bool:
        return bool(await self.client.set(self.lock_key, self.owner, nx=True, px=FETCH_LOCK_MS))

    async def release(self) -> None:
        raw = await self.client.get(self.lock_key)
        if raw is not None and (raw.decode() if isinstance(raw, bytes) else raw) == self.owner:
            await self.client.delete(self.lock_key)


def from_environment(app_id: str) -> SharedTokenStore | None:
    """The shared store when HOTLINE_REDIS_URL is set (the replicated stack), else None (one process:
    the in-memory cache of token.py)."""
    url = os.environ.get(REDIS_ENV, "").strip()
    if not url:
        return None
    import redis.asyncio as aioredis

    return SharedTokenStore(aioredis.from_url(url, socket_timeout=5), app_id)
