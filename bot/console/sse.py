"""Server-sent events: the page is told that something changed and fetches the new fragment itself.

Tickets are changed by other processes (the Rasa and action servers), so each stream polls a cheap
fingerprint of the state it watches and sends an event when that fingerprint changes. The queue's
fingerprint comes from the picture every agent shares (bot/console/snapshot.py): one database read
per snapshot.TTL_SECONDS for all streams, not one per agent and second.

A stream lives no longer than its session: it re-checks the session at every poll (from the
session memory, which reads the database every session_cache.TTL_SECONDS) and ends on logout,
expiry or when the user is disabled; logout also cancels the session's streams at once. A session
holds at most MAX_STREAMS_PER_SESSION streams (a few tabs); one more is refused with 429."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from bot.console import auth, session_cache
from bot.console.keys import ENGINE_KEY, SESSION, SESSION_STREAMS_KEY, STREAMS_KEY, TOKEN

# The queue streams read the shared picture (bot/console/snapshot.py, no database read of their own),
# so they look often; a ticket's stream reads its ticket (one query) once a second.
POLL_SECONDS = 0.5
TICKET_POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
MAX_STREAMS_PER_SESSION = 6


async def _session_alive(request: web.Request) -> bool:
    token = request[TOKEN]
    session = session_cache.cached(token) or await asyncio.to_thread(session_cache.lookup,
                                                                     request.app[ENGINE_KEY], token)
    return session is not None and session.user == request[SESSION].user


async def stream(request: web.Request, event: str, fingerprint: Callable[[], Awaitable[object]],
                 poll_seconds: float = POLL_SECONDS) -> web.StreamResponse:
    key = auth.token_hash(request[TOKEN])
    per_session: dict[str, set[asyncio.Task]] = request.app[SESSION_STREAMS_KEY]
    mine = per_session.setdefault(key, set())
    if len(mine) >= MAX_STREAMS_PER_SESSION:
        raise web.HTTPTooManyRequests()
    task = asyncio.current_task()
    assert task is not None
    streams = request.app[STREAMS_KEY]
    streams.add(task)
    mine.add(task)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    last: object = None
    quiet = 0.0
    try:
        await resp.prepare(request)
        await resp.write(b"retry: 2000\n\n")
        while await _session_alive(request):
            if request.transport is None or request.transport.is_closing():
                return resp  # the page went (the workspace closes a ticket's stream on each switch): free the slot
            current = await fingerprint()
            if current != last:
                last = current
                await resp.write(f"event: {event}\ndata: changed\n\n".encode())
                quiet = 0.0
            elif quiet >= HEARTBEAT_SECONDS:
                await resp.write(b": keep-alive\n\n")
                quiet = 0.0
            await asyncio.sleep(poll_seconds)
            quiet += poll_seconds
        # The session is over: tell the page (its script goes to the login page) and end.
        await resp.write(b"event: logout\ndata: session ended\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        streams.discard(task)
        mine.discard(task)
        if not mine:
            per_session.pop(key, None)
    return resp


def end_session_streams(app: web.Application, token: str | None) -> None:
    """Cancels every stream of a session (at logout)."""
    if not token:
        return
    for task in list(app[SESSION_STREAMS_KEY].get(auth.token_hash(token), ())):
        task.cancel()


async def close_streams(app: web.Application) -> None:
    for task in list(app[STREAMS_KEY]):
        task.cancel()
