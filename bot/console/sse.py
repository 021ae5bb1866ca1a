"""Server-sent events: the page is told that something changed and fetches the new fragment itself.

Tickets are changed by other processes (the Rasa and action servers), so each stream polls a cheap
fingerprint of the state it watches and sends an event when that fingerprint changes."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from bot.console.keys import STREAMS_KEY

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0


async def stream(request: web.Request, event: str, fingerprint: Callable[[], Awaitable[object]]) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    streams = request.app[STREAMS_KEY]
    task = asyncio.current_task()
    streams.add(task)
    last: object = None
    quiet = 0.0
    try:
        await resp.write(b"retry: 2000\n\n")
        while True:
            current = await fingerprint()
            if current != last:
                last = current
                await resp.write(f"event: {event}\ndata: changed\n\n".encode())
                quiet = 0.0
            elif quiet >= HEARTBEAT_SECONDS:
                await resp.write(b": keep-alive\n\n")
                quiet = 0.0
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        streams.discard(task)
    return resp


async def close_streams(app: web.Application) -> None:
    for task in list(app[STREAMS_KEY]):
        task.cancel()
