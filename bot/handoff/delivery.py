"""The console's hook into the Rasa server: "deliver what is queued for this conversation now".

The web app (:8000) and the Rasa server (:5005) are separate processes. The store has already
committed the message to the outbox; this only wakes the relay channel on the Rasa server
(`bot.handoff.channel`, POST /webhooks/handoff/notify), which pushes it over socket.io when the
citizen is connected there. REST citizens get it on their next message or poll. A failed notify
loses nothing: the item stays queued.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import urllib.request

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0


def relay_url() -> str:
    base = os.environ.get("HOTLINE_RASA_URL", "http://127.0.0.1:5005")
    return base.rstrip("/") + "/webhooks/handoff/notify"


def notify(sender_id: str) -> bool:
    """Asks the Rasa server to deliver the sender's outbox now. Blocking, short timeout; True if the
    relay answered. Call it from aiohttp through `asyncio.to_thread` or use `notify_async`."""
    body = json.dumps({"sender": sender_id}).encode()
    req = urllib.request.Request(relay_url(), body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            return resp.status == 200
    except OSError as err:  # the Rasa server is down or busy: the item stays queued
        logger.warning("handoff notify failed: %s", err)
        return False


async def notify_async(sender_id: str) -> bool:
    """`notify` for aiohttp handlers."""
    return await asyncio.to_thread(notify, sender_id)
