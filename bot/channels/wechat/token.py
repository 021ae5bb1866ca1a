"""The access-token cache of the WeChat API client: pure logic, the clock passed in.

A token from /cgi-bin/token lives `expires_in` seconds (7,200). It is reused until shortly before
that, and dropped when the API answers 40001/42001/40014 (invalid, expired or not the latest token:
another process may have fetched a newer one).
"""

from __future__ import annotations

from dataclasses import dataclass

REFRESH_ERRCODES = frozenset({40001, 40014, 42001})
MARGIN_SECONDS = 300  # refresh five minutes early: WeChat keeps the old token valid that long


@dataclass
class TokenCache:
    token: str | None = None
    expires_at: float = 0.0
    margin: float = MARGIN_SECONDS

    def get(self, now: float) -> str | None:
        """The cached token, or None when there is none or it is about to expire."""
        if self.token and now < self.expires_at - self.margin:
            return self.token
        return None

    def store(self, token: str, expires_in: float, now: float) -> None:
        self.token, self.expires_at = token, now + max(0.0, float(expires_in))

    def invalidate(self, token: str | None = None) -> None:
        """Drops the token; with `token`, only if it is still the cached one (a concurrent request
        may already have replaced it)."""
        if token is None or token == self.token:
            self.token, self.expires_at = None, 0.0


def needs_refresh(errcode: int | None) -> bool:
    return errcode in REFRESH_ERRCODES
