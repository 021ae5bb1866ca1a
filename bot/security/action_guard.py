"""Which calls the action server refuses, decided from the request line and headers alone.

rasa-sdk 3.6 has no authentication and inflates `Content-Encoding: deflate` bodies without a limit,
so every call except the health check must carry the shared token (the Rasa server sends it, see
endpoints.yml), and compressed bodies are refused before anything reads them.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

TOKEN_HEADER = "X-Hotline-Action-Token"
OPEN_PATHS = frozenset({"/health"})  # `hotline run` waits on it; it says nothing but "ok"


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str


UNAUTHORISED = Refusal(401, "unauthorised")
COMPRESSED = Refusal(415, "compressed bodies are not accepted")


def refusal(path: str, headers: Mapping[str, str], token: str) -> Refusal | None:
    """None when the call may proceed; otherwise why not. `headers` is case-insensitive (Sanic's)."""
    if path in OPEN_PATHS:
        return None
    presented = headers.get(TOKEN_HEADER, "")
    if not token or not hmac.compare_digest(presented.encode(), token.encode()):
        return UNAUTHORISED
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        return COMPRESSED
    return None
