"""The console's hook into the Rasa server: "deliver what is queued for this conversation now".

The web app (:8000) and the Rasa server (:5005) are separate processes (with `--replicas`, several
of each: HOTLINE_RASA_URL lists every Rasa server). The store has already
committed the message to the outbox; this only wakes the relay channel on the Rasa server
(`bot.handoff.channel`, POST /webhooks/handoff/notify), which pushes it over socket.io when the
citizen is connected there. REST citizens get it on their next message or poll. A failed notify
loses nothing: the item stays queued.

The relay only answers callers that send the shared secret `relay-notify` (bot.security.secrets: a 0600
file under the secrets directory both processes read, or HOTLINE_SECRET_RELAY_NOTIFY).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import urllib.request

from bot.security.secrets import load_or_create

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0
SECRET_NAME = "relay-notify"
SECRET_HEADER = "X-Hotline-Relay-Secret"


def secret() -> str:
    return load_or_create(SECRET_NAME)


def authentic(presented: str | None) -> bool:
    """Whether a notify request carries the relay secret (compared in constant time)."""
    return bool(presented) and hmac.compare_digest(presented.encode(), secret().encode())


def relay_urls() -> list[str]:
    """HOTLINE_RASA_URL: the Rasa server, or with replicas every one of them, comma-separated."""
    raw = os.environ.get("HOTLINE_RASA_URL", "") or "http://127.0.0.1:5005"
    return [base.strip().rstrip("/") + "/webhooks/handoff/notify" for base in raw.split(",") if base.strip()]


def relay_url() -> str:
    return relay_urls()[0]


def _notify_one(url: str, body: bytes) -> bool:
    req = urllib.request.Request(url, body, {"Content-Type": "application/json", SECRET_HEADER: secret()})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            return resp.status == 200
    except OSError as err:  # the Rasa server is down or busy: the item stays queued
        logger.warning("handoff notify failed: %s", err)
        return False


def notify(sender_id: str) -> bool:
    """Asks the Rasa servers to deliver the sender's outbox now. Blocking, short timeout; True if a
    relay answered. Call it from aiohttp through `asyncio.to_thread` or use `notify_async`.

    With replicas every Rasa server is asked: only the one the citizen's socket.io page is connected to
    pushes to it (the others find no socket there and answer "not pushed"), so a reply reaches the
    page whichever replica it is on, and a replica that died is simply skipped (the page reconnects
    to another and gets what is queued when it rejoins its session). WeChat pushes are serialised by
    the conversation lock: the first delivers the outbox, the next find it empty."""
    body = json.dumps({"sender": sender_id}).encode()
    answered = [_notify_one(url, body) for url in relay_urls()]
    return any(answered)


async def notify_async(sender_id: str) -> bool:
    """`notify` for aiohttp handlers."""
    return await asyncio.to_thread(notify, sender_id)
