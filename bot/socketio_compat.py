"""python-socketio ≥ 5.9 made `AsyncServer.enter_room` / `leave_room` coroutines; Rasa 3.6's socket.io
channel calls `sio.enter_room(sid, session_id)` without awaiting, so with a current socketio the
session room was never joined and replies never reached the browser. We upgrade socketio for its
security fixes (review M9) and make both calls take effect at once and return an awaitable that is
already done, so Rasa's bare call and an `await` in our own code both work.

Only for socketio's default in-memory manager (the one Rasa uses); anything else is left alone.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

_PATCHED = "_hotline_room_calls_immediate"


def _done() -> "asyncio.Future[None]":
    future = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


def apply() -> bool:
    """Patches socketio.AsyncServer if its room calls are coroutines; True if patched."""
    import socketio

    server = socketio.AsyncServer
    if getattr(server, _PATCHED, False) or not inspect.iscoroutinefunction(server.enter_room):
        return False
    original_enter, original_leave = server.enter_room, server.leave_room

    def in_memory(self: Any) -> bool:
        return type(self.manager) is socketio.AsyncManager

    def enter_room(self: Any, sid: str, room: str, namespace: str | None = None) -> Any:
        if not in_memory(self):
            return original_enter(self, sid, room, namespace)
        self.manager.basic_enter_room(sid, namespace or "/", room)
        return _done()

    def leave_room(self: Any, sid: str, room: str, namespace: str | None = None) -> Any:
        if not in_memory(self):
            return original_leave(self, sid, room, namespace)
        self.manager.basic_leave_room(sid, namespace or "/", room)
        return _done()

    server.enter_room, server.leave_room = enter_room, leave_room  # type: ignore[method-assign]
    setattr(server, _PATCHED, True)
    return True
