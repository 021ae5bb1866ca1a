"""Review M9: python-socketio is upgraded past its advisories (≥ 5.16.2), where enter_room is a
coroutine; Rasa 3.6 calls it without awaiting, so without bot/socketio_compat.py a chat-page session
never joins its room and replies never arrive."""

import asyncio

import socketio

from bot import socketio_compat


def test_the_pinned_versions_are_past_the_advisories() -> None:
    from importlib.metadata import version

    def parts(name: str) -> tuple[int, ...]:
        return tuple(int(p) for p in version(name).split(".")[:3])

    assert parts("python-socketio") >= (5, 16, 2) and parts("python-engineio") >= (4, 13, 3)
    assert parts("aiohttp") >= (3, 13, 4)


def test_an_unawaited_enter_room_takes_effect_as_rasa_calls_it() -> None:
    socketio_compat.apply()

    async def go():
        sio = socketio.AsyncServer(async_mode="asgi")
        sid = await sio.manager.connect("eio-1", "/")
        sio.enter_room(sid, "session-abc")  # as rasa/core/channels/socketio.py does: no await
        joined = sid in sio.manager.rooms["/"].get("session-abc", {})
        await sio.leave_room(sid, "session-abc")  # awaiting works too
        left = sid not in sio.manager.rooms["/"].get("session-abc", {})
        return joined, left

    assert asyncio.run(go()) == (True, True)
