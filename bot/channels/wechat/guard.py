"""In-memory guards of the webhook (review M2, M5): one signed URL for one body only, and a per-user
message rate. Pure: the clock is passed in; no Rasa, Sanic or database.

Both keep memory bounded: entries expire with their window, and the oldest are dropped beyond a cap.
They live in the Rasa server process (one per deployment, as the tracker store assumes); a restart
forgets them, which only re-opens a five-minute replay window for URLs already seen.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, deque


class NonceCache:
    """Remembers (timestamp, nonce) → body digest for the signature's timestamp window.

    In plain mode WeChat's URL signature covers token, timestamp and nonce but not the body, so anyone
    who sees one signed URL (a log, a proxy) could post any body with it for five minutes. A URL is
    accepted again only with the same body: that is WeChat's own retry, which de-duplication answers.
    """

    def __init__(self, window: float, max_entries: int = 200_000) -> None:
        self.window, self.max_entries = window, max_entries
        self._seen: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    def accept(self, timestamp: str, nonce: str, body: bytes, now: float) -> bool:
        self._expire(now)
        key, digest = (timestamp, nonce), hashlib.sha256(body).hexdigest()
        seen = self._seen.get(key)
        if seen is not None:
            return seen[1] == digest
        self._seen[key] = (now, digest)
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return True

    def _expire(self, now: float) -> None:
        # Kept twice the window: the timestamp may be up to `window` in the future.
        while self._seen:
            _, (at, _) = next(iter(self._seen.items()))
            if now - at <= 2 * self.window:
                break
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


class RateLimit:
    """At most `limit` events per `period` seconds per key (a sliding window)."""

    def __init__(self, limit: int, period: float, max_keys: int = 100_000) -> None:
        self.limit, self.period, self.max_keys = limit, period, max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str, now: float) -> bool:
        times = self._events.pop(key, None) or deque()
        while times and now - times[0] >= self.period:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self._events[key] = times  # most recently seen last
        while len(self._events) > self.max_keys:
            self._events.popitem(last=False)
        return allowed
