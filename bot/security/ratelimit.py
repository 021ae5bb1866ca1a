"""Token buckets keyed by sender or client address: how often a public entry may be used.

A bucket holds up to `burst` tokens and refills at `per_minute`; each message takes one. A refused
message is answered politely by the channel and never reaches the dialogue, so nothing of it is
stored. The clock is passed in (seconds, monotonic) so that the rules read as worked examples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    per_minute: float  # sustained rate
    burst: int  # what may come at once (a bucket starts full)

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


class Limiter:
    """One bucket per key, in memory (one Rasa server process per deployment, as the tracker cache)."""

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def allow(self, key: str, now: float) -> bool:
        """Takes a token for `key` if one is left; False means "too many, refuse this one"."""
        if self.rate.burst <= 0:  # a zero burst switches the limit off
            return True
        tokens, last = self._buckets.get(key, (float(self.rate.burst), now))
        tokens = min(float(self.rate.burst), tokens + max(0.0, now - last) * self.rate.per_second)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._forget_full(now)
        self._buckets[key] = (tokens, now)
        return allowed

    def _forget_full(self, now: float) -> None:
        """Drops the buckets that have refilled (they are the same as a new one); if every key is busy,
        the oldest half goes, so memory stays bounded under a flood of fresh keys."""
        full = [k for k, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate.per_second >= self.rate.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:
            for k in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self.max_keys // 2]:
                del self._buckets[k]

    def __len__(self) -> int:
        return len(self._buckets)
