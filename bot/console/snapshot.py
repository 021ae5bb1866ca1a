"""One short-lived picture of the active queue, shared by every agent's page, fragment, JSON and live
stream in this web process (issue 17: queue and ticket pages p99 ≤ 100 ms with 20 agents connected).

Before, each queue page, each workspace sidebar and each agent's event stream (once a second) read the
whole queue, the staff list and the agent statuses and rendered every row again: 20 agents meant 20
identical reads a second and 20 identical renders of the same rows after every change. Now the picture
is read once per TTL_SECONDS (one read for a herd arriving together: a lock), every console write of
this process (any POST under /console/) drops it at once, and the rendered rows are kept in it for
every viewer whose row looks the same (only the holder's, the offered agent's and the current row differ).

Tickets written by other processes (the Rasa and action servers) show within TTL_SECONDS on a page load
and within TTL_SECONDS + sse.POLL_SECONDS on the live stream, as the per-agent database poll did before
within POLL_SECONDS. The SLA figures of a row are those of the picture's time (`at`), at most
TTL_SECONDS old; the page ticks them on from there."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from aiohttp import web
from sqlalchemy.engine import Engine

TTL_SECONDS = 0.5


@dataclass
class Snapshot:
    at: datetime  # the time the SLA figures were computed for
    loaded: float  # time.monotonic() of the read
    generation: int  # State.generation when the read started
    queue: list[Any]  # the full active queue (tickets.Ticket), every role's
    extras: dict[str, Any]  # ops_views.queue_extras for a supervisor: names, sla, offers, agents, stuck
    rows: dict[tuple, Any] = field(default_factory=dict)  # rendered rows (markupsafe.Markup) by look


@dataclass
class State:
    generation: int = 0
    current: Snapshot | None = None
    lock: asyncio.Lock | None = None
    reads: int = 0  # database reads of the queue picture (tests, bench)


STATE_KEY = web.AppKey("console_queue_snapshot", State)


def setup(app: web.Application) -> None:
    app[STATE_KEY] = State()


def invalidate(app: web.Application) -> None:
    """Something changed (a console action of this process): the next reader reads the database."""
    state = app.get(STATE_KEY)
    if state is not None:
        state.generation += 1
        state.current = None


def _fresh(state: State, snap: Snapshot | None) -> bool:
    return (snap is not None and snap.generation == state.generation
            and time.monotonic() - snap.loaded < TTL_SECONDS)


async def current(app: web.Application, engine: Engine, clock: Callable[[], datetime]) -> Snapshot:
    """The shared picture, read again when older than TTL_SECONDS or after a console write."""
    from bot.console import ops_views
    from bot.handoff import store

    state = app[STATE_KEY]
    if _fresh(state, state.current):
        return state.current  # type: ignore[return-value]
    if state.lock is None:
        state.lock = asyncio.Lock()
    async with state.lock:
        if _fresh(state, state.current):
            return state.current  # type: ignore[return-value]
        generation = state.generation

        def read() -> Snapshot:
            at = clock()
            full = store.queue(engine)
            extras = ops_views.queue_extras(engine, full, at, for_supervisor=True)
            return Snapshot(at=at, loaded=time.monotonic(), generation=generation, queue=full, extras=extras)

        snap = await asyncio.to_thread(read)
        state.reads += 1
        if generation == state.generation:  # not overtaken by a write while reading
            state.current = snap
        return snap


def view(snap: Snapshot, username: str, sees_escalations: bool) -> dict[str, Any]:
    """The picture's extras as one viewer gets them: stuck claims only for supervisors, their own agent."""
    extras = snap.extras
    return {**extras, "stuck": extras["stuck"] if sees_escalations else [],
            "me": next((a for a in extras["agents"] if a.username == username), None)}
